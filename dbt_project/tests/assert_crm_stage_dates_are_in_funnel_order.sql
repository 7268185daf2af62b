-- Reads several models; Dagster reports it as a check of fct_stage_transitions.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_stage_transitions'}}}) }}

-- Stage entries the CRM reported out of funnel order (e.g. a deal won before the
-- contact's back-dated MQL date): the journey keeps them, entered no later than the
-- higher stage (is_inferred), and lists them here so the data owner can fix the
-- dates in the CRM. One row per inferred entry: the person, their CRM contact, the
-- stage, the reported and the reconciled time, and what was reconciled against what.
select
    transitions.person_id,
    people.contact_source_system,
    people.contact_id,
    transitions.stage,
    transitions.entry_number,
    transitions.reported_entered_at,
    transitions.entered_at,
    transitions.evidence_detail

from {{ ref('int_stage_transitions_derived') }} as transitions
inner join {{ ref('int_people') }} as people
    on people.person_id = transitions.person_id
where transitions.is_inferred
    and not people.is_deleted
