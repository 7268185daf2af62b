-- One row per touchpoint of the journey: every touch with a time, of a live person
-- or of no person (an activity logged on an account), with the stage the person was
-- in and the touch's place in their journey. The logic behind fct_touchpoints, for the
-- models that build on the touches.
with

touchpoints as (

    select * from {{ ref('int_touchpoints_unioned') }}
    where not is_deleted
        and occurred_at is not null

),

live_people as (

    select person_id from {{ ref('int_people') }}
    where not is_deleted

),

journey_stages as (

    select touchpoint_id, stage, event_seq
    from {{ ref('int_journey_events_sequenced') }}
    where event_kind = 'touchpoint'

),

final as (

    select
        touchpoints.touchpoint_id,
        touchpoints.person_id,
        touchpoints.account_id,
        touchpoints.account_source_system,
        case when touchpoints.account_id is not null
            then touchpoints.account_source_system || ':' || touchpoints.account_id
        end as account_key,
        touchpoints.occurred_at,
        touchpoints.team,
        touchpoints.channel,
        touchpoints.touch_type,
        touchpoints.campaign_id,
        touchpoints.campaign_key,
        touchpoints.utm_source,
        touchpoints.utm_medium,
        touchpoints.utm_campaign,
        touchpoints.utm_term,
        touchpoints.utm_content,
        touchpoints.click_id_type,
        touchpoints.landing_page_path,
        touchpoints.referrer_host,
        touchpoints.session_id,
        touchpoints.activity_id,
        touchpoints.owner_id,
        touchpoints.deal_id,
        touchpoints.is_sales_touch,
        journey_stages.stage as stage_at_touch,
        journey_stages.event_seq,
        touchpoints.source_system,
        touchpoints.source_record_id

    from touchpoints
    left join journey_stages
        on journey_stages.touchpoint_id = touchpoints.touchpoint_id
    -- Account-only activities (no person) stay; touches of deleted people go.
    where touchpoints.person_id is null
        or touchpoints.person_id in (select person_id from live_people)

)

select * from final
