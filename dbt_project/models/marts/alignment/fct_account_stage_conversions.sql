-- One row per live account and funnel stage entered (first entry): did the account go
-- on to the next funnel stage, when, and how many days later. The account grain of
-- fct_stage_conversions, by the same rule (macros/funnel.sql): "reached the next
-- stage" means any stage change of the account, at or after this entry, into that
-- stage or one beyond it (accounts skip stages: an account-only export goes from its
-- first touch straight to opportunity; closed_lost counts as beyond opportunity, not
-- as customer).
with

transitions as (

    select * from {{ ref('int_account_stage_transitions_derived') }}

),

stage_changes as (

    select account_key, event_at, event_seq, stage, {{ tl_stage_rank('stage') }} as stage_rank
    from {{ ref('account_journey') }}
    where event_kind = 'stage_change'

),

accounts as (

    select * from {{ ref('int_accounts_segmented') }}

),

entries as (

    select
        *,
        {{ tl_next_stage('stage') }} as next_stage

    from transitions
    where entry_number = 1

),

reached as (

    {{ tl_stage_conversions_reached('entries', 'stage_changes', 'account_key') }}

),

final as (

    select
        md5(entries.account_key || '|' || entries.stage) as account_stage_conversion_id,
        entries.account_key,
        entries.account_id,
        entries.source_system,
        coalesce(accounts.segment, 'unknown') as segment,
        entries.stage,
        entries.stage_rank,
        entries.entered_at,
        cast(entries.entered_at as date) as entered_date,
        entries.next_stage,
        reached.reached_next_at is not null as has_reached_next,
        reached.reached_next_at,
        reached.reached_next_stage,
        {{ tl_seconds_between('entries.entered_at', 'reached.reached_next_at') }} / 86400.0 as days_to_next

    from entries
    left join reached
        on reached.account_key = entries.account_key
        and reached.stage = entries.stage
    left join accounts
        on accounts.account_key = entries.account_key

)

select * from final
