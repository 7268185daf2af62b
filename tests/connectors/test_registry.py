"""The registry and the source contract: every table once, every source declared, each
configured by its own environment variables."""

from __future__ import annotations

import pytest

from connectors._shared.spec import TableSpec
from connectors.ad_platforms.tables import ADS_API_TABLES
from connectors.files.tables import FILE_TABLES
from connectors.google_ads import GoogleAdsAuthError, GoogleAdsSource
from connectors.hubspot import HubSpotSource
from connectors.hubspot.tables import HUBSPOT_TABLES
from connectors.linkedin_ads import LinkedInAdsSource
from connectors.meta_ads import MetaAdsSource
from connectors.registry import AD_PLATFORMS, ALL_TABLES, API_GROUPS, API_SOURCES, spec
from connectors.salesforce import SalesforceSource
from connectors.salesforce.tables import SALESFORCE_TABLES


def test_every_table_a_source_package_declares_is_registered_once():
    declared = FILE_TABLES + HUBSPOT_TABLES + SALESFORCE_TABLES + ADS_API_TABLES
    names = [t.name for t in ALL_TABLES]

    assert len(names) == len(set(names)) == 32
    assert set(names) == {t.name for t in declared}


def test_every_api_source_declares_its_streams_and_the_tables_each_fills():
    assert [s.name for s in API_SOURCES] == ["hubspot", "salesforce", "google_ads", "meta_ads", "linkedin_ads"]
    for source in API_SOURCES:
        assert tuple(source.tables_by_stream) == source.streams, source.name
        for tables in source.tables_by_stream.values():
            assert tables and all(isinstance(t, TableSpec) for t in tables), source.name
            # The registry's spec is the source's, but for the values a shared table accepts.
            for table in tables:
                assert spec(table.name).columns == table.columns and spec(table.name).key == table.key


def test_each_group_of_sources_is_one_step_with_the_tables_of_its_sources():
    assert {g.name: [s.name for s in g.sources] for g in API_GROUPS} == {
        "hubspot": ["hubspot"], "salesforce": ["salesforce"],
        "ads_api": ["google_ads", "meta_ads", "linkedin_ads"]}
    ads = next(g for g in API_GROUPS if g.name == "ads_api")
    assert [t.name for t in ads.tables] == ["ads_api_campaigns", "ads_api_performance_daily"]
    assert ads.not_configured == ("Ad platforms not configured (set GOOGLE_ADS_*, META_*, LINKEDIN_* and use "
                                  "--source live)")


def test_the_shared_ad_tables_accept_exactly_the_registered_platforms():
    platforms = tuple(p.name for p in AD_PLATFORMS)

    assert platforms == ("google_ads", "meta_ads", "linkedin_ads")
    for table in ADS_API_TABLES:
        assert spec(table.name).value_sets["platform"] == platforms
        assert MetaAdsSource.tables_by_stream["performance"][0].value_sets["platform"] == ("meta_ads",)


@pytest.mark.parametrize("source, env, configured", [
    (HubSpotSource, {"HUBSPOT_TOKEN": "pat-1"}, True),
    (HubSpotSource, {"HUBSPOT_TOKEN": "  "}, False),          # blank is unset
    (HubSpotSource, {"SALESFORCE_ACCESS_TOKEN": "t"}, False),
    (SalesforceSource, {"SALESFORCE_ACCESS_TOKEN": "t"}, True),
    (SalesforceSource, {"SALESFORCE_REFRESH_TOKEN": "r"}, True),
    (SalesforceSource, {"SALESFORCE_CLIENT_ID": "id"}, False),
    (SalesforceSource, {"SALESFORCE_CLIENT_ID": "id", "SALESFORCE_CLIENT_SECRET": "s"}, True),
    (GoogleAdsSource, {"GOOGLE_ADS_DEVELOPER_TOKEN": "d"}, True),
    (GoogleAdsSource, {"GOOGLE_ADS_REFRESH_TOKEN": "r"}, False),
    (MetaAdsSource, {"META_ACCESS_TOKEN": "t"}, True),
    (LinkedInAdsSource, {"LINKEDIN_ACCESS_TOKEN": "t"}, True),
    (LinkedInAdsSource, {}, False),
])
def test_a_source_is_asked_for_by_its_main_credential(source, env, configured):
    assert source.is_configured(env) is configured


def test_a_source_built_from_a_partial_environment_names_what_is_missing():
    with pytest.raises(GoogleAdsAuthError) as error:
        GoogleAdsSource.from_env({"GOOGLE_ADS_DEVELOPER_TOKEN": "d", "GOOGLE_ADS_CUSTOMER_IDS": "123-456-7890"})

    assert str(error.value).startswith("GOOGLE_ADS_CLIENT_ID, GOOGLE_ADS_CLIENT_SECRET, GOOGLE_ADS_REFRESH_TOKEN "
                                       "are not set")


def test_from_env_reads_the_given_environment_not_the_process_one(monkeypatch):
    monkeypatch.setenv("HUBSPOT_TOKEN", "from-the-process")
    source = HubSpotSource.from_env({"HUBSPOT_TOKEN": "given", "HUBSPOT_BASE_URL": "http://127.0.0.1:9/",
                                     "HUBSPOT_CURSOR_LOOKBACK_MINUTES": "3"})

    assert source.base_url == "http://127.0.0.1:9"
    assert source.cursor_lookback.total_seconds() == 180


# --- TableSpec.accepting --------------------------------------------------------------------

BASE = TableSpec(name="t", group="g", entity="e", columns=("platform", "kind", "id"), key=("id",))


def test_a_shared_table_accepts_the_values_of_every_source_that_fills_it():
    google = TableSpec(**{**BASE.__dict__, "value_sets": {"platform": ("google_ads",), "kind": ("a",)}})
    meta = TableSpec(**{**BASE.__dict__, "value_sets": {"platform": ("meta_ads", "google_ads")}})

    both = google.accepting(meta)

    # kind is restricted by google's spec only: meta's rows may carry any kind, so nothing restricts it.
    assert both.value_sets == {"platform": ("google_ads", "meta_ads")}
    assert (both.columns, both.key) == (BASE.columns, BASE.key)


def test_two_specs_of_one_table_that_differ_beyond_their_value_sets_are_refused():
    other = TableSpec(**{**BASE.__dict__, "key": ("platform", "id")})

    with pytest.raises(ValueError, match="two specs of raw table t differ in more than their value sets"):
        BASE.accepting(other)
