with

people as (

    select * from {{ ref('int_people') }}

),

final as (

    select
        person_id,
        anchor_type,
        email,
        first_name,
        last_name,
        contact_id,
        contact_source_system,
        account_id,
        account_source_system,
        owner_id,
        lifecycle_stage,
        lead_status,
        crm_canonical_stage,
        lead_score,
        original_source,
        lead_source_channel,
        lead_source_detail,
        has_unmapped_lead_source,
        contact_created_at,
        first_seen_at,
        first_identified_at,
        contact_count,
        anonymous_id_count,
        user_id_count,
        is_known,
        is_contact,
        is_deleted

    from people

)

select * from final
