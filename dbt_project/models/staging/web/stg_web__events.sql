-- Web events from every web source, in one column set: Segment (base_web__segment_events)
-- and GA4's export (base_web__ga4_events). Their message ids cannot collide (GA4's are
-- prefixed 'ga4:'). A site that sends both (a migration) gets both: dedupe upstream.
with

segment as (

    select *, 'segment' as web_source from {{ ref('base_web__segment_events') }}

),

ga4 as (

    select *, 'ga4' as web_source from {{ ref('base_web__ga4_events') }}

),

final as (

    select * from segment
    union all by name
    select * from ga4

)

select * from final
