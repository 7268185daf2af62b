-- Contact lifecycle-stage history from the file export, HubSpot and Salesforce
-- (derived there), mapped to canonical stages, with the entries that go back down
-- the funnel marked (is_regression: the CRM recycled the contact, e.g. from MQL
-- back to lead).
{%- set columns = ['contact_id', 'lifecycle_stage', 'entered_at', 'source_type', 'source_system'] %}

with

stage_mapping as (

    select
        source_system,
        lower(trim(source_stage)) as source_stage,
        nullif(trim(canonical_stage), '') as canonical_stage
    from {{ ref('stage_mapping') }}

),

unioned as (

    {{ tl_crm_union('contact_stages', columns) }}

),

mapped as (

    select
        unioned.*,
        unioned.source_system || ':' || unioned.contact_id as contact_key,
        stage_mapping.canonical_stage,
        {{ tl_stage_rank('stage_mapping.canonical_stage') }} as stage_rank

    from unioned
    left join stage_mapping
        on stage_mapping.source_system = unioned.source_system
        and stage_mapping.source_stage = lower(unioned.lifecycle_stage)

),

-- Only funnel stages take part in the previous-stage comparison.
sequenced as (

    select
        *,
        lag(stage_rank) over (
            partition by contact_key order by entered_at, stage_rank
        ) as previous_stage_rank

    from mapped
    where canonical_stage is not null

),

unmapped as (

    select *, cast(null as integer) as previous_stage_rank
    from mapped
    where canonical_stage is null

),

final as (

    select
        contact_id,
        contact_key,
        lifecycle_stage,
        canonical_stage,
        stage_rank,
        entered_at,
        coalesce(stage_rank < previous_stage_rank, false) as is_regression,
        source_type,
        source_system

    from (
        select * from sequenced
        union all
        select * from unmapped
    )

)

select * from final
