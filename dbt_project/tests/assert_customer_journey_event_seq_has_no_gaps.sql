-- Every person's journey is numbered 1..n without gaps or repeats.
select
    person_id,
    min(event_seq) as first_seq,
    max(event_seq) as last_seq,
    count(*) as events,
    count(distinct event_seq) as distinct_seqs
from {{ ref('customer_journey') }}
group by person_id
having min(event_seq) <> 1
    or max(event_seq) <> count(*)
    or count(distinct event_seq) <> count(*)
