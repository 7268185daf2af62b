"""The demo world is deterministic, internally consistent, and tells the DOMAIN.md story."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from connectors.demo.files import write_files
from connectors.demo.world import DEMO_TABLES, World, generate
from connectors.files.tables import FILE_TABLES

END = datetime(2026, 10, 31, tzinfo=UTC)
SESSION_GAP = timedelta(minutes=30)
CLICK_IDS = {"google": "gclid", "facebook": "fbclid", "linkedin": "li_fat_id"}


@pytest.fixture(scope="module")
def world() -> World:
    return generate(people=3000, seed=7)


@pytest.fixture(scope="module")
def small() -> World:
    return generate(people=300, seed=11, end=datetime(2026, 3, 15, 12, tzinfo=UTC), days=90)


def _digest(w: World) -> str:
    text = json.dumps(w.tables, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _timestamps(value):
    """Every datetime inside a row or a nested web event."""
    if isinstance(value, datetime):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _timestamps(v)


def _unique_events(w: World) -> list[dict]:
    seen, out = set(), []
    for e in w.tables["web_events"]:
        if e["messageId"] not in seen:
            seen.add(e["messageId"])
            out.append(e)
    return out


def _sessions(w: World) -> list[list[dict]]:
    """Sessionize per anonymousId with the pipeline's 30-minute inactivity gap."""
    by_device = defaultdict(list)
    for e in _unique_events(w):
        by_device[e["anonymousId"]].append(e)
    sessions = []
    for events in by_device.values():
        events.sort(key=lambda e: e["timestamp"])
        current = [events[0]]
        for prev, e in zip(events, events[1:]):
            if e["timestamp"] - prev["timestamp"] > SESSION_GAP:
                sessions.append(current)
                current = []
            current.append(e)
        sessions.append(current)
    return sessions


def _first_response_hours(w: World, mature_before: datetime) -> list[tuple[float | None, dict]]:
    touches = defaultdict(list)
    for a in w.tables["crm_activities"]:
        touches[a["contact_id"]].append(a["occurred_at"])
    out = []
    for c in w.tables["crm_contacts"]:
        mql = c["became_mql_at"]
        if mql is None or mql > mature_before:
            continue
        after = [t for t in touches[c["contact_id"]] if t >= mql]
        out.append(((min(after) - mql).total_seconds() / 3600 if after else None, c))
    return out


# --- determinism --------------------------------------------------------------------------

def test_the_same_seed_generates_an_identical_world():
    assert _digest(generate(people=300, seed=5)) == _digest(generate(people=300, seed=5))


def test_different_seeds_generate_different_worlds():
    assert _digest(generate(people=300, seed=5)) != _digest(generate(people=300, seed=6))


def test_generation_does_not_touch_the_global_random_state():
    import random

    random.seed(123)
    expected = random.random()
    random.seed(123)
    generate(people=50, seed=1)
    assert random.random() == expected


# --- shape --------------------------------------------------------------------------------

def test_every_file_table_is_present_and_rows_carry_exactly_its_columns(world):
    assert list(world.tables) == [t.name for t in DEMO_TABLES]
    for spec in DEMO_TABLES:
        rows = world.tables[spec.name]
        assert rows, f"{spec.name} is empty"
        if spec.group != "web":
            assert all(tuple(r) == spec.columns for r in rows), spec.name


def test_contacts_number_the_requested_people_and_anonymous_visitors_exist_besides(world):
    contacts = world.tables["crm_contacts"]
    assert len(contacts) == 3000
    known_devices = {e["anonymousId"] for e in world.tables["web_events"] if e["userId"]}
    anonymous_devices = {e["anonymousId"] for e in world.tables["web_events"]} - known_devices
    assert len(anonymous_devices) > 2000


def test_keys_are_unique(world):
    for spec in FILE_TABLES:
        if spec.key and spec.group != "web":
            keys = [tuple(r[k] for k in spec.key) for r in world.tables[spec.name]]
            assert len(keys) == len(set(keys)), spec.name


def test_values_use_the_documented_vocabularies(world):
    t = world.tables
    assert {o["team"] for o in t["crm_owners"]} == {"sales", "sdr", "marketing"}
    assert {a["region"] for a in t["crm_accounts"]} == {"NA", "EMEA", "APAC", "LATAM"}
    assert {c["lifecycle_stage"] for c in t["crm_contacts"]} <= {
        "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "other"}
    assert {c["lead_status"] for c in t["crm_contacts"]} - {None} <= {
        "NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT", "CONNECTED", "UNQUALIFIED", "BAD_TIMING"}
    assert {a["activity_type"] for a in t["crm_activities"]} == {"call", "meeting", "email", "task", "note"}
    assert {d["deal_stage"] for d in t["crm_deals"]} >= {"closedwon", "closedlost"}
    assert {c["platform"] for c in t["ads_campaigns"]} == {"google_ads", "meta_ads", "linkedin_ads"}
    assert 6 <= len(t["ads_campaigns"]) <= 12
    assert {r["currency"] for r in t["ads_ad_performance_daily"]} == {"USD", "EUR"}
    assert {m["campaign_type"] for m in t["crm_campaign_members"]} == {"webinar", "event", "email"}
    assert all(0 <= c["lead_score"] <= 100 for c in t["crm_contacts"])
    assert all(isinstance(r["date"], date) and not isinstance(r["date"], datetime)
               for r in t["ads_ad_performance_daily"])


# --- referential integrity ----------------------------------------------------------------

def test_every_contact_and_deal_account_exists(world):
    accounts = {a["account_id"] for a in world.tables["crm_accounts"]}
    for table in ("crm_contacts", "crm_deals", "crm_activities"):
        refs = {r["account_id"] for r in world.tables[table]} - {None}
        assert refs <= accounts, table
    sizes = Counter(c["account_id"] for c in world.tables["crm_contacts"] if c["account_id"])
    assert set(sizes) == accounts
    assert max(sizes.values()) <= 8 and Counter(sizes.values())[1] > Counter(sizes.values())[4]


def test_every_owner_reference_exists(world):
    owners = {o["owner_id"] for o in world.tables["crm_owners"]}
    for table in ("crm_accounts", "crm_contacts", "crm_deals", "crm_activities"):
        refs = {r["owner_id"] for r in world.tables[table]} - {None}
        assert refs <= owners, table
    assert {o["manager_id"] for o in world.tables["crm_owners"]} - {None} <= owners
    assert all(a["owner_id"] for a in world.tables["crm_activities"] + world.tables["crm_deals"])


def test_every_contact_and_deal_reference_exists(world):
    t = world.tables
    contacts = {c["contact_id"] for c in t["crm_contacts"]}
    deals = {d["deal_id"] for d in t["crm_deals"]}
    for table in ("crm_activities", "crm_deals", "crm_campaign_members", "crm_contact_stage_history"):
        assert {r["contact_id"] for r in t[table]} - {None} <= contacts, table
    assert {a["deal_id"] for a in t["crm_activities"]} - {None} <= deals
    assert {h["deal_id"] for h in t["crm_deal_stage_history"]} == deals


# --- time ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["world", "small"])
def test_every_timestamp_falls_inside_the_window(name, request):
    w = request.getfixturevalue(name)
    start = w.params["end"] - timedelta(days=w.params["days"])
    for table, rows in w.tables.items():
        for row in rows:
            for ts in _timestamps(row):
                assert ts.tzinfo is not None and ts.utcoffset() == timedelta(0), table
                assert start <= ts <= w.params["end"], (table, row)
    days = {r["date"] for r in w.tables["ads_ad_performance_daily"]}
    assert min(days) >= start.date() and max(days) <= w.params["end"].date()


def test_updated_at_is_never_before_any_other_timestamp_on_the_row(world):
    for table in ("crm_contacts", "crm_deals", "crm_accounts"):
        for row in world.tables[table]:
            others = [v for k, v in row.items() if isinstance(v, datetime) and k != "updated_at"]
            assert row["updated_at"] >= max(others), (table, row)


def test_every_became_timestamp_has_a_matching_stage_history_row(world):
    history = {(h["contact_id"], h["lifecycle_stage"], h["entered_at"])
               for h in world.tables["crm_contact_stage_history"]}
    first_entry = {}
    for h in sorted(world.tables["crm_contact_stage_history"], key=lambda h: h["entered_at"]):
        first_entry.setdefault((h["contact_id"], h["lifecycle_stage"]), h["entered_at"])
    stage_of = {"became_lead_at": "lead", "became_mql_at": "marketingqualifiedlead",
                "became_sql_at": "salesqualifiedlead", "became_opportunity_at": "opportunity",
                "became_customer_at": "customer"}
    for c in world.tables["crm_contacts"]:
        for column, stage in stage_of.items():
            if c[column] is not None:
                assert (c["contact_id"], stage, c[column]) in history
                assert first_entry[(c["contact_id"], stage)] == c[column]
            else:
                assert (c["contact_id"], stage) not in first_entry


def test_current_lifecycle_stage_is_the_last_stage_entered(world):
    last = {}
    for h in sorted(world.tables["crm_contact_stage_history"], key=lambda h: h["entered_at"]):
        last[h["contact_id"]] = h["lifecycle_stage"]
    assert all(last[c["contact_id"]] == c["lifecycle_stage"] for c in world.tables["crm_contacts"])


def test_some_leads_are_recycled_and_some_of_those_come_back_to_mql(world):
    by_contact = defaultdict(list)
    for h in sorted(world.tables["crm_contact_stage_history"], key=lambda h: h["entered_at"]):
        by_contact[h["contact_id"]].append(h["lifecycle_stage"])
    recycled = [s for s in by_contact.values()
                if any(a in ("salesqualifiedlead", "marketingqualifiedlead", "opportunity") and b == "lead"
                       for a, b in zip(s, s[1:]))]
    came_back = [s for s in recycled if s.count("marketingqualifiedlead") >= 2]
    assert len(recycled) > 100 and len(came_back) > 10
    statuses = Counter(c["lead_status"] for c in world.tables["crm_contacts"] if c["lifecycle_stage"] == "lead")
    assert statuses["BAD_TIMING"] > 0 and statuses["UNQUALIFIED"] > 0


# --- the hand-off (HBR) and the funnel (Olist) ---------------------------------------------

def test_first_sales_touch_after_mql_matches_the_hbr_shares(world):
    # MQLs older than the 30-day response tail, so "never" is not just "not yet".
    responses = _first_response_hours(world, END - timedelta(days=31))
    assert len(responses) > 1000
    buckets = Counter("never" if h is None else "<1h" if h < 1 else "1-24h" if h < 24 else ">24h"
                      for h, _ in responses)
    shares = {k: v / len(responses) for k, v in buckets.items()}
    for bucket, expected in {"<1h": 0.37, "1-24h": 0.16, ">24h": 0.24, "never": 0.23}.items():
        assert shares[bucket] == pytest.approx(expected, abs=0.05), (bucket, shares)


def test_qualification_odds_decay_with_response_delay(world):
    responses = _first_response_hours(world, END - timedelta(days=31))
    fast = [c for h, c in responses if h is not None and h < 1]
    slow = [c for h, c in responses if h is not None and 1 <= h < 24]
    late = [c for h, c in responses if h is not None and h >= 24]

    def sql_rate(group):
        return sum(1 for c in group if c["became_sql_at"]) / len(group)

    assert sql_rate(fast) > 4 * sql_rate(slow)
    assert sql_rate(fast) > 10 * sql_rate(late)


def test_about_a_tenth_of_mqls_become_customers_and_search_beats_email(world):
    mqls = [c for c in world.tables["crm_contacts"] if c["became_mql_at"]]
    rate = sum(1 for c in mqls if c["became_customer_at"]) / len(mqls)
    assert 0.05 <= rate <= 0.20

    def won(source):
        group = [c for c in mqls if c["original_source"] == source]
        return sum(1 for c in group if c["became_customer_at"]) / len(group)

    assert won("PAID_SEARCH") > won("EMAIL_MARKETING")
    assert won("ORGANIC_SEARCH") > won("EMAIL_MARKETING")


def test_deals_agree_with_contact_stages_and_close_consistently(world):
    contacts = {c["contact_id"]: c for c in world.tables["crm_contacts"]}
    first_deal = {}
    for d in sorted(world.tables["crm_deals"], key=lambda d: d["created_at"]):
        first_deal.setdefault(d["contact_id"], d)
        assert d["pipeline"] == "default" and 1_000 <= d["amount"] <= 500_000
        assert d["is_closed"] == (d["closed_at"] is not None)
        assert d["is_won"] == (d["deal_stage"] == "closedwon")
        assert (d["lost_reason"] is not None) == (d["deal_stage"] == "closedlost")
        if d["lost_reason"]:
            assert d["lost_reason"] in {"price", "timing", "competitor", "no_decision"}
    for contact_id, d in first_deal.items():
        assert contacts[contact_id]["became_opportunity_at"] == d["created_at"]
    for d in world.tables["crm_deals"]:
        if d["is_won"]:
            assert contacts[d["contact_id"]]["became_customer_at"] is not None
    assert any(not d["is_closed"] for d in world.tables["crm_deals"])
    assert Counter(d["currency"] for d in world.tables["crm_deals"]).most_common(1)[0][0] == "USD"


def test_days_from_first_touch_to_won_average_about_seven_weeks(world):
    t = world.tables
    device_user = {e["anonymousId"]: e["userId"] for e in t["web_events"] if e["userId"]}
    first_touch = {}
    for e in t["web_events"]:
        user = device_user.get(e["anonymousId"])
        if user:
            first_touch[user] = min(first_touch.get(user, e["timestamp"]), e["timestamp"])
    first_activity = {}
    for a in t["crm_activities"]:
        first_activity[a["contact_id"]] = min(first_activity.get(a["contact_id"], a["occurred_at"]), a["occurred_at"])
    contacts = {c["contact_id"]: c for c in t["crm_contacts"]}
    days = []
    for d in t["crm_deals"]:
        if d["is_won"]:
            c = contacts[d["contact_id"]]
            start = (first_activity[c["contact_id"]] if c["original_source"] == "OFFLINE"
                     else first_touch[c["email"].lower()])
            days.append((d["closed_at"] - start).total_seconds() / 86400)
    assert len(days) > 100
    assert 35 <= sum(days) / len(days) <= 65


def test_sales_sourced_contacts_get_a_sales_touch_before_any_web_visit(world):
    t = world.tables
    offline = {c["contact_id"]: c for c in t["crm_contacts"] if c["original_source"] == "OFFLINE"}
    assert 0.05 <= len(offline) / len(t["crm_contacts"]) <= 0.15
    first_touch = {}
    for a in sorted(t["crm_activities"], key=lambda a: a["occurred_at"]):
        first_touch.setdefault(a["contact_id"], a["occurred_at"])
    first_visit = {}
    for e in t["web_events"]:
        if e["userId"]:
            first_visit[e["userId"]] = min(first_visit.get(e["userId"], e["timestamp"]), e["timestamp"])
    device_user = {e["anonymousId"]: e["userId"] for e in t["web_events"] if e["userId"]}
    for e in t["web_events"]:
        user = device_user.get(e["anonymousId"])
        if user:
            first_visit[user] = min(first_visit[user], e["timestamp"])
    visited = 0
    for contact_id, c in offline.items():
        touch = first_touch.get(contact_id)
        assert touch is None or touch >= c["created_at"]
        visit = first_visit.get(c["email"].lower())
        if visit:
            visited += 1
            assert touch is not None and touch < visit
    assert visited > 0


# --- web events ---------------------------------------------------------------------------

def test_every_identify_follows_a_form_submitted_on_the_same_device(world):
    forms = defaultdict(list)
    for e in world.tables["web_events"]:
        if e["type"] == "track":
            assert e["event"] == "Form Submitted"
            assert e["properties"]["form_name"] in {
                "demo_request", "ebook_download", "webinar_signup", "contact_us", "newsletter_signup"}
            forms[e["anonymousId"]].append(e["timestamp"])
    identifies = [e for e in world.tables["web_events"] if e["type"] == "identify"]
    assert identifies
    for e in identifies:
        assert e["traits"]["email"] == e["userId"] == e["userId"].lower()
        assert any(timedelta(0) < e["timestamp"] - t < timedelta(seconds=5) for t in forms[e["anonymousId"]])


def test_every_web_sourced_contact_was_identified_just_before_it_was_created(world):
    identified = {}
    for e in world.tables["web_events"]:
        if e["type"] == "identify":
            identified.setdefault(e["userId"], e["timestamp"])
    web_contacts = [c for c in world.tables["crm_contacts"] if c["original_source"] != "OFFLINE"]
    odd_casing = 0
    for c in web_contacts:
        first = identified[c["email"].lower()]
        assert timedelta(0) < c["created_at"] - first <= timedelta(minutes=11)
        odd_casing += c["email"] != c["email"].lower()
    assert 0 < odd_casing < 0.1 * len(web_contacts)


def test_some_people_are_stitched_across_two_devices(world):
    devices = defaultdict(set)
    for e in world.tables["web_events"]:
        if e["type"] == "identify":
            devices[e["userId"]].add(e["anonymousId"])
    assert sum(1 for d in devices.values() if len(d) == 2) > 100


def test_a_few_messages_are_delivered_twice(world):
    counts = Counter(e["messageId"] for e in world.tables["web_events"])
    duplicated = sum(1 for n in counts.values() if n > 1)
    assert 0.002 < duplicated / len(counts) < 0.01


def test_sessions_are_separated_by_more_than_thirty_minutes_of_inactivity(world):
    site = "https://www.brightwave.example"
    sessions = _sessions(world)
    for s in sessions:
        for e in s[1:]:
            assert e["context"]["page"]["referrer"].startswith(site)
        first = s[0]
        assert first["type"] == "page" and not first["context"]["page"]["referrer"].startswith(site)
    channels = Counter()
    for s in sessions:
        page = s[0]["context"]["page"]
        medium = s[0]["context"].get("campaign", {}).get("medium")
        channels[medium or ("referrer" if page["referrer"] else "direct")] += 1
    assert {"cpc", "paid_social", "email", "referrer", "direct"} <= set(channels)


def test_ad_click_sessions_carry_a_known_campaigns_utms_and_the_platforms_click_id(world):
    known = {(c["utm_source"], c["utm_medium"], c["utm_campaign"]) for c in world.tables["ads_campaigns"]}
    paid = 0
    for e in world.tables["web_events"]:
        campaign = e["context"].get("campaign")
        if not campaign or campaign["medium"] == "email":
            continue
        paid += 1
        assert (campaign["source"], campaign["medium"], campaign["name"]) in known
        query = parse_qs(urlsplit(e["context"]["page"]["url"]).query)
        assert query["utm_campaign"] == [campaign["name"]]
        assert CLICK_IDS[campaign["source"]] in query
    assert paid > 500


def test_platform_clicks_cover_the_sessions_analytics_saw_per_campaign_day(world):
    utm_of = {c["campaign_id"]: c["utm_campaign"] for c in world.tables["ads_campaigns"]}
    clicks = Counter()
    for r in world.tables["ads_ad_performance_daily"]:
        clicks[(utm_of[r["campaign_id"]], r["date"])] += r["clicks"]
        assert r["clicks"] <= r["impressions"] and r["spend"] == round(r["spend"], 2)
    sessions = Counter()
    for s in _sessions(world):
        campaign = s[0]["context"].get("campaign")
        if campaign and campaign["medium"] != "email":
            sessions[(campaign["name"], s[0]["timestamp"].date())] += 1
    assert sessions
    for key, n in sessions.items():
        assert clicks[key] >= n, key
    assert sum(clicks.values()) < 2 * sum(sessions.values()) + 2 * len(world.tables["ads_ad_performance_daily"])


def test_email_clicks_are_recorded_as_campaign_responses(world):
    responded = [m for m in world.tables["crm_campaign_members"]
                 if m["campaign_type"] == "email" and m["member_status"] == "responded"]
    assert responded and all(m["responded_at"] for m in responded)
    assert all(m["responded_at"] is None for m in world.tables["crm_campaign_members"]
               if m["member_status"] in ("sent", "registered"))


# --- files --------------------------------------------------------------------------------

def test_write_files_round_trips_every_table(small, tmp_path):
    paths = write_files(small, tmp_path)
    assert set(paths) == set(small.tables)
    assert paths["crm_contacts"] == tmp_path / "crm" / "contacts.csv"
    assert paths["crm_contact_stage_history"] == tmp_path / "crm" / "contact_stage_history.csv"
    assert paths["ads_ad_performance_daily"] == tmp_path / "ads" / "ad_performance_daily.csv"
    for spec in FILE_TABLES:
        if spec.group == "web":
            continue
        with paths[spec.name].open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == len(small.tables[spec.name]), spec.name
        assert tuple(rows[0]) == spec.columns
    contact = next(r for r in csv.DictReader((tmp_path / "crm" / "contacts.csv").open(encoding="utf-8")))
    assert contact["created_at"].endswith("Z") and datetime.fromisoformat(contact["created_at"])
    assert contact["is_deleted"] in ("true", "false")
    deal = next(r for r in csv.DictReader((tmp_path / "crm" / "deals.csv").open(encoding="utf-8"))
                if r["is_closed"] == "false")
    assert deal["closed_at"] == "" and deal["lost_reason"] == ""
    ad = next(csv.DictReader((tmp_path / "ads" / "ad_performance_daily.csv").open(encoding="utf-8")))
    assert date.fromisoformat(ad["date"])

    files = sorted(paths["web_events"].glob("*.jsonl"))
    lines = [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(small.tables["web_events"])
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            assert event["timestamp"].startswith(f.stem) and event["timestamp"].endswith("Z")
    assert {"messageId", "anonymousId", "timestamp", "context"} <= set(lines[0])


def test_write_files_writes_only_the_groups_asked_for_and_clears_stale_days(small, tmp_path):
    stale = tmp_path / "web" / "events" / "1999-01-01.jsonl"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}\n")
    paths = write_files(small, tmp_path, crm=False, ads=False)
    assert set(paths) == {"web_events"}
    assert not (tmp_path / "crm").exists() and not (tmp_path / "ads").exists()
    assert not stale.exists()
