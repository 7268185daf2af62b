-- Salesforce opportunities conformed to the deal columns of stg_crm__deals.
-- - deal_stage is StageName (deal_stage_mapping maps it; IsClosed/IsWon decide first).
-- - pipeline is null: Salesforce has no pipelines (sales processes hang on record
--   types, which are not landed); deal_stage_mapping's '*' rows apply.
-- - currency_code is CurrencyIsoCode; orgs without multi-currency have none, and
--   their amounts are in the org's corporate currency: var('salesforce_currency_code').
-- - closed_at is CloseDate, the expected date while open (int_deals_unioned keeps it as
--   expected_close_at then, as for HubSpot). A closed opportunity's CloseDate is a
--   day: the instant it entered its final stage (OpportunityHistory) is used when it
--   falls on that day.
-- - contact_id is Opportunity.ContactId, else the person of the lead converted into
--   this opportunity. Contact roles (OpportunityContactRole) are not landed.
-- - lost_reason is the custom field Loss_Reason__c, when landed
--   (SALESFORCE_EXTRA_FIELDS=Opportunity.Loss_Reason__c).
{%- set columns = adapter.get_columns_in_relation(source('raw', 'salesforce_opportunities')) | map(attribute='name') | map('lower') | list if execute else [] %}

with

source as (

    select * from {{ source('raw', 'salesforce_opportunities') }}

),

history as (

    select * from {{ source('raw', 'salesforce_opportunity_history') }}

),

leads as (

    select * from {{ source('raw', 'salesforce_leads') }}

),

renamed as (

    select
        {{ tl_text('id') }} as deal_id,
        {{ tl_text('name') }} as deal_name,
        {{ tl_text('account_id') }} as account_id,
        {{ tl_text('contact_id') }} as contact_id,
        {{ tl_text('owner_id') }} as owner_id,
        cast(null as {{ dbt.type_string() }}) as pipeline,
        {{ tl_text('stage_name') }} as deal_stage,
        {{ tl_money('amount') }} as amount,
        upper(coalesce({{ tl_text('currency_iso_code') }}, '{{ var("salesforce_currency_code") }}')) as currency_code,
        {{ tl_timestamp('created_date') }} as created_at,
        {{ tl_date('close_date') }} as close_date,
        {{ tl_bool('is_closed') }} as is_closed,
        {{ tl_bool('is_won') }} as is_won,
        {% if 'loss_reason__c' in columns %}{{ tl_text('loss_reason__c') }}{% else %}cast(null as {{ dbt.type_string() }}){% endif %} as lost_reason,
        coalesce({{ tl_timestamp('last_modified_date') }}, {{ tl_timestamp('system_modstamp') }}) as updated_at,
        coalesce({{ tl_bool('is_deleted') }}, false) as is_deleted,
        _loaded_at,
        {{ tl_timestamp('system_modstamp') }} as _modstamp

    from source

),

deduplicated as (

    select * from renamed
    where deal_id is not null
    qualify row_number() over (
        partition by deal_id order by _modstamp desc nulls last, _loaded_at desc nulls last
    ) = 1

),

-- When each opportunity entered the stage it is in now (the last such entry).
final_stage_entries as (

    select
        {{ tl_text('opportunity_id') }} as deal_id,
        {{ tl_text('stage_name') }} as deal_stage,
        max({{ tl_timestamp('created_date') }}) as entered_at

    from history
    group by 1, 2

),

landed_contacts as (

    select distinct {{ tl_text('id') }} as contact_id
    from {{ source('raw', 'salesforce_contacts') }}

),

-- The person of the lead converted into the opportunity: its contact, or the lead
-- itself while that contact is not landed (as in stg_salesforce__contacts).
converted_contacts as (

    select
        {{ tl_text('leads.converted_opportunity_id') }} as deal_id,
        min(coalesce(landed_contacts.contact_id, {{ tl_text('leads.id') }})) as contact_id

    from leads
    left join landed_contacts
        on landed_contacts.contact_id = {{ tl_text('leads.converted_contact_id') }}
    where {{ tl_text('leads.converted_opportunity_id') }} is not null
    group by 1

),

final as (

    select
        deduplicated.deal_id,
        deduplicated.deal_name,
        deduplicated.account_id,
        coalesce(deduplicated.contact_id, converted_contacts.contact_id) as contact_id,
        deduplicated.owner_id,
        deduplicated.pipeline,
        deduplicated.deal_stage,
        deduplicated.amount,
        deduplicated.currency_code,
        deduplicated.created_at,
        case
            when deduplicated.is_closed and cast(final_stage_entries.entered_at as date) = deduplicated.close_date
                then final_stage_entries.entered_at
            else cast(deduplicated.close_date as timestamptz)
        end as closed_at,
        deduplicated.is_closed,
        deduplicated.is_won,
        deduplicated.lost_reason,
        deduplicated.updated_at,
        deduplicated.is_deleted,
        'salesforce' as source_system,
        deduplicated._loaded_at

    from deduplicated
    left join final_stage_entries
        on final_stage_entries.deal_id = deduplicated.deal_id
        and final_stage_entries.deal_stage = deduplicated.deal_stage
    left join converted_contacts
        on converted_contacts.deal_id = deduplicated.deal_id

)

select * from final
