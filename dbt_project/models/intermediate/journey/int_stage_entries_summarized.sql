-- One row per live person and stage entered: the first entry (a re-entry after
-- recycling is counted in times_entered), with the person's account. The logic behind
-- fct_stage_transitions, for the models that build on stage entries.
with

transitions as (

    select * from {{ ref('int_stage_transitions_derived') }}

),

people as (

    select person_id, account_id, account_source_system, account_key from {{ ref('int_people') }}
    where not is_deleted

),

last_entries as (

    select person_id, stage, max(entered_at) as last_entered_at
    from transitions
    group by person_id, stage

),

final as (

    select
        transitions.stage_transition_id,
        transitions.person_id,
        people.account_id,
        people.account_source_system,
        people.account_key,
        transitions.stage,
        cast(transitions.stage_rank as integer) as stage_rank,
        transitions.entered_at,
        transitions.reported_entered_at,
        transitions.is_inferred,
        transitions.previous_stage,
        transitions.evidence,
        transitions.evidence_detail,
        transitions.source_system,
        transitions.times_entered,
        last_entries.last_entered_at

    from transitions
    inner join people
        on people.person_id = transitions.person_id
    inner join last_entries
        on last_entries.person_id = transitions.person_id
        and last_entries.stage = transitions.stage
    where transitions.entry_number = 1

)

select * from final
