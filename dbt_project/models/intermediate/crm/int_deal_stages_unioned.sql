-- Deal-stage history from the file export, HubSpot and Salesforce, with the
-- pipeline of the deal and the canonical stage each entry means
-- (deal_stage_mapping).
{%- set columns = ['deal_id', 'deal_stage', 'entered_at', 'source_type', 'source_system'] %}

with

deals as (

    select deal_key, pipeline from {{ ref('int_deals_unioned') }}

),

deal_stage_mapping as (

    select
        source_system,
        lower(trim(pipeline)) as pipeline,
        lower(trim(deal_stage)) as deal_stage,
        canonical_stage,
        is_closed,
        is_won
    from {{ ref('deal_stage_mapping') }}

),

unioned as (

    {{ tl_crm_union('deal_stages', columns) }}

),

final as (

    select
        unioned.deal_id,
        unioned.source_system || ':' || unioned.deal_id as deal_key,
        deals.pipeline,
        unioned.deal_stage,
        coalesce(exact_map.canonical_stage, any_map.canonical_stage) as canonical_stage,
        coalesce(exact_map.is_closed, any_map.is_closed) as is_closed,
        coalesce(exact_map.is_won, any_map.is_won) as is_won,
        unioned.entered_at,
        unioned.source_type,
        unioned.source_system

    from unioned
    left join deals
        on deals.deal_key = unioned.source_system || ':' || unioned.deal_id
    left join deal_stage_mapping as exact_map
        on exact_map.source_system = unioned.source_system
        and exact_map.pipeline = lower(deals.pipeline)
        and exact_map.deal_stage = lower(unioned.deal_stage)
    left join deal_stage_mapping as any_map
        on any_map.source_system = unioned.source_system
        and any_map.pipeline = '*'
        and any_map.deal_stage = lower(unioned.deal_stage)

)

select * from final
