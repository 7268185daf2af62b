-- People: one row per person_id of int_identities_resolved, with the CRM
-- contact that anchors them (if any), their e-mail, account and web footprint.
-- The account is the anchor contact's (the CRM decides for its contacts); for a
-- person who is not a CRM contact, the one live account whose domain is their
-- e-mail's domain, if exactly one has it.
with

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

contacts as (

    select * from {{ ref('int_contacts_unioned') }}

),

accounts as (

    select * from {{ ref('int_accounts_unioned') }}

),

people as (

    select
        person_id,
        min(anchor_type) as anchor_type,
        min(anchor_value) as anchor_value,
        min(email) filter (where identifier_type = 'email') as any_email,
        count(*) filter (where identifier_type = 'contact') as contact_count,
        count(*) filter (where identifier_type = 'anonymous_id') as anonymous_id_count,
        count(*) filter (where identifier_type = 'user_id') as user_id_count,
        min(identifier_value) filter (where identifier_type = 'user_id') as user_id,
        min(first_seen_at) as first_seen_at,
        min(first_identified_at) as first_identified_at

    from identities
    group by person_id

),

-- Plain equality keys for the joins below (a constant test inside a left join's
-- condition makes DuckDB fall back to a nested-loop join).
people_keys as (

    select
        *,
        case when anchor_type = 'contact' then anchor_value end as anchor_contact_key,
        case when anchor_type <> 'contact' then split_part(any_email, '@', 2) end as email_domain

    from people

),

-- Accounts a domain can point to without doubt: exactly one live account has it.
unambiguous_domains as (

    select
        domain,
        min(account_key) as account_key,
        min(account_id) as account_id,
        min(source_system) as source_system
    from accounts
    where domain is not null and not is_deleted
    group by domain
    having count(*) = 1

),

joined as (

    select
        people.person_id,
        people.anchor_type,
        people.anchor_value,
        anchor_contact.contact_key,
        anchor_contact.contact_id,
        anchor_contact.source_system as contact_source_system,
        coalesce(anchor_contact.email, people.any_email) as email,
        anchor_contact.first_name,
        anchor_contact.last_name,
        case when anchor_contact.contact_key is not null then anchor_contact.account_id
            else domain_account.account_id
        end as account_id,
        case when anchor_contact.contact_key is not null then anchor_contact.account_key
            else domain_account.account_key
        end as account_key,
        case when anchor_contact.contact_key is not null then anchor_contact.source_system
            else domain_account.source_system
        end as account_source_system,
        anchor_contact.owner_id,
        anchor_contact.lifecycle_stage,
        anchor_contact.lead_status,
        anchor_contact.current_canonical_stage as crm_canonical_stage,
        anchor_contact.lead_score,
        anchor_contact.original_source,
        anchor_contact.lead_source_channel,
        anchor_contact.lead_source_detail,
        coalesce(anchor_contact.has_unmapped_lead_source, false) as has_unmapped_lead_source,
        anchor_contact.created_at as contact_created_at,
        people.contact_count,
        people.anonymous_id_count,
        people.user_id_count,
        people.user_id,
        people.first_seen_at,
        people.first_identified_at,
        coalesce(anchor_contact.is_deleted, false) as is_deleted

    from people_keys as people
    left join contacts as anchor_contact
        on anchor_contact.contact_key = people.anchor_contact_key
    left join unambiguous_domains as domain_account
        on domain_account.domain = people.email_domain

),

final as (

    select
        joined.person_id,
        joined.anchor_type,
        joined.anchor_value,
        joined.contact_key,
        joined.contact_id,
        joined.contact_source_system,
        joined.email,
        joined.first_name,
        joined.last_name,
        case when joined.account_id is not null then joined.account_id end as account_id,
        case when joined.account_id is not null then joined.account_key end as account_key,
        case when joined.account_id is not null then joined.account_source_system end as account_source_system,
        joined.owner_id,
        joined.lifecycle_stage,
        joined.lead_status,
        joined.crm_canonical_stage,
        joined.lead_score,
        joined.original_source,
        joined.lead_source_channel,
        joined.lead_source_detail,
        joined.has_unmapped_lead_source,
        joined.contact_created_at,
        joined.contact_count,
        joined.anonymous_id_count,
        joined.user_id_count,
        joined.user_id,
        joined.first_seen_at,
        joined.first_identified_at,
        joined.email is not null or joined.user_id is not null as is_known,
        joined.contact_key is not null as is_contact,
        joined.is_deleted

    from joined

)

select * from final
