-- Salesforce accounts conformed to the account columns of stg_crm__accounts. The
-- region is the custom field Region__c when the org has it and the connector reads
-- it (SALESFORCE_EXTRA_FIELDS=Account.Region__c), else the billing state, as
-- HubSpot's region falls back to its state.
{%- set columns = adapter.get_columns_in_relation(source('raw', 'salesforce_accounts')) | map(attribute='name') | map('lower') | list if execute else [] %}

with

source as (

    select * from {{ source('raw', 'salesforce_accounts') }}

),

renamed as (

    select
        {{ tl_text('id') }} as account_id,
        {{ tl_text('name') }} as account_name,
        {{ tl_domain(tl_text('website')) }} as domain,
        {{ tl_text('industry') }} as industry,
        coalesce(
            {% if 'region__c' in columns %}{{ tl_text('region__c') }}{% else %}cast(null as {{ dbt.type_string() }}){% endif %},
            {{ tl_text('billing_state') }}
        ) as region,
        {{ tl_text('billing_country') }} as country,
        {{ tl_integer('number_of_employees') }} as employee_count,
        {{ tl_money('annual_revenue') }} as annual_revenue,
        {{ tl_text('owner_id') }} as owner_id,
        {{ tl_timestamp('created_date') }} as created_at,
        coalesce({{ tl_timestamp('last_modified_date') }}, {{ tl_timestamp('system_modstamp') }}) as updated_at,
        coalesce({{ tl_bool('is_deleted') }}, false) as is_deleted,
        'salesforce' as source_system,
        _loaded_at,
        {{ tl_timestamp('system_modstamp') }} as _modstamp

    from source

),

deduplicated as (

    select * exclude (_modstamp) from renamed
    where account_id is not null
    qualify row_number() over (
        partition by account_id order by _modstamp desc nulls last, _loaded_at desc nulls last
    ) = 1

)

select * from deduplicated
