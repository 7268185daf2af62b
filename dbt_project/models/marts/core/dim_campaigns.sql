-- Ad platform campaigns (from the campaign list and from any campaign that has
-- spend; their channel comes from int_ad_campaigns, the one place it is decided) and
-- CRM campaigns (from campaign membership), keyed by campaign_key.
with

ad_campaigns as (

    select * from {{ ref('int_ad_campaigns') }}

),

ad_performance as (

    select
        platform,
        campaign_id,
        min(date_day) as first_active_date,
        max(date_day) as last_active_date,
        count(distinct currency_code) as currency_count,
        min(currency_code) as currency_code,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(conversions) as conversions

    from {{ ref('stg_ads__ad_performance_daily') }}
    group by platform, campaign_id

),

crm_campaigns as (

    select
        source_system,
        campaign_id,
        max(campaign_name) as campaign_name,
        max(campaign_type) as campaign_type,
        count(*) as member_count,
        count(*) filter (where has_responded) as responded_count,
        min(cast(responded_at as date)) as first_active_date,
        max(cast(responded_at as date)) as last_active_date

    from {{ ref('int_campaign_members_unioned') }}
    group by source_system, campaign_id

),

ads as (

    select
        ad_campaigns.campaign_key,
        ad_campaigns.campaign_id,
        'ads' as campaign_source,
        ad_campaigns.platform,
        ad_campaigns.campaign_name,
        cast(null as {{ dbt.type_string() }}) as campaign_type,
        ad_campaigns.channel,
        ad_campaigns.utm_source,
        ad_campaigns.utm_medium,
        ad_campaigns.utm_campaign,
        performance.first_active_date,
        performance.last_active_date,
        -- Spend in several currencies does not add up: left null, see the daily table.
        case when performance.currency_count <= 1 then performance.currency_code end as currency_code,
        case when performance.currency_count <= 1
            then cast(coalesce(performance.spend, 0) as decimal(18, 4))
        end as spend,
        cast(coalesce(performance.impressions, 0) as bigint) as impressions,
        cast(coalesce(performance.clicks, 0) as bigint) as clicks,
        cast(coalesce(performance.conversions, 0) as double) as conversions,
        cast(0 as bigint) as member_count,
        cast(0 as bigint) as responded_count

    from ad_campaigns
    left join ad_performance as performance
        on performance.platform = ad_campaigns.platform
        and performance.campaign_id = ad_campaigns.campaign_id

),

crm as (

    select
        source_system || ':' || campaign_id as campaign_key,
        campaign_id,
        source_system as campaign_source,
        cast(null as {{ dbt.type_string() }}) as platform,
        campaign_name,
        campaign_type,
        {{ tl_campaign_type_channel('campaign_type') }} as channel,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        first_active_date,
        last_active_date,
        cast(null as {{ dbt.type_string() }}) as currency_code,
        cast(null as decimal(18, 4)) as spend,
        cast(0 as bigint) as impressions,
        cast(0 as bigint) as clicks,
        cast(0 as double) as conversions,
        member_count,
        responded_count

    from crm_campaigns

),

final as (

    select * from ads
    union all
    select * from crm

)

select * from final
