-- Ad platform campaigns from every ads source: the export files and the platform APIs
-- (ads_source says which).
with

files as (

    select *, 'file' as ads_source from {{ ref('base_ads__file_campaigns') }}

),

api as (

    select *, 'api' as ads_source from {{ ref('base_ads__api_campaigns') }}

),

final as (

    select * from files
    union all by name
    select * from api

)

select * from final
