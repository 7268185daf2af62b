with

source as (

    select * from {{ source('raw', 'crm_contacts') }}

),

renamed as (

    select
        {{ tl_text('contact_id') }} as contact_id,
        {{ tl_email('email') }} as email,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        {{ tl_text('account_id') }} as account_id,
        {{ tl_text('owner_id') }} as owner_id,
        {{ tl_text('lifecycle_stage') }} as lifecycle_stage,
        {{ tl_text('lead_status') }} as lead_status,
        {{ tl_number('lead_score') }} as lead_score,
        {{ tl_text('original_source') }} as original_source,
        {{ tl_timestamp('created_at') }} as created_at,
        {{ tl_timestamp('updated_at') }} as updated_at,
        coalesce({{ tl_bool('is_deleted') }}, false) as is_deleted,
        {{ tl_timestamp('became_lead_at') }} as became_lead_at,
        {{ tl_timestamp('became_mql_at') }} as became_mql_at,
        {{ tl_timestamp('became_sql_at') }} as became_sql_at,
        {{ tl_timestamp('became_opportunity_at') }} as became_opportunity_at,
        {{ tl_timestamp('became_customer_at') }} as became_customer_at,
        'crm' as source_system,
        _loaded_at

    from source

),

deduplicated as (

    select * from renamed
    where contact_id is not null
    qualify row_number() over (
        partition by contact_id order by updated_at desc nulls last, _loaded_at desc nulls last
    ) = 1

)

select * from deduplicated
