"""GA4's BigQuery export as the web source: sessions, channels and the journey from it."""

from __future__ import annotations

import json

import pytest

from conftest import build_world

NO_UNIT_TESTS = ("--exclude-resource-type", "unit_test")
T0 = 1_709_283_600_000_000  # 2024-03-01T09:00:00Z in microseconds


def param(key, value):
    v = {"string_value": None, "int_value": None, "float_value": None, "double_value": None}
    v["int_value" if isinstance(value, int) else "string_value"] = value
    return {"key": key, "value": v}


def ga4_event(name, minutes, pseudo_id, url, *, referrer=None, collected=None, user_id=None):
    params = [param("page_location", url), param("ga_session_id", 1)]
    if referrer:
        params.append(param("page_referrer", referrer))
    return {
        "event_date": "20240301", "event_timestamp": str(T0 + minutes * 60_000_000), "event_name": name,
        "event_bundle_sequence_id": str(minutes), "user_pseudo_id": pseudo_id, "user_id": user_id,
        "event_params": json.dumps(params),
        "collected_traffic_source": json.dumps(collected) if collected else None,
        "platform": "WEB",
    }


def ga4_rows():
    site = "https://www.touchline.example"
    return {"web_ga4_events": [
        # Device g1: a Google Ads click (gclid collected), two pages, then 2 hours later a direct visit.
        ga4_event("page_view", 0, "g1", f"{site}/pricing?gclid=abc",
                  collected={"manual_source": None, "gclid": "abc"}),
        ga4_event("page_view", 5, "g1", f"{site}/demo"),
        ga4_event("generate_lead", 6, "g1", f"{site}/demo"),
        ga4_event("page_view", 125, "g1", f"{site}/"),
        # Device g2: an organic Google search visit.
        ga4_event("page_view", 10, "g2", f"{site}/blog", referrer="https://www.google.com/"),
        # The same event delivered twice in the export: kept once.
        ga4_event("page_view", 10, "g2", f"{site}/blog", referrer="https://www.google.com/"),
    ]}


@pytest.fixture(scope="module")
def ga4_db(tmp_path_factory):
    return build_world(tmp_path_factory, "ga4_only", ga4_rows(), extra_args=NO_UNIT_TESTS)


def test_ga4_events_become_web_events_with_one_row_per_event(ga4_db, query_db):
    assert query_db(ga4_db, "select web_source, event_type, count(*) from staging.stg_web__events "
                    "group by all order by 2") == [("ga4", "page", 4), ("ga4", "track", 1)]


def test_ga4_visits_are_sessionized_and_classified_like_any_web_visit(ga4_db, query_db):
    sessions = query_db(ga4_db, "select visitor_id, session_number, channel from intermediate.int_web_sessions "
                        "order by 1, 2")
    assert sessions == [("g1", 1, "paid_search"), ("g1", 2, "direct"), ("g2", 1, "organic_search")]


def test_a_ga4_generate_lead_event_is_a_form_submit_touchpoint(ga4_db, query_db):
    assert query_db(ga4_db, "select count(*) from marts.fct_touchpoints where touch_type = 'form_submit'") == [(1,)]
