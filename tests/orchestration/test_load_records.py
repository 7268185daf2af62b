"""Load records and quarantine origins name the connector and stream that landed them."""

from __future__ import annotations

from connectors._shared.landing import connect, ensure_raw_tables
from connectors.registry import ALL_TABLES
from orchestration.defs.ingest import API_SOURCES, load_object, load_source


class FakeClient:
    """A connector's client as the ingest loop sees it: read(obj, since) yields batches."""

    def __init__(self, batches: dict[str, list[dict]]):
        self.batches = batches

    def read(self, obj, since):
        yield self.batches


def test_every_api_source_names_its_connector_and_stream():
    assert load_source("hubspot", "", "contacts") == "hubspot:contacts"
    assert load_source("salesforce", "", "Lead") == "salesforce:Lead"
    # The ad platforms share one asset; each client is keyed by its platform.
    assert load_source("ads_api", "google_ads:", "campaigns") == "google_ads:campaigns"
    assert load_source("ads_api", "linkedin_ads:", "ad_performance") == "linkedin_ads:ad_performance"
    assert {src.name for src in API_SOURCES} == {"hubspot", "salesforce", "ads_api"}


def test_salesforce_and_ad_loads_are_recorded_under_their_own_names(tmp_path):
    con = connect(str(tmp_path / "w.duckdb"))
    ensure_raw_tables(con, ALL_TABLES)
    leads = [
        {"id": "00Q1", "created_date": "2024-03-01T10:00:00Z", "system_modstamp": "2024-03-01T10:00:00Z"},
        {"id": "00Q2", "created_date": "not a time", "system_modstamp": "2024-03-01T10:00:00Z"},
    ]
    campaigns = [{"platform": "google_ads", "account_id": "123", "campaign_id": "G-1", "campaign_name": "Brand"}]
    results: dict = {}
    load_object(con, FakeClient({"salesforce_leads": leads}), "Lead", None, ("salesforce_leads",), "run-1",
                results, source=load_source("salesforce", "", "Lead"))
    load_object(con, FakeClient({"ads_api_campaigns": campaigns}), "campaigns", None, ("ads_api_campaigns",),
                "run-1", results, source=load_source("ads_api", "google_ads:", "campaigns"))
    assert con.execute("select source, table_name, rows_in from raw._touchline_loads order by table_name").fetchall() == [
        ("google_ads:campaigns", "ads_api_campaigns", 1), ("salesforce:Lead", "salesforce_leads", 2)]
    origin, rule = con.execute("select _origin, _rule from quarantine.salesforce_leads").fetchone()
    assert origin.startswith("salesforce:Lead row ") and rule == "type"
    assert con.execute("select count(*) from raw._touchline_loads where source like 'hubspot:%'").fetchone() == (0,)
