-- HubSpot companies conformed to the account columns of stg_crm__accounts.
with

source as (

    select * from {{ source('raw', 'hubspot_companies') }}

),

renamed as (

    select
        {{ tl_text('id') }} as account_id,
        {{ tl_text('property_name') }} as account_name,
        {{ tl_domain(tl_text('property_domain')) }} as domain,
        {{ tl_text('property_industry') }} as industry,
        coalesce({{ tl_text('property_region') }}, {{ tl_text('property_state') }}) as region,
        {{ tl_text('property_country') }} as country,
        {{ tl_integer('property_numberofemployees') }} as employee_count,
        {{ tl_money('property_annualrevenue') }} as annual_revenue,
        {{ tl_text('property_hubspot_owner_id') }} as owner_id,
        coalesce({{ tl_timestamp('property_createdate') }}, {{ tl_timestamp('created_at') }}) as created_at,
        coalesce({{ tl_timestamp('property_hs_lastmodifieddate') }}, {{ tl_timestamp('updated_at') }}) as updated_at,
        coalesce({{ tl_bool('archived') }}, false) as is_deleted,
        'hubspot' as source_system,
        _loaded_at

    from source

),

deduplicated as (

    select * from renamed
    where account_id is not null
    qualify row_number() over (
        partition by account_id order by updated_at desc nulls last, _loaded_at desc nulls last
    ) = 1

)

select * from deduplicated
