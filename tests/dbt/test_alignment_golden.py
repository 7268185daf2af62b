"""The alignment marts on golden journeys worked out by hand first.

Business hours are the shipped seed (Mon-Fri 09:00-17:00 UTC, 1 Jan a holiday), the
SLA 4 business hours, a lead is dropped after 14 days without a sales touch, and
"now" is pinned to 2024-04-30 00:00 UTC. Every person is a CRM contact (no web data).

    person  MQL (UTC)              first sales touch       calendar h  business h  status
    hana    Wed 03-06 10:00        call Wed 03-06 13:00        3.0        3.0      within SLA
    ivan    Fri 03-08 16:00        call Mon 03-11 10:00       66.0        2.0      within SLA (weekend)
    jo      Mon 03-04 09:00        call Tue 03-05 15:00       30.0       14.0      late
    kim     Fri 03-01 10:00        none                        -          -        dropped
    lee     Fri 03-01 10:00        call Wed 03-20 (day 19)     -          -        dropped, touched after
    max #1  Sat 03-02 10:00        none before 03-16           -          -        dropped; recycled 03-09, back 03-20
    max #2  Wed 03-20 10:00        e-mail Thu 03-21 09:00     23.0        7.0      late
    ned     Mon 04-29 14:00        none yet (3 business h)     -          -        awaiting response
    ola     Fri 04-26 14:00        none yet (11 business h)    -          -        overdue
    pia     Fri 2023-12-29 16:00   call Tue 2024-01-02 10:00  90.0        2.0      within SLA (holiday)

Hana and Jo reach SQL (03-07, 03-11): of March's six new MQLs, two became SQLs, after
1.0 and 7.0417 days. Hana's deal D1 (GBP 5,000 = USD 6,350) is won on 03-25, her
expansion D2 (USD 2,000) lost on 04-10; Jo's sales-sourced deal D3 (USD 1,000) is lost
on 04-12. With a 2-month renewal term, D1 renews on 05-25: 25 days out, with a recent
lost deal and an unanswered lead (Ola, same account) as risks.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from conftest import build_world
from test_attribution_golden import md5

VARS = {"lead_response_sla_hours": 4, "lead_response_sla_basis": "business", "dropped_lead_days": 14,
        "business_timezone": "UTC", "as_of_at": "2024-04-30T00:00:00Z", "renewal_term_months": 2,
        "renewal_horizon_days": 90, "renewal_engagement_days": 90, "reporting_currency_code": "USD",
        "attribution_lookback_days": 180}
BUILD_ARGS = ("--vars", json.dumps(VARS), "--exclude-resource-type", "unit_test")


def contact(cid, email, created, mql=None, sql=None, account=None, source="organic_search"):
    return {"contact_id": cid, "email": email, "account_id": account, "owner_id": "O1", "original_source": source,
            "created_at": created, "became_mql_at": mql, "became_sql_at": sql}


def call(aid, cid, at, kind="call"):
    return {"activity_id": aid, "activity_type": kind, "direction": "outbound", "contact_id": cid, "owner_id": "O1",
            "occurred_at": at}


def alignment_rows() -> dict[str, list[dict]]:
    return {
        "crm_owners": [{"owner_id": "O1", "name": "Sam Seller", "team": "sales"}],
        "crm_accounts": [
            {"account_id": "A1", "name": "Initech", "employee_count": "40", "region": "EMEA", "owner_id": "O1",
             "industry": "Software"},
            {"account_id": "A3", "name": "Umbrella", "employee_count": "5000", "region": "NA",
             "industry": "Healthcare"},
        ],
        "crm_contacts": [
            contact("H1", "hana@initech.example", "2024-03-04T08:00:00Z", "2024-03-06T10:00:00Z",
                    "2024-03-07T10:00:00Z", account="A1"),
            contact("H2", "ivan@ex2.example", "2024-03-01T08:00:00Z", "2024-03-08T16:00:00Z"),
            contact("H3", "jo@umbrella.example", "2024-03-01T08:00:00Z", "2024-03-04T09:00:00Z",
                    "2024-03-11T10:00:00Z", account="A3", source="OFFLINE"),
            contact("H4", "kim@ex4.example", "2024-03-01T08:00:00Z", "2024-03-01T10:00:00Z"),
            contact("H5", "lee@ex5.example", "2024-03-01T08:00:00Z", "2024-03-01T10:00:00Z"),
            contact("H6", "max@ex6.example", "2024-03-01T08:00:00Z"),
            contact("H7", "ned@ex7.example", "2024-04-01T08:00:00Z", "2024-04-29T14:00:00Z"),
            # Created after the expansion deal D2, so not part of its buying group.
            contact("H8", "ola@initech.example", "2024-04-15T08:00:00Z", "2024-04-26T14:00:00Z", account="A1"),
            contact("H9", "pia@ex9.example", "2023-12-01T08:00:00Z", "2023-12-29T16:00:00Z"),
        ],
        "crm_contact_stage_history": [
            {"contact_id": "H6", "lifecycle_stage": "lead", "entered_at": "2024-03-01T08:00:00Z"},
            {"contact_id": "H6", "lifecycle_stage": "marketingqualifiedlead", "entered_at": "2024-03-02T10:00:00Z"},
            {"contact_id": "H6", "lifecycle_stage": "lead", "entered_at": "2024-03-09T10:00:00Z"},
            {"contact_id": "H6", "lifecycle_stage": "marketingqualifiedlead", "entered_at": "2024-03-20T10:00:00Z"},
        ],
        "crm_activities": [
            call("X1", "H1", "2024-03-06T13:00:00Z"),
            call("X2", "H2", "2024-03-11T10:00:00Z"),
            call("X3", "H3", "2024-03-05T15:00:00Z"),
            call("X5", "H5", "2024-03-20T10:00:00Z"),
            call("X6", "H6", "2024-03-21T09:00:00Z", kind="email"),
            call("X9", "H9", "2024-01-02T10:00:00Z"),
        ],
        "crm_campaign_members": [
            {"campaign_id": "CMP-WEB", "contact_id": "H1", "member_status": "Attended",
             "responded_at": "2024-03-05T12:00:00Z", "campaign_name": "March Webinar", "campaign_type": "Webinar"},
        ],
        "crm_deals": [
            {"deal_id": "D1", "account_id": "A1", "contact_id": "H1", "owner_id": "O1", "deal_stage": "closedwon",
             "amount": "5000", "currency": "GBP", "created_at": "2024-03-12T10:00:00Z",
             "closed_at": "2024-03-25T10:00:00Z", "is_closed": "true", "is_won": "true"},
            {"deal_id": "D2", "account_id": "A1", "contact_id": "H1", "owner_id": "O1", "deal_stage": "closedlost",
             "amount": "2000", "currency": "USD", "created_at": "2024-04-01T10:00:00Z",
             "closed_at": "2024-04-10T10:00:00Z", "is_closed": "true", "is_won": "false", "lost_reason": "price"},
            {"deal_id": "D3", "account_id": "A3", "contact_id": "H3", "owner_id": "O1", "deal_stage": "closedlost",
             "amount": "1000", "currency": "USD", "created_at": "2024-03-15T10:00:00Z",
             "closed_at": "2024-04-12T10:00:00Z", "is_closed": "true", "is_won": "false", "lost_reason": "timing"},
        ],
    }


PEOPLE = {name: md5(f"contact:crm:{cid}") for name, cid in [
    ("hana", "H1"), ("ivan", "H2"), ("jo", "H3"), ("kim", "H4"), ("lee", "H5"), ("max", "H6"), ("ned", "H7"),
    ("ola", "H8"), ("pia", "H9")]}
NAMES = {v: k for k, v in PEOPLE.items()}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_world(tmp_path_factory, "alignment_golden", alignment_rows(), extra_args=BUILD_ARGS)


@pytest.fixture(scope="module")
def q(db, query_db):
    return lambda sql, params=None: query_db(db, sql, params)


@pytest.fixture(scope="module")
def handoffs(q):
    rows = q("select person_id, mql_entry_number, handoff_status, response_hours, response_business_hours, "
             "response_band, is_responded, is_sla_breached, is_dropped, sales_outcome, elapsed_sla_hours "
             "from marts.fct_lead_handoff")
    return {(NAMES[r[0]], r[1]): r[2:] for r in rows}


def test_every_mql_entry_is_one_hand_off_with_the_hand_computed_response(handoffs):
    # status, calendar h, business h, band, responded, breached, dropped, sales outcome
    assert {k: v[:8] for k, v in handoffs.items()} == {
        ("hana", 1): ("responded_within_sla", 3.0, 3.0, "1h_to_24h", True, False, False, "accepted"),
        ("ivan", 1): ("responded_within_sla", 66.0, 2.0, "over_24h", True, False, False, "pending"),
        ("jo", 1): ("responded_late", 30.0, 14.0, "over_24h", True, True, False, "accepted"),
        ("kim", 1): ("dropped", None, None, "no_response", False, True, True, "pending"),
        ("lee", 1): ("dropped", None, None, "no_response", False, True, True, "pending"),
        ("max", 1): ("dropped", None, None, "no_response", False, True, True, "rejected"),
        ("max", 2): ("responded_late", 23.0, 7.0, "1h_to_24h", True, True, False, "pending"),
        ("ned", 1): ("awaiting_response", None, None, "awaiting_response", False, False, False, "pending"),
        ("ola", 1): ("overdue", None, None, "awaiting_response", False, True, False, "pending"),
        ("pia", 1): ("responded_within_sla", 90.0, 2.0, "over_24h", True, False, False, "pending"),
    }


def test_leads_without_a_response_count_business_hours_until_now(handoffs):
    # Ned: Mon 14:00 to Tue 00:00 is 3 business hours (within the SLA of 4); Ola: Fri
    # 14:00-17:00 and Mon 09:00-17:00 are 11.
    assert handoffs[("ned", 1)][-1] == 3.0
    assert handoffs[("ola", 1)][-1] == 11.0


def test_a_late_touch_after_the_window_does_not_make_a_dropped_lead_responded(q):
    assert q("select first_sales_touch_at, sales_touch_after_drop_at, response_window_end_at "
             "from marts.fct_lead_handoff where person_id = ?", [PEOPLE["lee"]]) == [
        (None, utc("2024-03-20 10:00:00"), utc("2024-03-15 10:00:00"))]


def test_a_recycled_lead_is_rejected_and_comes_back_as_a_second_mql(q):
    assert q("select mql_entry_number, is_recycled, recycled_at, recycled_to_stage, has_come_back, came_back_at, "
             "next_mql_at from marts.fct_lead_handoff where person_id = ? order by 1", [PEOPLE["max"]]) == [
        (1, True, utc("2024-03-09 10:00:00"), "lead", True, utc("2024-03-20 10:00:00"), utc("2024-03-20 10:00:00")),
        (2, False, None, None, False, None, None)]


def test_march_mql_cohort_converts_two_of_six_to_sql(q):
    rows = q("select people_entered, entries, reached_next, conversion_rate, median_days_to_next, p90_days_to_next "
             "from marts.fct_funnel_periods where period_type = 'month' and period_start = '2024-03-01' "
             "and stage = 'mql'")
    people, entries, reached, rate, median, p90 = rows[0]
    # Hana, Ivan, Jo, Kim, Lee, Max entered MQL in March (Max twice); Hana after 1 day
    # and Jo after 7 days 1 hour reached SQL.
    assert (people, entries, reached) == (6, 7, 2)
    assert abs(rate - 1 / 3) < 1e-12
    jo_days = 7 + 1 / 24
    assert abs(median - (1 + jo_days) / 2) < 1e-9
    assert abs(p90 - (1 + 0.9 * (jo_days - 1))) < 1e-9
    weekly = dict(q("select period_start, people_entered from marts.fct_funnel_periods "
                    "where period_type = 'week' and stage = 'mql'"))
    # ISO weeks start on Monday: Kim, Lee (Fri 03-01) and Max (Sat 03-02) are in the week of
    # Feb 26; Max's second MQL (03-20) is an entry but not a first one.
    assert weekly == {date(2023, 12, 25): 1, date(2024, 2, 26): 3, date(2024, 3, 4): 3, date(2024, 3, 18): 0,
                      date(2024, 4, 22): 1, date(2024, 4, 29): 1}


def test_sourcing_splits_pipeline_into_exclusive_buckets_in_usd(q):
    assert q("select deal_key, sourcing, segment, pipeline_amount, won_amount from marts.fct_pipeline_deals "
             "order by 1") == [
        ("crm:D1", "marketing_sourced", "smb", Decimal("6350.0000"), Decimal("6350.0000")),
        ("crm:D2", "marketing_sourced", "smb", Decimal("2000.0000"), None),
        ("crm:D3", "sales_sourced", "enterprise", Decimal("1000.0000"), None)]
    assert q("select segment, sourcing, opportunities_created, pipeline_amount, deals_won, won_revenue, deals_lost "
             "from marts.fct_pipeline_sourcing where period_type = 'month' and period_start = '2024-03-01' "
             "order by 1") == [
        ("enterprise", "sales_sourced", 1, Decimal("1000.0000"), 0, Decimal("0.0000"), 0),
        ("smb", "marketing_sourced", 1, Decimal("6350.0000"), 1, Decimal("6350.0000"), 0)]


def test_win_rate_by_breakdown(q):
    rows = {(r[0], r[1]): r[2:] for r in q(
        "select breakdown, breakdown_value, closed_deals, won_deals, win_rate, won_revenue, top_lost_reason "
        "from marts.fct_win_loss where period_type = 'all_time'")}
    assert rows[("overall", "all")] == (3, 1, 1 / 3, Decimal("6350.0000"), "price")
    assert rows[("sourcing", "marketing_sourced")] == (2, 1, 0.5, Decimal("6350.0000"), "price")
    assert rows[("sourcing", "sales_sourced")] == (1, 0, 0.0, Decimal("0.0000"), "timing")
    assert rows[("segment", "enterprise")][:3] == (1, 0, 0.0)
    assert rows[("region", "EMEA")][:3] == (2, 1, 0.5)
    quarters = dict(q("select period_start, win_rate from marts.fct_win_loss "
                      "where period_type = 'quarter' and breakdown = 'overall'"))
    assert quarters == {date(2024, 1, 1): 1.0, date(2024, 4, 1): 0.0}


def test_the_renewal_watch_list_shows_the_won_deal_with_its_risks(q):
    assert q("select deal_key, account_name, renewal_at, days_to_renewal, recent_marketing_touches, "
             "recent_sales_touches, recent_lost_deals, unanswered_leads, risk_count, risks "
             "from marts.fct_renewal_watchlist") == [
        ("crm:D1", "Initech", utc("2024-05-25 10:00:00"), 25, 1, 1, 1, 1, 2, "recent_lost_deal, unanswered_lead")]
