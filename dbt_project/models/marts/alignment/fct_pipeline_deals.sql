-- The contract columns of int_opportunities_segmented, where the rules live.
with

deals as (

    select * from {{ ref('int_opportunities_segmented') }}

),

final as (

    select
        deal_key,
        opportunity_id,
        source_system,
        opportunity_name,
        account_id,
        person_id,
        owner_id,
        segment,
        region,
        industry,
        lead_source_channel,
        lead_source_detail,
        first_touch_channel,
        sourced_by,
        is_marketing_influenced,
        marketing_touches_in_cycle,
        sourcing,
        created_at,
        closed_at,
        is_closed,
        is_won,
        outcome,
        lost_reason,
        cycle_days,
        amount,
        currency_code,
        reporting_currency_code,
        pipeline_amount,
        won_amount

    from deals

)

select * from final
