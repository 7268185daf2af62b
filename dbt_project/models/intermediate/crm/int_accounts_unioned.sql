-- Accounts (companies) from the file export, HubSpot and Salesforce on one column
-- set.
{%- set columns = [
    'account_id', 'account_name', 'domain', 'industry', 'region', 'country', 'employee_count',
    'annual_revenue', 'owner_id', 'created_at', 'updated_at', 'is_deleted', 'source_system'
] %}

with

unioned as (

    {{ tl_crm_union('accounts', columns) }}

),

final as (

    select
        *,
        source_system || ':' || account_id as account_key

    from unioned

)

select * from final
