-- Per breakdown and value, over all closed deals and per quarter of their close:
-- closed, won and lost deals, win rate, won revenue and deal size, and sales cycle
-- length (fct_pipeline_deals). Breakdowns: overall, segment, region, industry,
-- channel (first touch of the deal's buying group), source (the channel of the CRM's
-- lead source of the deal's person), source_detail (that lead source as the CRM
-- wrote it), sourcing (marketing_sourced / marketing_influenced / sales_sourced)
-- and owner (the deal owner). Rows with period_type 'all_time' have no period_start.
{%- set breakdowns = [
    ('overall', "'all'"), ('segment', 'segment'), ('region', 'region'), ('industry', 'industry'),
    ('channel', 'first_touch_channel'), ('source', 'lead_source_channel'),
    ('source_detail', 'lead_source_detail'), ('sourcing', 'sourcing'),
    ('owner', "coalesce(owner_id, 'unknown')"),
] %}

with

closed_deals as (

    select * from {{ ref('int_opportunities_segmented') }}
    where is_closed

),

periods as (

    select 'all_time' as period_type, cast(null as date) as period_start, closed_deals.*
    from closed_deals

    union all

    select 'quarter', cast(date_trunc('quarter', closed_at) as date), closed_deals.*
    from closed_deals
    where closed_at is not null

),

broken_down as (

    {%- for breakdown, expr in breakdowns %}
    select '{{ breakdown }}' as breakdown, cast({{ expr }} as {{ dbt.type_string() }}) as breakdown_value, periods.*
    from periods
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

top_lost_reasons as (

    select period_type, period_start, breakdown, breakdown_value, lost_reason as top_lost_reason
    from broken_down
    where not is_won and lost_reason is not null
    group by period_type, period_start, breakdown, breakdown_value, lost_reason
    qualify row_number() over (
        partition by period_type, period_start, breakdown, breakdown_value order by count(*) desc, lost_reason
    ) = 1

),

aggregated as (

    select
        period_type,
        period_start,
        breakdown,
        breakdown_value,
        '{{ var("reporting_currency_code") | upper }}' as reporting_currency_code,
        cast(count(*) as bigint) as closed_deals,
        cast(count(*) filter (where is_won) as bigint) as won_deals,
        cast(count(*) filter (where not is_won) as bigint) as lost_deals,
        count(*) filter (where is_won) * 1.0 / count(*) as win_rate,
        cast(coalesce(sum(won_amount), 0) as decimal(18, 4)) as won_revenue,
        cast(avg(won_amount) as double) as avg_won_deal_size,
        cast(quantile_cont(won_amount, 0.5) as double) as median_won_deal_size,
        avg(cycle_days) filter (where is_won) as avg_won_cycle_days,
        quantile_cont(cycle_days, 0.5) filter (where is_won) as median_won_cycle_days,
        quantile_cont(cycle_days, 0.5) filter (where not is_won) as median_lost_cycle_days

    from broken_down
    group by period_type, period_start, breakdown, breakdown_value

),

final as (

    select
        md5(aggregated.period_type || '|' || coalesce(cast(aggregated.period_start as {{ dbt.type_string() }}), '')
            || '|' || aggregated.breakdown || '|' || aggregated.breakdown_value) as win_loss_id,
        aggregated.*,
        top_lost_reasons.top_lost_reason

    from aggregated
    left join top_lost_reasons
        on top_lost_reasons.period_type = aggregated.period_type
        and top_lost_reasons.period_start is not distinct from aggregated.period_start
        and top_lost_reasons.breakdown = aggregated.breakdown
        and top_lost_reasons.breakdown_value = aggregated.breakdown_value

)

select * from final
