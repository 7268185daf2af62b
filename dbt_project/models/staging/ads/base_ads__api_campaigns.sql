-- Campaigns read from the Google Ads, Meta and LinkedIn APIs, with the UTM tags their
-- links carry (a base model: stg_ads__campaigns unions it with the export files).
with

source as (

    select * from {{ source('raw', 'ads_api_campaigns') }}

),

renamed as (

    select
        lower({{ tl_text('platform') }}) as platform,
        {{ tl_text('account_id') }} as account_id,
        {{ tl_text('campaign_id') }} as campaign_id,
        {{ tl_text('campaign_name') }} as campaign_name,
        {{ tl_text('utm_source') }} as utm_source,
        {{ tl_text('utm_medium') }} as utm_medium,
        {{ tl_text('utm_campaign') }} as utm_campaign,
        lower({{ tl_text('status') }}) as campaign_status,
        _loaded_at

    from source

),

deduplicated as (

    select * from renamed
    where platform is not null and campaign_id is not null
    qualify row_number() over (
        partition by platform, campaign_id order by _loaded_at desc nulls last
    ) = 1

)

select * from deduplicated
