"""Account-based journeys and deal velocity on an opportunity-centric CRM export:
accounts, deals with stage history, owners and activities, no contacts, no web events
(tests/dbt/account_world.py). "Now" is pinned to 2024-07-01 00:00 UTC; USD reporting,
EUR 1.08 and GBP 1.27 (seed currency_rates). 2024 is a leap year.

    account   events (UTC)                                           stages
    A1 Acme   02-20 10:00 call; 02-25 15:00 meeting; 03-05 09:00 note  visitor 02-20 10:00 (first touch)
              D1 USD 12,000 created 03-01 10:00, history               opportunity 03-01 10:00
              appointmentscheduled 03-01, contractsent 03-11,
              closedwon 03-21 10:00; won 03-21 10:00                   customer 03-21 10:00
    A2 Globex 04-01 09:00 outbound e-mail; 04-02 09:00 inbound e-mail  visitor 04-01 09:00
              D2 EUR 5,000, no created_at, history qualifiedtobuy
              04-05 12:00, closedwon 04-20 12:00; won 04-20 12:00      opportunity 04-05 12:00 (first
                                                                       stage entry), customer 04-20 12:00
              D7 USD 500, no created_at, no history, lost 06-01        (a customer stays a customer)
    A3 Initech D3 USD 8,000 created 03-10 09:00, lost 04-09 09:00     opportunity 03-10 09:00
              03-12 10:00 call (after the deal: visitor is skipped)    closed_lost 04-09 09:00
              D4 GBP 3,000 created 05-01 09:00, open                   opportunity again 05-01 09:00
    A4 Umbrella D5 EUR 2,000 created 04-01 00:00, open (history         opportunity 04-01 00:00
              qualifiedtobuy 04-01, presentationscheduled 05-15);
              D6 USD 1,000 created 04-10, lost 04-15 while D5 is open  (no closed_lost: D5 is open)
    A5 Hooli  06-10 10:00 call                                         visitor 06-10 10:00
    A6 Gone Ltd (deleted): its call and its won deal D8 stay out of the account marts.

Days to close (point 8): D1 03-01 -> 03-21 = 20 (created_at); D2 04-05 -> 04-20 = 15
(earliest stage-history entry, no created_at); D3 30; D6 5; D7 none (neither start).

Days in stage (each stay to the next stage change, the current one to 07-01 00:00):
    A1 visitor 02-20 10:00 -> 03-01 10:00 = 10 (Feb has 29 days); opportunity 20;
       customer 03-21 10:00 -> 07-01 00:00 = 102 days - 10 h = 101.583333
    A2 visitor 04-01 09:00 -> 04-05 12:00 = 4.125; opportunity 15;
       customer 04-20 12:00 -> 07-01 00:00 = 72 days - 12 h = 71.5
    A3 opportunity 03-10 09:00 -> 04-09 09:00 = 30, plus 05-01 09:00 -> 07-01 00:00 =
       61 days - 9 h = 60.625: 90.625; closed_lost 04-09 09:00 -> 05-01 09:00 = 22
    A4 opportunity 04-01 -> 07-01 = 91;  A5 visitor 06-10 10:00 -> 07-01 00:00 = 20.583333

Pipeline: A3's open D4 GBP 3,000 = USD 3,810; A4's open D5 EUR 2,000 = USD 2,160; won:
A1 USD 12,000, A2 EUR 5,000 = USD 5,400.

Account funnel by month (cohort = first entries; reaching the next stage or beyond:
visitor -> known or beyond, opportunity -> customer; closed_lost is not customer):
    Feb visitor   A1               1 entered, reached 1 (opportunity after 10 days)
    Mar opportunity A1, A3         2 entered, 2 entries, reached 1 (A1 after 20 days): 0.5
    Mar customer  A1               1
    Apr visitor   A2               1, reached 1 after 4.125 days
    Apr opportunity A2, A4         2, reached 1 (A2 after 15 days): 0.5
    Apr closed_lost A3, Apr customer A2: 1 each
    May opportunity                0 entered, 1 entry (A3 again)
    Jun visitor   A5               1, reached 0: 0.0
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

import account_world
from conftest import build_world
from orchestration import cli

VARS = {"as_of_at": "2024-07-01T00:00:00Z", "reporting_currency_code": "USD"}
# Only the marts asserted here, their parents and the tests among them.
BUILD_ARGS = ("--vars", json.dumps(VARS), "--exclude-resource-type", "unit_test", "--indirect-selection", "cautious",
              "--select", "+account_journey +account_summary +fct_account_funnel_periods +fct_opportunities "
                          "+fct_funnel_periods +journey_summary +customer_journey +dim_people")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_world(tmp_path_factory, "account_only", account_world.account_rows(), extra_args=BUILD_ARGS)


@pytest.fixture(scope="module")
def q(db, query_db):
    return lambda sql, params=None: query_db(db, sql, params)


def test_an_account_only_export_gives_every_live_account_a_journey(q):
    rows = q("select account_id, event_seq, event_kind, stage, evidence, opportunity_id, "
             "coalesce(deal_stage, touch_type) from marts.account_journey order by account_id, event_seq")
    assert rows == [
        ("A1", 1, "stage_change", "visitor", "touchpoint", None, None),
        ("A1", 2, "touchpoint", "visitor", None, None, "call"),
        ("A1", 3, "touchpoint", "visitor", None, None, "meeting"),
        ("A1", 4, "stage_change", "opportunity", "deal", "D1", None),
        ("A1", 5, "deal_stage", "opportunity", None, "D1", "appointmentscheduled"),
        ("A1", 6, "touchpoint", "opportunity", None, None, "note"),
        ("A1", 7, "deal_stage", "opportunity", None, "D1", "contractsent"),
        ("A1", 8, "stage_change", "customer", "deal", "D1", None),
        ("A1", 9, "deal_stage", "customer", None, "D1", "closedwon"),
        ("A2", 1, "stage_change", "visitor", "touchpoint", None, None),
        ("A2", 2, "touchpoint", "visitor", None, None, "email"),
        ("A2", 3, "touchpoint", "visitor", None, None, "email"),
        ("A2", 4, "stage_change", "opportunity", "deal", "D2", None),
        ("A2", 5, "deal_stage", "opportunity", None, "D2", "qualifiedtobuy"),
        ("A2", 6, "stage_change", "customer", "deal", "D2", None),
        ("A2", 7, "deal_stage", "customer", None, "D2", "closedwon"),
        ("A3", 1, "stage_change", "opportunity", "deal", "D3", None),
        ("A3", 2, "touchpoint", "opportunity", None, None, "call"),
        ("A3", 3, "stage_change", "closed_lost", "deal", "D3", None),
        ("A3", 4, "stage_change", "opportunity", "deal", "D4", None),
        ("A4", 1, "stage_change", "opportunity", "deal", "D5", None),
        ("A4", 2, "deal_stage", "opportunity", None, "D5", "qualifiedtobuy"),
        ("A4", 3, "deal_stage", "opportunity", None, "D5", "presentationscheduled"),
        ("A5", 1, "stage_change", "visitor", "touchpoint", None, None),
        ("A5", 2, "touchpoint", "visitor", None, None, "call"),
    ]
    # The deal opened at its first stage-history entry, and says so.
    assert q("select event_at, evidence_detail from marts.account_journey where account_id = 'A2' "
             "and stage = 'opportunity' and event_kind = 'stage_change'") == [
        (utc("2024-04-05 12:00"), "crm deal D2 entered its first stage (no created_at)")]
    assert q("select deal_canonical_stage from marts.account_journey where event_kind = 'deal_stage' "
             "and account_id = 'A1' order by event_seq") == [("opportunity",), ("opportunity",), ("customer",)]


def test_account_stages_run_from_first_touch_through_deals_opened_won_and_lost(q):
    rows = q("select account_id, visitor_at, opportunity_at, customer_at, closed_lost_at, current_stage, "
             "current_stage_entered_at, first_touch_at from marts.account_summary order by account_id")
    assert rows == [
        ("A1", utc("2024-02-20 10:00"), utc("2024-03-01 10:00"), utc("2024-03-21 10:00"), None, "customer",
         utc("2024-03-21 10:00"), utc("2024-02-20 10:00")),
        ("A2", utc("2024-04-01 09:00"), utc("2024-04-05 12:00"), utc("2024-04-20 12:00"), None, "customer",
         utc("2024-04-20 12:00"), utc("2024-04-01 09:00")),
        # The deal came before the first touch: visitor skipped, first_touch_at still known.
        ("A3", None, utc("2024-03-10 09:00"), None, utc("2024-04-09 09:00"), "opportunity",
         utc("2024-05-01 09:00"), utc("2024-03-12 10:00")),
        ("A4", None, utc("2024-04-01 00:00"), None, None, "opportunity", utc("2024-04-01 00:00"), None),
        ("A5", utc("2024-06-10 10:00"), None, None, None, "visitor", utc("2024-06-10 10:00"), utc("2024-06-10 10:00")),
    ]
    # No contacts: no person stage anywhere.
    assert q("select count(known_at) + count(lead_at) + count(mql_at) + count(sql_at) from marts.account_summary"
             ) == [(0,)]


def test_a_lost_deal_closes_the_account_only_when_no_other_deal_is_open(q):
    transitions = q("select account_id, stage, previous_stage, entry_number, times_entered "
                    "from intermediate.int_account_stage_transitions_derived "
                    "where account_id in ('A3', 'A4') order by account_id, transition_seq")
    assert transitions == [
        ("A3", "opportunity", None, 1, 2),
        ("A3", "closed_lost", "opportunity", 1, 1),
        ("A3", "opportunity", "closed_lost", 2, 2),
        ("A4", "opportunity", None, 1, 1),
    ]


def test_days_in_each_stage_run_to_the_next_stage_or_to_as_of(q):
    rows = q("select account_id, days_in_visitor, days_in_opportunity, days_in_customer, days_in_closed_lost, "
             "stage_reentries, as_of_at from marts.account_summary order by account_id")
    assert rows == [
        ("A1", 10.0, 20.0, pytest.approx(101 + 14 / 24), None, 0, utc("2024-07-01 00:00")),
        ("A2", 4.125, 15.0, 71.5, None, 0, utc("2024-07-01 00:00")),
        ("A3", None, 90.625, None, 22.0, 1, utc("2024-07-01 00:00")),
        ("A4", None, 91.0, None, None, 0, utc("2024-07-01 00:00")),
        ("A5", pytest.approx(20 + 14 / 24), None, None, None, 0, utc("2024-07-01 00:00")),
    ]


def test_account_touches_people_and_pipeline_are_counted_in_the_reporting_currency(q):
    rows = q("select account_id, account_name, segment, touchpoints, marketing_touches, sales_touches, "
             "people_count, people_engaged, deal_count, open_deal_count, won_deal_count, lost_deal_count, "
             "open_pipeline_amount, won_amount, reporting_currency_code from marts.account_summary order by 1")
    assert rows == [
        # The note is a touch, not a sales touch; the customer's own e-mail neither.
        ("A1", "Acme", "mid_market", 3, 0, 2, 0, 0, 1, 0, 1, 0, Decimal("0.0000"), Decimal("12000.0000"), "USD"),
        ("A2", "Globex", "smb", 2, 0, 1, 0, 0, 2, 0, 1, 1, Decimal("0.0000"), Decimal("5400.0000"), "USD"),
        ("A3", "Initech", "enterprise", 1, 0, 1, 0, 0, 2, 1, 0, 1, Decimal("3810.0000"), Decimal("0.0000"), "USD"),
        ("A4", "Umbrella", "unknown", 0, 0, 0, 0, 0, 2, 1, 0, 1, Decimal("2160.0000"), Decimal("0.0000"), "USD"),
        ("A5", "Hooli", "unknown", 1, 0, 1, 0, 0, 0, 0, 0, 0, Decimal("0.0000"), Decimal("0.0000"), "USD"),
    ]


def test_days_to_close_fall_back_to_the_earliest_stage_history_entry_without_created_at(q):
    rows = q("select opportunity_id, created_at, cycle_started_at, cycle_start_basis, days_to_close "
             "from marts.fct_opportunities order by opportunity_id")
    assert rows == [
        ("D1", utc("2024-03-01 10:00"), utc("2024-03-01 10:00"), "created_at", 20),
        ("D2", None, utc("2024-04-05 12:00"), "first_stage_entry", 15),
        ("D3", utc("2024-03-10 09:00"), utc("2024-03-10 09:00"), "created_at", 30),
        ("D4", utc("2024-05-01 09:00"), utc("2024-05-01 09:00"), "created_at", None),
        ("D5", utc("2024-04-01 00:00"), utc("2024-04-01 00:00"), "created_at", None),
        ("D6", utc("2024-04-10 00:00"), utc("2024-04-10 00:00"), "created_at", 5),
        ("D7", None, None, None, None),
        ("D8", utc("2024-03-01 00:00"), utc("2024-03-01 00:00"), "created_at", 1),
    ]


def test_the_account_funnel_periods_count_account_cohorts_apart_from_people(q):
    rows = q("select period_start, stage, accounts_entered, entries, reached_next, conversion_rate, "
             "median_days_to_next from marts.fct_account_funnel_periods where period_type = 'month' "
             "order by period_start, stage_rank")
    assert rows == [
        (date(2024, 2, 1), "visitor", 1, 1, 1, 1.0, 10.0),
        (date(2024, 3, 1), "opportunity", 2, 2, 1, 0.5, 20.0),
        (date(2024, 3, 1), "customer", 1, 1, 0, None, None),
        (date(2024, 4, 1), "visitor", 1, 1, 1, 1.0, 4.125),
        (date(2024, 4, 1), "opportunity", 2, 2, 1, 0.5, 15.0),
        (date(2024, 4, 1), "closed_lost", 1, 1, 0, None, None),
        (date(2024, 4, 1), "customer", 1, 1, 0, None, None),
        (date(2024, 5, 1), "opportunity", 0, 1, 0, None, None),
        (date(2024, 6, 1), "visitor", 1, 1, 0, 0.0, None),
    ]
    # ISO weeks start on Monday: Fri 03-01 is in the week of 02-26, Sun 03-10 in that of 03-04.
    weekly = {r[0]: r[1:] for r in q("select period_start, accounts_entered, entries from "
                                     "marts.fct_account_funnel_periods where period_type = 'week' "
                                     "and stage = 'opportunity'")}
    assert weekly == {date(2024, 2, 26): (1, 1), date(2024, 3, 4): (1, 1), date(2024, 4, 1): (2, 2),
                      date(2024, 4, 29): (0, 1)}
    assert q("select reached_next_stage, days_to_next from marts.fct_account_stage_conversions "
             "where account_id = 'A1' and stage = 'visitor'") == [("opportunity", 10.0)]
    # The person grain is untouched: no people, no person funnel rows.
    assert q("select count(*) from marts.fct_funnel_periods") == [(0,)]


def test_the_build_summary_says_the_journey_is_account_based_and_shows_the_account_funnel(db):
    lines = cli.summary(db).splitlines()
    assert lines[1:] == [
        "People: 0 (the CRM export has no contacts: the journey is account-based, see marts.account_journey)",
        "Touchpoints: 8",
        "Accounts: 5   account journey events: 25",
        "Account funnel: accounts that reached each stage (visitor: first touch), and of those in the line above, "
        "the share who reached it",
        # A1, A2, A5 were touched first; A1, A2 of those three opened a deal (2/3); A1, A2 of
        # the four with a deal won one (2/4). Known to sql: nobody, left out.
        "  visitor            3",
        "  opportunity        4   66.7%",
        "  customer           2   50.0%",
        "Accounts by current stage: customer=2, opportunity=2, visitor=1",
        "Set aside in quarantine this run: 0 rows",
    ]
