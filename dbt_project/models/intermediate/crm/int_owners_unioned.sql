-- CRM owners (users) from the file export, HubSpot and Salesforce on one column
-- set.
{%- set columns = [
    'owner_id', 'owner_name', 'email', 'team', 'manager_id', 'region', 'is_deleted', 'source_system'
] %}

with

unioned as (

    {{ tl_crm_union('owners', columns) }}

),

final as (

    select
        *,
        source_system || ':' || owner_id as owner_key

    from unioned

)

select * from final
