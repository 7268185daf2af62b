"""Small hand-built raw worlds for the dbt tests, and a helper that runs dbt on them.

A world is a function that writes rows into the raw tables of a throw-away
DuckDB file. Every raw table exists (connectors._shared.landing.ensure_raw_tables
creates all of connectors.registry.ALL_TABLES, every column text), so a world only
writes the tables it needs, exactly as a CRM-only or HubSpot-only company would have them.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import duckdb

from connectors._shared.landing import connect, ensure_raw_tables
from connectors.registry import ALL_TABLES

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"
SITE = "https://www.touchline.example"


def create_raw_db(path: Path) -> duckdb.DuckDBPyConnection:
    """Create the DuckDB file at `path` with every raw table, empty."""
    con = connect(str(path))
    ensure_raw_tables(con, ALL_TABLES)
    return con


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Insert `rows` (dicts of column -> value; values become text) into raw.`table`."""
    if not rows:
        return
    columns = sorted({c for r in rows for c in r})
    placeholders = ", ".join("?" for _ in columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    con.executemany(
        f'insert into raw."{table}" ({quoted}, _load_id, _loaded_at) values ({placeholders}, \'test\', now())',
        [[None if r.get(c) is None else str(r.get(c)) for c in columns] for r in rows],
    )


def web_event(message_id, kind, at, anonymous_id, *, url=None, referrer=None, email=None,
              event=None, user_id=None, traits_on_context=False) -> dict:
    """One Segment event row as the file source lands it (JSON objects as text)."""
    context: dict = {}
    if url is not None:
        context["page"] = {"url": url, **({"referrer": referrer} if referrer else {})}
    traits = {"email": email} if email else None
    if traits and traits_on_context:
        context["traits"] = traits
        traits = None
    return {
        "message_id": message_id, "type": kind, "event": event, "anonymous_id": anonymous_id,
        "user_id": user_id, "timestamp": at,
        "traits": json.dumps(traits) if traits else None,
        "context": json.dumps(context) if context else None,
        "properties": json.dumps({}),
    }


# --- The main world: the file export's CRM, web events and ads ----------------------
def crm_rows() -> dict[str, list[dict]]:
    """The CRM file export of the main world (see test_journey_marts.py for the story)."""
    return {
        "crm_owners": [
            {"owner_id": "O1", "name": "Sam Seller", "email": "sam@touchline.example", "team": "Sales"},
            {"owner_id": "O2", "name": "Mia Marketer", "email": "mia@touchline.example", "team": "marketing"},
        ],
        "crm_accounts": [
            {"account_id": "A1", "name": "Acme", "domain": "https://www.acme.com/", "industry": "Software",
             "owner_id": "O1", "employee_count": "250.0", "created_at": "2024-02-01T00:00:00Z"},
            {"account_id": "A2", "name": "Globex", "domain": "globex.com", "owner_id": "O1",
             "created_at": "2024-02-01T00:00:00Z"},
        ],
        "crm_contacts": [
            # Alice: ad click, form, lead -> MQL -> SQL -> opportunity -> customer.
            {"contact_id": "C1", "email": "alice@acme.com", "account_id": "A1", "owner_id": "O1",
             "lifecycle_stage": "customer", "lead_score": "80", "original_source": "PAID_SEARCH",
             "created_at": "2024-03-01T09:15:00Z", "updated_at": "2024-03-20T16:00:00Z",
             "became_lead_at": "2024-03-01T09:15:00Z", "became_mql_at": "2024-03-01T10:00:00Z",
             "became_sql_at": "2024-03-02T10:00:00Z", "is_deleted": "false"},
            # Carol: MQL by lifecycle and score, no MQL date, never followed up.
            {"contact_id": "C2", "email": " Carol@Initech.io ", "lifecycle_stage": "marketingqualifiedlead",
             "lead_score": "75", "original_source": "SOCIAL_MEDIA", "created_at": "2024-03-05T10:00:00Z",
             "updated_at": "2024-03-06T12:00:00Z"},
            # Erin: created by sales, worked, deal lost.
            {"contact_id": "C3", "email": "erin@globex.com", "account_id": "A2", "owner_id": "O1",
             "lifecycle_stage": "SQL", "original_source": "OFFLINE", "created_at": "2024-03-08T09:00:00",
             "became_sql_at": "2024-03-08T09:00:00Z"},
            # Frank: recycled from MQL back to lead, then MQL again; answered by e-mail.
            {"contact_id": "C4", "email": "frank@initech.io", "lifecycle_stage": "marketingqualifiedlead",
             "lead_score": "60", "original_source": "ORGANIC_SEARCH", "created_at": "2024-03-01T08:00:00Z",
             "became_mql_at": "2024-03-15T08:00:00Z"},
            # A deleted contact: kept in dim_people, left out of the journey.
            {"contact_id": "C5", "email": "gone@acme.com", "account_id": "A1", "created_at": "2024-03-02T00:00:00Z",
             "is_deleted": "yes"},
        ],
        "crm_contact_stage_history": [
            {"contact_id": "C4", "lifecycle_stage": "lead", "entered_at": "2024-03-01T08:00:00Z"},
            {"contact_id": "C4", "lifecycle_stage": "marketingqualifiedlead", "entered_at": "2024-03-02T08:00:00Z"},
            {"contact_id": "C4", "lifecycle_stage": "Nurturing", "entered_at": "2024-03-09T08:00:00Z"},
            {"contact_id": "C4", "lifecycle_stage": "MQL", "entered_at": "2024-03-15T08:00:00Z"},
        ],
        "crm_deals": [
            {"deal_id": "D1", "account_id": "A1", "contact_id": "C1", "owner_id": "O1", "pipeline": "default",
             "deal_stage": "closedwon", "amount": "12000", "currency": "usd", "created_at": "2024-03-03T12:00:00Z",
             "closed_at": "2024-03-20T16:00:00Z", "is_closed": "true", "is_won": "TRUE"},
            # No is_closed / is_won: deal_stage_mapping says Closed Lost is closed and lost.
            {"deal_id": "D2", "account_id": "A2", "contact_id": "C3", "owner_id": "O1", "deal_stage": "Closed Lost",
             "amount": "5000", "currency": "EUR", "created_at": "2024-03-10T10:00:00Z",
             "closed_at": "2024-03-25T10:00:00Z", "lost_reason": "budget"},
        ],
        "crm_deal_stage_history": [
            {"deal_id": "D1", "deal_stage": "appointmentscheduled", "entered_at": "2024-03-03T12:00:00Z"},
            {"deal_id": "D1", "deal_stage": "closedwon", "entered_at": "2024-03-20T16:00:00Z"},
        ],
        "crm_activities": [
            {"activity_id": "ACT1", "activity_type": "call", "direction": "outbound", "contact_id": "C1",
             "account_id": "A1", "owner_id": "O1", "occurred_at": "2024-03-01T13:30:00Z", "outcome": "Connected"},
            {"activity_id": "ACT2", "activity_type": "meeting", "contact_id": "C1", "owner_id": "O1",
             "occurred_at": "2024-03-03T11:00:00Z"},
            {"activity_id": "ACT3", "activity_type": "email", "direction": "outbound", "contact_id": "C1",
             "owner_id": "O1", "occurred_at": "2024-03-05T09:00:00Z"},
            {"activity_id": "ACT4", "activity_type": "call", "direction": "outbound", "contact_id": "C3",
             "account_id": "A2", "owner_id": "O1", "occurred_at": "2024-03-08T09:30:00Z"},
            {"activity_id": "ACT5", "activity_type": "Meeting", "contact_id": "C3", "owner_id": "O1",
             "occurred_at": "2024-03-09T14:00:00Z"},
            {"activity_id": "ACT6", "activity_type": "email", "contact_id": "C4", "owner_id": "O1",
             "occurred_at": "2024-03-16T08:00:00Z"},
            # A note on the account, no contact: a touchpoint without a person.
            {"activity_id": "ACT7", "activity_type": "note", "account_id": "A1", "owner_id": "O1",
             "occurred_at": "2024-03-04T10:00:00Z"},
            # Alice writes in before sales calls her: not a sales touch.
            {"activity_id": "ACT8", "activity_type": "email", "direction": "inbound", "contact_id": "C1",
             "owner_id": "O1", "occurred_at": "2024-03-01T11:00:00Z"},
        ],
        "crm_campaign_members": [
            {"campaign_id": "CMP-WEB", "contact_id": "C2", "member_status": "Attended",
             "responded_at": "2024-03-07T15:00:00Z", "campaign_name": "March Webinar", "campaign_type": "Webinar"},
            {"campaign_id": "CMP-WEB", "contact_id": "C1", "member_status": "Registered",
             "campaign_name": "March Webinar", "campaign_type": "Webinar"},
        ],
    }


def web_rows() -> dict[str, list[dict]]:
    """Segment events of the main world."""
    ad = f"{SITE}/?utm_source=google&utm_medium=cpc&utm_campaign=spring_search&gclid=abc123"
    form = web_event("m-a3", "track", "2024-03-01T09:10:00Z", "anon-alice", url=f"{SITE}/demo",
                     email="Alice@Acme.com", event="Form Submitted", traits_on_context=True)
    return {
        "web_events": [
            web_event("m-a1", "page", "2024-03-01T09:00:00Z", "anon-alice", url=ad,
                      referrer="https://www.google.com/"),
            web_event("m-a2", "page", "2024-03-01T09:05:00Z", "anon-alice", url=f"{SITE}/pricing",
                      referrer=f"{SITE}/"),
            form,
            dict(form),  # Segment delivered it twice.
            web_event("m-a4", "identify", "2024-03-01T09:10:00Z", "anon-alice", email="alice@acme.com"),
            web_event("m-a5", "page", "2024-03-10T08:00:00Z", "anon-alice", url=f"{SITE}/blog"),
            web_event("m-c1", "page", "2024-03-05T09:50:00Z", "anon-carol", url=f"{SITE}/",
                      referrer="https://www.linkedin.com/feed/"),
            web_event("m-c2", "identify", "2024-03-05T09:55:00Z", "anon-carol", email="carol@initech.io"),
            web_event("m-d1", "page", "2024-03-04T08:00:00Z", "anon-dave-laptop",
                      url=f"{SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=march_news"),
            web_event("m-d2", "identify", "2024-03-04T08:01:00Z", "anon-dave-laptop", email="dave@example.org"),
            web_event("m-d3", "page", "2024-03-06T19:00:00Z", "anon-dave-phone", url=f"{SITE}/features",
                      referrer="https://t.co/xyz"),
            web_event("m-d4", "identify", "2024-03-06T19:02:00Z", "anon-dave-phone", email="DAVE@Example.org"),
            web_event("m-z1", "page", "2024-03-12T10:00:00Z", "anon-zed", url=f"{SITE}/",
                      referrer="https://www.bing.com/search?q=touchline"),
            web_event("m-z2", "page", "2024-03-12T10:20:00Z", "anon-zed", url=f"{SITE}/docs", referrer=f"{SITE}/"),
            web_event("m-z3", "page", "2024-03-12T10:55:00Z", "anon-zed", url=f"{SITE}/pricing"),
        ],
    }


def ads_rows() -> dict[str, list[dict]]:
    """Ad platform exports of the main world."""
    return {
        "ads_campaigns": [
            {"platform": "google_ads", "campaign_id": "G-100", "campaign_name": "Spring Search",
             "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "spring_search"},
            {"platform": "facebook_ads", "campaign_id": "F-200", "campaign_name": "Retargeting Q1",
             "utm_source": "facebook", "utm_medium": "paid_social", "utm_campaign": "retarget_q1"},
        ],
        "ads_ad_performance_daily": [
            {"platform": "google_ads", "date": "2024-03-01", "campaign_id": "G-100", "ad_group_id": "AG1",
             "ad_id": "AD1", "currency": "usd", "spend": "120.50", "impressions": "1000", "clicks": "40",
             "conversions": "2"},
            {"platform": "google_ads", "date": "2024-03-02", "campaign_id": "G-100", "ad_group_id": "AG1",
             "ad_id": "AD1", "currency": "USD", "spend": "99.50", "impressions": "800", "clicks": "30"},
            {"platform": "facebook_ads", "date": "2024-03-01", "campaign_id": "F-200", "currency": "USD",
             "spend": "50", "impressions": "5000", "clicks": "25"},
        ],
    }


# --- HubSpot only -------------------------------------------------------------------
def hubspot_rows() -> dict[str, list[dict]]:
    """A HubSpot portal: one company, a customer, a new lead with an open deal."""
    return {
        "hubspot_owners": [
            {"id": "9001", "email": "Hank@touchline.example", "first_name": "Hank", "last_name": "Hub",
             "team_name": "Sales", "archived": "false"},
        ],
        "hubspot_companies": [
            {"id": "501", "property_name": "Initrode", "property_domain": "initrode.com",
             "property_numberofemployees": "40", "property_hubspot_owner_id": "9001",
             "property_createdate": "2024-03-01T00:00:00.000Z", "archived": "false"},
        ],
        "hubspot_contacts": [
            {"id": "601", "property_email": "ivy@initrode.com", "property_firstname": "Ivy",
             "property_associatedcompanyid": "501", "property_hubspot_owner_id": "9001",
             "property_lifecyclestage": "customer", "property_hubspotscore": "40",
             "property_hs_analytics_source": "ORGANIC_SEARCH", "property_createdate": "2024-04-01T10:00:00.000Z",
             "property_lastmodifieddate": "2024-04-20T12:00:00.000Z", "created_at": "2024-04-01T10:00:00Z",
             "property_hs_lifecyclestage_lead_date": "2024-04-01T10:00:00.000Z",
             "property_hs_lifecyclestage_marketingqualifiedlead_date": "2024-04-02T10:00:00.000Z",
             "property_hs_lifecyclestage_salesqualifiedlead_date": "2024-04-03T10:00:00.000Z",
             "archived": "false"},
            {"id": "602", "property_email": "jack@initrode.com", "property_associatedcompanyid": "501",
             "property_lifecyclestage": "lead", "property_hs_lead_status": "NEW",
             "property_hs_analytics_source": "OFFLINE", "property_createdate": "2024-04-05T10:00:00.000Z",
             "created_at": "2024-04-05T10:00:00Z", "archived": "false"},
            {"id": "603", "property_email": "old@initrode.com", "property_createdate": "2024-01-01T00:00:00Z",
             "created_at": "2024-01-01T00:00:00Z", "archived": "true"},
        ],
        "hubspot_contact_stage_history": [
            {"contact_id": "601", "lifecyclestage": "subscriber", "entered_at": "2024-03-30T10:00:00Z"},
            {"contact_id": "601", "lifecyclestage": "lead", "entered_at": "2024-04-01T10:00:00Z"},
            {"contact_id": "601", "lifecyclestage": "marketingqualifiedlead", "entered_at": "2024-04-02T10:00:00Z"},
            {"contact_id": "601", "lifecyclestage": "salesqualifiedlead", "entered_at": "2024-04-03T10:00:00Z"},
            {"contact_id": "601", "lifecyclestage": "opportunity", "entered_at": "2024-04-04T09:00:00Z"},
            {"contact_id": "601", "lifecyclestage": "customer", "entered_at": "2024-04-20T12:00:00Z"},
        ],
        "hubspot_deals": [
            {"id": "701", "property_dealname": "Initrode annual", "property_pipeline": "default",
             "property_dealstage": "closedwon", "property_amount": "9000", "property_deal_currency_code": "usd",
             "property_createdate": "2024-04-04T09:00:00.000Z", "property_closedate": "2024-04-20T12:00:00.000Z",
             "property_hs_is_closed": "true", "property_hs_is_closed_won": "true",
             "association_company_id": "501", "association_contact_id": "601", "archived": "false"},
            # Open: its closedate is only the expected one.
            {"id": "702", "property_dealname": "Initrode expansion", "property_pipeline": "default",
             "property_dealstage": "qualifiedtobuy", "property_amount": "3000",
             "property_createdate": "2024-04-25T09:00:00.000Z", "property_closedate": "2024-06-30T00:00:00.000Z",
             "property_hs_is_closed": "false", "property_hs_is_closed_won": "false",
             "association_company_id": "501", "association_contact_id": "602", "archived": "false"},
        ],
        "hubspot_deal_stage_history": [
            {"deal_id": "701", "dealstage": "appointmentscheduled", "entered_at": "2024-04-04T09:00:00Z"},
            {"deal_id": "701", "dealstage": "closedwon", "entered_at": "2024-04-20T12:00:00Z"},
        ],
        "hubspot_engagements": [
            {"id": "801", "engagement_type": "calls", "property_hs_call_direction": "OUTBOUND",
             "property_hs_call_disposition": "F240BBAC-87C9-4F6E-BF70-924B57D47DB7",
             "property_hs_timestamp": "2024-04-02T12:00:00.000Z", "association_contact_id": "601",
             "association_company_id": "501", "property_hubspot_owner_id": "9001", "archived": "false"},
            {"id": "802", "engagement_type": "emails", "property_hs_email_direction": "INCOMING_EMAIL",
             "property_hs_timestamp": "2024-04-02T11:00:00.000Z", "association_contact_id": "601",
             "archived": "false"},
            {"id": "803", "engagement_type": "meetings", "property_hs_meeting_outcome": "COMPLETED",
             "property_hs_timestamp": "2024-04-03T09:00:00.000Z", "association_contact_id": "601",
             "archived": "false"},
            {"id": "804", "engagement_type": "notes", "property_hs_timestamp": "2024-04-03T10:00:00.000Z",
             "association_contact_id": "601", "archived": "false"},
            {"id": "805", "engagement_type": "tasks", "property_hs_task_status": "COMPLETED",
             "property_hs_timestamp": "2024-04-06T10:00:00.000Z", "association_contact_id": "602",
             "archived": "false"},
            {"id": "806", "engagement_type": "emails", "property_hs_email_direction": "EMAIL",
             "property_hs_timestamp": "2024-04-06T11:00:00.000Z", "association_contact_id": "602",
             "archived": "true"},
        ],
    }


def write_world(path: Path, *parts: dict[str, list[dict]]) -> None:
    """Create the raw DuckDB file at `path` holding the rows of every part."""
    con = create_raw_db(path)
    try:
        for part in parts:
            for table, rows in part.items():
                insert(con, table, rows)
    finally:
        con.close()


def run_dbt(db_path: Path, work_dir: Path, *args: str) -> tuple[object, float]:
    """Run `dbt <args>` in-process against `db_path`; return (dbtRunnerResult, seconds).

    Target and log paths go to `work_dir` so concurrent runs never share dbt's
    target/ folder, and nothing is written inside the project.
    """
    from dbt.cli.main import dbtRunner

    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ["DO_NOT_TRACK"] = "1"
    old = os.environ.get("TOUCHLINE_BUILD_DB")
    os.environ["TOUCHLINE_BUILD_DB"] = str(db_path)
    try:
        started = time.perf_counter()
        result = dbtRunner().invoke([
            *args,
            "--project-dir", str(DBT_PROJECT),
            "--profiles-dir", str(DBT_PROJECT),
            "--target-path", str(work_dir / "target"),
            "--log-path", str(work_dir / "logs"),
        ])
        return result, time.perf_counter() - started
    finally:
        _release_duckdb()
        if old is None:
            os.environ.pop("TOUCHLINE_BUILD_DB", None)
        else:
            os.environ["TOUCHLINE_BUILD_DB"] = old


def _release_duckdb() -> None:
    """Close the DuckDB handle dbt-duckdb keeps open in this process after a run.

    dbt-duckdb caches one environment per process, and DuckDB refuses a second
    connection to the same file with a different configuration (our read-only
    checks), so the tests close it as dbt's own atexit hook would.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    if env is not None:
        env.close()
    DuckDBConnectionManager.close_all_connections()


def failures(result) -> list[str]:
    """The names and messages of the nodes that did not pass, for assertion messages."""
    out = []
    if getattr(result, "exception", None):
        out.append(repr(result.exception))
    for r in getattr(result.result, "results", None) or []:
        if str(r.status).lower() not in ("success", "pass", "warn"):
            out.append(f"{r.node.unique_id}: {r.status}: {r.message}")
    return out
