with

source as (

    select * from {{ source('raw', 'crm_deal_stage_history') }}

),

renamed as (

    select
        {{ tl_text('deal_id') }} as deal_id,
        {{ tl_text('deal_stage') }} as deal_stage,
        {{ tl_timestamp('entered_at') }} as entered_at,
        cast(null as {{ dbt.type_string() }}) as source_type,
        'crm' as source_system

    from source

),

deduplicated as (

    select distinct * from renamed
    where deal_id is not null and deal_stage is not null and entered_at is not null

)

select * from deduplicated
