-- Every stage change of every person, in time order, derived from all the
-- evidence we hold:
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
--
-- Out-of-order reports (a deal won before the contact's back-dated MQL date): within
-- an epoch (see below), a stage of var('reconciled_stages') (known, lead, mql, sql,
-- opportunity) first reported after a higher stage was reached is entered at the
-- time that higher stage was first reached, is_inferred, with the reported time in
-- reported_entered_at and both in evidence_detail. A lost deal counts as the
-- opportunity it was. visitor is not reconciled: a contact who visits the site only
-- after becoming a lead was never an anonymous visitor; nor is an MQL by lead score.
--
-- How the stage moves: forward only (a person's stage is the furthest one seen),
-- except when the CRM's stage history goes back down (recycling), which restarts
-- the climb from that stage (a new epoch). A lost deal puts the person in
-- closed_lost until a deal opens or is won again, or the CRM recycles them.
-- Customer is never lost to a later lost or new deal (expansion). Evidence that
-- does not move the stage (a later web visit of a lead, a second deal) is not a
-- stage change.
-- Deleted contacts and deals give no evidence.
{%- set threshold = var('mql_score_threshold') %}
{%- set reconciled_stages = var('reconciled_stages') %}

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

),

-- The candidates in the order the sources report them. A CRM history entry that goes
-- back down the funnel (is_reset: recycling) starts a new epoch; reconciliation never
-- moves a candidate out of its epoch.
reported as (

    select
        *,
        row_number() over (
            partition by person_id order by entered_at, stage_rank, evidence_priority, evidence_detail
        ) as reported_seq

    from distinct_candidates

),

epochs as (

    select
        *,
        sum(case when is_reset then 1 else 0 end) over (
            partition by person_id order by reported_seq rows between unbounded preceding and current row
        ) as epoch,
        -- On the ladder a lost deal stands where its opportunity did.
        case when stage = 'closed_lost' then {{ tl_stage_rank("'opportunity'") }} else stage_rank end
            as ladder_rank

    from reported

),

-- The first report of each stage in each epoch, and the stage the epoch restarted
-- from (its recycling entry; none for the first epoch).
epoch_firsts as (

    select
        person_id,
        epoch,
        stage,
        ladder_rank,
        entered_at,
        reported_seq,
        evidence_detail,
        is_reported,
        coalesce(max(case when is_reset then ladder_rank end) over (partition by person_id, epoch), 0)
            as restart_rank

    from epochs
    qualify row_number() over (partition by person_id, epoch, stage order by reported_seq) = 1

),

-- Stage order reconciled: a stage of var('reconciled_stages') whose first report in
-- the epoch comes after a higher stage was reached is entered no later than that
-- (the first higher stage reached; at one instant stages go in funnel order). Only
-- that first report moves; later reports of a stage already entered change nothing.
-- After a recycle the climb restarts at the recycling stage: stages at or below it
-- were passed in an earlier epoch and are not reconciled (a lead recycled to nurture
-- who identifies on the web later is not known again).
ceilings as (

    select
        lower_stage.person_id,
        lower_stage.reported_seq,
        higher_stage.stage as ceiling_stage,
        higher_stage.entered_at as ceiling_at,
        higher_stage.evidence_detail as ceiling_evidence_detail

    from epoch_firsts as lower_stage
    inner join epoch_firsts as higher_stage
        on higher_stage.person_id = lower_stage.person_id
        and higher_stage.epoch = lower_stage.epoch
    where {% if reconciled_stages %}lower_stage.stage in {{ tl_in_list(reconciled_stages) }}{% else %}false{% endif %}
        and lower_stage.is_reported
        and lower_stage.ladder_rank > lower_stage.restart_rank
        and higher_stage.ladder_rank > lower_stage.ladder_rank
        and higher_stage.entered_at < lower_stage.entered_at
    qualify row_number() over (
        partition by lower_stage.person_id, lower_stage.reported_seq
        order by higher_stage.entered_at, higher_stage.ladder_rank, higher_stage.reported_seq
    ) = 1

),

reconciled as (

    select
        epochs.person_id,
        epochs.stage,
        coalesce(ceilings.ceiling_at, epochs.entered_at) as entered_at,
        epochs.entered_at as reported_entered_at,
        ceilings.ceiling_at is not null as is_inferred,
        epochs.evidence,
        case
            when ceilings.ceiling_at is not null then epochs.evidence_detail
                || ' (reported ' || strftime(epochs.entered_at, '%Y-%m-%d %H:%M:%S')
                || '); entered no later than ' || ceilings.ceiling_stage
                || ' at ' || strftime(ceilings.ceiling_at, '%Y-%m-%d %H:%M:%S')
                || ' (' || ceilings.ceiling_evidence_detail || ')'
            else epochs.evidence_detail
        end as evidence_detail,
        epochs.is_reset,
        epochs.source_system,
        epochs.stage_rank,
        epochs.evidence_priority,
        epochs.reported_seq,
        epochs.epoch

    from epochs
    left join ceilings
        on ceilings.person_id = epochs.person_id
        and ceilings.reported_seq = epochs.reported_seq

),

ordered as (

    select
        *,
        row_number() over (
            partition by person_id order by epoch, entered_at, stage_rank, reported_seq
        ) as candidate_seq

    from reconciled

),

running as (

    select
        *,
        max(case when stage <> 'closed_lost' then stage_rank end) over (
            partition by person_id, epoch order by candidate_seq
            rows between unbounded preceding and current row
        ) as funnel_rank,
        max(case when stage = 'closed_lost' then candidate_seq end) over (
            partition by person_id order by candidate_seq rows between unbounded preceding and current row
        ) as last_lost_seq,
        max(case when stage in ('opportunity', 'customer') then candidate_seq end) over (
            partition by person_id order by candidate_seq rows between unbounded preceding and current row
        ) as last_deal_forward_seq,
        min(candidate_seq) over (partition by person_id, epoch) as epoch_start_seq

    from ordered

),

staged as (

    select
        *,
        case
            when funnel_rank = {{ tl_stage_rank("'customer'") }} then 'customer'
            when last_lost_seq is not null
                and last_lost_seq > coalesce(last_deal_forward_seq, 0)
                and last_lost_seq >= epoch_start_seq
                then 'closed_lost'
            else {{ tl_stage_at_rank('funnel_rank') }}
        end as stage_after

    from running

),

changes as (

    select
        *,
        lag(stage_after) over (partition by person_id order by candidate_seq) as previous_stage

    from staged

),

entries as (

    select * from changes
    where previous_stage is distinct from stage_after

),

final as (

    select
        md5(person_id || '|' || stage_after || '|' || cast(
            row_number() over (partition by person_id, stage_after order by candidate_seq) as {{ dbt.type_string() }}
        )) as stage_transition_id,
        person_id,
        stage_after as stage,
        {{ tl_stage_rank('stage_after') }} as stage_rank,
        entered_at,
        reported_entered_at,
        is_inferred,
        previous_stage,
        evidence,
        evidence_detail,
        source_system,
        row_number() over (partition by person_id order by candidate_seq) as transition_seq,
        row_number() over (partition by person_id, stage_after order by candidate_seq) as entry_number,
        count(*) over (partition by person_id, stage_after) as times_entered,
        coalesce({{ tl_stage_rank('stage_after') }} < {{ tl_stage_rank('previous_stage') }}, false)
            and stage_after <> 'closed_lost' as is_recycled

    from entries

)

select * from final
