-- Segment-spec web events, typed and flattened (a base model: stg_web__events unions
-- it with GA4's export). UTMs come from context.campaign
-- when the library filled it, else from the page URL's query; click ids always
-- from the URL. utm_id is the ad campaign id a link names (utm_id, or Google's
-- gad_campaignid). Segment delivers at least once: one row per message_id.
with

source as (

    select * from {{ source('raw', 'web_events') }}

),

parsed as (

    select
        {{ tl_text('message_id') }} as message_id,
        lower({{ tl_text('type') }}) as event_type,
        {{ tl_text('event') }} as event_name,
        {{ tl_text('anonymous_id') }} as anonymous_id,
        {{ tl_text('user_id') }} as user_id,
        {{ tl_timestamp('"timestamp"') }} as event_at,
        {{ tl_json('traits') }} as traits_json,
        {{ tl_json('context') }} as context_json,
        {{ tl_json('properties') }} as properties_json,
        _load_id,
        _loaded_at

    from source

),

extracted as (

    select
        *,
        {{ tl_email("coalesce(json_extract_string(traits_json, '$.email'), json_extract_string(context_json, '$.traits.email'))") }} as email,
        nullif(trim(coalesce(
            json_extract_string(context_json, '$.page.url'),
            json_extract_string(properties_json, '$.url')
        )), '') as page_url,
        nullif(trim(coalesce(
            json_extract_string(context_json, '$.page.path'),
            json_extract_string(properties_json, '$.path')
        )), '') as page_path_given,
        nullif(trim(coalesce(
            json_extract_string(context_json, '$.page.search'),
            json_extract_string(properties_json, '$.search')
        )), '') as page_search,
        nullif(trim(coalesce(
            json_extract_string(context_json, '$.page.title'),
            json_extract_string(properties_json, '$.title')
        )), '') as page_title,
        nullif(trim(coalesce(
            json_extract_string(context_json, '$.page.referrer'),
            json_extract_string(properties_json, '$.referrer')
        )), '') as page_referrer,
        nullif(trim(json_extract_string(context_json, '$.campaign.source')), '') as campaign_source,
        nullif(trim(json_extract_string(context_json, '$.campaign.medium')), '') as campaign_medium,
        nullif(trim(json_extract_string(context_json, '$.campaign.name')), '') as campaign_name,
        nullif(trim(json_extract_string(context_json, '$.campaign.term')), '') as campaign_term,
        nullif(trim(json_extract_string(context_json, '$.campaign.content')), '') as campaign_content,
        nullif(trim(json_extract_string(context_json, '$.campaign.id')), '') as campaign_id

    from parsed

),

-- The query string to read UTMs and click ids from: the page URL, or
-- context.page.search when the URL is missing.
with_query as (

    select
        *,
        coalesce(page_url, case when page_search is not null then '?' || ltrim(page_search, '?') end) as landing_query

    from extracted

),

final as (

    select
        message_id,
        event_type,
        event_name,
        anonymous_id,
        user_id,
        email,
        event_at,
        page_url,
        {{ tl_url_host('page_url') }} as page_host,
        coalesce(page_path_given, {{ tl_url_path('page_url') }}) as page_path,
        page_title,
        page_referrer,
        {{ tl_url_host('page_referrer') }} as referrer_host,
        coalesce(campaign_source, {{ tl_url_param('landing_query', 'utm_source') }}) as utm_source,
        coalesce(campaign_medium, {{ tl_url_param('landing_query', 'utm_medium') }}) as utm_medium,
        coalesce(campaign_name, {{ tl_url_param('landing_query', 'utm_campaign') }}) as utm_campaign,
        coalesce(campaign_term, {{ tl_url_param('landing_query', 'utm_term') }}) as utm_term,
        coalesce(campaign_content, {{ tl_url_param('landing_query', 'utm_content') }}) as utm_content,
        {{ tl_url_param('landing_query', 'gclid') }} as gclid,
        {{ tl_url_param('landing_query', 'fbclid') }} as fbclid,
        {{ tl_url_param('landing_query', 'li_fat_id') }} as li_fat_id,
        {{ tl_url_param('landing_query', 'msclkid') }} as msclkid,
        {{ tl_click_id_type('landing_query') }} as click_id_type,
        {{ tl_click_id_value('landing_query') }} as click_id,
        coalesce(
            campaign_id,
            {{ tl_url_param('landing_query', 'utm_id') }},
            {{ tl_url_param('landing_query', 'gad_campaignid') }}
        ) as utm_id,
        properties_json as properties,
        event_type = 'track'
            and lower(event_name) in {{ tl_in_list(var('form_submit_event_names')) }} as is_form_submit,
        _load_id,
        _loaded_at

    from with_query

),

deduplicated as (

    select * from final
    where message_id is not null and event_at is not null
    qualify row_number() over (
        partition by message_id order by _loaded_at asc nulls last, _load_id asc nulls last
    ) = 1

)

select * from deduplicated
