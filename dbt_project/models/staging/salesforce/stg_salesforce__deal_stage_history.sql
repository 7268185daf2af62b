-- Salesforce OpportunityHistory conformed to stg_crm__deal_stage_history: one row
-- per stage an opportunity entered, at the history record's CreatedDate.
-- OpportunityHistory also writes a record when only the amount, close date or
-- probability changes; such a record repeats the stage and is not an entry.
-- Records of deleted opportunities are kept (the deal carries is_deleted).
with

source as (

    select * from {{ source('raw', 'salesforce_opportunity_history') }}

),

renamed as (

    select
        {{ tl_text('id') }} as history_id,
        {{ tl_text('opportunity_id') }} as deal_id,
        {{ tl_text('stage_name') }} as deal_stage,
        {{ tl_timestamp('created_date') }} as entered_at,
        _loaded_at

    from source

),

deduplicated as (

    select * from renamed
    where history_id is not null and deal_id is not null and deal_stage is not null and entered_at is not null
    qualify row_number() over (partition by history_id order by _loaded_at desc nulls last) = 1

),

sequenced as (

    select
        *,
        lag(deal_stage) over (partition by deal_id order by entered_at, history_id) as previous_stage

    from deduplicated

),

final as (

    select distinct
        deal_id,
        deal_stage,
        entered_at,
        cast(null as {{ dbt.type_string() }}) as source_type,
        'salesforce' as source_system

    from sequenced
    where previous_stage is distinct from deal_stage

)

select * from final
