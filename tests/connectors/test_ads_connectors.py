"""The Google Ads, Meta and LinkedIn connectors against their local fakes on loopback."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from connectors._shared.http import AuthError
from connectors._shared.landing import LandResult, connect, ensure_raw_tables, get_cursor, land, rows_to_arrow
from connectors.ad_platforms.tables import ADS_API_TABLES, ADS_BY_NAME, CAMPAIGNS_TABLE, PERFORMANCE_TABLE
from connectors.demo.fakes import TRUNCATED
from connectors.demo.fakes.google_ads import GoogleAdsServer
from connectors.demo.fakes.linkedin_ads import LinkedInAdsServer
from connectors.demo.fakes.meta_ads import MetaAdsServer
from connectors.demo.world import generate
from connectors.google_ads import GoogleAdsAPIError, GoogleAdsAuthError, GoogleAdsSettings, GoogleAdsSource
from connectors.linkedin_ads import LinkedInAdsSettings, LinkedInAdsSource, LinkedInAPIError, LinkedInAuthError
from connectors.meta_ads import MetaAdsSettings, MetaAdsSource, MetaAuthError, MetaReportFailed
from connectors.meta_ads.settings import SettingsError

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
START = date(2026, 10, 12)
YESTERDAY = date(2026, 10, 31)
DAYS = [START + timedelta(days=n) for n in range(20)]
PREFIXES = ("GOOGLE_ADS_", "META_", "LINKEDIN_")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No developer's real ads credentials may leak into a test."""
    import os

    for name in [v for v in os.environ if v.startswith(PREFIXES)]:
        monkeypatch.delenv(name)


def canonical() -> dict[str, list[dict]]:
    """Two campaigns per platform, three ads each, 20 days of numbers, by hand."""
    platforms = (("google_ads", "USD", "google", "cpc", "110000000"), ("meta_ads", "EUR", "facebook", "paid_social",
                                                                          "238200000000"),
                 ("linkedin_ads", "USD", "linkedin", "paid_social", "18400000"))
    campaigns, rows = [], []
    for platform, currency, source, medium, prefix in platforms:
        for c in range(2):
            cid = f"{prefix}{c + 1}"
            campaigns.append({"platform": platform, "campaign_id": cid, "campaign_name": f"{source.title()} {c + 1}",
                              "utm_source": source, "utm_medium": medium, "utm_campaign": f"{source}_{c + 1}"})
            for g, a in ((0, 0), (0, 1), (1, 0)):
                for n, day in enumerate(DAYS):
                    impressions = 100 + 10 * n + 7 * c + 3 * g + a
                    clicks = impressions // 20
                    rows.append({
                        "platform": platform, "date": day, "campaign_id": cid, "ad_group_id": f"{cid}{g}",
                        "ad_id": f"{cid}{g}{a}", "currency": currency, "spend": round(clicks * 1.37 + 0.11 * a, 2),
                        "impressions": impressions, "clicks": clicks, "conversions": 1.0 if n % 3 == 0 else 0.0,
                    })
    return {"ads_campaigns": campaigns, "ads_ad_performance_daily": rows}


# --- one harness per platform -------------------------------------------------------------


@dataclass(frozen=True)
class Platform:
    name: str
    server: Callable[..., object]
    source: Callable[..., object]
    auth_error: type
    token_variable: str
    new_field: tuple[str, str]  # (path as the API names it, column it lands as)
    paging: dict  # overrides that make every read span several pages

    def windows(self, fake) -> list[tuple[date, date]]:
        """The (first, last) days of every performance request the fake received."""
        found = []
        for (method, path, query), body in zip(fake.request_log, fake.request_bodies):
            if self.name == "google_ads" and isinstance(body, dict):
                match = re.search(r"BETWEEN '([\d-]+)' AND '([\d-]+)'", body.get("query", ""))
                if match:
                    found.append((date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))))
            elif self.name == "meta_ads" and path.endswith("/insights") and "time_range" in query:
                span = json.loads(query["time_range"])
                found.append((date.fromisoformat(span["since"]), date.fromisoformat(span["until"])))
            elif self.name == "linkedin_ads" and path.endswith("/adAnalytics"):
                numbers = [int(v) for v in re.findall(r"\d+", query["dateRange"])]
                found.append((date(*numbers[:3]), date(*numbers[3:])))
        return found


def _google_source(fake: GoogleAdsServer, **overrides) -> GoogleAdsSource:
    options = {"developer_token": fake.developer_token, "client_id": fake.client_id,
               "client_secret": fake.client_secret, "refresh_token": fake.refresh_token,
               "customer_ids": (fake.customer_id,), "base_url": fake.base_url, "token_url": fake.token_url,
               "start_date": START, "max_attempts": 3, "backoff_factor": 0.01} | overrides
    return GoogleAdsSource(GoogleAdsSettings.from_env({}), now=lambda: NOW, **options)


def _meta_source(fake: MetaAdsServer, **overrides) -> MetaAdsSource:
    options = {"access_token": fake.token, "ad_account_ids": (fake.account_id,), "base_url": fake.base_url,
               "start_date": START, "max_attempts": 3, "backoff_factor": 0.01, "async_poll_seconds": 0} | overrides
    return MetaAdsSource(MetaAdsSettings.from_env({}), now=lambda: NOW, **options)


def _linkedin_source(fake: LinkedInAdsServer, **overrides) -> LinkedInAdsSource:
    options = {"access_token": fake.token, "ad_account_ids": (fake.account_id,), "base_url": fake.base_url,
               "start_date": START, "max_attempts": 3, "backoff_factor": 0.01} | overrides
    return LinkedInAdsSource(LinkedInAdsSettings.from_env({}), now=lambda: NOW, **options)


PLATFORMS = {
    "google_ads": Platform("google_ads", GoogleAdsServer, _google_source, GoogleAdsAuthError,
                           "GOOGLE_ADS_REFRESH_TOKEN", ("metrics.videoViews", "metrics_video_views"), {}),
    "meta_ads": Platform("meta_ads", MetaAdsServer, _meta_source, MetaAuthError, "META_ACCESS_TOKEN",
                         ("quality_ranking", "quality_ranking"), {"page_size": 7}),
    "linkedin_ads": Platform("linkedin_ads", LinkedInAdsServer, _linkedin_source, LinkedInAuthError,
                             "LINKEDIN_ACCESS_TOKEN", ("videoViews", "video_views"),
                             {"page_size": 1, "window_days": 6}),
}


@pytest.fixture(params=list(PLATFORMS))
def api(request):
    return PLATFORMS[request.param]


@pytest.fixture
def fake(api):
    server_options = {"batch_size": 25} if api.name == "google_ads" else {}
    with api.server(canonical(), **server_options) as server:
        yield server


def read_all(source, stream: str, since: str | None = None) -> list[dict]:
    table = CAMPAIGNS_TABLE if stream == "campaigns" else PERFORMANCE_TABLE
    rows = []
    for batch in source.read(stream, since):
        assert set(batch) == {table}
        rows.extend(batch[table])
    return rows


def perf_key(row: dict) -> tuple:
    return tuple(row[k] for k in ADS_BY_NAME[PERFORMANCE_TABLE].key)


def primed(source):
    """The source with its account already read (the OAuth token too, for Google), so
    an injected failure hits a data request."""
    for account_id in getattr(source.settings, "customer_ids", None) or source.settings.ad_account_ids:
        source.account(account_id)
    return source


@pytest.fixture
def warehouse():
    con = connect(":memory:")
    ensure_raw_tables(con, ADS_API_TABLES)
    yield con
    con.close()


def land_rows(con, table: str, rows: list[dict], load_id: str, stream: str | None = None) -> LandResult:
    spec = ADS_BY_NAME[table]
    return land(con, spec, rows_to_arrow(rows, list(spec.columns)), load_id=load_id, source="ads_test",
                cursor_stream=stream)


def expected_days(fake, first: date, last: date) -> set[str]:
    return {r["date"].isoformat() for r in fake.performance_rows() if first <= r["date"] <= last}


# --- first load ------------------------------------------------------------------------------


def test_a_first_load_reads_every_day_from_the_start_date_to_yesterday(api, fake):
    rows = read_all(api.source(fake), "performance")

    assert api.windows(fake) == [(START, YESTERDAY)]
    assert {r["date_day"] for r in rows} == expected_days(fake, START, YESTERDAY)
    assert len({perf_key(r) for r in rows}) == len(rows)
    expected = len({(r["date"], r["campaign_id"]) if api.name == "linkedin_ads" else (r["date"], r["ad_id"])
                    for r in fake.performance_rows()})
    assert len(rows) == expected


@pytest.mark.parametrize("stream", ["campaigns", "performance"])
def test_every_row_has_every_raw_column_and_only_text_values(api, fake, stream):
    rows = read_all(api.source(fake), stream)

    table = CAMPAIGNS_TABLE if stream == "campaigns" else PERFORMANCE_TABLE
    assert rows
    for row in rows:
        assert set(ADS_BY_NAME[table].columns) <= set(row)
        assert all(value is None or isinstance(value, str) for value in row.values()), row
        assert row["platform"] == api.name


def test_campaigns_carry_their_names_and_the_utms_of_their_urls(api, fake):
    rows = {r["campaign_id"]: r for r in read_all(api.source(fake), "campaigns")}

    canonical_campaigns = [c for c in canonical()["ads_campaigns"] if c["platform"] == api.name]
    assert set(rows) == {c["campaign_id"] for c in canonical_campaigns}
    for campaign in canonical_campaigns:
        row = rows[campaign["campaign_id"]]
        assert row["campaign_name"] == campaign["campaign_name"]
        if api.name == "linkedin_ads":
            # LinkedIn keeps tracking parameters on creatives; the campaign has none.
            assert (row["utm_source"], row["url_tags"], row["final_url"]) == (None, None, None)
            assert row["updated_at"].endswith("Z")
        else:
            assert (row["utm_source"], row["utm_medium"], row["utm_campaign"]) == (
                campaign["utm_source"], campaign["utm_medium"], campaign["utm_campaign"])
            assert row["url_tags"].startswith("utm_source=") and row["final_url"].startswith("https://")


def test_currency_and_timezone_of_the_account_are_on_every_row(api):
    currency = {"google_ads": "JPY", "meta_ads": "EUR", "linkedin_ads": "GBP"}[api.name]
    with api.server(canonical(), currency=currency) as server:
        rows = read_all(api.source(server), "performance")

    expected_zone = {"google_ads": "America/New_York", "meta_ads": "Europe/Berlin", "linkedin_ads": "UTC"}[api.name]
    assert {(r["currency_code"], r["account_timezone"]) for r in rows} == {(currency, expected_zone)}


def test_yesterday_is_taken_in_the_accounts_time_zone(api):
    # 02:00 UTC on Nov 1 is still Oct 31 in New York: yesterday there is Oct 30.
    early = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    with api.server(canonical()) as server:
        source = api.source(server)
        source._now = lambda: early
        read_all(source, "performance")
        windows = api.windows(server)

    last = date(2026, 10, 30) if api.name == "google_ads" else YESTERDAY
    assert windows == [(START, last)]


# --- incremental and restatement -----------------------------------------------------------


def test_an_incremental_run_reads_only_the_lookback_window(api, fake):
    source = api.source(fake)
    cursor = max(r["date_day"] for r in read_all(source, "performance"))
    fake.request_log.clear()
    fake.request_bodies.clear()

    rows = read_all(source, "performance", cursor)

    first = date.fromisoformat(cursor) - timedelta(days=source.settings.lookback_days)
    assert api.windows(fake) == [(first, YESTERDAY)]
    assert {r["date_day"] for r in rows} == expected_days(fake, first, YESTERDAY)


def test_nothing_is_read_when_the_cursor_is_already_yesterday_and_the_lookback_is_zero(api, fake):
    source = api.source(fake, lookback_days=0)
    primed(source)
    fake.request_log.clear()

    assert read_all(source, "performance", (YESTERDAY + timedelta(days=1)).isoformat()) == []
    assert fake.request_log == []


def test_rerunning_the_same_load_inserts_and_updates_nothing(api, fake, warehouse):
    source = api.source(fake)
    for stream, table in (("campaigns", CAMPAIGNS_TABLE), ("performance", PERFORMANCE_TABLE)):
        first = land_rows(warehouse, table, read_all(source, stream), "load-1")
        again = land_rows(warehouse, table, read_all(source, stream), "load-2")

        assert first.inserted > 0 and first.quarantined == 0
        assert (again.inserted, again.updated, again.quarantined) == (0, 0, 0)
        assert again.unchanged == first.inserted


def test_the_cursor_is_the_last_day_landed(api, fake, warehouse):
    result = land_rows(warehouse, PERFORMANCE_TABLE, read_all(api.source(fake), "performance"), "load-1",
                       stream=f"{api.name}:performance")

    assert result.max_cursor == max(expected_days(fake, START, YESTERDAY))
    assert get_cursor(warehouse, "ads_test", f"{api.name}:performance") == result.max_cursor


def test_a_restated_day_replaces_its_numbers_after_the_next_run(api, fake, warehouse):
    source = api.source(fake)
    first = land_rows(warehouse, PERFORMANCE_TABLE, read_all(source, "performance"), "load-1",
                      stream="performance")
    restated_day = YESTERDAY - timedelta(days=3)
    changed = fake.restate(restated_day, factor="2")

    rows = read_all(source, "performance", get_cursor(warehouse, "ads_test", "performance"))
    second = land_rows(warehouse, PERFORMANCE_TABLE, rows, "load-2", stream="performance")

    grain = 1 if api.name != "linkedin_ads" else 3  # LinkedIn sums a campaign's three ads
    assert changed > 0 and second.updated == changed // grain and second.inserted == 0
    landed = warehouse.execute(
        f"select sum(cast(spend as decimal(18, 6))) from raw.{PERFORMANCE_TABLE} where date_day = ?",
        [restated_day.isoformat()]).fetchone()[0]
    assert landed == sum(r["spend"] for r in fake.performance_rows() if r["date"] == restated_day)
    total = warehouse.execute(f"select sum(cast(spend as decimal(18, 6))) from raw.{PERFORMANCE_TABLE}").fetchone()[0]
    assert total == fake.spend_total()
    assert first.inserted == warehouse.execute(f"select count(*) from raw.{PERFORMANCE_TABLE}").fetchone()[0]


# --- paging --------------------------------------------------------------------------------


def test_results_spanning_several_pages_arrive_exactly_once(api):
    with api.server(canonical(), **({"batch_size": 5} if api.name == "google_ads" else {})) as server:
        source = api.source(server, **api.paging)
        rows = read_all(source, "performance")
        campaigns = read_all(source, "campaigns")
        log = list(server.request_log)
    with api.server(canonical()) as server:
        whole = read_all(api.source(server), "performance")

    assert sorted(map(perf_key, rows)) == sorted(map(perf_key, whole))
    assert len(campaigns) == 2
    if api.name == "meta_ads":
        pages = [q for _, p, q in log if p.endswith("/insights")]
        assert len(pages) > 2 and sum("after" in q for q in pages) == len(pages) - 1
    elif api.name == "linkedin_ads":
        assert sum(p.endswith("/adAnalytics") for _, p, _ in log) == 4  # 20 days in windows of 6
        campaign_pages = [q for _, p, q in log if p.endswith("/adCampaigns")]
        assert len(campaign_pages) == 2 and "pageToken" in campaign_pages[1]


def test_google_stream_batches_each_become_a_batch_of_rows():
    with GoogleAdsServer(canonical(), batch_size=5) as server:
        batches = list(_google_source(server).read("performance", None))

    assert len(batches) > 1 and all(len(b[PERFORMANCE_TABLE]) <= 5 for b in batches)


# --- failures ------------------------------------------------------------------------------


def test_a_429_with_retry_after_is_retried_after_waiting(api, fake):
    source = primed(api.source(fake, backoff_factor=0))
    fake.request_log.clear()
    fake.fail_next(429, retry_after=1)
    started = time.monotonic()

    rows = read_all(source, "performance")

    assert rows
    assert time.monotonic() - started >= 0.9
    assert fake.request_log[0][1] == fake.request_log[1][1]


def test_a_500_then_success_is_retried(api, fake):
    source = primed(api.source(fake))
    fake.request_log.clear()
    fake.fail_next(500, times=2)

    rows = read_all(source, "performance")

    assert rows and len(fake.request_log) >= 3
    assert fake.request_log[0][1] == fake.request_log[1][1] == fake.request_log[2][1]


def test_a_truncated_body_is_retried(api, fake):
    source = primed(api.source(fake))
    fake.request_log.clear()
    fake.fail_next(200, body=TRUNCATED)

    rows = read_all(source, "performance")

    assert len(rows) == len(read_all(source, "performance"))
    assert fake.request_log[0][1] == fake.request_log[1][1]


def test_an_expired_token_raises_a_clear_error_naming_the_variable_without_retrying(api, fake):
    source = primed(api.source(fake))
    fake.request_log.clear()
    fake.fail_next(401, times=3)

    with pytest.raises(api.auth_error, match=api.token_variable) as error:
        read_all(source, "performance")

    assert isinstance(error.value, AuthError)
    assert len(fake.request_log) == 1


def test_a_wrong_credential_is_refused_at_once_without_the_secret_in_the_message(api, fake):
    secret = "s3cr3t-value-0123456789"
    key = {"google_ads": "refresh_token", "meta_ads": "access_token", "linkedin_ads": "access_token"}[api.name]

    with pytest.raises(api.auth_error, match=api.token_variable) as error:
        read_all(api.source(fake, **{key: secret}), "performance")

    assert secret not in str(error.value)
    assert len(fake.request_log) == 1


def test_server_errors_beyond_max_attempts_raise_with_the_platforms_details(api, fake):
    source = primed(api.source(fake, max_attempts=2))
    fake.request_log.clear()
    fake.fail_next(503, times=2)

    with pytest.raises(Exception) as error:
        read_all(source, "performance")

    assert getattr(error.value, "status", None) == 503 and error.value.retryable
    assert len(fake.request_log) == 2


def test_a_field_the_platform_started_sending_is_kept_as_a_column(api, fake, warehouse):
    path, column = api.new_field
    fake.add_field(path, "7")

    rows = read_all(api.source(fake), "performance")
    land_rows(warehouse, PERFORMANCE_TABLE, rows, "load-1")

    assert {r[column] for r in rows} == {"7"}
    assert warehouse.execute(f"select distinct {column} from raw.{PERFORMANCE_TABLE}").fetchall() == [("7",)]


def test_missing_credentials_name_the_variables_before_any_request(api, fake):
    source_cls = {"google_ads": GoogleAdsSource, "meta_ads": MetaAdsSource, "linkedin_ads": LinkedInAdsSource}

    with pytest.raises(api.auth_error) as error:
        source_cls[api.name]()

    assert api.token_variable in str(error.value)
    assert str(error.value).endswith("or run with --source demo")
    assert fake.request_log == []


# --- platform specifics --------------------------------------------------------------------


def test_google_spend_is_cost_micros_in_the_account_currency():
    tables = canonical()
    with GoogleAdsServer(tables) as server:
        rows = read_all(_google_source(server), "performance")

    source_row = next(r for r in tables["ads_ad_performance_daily"]
                      if r["platform"] == "google_ads" and r["ad_id"] == "110000000101" and r["date"] == START)
    row = next(r for r in rows if r["ad_id"] == "110000000101" and r["date_day"] == START.isoformat())
    assert Decimal(row["spend"]) == Decimal(str(source_row["spend"]))
    assert (row["ad_group_id"], row["campaign_id"]) == ("11000000010", "1100000001")


def test_google_reads_a_client_account_through_its_manager_only_with_login_customer_id():
    with GoogleAdsServer(canonical(), login_customer_id="9998887776") as server:
        with pytest.raises(GoogleAdsAuthError, match="GOOGLE_ADS_LOGIN_CUSTOMER_ID"):
            read_all(_google_source(server), "performance")
        rows = read_all(_google_source(server, login_customer_id="999-888-7776"), "performance")
        headers = server.request_headers[-1]

    assert rows and headers["login-customer-id"] == "9998887776"


def test_google_a_quota_delay_longer_than_a_run_fails_at_once_with_the_delay():
    with GoogleAdsServer(canonical()) as server:
        source = primed(_google_source(server))
        server.request_log.clear()
        server.fail_next(429, times=3, retry_after=3600)
        with pytest.raises(GoogleAdsAPIError, match="3600 s") as error:
            read_all(source, "performance")
        requests_made = len(server.request_log)

    assert not error.value.retryable and requests_made == 1


def test_google_a_query_error_names_googles_error_code():
    with GoogleAdsServer(canonical()) as server:
        source = primed(_google_source(server))
        with pytest.raises(GoogleAdsAPIError, match="queryError.UNRECOGNIZED_FIELD"):
            list(source._search_stream(server.customer_id, "SELECT campaign.budget FROM campaign"))


def test_meta_reads_a_long_range_through_an_async_report_run():
    with MetaAdsServer(canonical(), sync_row_limit=10, async_polls=2) as server:
        rows = read_all(_meta_source(server, async_threshold_days=10, page_size=50), "performance")
        log = [(m, p) for m, p, _ in server.request_log]

    account = "/v25.0/act_1700252260223815"
    assert ("POST", f"{account}/insights") in log and ("GET", f"{account}/insights") not in log
    run = next(p for m, p in log if m == "GET" and p.endswith("/insights")).split("/")[2]
    assert log.count(("GET", f"/v25.0/{run}")) == 3  # running, running, completed
    assert log.count(("GET", f"/v25.0/{run}/insights")) > 1  # the report's own pages
    assert len(rows) == len(canonical()["ads_ad_performance_daily"]) // 3


def test_meta_a_failed_report_run_raises_meta_report_failed():
    with MetaAdsServer(canonical()) as server:
        server.fail_next_report()
        with pytest.raises(MetaReportFailed, match="Job Failed"):
            read_all(_meta_source(server, async_threshold_days=5), "performance")


def test_meta_throttling_reported_as_a_400_with_code_80004_is_retried():
    throttled = {"error": {"message": "(#80004) There have been too many calls to this ad-account. Wait a bit and "
                                      "try again.", "type": "OAuthException", "code": 80004, "error_subcode": 2446079,
                           "fbtrace_id": "A1b2C3d4E5f"}}
    with MetaAdsServer(canonical()) as server:
        source = primed(_meta_source(server))
        server.request_log.clear()
        server.fail_next(400, body=throttled)
        rows = read_all(source, "performance")
        paths = [p for _, p, _ in server.request_log]

    assert rows and paths[0] == paths[1]


def test_meta_conversions_count_leads_once_and_keep_every_action():
    with MetaAdsServer(canonical()) as server:
        rows = read_all(_meta_source(server), "performance")

    converted = [r for r in rows if r["conversions"] != "0"]
    assert converted and {r["conversions"] for r in converted} == {"1"}
    actions = json.loads(converted[0]["actions"])
    assert {a["action_type"] for a in actions} >= {"lead", "offsite_conversion.fb_pixel_lead"}


def test_linkedin_rows_are_campaign_days_summed_over_ads():
    tables = canonical()
    with LinkedInAdsServer(tables) as server:
        rows = read_all(_linkedin_source(server), "performance")

    row = next(r for r in rows if r["campaign_id"] == "184000001" and r["date_day"] == START.isoformat())
    source_rows = [r for r in tables["ads_ad_performance_daily"]
                   if r["platform"] == "linkedin_ads" and r["campaign_id"] == "184000001" and r["date"] == START]
    assert Decimal(row["spend"]) == sum(Decimal(str(r["spend"])) for r in source_rows)
    assert int(row["impressions"]) == sum(r["impressions"] for r in source_rows)
    assert (row["ad_group_id"], row["ad_id"]) == (None, None)


def test_linkedin_an_inactive_version_names_linkedin_version():
    with LinkedInAdsServer(canonical(), versions=("202611",)) as server:
        with pytest.raises(LinkedInAPIError, match="LINKEDIN_VERSION") as error:
            read_all(_linkedin_source(server), "performance")

    assert error.value.status == 426 and not error.value.retryable


# --- settings ------------------------------------------------------------------------------


def test_settings_come_from_the_environment(monkeypatch):
    with MetaAdsServer(canonical()) as server:
        monkeypatch.setenv("META_ACCESS_TOKEN", server.token)
        monkeypatch.setenv("META_AD_ACCOUNT_IDS", f"act_{server.account_id}")
        monkeypatch.setenv("META_BASE_URL", server.base_url)
        monkeypatch.setenv("META_START_DATE", "2026-10-25")
        monkeypatch.setenv("META_PAGE_SIZE", "9")

        rows = read_all(MetaAdsSource(now=lambda: NOW), "performance")
        query = next(q for _, p, q in server.request_log if p.endswith("/insights"))

    assert {r["date_day"] for r in rows} == {(date(2026, 10, 25) + timedelta(days=n)).isoformat() for n in range(7)}
    assert query["limit"] == "9"


@pytest.mark.parametrize("variable, value, settings_cls", [
    ("META_LOOKBACK_DAYS", "a week", MetaAdsSettings),
    ("GOOGLE_ADS_START_DATE", "01/01/2026", GoogleAdsSettings),
    ("GOOGLE_ADS_CUSTOMER_IDS", "acme", GoogleAdsSettings),
    ("LINKEDIN_VERSION", "2026-08", LinkedInAdsSettings),
])
def test_a_bad_value_in_the_environment_names_the_variable(monkeypatch, variable, value, settings_cls):
    monkeypatch.setenv(variable, value)

    with pytest.raises(SettingsError, match=variable):
        settings_cls.from_env()


def test_settings_never_show_a_secret_in_their_repr():
    settings = GoogleAdsSettings.from_env({"GOOGLE_ADS_REFRESH_TOKEN": "1//refresh-value",
                                           "GOOGLE_ADS_CLIENT_SECRET": "client-value",
                                           "GOOGLE_ADS_DEVELOPER_TOKEN": "developer-value"})

    assert "refresh_token=set" in repr(settings)
    assert not re.search(r"refresh-value|client-value|developer-value", repr(settings))


def test_no_secret_reaches_the_logs(api, fake, caplog, monkeypatch):
    # dlt logs each request (headers and body at DEBUG) once its logger is set up; a
    # client resolves dlt's runtime configuration, which resets it, so patch after.
    from dlt.common import logger as dlt_logger

    source = api.source(fake)
    monkeypatch.setattr(dlt_logger, "LOGGER", logging.getLogger("touchline.tests.dlt"))
    caplog.set_level(logging.DEBUG)
    fake.fail_next(500)

    read_all(source, "performance")

    secrets = {"google_ads": (fake.developer_token if api.name == "google_ads" else None,
                              getattr(fake, "refresh_token", None), getattr(fake, "client_secret", None)),
               "meta_ads": (getattr(fake, "token", None),), "linkedin_ads": (getattr(fake, "token", None),)}
    assert "Making" in caplog.text, "nothing was logged: the test would prove nothing"
    assert not [s for s in secrets[api.name] if s and s in caplog.text]
    if api.name == "google_ads":
        assert "ya29." not in caplog.text


# --- the invariant ---------------------------------------------------------------------------


def test_spend_per_platform_equals_the_canonical_input_for_the_demo_world(warehouse):
    world = generate(people=300, days=90)
    canonical_rows = world.tables["ads_ad_performance_daily"]
    first_day = min(r["date"] for r in canonical_rows)
    now = datetime.combine(max(r["date"] for r in canonical_rows) + timedelta(days=1), datetime.min.time(), UTC) \
        + timedelta(hours=12)
    with GoogleAdsServer(world.tables) as google, MetaAdsServer(world.tables) as meta, \
            LinkedInAdsServer(world.tables) as linkedin:
        sources = [_google_source(google, start_date=first_day), _meta_source(meta, start_date=first_day),
                   _linkedin_source(linkedin, start_date=first_day)]
        for source in sources:
            source._now = lambda: now
            for stream, table in (("campaigns", CAMPAIGNS_TABLE), ("performance", PERFORMANCE_TABLE)):
                result = land_rows(warehouse, table, read_all(source, stream), "load-1")
                assert result.quarantined == 0

    landed = dict(warehouse.execute(
        f"select platform, sum(cast(spend as decimal(18, 6))) from raw.{PERFORMANCE_TABLE} group by 1").fetchall())
    expected: dict[str, Decimal] = {}
    for row in canonical_rows:
        expected[row["platform"]] = expected.get(row["platform"], Decimal(0)) + Decimal(str(row["spend"]))
    assert landed == expected
    currencies = warehouse.execute(
        f"select platform, count(distinct currency_code) from raw.{PERFORMANCE_TABLE} group by 1").fetchall()
    assert {n for _, n in currencies} == {1}
    campaigns = warehouse.execute(f"select platform, count(*) from raw.{CAMPAIGNS_TABLE} group by 1").fetchall()
    assert dict(campaigns) == {p: sum(c["platform"] == p for c in world.tables["ads_campaigns"]) for p in expected}
