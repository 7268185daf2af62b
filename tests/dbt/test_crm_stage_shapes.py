"""Stage dates a CRM reports out of order, and lead sources nobody mapped, on one small world.

Every stage the CRM reports is kept. The rule (int_stage_transitions_derived, var
`reconciled_stages`): within an epoch (a CRM history step back down the funnel starts a
new one), a stage from known up to opportunity whose *first* report comes after a higher
stage was reached is entered at the time that higher stage was first reached;
`is_inferred`, the reported time in `reported_entered_at`. A lost deal stands where its
opportunity did. At one instant stages go in funnel order. visitor is never reconciled.

The world: a CRM file export (times UTC, all in 2024), plus Segment events for Ina and
Vic. "today" is what main gave before the rule: the stage walk only climbs, so a stage
reported after a higher one was never a stage change.

Wanda (W1), source " Trade show booth 2024 ": contact created 03-01 09:00 (known, lead);
  deal D1 created 03-05 10:00, won 03-20 12:00; became_mql_at 03-25 09:00 (typed in
  after the win); expansion deal D7 created 03-28 09:00, lost 04-05 09:00.
  mql's first report (03-25) is after opportunity (03-05 10:00) -> mql at 03-05 10:00,
  inferred, before opportunity at that instant. D7 neither demotes her (customer stays
  customer) nor is reconciled (opportunity was first reported 03-05, in order).
  today: known, lead, opportunity, customer.  now: known, lead, mql*, opportunity, customer.
Oscar (O1), source "Organic_Search" (a channel name): created 03-10 09:00 (known, lead);
  became_sql_at 03-11 09:00, became_mql_at 03-12 09:00, became_opportunity_at 03-13 09:00,
  became_lead_at 03-14 09:00. mql (03-12) after sql (03-11) -> mql at 03-11 09:00.
  The late became_lead_at is a second report of a stage entered on 03-10: nothing moves.
  His first touch is an outbound call at 03-10 10:00.
  today: known, lead, sql, opportunity.  now: known, lead, mql*, sql, opportunity.
Lena (L1), source "Trade show booth 2024": deal D3 created 03-02 10:00 (she was added to
  it later), contact created 03-04 09:00 (known, lead), became_mql_at 03-06 09:00, D3
  lost 03-08 12:00, became_sql_at 03-10 09:00 (after the loss), new deal D6 created
  03-20 09:00 (open). known, lead, mql, sql are all first reported after opportunity
  (03-02 10:00; for sql also after closed_lost, which counts as opportunity), so all
  four enter at 03-02 10:00 in funnel order; D6 reopens the opportunity after the loss.
  today: opportunity, closed_lost, opportunity.
  now: known*, lead*, mql*, sql*, opportunity, closed_lost, opportunity.
Rita (R1), source "Podcast": created 03-01 08:00; history lead 03-01 08:00, sql 03-03
  08:00, Nurturing (lead) 03-10 08:00 = recycled (new epoch), marketingqualifiedlead
  03-13 08:00; became_mql_at 03-05 08:00; deal D4 created 03-11 08:00 (open).
  Epoch 1: mql (03-05) after sql (03-03 08:00) -> 03-03 08:00.
  Epoch 2: mql (03-13) after opportunity (03-11 08:00) -> 03-11 08:00, never before the
  recycle on 03-10 (a rule over the whole history would pull it to 03-03). She visits
  the site and identifies on 03-12 08:00: that first web known is below the stage the
  climb restarted from (lead), so it is not reconciled and changes nothing.
  today: known, lead, sql, lead, opportunity.
  now: known, lead, mql*, sql, lead, mql*, opportunity.
Ina (I1), source "Google Ads" (mapped: paid_search), in order: Google ad click
  02-28 10:00, identifies 10:05, contact 03-01 10:00, mql 03-02 10:00, sql 03-03 10:00,
  deal D5 created 03-04 10:00, won 03-15 10:00. Exactly as today, nothing inferred.
Vic (V1), source "email": contact 03-01 09:00; first visits the site (newsletter link)
  on 03-05 09:00, already a lead: never an anonymous visitor, so no visitor entry.
Emma (E1), source "" (said nothing): contact 03-01 12:00; webinar response 03-02 15:00.
Sara (S1), source "Cold Call" (mapped: outbound_call): contact 03-01 09:00, deal D8
  created 03-02 09:00, won 03-09 09:00; lead score 80, no MQL date, updated 03-30 09:00.
  The MQL by lead score is our inference at the last update, not a reported stage: it
  comes after the win and is not reconciled (no MQL), exactly as today.

Lead sources: the channel is the value itself when it is a channel name (Organic_Search,
email), else the seed's channel (Google Ads -> paid_search, Cold Call -> outbound_call),
else 'other' (Trade show booth 2024, Podcast); null only for Emma's empty value. lead_source_detail keeps the
CRM's value, trimmed. An unmapped source does not make a deal marketing-sourced.
Warnings: 8 inferred entries (W1 mql, O1 mql, L1 known/lead/mql/sql, R1 mql twice) and
2 unmapped values (Trade show booth 2024: 2 people, Podcast: 1).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

import pytest

import raw_world
from conftest import build_world

# Build only what is asserted, with the tests whose parents are all built (the two
# warning tests among them).
BUILD_ARGS = (
    "--select", "+fct_stage_transitions +customer_journey +journey_summary +fct_opportunities +dim_people",
    "--indirect-selection", "cautious", "--exclude-resource-type", "unit_test",
)
SITE = raw_world.SITE


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


WANDA, OSCAR, LENA, RITA, INA, VIC, EMMA, SARA = (md5(f"contact:crm:{c}") for c in
                                                 ("W1", "O1", "L1", "R1", "I1", "V1", "E1", "S1"))


def contact(cid, name, created, source, **became) -> dict:
    return {"contact_id": cid, "email": f"{name}@{name}.example", "owner_id": "O1", "original_source": source,
            "created_at": created, **{f"became_{stage}_at": at for stage, at in became.items()}}


def deal(did, cid, created, closed=None, won=None) -> dict:
    stage = "appointmentscheduled" if closed is None else ("closedwon" if won else "closedlost")
    return {"deal_id": did, "contact_id": cid, "owner_id": "O1", "deal_stage": stage, "amount": "1000",
            "currency": "USD", "created_at": created, "closed_at": closed,
            "is_closed": "false" if closed is None else "true", "is_won": "true" if won else "false"}


def shapes_rows() -> dict[str, list[dict]]:
    ad = f"{SITE}/?utm_source=google&utm_medium=cpc&gclid=g-ina"
    news = f"{SITE}/?utm_source=newsletter&utm_medium=email"
    return {
        "crm_owners": [{"owner_id": "O1", "name": "Sam Seller", "team": "sales"}],
        "crm_contacts": [
            contact("W1", "wanda", "2024-03-01T09:00:00Z", " Trade show booth 2024 ", mql="2024-03-25T09:00:00Z"),
            contact("O1", "oscar", "2024-03-10T09:00:00Z", "Organic_Search", lead="2024-03-14T09:00:00Z",
                    mql="2024-03-12T09:00:00Z", sql="2024-03-11T09:00:00Z",
                    opportunity="2024-03-13T09:00:00Z"),
            contact("L1", "lena", "2024-03-04T09:00:00Z", "Trade show booth 2024", mql="2024-03-06T09:00:00Z",
                    sql="2024-03-10T09:00:00Z"),
            contact("R1", "rita", "2024-03-01T08:00:00Z", "Podcast", mql="2024-03-05T08:00:00Z"),
            contact("I1", "ina", "2024-03-01T10:00:00Z", "Google Ads", mql="2024-03-02T10:00:00Z",
                    sql="2024-03-03T10:00:00Z"),
            contact("V1", "vic", "2024-03-01T09:00:00Z", "email"),
            contact("E1", "emma", "2024-03-01T12:00:00Z", ""),
            {**contact("S1", "sara", "2024-03-01T09:00:00Z", "Cold Call"), "lead_score": "80",
             "updated_at": "2024-03-30T09:00:00Z"},
        ],
        "crm_contact_stage_history": [
            {"contact_id": "R1", "lifecycle_stage": "lead", "entered_at": "2024-03-01T08:00:00Z"},
            {"contact_id": "R1", "lifecycle_stage": "sql", "entered_at": "2024-03-03T08:00:00Z"},
            {"contact_id": "R1", "lifecycle_stage": "Nurturing", "entered_at": "2024-03-10T08:00:00Z"},
            {"contact_id": "R1", "lifecycle_stage": "marketingqualifiedlead", "entered_at": "2024-03-13T08:00:00Z"},
        ],
        "crm_deals": [
            deal("D1", "W1", "2024-03-05T10:00:00Z", "2024-03-20T12:00:00Z", won=True),
            deal("D7", "W1", "2024-03-28T09:00:00Z", "2024-04-05T09:00:00Z", won=False),
            deal("D3", "L1", "2024-03-02T10:00:00Z", "2024-03-08T12:00:00Z", won=False),
            deal("D6", "L1", "2024-03-20T09:00:00Z"),
            deal("D4", "R1", "2024-03-11T08:00:00Z"),
            deal("D5", "I1", "2024-03-04T10:00:00Z", "2024-03-15T10:00:00Z", won=True),
            deal("D8", "S1", "2024-03-02T09:00:00Z", "2024-03-09T09:00:00Z", won=True),
        ],
        "crm_activities": [
            {"activity_id": "ACT1", "activity_type": "call", "direction": "outbound", "contact_id": "O1",
             "owner_id": "O1", "occurred_at": "2024-03-10T10:00:00Z"},
        ],
        "crm_campaign_members": [
            {"campaign_id": "CMP1", "contact_id": "E1", "member_status": "Attended",
             "responded_at": "2024-03-02T15:00:00Z", "campaign_name": "March Webinar", "campaign_type": "Webinar"},
        ],
        "web_events": [
            raw_world.web_event("m-i1", "page", "2024-02-28T10:00:00Z", "anon-ina", url=ad),
            raw_world.web_event("m-i2", "identify", "2024-02-28T10:05:00Z", "anon-ina", email="ina@ina.example"),
            raw_world.web_event("m-v1", "page", "2024-03-05T09:00:00Z", "anon-vic", url=news),
            raw_world.web_event("m-v2", "identify", "2024-03-05T09:01:00Z", "anon-vic", email="vic@vic.example"),
            raw_world.web_event("m-r1", "page", "2024-03-12T08:00:00Z", "anon-rita", url=f"{SITE}/"),
            raw_world.web_event("m-r2", "identify", "2024-03-12T08:00:30Z", "anon-rita", email="rita@rita.example"),
        ],
    }


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_world(tmp_path_factory, "crm_stage_shapes", shapes_rows(), extra_args=BUILD_ARGS)


@pytest.fixture(scope="module")
def q(db, query_db):
    return lambda sql, params=None: query_db(db, sql, params)


def transitions(q, person_id):
    return q("select stage, entered_at, is_inferred, reported_entered_at, previous_stage, times_entered "
             "from marts.fct_stage_transitions where person_id = ? order by entered_at, stage_rank", [person_id])


def journey_stages(q, person_id):
    return q("select stage, event_at, is_inferred, reported_entered_at from marts.customer_journey "
             "where person_id = ? and event_kind = 'stage_change' order by event_seq", [person_id])


def test_a_deal_won_before_a_back_dated_mql_keeps_the_mql_at_the_opportunity(q):
    opened, won = utc("2024-03-05T10:00:00"), utc("2024-03-20T12:00:00")
    created = utc("2024-03-01T09:00:00")
    assert transitions(q, WANDA) == [
        ("known", created, False, created, None, 1),
        ("lead", created, False, created, "known", 1),
        ("mql", opened, True, utc("2024-03-25T09:00:00"), "lead", 1),
        ("opportunity", opened, False, opened, "mql", 1),
        ("customer", won, False, won, "opportunity", 1),
    ]
    assert q("select evidence, evidence_detail from marts.fct_stage_transitions where person_id = ? "
             "and stage = 'mql'", [WANDA]) == [(
        "crm_field", "crm contact W1: became_mql_at (reported 2024-03-25 09:00:00); entered no later than "
                     "opportunity at 2024-03-05 10:00:00 (crm deal D1 created)")]
    # The lost expansion deal after the win changes nothing: a customer stays a customer.
    assert q("select current_stage, closed_lost_at from marts.journey_summary where person_id = ?", [WANDA]) == [
        ("customer", None)]


def test_out_of_order_crm_fields_enter_in_funnel_order_and_a_late_second_report_moves_nothing(q):
    at = utc
    assert transitions(q, OSCAR) == [
        ("known", at("2024-03-10T09:00:00"), False, at("2024-03-10T09:00:00"), None, 1),
        ("lead", at("2024-03-10T09:00:00"), False, at("2024-03-10T09:00:00"), "known", 1),
        ("mql", at("2024-03-11T09:00:00"), True, at("2024-03-12T09:00:00"), "lead", 1),
        ("sql", at("2024-03-11T09:00:00"), False, at("2024-03-11T09:00:00"), "mql", 1),
        ("opportunity", at("2024-03-13T09:00:00"), False, at("2024-03-13T09:00:00"), "sql", 1),
    ]


def test_stages_reported_after_a_deal_they_joined_and_after_its_loss_enter_with_the_deal(q):
    opened, lost, reopened = utc("2024-03-02T10:00:00"), utc("2024-03-08T12:00:00"), utc("2024-03-20T09:00:00")
    created = utc("2024-03-04T09:00:00")
    assert journey_stages(q, LENA) == [
        ("known", opened, True, created),
        ("lead", opened, True, created),
        ("mql", opened, True, utc("2024-03-06T09:00:00")),
        ("sql", opened, True, utc("2024-03-10T09:00:00")),
        ("opportunity", opened, False, opened),
        ("closed_lost", lost, False, lost),
        # A new deal after the loss is a new opportunity, as before: not reconciled.
        ("opportunity", reopened, False, reopened),
    ]
    assert q("select opportunity_at, closed_lost_at, current_stage from marts.journey_summary "
             "where person_id = ?", [LENA]) == [(opened, lost, "opportunity")]


def test_a_recycled_person_is_reconciled_within_each_epoch_never_across_the_recycle(q):
    at = utc
    assert journey_stages(q, RITA) == [
        ("known", at("2024-03-01T08:00:00"), False, at("2024-03-01T08:00:00")),
        ("lead", at("2024-03-01T08:00:00"), False, at("2024-03-01T08:00:00")),
        ("mql", at("2024-03-03T08:00:00"), True, at("2024-03-05T08:00:00")),
        ("sql", at("2024-03-03T08:00:00"), False, at("2024-03-03T08:00:00")),
        ("lead", at("2024-03-10T08:00:00"), False, at("2024-03-10T08:00:00")),
        ("mql", at("2024-03-11T08:00:00"), True, at("2024-03-13T08:00:00")),
        ("opportunity", at("2024-03-11T08:00:00"), False, at("2024-03-11T08:00:00")),
    ]
    assert q("select stage, times_entered, last_entered_at, is_inferred from marts.fct_stage_transitions "
             "where person_id = ? and stage in ('lead', 'mql') order by stage", [RITA]) == [
        ("lead", 2, at("2024-03-10T08:00:00"), False), ("mql", 2, at("2024-03-11T08:00:00"), True)]
    assert q("select evidence_detail from intermediate.int_stage_transitions_derived "
             "where person_id = ? and stage = 'mql' order by entry_number", [RITA]) == [
        ("crm contact R1: became_mql_at (reported 2024-03-05 08:00:00); entered no later than sql at "
         "2024-03-03 08:00:00 (crm contact R1: lifecycle stage sql)",),
        ("crm contact R1: lifecycle stage marketingqualifiedlead (reported 2024-03-13 08:00:00); entered no "
         "later than opportunity at 2024-03-11 08:00:00 (crm deal D4 created)",)]


def test_a_person_whose_dates_are_in_order_comes_out_as_reported(q):
    at = utc
    stages = [("visitor", "2024-02-28T10:00:00"), ("known", "2024-02-28T10:05:00"), ("lead", "2024-03-01T10:00:00"),
              ("mql", "2024-03-02T10:00:00"), ("sql", "2024-03-03T10:00:00"),
              ("opportunity", "2024-03-04T10:00:00"), ("customer", "2024-03-15T10:00:00")]
    assert transitions(q, INA) == [
        (stage, at(t), False, at(t), stages[i - 1][0] if i else None, 1) for i, (stage, t) in enumerate(stages)]


def test_an_mql_by_lead_score_after_the_win_is_not_reconciled(q):
    at = utc
    assert transitions(q, SARA) == [
        ("known", at("2024-03-01T09:00:00"), False, at("2024-03-01T09:00:00"), None, 1),
        ("lead", at("2024-03-01T09:00:00"), False, at("2024-03-01T09:00:00"), "known", 1),
        ("opportunity", at("2024-03-02T09:00:00"), False, at("2024-03-02T09:00:00"), "lead", 1),
        ("customer", at("2024-03-09T09:00:00"), False, at("2024-03-09T09:00:00"), "opportunity", 1),
    ]


def test_a_lead_who_visits_the_site_later_was_never_an_anonymous_visitor(q):
    assert transitions(q, VIC) == [
        ("known", utc("2024-03-01T09:00:00"), False, utc("2024-03-01T09:00:00"), None, 1),
        ("lead", utc("2024-03-01T09:00:00"), False, utc("2024-03-01T09:00:00"), "known", 1),
    ]


def test_journey_summary_has_every_reported_stage_and_flags_the_inferred_dates(q):
    rows = {r[0]: r[1:] for r in q(
        "select person_id, known_at, lead_at, mql_at, sql_at, opportunity_at, customer_at, current_stage, "
        "has_inferred_stage_dates from marts.journey_summary")}
    at = utc
    assert rows == {
        WANDA: (at("2024-03-01T09:00:00"), at("2024-03-01T09:00:00"), at("2024-03-05T10:00:00"), None,
                at("2024-03-05T10:00:00"), at("2024-03-20T12:00:00"), "customer", True),
        OSCAR: (at("2024-03-10T09:00:00"), at("2024-03-10T09:00:00"), at("2024-03-11T09:00:00"),
                at("2024-03-11T09:00:00"), at("2024-03-13T09:00:00"), None, "opportunity", True),
        LENA: (at("2024-03-02T10:00:00"),) * 5 + (None, "opportunity", True),
        RITA: (at("2024-03-01T08:00:00"), at("2024-03-01T08:00:00"), at("2024-03-03T08:00:00"),
               at("2024-03-03T08:00:00"), at("2024-03-11T08:00:00"), None, "opportunity", True),
        INA: (at("2024-02-28T10:05:00"), at("2024-03-01T10:00:00"), at("2024-03-02T10:00:00"),
              at("2024-03-03T10:00:00"), at("2024-03-04T10:00:00"), at("2024-03-15T10:00:00"), "customer", False),
        VIC: (at("2024-03-01T09:00:00"), at("2024-03-01T09:00:00"), None, None, None, None, "lead", False),
        EMMA: (at("2024-03-01T12:00:00"), at("2024-03-01T12:00:00"), None, None, None, None, "lead", False),
        SARA: (at("2024-03-01T09:00:00"), at("2024-03-01T09:00:00"), None, None, at("2024-03-02T09:00:00"),
               at("2024-03-09T09:00:00"), "customer", False),
    }


def test_the_warning_lists_every_inferred_entry_for_the_crm_owner(db, query_db):
    rows = warn_test_rows(db, query_db, "assert_crm_stage_dates_are_in_funnel_order",
                          "select contact_id, stage, entry_number, reported_entered_at, entered_at")
    at = utc
    assert rows == [
        ("L1", "known", 1, at("2024-03-04T09:00:00"), at("2024-03-02T10:00:00")),
        ("L1", "lead", 1, at("2024-03-04T09:00:00"), at("2024-03-02T10:00:00")),
        ("L1", "mql", 1, at("2024-03-06T09:00:00"), at("2024-03-02T10:00:00")),
        ("L1", "sql", 1, at("2024-03-10T09:00:00"), at("2024-03-02T10:00:00")),
        ("O1", "mql", 1, at("2024-03-12T09:00:00"), at("2024-03-11T09:00:00")),
        ("R1", "mql", 1, at("2024-03-05T08:00:00"), at("2024-03-03T08:00:00")),
        ("R1", "mql", 2, at("2024-03-13T08:00:00"), at("2024-03-11T08:00:00")),
        ("W1", "mql", 1, at("2024-03-25T09:00:00"), at("2024-03-05T10:00:00")),
    ]
    assert dbt_result(db, "assert_crm_stage_dates_are_in_funnel_order") == ("warn", 8)


def test_unknown_lead_sources_are_kept_and_shown_as_other(q):
    rows = {r[0]: r[1:] for r in q(
        "select person_id, lead_source_channel, lead_source_detail, first_touch_channel, first_touch_detail "
        "from marts.journey_summary")}
    assert rows == {
        WANDA: ("other", "Trade show booth 2024", None, None),
        OSCAR: ("organic_search", "Organic_Search", "outbound_call", "call / outbound"),
        LENA: ("other", "Trade show booth 2024", None, None),
        RITA: ("other", "Podcast", "direct", "(direct) / (none)"),
        INA: ("paid_search", "Google Ads", "paid_search", "google / cpc"),
        VIC: ("email", "email", "email", "newsletter / email"),
        EMMA: (None, None, "event", "webinar"),
        SARA: ("outbound_call", "Cold Call", None, None),
    }
    people = {r[0]: r[1:] for r in q("select person_id, lead_source_channel, lead_source_detail, "
                                     "has_unmapped_lead_source from marts.dim_people")}
    assert (people[WANDA], people[INA], people[EMMA]) == (
        ("other", "Trade show booth 2024", True), ("paid_search", "Google Ads", False), (None, None, False))


def test_an_unmapped_lead_source_does_not_make_a_deal_marketing_sourced(q):
    assert q("select opportunity_id, lead_source_channel, lead_source_detail, sourced_by, sourced_by_reason "
             "from marts.fct_opportunities where opportunity_id in ('D1', 'D5', 'D8') order by 1") == [
        ("D1", "other", "Trade show booth 2024", "sales",
         "no marketing touch before the deal; lead source not in original_source_mapping"),
        ("D5", "paid_search", "Google Ads", "marketing", "marketing touch before the deal was created"),
        ("D8", "outbound_call", "Cold Call", "sales",
         "no marketing touch before the deal and no marketing lead source"),
    ]


def test_the_warning_lists_unmapped_lead_sources_with_their_people(db, query_db):
    assert warn_test_rows(db, query_db, "assert_lead_sources_are_mapped",
                          "select source_system, original_source, people") == [
        ("crm", "Podcast", 1), ("crm", "Trade show booth 2024", 2)]
    assert dbt_result(db, "assert_lead_sources_are_mapped") == ("warn", 2)


def warn_test_rows(db, query_db, test_name: str, select: str) -> list[tuple]:
    """Run a singular test's compiled SQL (from this build's target/) and return its rows, sorted."""
    compiled = db.parent / "target" / "compiled" / "touchline" / "tests" / f"{test_name}.sql"
    return sorted(query_db(db, f"{select} from ({compiled.read_text()}) as failing"))


def dbt_result(db, test_name: str) -> tuple[str, int]:
    """The status and failure count dbt recorded for a singular test in this build."""
    results = json.loads((db.parent / "target" / "run_results.json").read_text())["results"]
    [result] = [r for r in results if r["unique_id"] == f"test.touchline.{test_name}"]
    return result["status"], result["failures"]
