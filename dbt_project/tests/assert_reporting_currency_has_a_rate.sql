-- var('reporting_currency_code') must be in the currency_rates seed, or nothing converts.
select '{{ var("reporting_currency_code") | upper }}' as reporting_currency_code
where not exists (
    select 1 from {{ ref('currency_rates') }}
    where upper(currency_code) = '{{ var("reporting_currency_code") | upper }}'
)
