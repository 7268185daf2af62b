-- CRM campaign members (webinars, events, e-mail campaigns) from the file export and
-- Salesforce on one column set. Deleted Salesforce memberships are dropped here: a
-- membership is a fact about a response, not a record a user curates.
{%- set columns = [
    'campaign_id', 'contact_id', 'member_status', 'responded_at', 'campaign_name',
    'campaign_type', 'has_responded', 'source_system'
] %}

with

unioned as (

    {{ tl_crm_union('campaign_members', columns + ['is_deleted']) }}

),

final as (

    select {{ columns | join(', ') }} from unioned
    where not is_deleted

)

select * from final
