-- Reads several models; Dagster reports it as a check of fct_touchpoints.
{{ config(meta={'dagster': {'ref': {'name': 'fct_touchpoints'}}}) }}

-- Every touchpoint with a person (account-only sales activities have none), and
-- every person in the journey, is a live person of dim_people.
select 'fct_touchpoints' as model, touchpoints.touchpoint_id as record_id, touchpoints.person_id
from {{ ref('fct_touchpoints') }} as touchpoints
left join {{ ref('dim_people') }} as people
    on people.person_id = touchpoints.person_id
where touchpoints.person_id is not null
    and (people.person_id is null or people.is_deleted)

union all

select 'customer_journey', journey.journey_event_id, journey.person_id
from {{ ref('customer_journey') }} as journey
left join {{ ref('dim_people') }} as people
    on people.person_id = journey.person_id
where people.person_id is null or people.is_deleted
