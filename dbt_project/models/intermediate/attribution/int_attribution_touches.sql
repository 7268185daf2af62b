-- One row per touch of the journey the customer saw: every marketing touch and every
-- customer-facing sales touch (calls, meetings, outbound e-mails); tasks, notes and
-- the customer's own e-mails are not. is_attributable says whether the touch can earn
-- attribution credit (sales touches only while var('attribution_include_sales_touches')).
-- Carries the account key (source system and id) that account-based deals match on,
-- and the ad platform or CRM that ran the touch's campaign.
with

touchpoints as (

    select * from {{ ref('int_touchpoints_sequenced') }}

),

final as (

    select
        touchpoints.touchpoint_id,
        touchpoints.person_id,
        touchpoints.account_id,
        touchpoints.account_key,
        touchpoints.occurred_at,
        cast(touchpoints.occurred_at as date) as occurred_date,
        touchpoints.team,
        touchpoints.channel,
        touchpoints.touch_type,
        touchpoints.campaign_id,
        touchpoints.campaign_key,
        case
            when touchpoints.campaign_key like 'ads:%' then split_part(touchpoints.campaign_key, ':', 2)
            when touchpoints.campaign_key is not null then split_part(touchpoints.campaign_key, ':', 1)
        end as platform,
        touchpoints.is_sales_touch,
        {%- if var('attribution_include_sales_touches') %}
        true as is_attributable
        {%- else %}
        touchpoints.team = 'marketing' as is_attributable
        {%- endif %}

    from touchpoints
    where touchpoints.team = 'marketing' or touchpoints.is_sales_touch

)

select * from final
