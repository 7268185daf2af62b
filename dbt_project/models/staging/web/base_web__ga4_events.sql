-- GA4 BigQuery export events, in the column set of base_web__segment_events (a base
-- model: stg_web__events unions the two). GA4 has no event id, so message_id is a
-- hash of the event's identity; page_view is a page event, everything else a track
-- event; user_pseudo_id is the device cookie (anonymous_id). GA4 forbids personal
-- data in events, so e-mail is never read from it: people are stitched through
-- user_id when the site sets it. Campaign fields come from collected_traffic_source
-- (the event's own UTMs and click ids), else the page_location query string.
with

source as (

    select * from {{ source('raw', 'web_ga4_events') }}

),

parsed as (

    select
        {{ tl_text('event_name') }} as event_name,
        {{ tl_text('user_pseudo_id') }} as anonymous_id,
        {{ tl_text('user_id') }} as user_id,
        {{ tl_integer('event_timestamp') }} as event_timestamp_micros,
        {{ tl_json('collected_traffic_source') }} as collected_json,
        map_from_entries(list_transform(
            coalesce(from_json({{ tl_json('event_params') }},
                '[{"key":"VARCHAR","value":{"string_value":"VARCHAR","int_value":"BIGINT","float_value":"DOUBLE","double_value":"DOUBLE"}}]'), []),
            x -> struct_pack(k := x.key, v := coalesce(
                x.value.string_value, cast(x.value.int_value as varchar),
                cast(x.value.double_value as varchar), cast(x.value.float_value as varchar)))
        )) as params,
        'ga4:' || md5(concat_ws('|', user_pseudo_id, event_timestamp, event_name,
            event_bundle_sequence_id, event_params)) as message_id,
        _load_id,
        _loaded_at

    from source

),

extracted as (

    select
        *,
        to_timestamp(event_timestamp_micros / 1000000.0) as event_at,
        nullif(trim(params['page_location']), '') as page_url,
        nullif(trim(params['page_title']), '') as page_title,
        nullif(trim(params['page_referrer']), '') as page_referrer,
        nullif(trim(json_extract_string(collected_json, '$.manual_source')), '') as campaign_source,
        nullif(trim(json_extract_string(collected_json, '$.manual_medium')), '') as campaign_medium,
        nullif(trim(json_extract_string(collected_json, '$.manual_campaign_name')), '') as campaign_name,
        nullif(trim(json_extract_string(collected_json, '$.manual_term')), '') as campaign_term,
        nullif(trim(json_extract_string(collected_json, '$.manual_content')), '') as campaign_content,
        nullif(trim(json_extract_string(collected_json, '$.manual_campaign_id')), '') as campaign_id,
        nullif(trim(json_extract_string(collected_json, '$.gclid')), '') as collected_gclid,
        nullif(trim(json_extract_string(collected_json, '$.dclid')), '') as collected_dclid

    from parsed

),

final as (

    select
        message_id,
        case when event_name = 'page_view' then 'page' else 'track' end as event_type,
        event_name,
        anonymous_id,
        user_id,
        cast(null as {{ dbt.type_string() }}) as email,
        event_at,
        page_url,
        {{ tl_url_host('page_url') }} as page_host,
        {{ tl_url_path('page_url') }} as page_path,
        page_title,
        page_referrer,
        {{ tl_url_host('page_referrer') }} as referrer_host,
        coalesce(campaign_source, {{ tl_url_param('page_url', 'utm_source') }}) as utm_source,
        coalesce(campaign_medium, {{ tl_url_param('page_url', 'utm_medium') }}) as utm_medium,
        coalesce(campaign_name, {{ tl_url_param('page_url', 'utm_campaign') }}) as utm_campaign,
        coalesce(campaign_term, {{ tl_url_param('page_url', 'utm_term') }}) as utm_term,
        coalesce(campaign_content, {{ tl_url_param('page_url', 'utm_content') }}) as utm_content,
        coalesce(collected_gclid, {{ tl_url_param('page_url', 'gclid') }}) as gclid,
        {{ tl_url_param('page_url', 'fbclid') }} as fbclid,
        {{ tl_url_param('page_url', 'li_fat_id') }} as li_fat_id,
        {{ tl_url_param('page_url', 'msclkid') }} as msclkid,
        case
            when collected_gclid is not null then 'gclid'
            when collected_dclid is not null then 'dclid'
            else {{ tl_click_id_type('page_url') }}
        end as click_id_type,
        coalesce(collected_gclid, collected_dclid, {{ tl_click_id_value('page_url') }}) as click_id,
        coalesce(
            campaign_id,
            {{ tl_url_param('page_url', 'utm_id') }},
            {{ tl_url_param('page_url', 'gad_campaignid') }}
        ) as utm_id,
        cast(to_json(params) as {{ dbt.type_string() }}) as properties,
        lower(event_name) in {{ tl_in_list(var('form_submit_event_names') + ['generate_lead']) }} as is_form_submit,
        _load_id,
        _loaded_at

    from extracted

),

deduplicated as (

    select * from final
    where event_at is not null
    qualify row_number() over (
        partition by message_id order by _loaded_at asc nulls last, _load_id asc nulls last
    ) = 1

)

select * from deduplicated
