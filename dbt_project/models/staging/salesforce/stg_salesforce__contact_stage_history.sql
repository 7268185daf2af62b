-- Salesforce keeps no lifecycle history we land (LeadHistory is not read), so this
-- is derived from the dated facts of each person (stg_salesforce__contacts), named
-- with the Lead Status values stage_mapping knows:
--   'Open - Not Contacted' (lead) at the lead's creation,
--   'Marketing Qualified'  (mql)  at MQL_Date__c,
--   'Closed - Converted'   (sql)  at the conversion.
-- Opportunity and customer come from the opportunities themselves (int_deals_unioned)
-- and the seed has no Lead Status for them. The entries only climb: an MQL date
-- before the lead's creation, or a conversion before the MQL date, is left out here
-- (the became_*_at fields still carry it), so a derived entry never reads as the
-- CRM recycling the person. source_type names the field an entry comes from.
with

people as (

    select * from {{ ref('stg_salesforce__contacts') }}

),

entries as (

    select contact_id, 'Open - Not Contacted' as lifecycle_stage, became_lead_at as entered_at,
        'Lead.CreatedDate' as source_type
    from people
    where became_lead_at is not null

    union all

    select contact_id, 'Marketing Qualified', became_mql_at, 'MQL_Date__c'
    from people
    where became_mql_at is not null
        and became_mql_at >= coalesce(became_lead_at, became_mql_at)

    union all

    select contact_id, 'Closed - Converted', became_sql_at, 'Lead.ConvertedDate'
    from people
    where became_sql_at is not null
        and became_sql_at >= coalesce(became_lead_at, became_sql_at)
        and became_sql_at >= coalesce(became_mql_at, became_sql_at)

),

final as (

    select distinct
        contact_id,
        lifecycle_stage,
        entered_at,
        source_type,
        'salesforce' as source_system

    from entries

)

select * from final
