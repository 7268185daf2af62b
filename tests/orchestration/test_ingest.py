"""Which sources a run lands (orchestration/defs/ingest.py), and the pipeline's own
settings read with the connectors' parser."""

from __future__ import annotations

import pytest

from connectors._shared.settings import SettingsError
from connectors.google_ads import GoogleAdsAuthError
from connectors.hubspot import HubSpotAuthError, HubSpotSource
from connectors.meta_ads import MetaAdsSource
from connectors.registry import API_GROUPS
from orchestration import settings
from orchestration.defs.ingest import configured_sources

GROUPS = {g.name: g for g in API_GROUPS}
META = {"META_ACCESS_TOKEN": "t", "META_AD_ACCOUNT_IDS": "act_123"}


class NoDemo:
    active = False


class Demo:
    """The demo serving HubSpot and Meta."""

    active = True

    def sources(self):
        return [HubSpotSource(base_url="http://127.0.0.1:9", token="demo"),
                MetaAdsSource(access_token="demo", ad_account_ids=("1",))]


@pytest.fixture
def source_setting(monkeypatch, touchline_env):
    """Set TOUCHLINE_SOURCE (and any variables) and return the settings loaded."""
    for name in ("HUBSPOT_TOKEN", "GOOGLE_ADS_DEVELOPER_TOKEN", *META, "LINKEDIN_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)

    def set_(source: str, **env: str):
        touchline_env(source=source, files_dir="/tmp")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return settings.load()
    return set_


def test_live_runs_the_ad_platforms_whose_credentials_are_set_and_no_other(source_setting):
    s = source_setting("live", **META)

    assert [type(x).__name__ for x in configured_sources(GROUPS["ads_api"], s, NoDemo())] == ["MetaAdsSource"]
    assert configured_sources(GROUPS["hubspot"], s, NoDemo()) == []


def test_a_platform_whose_main_credential_is_set_but_not_the_rest_fails_naming_the_rest(source_setting):
    s = source_setting("live", GOOGLE_ADS_DEVELOPER_TOKEN="d")

    with pytest.raises(GoogleAdsAuthError, match="GOOGLE_ADS_CLIENT_ID"):
        configured_sources(GROUPS["ads_api"], s, NoDemo())


def test_source_hubspot_requires_hubspot_even_without_its_token(source_setting):
    s = source_setting("hubspot")

    with pytest.raises(HubSpotAuthError, match="^HUBSPOT_TOKEN is not set"):
        configured_sources(GROUPS["hubspot"], s, NoDemo())
    assert configured_sources(GROUPS["salesforce"], s, NoDemo()) == []


def test_files_runs_no_api_source_whatever_is_set(source_setting):
    s = source_setting("files", HUBSPOT_TOKEN="pat", **META)

    assert all(configured_sources(g, s, NoDemo()) == [] for g in API_GROUPS)


def test_the_demo_runs_what_it_serves_each_in_its_own_group(source_setting):
    s = source_setting("demo")

    assert [x.name for x in configured_sources(GROUPS["hubspot"], s, Demo())] == ["hubspot"]
    assert [x.name for x in configured_sources(GROUPS["ads_api"], s, Demo())] == ["meta_ads"]
    assert configured_sources(GROUPS["salesforce"], s, Demo()) == []


def test_the_pipeline_settings_are_read_with_the_connectors_parser(monkeypatch, touchline_env):
    monkeypatch.setenv("TOUCHLINE_DEMO_PEOPLE", "many")
    with pytest.raises(SettingsError, match="^TOUCHLINE_DEMO_PEOPLE='many' is not a whole number"):
        settings.load()

    monkeypatch.setenv("TOUCHLINE_DEMO_PEOPLE", "")  # blank, as in .env.example: the default
    monkeypatch.setenv("TOUCHLINE_SOURCE", "Live")
    loaded = settings.load()
    assert (loaded.demo_people, loaded.source, loaded.reads_apis) == (3000, "live", True)
