-- Every piece of evidence that a person entered a stage, one row per person, stage and
-- instant (a recycling entry wins, then the most direct evidence):
--   visitor      first web event                                   (web)
--   known        first identified web event; CRM contact created
--                with an e-mail                                    (web, crm_field)
--   lead         contact created, became_lead_at, history          (crm_field, crm_history)
--   mql          became_mql_at, history; or, with no MQL date at
--                all, lead score >= var('mql_score_threshold') at
--                the contact's updated_at                          (crm_field, crm_history)
--   sql          became_sql_at, history                            (crm_field, crm_history)
--   opportunity  became_opportunity_at, history, a deal created on
--                the contact or their account (see deal_people)    (crm_field, crm_history, deal)
--   customer     became_customer_at, history, a won deal's close   (crm_field, crm_history, deal)
--   closed_lost  a lost deal's close                               (deal)
-- A CRM field that puts the contact in a stage we have no date for (current
-- lifecycle stage or lead status) counts at the contact's updated_at.
-- Deleted contacts and deals give no evidence. int_stage_transitions_derived walks it.
{%- set threshold = var('mql_score_threshold') %}

with

identities as (

    select identifier_type, identifier_value, person_id
    from {{ ref('int_identities_resolved') }}

),

web_events as (

    select
        coalesce(anonymous_id, 'user_id:' || user_id) as visitor_id,
        event_at,
        email is not null or user_id is not null as is_identified

    from {{ ref('stg_web__events') }}
    where coalesce(anonymous_id, user_id) is not null

),

contacts as (

    select
        contacts.*,
        identities.person_id

    from {{ ref('int_contacts_unioned') }} as contacts
    inner join identities
        on identities.identifier_type = 'contact'
        and identities.identifier_value = contacts.contact_key
    where not contacts.is_deleted

),

contact_history as (

    select
        history.*,
        contacts.person_id

    from {{ ref('int_contact_stages_unioned') }} as history
    inner join contacts
        on contacts.contact_key = history.contact_key
    where history.canonical_stage is not null

),

deals as (

    select * from {{ ref('int_deals_unioned') }}
    where not is_deleted

),

-- A deal concerns its contact's person and every person whose contact was at its
-- account when the deal was created (the buying group). A contact added to the
-- account later is not put into a deal that predates them: at a customer account
-- they are a new lead (e.g. for an expansion), not a customer.
deal_people as (

    select deals.*, contacts.person_id
    from deals
    inner join contacts
        on contacts.contact_key = deals.contact_key

    union

    select deals.*, contacts.person_id
    from deals
    inner join contacts
        on contacts.account_key = deals.account_key
        and (deals.created_at is null or contacts.created_at is null or contacts.created_at <= deals.created_at)

),

web_candidates as (

    select
        identities.person_id,
        'visitor' as stage,
        min(web_events.event_at) as entered_at,
        'web' as evidence,
        'first web event' as evidence_detail,
        false as is_reset,
        'web' as source_system

    from web_events
    inner join identities
        on identities.identifier_type = 'anonymous_id'
        and identities.identifier_value = web_events.visitor_id
    group by identities.person_id

    union all

    select
        identities.person_id,
        'known',
        min(web_events.event_at),
        'web',
        'first identified web event (e-mail or user id)',
        false,
        'web'

    from web_events
    inner join identities
        on identities.identifier_type = 'anonymous_id'
        and identities.identifier_value = web_events.visitor_id
    where web_events.is_identified
    group by identities.person_id

),

crm_field_candidates as (

    {%- set fields = [
        ('known', 'created_at', "email is not null", 'contact created with an e-mail'),
        ('lead', 'created_at', "true", 'contact created'),
        ('lead', 'became_lead_at', "true", 'became_lead_at'),
        ('mql', 'became_mql_at', "true", 'became_mql_at'),
        ('sql', 'became_sql_at', "true", 'became_sql_at'),
        ('opportunity', 'became_opportunity_at', "true", 'became_opportunity_at'),
        ('customer', 'became_customer_at', "true", 'became_customer_at'),
    ] %}
    {%- for stage, column, condition, detail in fields %}
    select
        person_id,
        '{{ stage }}' as stage,
        {{ column }} as entered_at,
        'crm_field' as evidence,
        source_system || ' contact ' || contact_id || ': {{ detail }}' as evidence_detail,
        false as is_reset,
        source_system
    from contacts
    where {{ column }} is not null and {{ condition }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

history_candidates as (

    select
        person_id,
        canonical_stage as stage,
        entered_at,
        'crm_history' as evidence,
        source_system || ' contact ' || contact_id || ': lifecycle stage ' || lifecycle_stage as evidence_detail,
        is_regression as is_reset,
        source_system

    from contact_history

),

deal_candidates as (

    select
        person_id,
        'opportunity' as stage,
        created_at as entered_at,
        'deal' as evidence,
        source_system || ' deal ' || deal_id || ' created' as evidence_detail,
        false as is_reset,
        source_system
    from deal_people
    where created_at is not null

    union all

    select
        person_id,
        case when is_won then 'customer' else 'closed_lost' end,
        closed_at,
        'deal',
        source_system || ' deal ' || deal_id || case when is_won then ' won' else ' lost' end,
        false,
        source_system
    from deal_people
    where is_closed and closed_at is not null

),

dated_candidates as (

    select * from web_candidates
    union all
    select * from crm_field_candidates
    union all
    select * from history_candidates
    union all
    select * from deal_candidates

),

-- CRM fields that claim a stage no dated evidence covers: MQL by lead score, or
-- the current lifecycle stage / lead status. Dated at the contact's last update.
score_candidates as (

    select
        contacts.person_id,
        'mql' as stage,
        coalesce(contacts.updated_at, contacts.created_at) as entered_at,
        'crm_field' as evidence,
        contacts.source_system || ' contact ' || contacts.contact_id
            || ': lead_score ' || cast(contacts.lead_score as {{ dbt.type_string() }})
            || ' >= {{ threshold }} with no MQL date; entered_at is the contact''s updated_at' as evidence_detail,
        false as is_reset,
        contacts.source_system

    from contacts
    where contacts.lead_score >= {{ threshold }}
        and not exists (
            select 1 from dated_candidates
            where dated_candidates.person_id = contacts.person_id and dated_candidates.stage = 'mql'
        )

),

current_stage_candidates as (

    select
        contacts.person_id,
        contacts.current_canonical_stage,
        coalesce(contacts.updated_at, contacts.created_at),
        'crm_field',
        contacts.source_system || ' contact ' || contacts.contact_id
            || ': current stage ' || coalesce(contacts.lifecycle_stage, '') || ' / ' || coalesce(contacts.lead_status, '')
            || ' with no entry date; entered_at is the contact''s updated_at',
        false,
        contacts.source_system

    from contacts
    where contacts.current_canonical_stage in ('mql', 'sql', 'opportunity', 'customer')
        and not exists (
            select 1 from dated_candidates
            where dated_candidates.person_id = contacts.person_id
                and dated_candidates.stage = contacts.current_canonical_stage
        )
        and not exists (
            select 1 from score_candidates
            where score_candidates.person_id = contacts.person_id
                and score_candidates.stage = contacts.current_canonical_stage
        )

),

-- is_reported: the source itself claims the stage. An MQL by lead score is our own
-- inference, dated at the last update: it is never reconciled (a score that crossed
-- the threshold after the person was a customer does not make them an earlier MQL).
candidates as (

    select *, true as is_reported from dated_candidates
    union all
    select *, false as is_reported from score_candidates
    union all
    select *, true as is_reported from current_stage_candidates

),

-- One candidate per person, stage and instant; a recycling entry wins, then the
-- most direct evidence.
distinct_candidates as (

    select
        *,
        {{ tl_stage_rank('stage') }} as stage_rank,
        case evidence when 'crm_history' then 1 when 'crm_field' then 2 when 'deal' then 3 else 4 end
            as evidence_priority

    from candidates
    where entered_at is not null and person_id is not null
    qualify row_number() over (
        partition by person_id, stage, entered_at
        order by is_reset desc,
            case evidence when 'crm_history' then 1 when 'crm_field' then 2 when 'deal' then 3 else 4 end,
            evidence_detail
    ) = 1

)

select * from distinct_candidates
