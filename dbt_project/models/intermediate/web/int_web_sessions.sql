-- Web sessions: one row per session of int_web_events_sessionized, with what
-- happened in it.
with

events as (

    select * from {{ ref('int_web_events_sessionized') }}

),

session_activity as (

    select
        session_id,
        max(event_at) as session_end_at,
        count(*) as event_count,
        count(*) filter (where event_type = 'page') as page_view_count,
        count(*) filter (where is_form_submit) as form_submit_count,
        min(email) filter (where email is not null) as any_email

    from events
    group by session_id

),

session_starts as (

    select * from events
    where is_session_start

),

final as (

    select
        session_starts.session_id,
        session_starts.visitor_id,
        session_starts.anonymous_id,
        session_starts.user_id,
        session_starts.session_number,
        session_starts.session_start_at,
        session_activity.session_end_at,
        {{ dbt.datediff('session_starts.session_start_at', 'session_activity.session_end_at', 'second') }}
            as session_duration_seconds,
        session_activity.event_count,
        session_activity.page_view_count,
        session_activity.form_submit_count,
        session_activity.form_submit_count > 0 as has_form_submit,
        session_activity.any_email is not null as has_email,
        session_starts.session_landing_page_url as landing_page_url,
        session_starts.session_landing_page_path as landing_page_path,
        session_starts.session_referrer as referrer,
        session_starts.session_referrer_host as referrer_host,
        session_starts.session_utm_source as utm_source,
        session_starts.session_utm_medium as utm_medium,
        session_starts.session_utm_campaign as utm_campaign,
        session_starts.session_utm_term as utm_term,
        session_starts.session_utm_content as utm_content,
        session_starts.session_gclid as gclid,
        session_starts.session_fbclid as fbclid,
        session_starts.session_li_fat_id as li_fat_id,
        session_starts.session_msclkid as msclkid,
        session_starts.session_click_id_type as click_id_type,
        session_starts.session_source,
        session_starts.session_medium,
        session_starts.session_source_category,
        session_starts.session_is_ad_click as is_ad_click,
        session_starts.channel,
        session_starts.channel_rule_priority

    from session_starts
    inner join session_activity
        on session_activity.session_id = session_starts.session_id

)

select * from final
