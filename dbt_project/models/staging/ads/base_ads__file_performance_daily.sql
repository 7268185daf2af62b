-- Daily ad performance from the ads export files, in Fivetran ad_reporting's column names
-- (a base model: stg_ads__ad_performance_daily unions it with the API connectors' rows).
with

source as (

    select * from {{ source('raw', 'ads_ad_performance_daily') }}

),

renamed as (

    select
        lower({{ tl_text('platform') }}) as platform,
        cast(null as {{ dbt.type_string() }}) as account_id,
        {{ tl_text('campaign_id') }} as campaign_id,
        {{ tl_text('ad_group_id') }} as ad_group_id,
        {{ tl_text('ad_id') }} as ad_id,
        {{ tl_date('date') }} as date_day,
        coalesce({{ tl_integer('impressions') }}, 0) as impressions,
        coalesce({{ tl_integer('clicks') }}, 0) as clicks,
        coalesce({{ tl_money('spend') }}, 0) as spend,
        upper({{ tl_text('currency') }}) as currency_code,
        coalesce({{ tl_number('conversions') }}, 0) as conversions,
        _loaded_at

    from source

),

deduplicated as (

    select * from renamed
    where platform is not null and campaign_id is not null and date_day is not null
    qualify row_number() over (
        partition by platform, date_day, campaign_id, ad_group_id, ad_id
        order by _loaded_at desc nulls last
    ) = 1

)

select * from deduplicated
