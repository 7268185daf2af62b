-- One campaign, one channel, everywhere: in the daily channel table every ad or CRM
-- campaign sits in one channel on every day, so its spend and the credit its touches
-- earn land on one row per day and model; and every touch of a campaign is in the
-- channel the campaign dimension gives it. Each failing row names what disagrees.
{{ config(meta={'dagster': {'ref': {'name': 'fct_channel_performance_daily'}}}) }}

with

performance as (

    select * from {{ ref('fct_channel_performance_daily') }}
    where campaign_key is not null

),

campaign_channels as (

    select
        campaign_key,
        'campaign in ' || cast(count(distinct channel) as {{ dbt.type_string() }})
            || ' channels in fct_channel_performance_daily: ' || string_agg(distinct channel, ', ') as problem
    from performance
    group by campaign_key
    having count(distinct channel) > 1

),

split_rows as (

    select
        campaign_key,
        'campaign on ' || cast(count(*) as {{ dbt.type_string() }}) || ' rows on ' || cast(date_day as {{ dbt.type_string() }})
            || ' for ' || attribution_model as problem
    from performance
    group by campaign_key, date_day, attribution_model
    having count(*) > 1

),

touch_channels as (

    select distinct
        touchpoints.campaign_key,
        'touch in ' || touchpoints.channel || ', campaign in ' || campaigns.channel as problem
    from {{ ref('fct_touchpoints') }} as touchpoints
    inner join {{ ref('dim_campaigns') }} as campaigns
        on campaigns.campaign_key = touchpoints.campaign_key
    where touchpoints.channel <> campaigns.channel

),

final as (

    select * from campaign_channels
    union all
    select * from split_rows
    union all
    select * from touch_channels

)

select * from final
