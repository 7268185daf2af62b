-- Per period (ISO week, calendar month), account segment and sourcing
-- (marketing_sourced, marketing_influenced, sales_sourced; see fct_pipeline_deals):
-- the deals created and their pipeline in the period, and the deals won and lost and
-- the revenue won in the period (by close date), in the reporting currency. The three
-- sourcing rows of a period and segment add up to all its pipeline and revenue.
with

deals as (

    select * from {{ ref('int_opportunities_segmented') }}

),

periods as (

    select 'week' as period_type
    union all
    select 'month'

),

events as (

    select
        periods.period_type,
        cast(date_trunc(periods.period_type, deals.created_at) as date) as period_start,
        deals.segment,
        deals.sourcing,
        1 as opportunities_created,
        deals.pipeline_amount,
        0 as deals_won,
        0 as deals_lost,
        cast(null as decimal(18, 4)) as won_revenue

    from deals
    cross join periods
    where deals.created_at is not null

    union all

    select
        periods.period_type,
        cast(date_trunc(periods.period_type, deals.closed_at) as date),
        deals.segment,
        deals.sourcing,
        0,
        null,
        case when deals.is_won then 1 else 0 end,
        case when not deals.is_won then 1 else 0 end,
        deals.won_amount

    from deals
    cross join periods
    where deals.is_closed and deals.closed_at is not null

),

final as (

    select
        md5(period_type || '|' || cast(period_start as {{ dbt.type_string() }}) || '|' || segment || '|' || sourcing)
            as pipeline_sourcing_id,
        period_type,
        period_start,
        segment,
        sourcing,
        '{{ var("reporting_currency_code") | upper }}' as reporting_currency_code,
        cast(sum(opportunities_created) as bigint) as opportunities_created,
        cast(coalesce(sum(pipeline_amount), 0) as decimal(18, 4)) as pipeline_amount,
        cast(sum(deals_won) as bigint) as deals_won,
        cast(sum(deals_lost) as bigint) as deals_lost,
        cast(coalesce(sum(won_revenue), 0) as decimal(18, 4)) as won_revenue

    from events
    group by period_type, period_start, segment, sourcing

)

select * from final
