-- Reads several models; Dagster reports it as a check of fct_attribution_credit.
{{ config(meta={'dagster': {'ref': {'name': 'fct_attribution_credit'}}}) }}

-- Every conversion is credited under every attribution model, and its credits add up
-- to 1 (they are decimals with the rounding remainder assigned, so exactly 1).
with

conversions as (

    select conversion_id from {{ ref('int_attribution_conversions') }}

),

models as (

    {%- for model in tl_attribution_models() %}
    select '{{ model }}' as attribution_model {{ 'union all' if not loop.last }}
    {%- endfor %}

),

sums as (

    select conversion_id, attribution_model, sum(credit) as total_credit, count(*) as credit_rows
    from {{ ref('fct_attribution_credit') }}
    group by conversion_id, attribution_model

)

select conversions.conversion_id, models.attribution_model, sums.total_credit, sums.credit_rows
from conversions
cross join models
left join sums
    on sums.conversion_id = conversions.conversion_id
    and sums.attribution_model = models.attribution_model
where sums.total_credit is null
    or abs(cast(sums.total_credit as double) - 1.0) >= 1e-9
