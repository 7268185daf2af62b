-- Reads several models; Dagster reports it as a check of customer_journey.
{{ config(meta={'dagster': {'ref': {'name': 'customer_journey'}}}) }}

-- The journey and the transitions fact agree: each person's first entry into a
-- stage in customer_journey is the entered_at of fct_stage_transitions, and the
-- stage after a stage change is the stage entered.
with

first_entries as (

    select person_id, stage, min(event_at) as entered_at
    from {{ ref('customer_journey') }}
    where event_kind = 'stage_change'
    group by person_id, stage

)

select
    coalesce(first_entries.person_id, transitions.person_id) as person_id,
    coalesce(first_entries.stage, transitions.stage) as stage,
    first_entries.entered_at as journey_entered_at,
    transitions.entered_at as fct_entered_at
from first_entries
full outer join {{ ref('fct_stage_transitions') }} as transitions
    on transitions.person_id = first_entries.person_id
    and transitions.stage = first_entries.stage
where first_entries.entered_at is distinct from transitions.entered_at
