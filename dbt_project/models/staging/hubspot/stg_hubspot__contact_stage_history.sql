with

source as (

    select * from {{ source('raw', 'hubspot_contact_stage_history') }}

),

renamed as (

    select
        {{ tl_text('contact_id') }} as contact_id,
        {{ tl_text('lifecyclestage') }} as lifecycle_stage,
        {{ tl_timestamp('entered_at') }} as entered_at,
        {{ tl_text('source_type') }} as source_type,
        'hubspot' as source_system

    from source

),

deduplicated as (

    select distinct * from renamed
    where contact_id is not null and lifecycle_stage is not null and entered_at is not null

)

select * from deduplicated
