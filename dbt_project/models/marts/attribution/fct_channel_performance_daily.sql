-- Per day, attribution model, platform, channel and campaign: what was spent (ad
-- platforms, converted to the reporting currency at the day's rate), the touchpoints,
-- and the conversions, pipeline and revenue the model credits to touches of that
-- day (a credit lands on the day of its touch; 'no_touch' credits on the day of the
-- conversion). Spend, impressions, clicks and touchpoints do not depend on the model
-- and repeat on each model's row: filter one attribution_model before adding them up.
{%- set reporting = var('reporting_currency_code') | upper %}

with

ad_performance as (

    select * from {{ ref('stg_ads__ad_performance_daily') }}

),

campaigns as (

    select campaign_key, channel, campaign_name from {{ ref('dim_campaigns') }}

),

rates as (

    select * from {{ ref('int_currency_rates_ranged') }}

),

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

credits as (

    select * from {{ ref('fct_attribution_credit') }}

),

models as (

    {%- for model in tl_attribution_models() %}
    select '{{ model }}' as attribution_model {{ 'union all' if not loop.last }}
    {%- endfor %}

),

spend as (

    select
        ad_performance.date_day,
        ad_performance.platform,
        coalesce(campaigns.channel, 'display') as channel,
        'ads:' || ad_performance.platform || ':' || ad_performance.campaign_id as campaign_key,
        sum(ad_performance.spend * rates.rate_to_reporting) as spend,
        sum(ad_performance.impressions) as impressions,
        sum(ad_performance.clicks) as clicks

    from ad_performance
    left join campaigns
        on campaigns.campaign_key = 'ads:' || ad_performance.platform || ':' || ad_performance.campaign_id
    left join rates
        on rates.currency_code = coalesce(ad_performance.currency_code, upper('{{ var("default_currency_code") }}'))
        and ad_performance.date_day >= rates.valid_from
        and ad_performance.date_day < rates.valid_to
    group by all

),

touch_counts as (

    select
        cast(occurred_at as date) as date_day,
        case
            when campaign_key like 'ads:%' then split_part(campaign_key, ':', 2)
            when campaign_key is not null then split_part(campaign_key, ':', 1)
        end as platform,
        channel,
        campaign_key,
        count(*) as touchpoints

    from touchpoints
    group by all

),

credited as (

    select
        credit_date as date_day,
        attribution_model,
        platform,
        channel,
        campaign_key,
        {%- for t in ['lead', 'mql', 'sql', 'opportunity', 'closed_won'] %}
        sum(credit) filter (where conversion_type = '{{ t }}') as {{ t }}_credit,
        {%- endfor %}
        sum(pipeline_credit) as pipeline_amount,
        sum(revenue_credit) as won_revenue

    from credits
    group by all

),

facts as (

    select
        spend.date_day, models.attribution_model, spend.platform, spend.channel, spend.campaign_key,
        spend.spend, spend.impressions, spend.clicks, null as touchpoints,
        null as lead_credit, null as mql_credit, null as sql_credit, null as opportunity_credit,
        null as closed_won_credit, null as pipeline_amount, null as won_revenue
    from spend
    cross join models

    union all

    select
        touch_counts.date_day, models.attribution_model, touch_counts.platform, touch_counts.channel,
        touch_counts.campaign_key,
        null, null, null, touch_counts.touchpoints,
        null, null, null, null, null, null, null
    from touch_counts
    cross join models

    union all

    select
        date_day, attribution_model, platform, channel, campaign_key,
        null, null, null, null,
        lead_credit, mql_credit, sql_credit, opportunity_credit, closed_won_credit, pipeline_amount, won_revenue
    from credited

),

aggregated as (

    select
        date_day,
        attribution_model,
        platform,
        channel,
        campaign_key,
        cast(coalesce(sum(spend), 0) as decimal(18, 4)) as spend,
        cast(coalesce(sum(impressions), 0) as bigint) as impressions,
        cast(coalesce(sum(clicks), 0) as bigint) as clicks,
        cast(coalesce(sum(touchpoints), 0) as bigint) as touchpoints,
        cast(coalesce(sum(lead_credit), 0) as double) as leads,
        cast(coalesce(sum(mql_credit), 0) as double) as mqls,
        cast(coalesce(sum(sql_credit), 0) as double) as sqls,
        cast(coalesce(sum(opportunity_credit), 0) as double) as opportunities,
        cast(coalesce(sum(pipeline_amount), 0) as decimal(18, 4)) as pipeline_amount,
        cast(coalesce(sum(closed_won_credit), 0) as double) as customers,
        cast(coalesce(sum(won_revenue), 0) as decimal(18, 4)) as won_revenue

    from facts
    group by date_day, attribution_model, platform, channel, campaign_key

),

final as (

    select
        md5(
            cast(aggregated.date_day as {{ dbt.type_string() }}) || '|' || aggregated.attribution_model || '|'
            || coalesce(aggregated.platform, '') || '|' || aggregated.channel || '|'
            || coalesce(aggregated.campaign_key, '')
        ) as channel_performance_id,
        aggregated.date_day,
        aggregated.attribution_model,
        aggregated.platform,
        aggregated.channel,
        aggregated.campaign_key,
        campaigns.campaign_name,
        '{{ reporting }}' as reporting_currency_code,
        aggregated.spend,
        aggregated.impressions,
        aggregated.clicks,
        aggregated.touchpoints,
        aggregated.leads,
        aggregated.mqls,
        aggregated.sqls,
        aggregated.opportunities,
        aggregated.pipeline_amount,
        aggregated.customers,
        aggregated.won_revenue,
        case when aggregated.customers > 0
            then cast(aggregated.spend as double) / aggregated.customers
        end as cac,
        case when aggregated.spend > 0
            then cast(aggregated.won_revenue as double) / cast(aggregated.spend as double)
        end as roas

    from aggregated
    left join campaigns
        on campaigns.campaign_key = aggregated.campaign_key

)

select * from final
