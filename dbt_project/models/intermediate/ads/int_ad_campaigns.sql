-- Every ad platform campaign once: those the campaign lists name and those that only
-- appear in the spend, with the channel its platform means (seed ad_platforms, first
-- matching row by priority). The one place a campaign's channel is decided: the
-- campaign dimension, its spend and the visits matched to it all read it here.
with

listed_campaigns as (

    select * from {{ ref('stg_ads__campaigns') }}
    -- A campaign both exported and read from the API: the API's copy, then the newest.
    qualify row_number() over (
        partition by platform, campaign_id
        order by case when ads_source = 'api' then 0 else 1 end, _loaded_at desc
    ) = 1

),

campaigns_with_spend as (

    select distinct platform, campaign_id
    from {{ ref('stg_ads__ad_performance_daily') }}

),

platforms as (

    select
        priority,
        nullif(trim(platform_regex), '') as platform_regex,
        channel,
        nullif(trim(source_regex), '') as source_regex
    from {{ ref('ad_platforms') }}

),

campaign_keys as (

    select platform, campaign_id from listed_campaigns
    union
    select platform, campaign_id from campaigns_with_spend

),

platform_channels as (

    select
        campaign_keys.platform,
        campaign_keys.campaign_id,
        platforms.channel,
        platforms.source_regex as platform_source_regex

    from campaign_keys
    inner join platforms
        on platforms.platform_regex is null
        or regexp_matches(campaign_keys.platform, platforms.platform_regex, 'i')
    qualify row_number() over (
        partition by campaign_keys.platform, campaign_keys.campaign_id order by platforms.priority
    ) = 1

),

final as (

    select
        'ads:' || campaign_keys.platform || ':' || campaign_keys.campaign_id as campaign_key,
        campaign_keys.platform,
        campaign_keys.campaign_id,
        listed_campaigns.account_id,
        listed_campaigns.campaign_name,
        listed_campaigns.utm_source,
        listed_campaigns.utm_medium,
        listed_campaigns.utm_campaign,
        listed_campaigns.campaign_status,
        coalesce(platform_channels.channel, 'display') as channel,
        platform_channels.platform_source_regex,
        listed_campaigns.campaign_id is not null as is_listed

    from campaign_keys
    left join listed_campaigns
        on listed_campaigns.platform = campaign_keys.platform
        and listed_campaigns.campaign_id = campaign_keys.campaign_id
    left join platform_channels
        on platform_channels.platform = campaign_keys.platform
        and platform_channels.campaign_id = campaign_keys.campaign_id

)

select * from final
