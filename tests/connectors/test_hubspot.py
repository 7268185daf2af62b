"""The HubSpot connector against the local fake HubSpot API on loopback."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

import pytest

from connectors.demo.fakes import TRUNCATED
from connectors.demo.fakes.hubspot import HubSpotServer
from connectors.hubspot import OBJECTS, TABLES_BY_OBJECT, HubSpotAPIError, HubSpotAuthError, HubSpotSource
from connectors.hubspot.settings import SettingsError
from connectors.hubspot.tables import HUBSPOT_PROPERTIES
from connectors.registry import spec

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)
TOKEN = "demo-token"


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def canonical() -> dict[str, list[dict]]:
    """A small CRM by hand: 3 companies, 7 contacts (one deleted), 3 deals, 6 activities."""
    contacts = [
        {"contact_id": str(100 + n), "email": f"person{n}@example.com", "account_id": str(1 + n % 3),
         "owner_id": "7", "lifecycle_stage": "lead", "lead_score": 10 * n, "original_source": "ORGANIC_SEARCH",
         "created_at": at(n), "updated_at": at(10 + n), "became_lead_at": at(n), "is_deleted": n == 6}
        for n in range(7)
    ]
    contacts[0].update(lifecycle_stage="customer", became_mql_at=at(2), became_customer_at=at(5))
    return {
        "crm_accounts": [
            {"account_id": str(n), "name": f"Company {n}", "domain": f"c{n}.example.com", "industry": "Software",
             "region": "EMEA", "country": "DE", "employee_count": 40 * n, "annual_revenue": 1.5e6,
             "owner_id": "7", "created_at": at(0), "updated_at": at(1 + n)}
            for n in (1, 2, 3)
        ],
        "crm_contacts": contacts,
        "crm_contact_stage_history": [
            {"contact_id": "100", "lifecycle_stage": "lead", "entered_at": at(0)},
            {"contact_id": "100", "lifecycle_stage": "mql", "entered_at": at(2)},
            {"contact_id": "100", "lifecycle_stage": "customer", "entered_at": at(5)},
        ],
        "crm_deals": [
            {"deal_id": "900", "account_id": "1", "contact_id": "100", "owner_id": "7", "deal_stage": "closedwon",
             "amount": 12000.0, "currency": "EUR", "created_at": at(3), "closed_at": at(5), "is_closed": True,
             "is_won": True, "updated_at": at(20)},
            {"deal_id": "901", "account_id": "2", "contact_id": "101", "owner_id": "8",
             "deal_stage": "qualifiedtobuy", "amount": 5000, "currency": "EUR", "created_at": at(4),
             "is_closed": False, "is_won": False, "updated_at": at(21)},
            {"deal_id": "902", "account_id": "3", "deal_stage": "closedlost", "lost_reason": "Price",
             "created_at": at(4), "is_closed": True, "is_won": False, "updated_at": at(22)},
        ],
        "crm_deal_stage_history": [
            {"deal_id": "900", "deal_stage": "appointmentscheduled", "entered_at": at(3)},
            {"deal_id": "900", "deal_stage": "contractsent", "entered_at": at(4)},
            {"deal_id": "900", "deal_stage": "closedwon", "entered_at": at(5)},
        ],
        "crm_activities": [
            {"activity_id": "5001", "activity_type": "call", "direction": "outbound", "contact_id": "100",
             "account_id": "1", "deal_id": "900", "owner_id": "7", "occurred_at": at(3), "outcome": "connected"},
            {"activity_id": "5002", "activity_type": "meeting", "contact_id": "100", "account_id": "1",
             "deal_id": "900", "owner_id": "7", "occurred_at": at(4), "outcome": "completed"},
            {"activity_id": "5003", "activity_type": "email", "direction": "inbound", "contact_id": "101",
             "owner_id": "8", "occurred_at": at(5)},
            {"activity_id": "5004", "activity_type": "note", "contact_id": "102", "occurred_at": at(6)},
            {"activity_id": "5005", "activity_type": "task", "contact_id": "103", "owner_id": "8",
             "occurred_at": at(7), "outcome": "completed"},
            {"activity_id": "5006", "activity_type": "call", "direction": "inbound", "contact_id": "104",
             "occurred_at": at(8), "outcome": "no answer"},
        ],
        "crm_owners": [
            {"owner_id": "7", "name": "Ada Lovelace", "email": "ada@example.com", "team": "sales"},
            {"owner_id": "8", "name": "Grace Hopper", "email": "grace@example.com", "team": "sdr"},
        ],
    }


@pytest.fixture
def server():
    with HubSpotServer(canonical(), token=TOKEN) as fake:
        yield fake


def source_for(fake: HubSpotServer, **overrides) -> HubSpotSource:
    options = {"token": TOKEN, "page_size": 100, "max_attempts": 3, "backoff_factor": 0.01} | overrides
    return HubSpotSource(base_url=fake.base_url, **options)


def read_all(source: HubSpotSource, obj: str, since: str | None = None) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {}
    for batch in source.read(obj, since):
        for table, rows in batch.items():
            tables.setdefault(table, []).extend(rows)
    return tables


def max_updated_at(*row_lists: list[dict]) -> str:
    return max(row["updated_at"] for rows in row_lists for row in rows)


# --- first run ---------------------------------------------------------------------------


def test_multi_page_pagination_returns_every_object_exactly_once(server):
    rows = read_all(source_for(server, page_size=2), "contacts")["hubspot_contacts"]

    ids = [row["id"] for row in rows]
    assert sorted(ids) == [str(100 + n) for n in range(7)]
    assert len(ids) == len(set(ids))
    live_pages = [q for m, p, q in server.request_log if p == "/crm/v3/objects/contacts" and q["archived"] == "false"]
    assert len(live_pages) == 3 and sum("after" in q for q in live_pages) == 2


@pytest.mark.parametrize("obj", OBJECTS)
def test_every_row_has_every_raw_column_and_only_text_values(server, obj):
    tables = read_all(source_for(server), obj)

    assert set(tables) == set(TABLES_BY_OBJECT[obj])
    assert tables[TABLES_BY_OBJECT[obj][0]], "the object's main table is empty"
    for table, rows in tables.items():
        for row in rows:
            assert set(spec(table).columns) <= set(row), f"{table} misses {set(spec(table).columns) - set(row)}"
            assert all(value is None or isinstance(value, str) for value in row.values()), row


def test_archived_objects_arrive_flagged(server):
    rows = {r["id"]: r for r in read_all(source_for(server), "contacts")["hubspot_contacts"]}

    assert rows["106"]["archived"] == "true"
    assert {r["archived"] for i, r in rows.items() if i != "106"} == {"false"}
    assert any(q.get("archived") == "true" for _, p, q in server.request_log if p == "/crm/v3/objects/contacts")


def test_values_are_hubspot_strings_and_timestamps_hubspot_iso(server):
    contact = next(r for r in read_all(source_for(server), "contacts")["hubspot_contacts"] if r["id"] == "100")
    deal = next(r for r in read_all(source_for(server), "deals")["hubspot_deals"] if r["id"] == "900")

    assert contact["created_at"] == iso(at(0)) and contact["updated_at"] == iso(at(10))
    assert contact["property_lifecyclestage"] == "customer"
    assert contact["property_hubspotscore"] == "0"
    assert contact["property_hs_lifecyclestage_marketingqualifiedlead_date"] == iso(at(2))
    assert (deal["property_amount"], deal["property_hs_is_closed_won"]) == ("12000", "true")


def test_stage_history_rows_match_the_canonical_history(server):
    source = source_for(server)
    contact_history = read_all(source, "contacts")["hubspot_contact_stage_history"]
    deal_history = read_all(source, "deals")["hubspot_deal_stage_history"]

    assert {(r["lifecyclestage"], r["entered_at"]) for r in contact_history if r["contact_id"] == "100"} == {
        ("lead", iso(at(0))), ("marketingqualifiedlead", iso(at(2))), ("customer", iso(at(5)))}
    assert {(r["dealstage"], r["entered_at"]) for r in deal_history if r["deal_id"] == "900"} == {
        ("appointmentscheduled", iso(at(3))), ("contractsent", iso(at(4))), ("closedwon", iso(at(5)))}
    assert {r["source_type"] for r in contact_history + deal_history} == {"CRM_UI"}


def test_list_with_property_history_asks_at_most_50_objects_a_page(server):
    read_all(source_for(server, page_size=100), "deals")

    assert {q["limit"] for _, p, q in server.request_log if p == "/crm/v3/objects/deals"} == {"50"}


def test_deals_carry_their_company_and_contact_associations(server):
    deals = {r["id"]: r for r in read_all(source_for(server), "deals")["hubspot_deals"]}

    assert (deals["900"]["association_company_id"], deals["900"]["association_contact_id"]) == ("1", "100")
    assert (deals["901"]["association_company_id"], deals["901"]["association_contact_id"]) == ("2", "101")
    assert (deals["902"]["association_company_id"], deals["902"]["association_contact_id"]) == ("3", None)


def test_engagements_of_all_five_types_land_in_one_table_with_associations(server):
    rows = {r["id"]: r for r in read_all(source_for(server), "engagements")["hubspot_engagements"]}

    assert {r["engagement_type"] for r in rows.values()} == {"calls", "meetings", "emails", "notes", "tasks"}
    call = rows["5001"]
    assert (call["association_contact_id"], call["association_company_id"], call["association_deal_id"]) == (
        "100", "1", "900")
    assert (call["property_hs_call_direction"], call["property_hs_timestamp"]) == ("OUTBOUND", iso(at(3)))
    assert rows["5003"]["property_hs_email_direction"] == "INCOMING_EMAIL"
    assert rows["5003"]["association_deal_id"] is None


def test_owners_carry_their_names_and_primary_team(server):
    owners = {r["id"]: r for r in read_all(source_for(server), "owners")["hubspot_owners"]}

    assert owners["7"] | {"created_at": None, "updated_at": None} == {
        "id": "7", "email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace", "team_name": "sales",
        "created_at": None, "updated_at": None, "archived": "false"}


def test_an_unknown_extra_property_returned_by_the_server_is_kept_as_a_property_column(server):
    rows = read_all(source_for(server), "engagements")["hubspot_engagements"]

    # HubSpot returns hs_object_id and hs_lastmodifieddate on every engagement, asked or not.
    assert "hs_lastmodifieddate" not in HUBSPOT_PROPERTIES["engagements"]
    assert all(r["property_hs_object_id"] == r["id"] for r in rows)
    assert all(r["property_hs_lastmodifieddate"] == r["updated_at"] for r in rows)


# --- incremental ---------------------------------------------------------------------------


def test_incremental_read_after_an_upsert_returns_only_the_changed_object(server):
    source = source_for(server)
    first = read_all(source, "contacts")
    since = max_updated_at(first["hubspot_contacts"])
    server.upsert("crm_contacts", {"contact_id": "103", "lifecycle_stage": "mql"})
    server.request_log.clear()

    changed = read_all(source, "contacts", since)

    assert [r["id"] for r in changed["hubspot_contacts"]] == ["103"]
    assert changed["hubspot_contacts"][0]["property_lifecyclestage"] == "marketingqualifiedlead"
    assert changed["hubspot_contacts"][0]["updated_at"] > since
    assert {r["lifecyclestage"] for r in changed["hubspot_contact_stage_history"]} == {
        "lead", "marketingqualifiedlead"}
    calls = [(m, p) for m, p, _ in server.request_log]
    assert calls.count(("POST", "/crm/v3/objects/contacts/search")) == 1
    assert ("POST", "/crm/v3/objects/contacts/batch/read") in calls
    assert all(q.get("archived") == "true" for m, p, q in server.request_log if m == "GET")


def test_the_next_cursor_from_an_incremental_read_finds_nothing_new(server):
    source = source_for(server)
    since = max_updated_at(read_all(source, "deals")["hubspot_deals"])
    server.upsert("crm_deals", {"deal_id": "901", "deal_stage": "closedwon", "is_closed": True, "is_won": True})
    changed = read_all(source, "deals", since)

    assert read_all(source, "deals", max_updated_at(changed["hubspot_deals"])) == {}


def test_incremental_deals_get_history_and_associations_by_batch_reads(server):
    source = source_for(server)
    since = max_updated_at(read_all(source, "deals")["hubspot_deals"])
    server.upsert("crm_deals", {"deal_id": "901", "deal_stage": "closedwon", "is_closed": True, "is_won": True})
    server.request_log.clear()

    changed = read_all(source, "deals", since)

    deal = changed["hubspot_deals"][0]
    assert (deal["id"], deal["association_company_id"], deal["association_contact_id"]) == ("901", "2", "101")
    assert {r["dealstage"] for r in changed["hubspot_deal_stage_history"]} == {"qualifiedtobuy", "closedwon"}
    paths = [p for _, p, _ in server.request_log]
    assert "/crm/v4/associations/deals/companies/batch/read" in paths
    assert "/crm/v4/associations/deals/contacts/batch/read" in paths


def test_incremental_history_is_batch_read_in_chunks_of_50():
    tables = canonical()
    tables["crm_contacts"] += [
        {"contact_id": str(1000 + n), "lifecycle_stage": "lead", "created_at": at(30), "updated_at": at(30 + n)}
        for n in range(60)
    ]
    with HubSpotServer(tables, token=TOKEN) as fake:
        rows = read_all(source_for(fake), "contacts", iso(at(29)))["hubspot_contacts"]
        batch_reads = [b for (m, p, _), b in zip(fake.request_log, fake.request_bodies) if p.endswith("/batch/read")]

    assert len(rows) == 60
    assert [len(b["inputs"]) for b in batch_reads] == [50, 10]


def test_incremental_read_flags_objects_archived_since_the_cursor(server):
    source = source_for(server)
    since = max_updated_at(read_all(source, "companies")["hubspot_companies"])
    server.upsert("crm_accounts", {"account_id": "2", "is_deleted": True})

    changed = read_all(source, "companies", since)["hubspot_companies"]

    assert [(r["id"], r["archived"]) for r in changed] == [("2", "true")]


def test_search_restarts_from_the_last_modified_time_at_the_result_cap():
    tables = canonical()
    tables["crm_contacts"] += [
        {"contact_id": str(2000 + n), "created_at": at(30), "updated_at": at(30 + n // 2)} for n in range(13)
    ]
    with HubSpotServer(tables, token=TOKEN, search_cap=5) as fake:
        rows = read_all(source_for(fake, page_size=2, search_cap=5), "contacts", iso(at(29)))["hubspot_contacts"]
        searches = [b for (_, p, _), b in zip(fake.request_log, fake.request_bodies) if p.endswith("/search")]

    assert sorted(r["id"] for r in rows) == [str(2000 + n) for n in range(13)]
    assert all(int(b.get("after") or 0) < 5 for b in searches)
    assert {f["operator"] for b in searches for f in b["filterGroups"][0]["filters"]} == {"GT", "GTE"}


def test_search_pages_by_object_id_when_more_than_the_cap_share_one_instant():
    tables = canonical()
    tables["crm_contacts"] += [
        {"contact_id": str(3000 + n), "created_at": at(30), "updated_at": at(31)} for n in range(12)
    ]
    with HubSpotServer(tables, token=TOKEN, search_cap=4) as fake:
        rows = read_all(source_for(fake, page_size=2, search_cap=4), "contacts", iso(at(29)))["hubspot_contacts"]
        searches = [b for (_, p, _), b in zip(fake.request_log, fake.request_bodies) if p.endswith("/search")]

    assert sorted(r["id"] for r in rows) == [str(3000 + n) for n in range(12)]
    assert any(b["sorts"][0]["propertyName"] == "hs_object_id" for b in searches)


def test_owners_are_read_in_full_even_with_a_cursor(server):
    owners = read_all(source_for(server), "owners", "2999-01-01T00:00:00Z")["hubspot_owners"]

    assert sorted(r["id"] for r in owners) == ["7", "8"]


# --- failures ------------------------------------------------------------------------------


def test_a_429_with_retry_after_is_retried_after_waiting(server):
    server.fail_next(429, retry_after=1)
    started = time.monotonic()

    owners = read_all(source_for(server, backoff_factor=0), "owners")["hubspot_owners"]

    assert len(owners) == 2
    assert time.monotonic() - started >= 0.9
    assert [p for _, p, _ in server.request_log[:2]] == ["/crm/v3/owners", "/crm/v3/owners"]


def test_a_500_then_success_is_retried(server):
    server.fail_next(500, times=2)

    companies = read_all(source_for(server), "companies")["hubspot_companies"]

    assert len(companies) == 3
    assert len(server.request_log) == 4  # 2 failures + the live page + the archived page


def test_server_errors_beyond_max_attempts_raise_with_hubspot_details(server):
    server.fail_next(503, times=3)

    with pytest.raises(HubSpotAPIError) as error:
        read_all(source_for(server, max_attempts=3), "companies")

    assert error.value.status == 503 and error.value.category == "INTERNAL_ERROR"
    assert len(server.request_log) == 3


def test_a_truncated_body_is_retried(server):
    server.fail_next(200, body=TRUNCATED)

    assert len(read_all(source_for(server), "companies")["hubspot_companies"]) == 3
    assert len(server.request_log) == 3


def test_a_401_raises_hubspot_auth_error_at_once_without_the_token():
    secret = "pat-na1-11111111-2222-3333-4444-555555555555"
    with HubSpotServer(canonical(), token="another-token") as fake:
        with pytest.raises(HubSpotAuthError) as error:
            read_all(source_for(fake, token=secret), "contacts")
        requests_made = len(fake.request_log)

    assert "HUBSPOT_TOKEN" in str(error.value)
    assert secret not in str(error.value) and secret not in repr(error.value)
    assert requests_made == 1


def test_an_injected_401_is_not_retried(server):
    server.fail_next(401, times=3)

    with pytest.raises(HubSpotAuthError, match="HUBSPOT_TOKEN"):
        read_all(source_for(server), "deals")
    assert len(server.request_log) == 1


def test_a_403_names_the_scopes_the_token_needs(server):
    server.fail_next(403)

    with pytest.raises(HubSpotAuthError, match="HUBSPOT_TOKEN.*crm.objects.deals.read"):
        read_all(source_for(server), "deals")
    assert len(server.request_log) == 1


def test_the_token_never_reaches_the_logs(server, caplog):
    caplog.set_level(logging.DEBUG)
    server.fail_next(500)

    read_all(source_for(server), "companies")

    assert caplog.records, "nothing was logged: the test would prove nothing"
    assert TOKEN not in caplog.text


def test_a_missing_token_names_hubspot_token_and_the_demo_fix(monkeypatch):
    monkeypatch.delenv("HUBSPOT_TOKEN", raising=False)

    with pytest.raises(HubSpotAuthError) as error:
        HubSpotSource(base_url="http://127.0.0.1:9")

    assert str(error.value).startswith("HUBSPOT_TOKEN is not set: export a HubSpot private app token (scopes ")
    assert str(error.value).endswith("or run with --source demo")


# --- settings ------------------------------------------------------------------------------


def test_settings_come_from_the_environment(server, monkeypatch):
    monkeypatch.setenv("HUBSPOT_TOKEN", TOKEN)
    monkeypatch.setenv("HUBSPOT_BASE_URL", server.base_url)
    monkeypatch.setenv("HUBSPOT_PAGE_SIZE", "2")
    monkeypatch.setenv("HUBSPOT_MAX_ATTEMPTS", "2")

    rows = read_all(HubSpotSource(), "companies")["hubspot_companies"]

    assert len(rows) == 3
    assert server.request_log[0][2]["limit"] == "2"


def test_a_bad_page_size_in_the_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv("HUBSPOT_TOKEN", TOKEN)
    monkeypatch.setenv("HUBSPOT_PAGE_SIZE", "lots")

    with pytest.raises(SettingsError, match="HUBSPOT_PAGE_SIZE"):
        HubSpotSource()
