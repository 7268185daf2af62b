-- Web sessions: one row per session of int_web_events_sessionized, with what
-- happened in it, and the ad campaign it came from. A visit is matched to an ad
-- campaign when its link names the campaign (utm_id = the campaign id; else
-- utm_campaign = the campaign's utm_campaign tag, its name (as written, or both as
-- a slug) or its id) and nothing in
-- the visit contradicts the campaign's platform: a click id of another platform, or
-- a utm_source / utm_medium other than the campaign's own tags. The link must also
-- show the platform: a click id of the platform (seed ad_click_ids), the campaign's
-- own utm_source, a utm_source of the platform (seed ad_platforms), or the id itself.
-- A matched visit is an ad click and takes the campaign's channel (int_ad_campaigns),
-- so its spend and the credit its visits earn sit in one channel; an unmatched
-- visit keeps the channel channel_rules gives it.
with

events as (

    select * from {{ ref('int_web_events_sessionized') }}

),

ad_campaigns as (

    select * from {{ ref('int_ad_campaigns') }}

),

click_ids as (

    select lower(trim(click_id)) as click_id_type, nullif(trim(platform_regex), '') as platform_regex
    from {{ ref('ad_click_ids') }}

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

    select
        events.*,
        click_ids.platform_regex as click_platform_regex

    from events
    left join click_ids
        on click_ids.click_id_type = events.session_click_id_type
    where events.is_session_start

),

-- What a visit's link may name a campaign by: utm_id, its utm_campaign as written,
-- and its utm_campaign as a slug.
session_names as (

    select session_id, 'id' as match_on, session_utm_id as match_key from session_starts
    where session_utm_id is not null
    union all
    select session_id, 'text', lower(session_utm_campaign) from session_starts
    where session_utm_campaign is not null
    union all
    select session_id, 'slug', {{ tl_slug('session_utm_campaign') }} from session_starts
    where session_utm_campaign is not null

),

-- The names an ad campaign goes by, best first. 'ABM - Target Accounts' is linked as
-- utm_campaign=abm_target_accounts.
campaign_names as (

    select 'id' as match_on, campaign_id as match_key, 1 as match_rank, 'utm_id' as matched_by, *
    from ad_campaigns
    union all
    select 'text', lower(utm_campaign), 2, 'utm_campaign', * from ad_campaigns where utm_campaign is not null
    union all
    select 'text', lower(campaign_name), 3, 'campaign_name', * from ad_campaigns where campaign_name is not null
    union all
    select 'slug', {{ tl_slug('campaign_name') }}, 4, 'campaign_name', * from ad_campaigns
    where campaign_name is not null
    union all
    select 'text', lower(campaign_id), 5, 'campaign_id', * from ad_campaigns

),

candidates as (

    select
        session_starts.session_id,
        session_starts.session_utm_source,
        session_starts.session_utm_medium,
        session_starts.click_platform_regex,
        campaign_names.match_rank,
        campaign_names.matched_by,
        campaign_names.campaign_key,
        campaign_names.platform,
        campaign_names.campaign_id,
        campaign_names.utm_source,
        campaign_names.utm_medium,
        campaign_names.channel,
        campaign_names.platform_source_regex

    from session_names
    inner join campaign_names
        on campaign_names.match_on = session_names.match_on
        and campaign_names.match_key = session_names.match_key
    inner join session_starts
        on session_starts.session_id = session_names.session_id

),

checked as (

    select
        *,
        click_platform_regex is not null and regexp_matches(platform, click_platform_regex, 'i')
            as has_platform_click_id,
        coalesce(lower(session_utm_source) = lower(utm_source), false) as has_campaign_source,
        coalesce(regexp_matches(session_utm_source, platform_source_regex, 'i'), false) as has_platform_source

    from candidates

),

session_campaigns as (

    select
        session_id,
        campaign_key,
        platform as campaign_platform,
        campaign_id,
        channel as campaign_channel,
        matched_by as campaign_matched_by

    from checked
    where (click_platform_regex is null or has_platform_click_id)
        and (utm_source is null or session_utm_source is null or has_campaign_source)
        and (utm_medium is null or session_utm_medium is null or lower(session_utm_medium) = lower(utm_medium))
        and (has_platform_click_id or has_campaign_source or has_platform_source or matched_by = 'utm_id')
    qualify row_number() over (
        partition by session_id
        order by match_rank, has_platform_click_id desc, has_campaign_source desc, platform, campaign_id
    ) = 1

),

final as (

    select
        session_starts.session_id,
        session_starts.visitor_id,
        session_starts.anonymous_id,
        session_starts.user_id,
        session_starts.session_number,
        session_starts.session_start_reason,
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
        session_starts.session_utm_id as utm_id,
        session_starts.session_gclid as gclid,
        session_starts.session_fbclid as fbclid,
        session_starts.session_li_fat_id as li_fat_id,
        session_starts.session_msclkid as msclkid,
        session_starts.session_click_id_type as click_id_type,
        session_starts.session_click_id as click_id,
        session_starts.session_source,
        session_starts.session_medium,
        session_starts.session_source_category,
        session_starts.session_is_ad_click or session_campaigns.campaign_key is not null as is_ad_click,
        coalesce(session_campaigns.campaign_channel, session_starts.rule_channel) as channel,
        session_starts.rule_channel,
        session_starts.channel_rule_priority,
        session_campaigns.campaign_key,
        session_campaigns.campaign_platform,
        session_campaigns.campaign_id,
        session_campaigns.campaign_matched_by

    from session_starts
    inner join session_activity
        on session_activity.session_id = session_starts.session_id
    left join session_campaigns
        on session_campaigns.session_id = session_starts.session_id

)

select * from final
