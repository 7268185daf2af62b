-- Per period (ISO week starting Monday, and calendar month), funnel stage: how many
-- people entered the stage for the first time (the period's cohort), how many of
-- that cohort reached the next stage (at any time since: recent cohorts are still
-- maturing), the cohort conversion rate, and the median and 90th percentile of days
-- from the stage to the next among those who got there (fct_stage_conversions).
with

conversions as (

    select * from {{ ref('fct_stage_conversions') }}

),

stage_changes as (

    select event_at, stage
    from {{ ref('customer_journey') }}
    where event_kind = 'stage_change'

),

periods as (

    select 'week' as period_type
    union all
    select 'month'

),

cohorts as (

    select
        periods.period_type,
        cast(date_trunc(periods.period_type, conversions.entered_at) as date) as period_start,
        conversions.stage,
        count(*) as people_entered,
        count(*) filter (where conversions.has_reached_next) as reached_next,
        quantile_cont(conversions.days_to_next, 0.5) as median_days_to_next,
        quantile_cont(conversions.days_to_next, 0.9) as p90_days_to_next

    from conversions
    cross join periods
    group by all

),

all_entries as (

    select
        periods.period_type,
        cast(date_trunc(periods.period_type, stage_changes.event_at) as date) as period_start,
        stage_changes.stage,
        count(*) as entries

    from stage_changes
    cross join periods
    group by all

),

keys as (

    select period_type, period_start, stage from cohorts
    union
    select period_type, period_start, stage from all_entries

),

final as (

    select
        md5(keys.period_type || '|' || cast(keys.period_start as {{ dbt.type_string() }}) || '|' || keys.stage)
            as funnel_period_id,
        keys.period_type,
        keys.period_start,
        keys.stage,
        cast({{ tl_stage_rank('keys.stage') }} as integer) as stage_rank,
        case keys.stage
            {%- for stage, next_stage in [('visitor', 'known'), ('known', 'lead'), ('lead', 'mql'), ('mql', 'sql'),
                                          ('sql', 'opportunity'), ('opportunity', 'customer')] %}
            when '{{ stage }}' then '{{ next_stage }}'
            {%- endfor %}
        end as next_stage,
        cast(coalesce(cohorts.people_entered, 0) as bigint) as people_entered,
        cast(coalesce(all_entries.entries, 0) as bigint) as entries,
        cast(coalesce(cohorts.reached_next, 0) as bigint) as reached_next,
        case when cohorts.people_entered > 0 and keys.stage not in ('customer', 'closed_lost')
            then cohorts.reached_next * 1.0 / cohorts.people_entered
        end as conversion_rate,
        cohorts.median_days_to_next,
        cohorts.p90_days_to_next

    from keys
    left join cohorts
        on cohorts.period_type = keys.period_type
        and cohorts.period_start = keys.period_start
        and cohorts.stage = keys.stage
    left join all_entries
        on all_entries.period_type = keys.period_type
        and all_entries.period_start = keys.period_start
        and all_entries.stage = keys.stage

)

select * from final
