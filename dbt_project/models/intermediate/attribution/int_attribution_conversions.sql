-- One row per conversion that attribution credits:
--   lead, mql, sql     a person's first entry into the stage (int_stage_entries_summarized);
--                      credited to that person's own touches;
--   opportunity        a deal created; closed_won: a deal won (with its revenue);
--                      credited to the deal's buying group (int_deal_touches_matched).
-- With the milestones the position-based models look for: when the lead was created
-- (a person's lead entry; a deal's: its person's, else the earliest at its account),
-- when the opportunity was created, when the deal was won; each only when it is at
-- or before the conversion. Touches count from window_start_at
-- (var('attribution_lookback_days') before the conversion) to the conversion.
{%- set lookback_days = var('attribution_lookback_days') | int %}

with

transitions as (

    select * from {{ ref('int_stage_entries_summarized') }}

),

people as (

    select person_id, account_id, account_source_system
    from {{ ref('int_people') }}
    where not is_deleted

),

deals as (

    select * from {{ ref('int_opportunities_converted') }}

),

lead_entries as (

    select person_id, entered_at as lead_at
    from transitions
    where stage = 'lead'

),

account_first_leads as (

    select
        people.account_source_system || ':' || people.account_id as account_key,
        min(lead_entries.lead_at) as first_lead_at

    from lead_entries
    inner join people
        on people.person_id = lead_entries.person_id
    where people.account_id is not null
    group by people.account_source_system || ':' || people.account_id

),

person_conversions as (

    select
        md5('person|' || transitions.person_id || '|' || transitions.stage) as conversion_id,
        transitions.stage as conversion_type,
        transitions.entered_at as converted_at,
        transitions.person_id,
        transitions.account_id,
        cast(null as {{ dbt.type_string() }}) as account_key,
        cast(null as {{ dbt.type_string() }}) as deal_key,
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        cast(null as {{ dbt.type_string() }}) as opportunity_source_system,
        cast(null as decimal(18, 4)) as conversion_amount,
        lead_entries.lead_at as lead_created_at,
        cast(null as timestamp with time zone) as opportunity_created_at,
        cast(null as timestamp with time zone) as won_at

    from transitions
    left join lead_entries
        on lead_entries.person_id = transitions.person_id
    where transitions.stage in ('lead', 'mql', 'sql')

),

deal_conversions as (

    {%- for conversion_type, converted_at, amount, condition in [
        ('opportunity', 'deals.created_at', 'deals.pipeline_amount', 'deals.created_at is not null'),
        ('closed_won', 'deals.closed_at', 'deals.won_amount', 'deals.is_won and deals.closed_at is not null'),
    ] %}
    select
        md5('deal|' || deals.deal_key || '|{{ conversion_type }}') as conversion_id,
        '{{ conversion_type }}' as conversion_type,
        {{ converted_at }} as converted_at,
        deals.person_id,
        deals.account_id,
        deals.account_key,
        deals.deal_key,
        deals.opportunity_id,
        deals.source_system as opportunity_source_system,
        {{ amount }} as conversion_amount,
        coalesce(lead_entries.lead_at, account_first_leads.first_lead_at) as lead_created_at,
        deals.created_at as opportunity_created_at,
        case when deals.is_won then deals.closed_at end as won_at

    from deals
    left join lead_entries
        on lead_entries.person_id = deals.person_id
    left join account_first_leads
        on account_first_leads.account_key = deals.account_key
    where {{ condition }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

unioned as (

    select * from person_conversions
    union all
    select * from deal_conversions

),

final as (

    select
        conversion_id,
        conversion_type,
        {%- for t in tl_conversion_types() %}
        {%- if loop.first %}
        case conversion_type
        {%- endif %}
            when '{{ t }}' then {{ loop.index }}
        {%- if loop.last %}
        end as conversion_order,
        {%- endif %}
        {%- endfor %}
        converted_at,
        converted_at - interval '{{ lookback_days }} days' as window_start_at,
        person_id,
        account_id,
        account_key,
        deal_key,
        opportunity_id,
        opportunity_source_system,
        conversion_amount,
        case when lead_created_at <= converted_at then lead_created_at end as lead_created_at,
        case when opportunity_created_at <= converted_at then opportunity_created_at end as opportunity_created_at,
        case when won_at <= converted_at then won_at end as won_at

    from unioned

)

select * from final
