-- Reads several models; Dagster reports it as a check of dim_people.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'dim_people'}}}) }}

-- Lead sources original_source_mapping does not know: their people show
-- lead_source_channel 'other' (the raw value in lead_source_detail). One row per
-- source system and value, with how many live people have it: add a row for each
-- to seeds/original_source_mapping.csv.
select
    contact_source_system as source_system,
    original_source,
    count(*) as people

from {{ ref('int_people') }}
where has_unmapped_lead_source
    and not is_deleted
group by contact_source_system, original_source
