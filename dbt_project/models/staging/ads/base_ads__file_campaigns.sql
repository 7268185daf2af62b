-- Ad platform campaigns from the ads export files, in Fivetran ad_reporting's column names
-- (a base model: stg_ads__campaigns unions it with the API connectors' campaigns).
with

source as (

    select * from {{ source('raw', 'ads_campaigns') }}

),

renamed as (

    select
        lower({{ tl_text('platform') }}) as platform,
        -- The export carries no ad account; kept for the ad_reporting column set.
        cast(null as {{ dbt.type_string() }}) as account_id,
        {{ tl_text('campaign_id') }} as campaign_id,
        {{ tl_text('campaign_name') }} as campaign_name,
        {{ tl_text('utm_source') }} as utm_source,
        {{ tl_text('utm_medium') }} as utm_medium,
        {{ tl_text('utm_campaign') }} as utm_campaign,
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
