-- Deals from the file export, HubSpot and Salesforce on one column set, with
-- open/won/lost resolved: the CRM's own flags first, then deal_stage_mapping (an
-- exact pipeline row before a '*' row). A closed deal without a close date takes
-- its last update; an open deal's close date is only an expectation.
{%- set columns = [
    'deal_id', 'deal_name', 'account_id', 'contact_id', 'owner_id', 'pipeline', 'deal_stage',
    'amount', 'currency_code', 'created_at', 'closed_at', 'is_closed', 'is_won', 'lost_reason',
    'updated_at', 'is_deleted', 'source_system'
] %}

with

deal_stage_mapping as (

    select
        source_system,
        lower(trim(pipeline)) as pipeline,
        lower(trim(deal_stage)) as deal_stage,
        canonical_stage,
        is_closed,
        is_won
    from {{ ref('deal_stage_mapping') }}

),

unioned as (

    {{ tl_crm_union('deals', columns) }}

),

mapped as (

    select
        unioned.*,
        coalesce(exact_map.canonical_stage, any_map.canonical_stage) as mapped_canonical_stage,
        coalesce(exact_map.is_closed, any_map.is_closed) as mapped_is_closed,
        coalesce(exact_map.is_won, any_map.is_won) as mapped_is_won

    from unioned
    left join deal_stage_mapping as exact_map
        on exact_map.source_system = unioned.source_system
        and exact_map.pipeline = lower(unioned.pipeline)
        and exact_map.deal_stage = lower(unioned.deal_stage)
    left join deal_stage_mapping as any_map
        on any_map.source_system = unioned.source_system
        and any_map.pipeline = '*'
        and any_map.deal_stage = lower(unioned.deal_stage)

),

resolved as (

    select
        *,
        coalesce(
            is_closed,
            mapped_is_closed,
            -- The file export may leave is_closed out and only fill closed_at.
            case when source_system = 'crm' then closed_at is not null end,
            false
        ) as resolved_is_closed

    from mapped

),

final as (

    select
        deal_id,
        source_system || ':' || deal_id as deal_key,
        deal_name,
        account_id,
        source_system || ':' || account_id as account_key,
        contact_id,
        source_system || ':' || contact_id as contact_key,
        owner_id,
        pipeline,
        deal_stage,
        amount,
        currency_code,
        created_at,
        case when resolved_is_closed then coalesce(closed_at, updated_at) end as closed_at,
        case when not resolved_is_closed then closed_at end as expected_close_at,
        resolved_is_closed as is_closed,
        resolved_is_closed and coalesce(is_won, mapped_is_won, false) as is_won,
        case
            when resolved_is_closed and coalesce(is_won, mapped_is_won, false) then 'customer'
            when resolved_is_closed then 'closed_lost'
            else 'opportunity'
        end as canonical_stage,
        mapped_canonical_stage is not null as is_stage_mapped,
        lost_reason,
        updated_at,
        is_deleted,
        source_system

    from resolved

)

select * from final
