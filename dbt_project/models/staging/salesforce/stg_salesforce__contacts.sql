-- Salesforce people conformed to the contact columns of stg_crm__contacts: every
-- Contact, plus every Lead that is not (yet) a landed Contact. A converted lead is
-- the contact it became (ConvertedContactId): its id is the contact's, and the
-- lead's Lead Status, lead source, score, MQL date, owner and account fill what
-- the contact lacks; the person was created when the lead was.
--
-- Salesforce has no lifecycle stage field: lifecycle_stage stays null and the Lead
-- Status (lead_status) is what stage_mapping maps ('Closed - Converted' -> sql).
-- Dates: became_lead_at is the lead's creation; became_mql_at the custom field
-- MQL_Date__c (lead or contact, the earlier); became_sql_at the conversion. The
-- conversion instant is the converted contact's CreatedDate when it falls on the
-- lead's ConvertedDate (conversion creates the contact), else the start of
-- ConvertedDate. Opportunity and customer come from the opportunities, not here.
-- Lead_Score__c and MQL_Date__c are read only when they were landed
-- (SALESFORCE_EXTRA_FIELDS=Lead.Lead_Score__c,Lead.MQL_Date__c,Contact.Lead_Score__c,...).
{%- set lead_columns = adapter.get_columns_in_relation(source('raw', 'salesforce_leads')) | map(attribute='name') | map('lower') | list if execute else [] %}
{%- set contact_columns = adapter.get_columns_in_relation(source('raw', 'salesforce_contacts')) | map(attribute='name') | map('lower') | list if execute else [] %}

{%- set lead_score = tl_number('lead_score__c') if 'lead_score__c' in lead_columns else 'cast(null as double)' %}
{%- set lead_mql_at = tl_timestamp('mql_date__c') if 'mql_date__c' in lead_columns else 'cast(null as timestamptz)' %}
{%- set contact_score = tl_number('lead_score__c') if 'lead_score__c' in contact_columns else 'cast(null as double)' %}
{%- set contact_mql_at = tl_timestamp('mql_date__c') if 'mql_date__c' in contact_columns else 'cast(null as timestamptz)' %}

with

lead_source as (

    select * from {{ source('raw', 'salesforce_leads') }}

),

contact_source as (

    select * from {{ source('raw', 'salesforce_contacts') }}

),

leads as (

    select
        {{ tl_text('id') }} as lead_id,
        {{ tl_email('email') }} as email,
        {{ tl_text('first_name') }} as first_name,
        {{ tl_text('last_name') }} as last_name,
        {{ tl_text('owner_id') }} as owner_id,
        {{ tl_text('status') }} as lead_status,
        {{ tl_text('lead_source') }} as original_source,
        {{ lead_score }} as lead_score,
        {{ lead_mql_at }} as mql_at,
        coalesce({{ tl_bool('is_converted') }}, false) as is_converted,
        {{ tl_date('converted_date') }} as converted_date,
        {{ tl_text('converted_contact_id') }} as converted_contact_id,
        {{ tl_text('converted_account_id') }} as converted_account_id,
        {{ tl_timestamp('created_date') }} as created_at,
        coalesce({{ tl_timestamp('last_modified_date') }}, {{ tl_timestamp('system_modstamp') }}) as updated_at,
        coalesce({{ tl_bool('is_deleted') }}, false) as is_deleted,
        _loaded_at,
        {{ tl_timestamp('system_modstamp') }} as _modstamp

    from lead_source
    where {{ tl_text('id') }} is not null
    qualify row_number() over (
        partition by {{ tl_text('id') }}
        order by {{ tl_timestamp('system_modstamp') }} desc nulls last, _loaded_at desc nulls last
    ) = 1

),

contacts as (

    select
        {{ tl_text('id') }} as contact_id,
        {{ tl_email('email') }} as email,
        {{ tl_text('first_name') }} as first_name,
        {{ tl_text('last_name') }} as last_name,
        {{ tl_text('account_id') }} as account_id,
        {{ tl_text('owner_id') }} as owner_id,
        {{ tl_text('lead_source') }} as original_source,
        {{ contact_score }} as lead_score,
        {{ contact_mql_at }} as mql_at,
        {{ tl_timestamp('created_date') }} as created_at,
        coalesce({{ tl_timestamp('last_modified_date') }}, {{ tl_timestamp('system_modstamp') }}) as updated_at,
        coalesce({{ tl_bool('is_deleted') }}, false) as is_deleted,
        _loaded_at,
        {{ tl_timestamp('system_modstamp') }} as _modstamp

    from contact_source
    where {{ tl_text('id') }} is not null
    qualify row_number() over (
        partition by {{ tl_text('id') }}
        order by {{ tl_timestamp('system_modstamp') }} desc nulls last, _loaded_at desc nulls last
    ) = 1

),

-- The lead each contact was converted from. Several leads merged into one contact
-- are possible: the earliest live one is the person's beginning.
converted_leads as (

    select *
    from leads
    where is_converted and converted_contact_id is not null
    qualify row_number() over (
        partition by converted_contact_id order by is_deleted, created_at nulls last, lead_id
    ) = 1

),

contact_people as (

    select
        contacts.contact_id,
        coalesce(contacts.email, converted_leads.email) as email,
        coalesce(contacts.first_name, converted_leads.first_name) as first_name,
        coalesce(contacts.last_name, converted_leads.last_name) as last_name,
        coalesce(contacts.account_id, converted_leads.converted_account_id) as account_id,
        coalesce(contacts.owner_id, converted_leads.owner_id) as owner_id,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        converted_leads.lead_status,
        coalesce(contacts.lead_score, converted_leads.lead_score) as lead_score,
        coalesce(contacts.original_source, converted_leads.original_source) as original_source,
        least(contacts.created_at, converted_leads.created_at) as created_at,
        greatest(contacts.updated_at, converted_leads.updated_at) as updated_at,
        contacts.is_deleted,
        converted_leads.created_at as became_lead_at,
        least(contacts.mql_at, converted_leads.mql_at) as became_mql_at,
        case when converted_leads.lead_id is not null then
            greatest(
                case
                    when converted_leads.converted_date is null then contacts.created_at
                    when cast(contacts.created_at as date) = converted_leads.converted_date then contacts.created_at
                    else cast(converted_leads.converted_date as timestamptz)
                end,
                converted_leads.created_at
            )
        end as became_sql_at,
        greatest(contacts._loaded_at, converted_leads._loaded_at) as _loaded_at

    from contacts
    left join converted_leads
        on converted_leads.converted_contact_id = contacts.contact_id

),

-- Leads not converted, and converted leads whose contact has not been landed.
lead_people as (

    select
        leads.lead_id as contact_id,
        leads.email,
        leads.first_name,
        leads.last_name,
        leads.converted_account_id as account_id,
        leads.owner_id,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        leads.lead_status,
        leads.lead_score,
        leads.original_source,
        leads.created_at,
        leads.updated_at,
        leads.is_deleted,
        leads.created_at as became_lead_at,
        leads.mql_at as became_mql_at,
        case when leads.is_converted then
            greatest(cast(leads.converted_date as timestamptz), leads.created_at)
        end as became_sql_at,
        leads._loaded_at

    from leads
    where not exists (
        select 1 from contacts where contacts.contact_id = leads.converted_contact_id
    )

),

unioned as (

    select * from contact_people
    union all
    select * from lead_people

),

final as (

    select
        contact_id,
        email,
        first_name,
        last_name,
        account_id,
        owner_id,
        lifecycle_stage,
        lead_status,
        lead_score,
        original_source,
        created_at,
        updated_at,
        is_deleted,
        became_lead_at,
        became_mql_at,
        became_sql_at,
        cast(null as timestamptz) as became_opportunity_at,
        cast(null as timestamptz) as became_customer_at,
        'salesforce' as source_system,
        _loaded_at

    from unioned

)

select * from final
