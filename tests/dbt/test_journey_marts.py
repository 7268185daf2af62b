"""The journey marts on the main small world: CRM file export, web events and ads.

The world (raw_world.py):
- Alice (alice@acme.com, Acme): clicks a Google ad, fills the demo form, becomes a
  CRM lead, MQL, SQL; sales calls 3.5 h after the MQL; a deal opens and is won.
- Carol: MQL by lifecycle stage and lead score with no MQL date; attends a webinar;
  sales never follow up.
- Erin (Globex): created by sales, called, met; her deal is lost.
- Frank: MQL, recycled to nurture, MQL again; sales e-mails him.
- Dave: two devices that identify with the same e-mail (different case).
- An anonymous visitor with two sessions 35 minutes apart.
- A deleted contact, and a note logged on Acme without a contact.
- The same world at the account grain: Acme's and Globex's journeys and summaries.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest

import raw_world
from conftest import build_world


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


ALICE = md5("contact:crm:C1")
CAROL = md5("contact:crm:C2")
ERIN = md5("contact:crm:C3")
FRANK = md5("contact:crm:C4")
GONE = md5("contact:crm:C5")
DAVE = md5("email:dave@example.org")
ZED = md5("anonymous_id:anon-zed")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_world(tmp_path_factory, "main_world", raw_world.crm_rows(), raw_world.web_rows(),
                       raw_world.ads_rows())


@pytest.fixture(scope="module")
def q(db, query_db):
    return lambda sql, params=None: query_db(db, sql, params)


def journey(q, person_id):
    return q(
        "select event_seq, event_kind, event_at, stage, channel, touch_type from marts.customer_journey "
        "where person_id = ? order by event_seq", [person_id])


def test_every_human_is_one_person_and_deleted_contacts_stay_out_of_the_journey(q):
    people = dict(q("select person_id, is_deleted from marts.dim_people"))
    assert people == {ALICE: False, CAROL: False, ERIN: False, FRANK: False, GONE: True, DAVE: False, ZED: False}
    summarised = {r[0] for r in q("select person_id from marts.journey_summary")}
    assert summarised == set(people) - {GONE}
    assert q("select count(*) from marts.customer_journey where person_id = ?", [GONE]) == [(0,)]


def test_two_devices_with_one_email_are_one_person(q):
    assert q("select anonymous_id_count, email, anchor_type from marts.dim_people where person_id = ?",
             [DAVE]) == [(2, "dave@example.org", "email")]
    assert [r[3:6] for r in journey(q, DAVE)] == [
        ("visitor", None, None),
        ("visitor", "email", "session_start"),
        ("known", None, None),
        ("known", "organic_social", "session_start"),
    ]


def test_alice_journey_runs_from_ad_click_to_customer_in_order(q):
    rows = journey(q, ALICE)
    assert [r[0] for r in rows] == list(range(1, 15))
    assert [(r[1], r[3], r[4], r[5]) for r in rows] == [
        ("stage_change", "visitor", None, None),
        ("touchpoint", "visitor", "paid_search", "ad_click"),
        ("stage_change", "known", None, None),
        ("touchpoint", "known", "paid_search", "form_submit"),
        ("stage_change", "lead", None, None),
        ("stage_change", "mql", None, None),
        ("touchpoint", "mql", "sales_email", "email"),
        ("touchpoint", "mql", "outbound_call", "call"),
        ("stage_change", "sql", None, None),
        ("touchpoint", "sql", "meeting", "meeting"),
        ("stage_change", "opportunity", None, None),
        ("touchpoint", "opportunity", "sales_email", "email"),
        ("touchpoint", "opportunity", "direct", "session_start"),
        ("stage_change", "customer", None, None),
    ]
    assert rows[0][2] == utc("2024-03-01T09:00:00") and rows[-1][2] == utc("2024-03-20T16:00:00")


def test_the_ad_click_is_matched_to_its_google_ads_campaign(q):
    assert q("select campaign_id, campaign_key, utm_campaign, click_id_type from marts.fct_touchpoints "
             "where person_id = ? and touch_type = 'ad_click'", [ALICE]) == [
        ("G-100", "ads:google_ads:G-100", "spring_search", "gclid")]
    assert q("select spend, currency_code, clicks from marts.dim_campaigns where campaign_key = 'ads:google_ads:G-100'"
             ) == [(pytest.approx(220), "USD", 70)]


def test_alice_lead_response_is_three_and_a_half_hours(q):
    row = q("select mql_at, first_sales_touch_at, lead_response_hours, touches_before_first_sales_touch, "
            "marketing_touches, sales_touches, first_touch_channel, lead_source_channel, current_stage "
            "from marts.journey_summary where person_id = ?", [ALICE])
    # Her own inbound e-mail at 11:00 is not a sales touch; the 13:30 call is.
    assert row == [(utc("2024-03-01T10:00:00"), utc("2024-03-01T13:30:00"), 3.5, 3, 3, 3,
                    "paid_search", "paid_search", "customer")]


def test_an_mql_without_a_date_enters_at_updated_at_and_says_why(q):
    assert q("select entered_at, evidence, evidence_detail from marts.fct_stage_transitions "
             "where person_id = ? and stage = 'mql'", [CAROL]) == [(
        utc("2024-03-06T12:00:00"), "crm_field",
        "crm contact C2: lead_score 75.0 >= 50 with no MQL date; entered_at is the contact's updated_at")]


def test_an_mql_nobody_followed_up_is_a_dropped_lead(q):
    assert q("select current_stage, lead_response_hours, first_sales_touch_at, is_mql_without_sales_touch, "
             "marketing_touches, first_touch_channel from marts.journey_summary where person_id = ?", [CAROL]) == [
        ("mql", None, None, True, 2, "organic_social")]
    assert q("select channel, touch_type, campaign_key, stage_at_touch from marts.fct_touchpoints "
             "where person_id = ? and team = 'marketing' order by occurred_at", [CAROL]) == [
        ("organic_social", "session_start", None, "visitor"), ("event", "webinar", "crm:CMP-WEB", "mql")]


def test_a_sales_sourced_contact_whose_deal_is_lost_ends_closed_lost(q):
    assert [r[3] for r in journey(q, ERIN)] == [
        "known", "lead", "sql", "sql", "sql", "opportunity", "closed_lost"]
    assert q("select current_stage, closed_lost_at, first_sales_touch_at, touches_before_first_sales_touch, "
             "lead_source_channel from marts.journey_summary where person_id = ?", [ERIN]) == [
        ("closed_lost", utc("2024-03-25T10:00:00"), utc("2024-03-08T09:30:00"), 0, "offline")]


def test_opportunities_know_who_sourced_them(q):
    rows = q("select opportunity_id, person_id, canonical_stage, is_closed, is_won, amount, currency, "
             "days_to_close, sourced_by from marts.fct_opportunities order by opportunity_id")
    assert rows == [
        ("D1", ALICE, "customer", True, True, 12000, "USD", 17, "marketing"),
        ("D2", ERIN, "closed_lost", True, False, 5000, "EUR", 15, "sales"),
    ]


def test_a_recycled_lead_keeps_its_first_entries_and_counts_re_entries(q):
    rows = q("select stage, entered_at, previous_stage, evidence, times_entered, last_entered_at "
             "from marts.fct_stage_transitions where person_id = ? order by entered_at, stage_rank", [FRANK])
    assert rows == [
        ("known", utc("2024-03-01T08:00:00"), None, "crm_field", 1, utc("2024-03-01T08:00:00")),
        ("lead", utc("2024-03-01T08:00:00"), "known", "crm_history", 2, utc("2024-03-09T08:00:00")),
        ("mql", utc("2024-03-02T08:00:00"), "lead", "crm_history", 2, utc("2024-03-15T08:00:00")),
    ]
    assert [r[3] for r in journey(q, FRANK)] == ["known", "lead", "mql", "lead", "mql", "mql"]
    # Response is measured from the first MQL.
    assert q("select lead_response_hours, stage_reentries from marts.journey_summary where person_id = ?",
             [FRANK]) == [(336.0, 2)]


def test_an_anonymous_visitor_gets_a_new_session_after_thirty_minutes(q):
    assert q("select session_number, event_count, channel from intermediate.int_web_sessions "
             "where visitor_id = 'anon-zed' order by session_number") == [
        (1, 2, "organic_search"), (2, 1, "direct")]
    assert q("select current_stage, marketing_touches, first_touch_channel from marts.journey_summary "
             "where person_id = ?", [ZED]) == [("visitor", 2, "organic_search")]


def test_segment_redeliveries_count_once(q):
    assert q("select count(*) from staging.stg_web__events where message_id = 'm-a3'") == [(1,)]
    assert q("select count(*) from marts.fct_touchpoints where touch_type = 'form_submit'") == [(1,)]


def test_touchpoints_are_unique_and_account_only_notes_have_no_person(q):
    assert q("select count(*), count(distinct touchpoint_id), count(person_id) from marts.fct_touchpoints") == [
        (17, 17, 16)]
    assert q("select account_id, channel, team from marts.fct_touchpoints where person_id is null") == [
        ("A1", "note", "sales")]


def test_the_journey_has_one_row_per_event(q):
    assert q("select count(*), count(distinct journey_event_id) from marts.customer_journey") == [(40, 40)]
    assert q("select count(*) from marts.customer_journey where event_kind = 'touchpoint'") == [(16,)]


def test_marts_land_in_the_contract_schemas(q):
    tables = {r[0]: r[1] for r in q(
        "select table_name, table_schema from information_schema.tables "
        "where table_schema in ('staging', 'intermediate', 'marts')")}
    for name in ("customer_journey", "fct_touchpoints", "fct_stage_transitions", "journey_summary",
                 "fct_opportunities", "dim_people", "dim_accounts", "dim_owners", "dim_campaigns"):
        assert tables[name] == "marts"
    assert tables["stg_web__events"] == "staging"
    assert tables["stage_mapping"] == "staging"
    assert tables["int_people"] == "intermediate"


# --- The account grain of the same world ------------------------------------------------
# Acme (A1) is Alice's account (the deleted contact C5 is not counted); Globex (A2) is
# Erin's. "Now" is the last journey event: D2 lost on 03-25 10:00.

def test_an_account_journey_holds_its_peoples_web_and_sales_touches_its_notes_and_its_deals(q):
    rows = q("select event_kind, stage, evidence, coalesce(touch_type, deal_stage), person_id "
             "from marts.account_journey where account_id = 'A1' order by event_seq")
    assert rows == [
        ("stage_change", "visitor", "person", None, ALICE),        # 03-01 09:00 Alice's first web event
        ("touchpoint", "visitor", None, "ad_click", ALICE),
        ("stage_change", "known", "person", None, ALICE),          # 09:10 she identifies
        ("touchpoint", "known", None, "form_submit", ALICE),
        ("stage_change", "lead", "person", None, ALICE),           # 09:15
        ("stage_change", "mql", "person", None, ALICE),            # 10:00
        ("touchpoint", "mql", None, "email", ALICE),               # 11:00 her own e-mail
        ("touchpoint", "mql", None, "call", ALICE),                # 13:30
        ("stage_change", "sql", "person", None, ALICE),            # 03-02 10:00
        ("touchpoint", "sql", None, "meeting", ALICE),             # 03-03 11:00
        ("stage_change", "opportunity", "deal", None, None),       # 03-03 12:00 D1 created
        ("deal_stage", "opportunity", None, "appointmentscheduled", None),
        ("touchpoint", "opportunity", None, "note", None),         # 03-04 the note on Acme, no person
        ("touchpoint", "opportunity", None, "email", ALICE),       # 03-05
        ("touchpoint", "opportunity", None, "session_start", ALICE),  # 03-10 a direct visit
        ("stage_change", "customer", "deal", None, None),          # 03-20 16:00 D1 won
        ("deal_stage", "customer", None, "closedwon", None),
    ]
    # Erin's SQL contact, created by sales: Globex enters known, lead and sql at once.
    assert q("select event_kind, stage, coalesce(touch_type, evidence) from marts.account_journey "
             "where account_id = 'A2' order by event_seq") == [
        ("stage_change", "known", "person"), ("stage_change", "lead", "person"), ("stage_change", "sql", "person"),
        ("touchpoint", "sql", "call"), ("touchpoint", "sql", "meeting"), ("stage_change", "opportunity", "deal"),
        ("stage_change", "closed_lost", "deal")]


def test_an_account_summary_counts_its_people_touches_deals_and_days_in_stage(q):
    rows = q("select account_id, visitor_at, mql_at, opportunity_at, customer_at, closed_lost_at, current_stage, "
             "marketing_touches, sales_touches, touchpoints, people_count, people_engaged, won_amount "
             "from marts.account_summary order by account_id")
    assert rows == [
        # Marketing: ad click, form, direct visit; sales: call, meeting, outbound e-mail (not
        # her inbound e-mail, not the note).
        ("A1", utc("2024-03-01T09:00:00"), utc("2024-03-01T10:00:00"), utc("2024-03-03T12:00:00"),
         utc("2024-03-20T16:00:00"), None, "customer", 3, 3, 8, 1, 1, 12000),
        ("A2", None, None, utc("2024-03-10T10:00:00"), None, utc("2024-03-25T10:00:00"), "closed_lost",
         0, 2, 2, 1, 1, 0),
    ]
    days = q("select account_id, days_in_visitor, days_in_known, days_in_lead, days_in_mql, days_in_sql, "
             "days_in_opportunity, days_in_customer, days_in_closed_lost from marts.account_summary order by 1")
    assert days == [
        # 10 min, 5 min, 45 min, 1 day, 1 day 2 h, 17 days 4 h, 4 days 18 h until 03-25 10:00.
        ("A1", pytest.approx(10 / 1440), pytest.approx(5 / 1440), 0.03125, 1.0, pytest.approx(1 + 2 / 24),
         pytest.approx(17 + 4 / 24), 4.75, None),
        # sql 03-08 09:00 -> opportunity 03-10 10:00 (2 days 1 h) -> lost 03-25 10:00 (15 days) = now.
        ("A2", None, 0.0, 0.0, None, pytest.approx(2 + 1 / 24), 15.0, None, 0.0),
    ]


def test_the_build_summary_shows_the_people_funnel_and_then_the_account_funnel(db):
    from orchestration import cli

    lines = cli.summary(db).splitlines()
    assert lines[1] == "People: 7   touchpoints: 17   journey events: 40"
    assert lines[lines.index("Accounts: 2   account journey events: 24") + 2:] == [
        # Acme reached every stage; Globex known, lead, sql, opportunity.
        "  visitor            1",
        "  known              2  100.0%",
        "  lead               2  100.0%",
        "  mql                1   50.0%",
        "  sql                2  100.0%",
        "  opportunity        2  100.0%",
        "  customer           1   50.0%",
        "Accounts by current stage: closed_lost=1, customer=1",
        "Set aside in quarantine this run: 0 rows",
    ]
