-- Every touchpoint from every system on one column set: web session starts
-- (an `ad_click` when the visit came from an ad), form submissions, CRM campaign
-- responses, and sales activities. touchpoint_id is deterministic: md5 of the
-- kind of record and its natural key. A web touch's campaign, and then its
-- channel, is the ad campaign its visit was matched to (int_web_sessions).
-- Sales activities logged on an account but no contact have no person.
-- channel_detail is what the channel was decided from: a web session's
-- 'source / medium', a campaign's type, an activity's 'type / direction'.
{%- set touchpoint_columns = [
    ('touchpoint_id', 'string'),
    ('person_id', 'string'),
    ('occurred_at', 'timestamp with time zone'),
    ('team', 'string'),
    ('channel', 'string'),
    ('channel_detail', 'string'),
    ('touch_type', 'string'),
    ('campaign_id', 'string'),
    ('campaign_key', 'string'),
    ('utm_source', 'string'),
    ('utm_medium', 'string'),
    ('utm_campaign', 'string'),
    ('utm_term', 'string'),
    ('utm_content', 'string'),
    ('click_id_type', 'string'),
    ('landing_page_path', 'string'),
    ('referrer_host', 'string'),
    ('session_id', 'string'),
    ('activity_id', 'string'),
    ('owner_id', 'string'),
    ('deal_id', 'string'),
    ('activity_account_id', 'string'),
    ('activity_account_source_system', 'string'),
    ('is_sales_touch', 'boolean'),
    ('is_deleted', 'boolean'),
    ('source_system', 'string'),
    ('source_record_id', 'string'),
] %}

with

sessions as (

    select * from {{ ref('int_web_sessions') }}

),

form_submits as (

    select * from {{ ref('int_web_events_sessionized') }}
    where is_form_submit

),

campaign_members as (

    select * from {{ ref('int_campaign_members_unioned') }}
    where responded_at is not null

),

activities as (

    select * from {{ ref('int_activities_unioned') }}

),

identities as (

    select identifier_type, identifier_value, person_id
    from {{ ref('int_identities_resolved') }}

),

people as (

    select person_id, account_id, account_source_system
    from {{ ref('int_people') }}

),

session_people as (

    select
        sessions.*,
        identities.person_id

    from sessions
    left join identities
        on identities.identifier_type = 'anonymous_id'
        and identities.identifier_value = sessions.visitor_id

),

web_session_touches as (

    select
        {{ tl_conformed(touchpoint_columns, {
            'touchpoint_id': "md5('web_session|' || session_people.session_id)",
            'person_id': 'session_people.person_id',
            'occurred_at': 'session_people.session_start_at',
            'team': "'marketing'",
            'channel': 'session_people.channel',
            'channel_detail': "session_people.session_source || ' / ' || session_people.session_medium",
            'touch_type': "case when session_people.is_ad_click then 'ad_click' else 'session_start' end",
            'campaign_id': 'session_people.campaign_id',
            'campaign_key': 'session_people.campaign_key',
            'utm_source': 'session_people.utm_source',
            'utm_medium': 'session_people.utm_medium',
            'utm_campaign': 'session_people.utm_campaign',
            'utm_term': 'session_people.utm_term',
            'utm_content': 'session_people.utm_content',
            'click_id_type': 'session_people.click_id_type',
            'landing_page_path': 'session_people.landing_page_path',
            'referrer_host': 'session_people.referrer_host',
            'session_id': 'session_people.session_id',
            'is_sales_touch': 'false',
            'is_deleted': 'false',
            'source_system': "'web'",
            'source_record_id': 'session_people.session_id',
        }) }}

    from session_people

),

form_submit_touches as (

    select
        {{ tl_conformed(touchpoint_columns, {
            'touchpoint_id': "md5('web_event|' || form_submits.message_id)",
            'person_id': 'session_people.person_id',
            'occurred_at': 'form_submits.event_at',
            'team': "'marketing'",
            'channel': 'session_people.channel',
            'channel_detail': "session_people.session_source || ' / ' || session_people.session_medium",
            'touch_type': "'form_submit'",
            'campaign_id': 'session_people.campaign_id',
            'campaign_key': 'session_people.campaign_key',
            'utm_source': 'session_people.utm_source',
            'utm_medium': 'session_people.utm_medium',
            'utm_campaign': 'session_people.utm_campaign',
            'utm_term': 'session_people.utm_term',
            'utm_content': 'session_people.utm_content',
            'click_id_type': 'session_people.click_id_type',
            'landing_page_path': 'form_submits.page_path',
            'referrer_host': 'session_people.referrer_host',
            'session_id': 'form_submits.session_id',
            'is_sales_touch': 'false',
            'is_deleted': 'false',
            'source_system': "'web'",
            'source_record_id': 'form_submits.message_id',
        }) }}

    from form_submits
    inner join session_people
        on session_people.session_id = form_submits.session_id

),

campaign_responses as (

    select
        campaign_members.*,
        identities.person_id,
        {{ tl_campaign_type_channel('campaign_members.campaign_type') }} as channel,
        case
            when regexp_matches(coalesce(campaign_members.campaign_type, ''), 'webinar') then 'webinar'
            when regexp_matches(coalesce(campaign_members.campaign_type, ''), 'event|conference|trade|seminar|meetup|workshop') then 'event'
            when regexp_matches(coalesce(campaign_members.campaign_type, ''), 'e-?mail|newsletter') then 'email_click'
            else 'campaign_response'
        end as touch_type

    from campaign_members
    left join identities
        on identities.identifier_type = 'contact'
        and identities.identifier_value = campaign_members.source_system || ':' || campaign_members.contact_id

),

campaign_touches as (

    select
        {{ tl_conformed(touchpoint_columns, {
            'touchpoint_id': "md5('campaign_member|' || source_system || '|' || campaign_id || '|' || contact_id)",
            'person_id': 'person_id',
            'occurred_at': 'responded_at',
            'team': "'marketing'",
            'channel': 'channel',
            'channel_detail': "coalesce(campaign_type, '(not set)')",
            'touch_type': 'touch_type',
            'campaign_id': 'campaign_id',
            'campaign_key': "source_system || ':' || campaign_id",
            'is_sales_touch': 'false',
            'is_deleted': 'false',
            'source_system': 'source_system',
            'source_record_id': "campaign_id || '|' || contact_id",
        }) }}

    from campaign_responses

),

activity_touches as (

    select
        {{ tl_conformed(touchpoint_columns, {
            'touchpoint_id': "md5('activity|' || activities.activity_key)",
            'person_id': 'identities.person_id',
            'occurred_at': 'activities.occurred_at',
            'team': "'sales'",
            'channel': 'activities.channel',
            'channel_detail': "activities.activity_type || coalesce(' / ' || activities.direction, '')",
            'touch_type': 'activities.activity_type',
            'activity_id': 'activities.activity_id',
            'owner_id': 'activities.owner_id',
            'deal_id': 'activities.deal_id',
            'activity_account_id': 'activities.account_id',
            'activity_account_source_system': 'case when activities.account_id is not null then activities.source_system end',
            'is_sales_touch': 'activities.is_sales_touch',
            'is_deleted': 'activities.is_deleted',
            'source_system': 'activities.source_system',
            'source_record_id': 'activities.activity_id',
        }) }}

    from activities
    left join identities
        on identities.identifier_type = 'contact'
        and identities.identifier_value = activities.contact_key
    where activities.occurred_at is not null

),

unioned as (

    select * from web_session_touches
    union all
    select * from form_submit_touches
    union all
    select * from campaign_touches
    union all
    select * from activity_touches

),

final as (

    select
        unioned.touchpoint_id,
        unioned.person_id,
        -- A sales activity's own account first; else the person's.
        coalesce(unioned.activity_account_id, people.account_id) as account_id,
        case when unioned.activity_account_id is not null then unioned.activity_account_source_system
            else people.account_source_system
        end as account_source_system,
        unioned.occurred_at,
        unioned.team,
        unioned.channel,
        unioned.channel_detail,
        unioned.touch_type,
        unioned.campaign_id,
        unioned.campaign_key,
        unioned.utm_source,
        unioned.utm_medium,
        unioned.utm_campaign,
        unioned.utm_term,
        unioned.utm_content,
        unioned.click_id_type,
        unioned.landing_page_path,
        unioned.referrer_host,
        unioned.session_id,
        unioned.activity_id,
        unioned.owner_id,
        unioned.deal_id,
        unioned.is_sales_touch,
        unioned.is_deleted,
        unioned.source_system,
        unioned.source_record_id

    from unioned
    left join people
        on people.person_id = unioned.person_id

)

select * from final
