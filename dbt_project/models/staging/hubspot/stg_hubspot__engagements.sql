-- HubSpot engagements (calls, meetings, emails, notes, tasks) conformed to the
-- activity columns of stg_crm__activities. outcome carries HubSpot's own value:
-- the call disposition id (portal-specific GUID), the meeting outcome or the
-- task status, lower-cased.
with

source as (

    select * from {{ source('raw', 'hubspot_engagements') }}

),

renamed as (

    select
        {{ tl_text('id') }} as activity_id,
        case lower({{ tl_text('engagement_type') }})
            when 'calls' then 'call'
            when 'meetings' then 'meeting'
            when 'emails' then 'email'
            when 'notes' then 'note'
            when 'tasks' then 'task'
        end as activity_type,
        case lower({{ tl_text('engagement_type') }})
            when 'calls' then
                case upper({{ tl_text('property_hs_call_direction') }})
                    when 'INBOUND' then 'inbound'
                    when 'OUTBOUND' then 'outbound'
                end
            when 'emails' then
                case
                    when {{ tl_text('property_hs_email_direction') }} is null then null
                    when upper({{ tl_text('property_hs_email_direction') }}) = 'INCOMING_EMAIL' then 'inbound'
                    else 'outbound'
                end
        end as direction,
        {{ tl_first_id('association_contact_id') }} as contact_id,
        {{ tl_first_id('association_company_id') }} as account_id,
        {{ tl_first_id('association_deal_id') }} as deal_id,
        {{ tl_text('property_hubspot_owner_id') }} as owner_id,
        coalesce({{ tl_timestamp('property_hs_timestamp') }}, {{ tl_timestamp('created_at') }}) as occurred_at,
        lower(case lower({{ tl_text('engagement_type') }})
            when 'calls' then {{ tl_text('property_hs_call_disposition') }}
            when 'meetings' then {{ tl_text('property_hs_meeting_outcome') }}
            when 'tasks' then {{ tl_text('property_hs_task_status') }}
        end) as outcome,
        coalesce({{ tl_bool('archived') }}, false) as is_deleted,
        'hubspot' as source_system,
        _loaded_at,
        coalesce({{ tl_timestamp('updated_at') }}, {{ tl_timestamp('created_at') }}) as _updated_at

    from source

),

deduplicated as (

    select * exclude (_updated_at) from renamed
    where activity_id is not null and activity_type is not null
    qualify row_number() over (
        partition by activity_id order by _updated_at desc nulls last, _loaded_at desc nulls last
    ) = 1

)

select * from deduplicated
