with

source as (

    select * from {{ source('raw', 'crm_accounts') }}

),

renamed as (

    select
        {{ tl_text('account_id') }} as account_id,
        {{ tl_text('name') }} as account_name,
        {{ tl_domain(tl_text('domain')) }} as domain,
        {{ tl_text('industry') }} as industry,
        {{ tl_text('region') }} as region,
        {{ tl_text('country') }} as country,
        {{ tl_integer('employee_count') }} as employee_count,
        {{ tl_money('annual_revenue') }} as annual_revenue,
        {{ tl_text('owner_id') }} as owner_id,
        {{ tl_timestamp('created_at') }} as created_at,
        {{ tl_timestamp('updated_at') }} as updated_at,
        coalesce({{ tl_bool('is_deleted') }}, false) as is_deleted,
        'crm' as source_system,
        _loaded_at

    from source

),

-- raw is merged by key already; this keeps staging unique even if a loader did not.
deduplicated as (

    select * from renamed
    where account_id is not null
    qualify row_number() over (
        partition by account_id order by updated_at desc nulls last, _loaded_at desc nulls last
    ) = 1

)

select * from deduplicated
