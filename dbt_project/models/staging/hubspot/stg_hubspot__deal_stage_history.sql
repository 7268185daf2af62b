with

source as (

    select * from {{ source('raw', 'hubspot_deal_stage_history') }}

),

renamed as (

    select
        {{ tl_text('deal_id') }} as deal_id,
        {{ tl_text('dealstage') }} as deal_stage,
        {{ tl_timestamp('entered_at') }} as entered_at,
        {{ tl_text('source_type') }} as source_type,
        'hubspot' as source_system

    from source

),

deduplicated as (

    select distinct * from renamed
    where deal_id is not null and deal_stage is not null and entered_at is not null

)

select * from deduplicated
