-- Every touchpoint from every system on one column set: web session starts
-- (an `ad_click` when the visit came from an ad), form submissions, CRM campaign
-- responses, and sales activities. touchpoint_id is deterministic: md5 of the
-- kind of record and its natural key. A web touch's campaign, and then its
-- channel, is the ad campaign its visit was matched to (int_web_sessions).
-- Sales activities logged on an account but no contact have no person.
-- channel_detail is what the channel was decided from: a web session's
-- 'source / medium', a campaign's type, an activity's 'type / direction'.
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
        md5('web_session|' || session_people.session_id) as touchpoint_id,
        session_people.person_id,
        session_people.session_start_at as occurred_at,
        'marketing' as team,
        session_people.channel,
        session_people.session_source || ' / ' || session_people.session_medium as channel_detail,
        case when session_people.is_ad_click then 'ad_click' else 'session_start' end as touch_type,
        session_people.campaign_id,
        session_people.campaign_key,
        session_people.utm_source,
        session_people.utm_medium,
        session_people.utm_campaign,
        session_people.utm_term,
        session_people.utm_content,
        session_people.click_id_type,
        session_people.landing_page_path,
        session_people.referrer_host,
        session_people.session_id,
        cast(null as {{ dbt.type_string() }}) as activity_id,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as deal_id,
        cast(null as {{ dbt.type_string() }}) as activity_account_id,
        cast(null as {{ dbt.type_string() }}) as activity_account_source_system,
        false as is_sales_touch,
        false as is_deleted,
        'web' as source_system,
        session_people.session_id as source_record_id

    from session_people

),

form_submit_touches as (

    select
        md5('web_event|' || form_submits.message_id) as touchpoint_id,
        session_people.person_id,
        form_submits.event_at as occurred_at,
        'marketing' as team,
        session_people.channel,
        session_people.session_source || ' / ' || session_people.session_medium as channel_detail,
        'form_submit' as touch_type,
        session_people.campaign_id,
        session_people.campaign_key,
        session_people.utm_source,
        session_people.utm_medium,
        session_people.utm_campaign,
        session_people.utm_term,
        session_people.utm_content,
        session_people.click_id_type,
        form_submits.page_path as landing_page_path,
        session_people.referrer_host,
        form_submits.session_id,
        cast(null as {{ dbt.type_string() }}) as activity_id,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as deal_id,
        cast(null as {{ dbt.type_string() }}) as activity_account_id,
        cast(null as {{ dbt.type_string() }}) as activity_account_source_system,
        false as is_sales_touch,
        false as is_deleted,
        'web' as source_system,
        form_submits.message_id as source_record_id

    from form_submits
    inner join session_people
        on session_people.session_id = form_submits.session_id

),

campaign_touches as (

    select
        md5('campaign_member|' || campaign_members.source_system || '|'
            || campaign_members.campaign_id || '|' || campaign_members.contact_id) as touchpoint_id,
        identities.person_id,
        campaign_members.responded_at as occurred_at,
        'marketing' as team,
        {{ tl_campaign_type_channel('campaign_members.campaign_type') }} as channel,
        coalesce(campaign_members.campaign_type, '(not set)') as channel_detail,
        case
            when regexp_matches(coalesce(campaign_members.campaign_type, ''), 'webinar') then 'webinar'
            when regexp_matches(coalesce(campaign_members.campaign_type, ''), 'event|conference|trade|seminar|meetup|workshop') then 'event'
            when regexp_matches(coalesce(campaign_members.campaign_type, ''), 'e-?mail|newsletter') then 'email_click'
            else 'campaign_response'
        end as touch_type,
        campaign_members.campaign_id,
        campaign_members.source_system || ':' || campaign_members.campaign_id as campaign_key,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as utm_term,
        cast(null as {{ dbt.type_string() }}) as utm_content,
        cast(null as {{ dbt.type_string() }}) as click_id_type,
        cast(null as {{ dbt.type_string() }}) as landing_page_path,
        cast(null as {{ dbt.type_string() }}) as referrer_host,
        cast(null as {{ dbt.type_string() }}) as session_id,
        cast(null as {{ dbt.type_string() }}) as activity_id,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as deal_id,
        cast(null as {{ dbt.type_string() }}) as activity_account_id,
        cast(null as {{ dbt.type_string() }}) as activity_account_source_system,
        false as is_sales_touch,
        false as is_deleted,
        campaign_members.source_system,
        campaign_members.campaign_id || '|' || campaign_members.contact_id as source_record_id

    from campaign_members
    left join identities
        on identities.identifier_type = 'contact'
        and identities.identifier_value = campaign_members.source_system || ':' || campaign_members.contact_id

),

activity_touches as (

    select
        md5('activity|' || activities.activity_key) as touchpoint_id,
        identities.person_id,
        activities.occurred_at,
        'sales' as team,
        activities.channel,
        activities.activity_type || coalesce(' / ' || activities.direction, '') as channel_detail,
        activities.activity_type as touch_type,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_key,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as utm_term,
        cast(null as {{ dbt.type_string() }}) as utm_content,
        cast(null as {{ dbt.type_string() }}) as click_id_type,
        cast(null as {{ dbt.type_string() }}) as landing_page_path,
        cast(null as {{ dbt.type_string() }}) as referrer_host,
        cast(null as {{ dbt.type_string() }}) as session_id,
        activities.activity_id,
        activities.owner_id,
        activities.deal_id,
        activities.account_id as activity_account_id,
        case when activities.account_id is not null then activities.source_system end
            as activity_account_source_system,
        activities.is_sales_touch,
        activities.is_deleted,
        activities.source_system,
        activities.activity_id as source_record_id

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
