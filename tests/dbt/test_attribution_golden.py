"""Attribution on a golden journey whose every credit was worked out by hand first.

The world (Acme, one won deal, every timestamp chosen so the arithmetic is visible):

    T1  Mar 01 10:00  Alice  Google ad click (paid_search, campaign G-100; $100 spent that day)
    T2  Mar 03 10:00  Alice  newsletter visit (email)
    T3  Mar 05 11:00  Alice  typed-in visit (direct)
        Mar 05 12:00  Alice becomes a lead (CRM contact created)
        Mar 06 10:00  Alice MQL
    T4  Mar 06 13:00  Alice  outbound call
    T5  Mar 08 09:00  Alice  meeting
        Mar 08 10:00  Alice SQL
        Mar 09 08:00  Bob (Acme) becomes a lead, with no touch before: a 'no_touch' conversion
    T6  Mar 09 09:00  Bob    webinar (event)
        Mar 10 12:00  deal D1 created on Alice at Acme (EUR 10,000 = USD 10,800)
    T7  Mar 12 10:00  Alice  Google organic visit (organic_search)
    T8  Mar 15 10:00  Alice  meeting
        Mar 20 12:00  D1 won
    Zed, an anonymous visitor, comes once by newsletter (Mar 02) and never converts.

The deal is account-based: Bob's webinar counts for it. Markov (data-driven): for the
opportunity, paths are D1 [paid_search, email, direct, outbound_call, meeting, event]
-> conversion and Zed [email] -> null; P(conversion) = 0.5; without paid_search 0.25
(removal effect 0.5), without any other channel 0 (removal effect 1): weights 1/11 and
2/11. For the win, the only path converts, but a first-order chain sees a loop in it:
meeting -> event -> organic_search -> meeting -> conversion. From meeting the chain
converts half the time directly, so removing event or organic_search leaves
P(conversion) = 0.5 (removal effect 0.5) while removing any other channel leaves 0
(removal effect 1): weights 1/6 for paid_search, email, direct, outbound_call and
meeting (split over its two touches), 1/12 for event and organic_search.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction as F

import pytest

import raw_world
from conftest import build_world

SITE = raw_world.SITE
# Pinned so the golden numbers do not move with the defaults in dbt_project.yml.
VARS = {"attribution_lookback_days": 180, "attribution_half_life_days": 7,
        "attribution_include_sales_touches": True, "reporting_currency_code": "USD"}
BUILD_ARGS = ("--vars", json.dumps(VARS), "--exclude-resource-type", "unit_test")
MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "u_shaped", "w_shaped",
          "full_path", "data_driven")


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def golden_rows() -> dict[str, list[dict]]:
    """The raw tables of the golden world."""
    ev = raw_world.web_event
    return {
        "crm_owners": [{"owner_id": "O1", "name": "Sam Seller", "team": "sales"}],
        "crm_accounts": [{"account_id": "A1", "name": "Acme", "domain": "acme.com", "employee_count": "250",
                          "created_at": "2024-02-01T00:00:00Z"}],
        "crm_contacts": [
            {"contact_id": "C1", "email": "alice@acme.com", "account_id": "A1", "owner_id": "O1",
             "original_source": "paid_search", "created_at": "2024-03-05T12:00:00Z",
             "became_mql_at": "2024-03-06T10:00:00Z", "became_sql_at": "2024-03-08T10:00:00Z"},
            {"contact_id": "C2", "email": "bob@acme.com", "account_id": "A1", "owner_id": "O1",
             "created_at": "2024-03-09T08:00:00Z"},
        ],
        "crm_deals": [
            {"deal_id": "D1", "account_id": "A1", "contact_id": "C1", "owner_id": "O1", "deal_stage": "closedwon",
             "amount": "10000", "currency": "EUR", "created_at": "2024-03-10T12:00:00Z",
             "closed_at": "2024-03-20T12:00:00Z", "is_closed": "true", "is_won": "true"},
        ],
        "crm_activities": [
            {"activity_id": "ACT4", "activity_type": "call", "direction": "outbound", "contact_id": "C1",
             "account_id": "A1", "owner_id": "O1", "occurred_at": "2024-03-06T13:00:00Z"},
            {"activity_id": "ACT5", "activity_type": "meeting", "contact_id": "C1", "account_id": "A1",
             "owner_id": "O1", "occurred_at": "2024-03-08T09:00:00Z"},
            {"activity_id": "ACT8", "activity_type": "meeting", "contact_id": "C1", "account_id": "A1",
             "owner_id": "O1", "occurred_at": "2024-03-15T10:00:00Z"},
        ],
        "crm_campaign_members": [
            {"campaign_id": "CMP-WEB", "contact_id": "C2", "member_status": "Attended",
             "responded_at": "2024-03-09T09:00:00Z", "campaign_name": "March Webinar", "campaign_type": "Webinar"},
        ],
        "ads_campaigns": [
            {"platform": "google_ads", "campaign_id": "G-100", "campaign_name": "Spring Search",
             "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "spring_search"},
        ],
        "ads_ad_performance_daily": [
            {"platform": "google_ads", "date": "2024-03-01", "campaign_id": "G-100", "currency": "USD",
             "spend": "100", "impressions": "1000", "clicks": "10"},
        ],
        "web_events": [
            ev("g-a1", "page", "2024-03-01T10:00:00Z", "anon-alice",
               url=f"{SITE}/?utm_source=google&utm_medium=cpc&utm_campaign=spring_search&gclid=g1",
               referrer="https://www.google.com/"),
            ev("g-a2", "identify", "2024-03-01T10:01:00Z", "anon-alice", email="alice@acme.com"),
            ev("g-a3", "page", "2024-03-03T10:00:00Z", "anon-alice",
               url=f"{SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=march_news"),
            ev("g-a4", "page", "2024-03-05T11:00:00Z", "anon-alice", url=f"{SITE}/pricing"),
            ev("g-a5", "page", "2024-03-12T10:00:00Z", "anon-alice", url=f"{SITE}/blog",
               referrer="https://www.google.com/"),
            ev("g-z1", "page", "2024-03-02T10:00:00Z", "anon-zed",
               url=f"{SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=march_news"),
        ],
    }


# Each touch: (when, channel), by name.
TOUCHES = {
    "T1": ("2024-03-01 10:00", "paid_search"), "T2": ("2024-03-03 10:00", "email"),
    "T3": ("2024-03-05 11:00", "direct"), "T4": ("2024-03-06 13:00", "outbound_call"),
    "T5": ("2024-03-08 09:00", "meeting"), "T6": ("2024-03-09 09:00", "event"),
    "T7": ("2024-03-12 10:00", "organic_search"), "T8": ("2024-03-15 10:00", "meeting"),
}
TOUCHES_AT = {when: name for name, (when, _) in TOUCHES.items()}
ALICE = md5("contact:crm:C1")
BOB = md5("contact:crm:C2")


def conversion_id(kind: str, key: str) -> str:
    return md5(f"person|{key}|{kind}") if kind in ("lead", "mql", "sql") else md5(f"deal|crm:{key}|{kind}")


def days_between(start: str, end: str) -> float:
    fmt = "%Y-%m-%d %H:%M"
    return (datetime.strptime(end, fmt) - datetime.strptime(start, fmt)).total_seconds() / 86400


def time_decay(touch_names: list[str], converted_at: str) -> list[float]:
    """0.5 ^ (days before / 7), normalized: the formula, evaluated."""
    weights = [0.5 ** (days_between(TOUCHES[t][0], converted_at) / 7) for t in touch_names]
    return [w / sum(weights) for w in weights]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_world(tmp_path_factory, "attribution_golden", golden_rows(), extra_args=BUILD_ARGS)


@pytest.fixture(scope="module")
def q(db, query_db):
    return lambda sql, params=None: query_db(db, sql, params)


@pytest.fixture(scope="module")
def credits(q):
    """{(conversion_id, model): {touch name or 'no_touch': credit}}."""
    rows = q("select conversion_id, attribution_model, strftime(touch_occurred_at, '%Y-%m-%d %H:%M'), channel, "
             "credit from marts.fct_attribution_credit")
    out: dict = {}
    for cid, model, at, channel, credit in rows:
        out.setdefault((cid, model), {})[TOUCHES_AT[at] if at else channel] = credit
    return out


def assert_credits(credits, cid: str, model: str, expected: dict) -> None:
    got = credits[(cid, model)]
    assert set(got) == set(expected), (model, got)
    for touch, value in expected.items():
        assert abs(float(got[touch]) - float(value)) < 1e-11, (model, touch, got[touch], value)
    assert sum(got.values()) == 1, (model, sum(got.values()))


def test_alice_lead_is_credited_to_her_three_web_visits_under_every_model(credits):
    cid = conversion_id("lead", ALICE)
    td = time_decay(["T1", "T2", "T3"], "2024-03-05 12:00")
    expected = {
        "first_touch": {"T1": 1},
        "last_touch": {"T3": 1},
        "last_non_direct": {"T2": 1},  # T3 is direct
        "linear": {"T1": F(1, 3), "T2": F(1, 3), "T3": F(1, 3)},
        "time_decay": dict(zip(["T1", "T2", "T3"], td)),
        "u_shaped": {"T1": F(2, 5), "T2": F(1, 5), "T3": F(2, 5)},
        # roles: first touch T1, lead creation T3 (0.3 each), T2 0.1; sum 0.7
        "w_shaped": {"T1": F(3, 7), "T2": F(1, 7), "T3": F(3, 7)},
        # roles 0.225 each, T2 0.1; sum 0.55
        "full_path": {"T1": F(9, 22), "T2": F(2, 11), "T3": F(9, 22)},
        # Markov over Alice [paid_search, email, direct] -> conv, Zed [email] -> null:
        # removal effects 0.5, 1, 1 -> 0.2, 0.4, 0.4
        "data_driven": {"T1": F(1, 5), "T2": F(2, 5), "T3": F(2, 5)},
    }
    for model, shares in expected.items():
        assert_credits(credits, cid, model, shares)


def test_alice_sql_path_includes_the_sales_touches_before_it(credits):
    cid = conversion_id("sql", ALICE)
    # Removal effects: paid_search 0.5, email/direct/outbound_call/meeting 1 -> 1/9, 2/9 ...
    assert_credits(credits, cid, "data_driven",
                   {"T1": F(1, 9), "T2": F(2, 9), "T3": F(2, 9), "T4": F(2, 9), "T5": F(2, 9)})
    # Five touches: 0.4 / 0.2 / 3 / 0.4.
    assert_credits(credits, cid, "u_shaped",
                   {"T1": F(2, 5), "T2": F(1, 15), "T3": F(1, 15), "T4": F(1, 15), "T5": F(2, 5)})


def test_the_opportunity_credits_the_whole_buying_group_including_bobs_webinar(credits):
    cid = conversion_id("opportunity", "D1")
    path = ["T1", "T2", "T3", "T4", "T5", "T6"]
    expected = {
        "first_touch": {"T1": 1},
        "last_touch": {"T6": 1},
        "last_non_direct": {"T6": 1},
        "linear": {t: F(1, 6) for t in path},
        "time_decay": dict(zip(path, time_decay(path, "2024-03-10 12:00"))),
        "u_shaped": {"T1": F(2, 5), "T2": F(1, 20), "T3": F(1, 20), "T4": F(1, 20), "T5": F(1, 20), "T6": F(2, 5)},
        # first touch T1, lead creation T3, opportunity creation T6: 0.3 each; 0.1 / 3 to the rest
        "w_shaped": {"T1": F(3, 10), "T2": F(1, 30), "T3": F(3, 10), "T4": F(1, 30), "T5": F(1, 30),
                     "T6": F(3, 10)},
        # no closed-won role yet: 0.225 x 3 + 0.1 = 0.775
        "full_path": {"T1": F(9, 31), "T2": F(4, 93), "T3": F(9, 31), "T4": F(4, 93), "T5": F(4, 93),
                      "T6": F(9, 31)},
        "data_driven": {"T1": F(1, 11), **{t: F(2, 11) for t in path[1:]}},
    }
    for model, shares in expected.items():
        assert_credits(credits, cid, model, shares)


def test_the_win_credits_eight_touches_and_splits_revenue_to_the_cent(credits, q):
    cid = conversion_id("closed_won", "D1")
    path = ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8"]
    assert_credits(credits, cid, "full_path", {"T1": F(9, 40), "T2": F(1, 40), "T3": F(9, 40), "T4": F(1, 40),
                                                "T5": F(1, 40), "T6": F(9, 40), "T7": F(1, 40), "T8": F(9, 40)})
    assert_credits(credits, cid, "w_shaped", {"T1": F(3, 10), "T2": F(1, 50), "T3": F(3, 10), "T4": F(1, 50),
                                               "T5": F(1, 50), "T6": F(3, 10), "T7": F(1, 50), "T8": F(1, 50)})
    assert_credits(credits, cid, "last_non_direct", {"T8": 1})
    assert_credits(credits, cid, "data_driven", {"T1": F(1, 6), "T2": F(1, 6), "T3": F(1, 6), "T4": F(1, 6),
                                                  "T5": F(1, 12), "T6": F(1, 12), "T7": F(1, 12), "T8": F(1, 12)})
    revenue = {(model, at): value for model, at, value in q(
        "select attribution_model, strftime(touch_occurred_at, '%Y-%m-%d %H:%M'), revenue_credit "
        "from marts.fct_attribution_credit where conversion_id = ?", [cid])}
    # EUR 10,000 at 1.08 = USD 10,800: full path 2,430 per role, 270 to each other touch.
    assert {TOUCHES_AT[at]: float(v) for (m, at), v in revenue.items() if m == "full_path"} == {
        "T1": 2430.0, "T2": 270.0, "T3": 2430.0, "T4": 270.0, "T5": 270.0, "T6": 2430.0, "T7": 270.0, "T8": 2430.0}
    assert {TOUCHES_AT[at]: float(v) for (m, at), v in revenue.items() if m == "data_driven"} == {
        "T1": 1800.0, "T2": 1800.0, "T3": 1800.0, "T4": 1800.0, "T5": 900.0, "T6": 900.0, "T7": 900.0, "T8": 900.0}
    # Time decay does not divide evenly: each share is rounded to the cent-hundredth and
    # what rounding leaves over goes to the largest share (T8, the latest), so the
    # revenue credits still add up to exactly 10,800.
    shares = dict(zip(path, time_decay(path, "2024-03-20 12:00")))
    decay = {TOUCHES_AT[at]: v for (m, at), v in revenue.items() if m == "time_decay"}
    assert sum(decay.values()) == Decimal("10800")
    for touch in path[:-1]:
        assert abs(float(decay[touch]) - shares[touch] * 10800) <= 0.00005
    assert abs(float(decay["T8"]) - shares["T8"] * 10800) < 0.001
    for model in MODELS:
        assert sum(v for (m, _), v in revenue.items() if m == model) == Decimal("10800"), model


def test_a_conversion_without_touches_gets_one_no_touch_row_per_model(credits, q):
    cid = conversion_id("lead", BOB)
    for model in MODELS:
        assert credits[(cid, model)] == {"no_touch": 1}
    assert q("select count(*), min(touchpoint_id), min(credit_date) from marts.fct_attribution_credit "
             "where conversion_id = ?", [cid]) == [(9, None, date(2024, 3, 9))]


def test_markov_removal_effects_are_the_hand_computed_ones(q):
    rows = q("select channel, conversion_probability, conversion_probability_without_channel, removal_effect, "
             "channel_weight from intermediate.int_attribution_markov_channel_weights "
             "where conversion_type = 'opportunity' order by channel")
    got = {r[0]: r[1:] for r in rows}
    assert set(got) == {"direct", "email", "event", "meeting", "outbound_call", "paid_search"}
    for channel, (base, without, effect, weight) in got.items():
        assert abs(base - 0.5) < 1e-12
        expected_without, expected_effect = (0.25, 0.5) if channel == "paid_search" else (0.0, 1.0)
        assert abs(without - expected_without) < 1e-12 and abs(effect - expected_effect) < 1e-12
        assert abs(weight - (1 / 11 if channel == "paid_search" else 2 / 11)) < 1e-12


def test_the_path_view_explains_the_deal_touch_by_touch(q):
    rows = q("select touch_position, channel, is_first_touch, is_lead_creation_touch, is_opportunity_creation_touch, "
             "is_closed_won_touch, linear_credit, first_touch_credit, channel_path "
             "from marts.fct_attribution_paths where opportunity_id = 'D1' and conversion_type = 'closed_won' "
             "order by touch_position")
    assert [r[:6] for r in rows] == [
        (1, "paid_search", True, False, False, False), (2, "email", False, False, False, False),
        (3, "direct", False, True, False, False), (4, "outbound_call", False, False, False, False),
        (5, "meeting", False, False, False, False), (6, "event", False, False, True, False),
        (7, "organic_search", False, False, False, False), (8, "meeting", False, False, False, True)]
    assert {float(r[6]) for r in rows} == {0.125}
    assert [float(r[7]) for r in rows] == [1, 0, 0, 0, 0, 0, 0, 0]
    assert rows[0][8] == ("paid_search > email > direct > outbound_call > meeting > event > organic_search > meeting")


def test_channel_performance_puts_spend_beside_the_credit_of_the_same_day(q):
    row = q("select spend, impressions, clicks, touchpoints, leads, mqls, sqls, opportunities, pipeline_amount, "
            "customers, won_revenue, cac, roas from marts.fct_channel_performance_daily "
            "where attribution_model = 'linear' and date_day = '2024-03-01' and channel = 'paid_search'")
    spend, impressions, clicks, touches, leads, mqls, sqls, opps, pipeline, customers, revenue, cac, roas = row[0]
    assert (float(spend), impressions, clicks, touches) == (100.0, 1000, 10, 1)
    assert abs(leads - 1 / 3) < 1e-11 and abs(mqls - 1 / 3) < 1e-11 and abs(sqls - 1 / 5) < 1e-11
    assert abs(opps - 1 / 6) < 1e-11 and float(pipeline) == 1800.0
    assert abs(customers - 1 / 8) < 1e-11 and float(revenue) == 1350.0
    assert abs(cac - 800.0) < 1e-6 and abs(roas - 13.5) < 1e-9
    # Bob's untouched lead lands on its own day as 'no_touch'.
    assert q("select leads from marts.fct_channel_performance_daily where attribution_model = 'linear' "
             "and channel = 'no_touch'") == [(1.0,)]
    # Per model, channels add up to the whole pipeline and revenue.
    assert q("select attribution_model, sum(pipeline_amount), sum(won_revenue) from marts.fct_channel_performance_daily "
             "group by 1 having sum(pipeline_amount) <> 10800 or sum(won_revenue) <> 10800") == []


def test_the_deal_is_marketing_sourced_and_a_third_of_its_touches_came_before_sales(q):
    assert q("select sourcing, first_touch_channel, segment, pipeline_amount, won_amount, cycle_days "
             "from marts.fct_pipeline_deals") == [
        ("marketing_sourced", "paid_search", "mid_market", Decimal("10800.0000"), Decimal("10800.0000"), 10.0)]
    touches, before, share_touches, journey_days, days_before, share_days = q(
        "select touches, touches_before_sales, share_of_touches_before_sales, journey_days, days_before_sales, "
        "share_of_days_before_sales from marts.fct_journey_share")[0]
    # T1..T8; the first sales touch is T4, Mar 06 13:00: T1-T3 came before.
    assert (touches, before, share_touches) == (8, 3, 3 / 8)
    assert abs(journey_days - (19 + 2 / 24)) < 1e-9 and abs(days_before - (5 + 3 / 24)) < 1e-9
    assert abs(share_days - (5 + 3 / 24) / (19 + 2 / 24)) < 1e-12
