-- Every identifier we hold for a human, and the one person it resolves to.
--
-- The person rule (see _identity__models.yml): identifiers are linked
--   anonymous_id <-> user_id (seen on the same event),
--   anonymous_id / user_id <-> e-mail (traits.email or context.traits.email),
--   e-mail <-> CRM contact (same address, case-insensitive).
-- Each person has one anchor, the strongest identifier they have:
--   1. a CRM contact: the contact with their e-mail (a live one before a deleted
--      one, then the earliest created, then source_system and contact_id), or
--      the contact itself when it has no e-mail;
--   2. else their e-mail address;
--   3. else their user_id;
--   4. else their anonymous_id.
-- person_id = md5('<anchor type>:<anchor value>'), e.g. md5('contact:crm:C-17'),
-- md5('email:ann@x.com'), md5('anonymous_id:abc'). It is stable for as long as
-- the anchor is: a visitor who later becomes a CRM contact gets the contact's id.
-- A visitor that identified with several e-mails takes the first one; links are
-- followed two hops (anonymous_id -> user_id -> e-mail), not transitively.
with

web_events as (

    select
        coalesce(anonymous_id, 'user_id:' || user_id) as visitor_id,
        anonymous_id,
        user_id,
        email,
        event_at,
        message_id

    from {{ ref('stg_web__events') }}
    where coalesce(anonymous_id, user_id) is not null

),

contacts as (

    select
        contact_key,
        contact_id,
        source_system,
        email,
        is_deleted,
        created_at

    from {{ ref('int_contacts_unioned') }}

),

-- The first e-mail each visitor identified with on its own events.
visitor_direct_emails as (

    select visitor_id, email
    from web_events
    where email is not null
    qualify row_number() over (partition by visitor_id order by event_at, message_id) = 1

),

-- A user_id's e-mail: on an event that carries both, or the e-mail of a visitor
-- that used the user_id.
user_id_emails as (

    select user_id, email
    from (
        select user_id, email, event_at, message_id, 1 as preference
        from web_events
        where user_id is not null and email is not null

        union all

        select web_events.user_id, visitor_direct_emails.email, web_events.event_at, web_events.message_id, 2
        from web_events
        inner join visitor_direct_emails
            on visitor_direct_emails.visitor_id = web_events.visitor_id
        where web_events.user_id is not null
    )
    qualify row_number() over (partition by user_id order by preference, event_at, message_id) = 1

),

visitor_user_ids as (

    select visitor_id, user_id
    from web_events
    where user_id is not null
    qualify row_number() over (partition by visitor_id order by event_at, message_id) = 1

),

visitors as (

    select
        visitor_id,
        min(anonymous_id) as anonymous_id,
        min(event_at) as first_seen_at,
        min(event_at) filter (where email is not null or user_id is not null) as first_identified_at

    from web_events
    group by visitor_id

),

visitor_resolution as (

    select
        visitors.visitor_id,
        visitors.anonymous_id,
        visitors.first_seen_at,
        visitors.first_identified_at,
        visitor_user_ids.user_id,
        coalesce(visitor_direct_emails.email, user_id_emails.email) as email

    from visitors
    left join visitor_direct_emails
        on visitor_direct_emails.visitor_id = visitors.visitor_id
    left join visitor_user_ids
        on visitor_user_ids.visitor_id = visitors.visitor_id
    left join user_id_emails
        on user_id_emails.user_id = visitor_user_ids.user_id

),

-- The contact that anchors each e-mail address.
email_contacts as (

    select email, contact_key
    from contacts
    where email is not null
    qualify row_number() over (
        partition by email
        order by is_deleted, created_at nulls last, source_system, contact_id
    ) = 1

),

contact_identifiers as (

    select
        'contact' as identifier_type,
        contacts.contact_key as identifier_value,
        'contact' as anchor_type,
        coalesce(email_contacts.contact_key, contacts.contact_key) as anchor_value,
        contacts.email,
        cast(null as timestamptz) as first_seen_at,
        cast(null as timestamptz) as first_identified_at

    from contacts
    left join email_contacts
        on email_contacts.email = contacts.email

),

all_emails as (

    select email from contacts where email is not null
    union
    select email from visitor_resolution where email is not null
    union
    select email from user_id_emails

),

email_identifiers as (

    select
        'email' as identifier_type,
        all_emails.email as identifier_value,
        case when email_contacts.contact_key is not null then 'contact' else 'email' end as anchor_type,
        coalesce(email_contacts.contact_key, all_emails.email) as anchor_value,
        all_emails.email,
        cast(null as timestamptz) as first_seen_at,
        cast(null as timestamptz) as first_identified_at

    from all_emails
    left join email_contacts
        on email_contacts.email = all_emails.email

),

user_id_identifiers as (

    select
        'user_id' as identifier_type,
        user_ids.user_id as identifier_value,
        case when email_contacts.contact_key is not null then 'contact'
            when user_id_emails.email is not null then 'email'
            else 'user_id'
        end as anchor_type,
        coalesce(email_contacts.contact_key, user_id_emails.email, user_ids.user_id) as anchor_value,
        user_id_emails.email,
        cast(null as timestamptz) as first_seen_at,
        cast(null as timestamptz) as first_identified_at

    from (select distinct user_id from web_events where user_id is not null) as user_ids
    left join user_id_emails
        on user_id_emails.user_id = user_ids.user_id
    left join email_contacts
        on email_contacts.email = user_id_emails.email

),

-- Visitors are keyed by anonymous_id (or 'user_id:<id>' when Segment sent none).
visitor_identifiers as (

    select
        'anonymous_id' as identifier_type,
        visitor_resolution.visitor_id as identifier_value,
        case when email_contacts.contact_key is not null then 'contact'
            when visitor_resolution.email is not null then 'email'
            when visitor_resolution.user_id is not null then 'user_id'
            else 'anonymous_id'
        end as anchor_type,
        coalesce(
            email_contacts.contact_key,
            visitor_resolution.email,
            visitor_resolution.user_id,
            visitor_resolution.visitor_id
        ) as anchor_value,
        visitor_resolution.email,
        visitor_resolution.first_seen_at,
        visitor_resolution.first_identified_at

    from visitor_resolution
    left join email_contacts
        on email_contacts.email = visitor_resolution.email

),

unioned as (

    select * from contact_identifiers
    union all
    select * from email_identifiers
    union all
    select * from user_id_identifiers
    union all
    select * from visitor_identifiers

),

final as (

    select
        md5(identifier_type || ':' || identifier_value) as identity_id,
        identifier_type,
        identifier_value,
        md5(anchor_type || ':' || anchor_value) as person_id,
        anchor_type,
        anchor_value,
        email,
        first_seen_at,
        first_identified_at

    from unioned

)

select * from final
