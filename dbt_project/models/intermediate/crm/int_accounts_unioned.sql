-- Accounts (companies) from the file export, HubSpot and Salesforce on one column
-- set.
{%- set columns = [
    'account_id', 'account_name', 'domain', 'industry', 'region', 'country', 'employee_count',
    'annual_revenue', 'owner_id', 'created_at', 'updated_at', 'is_deleted', 'source_system'
] %}

with

crm_accounts as (

    select {{ columns | join(', ') }} from {{ ref('stg_crm__accounts') }}

),

hubspot_companies as (

    select {{ columns | join(', ') }} from {{ ref('stg_hubspot__companies') }}

),

salesforce_accounts as (

    select {{ columns | join(', ') }} from {{ ref('stg_salesforce__accounts') }}

),

unioned as (

    select * from crm_accounts
    union all
    select * from hubspot_companies
    union all
    select * from salesforce_accounts

),

final as (

    select
        *,
        source_system || ':' || account_id as account_key

    from unioned

)

select * from final
