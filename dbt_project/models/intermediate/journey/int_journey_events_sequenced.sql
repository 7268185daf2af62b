-- The journey of every live person on one timeline: their touchpoints and their
-- stage changes, numbered 1..n in time order. At the same instant a stage change
-- comes before a touchpoint (the touch that made a visitor known is a touch of a
-- known person), stage changes in funnel order, then touchpoints by id. Each
-- event carries the person's stage after it. Deleted people, deleted records and
-- touchpoints without a person are left out.
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
        md5('touchpoint|' || touchpoint_id) as journey_event_id,
        person_id,
        account_id,
        account_source_system,
        occurred_at as event_at,
        'touchpoint' as event_kind,
        1 as event_kind_order,
        cast(null as {{ dbt.type_string() }}) as stage_entered,
        cast(null as integer) as stage_rank,
        cast(null as {{ dbt.type_string() }}) as previous_stage,
        cast(null as {{ dbt.type_string() }}) as evidence,
        cast(null as {{ dbt.type_string() }}) as evidence_detail,
        false as is_inferred,
        cast(null as timestamp with time zone) as reported_entered_at,
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

    from touchpoints

    union all

    select
        md5('stage_change|' || stage_changes.stage_transition_id),
        stage_changes.person_id,
        people.account_id,
        people.account_source_system,
        stage_changes.entered_at,
        'stage_change',
        0,
        stage_changes.stage,
        stage_changes.stage_rank,
        stage_changes.previous_stage,
        stage_changes.evidence,
        stage_changes.evidence_detail,
        stage_changes.is_inferred,
        stage_changes.reported_entered_at,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        false,
        stage_changes.source_system

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
