-- Reads several models; Dagster reports it as a check of fct_channel_performance_daily.
{{ config(meta={'dagster': {'ref': {'name': 'fct_channel_performance_daily'}}}) }}

-- Under every attribution model, the pipeline and won revenue credited to channels
-- add up to the pipeline of all deals created and the revenue of all deals won
-- (reporting currency): nothing is lost to deals without touches or to rounding.
with

totals as (

    select
        coalesce(sum(pipeline_amount) filter (where created_at is not null), 0) as total_pipeline,
        coalesce(sum(won_amount) filter (where is_won and closed_at is not null), 0) as total_won_revenue

    from {{ ref('int_opportunities_converted') }}

),

by_model as (

    select attribution_model, sum(pipeline_amount) as channel_pipeline, sum(won_revenue) as channel_won_revenue
    from {{ ref('fct_channel_performance_daily') }}
    group by attribution_model

)

select by_model.*, totals.*
from by_model
cross join totals
where by_model.channel_pipeline <> totals.total_pipeline
    or by_model.channel_won_revenue <> totals.total_won_revenue
