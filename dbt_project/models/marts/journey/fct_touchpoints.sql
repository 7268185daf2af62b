-- The contract columns of int_touchpoints_sequenced, where the rules live.
with

touchpoints as (

    select * from {{ ref('int_touchpoints_sequenced') }}

),

final as (

    select
        touchpoint_id,
        person_id,
        account_id,
        occurred_at,
        team,
        channel,
        touch_type,
        campaign_id,
        campaign_key,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_term,
        utm_content,
        click_id_type,
        landing_page_path,
        referrer_host,
        session_id,
        activity_id,
        owner_id,
        deal_id,
        is_sales_touch,
        stage_at_touch,
        event_seq,
        source_system,
        source_record_id

    from touchpoints

)

select * from final
