-- Reads several models; Dagster reports it as a check of stg_ads__ad_performance_daily.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_ads__ad_performance_daily'}}}) }}

-- Ad spend in a currency the currency_rates seed does not know converts to nothing
-- (it is never added up unconverted): add the currency's rate to the seed.
select distinct
    ad_performance.platform,
    coalesce(ad_performance.currency_code, upper('{{ var("default_currency_code") }}')) as currency_code
from {{ ref('stg_ads__ad_performance_daily') }} as ad_performance
left join {{ ref('int_currency_rates_ranged') }} as rates
    on rates.currency_code = coalesce(ad_performance.currency_code, upper('{{ var("default_currency_code") }}'))
where rates.currency_code is null
    and ad_performance.spend <> 0
