-- One row per conversion and touch that may earn its credit: the touches from
-- window_start_at up to and including the conversion instant, of the person (lead,
-- mql, sql) or of the deal's buying group (opportunity, closed_won), numbered
-- 1..path_length in time order (ties by touchpoint_id). Flags the touch of each
-- position-based role: the first touch, and the last touch at or before each
-- milestone (lead created, opportunity created, deal won) -- the touch that "made"
-- the milestone. A role whose milestone falls before the window has no touch.
{%- set touch_columns = ['touchpoint_id', 'person_id', 'account_id', 'occurred_at', 'occurred_date', 'team',
                         'channel', 'touch_type', 'campaign_id', 'campaign_key', 'platform'] %}

with

conversions as (

    select * from {{ ref('int_attribution_conversions') }}

),

touches as (

    select * from {{ ref('int_attribution_touches') }}

),

deal_touches as (

    select * from {{ ref('int_deal_touches_matched') }}

),

person_paths as (

    select
        conversions.conversion_id,
        {%- for c in touch_columns %}
        touches.{{ c }}{{ ',' if not loop.last }}
        {%- endfor %}

    from conversions
    inner join touches
        on touches.person_id = conversions.person_id
    where conversions.deal_key is null
        and touches.is_attributable
        and touches.occurred_at >= conversions.window_start_at
        and touches.occurred_at <= conversions.converted_at

),

deal_paths as (

    select
        conversions.conversion_id,
        {%- for c in touch_columns %}
        deal_touches.{{ c }}{{ ',' if not loop.last }}
        {%- endfor %}

    from conversions
    inner join deal_touches
        on deal_touches.deal_key = conversions.deal_key
    where deal_touches.is_attributable
        and deal_touches.occurred_at >= conversions.window_start_at
        and deal_touches.occurred_at <= conversions.converted_at

),

unioned as (

    select * from person_paths
    union all
    select * from deal_paths

),

positioned as (

    select
        unioned.*,
        conversions.conversion_type,
        conversions.converted_at,
        conversions.lead_created_at,
        conversions.opportunity_created_at,
        conversions.won_at,
        row_number() over (
            partition by unioned.conversion_id order by unioned.occurred_at, unioned.touchpoint_id
        ) as touch_position,
        count(*) over (partition by unioned.conversion_id) as path_length

    from unioned
    inner join conversions
        on conversions.conversion_id = unioned.conversion_id

),

role_positions as (

    select
        conversion_id,
        max(touch_position) filter (where occurred_at <= lead_created_at) as lead_creation_position,
        max(touch_position) filter (where occurred_at <= opportunity_created_at) as opportunity_creation_position,
        max(touch_position) filter (where occurred_at <= won_at) as closed_won_position,
        coalesce(max(touch_position) filter (where channel <> 'direct'), max(touch_position))
            as last_non_direct_position

    from positioned
    group by conversion_id

),

final as (

    select
        positioned.conversion_id,
        positioned.conversion_type,
        positioned.converted_at,
        positioned.touchpoint_id,
        positioned.person_id,
        positioned.account_id,
        positioned.occurred_at,
        positioned.occurred_date,
        positioned.team,
        positioned.channel,
        positioned.touch_type,
        positioned.campaign_id,
        positioned.campaign_key,
        positioned.platform,
        positioned.touch_position,
        positioned.path_length,
        {{ tl_seconds_between('positioned.occurred_at', 'positioned.converted_at') }} / 86400.0
            as days_before_conversion,
        positioned.touch_position = 1 as is_first_touch,
        positioned.touch_position = positioned.path_length as is_last_touch,
        positioned.touch_position = role_positions.last_non_direct_position as is_last_non_direct_touch,
        coalesce(positioned.touch_position = role_positions.lead_creation_position, false)
            as is_lead_creation_touch,
        coalesce(positioned.touch_position = role_positions.opportunity_creation_position, false)
            as is_opportunity_creation_touch,
        coalesce(positioned.touch_position = role_positions.closed_won_position, false)
            as is_closed_won_touch,
        count(*) over (partition by positioned.conversion_id, positioned.channel) as channel_touches_in_path

    from positioned
    inner join role_positions
        on role_positions.conversion_id = positioned.conversion_id

)

select * from final
