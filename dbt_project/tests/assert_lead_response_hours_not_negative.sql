-- Lead response is measured from the MQL forward: never negative, and only for
-- people who became MQLs and were touched by sales.
select person_id, mql_at, first_sales_touch_after_mql_at, lead_response_hours
from {{ ref('journey_summary') }}
where lead_response_hours < 0
    or (lead_response_hours is not null and (mql_at is null or first_sales_touch_after_mql_at is null))
