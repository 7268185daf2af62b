-- CRM campaign members (webinars, events, e-mail campaigns) from the file export and
-- Salesforce on one column set. Deleted Salesforce memberships are dropped here: a
-- membership is a fact about a response, not a record a user curates.
{%- set columns = [
    'campaign_id', 'contact_id', 'member_status', 'responded_at', 'campaign_name',
    'campaign_type', 'has_responded', 'source_system'
] %}

with

crm_members as (

    select {{ columns | join(', ') }} from {{ ref('stg_crm__campaign_members') }}

),

salesforce_members as (

    select {{ columns | join(', ') }} from {{ ref('stg_salesforce__campaign_members') }}
    where not is_deleted

),

unioned as (

    select * from crm_members
    union all
    select * from salesforce_members

)

select * from unioned
