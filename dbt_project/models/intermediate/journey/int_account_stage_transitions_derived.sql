-- Every stage change of every live account, in time order. An account's stage is the
-- furthest of its people's stages and its deals' stages:
--   visitor      its first touchpoint (anyone at it, or an activity on it)   (touchpoint)
--   known .. sql the earliest of its live people to enter each stage
--                (int_stage_entries_summarized; opportunity and customer too, when
--                the CRM says so for a person without a deal)               (person)
--   opportunity  a deal at the account opens: int_opportunities_sourced.cycle_started_at
--                (created_at, else the deal's earliest stage-history entry),
--                else, for a closed deal with neither, its close            (deal)
--   customer     a deal at the account closed won                           (deal)
--   closed_lost  a deal at the account closed lost and none is open        (deal)
-- How the stage moves: forward only, to the furthest stage seen. A lost deal puts
-- the account in closed_lost while it has no open deal (until one opens or is won);
-- customer is never lost (a lost expansion deal does not demote a customer). An
-- account has no stage history of its own in the CRMs, so it never recycles. People's
-- closed_lost entries are not account evidence: the account's deals decide it.
-- Deleted accounts, deals and people give no evidence.
with

accounts as (

    select account_key, account_id, source_system
    from {{ ref('int_accounts_unioned') }}
    where not is_deleted

),

touchpoints as (

    select touchpoint_id, person_id, occurred_at, channel, touch_type, source_system, account_key
    from {{ ref('int_touchpoints_sequenced') }}
    where account_key is not null

),

people as (

    select person_id, account_key
    from {{ ref('int_people') }}
    where not is_deleted and account_key is not null

),

person_stages as (

    select * from {{ ref('int_stage_entries_summarized') }}
    where stage <> 'closed_lost'

),

deals as (

    select * from {{ ref('int_opportunities_sourced') }}
    where account_key is not null

),

touch_candidates as (

    select
        touchpoints.account_key,
        'visitor' as stage,
        touchpoints.occurred_at as entered_at,
        'touchpoint' as evidence,
        'first touch: ' || touchpoints.touch_type || ' (' || touchpoints.channel || ')' as evidence_detail,
        touchpoints.person_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        touchpoints.source_system as evidence_source_system,
        0 as open_deals_delta,
        0 as lost_deals_delta

    from touchpoints
    qualify row_number() over (
        partition by touchpoints.account_key order by touchpoints.occurred_at, touchpoints.touchpoint_id
    ) = 1

),

-- The earliest person at the account to enter each stage.
person_candidates as (

    select
        people.account_key,
        person_stages.stage,
        person_stages.entered_at,
        'person' as evidence,
        'person ' || person_stages.person_id || ' entered ' || person_stages.stage
            || coalesce(' (' || person_stages.evidence_detail || ')', '') as evidence_detail,
        person_stages.person_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        person_stages.source_system as evidence_source_system,
        0 as open_deals_delta,
        0 as lost_deals_delta

    from person_stages
    inner join people
        on people.person_id = person_stages.person_id
    qualify row_number() over (
        partition by people.account_key, person_stages.stage
        order by person_stages.entered_at, person_stages.person_id
    ) = 1

),

deal_candidates as (

    -- The deal opens (a closed deal that started after it closed opens at its close).
    select
        account_key,
        'opportunity' as stage,
        least(cycle_started_at, closed_at) as entered_at,
        'deal' as evidence,
        source_system || ' deal ' || opportunity_id || case cycle_start_basis
            when 'created_at' then ' created'
            when 'first_stage_entry' then ' entered its first stage (no created_at)'
            else ' closed with no created_at or stage history'
        end as evidence_detail,
        cast(null as {{ dbt.type_string() }}) as person_id,
        opportunity_id,
        source_system as evidence_source_system,
        -- A deal closed on an unknown date is never counted as open.
        case when is_closed and closed_at is null then 0 else 1 end as open_deals_delta,
        0 as lost_deals_delta

    from deals

    union all

    select
        account_key,
        case when is_won then 'customer' else 'closed_lost' end,
        closed_at,
        'deal',
        source_system || ' deal ' || opportunity_id || case when is_won then ' won' else ' lost' end,
        cast(null as {{ dbt.type_string() }}),
        opportunity_id,
        source_system,
        -1,
        case when is_won then 0 else 1 end

    from deals
    where is_closed and closed_at is not null

),

candidates as (

    select * from touch_candidates
    union all
    select * from person_candidates
    union all
    select * from deal_candidates

),

ordered as (

    select
        candidates.*,
        accounts.account_id,
        accounts.source_system,
        {{ tl_stage_rank('candidates.stage') }} as stage_rank,
        row_number() over (
            partition by candidates.account_key
            order by
                candidates.entered_at,
                {{ tl_stage_rank('candidates.stage') }},
                case candidates.evidence when 'deal' then 1 when 'person' then 2 else 3 end,
                candidates.evidence_detail
        ) as candidate_seq

    from candidates
    inner join accounts
        on accounts.account_key = candidates.account_key
    where candidates.entered_at is not null

),

running as (

    select
        *,
        max(case when stage <> 'closed_lost' then stage_rank end) over (
            partition by account_key order by candidate_seq rows between unbounded preceding and current row
        ) as funnel_rank,
        sum(open_deals_delta) over (
            partition by account_key order by candidate_seq rows between unbounded preceding and current row
        ) as open_deals,
        sum(lost_deals_delta) over (
            partition by account_key order by candidate_seq rows between unbounded preceding and current row
        ) as lost_deals

    from ordered

),

staged as (

    select
        *,
        case
            when funnel_rank = {{ tl_stage_rank("'customer'") }} then 'customer'
            when lost_deals > 0 and open_deals <= 0 then 'closed_lost'
            else {{ tl_stage_at_rank('funnel_rank') }}
        end as stage_after

    from running

),

changes as (

    select
        *,
        lag(stage_after) over (partition by account_key order by candidate_seq) as previous_stage

    from staged

),

entries as (

    select * from changes
    where previous_stage is distinct from stage_after

),

final as (

    select
        md5(account_key || '|' || stage_after || '|' || cast(
            row_number() over (partition by account_key, stage_after order by candidate_seq) as {{ dbt.type_string() }}
        )) as account_stage_transition_id,
        account_key,
        account_id,
        source_system,
        stage_after as stage,
        cast({{ tl_stage_rank('stage_after') }} as integer) as stage_rank,
        entered_at,
        lead(entered_at) over (partition by account_key order by candidate_seq) as left_at,
        previous_stage,
        evidence,
        evidence_detail,
        person_id,
        opportunity_id,
        evidence_source_system,
        row_number() over (partition by account_key order by candidate_seq) as transition_seq,
        row_number() over (partition by account_key, stage_after order by candidate_seq) as entry_number,
        count(*) over (partition by account_key, stage_after) as times_entered

    from entries

)

select * from final
