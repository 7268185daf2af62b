with

people as (

    select * from {{ ref('int_people') }}
    where not is_deleted

),

journey_events as (

    select * from {{ ref('int_journey_events_sequenced') }}

),

first_entries as (

    select * from {{ ref('fct_stage_transitions') }}

),

stage_dates as (

    select
        person_id,
        {%- for stage in tl_stages() %}
        min(entered_at) filter (where stage = '{{ stage }}') as {{ stage }}_at,
        {%- endfor %}
        cast(sum(times_entered - 1) as bigint) as stage_reentries,
        bool_or(is_inferred) as has_inferred_stage_dates

    from first_entries
    group by person_id

),

current_stages as (

    select person_id, stage as current_stage, event_at as last_event_at
    from journey_events
    qualify row_number() over (partition by person_id order by event_seq desc) = 1

),

first_touches as (

    select
        person_id,
        channel as first_touch_channel,
        channel_detail as first_touch_detail,
        event_at as first_touch_at
    from journey_events
    where event_kind = 'touchpoint'
    qualify row_number() over (partition by person_id order by event_seq) = 1

),

first_sales_touches as (

    select person_id, event_at as first_sales_touch_at, event_seq as first_sales_touch_seq
    from journey_events
    where event_kind = 'touchpoint' and is_sales_touch
    qualify row_number() over (partition by person_id order by event_seq) = 1

),

touch_counts as (

    select
        journey_events.person_id,
        count(*) filter (where journey_events.team = 'marketing') as marketing_touches,
        count(*) filter (where journey_events.is_sales_touch) as sales_touches,
        count(*) filter (
            where journey_events.event_seq < first_sales_touches.first_sales_touch_seq
        ) as touches_before_first_sales_touch

    from journey_events
    left join first_sales_touches
        on first_sales_touches.person_id = journey_events.person_id
    where journey_events.event_kind = 'touchpoint'
    group by journey_events.person_id

),

-- Lead response: from the first MQL to the first sales touch at or after it.
responses as (

    select
        stage_dates.person_id,
        min(journey_events.event_at) as first_sales_touch_after_mql_at

    from stage_dates
    inner join journey_events
        on journey_events.person_id = stage_dates.person_id
        and journey_events.event_kind = 'touchpoint'
        and journey_events.is_sales_touch
        and journey_events.event_at >= stage_dates.mql_at
    group by stage_dates.person_id

),

final as (

    select
        people.person_id,
        people.account_id,
        people.email,
        {%- for stage in ['visitor', 'known', 'lead', 'mql', 'sql', 'opportunity', 'customer', 'closed_lost'] %}
        stage_dates.{{ stage }}_at,
        {%- endfor %}
        current_stages.current_stage,
        first_touches.first_touch_channel,
        first_touches.first_touch_detail,
        first_touches.first_touch_at,
        people.lead_source_channel,
        people.lead_source_detail,
        coalesce(touch_counts.marketing_touches, 0) as marketing_touches,
        coalesce(touch_counts.sales_touches, 0) as sales_touches,
        first_sales_touches.first_sales_touch_at,
        case when first_sales_touches.first_sales_touch_at is not null
            then coalesce(touch_counts.touches_before_first_sales_touch, 0)
        end as touches_before_first_sales_touch,
        responses.first_sales_touch_after_mql_at,
        round(
            {{ dbt.datediff('stage_dates.mql_at', 'responses.first_sales_touch_after_mql_at', 'second') }} / 3600.0,
            2
        ) as lead_response_hours,
        stage_dates.mql_at is not null and responses.first_sales_touch_after_mql_at is null
            as is_mql_without_sales_touch,
        coalesce(stage_dates.stage_reentries, 0) as stage_reentries,
        coalesce(stage_dates.has_inferred_stage_dates, false) as has_inferred_stage_dates,
        current_stages.last_event_at

    from people
    left join stage_dates
        on stage_dates.person_id = people.person_id
    left join current_stages
        on current_stages.person_id = people.person_id
    left join first_touches
        on first_touches.person_id = people.person_id
    left join first_sales_touches
        on first_sales_touches.person_id = people.person_id
    left join touch_counts
        on touch_counts.person_id = people.person_id
    left join responses
        on responses.person_id = people.person_id

)

select * from final
