-- The journey of every live account on one timeline: every touchpoint of anyone at
-- the account and every activity logged on it, every deal stage its deals entered
-- (the CRM's deal-stage history, with the canonical stage deal_stage_mapping gives
-- it), and every account stage change (int_account_stage_transitions_derived),
-- numbered 1..n in time order. At the same instant a stage change comes first (in
-- funnel order), then deal stages, then touchpoints, each group by id. Each event
-- carries the account's stage after it. Works without any contact: an
-- opportunity-centric export (accounts, deals, activities) has a journey too.
{%- set event_columns = [
    ('account_journey_event_id', 'string'),
    ('account_key', 'string'),
    ('event_at', 'timestamp with time zone'),
    ('event_kind', 'string'),
    ('event_kind_order', 'integer'),
    ('stage_entered', 'string'),
    ('stage_rank', 'integer'),
    ('previous_stage', 'string'),
    ('evidence', 'string'),
    ('evidence_detail', 'string'),
    ('person_id', 'string'),
    ('opportunity_id', 'string'),
    ('deal_stage', 'string'),
    ('deal_canonical_stage', 'string'),
    ('team', 'string'),
    ('channel', 'string'),
    ('touch_type', 'string'),
    ('campaign_id', 'string'),
    ('campaign_key', 'string'),
    ('touchpoint_id', 'string'),
    ('owner_id', 'string'),
    ('is_sales_touch', 'boolean'),
    ('event_source_system', 'string'),
] %}

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

    select * from {{ ref('int_touchpoints_sequenced') }}
    where account_key is not null

),

deals as (

    select deal_key, account_key, opportunity_id, owner_id
    from {{ ref('int_opportunities_sourced') }}
    where account_key is not null

),

-- One row per deal, stage and instant (a history may repeat an entry from two feeds).
deal_stages as (

    select distinct deal_key, deal_stage, canonical_stage, entered_at, source_system
    from {{ ref('int_deal_stages_unioned') }}

),

events as (

    select
        {{ tl_conformed(event_columns, {
            'account_journey_event_id': "md5('stage_change|' || transitions.account_stage_transition_id)",
            'account_key': 'transitions.account_key',
            'event_at': 'transitions.entered_at',
            'event_kind': "'stage_change'",
            'event_kind_order': '0',
            'stage_entered': 'transitions.stage',
            'stage_rank': 'transitions.stage_rank',
            'previous_stage': 'transitions.previous_stage',
            'evidence': 'transitions.evidence',
            'evidence_detail': 'transitions.evidence_detail',
            'person_id': 'transitions.person_id',
            'opportunity_id': 'transitions.opportunity_id',
            'is_sales_touch': 'false',
            'event_source_system': 'transitions.evidence_source_system',
        }) }}

    from transitions

    union all

    select
        {{ tl_conformed(event_columns, {
            'account_journey_event_id': "md5('deal_stage|' || deal_stages.deal_key || '|' || deal_stages.deal_stage || '|' || cast(deal_stages.entered_at as " ~ dbt.type_string() ~ "))",
            'account_key': 'deals.account_key',
            'event_at': 'deal_stages.entered_at',
            'event_kind': "'deal_stage'",
            'event_kind_order': '1',
            'opportunity_id': 'deals.opportunity_id',
            'deal_stage': 'deal_stages.deal_stage',
            'deal_canonical_stage': 'deal_stages.canonical_stage',
            'owner_id': 'deals.owner_id',
            'is_sales_touch': 'false',
            'event_source_system': 'deal_stages.source_system',
        }) }}

    from deal_stages
    inner join deals
        on deals.deal_key = deal_stages.deal_key

    union all

    select
        {{ tl_conformed(event_columns, {
            'account_journey_event_id': "md5('touchpoint|' || touchpoint_id)",
            'account_key': 'account_key',
            'event_at': 'occurred_at',
            'event_kind': "'touchpoint'",
            'event_kind_order': '2',
            'person_id': 'person_id',
            'opportunity_id': 'deal_id',
            'team': 'team',
            'channel': 'channel',
            'touch_type': 'touch_type',
            'campaign_id': 'campaign_id',
            'campaign_key': 'campaign_key',
            'touchpoint_id': 'touchpoint_id',
            'owner_id': 'owner_id',
            'is_sales_touch': 'is_sales_touch',
            'event_source_system': 'source_system',
        }) }}

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
