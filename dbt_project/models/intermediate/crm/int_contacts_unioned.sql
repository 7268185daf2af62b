-- Contacts from the file export, HubSpot and Salesforce (contacts and unconverted
-- leads) on one column set, with the canonical stage their lifecycle stage and
-- lead status map to. Deleted contacts are kept (is_deleted): identity needs them,
-- the journey marts drop them.
-- Lead source: lead_source_detail is the CRM's own value (trimmed); the channel is
-- the value itself when it is a channel name, else what original_source_mapping
-- says, else 'other' (has_unmapped_lead_source: add a seed row). Null only when the
-- CRM gave no source.
{%- set columns = [
    'contact_id', 'email', 'first_name', 'last_name', 'account_id', 'owner_id', 'lifecycle_stage',
    'lead_status', 'lead_score', 'original_source', 'created_at', 'updated_at', 'is_deleted',
    'became_lead_at', 'became_mql_at', 'became_sql_at', 'became_opportunity_at',
    'became_customer_at', 'source_system'
] %}

with

stage_mapping as (

    select
        source_system,
        lower(trim(source_stage)) as source_stage,
        nullif(trim(canonical_stage), '') as canonical_stage
    from {{ ref('stage_mapping') }}

),

original_source_mapping as (

    select
        source_system,
        lower(trim(original_source)) as original_source,
        lead_source_channel
    from {{ ref('original_source_mapping') }}

),

unioned as (

    {{ tl_crm_union('contacts', columns) }}

),

mapped as (

    select
        unioned.*,
        unioned.source_system || ':' || unioned.contact_id as contact_key,
        unioned.source_system || ':' || unioned.account_id as account_key,
        lifecycle.canonical_stage as lifecycle_canonical_stage,
        status.canonical_stage as lead_status_canonical_stage,
        unioned.original_source as lead_source_detail,
        case
            when unioned.original_source is null then null
            when lower(unioned.original_source) in {{ tl_in_list(tl_lead_source_channels()) }}
                then lower(unioned.original_source)
            when source_map.lead_source_channel is not null then source_map.lead_source_channel
            else 'other'
        end as lead_source_channel,
        unioned.original_source is not null
            and lower(unioned.original_source) not in {{ tl_in_list(tl_lead_source_channels()) }}
            and source_map.lead_source_channel is null as has_unmapped_lead_source

    from unioned
    left join stage_mapping as lifecycle
        on lifecycle.source_system = unioned.source_system
        and lifecycle.source_stage = lower(unioned.lifecycle_stage)
    left join stage_mapping as status
        on status.source_system = unioned.source_system
        and status.source_stage = lower(unioned.lead_status)
    left join original_source_mapping as source_map
        on source_map.source_system = unioned.source_system
        and source_map.original_source = lower(unioned.original_source)

),

final as (

    select
        *,
        -- The furthest stage the CRM's current fields claim (lifecycle stage or lead status).
        case
            when coalesce({{ tl_stage_rank('lead_status_canonical_stage') }}, 0)
                > coalesce({{ tl_stage_rank('lifecycle_canonical_stage') }}, 0)
                then lead_status_canonical_stage
            else lifecycle_canonical_stage
        end as current_canonical_stage

    from mapped

)

select * from final
