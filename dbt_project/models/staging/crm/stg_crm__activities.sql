with

source as (

    select * from {{ source('raw', 'crm_activities') }}

),

renamed as (

    select
        {{ tl_text('activity_id') }} as activity_id,
        lower({{ tl_text('activity_type') }}) as activity_type,
        lower({{ tl_text('direction') }}) as direction,
        {{ tl_text('contact_id') }} as contact_id,
        {{ tl_text('account_id') }} as account_id,
        {{ tl_text('deal_id') }} as deal_id,
        {{ tl_text('owner_id') }} as owner_id,
        {{ tl_timestamp('occurred_at') }} as occurred_at,
        lower({{ tl_text('outcome') }}) as outcome,
        false as is_deleted,
        'crm' as source_system,
        _loaded_at

    from source

),

deduplicated as (

    select * from renamed
    where activity_id is not null
    qualify row_number() over (partition by activity_id order by _loaded_at desc nulls last) = 1

)

select * from deduplicated
