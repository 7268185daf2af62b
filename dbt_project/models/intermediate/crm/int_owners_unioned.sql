-- CRM owners (users) from the file export, HubSpot and Salesforce on one column
-- set.
{%- set columns = [
    'owner_id', 'owner_name', 'email', 'team', 'manager_id', 'region', 'is_deleted', 'source_system'
] %}

with

crm_owners as (

    select {{ columns | join(', ') }} from {{ ref('stg_crm__owners') }}

),

hubspot_owners as (

    select {{ columns | join(', ') }} from {{ ref('stg_hubspot__owners') }}

),

salesforce_owners as (

    select {{ columns | join(', ') }} from {{ ref('stg_salesforce__owners') }}

),

unioned as (

    select * from crm_owners
    union all
    select * from hubspot_owners
    union all
    select * from salesforce_owners

),

final as (

    select
        *,
        source_system || ':' || owner_id as owner_key

    from unioned

)

select * from final
