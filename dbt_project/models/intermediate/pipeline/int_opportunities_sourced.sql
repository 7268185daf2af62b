-- One row per live deal, with who sourced it and when its sales cycle started: the
-- logic behind fct_opportunities, for the models that build on the deals.
with

deals as (

    select * from {{ ref('int_deals_unioned') }}
    where not is_deleted

),

identities as (

    select identifier_value as contact_key, person_id
    from {{ ref('int_identities_resolved') }}
    where identifier_type = 'contact'

),

people as (

    select person_id, lead_source_channel, lead_source_detail, has_unmapped_lead_source, is_deleted
    from {{ ref('int_people') }}

),

-- The earliest stage-history entry of each deal: when the sales cycle started for a
-- deal the CRM gives no created_at.
first_stage_entries as (

    select deal_key, min(entered_at) as first_stage_entered_at
    from {{ ref('int_deal_stages_unioned') }}
    group by deal_key

),

marketing_touches as (

    select person_id, account_id, account_source_system, occurred_at
    from {{ ref('int_touchpoints_unioned') }}
    where team = 'marketing' and not is_deleted and occurred_at is not null

),

first_marketing_touch_by_person as (

    select person_id, min(occurred_at) as first_marketing_touch_at
    from marketing_touches
    where person_id is not null
    group by person_id

),

first_marketing_touch_by_account as (

    select account_source_system || ':' || account_id as account_key, min(occurred_at) as first_marketing_touch_at
    from marketing_touches
    where account_id is not null
    group by account_source_system || ':' || account_id

),

joined as (

    select
        deals.*,
        case when not coalesce(people.is_deleted, false) then identities.person_id end as person_id,
        people.lead_source_channel,
        people.lead_source_detail,
        coalesce(people.has_unmapped_lead_source, false) as has_unmapped_lead_source,
        nullif(least(
            coalesce(by_person.first_marketing_touch_at, 'infinity'::timestamptz),
            coalesce(by_account.first_marketing_touch_at, 'infinity'::timestamptz)
        ), 'infinity'::timestamptz) as first_marketing_touch_at,
        first_stage_entries.first_stage_entered_at

    from deals
    left join identities
        on identities.contact_key = deals.contact_key
    left join people
        on people.person_id = identities.person_id
    left join first_marketing_touch_by_person as by_person
        on by_person.person_id = identities.person_id
    left join first_marketing_touch_by_account as by_account
        on by_account.account_key = deals.account_key
    left join first_stage_entries
        on first_stage_entries.deal_key = deals.deal_key

),

-- The sales cycle starts when the deal was created, else at its earliest stage-history
-- entry (exports that leave created_at out still date their stage changes).
cycle_started as (

    select
        *,
        coalesce(created_at, first_stage_entered_at) as cycle_started_at,
        case
            when created_at is not null then 'created_at'
            when first_stage_entered_at is not null then 'first_stage_entry'
        end as cycle_start_basis

    from joined

),

final as (

    select
        deal_id as opportunity_id,
        deal_key,
        account_key,
        source_system,
        deal_name as opportunity_name,
        account_id,
        person_id,
        owner_id,
        pipeline,
        deal_stage,
        canonical_stage,
        created_at,
        closed_at,
        expected_close_at,
        is_closed,
        is_won,
        amount,
        currency_code as currency,
        currency_code,
        cycle_started_at,
        cycle_start_basis,
        {{ dbt.datediff('cycle_started_at', 'closed_at', 'day') }} as days_to_close,
        lost_reason,
        first_marketing_touch_at,
        lead_source_channel,
        lead_source_detail,
        -- An unmapped lead source ('other' until original_source_mapping knows it)
        -- says nothing about which team found the person: it does not source a deal.
        case
            when first_marketing_touch_at < created_at then 'marketing'
            when lead_source_channel in {{ tl_in_list(tl_marketing_channels()) }}
                and not has_unmapped_lead_source then 'marketing'
            else 'sales'
        end as sourced_by,
        case
            when first_marketing_touch_at < created_at then 'marketing touch before the deal was created'
            when lead_source_channel in {{ tl_in_list(tl_marketing_channels()) }}
                and not has_unmapped_lead_source then 'lead source is a marketing channel'
            when has_unmapped_lead_source
                then 'no marketing touch before the deal; lead source not in original_source_mapping'
            else 'no marketing touch before the deal and no marketing lead source'
        end as sourced_by_reason

    from cycle_started

)

select * from final
