-- Salesforce campaign members (with their campaign) conformed to the columns of
-- stg_crm__campaign_members, plus is_deleted (a member removed from the campaign,
-- or whose lead or contact was deleted), kept and flagged as everywhere else.
-- - contact_id: the member's ContactId; else its lead's converted contact (when
--   landed); else the lead itself, which is a person in stg_salesforce__contacts.
-- - responded_at: only when HasResponded; FirstRespondedDate is a day, so the
--   member's CreatedDate is used when it falls on that day (a response often creates
--   the member), else the start of the day. has_responded is Salesforce's
--   HasResponded, which a status may set without a FirstRespondedDate.
-- A person who was a member both as a lead and as a contact keeps one row: the
-- responded one, then the earliest response, then the latest change.
with

members as (

    select * from {{ source('raw', 'salesforce_campaign_members') }}

),

campaigns as (

    select
        {{ tl_text('id') }} as campaign_id,
        {{ tl_text('name') }} as campaign_name,
        lower({{ tl_text('type') }}) as campaign_type

    from {{ source('raw', 'salesforce_campaigns') }}
    where {{ tl_text('id') }} is not null
    qualify row_number() over (
        partition by {{ tl_text('id') }}
        order by {{ tl_timestamp('system_modstamp') }} desc nulls last, _loaded_at desc nulls last
    ) = 1

),

leads as (

    select
        {{ tl_text('id') }} as lead_id,
        {{ tl_text('converted_contact_id') }} as converted_contact_id

    from {{ source('raw', 'salesforce_leads') }}
    where {{ tl_bool('is_converted') }} and {{ tl_text('converted_contact_id') }} is not null
    qualify row_number() over (
        partition by {{ tl_text('id') }} order by {{ tl_timestamp('system_modstamp') }} desc nulls last
    ) = 1

),

landed_contacts as (

    select distinct {{ tl_text('id') }} as contact_id
    from {{ source('raw', 'salesforce_contacts') }}

),

renamed as (

    select
        {{ tl_text('id') }} as member_id,
        {{ tl_text('campaign_id') }} as campaign_id,
        {{ tl_text('contact_id') }} as member_contact_id,
        {{ tl_text('lead_id') }} as member_lead_id,
        lower({{ tl_text('status') }}) as member_status,
        coalesce({{ tl_bool('has_responded') }}, false) as has_responded,
        {{ tl_date('first_responded_date') }} as first_responded_date,
        {{ tl_timestamp('created_date') }} as created_at,
        coalesce({{ tl_bool('is_deleted') }}, false) as is_deleted,
        _loaded_at,
        {{ tl_timestamp('system_modstamp') }} as _modstamp

    from members
    where {{ tl_text('id') }} is not null
    qualify row_number() over (
        partition by {{ tl_text('id') }}
        order by {{ tl_timestamp('system_modstamp') }} desc nulls last, _loaded_at desc nulls last
    ) = 1

),

resolved as (

    select
        renamed.campaign_id,
        coalesce(
            renamed.member_contact_id,
            case when landed_contacts.contact_id is not null then leads.converted_contact_id end,
            renamed.member_lead_id
        ) as contact_id,
        renamed.member_status,
        case when renamed.has_responded then
            case
                when cast(renamed.created_at as date) = renamed.first_responded_date then renamed.created_at
                else cast(renamed.first_responded_date as timestamptz)
            end
        end as responded_at,
        renamed.has_responded,
        renamed.is_deleted,
        renamed._loaded_at,
        renamed._modstamp

    from renamed
    left join leads
        on leads.lead_id = renamed.member_lead_id
    left join landed_contacts
        on landed_contacts.contact_id = leads.converted_contact_id

),

deduplicated as (

    select * from resolved
    where campaign_id is not null and contact_id is not null
    qualify row_number() over (
        partition by campaign_id, contact_id
        order by is_deleted, has_responded desc, responded_at nulls last, _modstamp desc nulls last
    ) = 1

),

final as (

    select
        deduplicated.campaign_id,
        deduplicated.contact_id,
        deduplicated.member_status,
        deduplicated.responded_at,
        campaigns.campaign_name,
        campaigns.campaign_type,
        deduplicated.has_responded,
        deduplicated.is_deleted,
        'salesforce' as source_system,
        deduplicated._loaded_at

    from deduplicated
    left join campaigns
        on campaigns.campaign_id = deduplicated.campaign_id

)

select * from final
