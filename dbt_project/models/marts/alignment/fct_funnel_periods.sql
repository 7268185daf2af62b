-- Per period (ISO week starting Monday, and calendar month), funnel stage: how many
-- people entered the stage for the first time (the period's cohort), how many of
-- that cohort reached the next stage (at any time since: recent cohorts are still
-- maturing), the cohort conversion rate, and the median and 90th percentile of days
-- from the stage to the next among those who got there (fct_stage_conversions).
-- The steps are macros/funnel.sql's, shared with fct_account_funnel_periods.
with

conversions as (

    select * from {{ ref('fct_stage_conversions') }}

),

stage_changes as (

    select event_at, stage
    from {{ ref('customer_journey') }}
    where event_kind = 'stage_change'

),

{{ tl_funnel_period_ctes('conversions', 'stage_changes', 'people_entered') }}

select * from final
