with

transitions as (

    select * from {{ ref('int_stage_transitions_derived') }}

),

people as (

    select person_id, account_id from {{ ref('int_people') }}
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
