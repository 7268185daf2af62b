with

journey_events as (

    select * from {{ ref('int_journey_events_sequenced') }}

),

final as (

    select
        journey_event_id,
        person_id,
        account_id,
        event_at,
        event_seq,
        event_kind,
        stage,
        previous_stage,
        evidence,
        is_inferred,
        reported_entered_at,
        team,
        channel,
        touch_type,
        campaign_id,
        campaign_key,
        utm_source,
        utm_medium,
        utm_campaign,
        touchpoint_id,
        owner_id,
        is_sales_touch,
        source_system

    from journey_events

)

select * from final
