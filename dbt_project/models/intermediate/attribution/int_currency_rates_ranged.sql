-- One row per currency and validity range: the rate that converts the currency into
-- var('reporting_currency_code'). A range starts wherever the currency's rate or the
-- reporting currency's rate changes; the first range reaches back to the beginning
-- of time (a date before the first rate uses the first rate).
{%- set reporting = var('reporting_currency_code') | upper %}

with

rates as (

    select
        upper(trim(currency_code)) as currency_code,
        cast(rate_to_usd as double) as rate_to_usd,
        cast(valid_from as date) as valid_from

    from {{ ref('currency_rates') }}

),

currencies as (

    select distinct currency_code from rates

),

change_points as (

    select currencies.currency_code, rates.valid_from
    from currencies
    inner join rates
        on rates.currency_code = currencies.currency_code

    union

    select currencies.currency_code, reporting_rates.valid_from
    from currencies
    cross join (select valid_from from rates where currency_code = '{{ reporting }}') as reporting_rates

),

first_rates as (

    select currency_code, arg_min(rate_to_usd, valid_from) as first_rate_to_usd
    from rates
    group by currency_code

),

point_rates as (

    select
        change_points.currency_code,
        change_points.valid_from,
        coalesce(own_rate.rate_to_usd, own_first.first_rate_to_usd) as rate_to_usd,
        coalesce(reporting_rate.rate_to_usd, reporting_first.first_rate_to_usd) as reporting_rate_to_usd

    from change_points
    asof left join rates as own_rate
        on own_rate.currency_code = change_points.currency_code
        and change_points.valid_from >= own_rate.valid_from
    asof left join (select * from rates where currency_code = '{{ reporting }}') as reporting_rate
        on change_points.valid_from >= reporting_rate.valid_from
    left join first_rates as own_first
        on own_first.currency_code = change_points.currency_code
    left join (select * from first_rates where currency_code = '{{ reporting }}') as reporting_first
        on true

),

final as (

    select
        currency_code,
        case when row_number() over (partition by currency_code order by valid_from) = 1
            then cast('-infinity' as date) else valid_from
        end as valid_from,
        coalesce(lead(valid_from) over (partition by currency_code order by valid_from), cast('infinity' as date))
            as valid_to,
        rate_to_usd,
        reporting_rate_to_usd,
        rate_to_usd / reporting_rate_to_usd as rate_to_reporting,
        '{{ reporting }}' as reporting_currency_code

    from point_rates

)

select * from final
