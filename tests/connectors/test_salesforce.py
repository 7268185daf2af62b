"""The Salesforce connector against the local fake Salesforce org on loopback."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from connectors._shared import landing
from connectors.demo.fakes import TRUNCATED
from connectors.demo.fakes.salesforce import SalesforceServer
from connectors.salesforce import (
    OBJECTS,
    SALESFORCE_TABLES,
    TABLES_BY_OBJECT,
    SalesforceAPIError,
    SalesforceAuthError,
    SalesforceLimitError,
    SalesforceSource,
    SettingsError,
)
from connectors.salesforce.tables import SALESFORCE_FIELDS, column_name, spec

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)
TOKEN = "00D5g000004XyZQ!AQ-demo-token"
CLIENT = {"client_id": "3MVG9-demo-client", "client_secret": "demo-secret-8F3A", "refresh_token": "5Aep-demo-refresh"}


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def sf_time(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def canonical() -> dict[str, list[dict]]:
    """A small CRM by hand: 3 accounts, 7 people (2 converted, 1 deleted), 3 deals, 6 activities."""
    contacts = [
        {"contact_id": str(100 + n), "email": f"first{n}.last{n}@example.com", "account_id": str(1 + n % 3),
         "owner_id": "8", "lifecycle_stage": "lead", "lead_status": "NEW", "lead_score": 10 * n,
         "original_source": "ORGANIC_SEARCH", "created_at": at(n), "updated_at": at(10 + n),
         "became_lead_at": at(n), "is_deleted": n == 6}
        for n in range(7)
    ]
    contacts[0].update(lifecycle_stage="customer", owner_id="7", became_mql_at=at(2), became_sql_at=at(3),
                       became_customer_at=at(5))
    contacts[1].update(lifecycle_stage="salesqualifiedlead", lead_status="IN_PROGRESS", became_sql_at=at(6))
    contacts[2].update(lifecycle_stage="marketingqualifiedlead", became_mql_at=at(8))
    contacts[4].update(lead_status="ATTEMPTED_TO_CONTACT")
    contacts[5].update(lead_status="UNQUALIFIED")
    return {
        "crm_accounts": [
            {"account_id": str(n), "name": f"Company {n}", "domain": f"c{n}.example.com", "industry": "Software",
             "region": "EMEA", "country": "DE", "employee_count": 40 * n, "annual_revenue": 1.5e6,
             "owner_id": "7", "created_at": at(0), "updated_at": at(1 + n)}
            for n in (1, 2, 3)
        ],
        "crm_contacts": contacts,
        "crm_contact_stage_history": [],
        "crm_deals": [
            {"deal_id": "900", "account_id": "1", "contact_id": "100", "owner_id": "7", "deal_stage": "closedwon",
             "amount": 12000.0, "currency": "EUR", "created_at": at(3), "closed_at": at(5), "is_closed": True,
             "is_won": True, "updated_at": at(20)},
            {"deal_id": "901", "account_id": "2", "contact_id": "101", "owner_id": "7",
             "deal_stage": "qualifiedtobuy", "amount": 5000, "currency": "EUR", "created_at": at(6),
             "is_closed": False, "is_won": False, "updated_at": at(21)},
            {"deal_id": "902", "account_id": "3", "deal_stage": "closedlost", "lost_reason": "Price",
             "created_at": at(4), "closed_at": at(9), "is_closed": True, "is_won": False, "updated_at": at(22)},
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
             "owner_id": "8", "occurred_at": at(7)},
            {"activity_id": "5004", "activity_type": "note", "contact_id": "102", "occurred_at": at(8)},
            {"activity_id": "5005", "activity_type": "task", "contact_id": "103", "owner_id": "8",
             "occurred_at": at(9), "outcome": "completed"},
            {"activity_id": "5006", "activity_type": "call", "direction": "inbound", "contact_id": "104",
             "occurred_at": at(10), "outcome": "no_answer"},
        ],
        "crm_owners": [
            {"owner_id": "7", "name": "Ada Lovelace", "email": "ada@example.com", "team": "sales", "region": "EMEA"},
            {"owner_id": "8", "name": "Grace Hopper", "email": "grace@example.com", "team": "sdr",
             "manager_id": "7", "region": "NA"},
        ],
        "crm_campaign_members": [
            {"campaign_id": "cmp_1", "contact_id": "100", "member_status": "attended", "responded_at": at(1),
             "campaign_name": "Webinar: From MQL to revenue", "campaign_type": "webinar"},
            {"campaign_id": "cmp_1", "contact_id": "102", "member_status": "registered",
             "campaign_name": "Webinar: From MQL to revenue", "campaign_type": "webinar"},
            {"campaign_id": "cmp_2", "contact_id": "103", "member_status": "responded", "responded_at": at(9),
             "campaign_name": "Newsletter 2024-03", "campaign_type": "email"},
        ],
    }


@pytest.fixture(autouse=True)
def no_salesforce_environment(monkeypatch):
    """A developer's own SALESFORCE_* settings must not leak into these tests."""
    import os

    for name in [n for n in os.environ if n.startswith("SALESFORCE_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def server():
    with SalesforceServer(canonical(), access_token=TOKEN, **CLIENT) as fake:
        yield fake


def source_for(fake: SalesforceServer, **overrides) -> SalesforceSource:
    options = {"instance_url": fake.base_url, "access_token": TOKEN, "max_attempts": 3,
               "backoff_factor": 0.01} | overrides
    return SalesforceSource(**options)


def renewing_source(fake: SalesforceServer, **overrides) -> SalesforceSource:
    return source_for(fake, login_url=fake.base_url, **CLIENT, **overrides)


def read_all(source: SalesforceSource, obj: str, since: str | None = None) -> list[dict]:
    rows: list[dict] = []
    for batch in source.read(obj, since):
        assert set(batch) == set(TABLES_BY_OBJECT[obj])
        rows.extend(batch[TABLES_BY_OBJECT[obj][0]])
    return rows


def max_cursor(obj: str, rows: list[dict]) -> str:
    return max(row[spec(TABLES_BY_OBJECT[obj][0]).cursor] for row in rows)


def land_rows(con, obj: str, rows: list[dict], load_id: str) -> landing.LandResult:
    s = spec(TABLES_BY_OBJECT[obj][0])
    return landing.land(con, s, landing.rows_to_arrow(rows, list(s.columns)), load_id=load_id, source="salesforce")


@pytest.fixture
def warehouse():
    con = landing.connect(":memory:")
    landing.ensure_raw_tables(con, SALESFORCE_TABLES)
    yield con
    con.close()


# --- first run -----------------------------------------------------------------------------


def test_multi_page_paging_follows_next_records_url_and_returns_every_record_once():
    with SalesforceServer(canonical(), access_token=TOKEN, page_size=2) as fake:
        rows = read_all(source_for(fake), "Lead")
        paths = [p for _, p, _ in fake.request_log]

    ids = [row["id"] for row in rows]
    assert len(ids) == 7 and len(set(ids)) == 7
    assert paths[:2] == ["/services/data/v61.0/sobjects/Lead/describe", "/services/data/v61.0/queryAll"]
    # Salesforce's nextRecordsUrl says /query/ even for queryAll.
    assert [p.rsplit("-", 1)[-1] for p in paths[2:]] == ["2", "4", "6"]
    assert all(p.startswith("/services/data/v61.0/query/01g") for p in paths[2:])


@pytest.mark.parametrize("obj", OBJECTS)
def test_every_row_has_every_raw_column_its_required_values_and_only_text(server, obj):
    rows = read_all(source_for(server), obj)
    table = spec(TABLES_BY_OBJECT[obj][0])

    assert rows, f"{obj} is empty: the test would prove nothing"
    for row in rows:
        assert set(table.columns) <= set(row), f"{table.name} misses {set(table.columns) - set(row)}"
        assert all(row[c] not in (None, "") for c in table.required), (table.required, row)
        assert all(value is None or isinstance(value, str) for value in row.values()), row


def test_every_object_lands_in_duckdb_with_nothing_quarantined(server, warehouse):
    source = source_for(server)
    results = {obj: land_rows(warehouse, obj, read_all(source, obj), "L1") for obj in OBJECTS}

    assert {obj: r.quarantined for obj, r in results.items()} == dict.fromkeys(OBJECTS, 0)
    assert all(r.inserted > 0 and r.max_cursor for r in results.values())


def test_queries_select_the_documented_fields_through_query_all_in_cursor_order(server):
    read_all(source_for(server), "Lead")
    read_all(source_for(server), "OpportunityFieldHistory")

    lead, field_history = server.soql
    assert lead == f"SELECT {', '.join(SALESFORCE_FIELDS['Lead'])} FROM Lead ORDER BY SystemModstamp"
    assert field_history.endswith("FROM OpportunityFieldHistory ORDER BY CreatedDate")
    assert {p for _, p, q in server.request_log if "q" in q} == {"/services/data/v61.0/queryAll"}


def test_a_first_load_asks_for_pages_of_2000_with_the_query_options_header(server):
    read_all(source_for(server, batch_size=5000), "Account")

    query_headers = [h for (_, p, _), h in zip(server.request_log, server.request_headers) if p.endswith("/queryAll")]
    assert query_headers[0]["Sforce-Query-Options"] == "batchSize=2000"
    assert query_headers[0]["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(("leads", "requests_made"), [(1000, 2), (4500, 4)])
def test_a_first_load_costs_one_describe_and_one_request_per_2000_records(leads, requests_made):
    tables = {"crm_contacts": [{"contact_id": f"c{n}", "email": f"p{n}@example.com", "lifecycle_stage": "lead",
                                "created_at": at(n / 100)} for n in range(leads)]}
    with SalesforceServer(tables, access_token=TOKEN) as fake:
        rows = read_all(source_for(fake), "Lead")
        made = len(fake.request_log)

    assert len(rows) == leads
    assert made == requests_made


def test_the_start_date_limits_a_first_run_but_not_users_accounts_or_campaigns(server):
    source = source_for(server, start_date="2024-03-01T12:00:00Z")
    leads = read_all(source, "Lead")
    users = read_all(source, "User")

    assert server.soql[0].endswith("FROM Lead WHERE SystemModstamp >= 2024-03-01T12:00:00Z ORDER BY SystemModstamp")
    assert server.soql[1].endswith("FROM User ORDER BY SystemModstamp")
    assert leads and all(r["system_modstamp"] >= "2024-03-01T12:00:00" for r in leads)
    assert len(users) == 2


# --- what the org holds, as Salesforce holds it ------------------------------------------------


def test_people_before_sql_are_open_leads_and_converted_ones_point_at_contact_account_and_opportunity(server):
    source = source_for(server)
    leads = {r["email"]: r for r in read_all(source, "Lead")}
    contacts = {r["email"]: r for r in read_all(source, "Contact")}
    opportunities = {r["id"]: r for r in read_all(source, "Opportunity")}

    converted = leads["first0.last0@example.com"]
    assert (converted["is_converted"], converted["status"], converted["converted_date"]) == (
        "true", "Closed - Converted", "2024-03-01")
    contact = contacts["first0.last0@example.com"]
    assert converted["converted_contact_id"] == contact["id"] and contact["id"].startswith("003")
    assert converted["converted_account_id"] == contact["account_id"]
    assert opportunities[converted["converted_opportunity_id"]]["stage_name"] == "Closed Won"
    assert contact["created_date"] == sf_time(at(3))
    assert {e: leads[e]["status"] for e in leads if leads[e]["is_converted"] == "false"} == {
        "first2.last2@example.com": "Marketing Qualified", "first3.last3@example.com": "Open - Not Contacted",
        "first4.last4@example.com": "Working - Contacted", "first5.last5@example.com": "Closed - Not Converted",
        "first6.last6@example.com": "Open - Not Contacted"}
    assert set(contacts) == {"first0.last0@example.com", "first1.last1@example.com"}


def test_opportunities_use_standard_stages_and_their_history_records_each_stage(server):
    source = source_for(server)
    opportunities = {r["stage_name"]: r for r in read_all(source, "Opportunity")}
    history = read_all(source, "OpportunityHistory")
    field_history = read_all(source, "OpportunityFieldHistory")

    won = opportunities["Closed Won"]
    assert (won["is_closed"], won["is_won"], won["amount"], won["currency_iso_code"], won["close_date"]) == (
        "true", "true", "12000", "EUR", "2024-03-01")
    assert (opportunities["Closed Lost"]["is_won"], opportunities["Qualification"]["is_closed"]) == ("false", "false")
    assert [(r["stage_name"], r["created_date"]) for r in history if r["opportunity_id"] == won["id"]] == [
        ("Prospecting", sf_time(at(3))), ("Negotiation/Review", sf_time(at(4))), ("Closed Won", sf_time(at(5)))]
    changes = [(r["field"], r["old_value"], r["new_value"]) for r in field_history if r["opportunity_id"] == won["id"]]
    assert changes == [("created", None, None), ("StageName", "Prospecting", "Negotiation/Review"),
                       ("StageName", "Negotiation/Review", "Closed Won")]


def test_activities_become_tasks_and_events_linked_to_who_and_what(server):
    source = source_for(server)
    tasks = read_all(source, "Task")
    events = read_all(source, "Event")
    opportunity = next(r for r in read_all(source, "Opportunity") if r["stage_name"] == "Closed Won")
    contact = server.salesforce_id("crm_contacts", "100")

    call = next(t for t in tasks if t["who_id"] == contact)
    assert (call["task_subtype"], call["call_type"], call["call_disposition"], call["what_id"]) == (
        "Call", "Outbound", "Connected", opportunity["id"])
    assert call["account_id"] == opportunity["account_id"]
    assert [(e["who_id"], e["what_id"], e["start_date_time"]) for e in events] == [
        (contact, opportunity["id"], sf_time(at(4)))]
    lead_task = next(t for t in tasks if t["who_id"] == server.salesforce_id("crm_contacts", "103"))
    assert lead_task["who_id"].startswith("00Q") and lead_task["what_id"] is None
    assert {t["task_subtype"] for t in tasks} == {"Call", "Email", "Task"}


def test_users_carry_their_role_name_from_the_user_role_relationship(server):
    users = {r["email"]: r for r in read_all(source_for(server), "User")}

    assert users["grace@example.com"]["user_role_name"] == "Sales Development Rep"
    assert users["grace@example.com"]["manager_id"] == users["ada@example.com"]["id"]
    assert (users["ada@example.com"]["department"], users["ada@example.com"]["division"]) == ("Sales", "EMEA")
    assert "SELECT Id, Name, FirstName, LastName, Email, Title, Department, Division, UserRoleId, UserRole.Name" \
        in server.soql[0]


def test_campaign_members_name_the_lead_and_the_contact_once_converted(server):
    source = source_for(server)
    members = read_all(source, "CampaignMember")
    campaigns = {r["id"]: r for r in read_all(source, "Campaign")}

    attended = next(m for m in members if m["contact_id"] == server.salesforce_id("crm_contacts", "100"))
    assert attended["lead_id"].startswith("00Q")
    assert (attended["status"], attended["has_responded"], attended["first_responded_date"]) == (
        "Attended", "true", "2024-03-01")
    assert campaigns[attended["campaign_id"]]["type"] == "Webinar"
    registered = next(m for m in members if m["status"] == "Registered")
    assert (registered["contact_id"], registered["has_responded"]) == (None, "false")


# --- incremental -----------------------------------------------------------------------------


def test_an_incremental_read_after_an_upsert_fetches_only_the_changed_record(server):
    source = source_for(server)
    since = max_cursor("Lead", read_all(source, "Lead"))
    server.upsert("crm_contacts", {"contact_id": "103", "lead_status": "CONNECTED"})
    server.request_log.clear()

    changed = read_all(source, "Lead", since)

    assert [(r["email"], r["status"]) for r in changed] == [("first3.last3@example.com", "Working - Contacted")]
    assert changed[0]["system_modstamp"] > since
    literal = datetime.fromisoformat(since).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert server.soql == [f"SELECT {', '.join(SALESFORCE_FIELDS['Lead'])} FROM Lead "
                           f"WHERE SystemModstamp > {literal} ORDER BY SystemModstamp"]
    assert len(server.request_log) == 1  # the describe is kept for the source's lifetime


def test_a_stage_change_arrives_as_new_opportunity_history_and_field_history(server):
    source = source_for(server)
    since = {obj: max_cursor(obj, read_all(source, obj))
             for obj in ("Opportunity", "OpportunityHistory", "OpportunityFieldHistory")}
    server.upsert("crm_deals", {"deal_id": "901", "deal_stage": "closedwon"})

    opportunity = read_all(source, "Opportunity", since["Opportunity"])
    history = read_all(source, "OpportunityHistory", since["OpportunityHistory"])
    field_history = read_all(source, "OpportunityFieldHistory", since["OpportunityFieldHistory"])

    assert [(r["stage_name"], r["is_won"]) for r in opportunity] == [("Closed Won", "true")]
    assert [r["stage_name"] for r in history] == ["Closed Won"]
    assert [(r["old_value"], r["new_value"]) for r in field_history] == [("Qualification", "Closed Won")]
    assert "WHERE CreatedDate > " in server.soql[-1]


def test_the_next_cursor_finds_nothing_new(server):
    source = source_for(server)
    since = max_cursor("Account", read_all(source, "Account"))

    assert read_all(source, "Account", since) == []


def test_rerunning_a_first_load_into_duckdb_changes_nothing(server, warehouse):
    first = {obj: land_rows(warehouse, obj, read_all(source_for(server), obj), "L1") for obj in OBJECTS}
    before = {obj: warehouse.execute(f"select * from raw.{TABLES_BY_OBJECT[obj][0]} order by id").fetchall()
              for obj in OBJECTS}

    second = {obj: land_rows(warehouse, obj, read_all(source_for(server), obj), "L2") for obj in OBJECTS}

    assert all(first[obj].inserted == second[obj].unchanged > 0 for obj in OBJECTS)
    assert all((second[obj].inserted, second[obj].updated) == (0, 0) for obj in OBJECTS)
    assert before == {obj: warehouse.execute(f"select * from raw.{TABLES_BY_OBJECT[obj][0]} order by id").fetchall()
                      for obj in OBJECTS}


def test_a_first_load_then_an_incremental_load_updates_one_row_in_duckdb(server, warehouse):
    first = land_rows(warehouse, "Lead", read_all(source_for(server), "Lead"), "L1")
    server.upsert("crm_contacts", {"contact_id": "104", "lead_status": "UNQUALIFIED"})

    second = land_rows(warehouse, "Lead", read_all(source_for(server), "Lead", first.max_cursor), "L2")

    assert (first.inserted, second.rows_in, second.inserted, second.updated) == (7, 1, 0, 1)
    assert warehouse.execute("select count(*), count(*) filter (where _load_id = 'L2') "
                             "from raw.salesforce_leads").fetchone() == (7, 1)
    assert second.max_cursor > first.max_cursor


def test_deleted_records_arrive_flagged_through_query_all(server):
    rows = {r["email"]: r for r in read_all(source_for(server), "Lead")}
    plain = requests.get(f"{server.base_url}/services/data/v61.0/query",
                         params={"q": "SELECT Id, IsDeleted FROM Lead"},
                         headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()

    assert rows["first6.last6@example.com"]["is_deleted"] == "true"
    assert {r["is_deleted"] for e, r in rows.items() if e != "first6.last6@example.com"} == {"false"}
    assert plain["totalSize"] == 6, "the plain query resource hides deleted records; only queryAll shows them"


def test_a_record_deleted_since_the_cursor_arrives_flagged_on_the_incremental_read(server):
    source = source_for(server)
    since = max_cursor("Account", read_all(source, "Account"))
    server.upsert("crm_accounts", {"account_id": "2", "is_deleted": True})

    changed = read_all(source, "Account", since)

    assert [(r["name"], r["is_deleted"]) for r in changed] == [("Company 2", "true")]


def test_a_field_the_org_lacks_is_left_out_of_the_query_and_its_column_stays_empty(caplog):
    with SalesforceServer(canonical(), access_token=TOKEN, multi_currency=False) as fake:
        rows = read_all(source_for(fake), "Opportunity")
        soql = fake.soql[0]

    assert "CurrencyIsoCode" not in soql
    assert rows and all(r["currency_iso_code"] is None for r in rows)
    assert "CurrencyIsoCode" not in caplog.text  # an optional field: dropped without a warning


def test_a_custom_field_added_to_the_org_lands_as_a_new_column_on_the_next_run(server, warehouse, caplog):
    extra = {"Lead": ("Nps_Score__c",)}
    first = read_all(source_for(server, extra_fields=extra), "Lead")
    first_landed = land_rows(warehouse, "Lead", first, "L1")
    assert "Nps_Score__c" not in server.soql[0] and "no field Nps_Score__c" in caplog.text

    server.upsert("crm_contacts", {"contact_id": "103", "nps_score": 9})
    changed = read_all(source_for(server, extra_fields=extra), "Lead", first_landed.max_cursor)
    land_rows(warehouse, "Lead", changed, "L2")

    assert "Nps_Score__c" in server.soql[-1]
    assert [(r["email"], r["nps_score__c"]) for r in changed] == [("first3.last3@example.com", "9")]
    assert warehouse.execute("select nps_score__c from raw.salesforce_leads "
                             "where email = 'first3.last3@example.com'").fetchone() == ("9",)


def test_the_fake_refuses_an_unknown_field_with_salesforce_invalid_field_body(server):
    answer = requests.get(f"{server.base_url}/services/data/v61.0/queryAll",
                          params={"q": "SELECT Id, Lead_Score FROM Lead"},
                          headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)

    assert answer.status_code == 400
    (error,) = answer.json()
    assert error["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Lead_Score' on entity 'Lead'" in error["message"]


def test_an_invalid_field_answer_raises_with_salesforce_error_code_and_is_not_retried(server):
    source = source_for(server, extra_fields={"Lead": ("Bogus__c",)})
    # A describe that disagrees with the query (a field deleted between the two).
    source.describe("Lead")["fields"].append({"name": "Bogus__c", "type": "string"})

    with pytest.raises(SalesforceAPIError) as error:
        read_all(source, "Lead")

    assert (error.value.status, error.value.error_code) == (400, "INVALID_FIELD")
    assert "Bogus__c" in str(error.value)
    assert len(server.request_log) == 2


# --- failures ----------------------------------------------------------------------------------


def test_a_429_with_retry_after_is_retried_after_waiting(server):
    server.fail_next(429, retry_after=1)
    started = time.monotonic()

    users = read_all(source_for(server, backoff_factor=0), "User")

    assert len(users) == 2
    assert time.monotonic() - started >= 0.9
    assert [p for _, p, _ in server.request_log[:2]] == ["/services/data/v61.0/sobjects/User/describe"] * 2


def test_a_500_then_success_is_retried(server):
    server.fail_next(500, times=2)

    accounts = read_all(source_for(server), "Account")

    assert len(accounts) == 3
    assert len(server.request_log) == 4  # 2 failures + describe + the query


def test_server_errors_beyond_max_attempts_raise_with_salesforce_details(server):
    server.fail_next(503, times=3)

    with pytest.raises(SalesforceAPIError) as error:
        read_all(source_for(server, max_attempts=3), "Account")

    assert (error.value.status, error.value.error_code) == (503, "SERVER_UNAVAILABLE")
    assert len(server.request_log) == 3


def test_a_truncated_body_is_retried(server):
    server.request_log.clear()
    server.fail_next(200, body=TRUNCATED, path="/services/data/v61.0/queryAll")

    assert len(read_all(source_for(server), "Account")) == 3
    assert [p.rsplit("/", 1)[-1] for _, p, _ in server.request_log] == ["describe", "queryAll", "queryAll"]


def test_an_expired_session_is_renewed_once_and_the_read_resumes_at_the_refused_page():
    with SalesforceServer(canonical(), access_token=TOKEN, page_size=2, **CLIENT) as fake:
        pages = renewing_source(fake).read("Lead", None)
        first = next(pages)["salesforce_leads"]
        fake.expire_tokens()
        rest = [r for batch in pages for r in batch["salesforce_leads"]]
        log = [(m, p) for m, p, _ in fake.request_log]
        forms = [b for b in fake.request_bodies if b]

    ids = [r["id"] for r in first + rest]
    assert len(ids) == 7 and len(set(ids)) == 7
    assert [p for m, p in log].count("/services/oauth2/token") == 1
    refused = log.index(("POST", "/services/oauth2/token")) - 1
    assert log[refused + 2] == log[refused] and log[refused][1].endswith("-2")
    assert forms == [{"grant_type": "refresh_token", **CLIENT}]


def test_a_renewed_token_that_is_refused_too_raises_instead_of_looping(server):
    server.fail_next(401, times=5, path="/services/data")

    with pytest.raises(SalesforceAuthError, match="just issued"):
        read_all(renewing_source(server), "Lead")

    assert [p.rsplit("/", 1)[-1] for _, p, _ in server.request_log] == ["describe", "token", "describe"]


def test_a_401_without_refresh_credentials_names_the_variables_not_the_token_after_one_request():
    secret = "00D5g000004XyZQ!AQ4AQFd2KfTqL9xpw.vz4JdEXPIRED"
    with SalesforceServer(canonical(), access_token=TOKEN) as fake:
        with pytest.raises(SalesforceAuthError) as error:
            read_all(source_for(fake, access_token=secret), "Lead")
        requests_made = len(fake.request_log)

    message = str(error.value)
    assert "INVALID_SESSION_ID" in message
    assert "SALESFORCE_ACCESS_TOKEN" in message and "SALESFORCE_REFRESH_TOKEN" in message
    assert secret not in message and secret not in repr(error.value)
    assert requests_made == 1


def test_request_limit_exceeded_raises_at_once_naming_the_daily_limit():
    with SalesforceServer(canonical(), access_token=TOKEN, daily_limit=1) as fake:
        source = source_for(fake)
        with pytest.raises(SalesforceLimitError) as error:
            read_all(source, "Lead")
        requests_made = len(fake.request_log)

    assert "REQUEST_LIMIT_EXCEEDED" in str(error.value) and "daily API request limit" in str(error.value)
    assert "api-usage 1/1" in str(error.value)
    assert requests_made == 2  # the describe, then the refused query: never retried
    assert source.api_usage == (1, 1)


def test_an_injected_request_limit_exceeded_is_not_retried(server):
    server.fail_next(403, times=3)

    with pytest.raises(SalesforceLimitError):
        read_all(source_for(server), "Lead")
    assert len(server.request_log) == 1


def test_the_client_credentials_flow_gets_a_token_and_the_instance_url_first():
    with SalesforceServer(canonical(), access_token="not-used", **CLIENT) as fake:
        source = SalesforceSource(client_id=CLIENT["client_id"], client_secret=CLIENT["client_secret"],
                                  login_url=fake.base_url, backoff_factor=0.01)
        users = read_all(source, "User")
        log, forms, headers, instance = fake.request_log, fake.request_bodies, fake.request_headers, fake.base_url

    assert len(users) == 2
    assert (log[0][0], log[0][1], forms[0]["grant_type"]) == ("POST", "/services/oauth2/token", "client_credentials")
    assert headers[1]["Authorization"].startswith("Bearer 00D5g000004XyZQ!AQ")
    assert source.instance_url == instance


def test_a_refused_refresh_token_names_the_variables_and_hides_the_secrets():
    with SalesforceServer(canonical(), access_token=TOKEN, **(CLIENT | {"refresh_token": "another"})) as fake:
        source = SalesforceSource(login_url=fake.base_url, backoff_factor=0.01, **CLIENT)
        with pytest.raises(SalesforceAuthError) as error:
            read_all(source, "User")

    message = str(error.value)
    assert "invalid_grant" in message and "SALESFORCE_REFRESH_TOKEN" in message
    assert all(secret not in message for secret in CLIENT.values() if secret != CLIENT["client_id"])


def test_secrets_never_reach_the_logs(server, caplog):
    caplog.set_level(logging.DEBUG)
    server.fail_next(500, path="/services/data")
    server.fail_next(401, path="/services/data")
    source = renewing_source(server)

    read_all(source, "Account")

    assert any("renewing the access token" in r.getMessage() for r in caplog.records)
    issued = source._access_token
    for secret in (TOKEN, issued, CLIENT["client_secret"], CLIENT["refresh_token"]):
        assert secret not in caplog.text
    assert TOKEN not in repr(source) and CLIENT["client_secret"] not in repr(source)


def test_missing_credentials_name_the_variables_and_the_demo_fix():
    with pytest.raises(SalesforceAuthError) as error:
        SalesforceSource()

    assert str(error.value).startswith("Salesforce is not configured: set SALESFORCE_INSTANCE_URL and "
                                       "SALESFORCE_ACCESS_TOKEN")
    assert str(error.value).endswith("or run with --source demo")


def test_an_access_token_without_an_instance_url_names_salesforce_instance_url():
    with pytest.raises(SalesforceAuthError, match="^SALESFORCE_INSTANCE_URL is not set"):
        SalesforceSource(access_token=TOKEN)


# --- settings ----------------------------------------------------------------------------------


def test_settings_come_from_the_environment(server, monkeypatch):
    monkeypatch.setenv("SALESFORCE_INSTANCE_URL", server.base_url + "/")
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("SALESFORCE_API_VERSION", "60.0")
    monkeypatch.setenv("SALESFORCE_BATCH_SIZE", "300")
    monkeypatch.setenv("SALESFORCE_EXTRA_FIELDS", "Lead.Lead_Score__c, Lead.MQL_Date__c")

    rows = read_all(SalesforceSource(), "Lead")

    assert server.request_log[1][1] == "/services/data/v60.0/queryAll"
    assert server.request_headers[1]["Sforce-Query-Options"] == "batchSize=300"
    assert {r["email"]: r["lead_score__c"] for r in rows}["first2.last2@example.com"] == "20"
    assert {r["email"]: r["mql_date__c"] for r in rows}["first2.last2@example.com"] == sf_time(at(8))


@pytest.mark.parametrize(("name", "value"), [("SALESFORCE_API_VERSION", "latest"),
                                             ("SALESFORCE_BATCH_SIZE", "lots"),
                                             ("SALESFORCE_START_DATE", "last year"),
                                             ("SALESFORCE_EXTRA_FIELDS", "Lead_Score__c")])
def test_a_bad_setting_in_the_environment_names_the_variable(monkeypatch, name, value):
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("SALESFORCE_INSTANCE_URL", "https://example.my.salesforce.com")
    monkeypatch.setenv(name, value)

    with pytest.raises(SettingsError, match=name):
        SalesforceSource()


@pytest.mark.parametrize(("field", "column"), [
    ("LeadSource", "lead_source"), ("IsConverted", "is_converted"), ("CurrencyIsoCode", "currency_iso_code"),
    ("UserRole.Name", "user_role_name"), ("SLAExpirationDate__c", "sla_expiration_date__c"),
    ("ns__Deal_Size__c", "ns__deal_size__c"), ("CallDurationInSeconds", "call_duration_in_seconds"),
])
def test_columns_are_the_snake_case_of_the_api_names(field, column):
    assert column_name(field) == column


def test_every_raw_column_comes_from_a_selected_field():
    for obj in OBJECTS:
        table = spec(TABLES_BY_OBJECT[obj][0])
        assert list(table.columns) == [column_name(f) for f in SALESFORCE_FIELDS[obj]]
        assert table.name.startswith("salesforce_") and table.group == "salesforce" and table.key == ("id",)
