-- The contract columns of int_opportunities_sourced, where the rules live.
with

opportunities as (

    select * from {{ ref('int_opportunities_sourced') }}

),

final as (

    select
        opportunity_id,
        source_system,
        opportunity_name,
        account_id,
        person_id,
        owner_id,
        pipeline,
        deal_stage,
        canonical_stage,
        created_at,
        closed_at,
        expected_close_at,
        is_closed,
        is_won,
        amount,
        currency,
        currency_code,
        cycle_started_at,
        cycle_start_basis,
        days_to_close,
        lost_reason,
        first_marketing_touch_at,
        lead_source_channel,
        lead_source_detail,
        sourced_by,
        sourced_by_reason

    from opportunities

)

select * from final
