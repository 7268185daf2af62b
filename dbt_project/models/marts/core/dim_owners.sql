with

owners as (

    select * from {{ ref('int_owners_unioned') }}

),

final as (

    select
        owner_id,
        source_system,
        owner_name,
        email,
        team,
        manager_id,
        region,
        is_deleted

    from owners

)

select * from final
