with

source as (

    select * from {{ source('raw', 'crm_deals') }}

),

renamed as (

    select
        {{ tl_text('deal_id') }} as deal_id,
        cast(null as {{ dbt.type_string() }}) as deal_name,
        {{ tl_text('account_id') }} as account_id,
        {{ tl_text('contact_id') }} as contact_id,
        {{ tl_text('owner_id') }} as owner_id,
        {{ tl_text('pipeline') }} as pipeline,
        {{ tl_text('deal_stage') }} as deal_stage,
        {{ tl_money('amount') }} as amount,
        upper({{ tl_text('currency') }}) as currency_code,
        {{ tl_timestamp('created_at') }} as created_at,
        {{ tl_timestamp('closed_at') }} as closed_at,
        {{ tl_bool('is_closed') }} as is_closed,
        {{ tl_bool('is_won') }} as is_won,
        {{ tl_text('lost_reason') }} as lost_reason,
        {{ tl_timestamp('updated_at') }} as updated_at,
        coalesce({{ tl_bool('is_deleted') }}, false) as is_deleted,
        'crm' as source_system,
        _loaded_at

    from source

),

deduplicated as (

    select * from renamed
    where deal_id is not null
    qualify row_number() over (
        partition by deal_id order by updated_at desc nulls last, _loaded_at desc nulls last
    ) = 1

)

select * from deduplicated
