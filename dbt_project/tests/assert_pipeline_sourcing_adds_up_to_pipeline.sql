-- Reads several models; Dagster reports it as a check of fct_pipeline_sourcing.
{{ config(meta={'dagster': {'ref': {'name': 'fct_pipeline_sourcing'}}}) }}

-- Marketing-sourced, marketing-influenced and sales-sourced pipeline are exclusive:
-- for each period type they add up to the pipeline of every deal with a created date.
with

totals as (

    select coalesce(sum(pipeline_amount), 0) as total_pipeline
    from {{ ref('fct_pipeline_deals') }}
    where created_at is not null

),

by_period_type as (

    select period_type, sum(pipeline_amount) as sourced_pipeline
    from {{ ref('fct_pipeline_sourcing') }}
    group by period_type

)

select by_period_type.*, totals.total_pipeline
from by_period_type
cross join totals
where by_period_type.sourced_pipeline <> totals.total_pipeline
