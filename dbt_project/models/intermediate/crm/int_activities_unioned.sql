-- Sales activities from the file export, HubSpot engagements and Salesforce tasks
-- and events on one column set, with the sales channel each one is.
-- is_sales_touch marks the ones that reach the customer on sales' initiative or in
-- conversation (calls, meetings, e-mails not written by the customer): the touches
-- lead response counts.
{%- set columns = [
    'activity_id', 'activity_type', 'direction', 'contact_id', 'account_id', 'deal_id', 'owner_id',
    'occurred_at', 'outcome', 'is_deleted', 'source_system'
] %}

with

unioned as (

    {{ tl_crm_union('activities', columns) }}

),

final as (

    select
        activity_id,
        source_system || ':' || activity_id as activity_key,
        activity_type,
        direction,
        contact_id,
        source_system || ':' || contact_id as contact_key,
        account_id,
        source_system || ':' || account_id as account_key,
        deal_id,
        owner_id,
        occurred_at,
        outcome,
        case activity_type
            when 'call' then case when direction = 'inbound' then 'inbound_call' else 'outbound_call' end
            when 'meeting' then 'meeting'
            when 'email' then 'sales_email'
            when 'task' then 'task'
            when 'note' then 'note'
        end as channel,
        coalesce(
            activity_type in ('call', 'meeting')
            or (activity_type = 'email' and direction is distinct from 'inbound'),
            false
        ) as is_sales_touch,
        is_deleted,
        source_system

    from unioned

)

select * from final
