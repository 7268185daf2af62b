-- HubSpot owners conformed to the owner columns of stg_crm__owners.
with

source as (

    select * from {{ source('raw', 'hubspot_owners') }}

),

renamed as (

    select
        {{ tl_text('id') }} as owner_id,
        nullif(trim(concat_ws(' ', {{ tl_text('first_name') }}, {{ tl_text('last_name') }})), '') as owner_name,
        {{ tl_email('email') }} as email,
        lower({{ tl_text('team_name') }}) as team,
        cast(null as {{ dbt.type_string() }}) as manager_id,
        cast(null as {{ dbt.type_string() }}) as region,
        coalesce({{ tl_bool('archived') }}, false) as is_deleted,
        'hubspot' as source_system,
        _loaded_at

    from source

),

deduplicated as (

    select * from renamed
    where owner_id is not null
    qualify row_number() over (partition by owner_id order by _loaded_at desc nulls last) = 1

)

select * from deduplicated
