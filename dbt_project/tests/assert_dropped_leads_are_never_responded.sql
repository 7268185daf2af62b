-- A dropped lead had no sales touch within var('dropped_lead_days'): it is never also
-- responded (no response time, no response band other than no_response), and it is
-- always a breach of the SLA.
select lead_handoff_id, handoff_status, is_responded, is_sla_breached, response_hours, response_band
from {{ ref('fct_lead_handoff') }}
where is_dropped
    and (is_responded or not is_sla_breached or response_hours is not null or response_band <> 'no_response')
