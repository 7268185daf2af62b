-- The journey of every live account on one timeline: every touchpoint of anyone at
-- the account and every activity logged on it, every deal stage its deals entered
-- (the CRM's deal-stage history, with the canonical stage deal_stage_mapping gives
-- it), and every account stage change (int_account_stage_transitions_derived),
-- numbered 1..n in time order. At the same instant a stage change comes first (in
-- funnel order), then deal stages, then touchpoints, each group by id. Each event
-- carries the account's stage after it. Works without any contact: an
-- opportunity-centric export (accounts, deals, activities) has a journey too.
with

accounts as (

    select account_key, account_id, source_system
    from {{ ref('int_accounts_unioned') }}
    where not is_deleted

),

transitions as (

    select * from {{ ref('int_account_stage_transitions_derived') }}

),

touchpoints as (

    select
        touchpoints.*,
        unioned.account_source_system || ':' || touchpoints.account_id as account_key

    from {{ ref('fct_touchpoints') }} as touchpoints
    inner join {{ ref('int_touchpoints_unioned') }} as unioned
        on unioned.touchpoint_id = touchpoints.touchpoint_id
    where touchpoints.account_id is not null

),

deals as (

    select
        source_system || ':' || opportunity_id as deal_key,
        source_system || ':' || account_id as account_key,
        opportunity_id,
        owner_id

    from {{ ref('fct_opportunities') }}
    where account_id is not null

),

-- One row per deal, stage and instant (a history may repeat an entry from two feeds).
deal_stages as (

    select distinct deal_key, deal_stage, canonical_stage, entered_at, source_system
    from {{ ref('int_deal_stages_unioned') }}

),

events as (

    select
        md5('stage_change|' || transitions.account_stage_transition_id) as account_journey_event_id,
        transitions.account_key,
        transitions.entered_at as event_at,
        'stage_change' as event_kind,
        0 as event_kind_order,
        transitions.stage as stage_entered,
        transitions.stage_rank,
        transitions.previous_stage,
        transitions.evidence,
        transitions.evidence_detail,
        transitions.person_id,
        transitions.opportunity_id,
        cast(null as {{ dbt.type_string() }}) as deal_stage,
        cast(null as {{ dbt.type_string() }}) as deal_canonical_stage,
        cast(null as {{ dbt.type_string() }}) as team,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as touch_type,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_key,
        cast(null as {{ dbt.type_string() }}) as touchpoint_id,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        false as is_sales_touch,
        transitions.evidence_source_system as event_source_system

    from transitions

    union all

    select
        md5('deal_stage|' || deal_stages.deal_key || '|' || deal_stages.deal_stage || '|'
            || cast(deal_stages.entered_at as {{ dbt.type_string() }})),
        deals.account_key,
        deal_stages.entered_at,
        'deal_stage',
        1,
        cast(null as {{ dbt.type_string() }}),
        cast(null as integer),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        deals.opportunity_id,
        deal_stages.deal_stage,
        deal_stages.canonical_stage,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        deals.owner_id,
        false,
        deal_stages.source_system

    from deal_stages
    inner join deals
        on deals.deal_key = deal_stages.deal_key

    union all

    select
        md5('touchpoint|' || touchpoint_id),
        account_key,
        occurred_at,
        'touchpoint',
        2,
        cast(null as {{ dbt.type_string() }}),
        cast(null as integer),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        person_id,
        deal_id,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        team,
        channel,
        touch_type,
        campaign_id,
        campaign_key,
        touchpoint_id,
        owner_id,
        is_sales_touch,
        source_system

    from touchpoints

),

live_events as (

    select
        events.*,
        accounts.account_id,
        accounts.source_system

    from events
    inner join accounts
        on accounts.account_key = events.account_key

),

sequenced as (

    select
        *,
        row_number() over (
            partition by account_key
            order by event_at, event_kind_order, stage_rank, account_journey_event_id
        ) as event_seq

    from live_events

),

final as (

    select
        account_journey_event_id,
        account_key,
        account_id,
        source_system,
        event_at,
        event_seq,
        event_kind,
        last_value(stage_entered ignore nulls) over (
            partition by account_key order by event_seq rows between unbounded preceding and current row
        ) as stage,
        previous_stage,
        evidence,
        evidence_detail,
        person_id,
        opportunity_id,
        deal_stage,
        deal_canonical_stage,
        team,
        channel,
        touch_type,
        campaign_id,
        campaign_key,
        touchpoint_id,
        owner_id,
        is_sales_touch,
        event_source_system

    from sequenced

)

select * from final
