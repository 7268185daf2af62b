-- One row per person and funnel stage entered (first entry): did the person go on to
-- the next funnel stage, when, and how many days later. "Reached the next stage"
-- means any later stage change, at or after this entry, into that stage or one
-- beyond it (people skip stages: a lead whose deal opens reached MQL's successors
-- without MQL; closed_lost counts as beyond opportunity, not as customer).
-- Next stages: visitor > known > lead > mql > sql > opportunity > customer;
-- customer and closed_lost have none (macros/funnel.sql, shared with the account grain).
with

transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

stage_changes as (

    select person_id, event_at, event_seq, stage, {{ tl_stage_rank('stage') }} as stage_rank
    from {{ ref('customer_journey') }}
    where event_kind = 'stage_change'

),

people as (

    select * from {{ ref('int_people_segmented') }}

),

entries as (

    select
        transitions.*,
        {{ tl_next_stage('transitions.stage') }} as next_stage

    from transitions

),

reached as (

    {{ tl_stage_conversions_reached('entries', 'stage_changes', 'person_id') }}

),

final as (

    select
        md5(entries.person_id || '|' || entries.stage) as stage_conversion_id,
        entries.person_id,
        entries.account_id,
        coalesce(people.segment, 'unknown') as segment,
        coalesce(people.lead_source_channel, 'unknown') as lead_source_channel,
        coalesce(people.lead_source_detail, 'unknown') as lead_source_detail,
        entries.stage,
        entries.stage_rank,
        entries.entered_at,
        cast(entries.entered_at as date) as entered_date,
        entries.next_stage,
        reached.reached_next_at is not null as has_reached_next,
        reached.reached_next_at,
        reached.reached_next_stage,
        {{ tl_seconds_between('entries.entered_at', 'reached.reached_next_at') }} / 86400.0 as days_to_next

    from entries
    left join reached
        on reached.person_id = entries.person_id
        and reached.stage = entries.stage
    left join people
        on people.person_id = entries.person_id

)

select * from final
