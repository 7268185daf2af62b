-- HubSpot contacts conformed to the contact columns of stg_crm__contacts. A contact
-- merged into another disappears from HubSpot's API but not from raw (loads merge by
-- key): the survivor's hs_merged_object_ids names it, and it is flagged deleted here.
with

source as (

    select * from {{ source('raw', 'hubspot_contacts') }}

),

merged_away as (

    select distinct trim(merged_id) as contact_id
    from source, unnest(string_split({{ tl_text('property_hs_merged_object_ids') }}, ';')) as m(merged_id)
    where trim(merged_id) <> ''

),

renamed as (

    select
        {{ tl_text('id') }} as contact_id,
        {{ tl_email('property_email') }} as email,
        {{ tl_text('property_firstname') }} as first_name,
        {{ tl_text('property_lastname') }} as last_name,
        {{ tl_first_id('property_associatedcompanyid') }} as account_id,
        {{ tl_text('property_hubspot_owner_id') }} as owner_id,
        {{ tl_text('property_lifecyclestage') }} as lifecycle_stage,
        {{ tl_text('property_hs_lead_status') }} as lead_status,
        {{ tl_number('property_hubspotscore') }} as lead_score,
        {{ tl_text('property_hs_analytics_source') }} as original_source,
        coalesce({{ tl_timestamp('property_createdate') }}, {{ tl_timestamp('created_at') }}) as created_at,
        coalesce({{ tl_timestamp('property_lastmodifieddate') }}, {{ tl_timestamp('updated_at') }}) as updated_at,
        coalesce({{ tl_bool('archived') }}, false)
            or {{ tl_text('id') }} in (select contact_id from merged_away) as is_deleted,
        {{ tl_timestamp('property_hs_lifecyclestage_lead_date') }} as became_lead_at,
        {{ tl_timestamp('property_hs_lifecyclestage_marketingqualifiedlead_date') }} as became_mql_at,
        {{ tl_timestamp('property_hs_lifecyclestage_salesqualifiedlead_date') }} as became_sql_at,
        {{ tl_timestamp('property_hs_lifecyclestage_opportunity_date') }} as became_opportunity_at,
        {{ tl_timestamp('property_hs_lifecyclestage_customer_date') }} as became_customer_at,
        'hubspot' as source_system,
        _loaded_at

    from source

),

deduplicated as (

    select * from renamed
    where contact_id is not null
    qualify row_number() over (
        partition by contact_id order by updated_at desc nulls last, _loaded_at desc nulls last
    ) = 1

)

select * from deduplicated
