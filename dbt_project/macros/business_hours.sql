{#-
    The business-hours clock: CTEs that measure, for each row of `intervals` (a CTE or
    relation with the key columns `keys`, a start and an end instant), the seconds
    between start and end that fall in business hours (seed business_hours: weekday,
    start_hour, end_hour, local time in var('business_timezone')), leaving out
    business_holidays. The last CTE, named `name`, has one row per key with `seconds`;
    a key whose interval holds no business time has no row (count it as 0). Rows whose
    end is not after their start are skipped.
-#}
{% macro tl_business_seconds_ctes(intervals, keys, start_at, end_at, name) -%}
{%- set key_list = keys | join(', ') %}
{{ name }}_local_intervals as (

    select
        {{ key_list }},
        timezone('{{ var("business_timezone") }}', {{ start_at }}) as local_start,
        timezone('{{ var("business_timezone") }}', {{ end_at }}) as local_end

    from {{ intervals }}
    where {{ end_at }} > {{ start_at }}

),

{{ name }}_local_days as (

    select
        {{ key_list }},
        local_start,
        local_end,
        cast(unnest(generate_series(
            cast(local_start as date), cast(local_end as date), interval 1 day
        )) as date) as local_date

    from {{ name }}_local_intervals

),

{{ name }} as (

    select
        {%- for key in keys %}
        days.{{ key }},
        {%- endfor %}
        sum(greatest(0.0,
            epoch(least(days.local_end,
                cast(days.local_date as timestamp) + to_seconds(business_hours.end_hour * 3600)))
            - epoch(greatest(days.local_start,
                cast(days.local_date as timestamp) + to_seconds(business_hours.start_hour * 3600)))
        )) as seconds

    from {{ name }}_local_days as days
    inner join {{ ref('business_hours') }} as business_hours
        on business_hours.weekday = isodow(days.local_date)
    left join {{ ref('business_holidays') }} as holidays
        on holidays.holiday_date = days.local_date
    where holidays.holiday_date is null
    group by {% for key in keys %}days.{{ key }}{{ ', ' if not loop.last }}{% endfor %}

)
{%- endmacro %}
