-- Salesforce users conformed to the owner columns of stg_crm__owners. The team is
-- the user's Department (Sales, SDR, Marketing), else the name of their role:
-- Department names the team, while roles are positions in the role hierarchy
-- (Account Executive, VP Sales). Users are never deleted, only deactivated:
-- an inactive user is is_deleted, as an archived HubSpot owner is.
with

source as (

    select * from {{ source('raw', 'salesforce_users') }}

),

renamed as (

    select
        {{ tl_text('id') }} as owner_id,
        coalesce(
            {{ tl_text('name') }},
            nullif(trim(concat_ws(' ', {{ tl_text('first_name') }}, {{ tl_text('last_name') }})), '')
        ) as owner_name,
        {{ tl_email('email') }} as email,
        lower(coalesce({{ tl_text('department') }}, {{ tl_text('user_role_name') }})) as team,
        {{ tl_text('manager_id') }} as manager_id,
        {{ tl_text('division') }} as region,
        coalesce(not {{ tl_bool('is_active') }}, false) as is_deleted,
        'salesforce' as source_system,
        _loaded_at,
        coalesce({{ tl_timestamp('system_modstamp') }}, {{ tl_timestamp('last_modified_date') }}) as _updated_at

    from source

),

deduplicated as (

    select * exclude (_updated_at) from renamed
    where owner_id is not null
    qualify row_number() over (
        partition by owner_id order by _updated_at desc nulls last, _loaded_at desc nulls last
    ) = 1

)

select * from deduplicated
