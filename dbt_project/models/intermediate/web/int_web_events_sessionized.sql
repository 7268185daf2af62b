-- Web events cut into sessions (visits). A new visit starts at a visitor's first
-- event, after var('session_timeout_minutes') (30) minutes without an event, and,
-- as Google Analytics does, at an event whose campaign parameters (utm_source,
-- utm_medium, utm_campaign, utm_term, utm_content, utm_id) or ad click id differ
-- from the current visit's: a paid click 26 seconds into an organic visit is a visit,
-- and a touch, of its own. An event that carries no campaign parameters (inner
-- navigation) never starts one. Only page, screen and track events make or extend
-- sessions: identify/group/alias calls are bookkeeping, often sent from a server,
-- and would invent visits.
-- Each event carries its session's attributes, taken from the session's first
-- event, and the channel the first matching rule of channel_rules gives it
-- (rule_channel; int_web_sessions puts a visit matched to an ad campaign in that
-- campaign's channel).
{%- set timeout_minutes = var('session_timeout_minutes') %}

with

events as (

    select
        *,
        -- Events with only a userId still belong to someone.
        coalesce(anonymous_id, 'user_id:' || user_id) as visitor_id,
        -- What the event's link says about where the visit came from; null when it
        -- carries nothing (the visit goes on).
        case when coalesce(utm_source, utm_medium, utm_campaign, utm_term, utm_content, utm_id, click_id) is not null
            then concat_ws('|', coalesce(utm_source, ''), coalesce(utm_medium, ''), coalesce(utm_campaign, ''),
                coalesce(utm_term, ''), coalesce(utm_content, ''), coalesce(utm_id, ''),
                coalesce(click_id_type, ''), coalesce(click_id, ''))
        end as campaign_signature

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

click_ids as (

    select
        lower(trim(click_id)) as click_id_type,
        nullif(trim(source), '') as source,
        nullif(trim(medium), '') as medium,
        coalesce(is_paid_click, false) as is_paid_click
    from {{ ref('ad_click_ids') }}

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

inactivity as (

    select
        *,
        previous_event_at is null
            or event_at > {{ dbt.dateadd('minute', timeout_minutes, 'previous_event_at') }} as is_inactivity_start

    from gaps

),

-- Stretches of activity without a 30-minute gap; campaign changes cut them further.
stretches as (

    select
        *,
        sum(case when is_inactivity_start then 1 else 0 end) over (
            partition by visitor_id order by event_at, message_id
            rows between unbounded preceding and current row
        ) as stretch_number

    from inactivity

),

-- Every tagged event either starts a visit with its own parameters or repeats the
-- current visit's, so the current visit's parameters are the last ones seen in the
-- stretch (none before the first tagged event).
carried as (

    select
        *,
        last_value(campaign_signature ignore nulls) over (
            partition by visitor_id, stretch_number order by event_at, message_id
            rows between unbounded preceding and 1 preceding
        ) as current_campaign_signature

    from stretches

),

flagged as (

    select
        *,
        case
            when previous_event_at is null then 'first_event'
            when is_inactivity_start then 'inactivity'
            when campaign_signature is distinct from current_campaign_signature
                and campaign_signature is not null then 'new_campaign'
        end as session_start_reason

    from carried

),

-- Both windows share one sort (same partition and order).
numbered as (

    select
        *,
        session_start_reason is not null as is_session_start,
        sum(case when session_start_reason is not null then 1 else 0 end) over visitor_events as session_number,
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
        utm_id,
        gclid,
        fbclid,
        li_fat_id,
        msclkid,
        click_id_type,
        click_id,
        session_start_reason

    from numbered
    where session_start_reason is not null

),

-- Source and medium the way GA4 derives them: tags first, then the click id's
-- platform (seed ad_click_ids), then the referring site, else (direct) / (none).
session_source_medium as (

    select
        session_starts.*,
        coalesce(
            session_starts.utm_source, click_ids.source, session_starts.referrer_host, '(direct)'
        ) as session_source,
        coalesce(
            session_starts.utm_medium,
            case
                when session_starts.utm_source is not null then '(not set)'
                when click_ids.medium is not null then click_ids.medium
                when session_starts.referrer_host is not null then 'referral'
                else '(none)'
            end
        ) as session_medium,
        coalesce(click_ids.is_paid_click, false) as is_paid_click_id

    from session_starts
    left join click_ids
        on click_ids.click_id_type = session_starts.click_id_type

),

-- The GA4 category of the source: the source itself in Google's list, else, for a
-- host, the name its registered domain carries ('google.co.uk', 'l.facebook.com' ->
-- google, facebook). For search engines that fallback covers the engine's own
-- search hosts only (the bare domain, its country variants, m. / search. and
-- country prefixes): support.google.com or docs.google.com are sites, not searches.
host_labels as (

    select
        *,
        regexp_extract(lower(session_source), '([a-z0-9-]+)\.(?:[a-z]{2,3}\.)?[a-z]{2,}$', 1) as source_label,
        regexp_replace(
            lower(session_source), '[a-z0-9-]+\.(?:[a-z]{2,3}\.)?[a-z]{2,}$', ''
        ) as source_label_prefix

    from session_source_medium

),

with_category as (

    select
        host_labels.*,
        coalesce(
            by_name.source_category,
            case
                when by_label.source_category <> 'SOURCE_CATEGORY_SEARCH'
                    or regexp_full_match(host_labels.source_label_prefix, '((m|mobile|search|html|lite|[a-z]{2})\.){0,2}')
                    then by_label.source_category
            end
        ) as session_source_category

    from host_labels
    left join source_categories as by_name
        on by_name.source = lower(host_labels.session_source)
    left join source_categories as by_label
        on by_label.source = host_labels.source_label

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
        coalesce(click_id_type, '') as click_id_type

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
        and (channel_rules.click_id is null or channel_rules.click_id = session_traits.click_id_type)
    qualify row_number() over (
        partition by
            session_traits.session_source, session_traits.session_medium, session_traits.campaign,
            session_traits.referrer_host, session_traits.source_category, session_traits.click_id_type
        order by channel_rules.priority
    ) = 1

),

sessions as (

    select
        with_category.*,
        coalesce(classified.channel, 'other') as rule_channel,
        classified.channel_rule_priority,
        -- A paid click id (seed ad_click_ids), or a paid medium: the visit was an ad click.
        with_category.is_paid_click_id
            or coalesce(regexp_full_match(coalesce(with_category.utm_medium, ''), '{{ var("paid_medium_regex") }}', 'i'), false)
            as is_ad_click

    from with_category
    left join classified
        on classified.session_source = with_category.session_source
        and classified.session_medium = with_category.session_medium
        and classified.campaign = coalesce(with_category.utm_campaign, '')
        and classified.referrer_host = coalesce(with_category.referrer_host, '')
        and classified.source_category = coalesce(with_category.session_source_category, '')
        and classified.click_id_type = coalesce(with_category.click_id_type, '')

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
        numbered.click_id_type,
        numbered.click_id,
        numbered.utm_id,
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
        sessions.utm_id as session_utm_id,
        sessions.click_id_type as session_click_id_type,
        sessions.click_id as session_click_id,
        sessions.session_start_reason,
        sessions.session_source,
        sessions.session_medium,
        sessions.session_source_category,
        sessions.is_ad_click as session_is_ad_click,
        sessions.rule_channel,
        sessions.channel_rule_priority

    from numbered
    inner join sessions
        on sessions.visitor_id = numbered.visitor_id
        and sessions.session_number = numbered.session_number

)

select * from final
