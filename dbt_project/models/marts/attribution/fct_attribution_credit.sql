-- One row per conversion, attribution model and touch that earns credit (credit > 0),
-- plus one 'no_touch' row per conversion and model when no touch falls inside the
-- lookback window, so every conversion is accounted for under every model. Weights
-- (see the yml for the formulas) are normalized per conversion and model, rounded to
-- 12 decimals, and the rounding remainder goes to the touch with the largest share
-- (ties: the later touch): credits add up to exactly 1. Pipeline and revenue credit
-- are credit x the conversion's amount, rounded to 4 decimals the same way, so they
-- add up to the deal's amount exactly.
{%- set half_life_days = var('attribution_half_life_days') %}

with

conversions as (

    select * from {{ ref('int_attribution_conversions') }}

),

paths as (

    select * from {{ ref('int_attribution_paths') }}

),

markov_weights as (

    select conversion_type, channel, channel_weight
    from {{ ref('int_attribution_markov_channel_weights') }}

),

path_roles as (

    select
        paths.*,
        cast(paths.is_first_touch as integer) + cast(paths.is_lead_creation_touch as integer)
            + cast(paths.is_opportunity_creation_touch as integer) as w_roles,
        cast(paths.is_first_touch as integer) + cast(paths.is_lead_creation_touch as integer)
            + cast(paths.is_opportunity_creation_touch as integer) + cast(paths.is_closed_won_touch as integer)
            as full_path_roles,
        markov_weights.channel_weight / paths.channel_touches_in_path as markov_touch_weight

    from paths
    left join markov_weights
        on markov_weights.conversion_type = paths.conversion_type
        and markov_weights.channel = paths.channel

),

path_totals as (

    select
        *,
        count(*) filter (where w_roles = 0) over (partition by conversion_id) as w_other_touches,
        count(*) filter (where full_path_roles = 0) over (partition by conversion_id) as full_path_other_touches,
        sum(markov_touch_weight) over (partition by conversion_id) as markov_path_weight

    from path_roles

),

weights as (

    select
        *,
        {%- for model, weight in [
            ('first_touch', "case when is_first_touch then 1.0 else 0.0 end"),
            ('last_touch', "case when is_last_touch then 1.0 else 0.0 end"),
            ('last_non_direct', "case when is_last_non_direct_touch then 1.0 else 0.0 end"),
            ('linear', "1.0"),
            ('time_decay', "power(0.5, days_before_conversion / " ~ half_life_days ~ ")"),
            ('u_shaped', "case when path_length = 1 then 1.0 when path_length = 2 then 0.5
                when is_first_touch or is_last_touch then 0.4 else 0.2 / (path_length - 2) end"),
            ('w_shaped', "case when w_roles > 0 then 0.3 * w_roles else 0.1 / w_other_touches end"),
            ('full_path', "case when full_path_roles > 0 then 0.225 * full_path_roles
                else 0.1 / full_path_other_touches end"),
            ('data_driven', "case when coalesce(markov_path_weight, 0) > 0
                then coalesce(markov_touch_weight, 0.0) else 1.0 end"),
        ] %}
        cast({{ weight }} as double) as weight_{{ model }}{{ ',' if not loop.last }}
        {%- endfor %}

    from path_totals

),

unpivoted as (

    {%- for model in tl_attribution_models() %}
    select
        conversion_id,
        '{{ model }}' as attribution_model,
        touchpoint_id,
        person_id,
        account_id,
        occurred_at,
        occurred_date,
        team,
        channel,
        touch_type,
        campaign_id,
        campaign_key,
        platform,
        touch_position,
        path_length,
        days_before_conversion,
        weight_{{ model }} as weight

    from weights
    where weight_{{ model }} > 0
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

touch_credits as (

    select
        *,
        weight / sum(weight) over (partition by conversion_id, attribution_model) as credit_share

    from unpivoted

),

no_touch_credits as (

    {%- for model in tl_attribution_models() %}
    select
        conversions.conversion_id,
        '{{ model }}' as attribution_model,
        cast(null as {{ dbt.type_string() }}) as touchpoint_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(null as timestamp with time zone) as occurred_at,
        cast(null as date) as occurred_date,
        cast(null as {{ dbt.type_string() }}) as team,
        {{ tl_no_touch_channel() }} as channel,
        cast(null as {{ dbt.type_string() }}) as touch_type,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_key,
        cast(null as {{ dbt.type_string() }}) as platform,
        cast(null as bigint) as touch_position,
        cast(0 as bigint) as path_length,
        cast(null as double) as days_before_conversion,
        cast(1.0 as double) as weight,
        cast(1.0 as double) as credit_share

    from conversions
    where not exists (select 1 from paths where paths.conversion_id = conversions.conversion_id)
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

credits as (

    select * from touch_credits
    union all
    select * from no_touch_credits

),

anchored as (

    select
        credits.*,
        conversions.conversion_type,
        conversions.converted_at,
        conversions.person_id as conversion_person_id,
        conversions.account_id as conversion_account_id,
        conversions.opportunity_id,
        conversions.opportunity_source_system,
        conversions.conversion_amount,
        row_number() over (
            partition by credits.conversion_id, credits.attribution_model
            order by credits.credit_share desc, credits.touch_position desc nulls last
        ) = 1 as is_remainder_row

    from credits
    inner join conversions
        on conversions.conversion_id = credits.conversion_id

),

final as (

    select
        md5(conversion_id || '|' || attribution_model || '|' || coalesce(touchpoint_id, 'no_touch'))
            as attribution_credit_id,
        conversion_id,
        conversion_type,
        attribution_model,
        converted_at,
        conversion_person_id,
        conversion_account_id,
        opportunity_id,
        opportunity_source_system,
        touchpoint_id,
        person_id as touch_person_id,
        occurred_at as touch_occurred_at,
        coalesce(occurred_date, cast(converted_at as date)) as credit_date,
        team,
        channel,
        touch_type,
        campaign_id,
        campaign_key,
        platform,
        touch_position,
        path_length,
        days_before_conversion,
        cast({{ tl_round_to_total('credit_share', '1', 'conversion_id, attribution_model', 'is_remainder_row', 18, 12) }}
            as decimal(18, 12)) as credit,
        '{{ var("reporting_currency_code") | upper }}' as reporting_currency_code,
        conversion_amount,
        case when conversion_type = 'opportunity' and conversion_amount is not null then
            cast({{ tl_round_to_total('credit_share * cast(conversion_amount as double)', 'conversion_amount',
                'conversion_id, attribution_model', 'is_remainder_row', 18, 4) }} as decimal(18, 4))
        end as pipeline_credit,
        case when conversion_type = 'closed_won' and conversion_amount is not null then
            cast({{ tl_round_to_total('credit_share * cast(conversion_amount as double)', 'conversion_amount',
                'conversion_id, attribution_model', 'is_remainder_row', 18, 4) }} as decimal(18, 4))
        end as revenue_credit

    from anchored

)

select * from final
