-- The journey of every live person on one timeline: their touchpoints and their
-- stage changes, numbered 1..n in time order. At the same instant a stage change
-- comes before a touchpoint (the touch that made a visitor known is a touch of a
-- known person), stage changes in funnel order, then touchpoints by id. Each
-- event carries the person's stage after it. Deleted people, deleted records and
-- touchpoints without a person are left out.
{%- set event_columns = [
    ('journey_event_id', 'string'),
    ('person_id', 'string'),
    ('account_id', 'string'),
    ('account_source_system', 'string'),
    ('event_at', 'timestamp with time zone'),
    ('event_kind', 'string'),
    ('event_kind_order', 'integer'),
    ('stage_entered', 'string'),
    ('stage_rank', 'integer'),
    ('previous_stage', 'string'),
    ('evidence', 'string'),
    ('evidence_detail', 'string'),
    ('is_inferred', 'boolean'),
    ('reported_entered_at', 'timestamp with time zone'),
    ('team', 'string'),
    ('channel', 'string'),
    ('channel_detail', 'string'),
    ('touch_type', 'string'),
    ('campaign_id', 'string'),
    ('campaign_key', 'string'),
    ('utm_source', 'string'),
    ('utm_medium', 'string'),
    ('utm_campaign', 'string'),
    ('touchpoint_id', 'string'),
    ('owner_id', 'string'),
    ('is_sales_touch', 'boolean'),
    ('source_system', 'string'),
] %}

with

people as (

    select person_id, account_id, account_source_system
    from {{ ref('int_people') }}
    where not is_deleted

),

touchpoints as (

    select touchpoints.*
    from {{ ref('int_touchpoints_unioned') }} as touchpoints
    inner join people
        on people.person_id = touchpoints.person_id
    where not touchpoints.is_deleted
        and touchpoints.occurred_at is not null

),

stage_changes as (

    select transitions.*
    from {{ ref('int_stage_transitions_derived') }} as transitions
    inner join people
        on people.person_id = transitions.person_id

),

events as (

    select
        {{ tl_conformed(event_columns, {
            'journey_event_id': "md5('touchpoint|' || touchpoints.touchpoint_id)",
            'person_id': 'touchpoints.person_id',
            'account_id': 'touchpoints.account_id',
            'account_source_system': 'touchpoints.account_source_system',
            'event_at': 'touchpoints.occurred_at',
            'event_kind': "'touchpoint'",
            'event_kind_order': '1',
            'is_inferred': 'false',
            'team': 'touchpoints.team',
            'channel': 'touchpoints.channel',
            'channel_detail': 'touchpoints.channel_detail',
            'touch_type': 'touchpoints.touch_type',
            'campaign_id': 'touchpoints.campaign_id',
            'campaign_key': 'touchpoints.campaign_key',
            'utm_source': 'touchpoints.utm_source',
            'utm_medium': 'touchpoints.utm_medium',
            'utm_campaign': 'touchpoints.utm_campaign',
            'touchpoint_id': 'touchpoints.touchpoint_id',
            'owner_id': 'touchpoints.owner_id',
            'is_sales_touch': 'touchpoints.is_sales_touch',
            'source_system': 'touchpoints.source_system',
        }) }}

    from touchpoints

    union all

    select
        {{ tl_conformed(event_columns, {
            'journey_event_id': "md5('stage_change|' || stage_changes.stage_transition_id)",
            'person_id': 'stage_changes.person_id',
            'account_id': 'people.account_id',
            'account_source_system': 'people.account_source_system',
            'event_at': 'stage_changes.entered_at',
            'event_kind': "'stage_change'",
            'event_kind_order': '0',
            'stage_entered': 'stage_changes.stage',
            'stage_rank': 'stage_changes.stage_rank',
            'previous_stage': 'stage_changes.previous_stage',
            'evidence': 'stage_changes.evidence',
            'evidence_detail': 'stage_changes.evidence_detail',
            'is_inferred': 'stage_changes.is_inferred',
            'reported_entered_at': 'stage_changes.reported_entered_at',
            'is_sales_touch': 'false',
            'source_system': 'stage_changes.source_system',
        }) }}

    from stage_changes
    inner join people
        on people.person_id = stage_changes.person_id

),

sequenced as (

    select
        *,
        row_number() over (
            partition by person_id
            order by event_at, event_kind_order, stage_rank, journey_event_id
        ) as event_seq

    from events

),

final as (

    select
        journey_event_id,
        person_id,
        account_id,
        account_source_system,
        event_at,
        event_seq,
        event_kind,
        last_value(stage_entered ignore nulls) over (
            partition by person_id order by event_seq rows between unbounded preceding and current row
        ) as stage,
        previous_stage,
        evidence,
        evidence_detail,
        is_inferred,
        reported_entered_at,
        team,
        channel,
        channel_detail,
        touch_type,
        campaign_id,
        campaign_key,
        utm_source,
        utm_medium,
        utm_campaign,
        touchpoint_id,
        owner_id,
        is_sales_touch,
        source_system

    from sequenced

)

select * from final
