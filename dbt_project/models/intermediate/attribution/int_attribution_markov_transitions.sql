-- One row per conversion type and transition between states of the first-order
-- Markov chain of the data-driven model, with how often journeys made it. States:
-- '(start)', each channel, and the absorbing '(conversion)' and '(null)'. A journey
-- is a path (start -> its channels in time order -> conversion or null):
--   converting     every conversion with touches (int_attribution_paths);
--   not converting lead / mql / sql / opportunity: every live person who never
--                  reached that stage or a later one, with their touches of the
--                  last var('attribution_lookback_days') days before their last touch;
--                  closed_won: every lost deal, with its buying group's touches of
--                  the lookback window before it closed.
-- Conversions without touches are left out: they change no channel's removal effect.
{%- set lookback_days = var('attribution_lookback_days') | int %}
{%- set person_stages = [('lead', 3), ('mql', 4), ('sql', 5), ('opportunity', 6)] %}

with

paths as (

    select * from {{ ref('int_attribution_paths') }}

),

touches as (

    select * from {{ ref('int_attribution_touches') }}
    where person_id is not null and is_attributable

),

deal_touches as (

    select * from {{ ref('int_deal_touches_matched') }}
    where is_attributable

),

deals as (

    select * from {{ ref('int_opportunities_converted') }}

),

people as (

    select person_id from {{ ref('int_people') }}
    where not is_deleted

),

furthest_stages as (

    select person_id, max(stage_rank) as furthest_stage_rank
    from {{ ref('int_stage_entries_summarized') }}
    group by person_id

),

converting_steps as (

    select
        conversion_type,
        conversion_id as path_id,
        touch_position as step,
        channel,
        true as is_converting

    from paths

),

last_touches as (

    select person_id, max(occurred_at) as last_touch_at
    from touches
    group by person_id

),

non_converting_person_steps as (

    {%- for stage, rank in person_stages %}
    select
        '{{ stage }}' as conversion_type,
        'person|' || touches.person_id as path_id,
        row_number() over (
            partition by touches.person_id order by touches.occurred_at, touches.touchpoint_id
        ) as step,
        touches.channel,
        false as is_converting

    from touches
    inner join people
        on people.person_id = touches.person_id
    inner join last_touches
        on last_touches.person_id = touches.person_id
    left join furthest_stages
        on furthest_stages.person_id = touches.person_id
    where coalesce(furthest_stages.furthest_stage_rank, 0) < {{ rank }}
        and touches.occurred_at >= last_touches.last_touch_at - interval '{{ lookback_days }} days'
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

non_converting_deal_steps as (

    select
        'closed_won' as conversion_type,
        'deal|' || deals.deal_key as path_id,
        row_number() over (
            partition by deals.deal_key order by deal_touches.occurred_at, deal_touches.touchpoint_id
        ) as step,
        deal_touches.channel,
        false as is_converting

    from deals
    inner join deal_touches
        on deal_touches.deal_key = deals.deal_key
    where deals.is_closed and not deals.is_won
        and deal_touches.occurred_at >= deals.closed_at - interval '{{ lookback_days }} days'

),

steps as (

    select * from converting_steps
    union all
    select * from non_converting_person_steps
    union all
    select * from non_converting_deal_steps

),

-- Each path once more as its start and its end, so every transition is one row.
path_ends as (

    select
        conversion_type,
        path_id,
        max(step) + 1 as end_step,
        bool_or(is_converting) as is_converting

    from steps
    group by conversion_type, path_id

),

states as (

    select conversion_type, path_id, 0 as step, '(start)' as state
    from path_ends

    union all

    select conversion_type, path_id, step, channel
    from steps

    union all

    select
        conversion_type,
        path_id,
        end_step,
        case when is_converting then '(conversion)' else '(null)' end

    from path_ends

),

transitions as (

    select
        conversion_type,
        state as from_state,
        lead(state) over (partition by conversion_type, path_id order by step) as to_state

    from states

),

final as (

    select
        conversion_type,
        from_state,
        to_state,
        count(*) as transition_count

    from transitions
    where to_state is not null
    group by conversion_type, from_state, to_state

)

select * from final
