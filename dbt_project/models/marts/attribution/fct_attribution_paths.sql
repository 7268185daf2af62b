-- Why a conversion got its credit: its touches in order, the roles each played, and
-- each touch's share under every attribution model (0 where a model gives none).
-- A conversion with no touch in its window has one 'no_touch' row.
with

conversions as (

    select * from {{ ref('int_attribution_conversions') }}

),

paths as (

    select * from {{ ref('int_attribution_paths') }}

),

credits as (

    select * from {{ ref('fct_attribution_credit') }}

),

channel_paths as (

    select
        conversion_id,
        string_agg(channel, ' > ' order by touch_position) as channel_path

    from paths
    group by conversion_id

),

touch_shares as (

    select
        conversion_id,
        coalesce(touchpoint_id, 'no_touch') as touch_key,
        {%- for model in tl_attribution_models() %}
        coalesce(sum(credit) filter (where attribution_model = '{{ model }}'), 0) as {{ model }}_credit,
        {%- endfor %}
        sum(pipeline_credit) filter (where attribution_model = 'data_driven') as data_driven_pipeline_credit,
        sum(revenue_credit) filter (where attribution_model = 'data_driven') as data_driven_revenue_credit

    from credits
    group by conversion_id, coalesce(touchpoint_id, 'no_touch')

),

touches as (

    select
        paths.conversion_id,
        paths.touchpoint_id,
        paths.touch_position,
        paths.path_length,
        paths.occurred_at,
        paths.person_id as touch_person_id,
        paths.team,
        paths.channel,
        paths.touch_type,
        paths.campaign_key,
        paths.days_before_conversion,
        paths.is_first_touch,
        paths.is_lead_creation_touch,
        paths.is_opportunity_creation_touch,
        paths.is_closed_won_touch,
        paths.is_last_touch,
        paths.is_last_non_direct_touch

    from paths

    union all

    select
        conversions.conversion_id,
        null,
        null,
        0,
        null,
        null,
        null,
        {{ tl_no_touch_channel() }},
        null,
        null,
        null,
        false,
        false,
        false,
        false,
        false,
        false

    from conversions
    where not exists (select 1 from paths where paths.conversion_id = conversions.conversion_id)

),

final as (

    select
        md5(touches.conversion_id || '|' || coalesce(touches.touchpoint_id, 'no_touch')) as attribution_path_id,
        touches.conversion_id,
        conversions.conversion_type,
        conversions.converted_at,
        conversions.person_id as conversion_person_id,
        conversions.account_id as conversion_account_id,
        conversions.opportunity_id,
        conversions.opportunity_source_system,
        conversions.conversion_amount,
        '{{ var("reporting_currency_code") | upper }}' as reporting_currency_code,
        channel_paths.channel_path,
        cast(touches.touch_position as bigint) as touch_position,
        cast(touches.path_length as bigint) as path_length,
        touches.touchpoint_id,
        touches.occurred_at as touch_occurred_at,
        touches.touch_person_id,
        touches.team,
        touches.channel,
        touches.touch_type,
        touches.campaign_key,
        touches.days_before_conversion,
        touches.is_first_touch,
        touches.is_lead_creation_touch,
        touches.is_opportunity_creation_touch,
        touches.is_closed_won_touch,
        touches.is_last_touch,
        touches.is_last_non_direct_touch,
        {%- for model in tl_attribution_models() %}
        cast(touch_shares.{{ model }}_credit as decimal(18, 12)) as {{ model }}_credit,
        {%- endfor %}
        cast(touch_shares.data_driven_pipeline_credit as decimal(18, 4)) as data_driven_pipeline_credit,
        cast(touch_shares.data_driven_revenue_credit as decimal(18, 4)) as data_driven_revenue_credit

    from touches
    inner join conversions
        on conversions.conversion_id = touches.conversion_id
    left join channel_paths
        on channel_paths.conversion_id = touches.conversion_id
    left join touch_shares
        on touch_shares.conversion_id = touches.conversion_id
        and touch_shares.touch_key = coalesce(touches.touchpoint_id, 'no_touch')

)

select * from final
