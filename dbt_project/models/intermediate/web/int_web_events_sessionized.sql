-- Web events cut into sessions: a visitor's session ends after
-- var('session_timeout_minutes') (30) minutes without an event. Only page, screen
-- and track events make or extend sessions: identify/group/alias calls are
-- bookkeeping, often sent from a server, and would invent visits.
-- Each event carries its session's attributes, taken from the session's first
-- event, and the channel the first matching rule of channel_rules gives it.
{%- set timeout_minutes = var('session_timeout_minutes') %}

with

events as (

    select
        *,
        -- Events with only a userId still belong to someone.
        coalesce(anonymous_id, 'user_id:' || user_id) as visitor_id

    from {{ ref('stg_web__events') }}
    where event_type in ('page', 'screen', 'track')
        and coalesce(anonymous_id, user_id) is not null

),

channel_rules as (

    select
        priority,
        channel,
        nullif(trim(medium_regex), '') as medium_regex,
        nullif(trim(source_regex), '') as source_regex,
        nullif(trim(campaign_regex), '') as campaign_regex,
        nullif(trim(referrer_host_regex), '') as referrer_host_regex,
        nullif(trim(source_category), '') as source_category,
        nullif(lower(trim(click_id)), '') as click_id
    from {{ ref('channel_rules') }}

),

source_categories as (

    select lower(trim(source)) as source, source_category
    from {{ ref('ga4_source_categories') }}

),

gaps as (

    select
        *,
        lag(event_at) over (partition by visitor_id order by event_at, message_id) as previous_event_at

    from events

),

flagged as (

    select
        *,
        previous_event_at is null
            or event_at > {{ dbt.dateadd('minute', timeout_minutes, 'previous_event_at') }} as is_session_start

    from gaps

),

-- Both windows share one sort (same partition and order).
numbered as (

    select
        *,
        sum(case when is_session_start then 1 else 0 end) over visitor_events as session_number,
        row_number() over visitor_events as visitor_event_number

    from flagged
    window visitor_events as (
        partition by visitor_id order by event_at, message_id
        rows between unbounded preceding and current row
    )

),

session_starts as (

    select
        visitor_id,
        session_number,
        visitor_event_number as session_first_visitor_event_number,
        md5('web_session|' || visitor_id || '|' || message_id) as session_id,
        event_at as session_start_at,
        page_url as landing_page_url,
        page_path as landing_page_path,
        page_referrer as referrer,
        -- A referrer on our own site is navigation, not a traffic source.
        case when referrer_host is distinct from page_host then referrer_host end as referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_term,
        utm_content,
        gclid,
        fbclid,
        li_fat_id,
        msclkid,
        case
            when gclid is not null then 'gclid'
            when msclkid is not null then 'msclkid'
            when li_fat_id is not null then 'li_fat_id'
            when fbclid is not null then 'fbclid'
        end as click_id_type

    from numbered
    where is_session_start

),

-- Source and medium the way GA4 derives them: tags first, then the click id's
-- platform, then the referring site, else (direct) / (none).
session_source_medium as (

    select
        *,
        coalesce(
            utm_source,
            case click_id_type
                when 'gclid' then 'google'
                when 'msclkid' then 'bing'
                when 'li_fat_id' then 'linkedin'
                when 'fbclid' then 'facebook'
            end,
            referrer_host,
            '(direct)'
        ) as session_source,
        coalesce(
            utm_medium,
            case
                when utm_source is not null then '(not set)'
                when click_id_type in ('gclid', 'msclkid', 'li_fat_id') then 'cpc'
                when click_id_type = 'fbclid' or referrer_host is not null then 'referral'
                else '(none)'
            end
        ) as session_medium

    from session_starts

),

with_category as (

    select
        session_source_medium.*,
        coalesce(by_name.source_category, by_label.source_category) as session_source_category

    from session_source_medium
    left join source_categories as by_name
        on by_name.source = lower(session_source_medium.session_source)
    -- 'google.co.uk', 'news.google.com' -> 'google'
    left join source_categories as by_label
        on by_label.source = regexp_extract(
            lower(session_source_medium.session_source), '([a-z0-9-]+)\.(?:[a-z]{2,3}\.)?[a-z]{2,}$', 1
        )

),

-- Rules are matched once per distinct combination of what they look at, not once
-- per session: regular expressions are the expensive part, combinations are few.
session_traits as (

    select distinct
        session_source,
        session_medium,
        coalesce(utm_campaign, '') as campaign,
        coalesce(referrer_host, '') as referrer_host,
        coalesce(session_source_category, '') as source_category,
        gclid is not null as has_gclid,
        msclkid is not null as has_msclkid,
        li_fat_id is not null as has_li_fat_id,
        fbclid is not null as has_fbclid

    from with_category

),

classified as (

    select
        session_traits.*,
        channel_rules.channel,
        channel_rules.priority as channel_rule_priority

    from session_traits
    inner join channel_rules
        on (channel_rules.medium_regex is null
                or regexp_full_match(session_traits.session_medium, channel_rules.medium_regex, 'i'))
        and (channel_rules.source_regex is null
                or regexp_full_match(session_traits.session_source, channel_rules.source_regex, 'i'))
        and (channel_rules.campaign_regex is null
                or regexp_full_match(session_traits.campaign, channel_rules.campaign_regex, 'i'))
        and (channel_rules.referrer_host_regex is null
                or regexp_full_match(session_traits.referrer_host, channel_rules.referrer_host_regex, 'i'))
        and (channel_rules.source_category is null
                or channel_rules.source_category = session_traits.source_category)
        and (channel_rules.click_id is null
                or (channel_rules.click_id = 'gclid' and session_traits.has_gclid)
                or (channel_rules.click_id = 'msclkid' and session_traits.has_msclkid)
                or (channel_rules.click_id = 'li_fat_id' and session_traits.has_li_fat_id)
                or (channel_rules.click_id = 'fbclid' and session_traits.has_fbclid))
    qualify row_number() over (
        partition by
            session_traits.session_source, session_traits.session_medium, session_traits.campaign,
            session_traits.referrer_host, session_traits.source_category, session_traits.has_gclid,
            session_traits.has_msclkid, session_traits.has_li_fat_id, session_traits.has_fbclid
        order by channel_rules.priority
    ) = 1

),

sessions as (

    select
        with_category.*,
        coalesce(classified.channel, 'other') as channel,
        classified.channel_rule_priority,
        -- A click id of an ad platform, or a paid medium: the visit was an ad click.
        coalesce(
            with_category.click_id_type in ('gclid', 'msclkid', 'li_fat_id')
            or regexp_full_match(coalesce(with_category.utm_medium, ''), '{{ var("paid_medium_regex") }}', 'i'),
            false
        ) as is_ad_click

    from with_category
    left join classified
        on classified.session_source = with_category.session_source
        and classified.session_medium = with_category.session_medium
        and classified.campaign = coalesce(with_category.utm_campaign, '')
        and classified.referrer_host = coalesce(with_category.referrer_host, '')
        and classified.source_category = coalesce(with_category.session_source_category, '')
        and classified.has_gclid = (with_category.gclid is not null)
        and classified.has_msclkid = (with_category.msclkid is not null)
        and classified.has_li_fat_id = (with_category.li_fat_id is not null)
        and classified.has_fbclid = (with_category.fbclid is not null)

),

final as (

    select
        numbered.message_id,
        numbered.visitor_id,
        numbered.anonymous_id,
        numbered.user_id,
        numbered.email,
        numbered.event_type,
        numbered.event_name,
        numbered.event_at,
        numbered.page_url,
        numbered.page_path,
        numbered.page_referrer,
        numbered.referrer_host,
        numbered.utm_source,
        numbered.utm_medium,
        numbered.utm_campaign,
        numbered.utm_term,
        numbered.utm_content,
        numbered.gclid,
        numbered.fbclid,
        numbered.li_fat_id,
        numbered.msclkid,
        numbered.is_form_submit,
        numbered.is_session_start,
        sessions.session_id,
        numbered.session_number,
        numbered.visitor_event_number - sessions.session_first_visitor_event_number + 1 as event_number_in_session,
        sessions.session_start_at,
        sessions.landing_page_url as session_landing_page_url,
        sessions.landing_page_path as session_landing_page_path,
        sessions.referrer as session_referrer,
        sessions.referrer_host as session_referrer_host,
        sessions.utm_source as session_utm_source,
        sessions.utm_medium as session_utm_medium,
        sessions.utm_campaign as session_utm_campaign,
        sessions.utm_term as session_utm_term,
        sessions.utm_content as session_utm_content,
        sessions.gclid as session_gclid,
        sessions.fbclid as session_fbclid,
        sessions.li_fat_id as session_li_fat_id,
        sessions.msclkid as session_msclkid,
        sessions.click_id_type as session_click_id_type,
        sessions.session_source,
        sessions.session_medium,
        sessions.session_source_category,
        sessions.is_ad_click as session_is_ad_click,
        sessions.channel,
        sessions.channel_rule_priority

    from numbered
    inner join sessions
        on sessions.visitor_id = numbered.visitor_id
        and sessions.session_number = numbered.session_number

)

select * from final
