-- Daily ad performance from every ads source: the export files and the platform APIs,
-- in one column set (ads_source says which). Loading the same platform both ways
-- would count its spend twice: the unique test on the key stops that build.
with

files as (

    select *, 'file' as ads_source from {{ ref('base_ads__file_performance_daily') }}

),

api as (

    select *, 'api' as ads_source from {{ ref('base_ads__api_performance_daily') }}

),

final as (

    select * from files
    union all by name
    select * from api

)

select * from final
