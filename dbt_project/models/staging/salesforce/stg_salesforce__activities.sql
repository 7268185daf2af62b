-- Salesforce tasks and events conformed to the activity columns of
-- stg_crm__activities.
-- - Type: a Task's TaskSubtype (Type when there is none) Call -> call, Email and
--   ListEmail -> email, anything else -> task; every Event -> meeting.
-- - Direction: a call's CallType (Inbound / Outbound; Internal -> null). Logged
--   e-mails carry no direction field: one received from the customer has a subject
--   starting with '←' (Einstein Activity Capture, Outlook / Gmail integration);
--   every other e-mail was sent by the rep.
-- - Person: WhoId when it is a contact (003); a lead (00Q) that was converted stands
--   for the contact it became, an unconverted one for itself (it is a person in
--   stg_salesforce__contacts). Account: AccountId, else a WhatId that is an account
--   (001). Deal: a WhatId that is an opportunity (006).
-- - occurred_at: a task's CompletedDateTime, else its ActivityDate (the created
--   instant when created that day); an event's StartDateTime, else ActivityDateTime,
--   ActivityDate; else CreatedDate.
-- - outcome: the call's CallDisposition or the task's Status, lower-cased.
-- Archived activities (IsArchived: older than a year) are not deleted and stay live.
with

tasks as (

    select * from {{ source('raw', 'salesforce_tasks') }}

),

events as (

    select * from {{ source('raw', 'salesforce_events') }}

),

leads as (

    select
        {{ tl_text('id') }} as lead_id,
        {{ tl_text('converted_contact_id') }} as converted_contact_id

    from {{ source('raw', 'salesforce_leads') }}
    where {{ tl_bool('is_converted') }} and {{ tl_text('converted_contact_id') }} is not null
    qualify row_number() over (
        partition by {{ tl_text('id') }} order by {{ tl_timestamp('system_modstamp') }} desc nulls last
    ) = 1

),

landed_contacts as (

    select distinct {{ tl_text('id') }} as contact_id
    from {{ source('raw', 'salesforce_contacts') }}

),

tasks_renamed as (

    select
        {{ tl_text('id') }} as activity_id,
        case
            when lower(coalesce({{ tl_text('task_subtype') }}, {{ tl_text('type') }})) = 'call' then 'call'
            when lower(coalesce({{ tl_text('task_subtype') }}, {{ tl_text('type') }})) in ('email', 'listemail') then 'email'
            else 'task'
        end as activity_type,
        {{ tl_text('call_type') }} as call_type,
        {{ tl_text('subject') }} as subject,
        {{ tl_text('who_id') }} as who_id,
        {{ tl_text('what_id') }} as what_id,
        {{ tl_text('account_id') }} as account_id,
        {{ tl_text('owner_id') }} as owner_id,
        coalesce(
            {{ tl_timestamp('completed_date_time') }},
            case
                when cast({{ tl_timestamp('created_date') }} as date) = {{ tl_date('activity_date') }}
                    then {{ tl_timestamp('created_date') }}
            end,
            cast({{ tl_date('activity_date') }} as timestamptz),
            {{ tl_timestamp('created_date') }}
        ) as occurred_at,
        {{ tl_text('call_disposition') }} as call_disposition,
        {{ tl_text('status') }} as status,
        coalesce({{ tl_bool('is_deleted') }}, false) as is_deleted,
        _loaded_at,
        {{ tl_timestamp('system_modstamp') }} as _modstamp

    from tasks

),

events_renamed as (

    select
        {{ tl_text('id') }} as activity_id,
        'meeting' as activity_type,
        cast(null as {{ dbt.type_string() }}) as call_type,
        {{ tl_text('subject') }} as subject,
        {{ tl_text('who_id') }} as who_id,
        {{ tl_text('what_id') }} as what_id,
        {{ tl_text('account_id') }} as account_id,
        {{ tl_text('owner_id') }} as owner_id,
        coalesce(
            {{ tl_timestamp('start_date_time') }},
            {{ tl_timestamp('activity_date_time') }},
            cast({{ tl_date('activity_date') }} as timestamptz),
            {{ tl_timestamp('created_date') }}
        ) as occurred_at,
        cast(null as {{ dbt.type_string() }}) as call_disposition,
        cast(null as {{ dbt.type_string() }}) as status,
        coalesce({{ tl_bool('is_deleted') }}, false) as is_deleted,
        _loaded_at,
        {{ tl_timestamp('system_modstamp') }} as _modstamp

    from events

),

unioned as (

    select * from tasks_renamed
    union all
    select * from events_renamed

),

deduplicated as (

    select * from unioned
    where activity_id is not null
    qualify row_number() over (
        partition by activity_id order by _modstamp desc nulls last, _loaded_at desc nulls last
    ) = 1

),

final as (

    select
        deduplicated.activity_id,
        deduplicated.activity_type,
        case deduplicated.activity_type
            when 'call' then
                case lower(deduplicated.call_type)
                    when 'inbound' then 'inbound'
                    when 'outbound' then 'outbound'
                end
            when 'email' then
                case when starts_with(coalesce(deduplicated.subject, ''), '←') then 'inbound' else 'outbound' end
        end as direction,
        case
            when deduplicated.who_id like '003%' then deduplicated.who_id
            when deduplicated.who_id like '00Q%' then
                case when landed_contacts.contact_id is not null then leads.converted_contact_id
                    else deduplicated.who_id
                end
        end as contact_id,
        coalesce(
            deduplicated.account_id,
            case when deduplicated.what_id like '001%' then deduplicated.what_id end
        ) as account_id,
        case when deduplicated.what_id like '006%' then deduplicated.what_id end as deal_id,
        deduplicated.owner_id,
        deduplicated.occurred_at,
        lower(case deduplicated.activity_type
            when 'call' then deduplicated.call_disposition
            when 'task' then deduplicated.status
        end) as outcome,
        deduplicated.is_deleted,
        'salesforce' as source_system,
        deduplicated._loaded_at

    from deduplicated
    left join leads
        on leads.lead_id = deduplicated.who_id
    left join landed_contacts
        on landed_contacts.contact_id = leads.converted_contact_id

)

select * from final
