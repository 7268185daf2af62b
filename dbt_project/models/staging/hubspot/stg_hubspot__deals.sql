-- HubSpot deals conformed to the deal columns of stg_crm__deals. HubSpot's
-- closedate is the expected close date while a deal is open: int_deals_unioned
-- keeps it as closed_at only once the deal is closed.
with

source as (

    select * from {{ source('raw', 'hubspot_deals') }}

),

renamed as (

    select
        {{ tl_text('id') }} as deal_id,
        {{ tl_text('property_dealname') }} as deal_name,
        {{ tl_first_id('association_company_id') }} as account_id,
        {{ tl_first_id('association_contact_id') }} as contact_id,
        {{ tl_text('property_hubspot_owner_id') }} as owner_id,
        {{ tl_text('property_pipeline') }} as pipeline,
        {{ tl_text('property_dealstage') }} as deal_stage,
        {{ tl_money('property_amount') }} as amount,
        upper({{ tl_text('property_deal_currency_code') }}) as currency_code,
        coalesce({{ tl_timestamp('property_createdate') }}, {{ tl_timestamp('created_at') }}) as created_at,
        {{ tl_timestamp('property_closedate') }} as closed_at,
        {{ tl_bool('property_hs_is_closed') }} as is_closed,
        {{ tl_bool('property_hs_is_closed_won') }} as is_won,
        {{ tl_text('property_closed_lost_reason') }} as lost_reason,
        coalesce({{ tl_timestamp('property_hs_lastmodifieddate') }}, {{ tl_timestamp('updated_at') }}) as updated_at,
        coalesce({{ tl_bool('archived') }}, false) as is_deleted,
        'hubspot' as source_system,
        _loaded_at

    from source

),

deduplicated as (

    select * from renamed
    where deal_id is not null
    qualify row_number() over (
        partition by deal_id order by updated_at desc nulls last, _loaded_at desc nulls last
    ) = 1

)

select * from deduplicated
