-- One row per MQL (every entry into mql, so a lead recycled to nurture and qualified
-- again has a row per qualification): the hand-off from marketing to sales.
--   response       the first sales touch (call, meeting, outbound e-mail) at or after
--                  the MQL, inside the response window: var('dropped_lead_days') days,
--                  cut short by the person's next MQL entry;
--   response time  in calendar hours and in business hours (seeds business_hours and
--                  business_holidays, local time in var('business_timezone'));
--   SLA            var('lead_response_sla_hours') on var('lead_response_sla_basis');
--   status         responded_within_sla | responded_late | overdue (no response yet,
--                  SLA passed) | awaiting_response (no response yet, SLA not passed) |
--                  dropped (the whole window passed without a sales touch). A dropped
--                  MQL is breached and never responded; a later touch is reported as
--                  sales_touch_after_drop_at, not as a response;
--   sales outcome  accepted (reached sql or beyond after the MQL, before the next MQL
--                  entry), rejected (recycled below MQL without that), or pending;
--   recycled       went back below MQL (nurture) before the next MQL entry, and
--                  whether they came back (a later stage change to mql or beyond).
-- "Now" is tl_as_of_at(): var('as_of_at'), else the last journey event.
{%- set sla_hours = var('lead_response_sla_hours') %}
{%- set sla_basis = var('lead_response_sla_basis') %}
{%- set dropped_days = var('dropped_lead_days') | int %}
{%- if sla_basis not in ['business', 'calendar'] %}
    {{ exceptions.raise_compiler_error("var lead_response_sla_basis must be 'business' or 'calendar', got '" ~ sla_basis ~ "'") }}
{%- endif %}

with

stage_changes as (

    select
        person_id,
        event_at,
        event_seq,
        stage,
        {{ tl_stage_rank('stage') }} as stage_rank

    from {{ ref('customer_journey') }}
    where event_kind = 'stage_change'

),

sales_touches as (

    select person_id, occurred_at, owner_id, touchpoint_id
    from {{ ref('fct_touchpoints') }}
    where is_sales_touch and person_id is not null

),

people as (

    select * from {{ ref('int_people_segmented') }}

),

bands as (

    select * from {{ ref('lead_response_bands') }}

),

as_of as (

    select {{ tl_as_of_at() }} as as_of_at

),

mql_entries as (

    select
        person_id,
        event_at as mql_at,
        event_seq as mql_seq,
        row_number() over (partition by person_id order by event_seq) as mql_entry_number,
        lead(event_at) over (partition by person_id order by event_seq) as next_mql_at,
        lead(event_seq) over (partition by person_id order by event_seq) as next_mql_seq

    from stage_changes
    where stage = 'mql'

),

windows as (

    select
        mql_entries.*,
        least(
            mql_entries.mql_at + interval '{{ dropped_days }} days',
            coalesce(mql_entries.next_mql_at, cast('infinity' as timestamp with time zone))
        ) as window_end_at

    from mql_entries

),

responses as (

    select
        windows.person_id,
        windows.mql_seq,
        min(sales_touches.occurred_at) filter (where sales_touches.occurred_at < windows.window_end_at)
            as first_sales_touch_at,
        arg_min(sales_touches.owner_id, sales_touches.occurred_at)
            filter (where sales_touches.occurred_at < windows.window_end_at) as responder_owner_id,
        min(sales_touches.occurred_at) filter (where sales_touches.occurred_at >= windows.window_end_at)
            as sales_touch_after_window_at

    from windows
    inner join sales_touches
        on sales_touches.person_id = windows.person_id
    where sales_touches.occurred_at >= windows.mql_at
        and (windows.next_mql_at is null or sales_touches.occurred_at < windows.next_mql_at)
    group by windows.person_id, windows.mql_seq

),

later_changes as (

    select
        windows.person_id,
        windows.mql_seq,
        min(stage_changes.event_at) filter (where stage_changes.stage_rank >= {{ tl_stage_rank("'sql'") }})
            as accepted_at,
        min(stage_changes.event_seq) filter (where stage_changes.stage_rank < {{ tl_stage_rank("'mql'") }})
            as recycled_seq

    from windows
    inner join stage_changes
        on stage_changes.person_id = windows.person_id
    where stage_changes.event_seq > windows.mql_seq
        and (windows.next_mql_seq is null or stage_changes.event_seq < windows.next_mql_seq)
    group by windows.person_id, windows.mql_seq

),

recycles as (

    select
        later_changes.person_id,
        later_changes.mql_seq,
        recycled.event_at as recycled_at,
        recycled.stage as recycled_to_stage,
        min(comeback.event_at) as came_back_at

    from later_changes
    inner join stage_changes as recycled
        on recycled.person_id = later_changes.person_id
        and recycled.event_seq = later_changes.recycled_seq
    left join stage_changes as comeback
        on comeback.person_id = later_changes.person_id
        and comeback.event_seq > later_changes.recycled_seq
        and comeback.stage_rank >= {{ tl_stage_rank("'mql'") }}
    group by later_changes.person_id, later_changes.mql_seq, recycled.event_at, recycled.stage

),

evaluated as (

    select
        windows.*,
        responses.first_sales_touch_at,
        responses.responder_owner_id,
        responses.sales_touch_after_window_at,
        as_of.as_of_at,
        -- The interval the clock runs for: to the response, else to now (at most the window).
        coalesce(responses.first_sales_touch_at, least(as_of.as_of_at, windows.window_end_at)) as clock_stopped_at

    from windows
    cross join as_of
    left join responses
        on responses.person_id = windows.person_id
        and responses.mql_seq = windows.mql_seq

),

{{ tl_business_seconds_ctes('evaluated', ['person_id', 'mql_seq'], 'mql_at', 'clock_stopped_at', 'business_seconds') }},

measured as (

    select
        evaluated.*,
        {{ tl_seconds_between('evaluated.mql_at', 'evaluated.clock_stopped_at') }} / 3600.0 as elapsed_calendar_hours,
        coalesce(business_seconds.seconds, 0) / 3600.0 as elapsed_business_hours

    from evaluated
    left join business_seconds
        on business_seconds.person_id = evaluated.person_id
        and business_seconds.mql_seq = evaluated.mql_seq

),

statused as (

    select
        measured.*,
        measured.elapsed_{{ sla_basis }}_hours as elapsed_sla_hours,
        case
            when measured.first_sales_touch_at is not null then
                case when measured.elapsed_{{ sla_basis }}_hours <= {{ sla_hours }}
                    then 'responded_within_sla' else 'responded_late' end
            when measured.as_of_at >= measured.window_end_at then 'dropped'
            when measured.elapsed_{{ sla_basis }}_hours > {{ sla_hours }} then 'overdue'
            else 'awaiting_response'
        end as handoff_status

    from measured

),

final as (

    select
        md5(statused.person_id || '|mql|' || cast(statused.mql_entry_number as {{ dbt.type_string() }}))
            as lead_handoff_id,
        statused.person_id,
        people.account_id,
        people.owner_id,
        coalesce(people.segment, 'unknown') as segment,
        coalesce(people.lead_source_channel, 'unknown') as lead_source_channel,
        coalesce(people.lead_source_detail, 'unknown') as lead_source_detail,
        statused.mql_at,
        cast(statused.mql_entry_number as bigint) as mql_entry_number,
        statused.next_mql_at,
        statused.window_end_at as response_window_end_at,
        statused.first_sales_touch_at,
        statused.responder_owner_id,
        case when statused.first_sales_touch_at is not null
            then round(statused.elapsed_calendar_hours, 2)
        end as response_hours,
        case when statused.first_sales_touch_at is not null
            then round(statused.elapsed_business_hours, 2)
        end as response_business_hours,
        round(statused.elapsed_sla_hours, 2) as elapsed_sla_hours,
        cast({{ sla_hours }} as double) as sla_hours,
        '{{ sla_basis }}' as sla_basis,
        case
            when statused.first_sales_touch_at is not null then bands.response_band
            when statused.handoff_status = 'dropped' then 'no_response'
            else 'awaiting_response'
        end as response_band,
        statused.handoff_status,
        statused.first_sales_touch_at is not null as is_responded,
        statused.handoff_status in ('responded_late', 'overdue', 'dropped') as is_sla_breached,
        statused.handoff_status = 'dropped' as is_dropped,
        case when statused.handoff_status = 'dropped' then statused.sales_touch_after_window_at end
            as sales_touch_after_drop_at,
        case
            when later_changes.accepted_at is not null then 'accepted'
            when recycles.recycled_at is not null then 'rejected'
            else 'pending'
        end as sales_outcome,
        later_changes.accepted_at,
        recycles.recycled_at is not null as is_recycled,
        recycles.recycled_at,
        recycles.recycled_to_stage,
        recycles.came_back_at is not null as has_come_back,
        recycles.came_back_at,
        statused.as_of_at

    from statused
    left join people
        on people.person_id = statused.person_id
    left join later_changes
        on later_changes.person_id = statused.person_id
        and later_changes.mql_seq = statused.mql_seq
    left join recycles
        on recycles.person_id = statused.person_id
        and recycles.mql_seq = statused.mql_seq
    left join bands
        on statused.elapsed_calendar_hours >= bands.min_hours
        and (bands.max_hours is null or statused.elapsed_calendar_hours < bands.max_hours)
        and statused.first_sales_touch_at is not null

)

select * from final
