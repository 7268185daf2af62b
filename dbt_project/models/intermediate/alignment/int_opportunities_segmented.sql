-- One row per live deal, ready to add up (the logic behind fct_pipeline_deals, which
-- the alignment marts build on): its amount in the reporting currency, the
-- account's segment, region and industry, the channel of the buying group's first
-- touch, and who sourced it:
--   marketing_sourced     int_opportunities_sourced.sourced_by = 'marketing';
--   marketing_influenced  sourced by sales, but the buying group had a marketing touch
--                         from var('attribution_lookback_days') before the deal was
--                         created until it closed (or until now, while open);
--   sales_sourced         neither.
-- The three are exclusive and add up to all pipeline.
{%- set lookback_days = var('attribution_lookback_days') | int %}

with

opportunities as (

    select * from {{ ref('int_opportunities_sourced') }}

),

converted as (

    select * from {{ ref('int_opportunities_converted') }}

),

accounts as (

    select * from {{ ref('int_accounts_segmented') }}

),

people as (

    select * from {{ ref('int_people_segmented') }}

),

deal_touches as (

    select * from {{ ref('int_deal_touches_matched') }}

),

-- The channel the first-touch model credits with the deal's creation (as in
-- fct_attribution_credit): the first touch of its opportunity path.
opportunity_first_touches as (

    select conversions.deal_key, paths.channel as first_touch_channel
    from {{ ref('int_attribution_paths') }} as paths
    inner join {{ ref('int_attribution_conversions') }} as conversions
        on conversions.conversion_id = paths.conversion_id
    where paths.conversion_type = 'opportunity' and paths.is_first_touch

),

marketing_in_cycle as (

    select
        deal_touches.deal_key,
        count(*) as marketing_touches_in_cycle

    from deal_touches
    inner join converted
        on converted.deal_key = deal_touches.deal_key
    where deal_touches.team = 'marketing'
        and deal_touches.occurred_at >= converted.created_at - interval '{{ lookback_days }} days'
    group by deal_touches.deal_key

),

final as (

    select
        converted.deal_key,
        opportunities.opportunity_id,
        opportunities.source_system,
        opportunities.opportunity_name,
        opportunities.account_id,
        opportunities.person_id,
        opportunities.owner_id,
        coalesce(accounts.segment, people.segment, 'unknown') as segment,
        coalesce(accounts.region, people.region, 'unknown') as region,
        coalesce(accounts.industry, people.industry, 'unknown') as industry,
        coalesce(opportunities.lead_source_channel, 'unknown') as lead_source_channel,
        coalesce(opportunities.lead_source_detail, 'unknown') as lead_source_detail,
        coalesce(opportunity_first_touches.first_touch_channel, {{ tl_no_touch_channel() }}) as first_touch_channel,
        opportunities.sourced_by,
        coalesce(marketing_in_cycle.marketing_touches_in_cycle, 0) > 0 as is_marketing_influenced,
        cast(coalesce(marketing_in_cycle.marketing_touches_in_cycle, 0) as bigint) as marketing_touches_in_cycle,
        case
            when opportunities.sourced_by = 'marketing' then 'marketing_sourced'
            when coalesce(marketing_in_cycle.marketing_touches_in_cycle, 0) > 0 then 'marketing_influenced'
            else 'sales_sourced'
        end as sourcing,
        opportunities.created_at,
        opportunities.closed_at,
        opportunities.is_closed,
        opportunities.is_won,
        case
            when opportunities.is_won then 'won'
            when opportunities.is_closed then 'lost'
            else 'open'
        end as outcome,
        opportunities.lost_reason,
        round({{ tl_seconds_between('opportunities.cycle_started_at', 'opportunities.closed_at') }} / 86400.0, 2)
            as cycle_days,
        opportunities.amount,
        converted.currency_code,
        '{{ var("reporting_currency_code") | upper }}' as reporting_currency_code,
        converted.pipeline_amount,
        converted.won_amount

    from opportunities
    inner join converted
        on converted.opportunity_id = opportunities.opportunity_id
        and converted.source_system = opportunities.source_system
    left join accounts
        on accounts.account_key = converted.account_key
    left join people
        on people.person_id = opportunities.person_id
    left join opportunity_first_touches
        on opportunity_first_touches.deal_key = converted.deal_key
    left join marketing_in_cycle
        on marketing_in_cycle.deal_key = converted.deal_key

)

select * from final
