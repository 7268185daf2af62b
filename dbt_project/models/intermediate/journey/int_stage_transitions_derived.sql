-- Every stage change of every person, in time order: the walk over the evidence of
-- int_stage_evidence_collected (which lists what says a person entered which stage).
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
{%- set reconciled_stages = var('reconciled_stages') %}

with

distinct_candidates as (

    select * from {{ ref('int_stage_evidence_collected') }}

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
