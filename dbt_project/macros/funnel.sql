{#-
    Cohort conversion through the funnel, shared by the person grain
    (fct_stage_conversions, fct_funnel_periods) and the account grain
    (fct_account_stage_conversions, fct_account_funnel_periods), so both grains
    count a conversion by the same rule.
-#}

{#- Each funnel stage and the stage a conversion from it is measured to; customer and closed_lost have none. -#}
{% macro tl_funnel_next_stages() -%}
    {{ return([('visitor', 'known'), ('known', 'lead'), ('lead', 'mql'), ('mql', 'sql'),
               ('sql', 'opportunity'), ('opportunity', 'customer')]) }}
{%- endmacro %}

{#- The next funnel stage of a stage (null for customer and closed_lost). -#}
{% macro tl_next_stage(expr) -%}
    case {{ expr }}
        {%- for stage, next_stage in tl_funnel_next_stages() %}
        when '{{ stage }}' then '{{ next_stage }}'
        {%- endfor %}
    end
{%- endmacro %}

{#-
    Body of a `reached` CTE: per `key` and stage of `entries` (first entries, with
    next_stage), the first stage change of `stage_changes` (key, event_at, stage,
    stage_rank) at or after the entry into the next stage or one beyond it (the funnel
    skips stages; closed_lost is beyond opportunity, not customer), and which stage
    that was.
-#}
{% macro tl_stage_conversions_reached(entries, stage_changes, key) -%}
    select
        {{ entries }}.{{ key }},
        {{ entries }}.stage,
        min({{ stage_changes }}.event_at) as reached_next_at,
        -- By event_seq: stages entered at one instant (reconciled ones) go in funnel order.
        arg_min({{ stage_changes }}.stage, {{ stage_changes }}.event_seq) as reached_next_stage

    from {{ entries }}
    inner join {{ stage_changes }}
        on {{ stage_changes }}.{{ key }} = {{ entries }}.{{ key }}
    where {{ entries }}.next_stage is not null
        and {{ stage_changes }}.event_at >= {{ entries }}.entered_at
        and {{ stage_changes }}.stage_rank >= {{ tl_stage_rank(entries ~ '.next_stage') }}
    group by {{ entries }}.{{ key }}, {{ entries }}.stage
{%- endmacro %}

{#-
    The CTEs `periods` ... `final` of a funnel-periods mart: per period (ISO week
    starting Monday, calendar month; UTC) and stage, the cohort that first entered the
    stage in the period (`conversions`: entered_at, stage, has_reached_next,
    days_to_next), named `cohort_column`; all entries of the period (`stage_changes`:
    event_at, stage), re-entries included; how many of the cohort reached the next
    stage since, the cohort conversion rate, and the median and 90th percentile of
    days to the next stage among those who got there.
-#}
{% macro tl_funnel_period_ctes(conversions, stage_changes, cohort_column) -%}
periods as (

    select 'week' as period_type
    union all
    select 'month'

),

cohorts as (

    select
        periods.period_type,
        cast(date_trunc(periods.period_type, {{ conversions }}.entered_at) as date) as period_start,
        {{ conversions }}.stage,
        count(*) as cohort_size,
        count(*) filter (where {{ conversions }}.has_reached_next) as reached_next,
        quantile_cont({{ conversions }}.days_to_next, 0.5) as median_days_to_next,
        quantile_cont({{ conversions }}.days_to_next, 0.9) as p90_days_to_next

    from {{ conversions }}
    cross join periods
    group by all

),

all_entries as (

    select
        periods.period_type,
        cast(date_trunc(periods.period_type, {{ stage_changes }}.event_at) as date) as period_start,
        {{ stage_changes }}.stage,
        count(*) as entries

    from {{ stage_changes }}
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
        {{ tl_next_stage('keys.stage') }} as next_stage,
        cast(coalesce(cohorts.cohort_size, 0) as bigint) as {{ cohort_column }},
        cast(coalesce(all_entries.entries, 0) as bigint) as entries,
        cast(coalesce(cohorts.reached_next, 0) as bigint) as reached_next,
        case when cohorts.cohort_size > 0 and keys.stage not in ('customer', 'closed_lost')
            then cohorts.reached_next * 1.0 / cohorts.cohort_size
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
{%- endmacro %}
