-- Reads several models; Dagster reports it as a check of fct_stage_transitions.
{{ config(meta={'dagster': {'ref': {'name': 'fct_stage_transitions'}}}) }}

-- For people who never went back (no stage change down the funnel, other than a
-- lost deal), the stages they first entered follow the funnel: ordered by time,
-- the stage rank never decreases
-- (visitor < known < lead < mql < sql < opportunity < closed_lost < customer).
with

never_went_back as (

    select person_id
    from {{ ref('int_stage_transitions_derived') }}
    group by person_id
    having not bool_or(is_recycled)

),

ordered as (

    select
        transitions.person_id,
        transitions.stage,
        transitions.stage_rank,
        transitions.entered_at,
        lag(transitions.stage_rank) over (
            partition by transitions.person_id order by transitions.entered_at, transitions.stage_rank
        ) as previous_rank,
        lag(transitions.entered_at) over (
            partition by transitions.person_id order by transitions.entered_at, transitions.stage_rank
        ) as previous_entered_at

    from {{ ref('fct_stage_transitions') }} as transitions
    inner join never_went_back
        on never_went_back.person_id = transitions.person_id

)

select *
from ordered
where previous_rank > stage_rank
