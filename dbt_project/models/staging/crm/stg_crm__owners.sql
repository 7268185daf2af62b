with

source as (

    select * from {{ source('raw', 'crm_owners') }}

),

renamed as (

    select
        {{ tl_text('owner_id') }} as owner_id,
        {{ tl_text('name') }} as owner_name,
        {{ tl_email('email') }} as email,
        lower({{ tl_text('team') }}) as team,
        {{ tl_text('manager_id') }} as manager_id,
        {{ tl_text('region') }} as region,
        false as is_deleted,
        'crm' as source_system,
        _loaded_at

    from source

),

deduplicated as (

    select * from renamed
    where owner_id is not null
    qualify row_number() over (partition by owner_id order by _loaded_at desc nulls last) = 1

)

select * from deduplicated
