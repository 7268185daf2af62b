-- Daily ad performance read from the Google Ads, Meta and LinkedIn APIs (one shared
-- raw column set), typed: spend and conversion value in the account's currency, as the
-- platform reported them (a base model: stg_ads__ad_performance_daily unions it with the
-- export files). LinkedIn reports at campaign grain: its ad group and ad ids are null.
with

source as (

    select * from {{ source('raw', 'ads_api_performance_daily') }}

),

renamed as (

    select
        lower({{ tl_text('platform') }}) as platform,
        {{ tl_text('account_id') }} as account_id,
        {{ tl_text('campaign_id') }} as campaign_id,
        {{ tl_text('ad_group_id') }} as ad_group_id,
        {{ tl_text('ad_id') }} as ad_id,
        {{ tl_date('date_day') }} as date_day,
        coalesce({{ tl_integer('impressions') }}, 0) as impressions,
        coalesce({{ tl_integer('clicks') }}, 0) as clicks,
        coalesce({{ tl_money('spend') }}, 0) as spend,
        upper({{ tl_text('currency_code') }}) as currency_code,
        coalesce({{ tl_number('conversions') }}, 0) as conversions,
        {{ tl_money('conversions_value') }} as conversions_value,
        {{ tl_text('account_timezone') }} as account_timezone,
        _loaded_at

    from source

),

deduplicated as (

    select * from renamed
    where platform is not null and campaign_id is not null and date_day is not null
    qualify row_number() over (
        partition by platform, account_id, date_day, campaign_id, ad_group_id, ad_id
        order by _loaded_at desc nulls last
    ) = 1

)

select * from deduplicated
