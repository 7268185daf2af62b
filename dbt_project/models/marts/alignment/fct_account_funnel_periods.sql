-- Per period (ISO week starting Monday, and calendar month), funnel stage: how many
-- accounts entered the stage for the first time (the period's cohort), how many of
-- that cohort reached the next stage (at any time since: recent cohorts are still
-- maturing), the cohort conversion rate, and the median and 90th percentile of days
-- from the stage to the next among those who got there (fct_account_stage_conversions).
-- The account grain of fct_funnel_periods, by the same steps (macros/funnel.sql); a
-- separate table so that adding up fct_funnel_periods never mixes people and accounts.
with

conversions as (

    select * from {{ ref('fct_account_stage_conversions') }}

),

stage_changes as (

    select event_at, stage
    from {{ ref('account_journey') }}
    where event_kind = 'stage_change'

),

{{ tl_funnel_period_ctes('conversions', 'stage_changes', 'accounts_entered') }}

select * from final
