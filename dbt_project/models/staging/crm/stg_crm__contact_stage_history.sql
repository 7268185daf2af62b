with

source as (

    select * from {{ source('raw', 'crm_contact_stage_history') }}

),

renamed as (

    select
        {{ tl_text('contact_id') }} as contact_id,
        {{ tl_text('lifecycle_stage') }} as lifecycle_stage,
        {{ tl_timestamp('entered_at') }} as entered_at,
        cast(null as {{ dbt.type_string() }}) as source_type,
        'crm' as source_system

    from source

),

deduplicated as (

    select distinct * from renamed
    where contact_id is not null and lifecycle_stage is not null and entered_at is not null

)

select * from deduplicated
