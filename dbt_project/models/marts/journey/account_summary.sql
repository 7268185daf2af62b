-- One row per live account: when it first entered each stage
-- (int_account_stage_transitions_derived), its current stage, its touches per team,
-- the people engaged, its open and won pipeline in the reporting currency
-- (int_opportunities_converted), and the days it spent in each stage: every stay from
-- its entry to the next stage change, the current one until "now" (tl_as_of_at:
-- var('as_of_at'), else the last event of customer_journey or account_journey).
{%- set stages = ['visitor', 'known', 'lead', 'mql', 'sql', 'opportunity', 'customer', 'closed_lost'] %}

with

accounts as (

    select * from {{ ref('int_accounts_segmented') }}

),

transitions as (

    select * from {{ ref('int_account_stage_transitions_derived') }}

),

journey_events as (

    select * from {{ ref('account_journey') }}

),

people as (

    select person_id, account_key
    from {{ ref('int_people') }}
    where not is_deleted and account_key is not null

),

touched_people as (

    select distinct person_id
    from {{ ref('fct_touchpoints') }}
    where person_id is not null

),

deals as (

    select * from {{ ref('int_opportunities_converted') }}
    where account_key is not null

),

as_of as (

    select {{ tl_as_of_at(['customer_journey', 'account_journey']) }} as as_of_at

),

stays as (

    select
        transitions.account_key,
        transitions.stage,
        transitions.entered_at,
        greatest(
            {{ tl_seconds_between('transitions.entered_at', 'coalesce(transitions.left_at, as_of.as_of_at)') }},
            0
        ) / 86400.0 as days_in_stage

    from transitions
    cross join as_of

),

stage_dates as (

    select
        account_key,
        {%- for stage in stages %}
        min(entered_at) filter (where stage = '{{ stage }}') as {{ stage }}_at,
        sum(days_in_stage) filter (where stage = '{{ stage }}') as days_in_{{ stage }},
        {%- endfor %}
        cast(count(*) - count(distinct stage) as bigint) as stage_reentries

    from stays
    group by account_key

),

current_stages as (

    select account_key, stage as current_stage, entered_at as current_stage_entered_at
    from transitions
    qualify row_number() over (partition by account_key order by transition_seq desc) = 1

),

first_touches as (

    select account_key, event_at as first_touch_at, channel as first_touch_channel
    from journey_events
    where event_kind = 'touchpoint'
    qualify row_number() over (partition by account_key order by event_seq) = 1

),

journey_counts as (

    select
        account_key,
        count(*) filter (where event_kind = 'touchpoint') as touchpoints,
        count(*) filter (where event_kind = 'touchpoint' and team = 'marketing') as marketing_touches,
        count(*) filter (where event_kind = 'touchpoint' and is_sales_touch) as sales_touches,
        max(event_at) as last_event_at

    from journey_events
    group by account_key

),

people_counts as (

    select
        people.account_key,
        count(*) as people_count,
        count(touched_people.person_id) as people_engaged

    from people
    left join touched_people
        on touched_people.person_id = people.person_id
    group by people.account_key

),

deal_totals as (

    select
        account_key,
        count(*) as deal_count,
        count(*) filter (where not is_closed) as open_deal_count,
        count(*) filter (where is_won) as won_deal_count,
        count(*) filter (where is_closed and not is_won) as lost_deal_count,
        sum(pipeline_amount) filter (where not is_closed) as open_pipeline_amount,
        sum(won_amount) filter (where is_won) as won_amount

    from deals
    group by account_key

),

final as (

    select
        accounts.account_key,
        accounts.account_id,
        accounts.source_system,
        accounts.account_name,
        accounts.segment,
        {%- for stage in stages %}
        stage_dates.{{ stage }}_at,
        {%- endfor %}
        current_stages.current_stage,
        current_stages.current_stage_entered_at,
        first_touches.first_touch_at,
        first_touches.first_touch_channel,
        cast(coalesce(journey_counts.touchpoints, 0) as bigint) as touchpoints,
        cast(coalesce(journey_counts.marketing_touches, 0) as bigint) as marketing_touches,
        cast(coalesce(journey_counts.sales_touches, 0) as bigint) as sales_touches,
        cast(coalesce(people_counts.people_count, 0) as bigint) as people_count,
        cast(coalesce(people_counts.people_engaged, 0) as bigint) as people_engaged,
        cast(coalesce(deal_totals.deal_count, 0) as bigint) as deal_count,
        cast(coalesce(deal_totals.open_deal_count, 0) as bigint) as open_deal_count,
        cast(coalesce(deal_totals.won_deal_count, 0) as bigint) as won_deal_count,
        cast(coalesce(deal_totals.lost_deal_count, 0) as bigint) as lost_deal_count,
        cast(coalesce(deal_totals.open_pipeline_amount, 0) as decimal(18, 4)) as open_pipeline_amount,
        cast(coalesce(deal_totals.won_amount, 0) as decimal(18, 4)) as won_amount,
        '{{ var("reporting_currency_code") | upper }}' as reporting_currency_code,
        {%- for stage in stages %}
        stage_dates.days_in_{{ stage }},
        {%- endfor %}
        coalesce(stage_dates.stage_reentries, 0) as stage_reentries,
        journey_counts.last_event_at,
        as_of.as_of_at

    from accounts
    cross join as_of
    left join stage_dates
        on stage_dates.account_key = accounts.account_key
    left join current_stages
        on current_stages.account_key = accounts.account_key
    left join first_touches
        on first_touches.account_key = accounts.account_key
    left join journey_counts
        on journey_counts.account_key = accounts.account_key
    left join people_counts
        on people_counts.account_key = accounts.account_key
    left join deal_totals
        on deal_totals.account_key = accounts.account_key

)

select * from final
