-- The contract columns of int_stage_entries_summarized, where the rules live.
with

stage_entries as (

    select * from {{ ref('int_stage_entries_summarized') }}

),

final as (

    select
        stage_transition_id,
        person_id,
        account_id,
        stage,
        stage_rank,
        entered_at,
        reported_entered_at,
        is_inferred,
        previous_stage,
        evidence,
        evidence_detail,
        source_system,
        times_entered,
        last_entered_at

    from stage_entries

)

select * from final
