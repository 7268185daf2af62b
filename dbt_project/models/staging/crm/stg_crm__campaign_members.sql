with

source as (

    select * from {{ source('raw', 'crm_campaign_members') }}

),

renamed as (

    select
        {{ tl_text('campaign_id') }} as campaign_id,
        {{ tl_text('contact_id') }} as contact_id,
        lower({{ tl_text('member_status') }}) as member_status,
        {{ tl_timestamp('responded_at') }} as responded_at,
        {{ tl_text('campaign_name') }} as campaign_name,
        lower({{ tl_text('campaign_type') }}) as campaign_type,
        {{ tl_timestamp('responded_at') }} is not null as has_responded,
        -- The export has no deleted flag; Salesforce's memberships do.
        false as is_deleted,
        'crm' as source_system,
        _loaded_at

    from source

),

deduplicated as (

    select * from renamed
    where campaign_id is not null and contact_id is not null
    qualify row_number() over (
        partition by campaign_id, contact_id order by _loaded_at desc nulls last
    ) = 1

)

select * from deduplicated
