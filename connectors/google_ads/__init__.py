"""The Google Ads connector: daily ad performance and campaigns, through the Google Ads API.

`GoogleAdsSource.read(stream, since)` yields batches mapping raw table names (see
`connectors._ads_shared.tables.ADS_API_TABLES`) to rows. It does not write anywhere:
the loader lands the batches, merges by key and keeps the cursor. Queries are GAQL
sent to `googleAds:searchStream`; HTTP plumbing (session, retries with backoff,
Retry-After) is dlt's, and so is the OAuth token handling. See README.md for
endpoints, scopes, costs and limits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Any

from dlt.sources.helpers.rest_client import RESTClient

from connectors._ads_shared.helpers import REQUEST_TIMEOUT_SECONDS, Account, Batch, report_window
from connectors._shared.http import retrying_session
from connectors._ads_shared.tables import CAMPAIGNS_TABLE, PERFORMANCE_TABLE

from . import settings as _settings
from .helpers import (
    CAMPAIGN_QUERY,
    CAMPAIGN_URL_QUERY,
    CUSTOMER_QUERY,
    PLATFORM,
    GoogleAdsAPIError,
    GoogleAdsAuth,
    GoogleAdsAuthError,
    RefreshTokenAuth,
    account_from,
    campaign_row,
    first_final_urls,
    make_response_check,
    performance_query,
    performance_row,
)
from .settings import GoogleAdsSettings, SettingsError

__all__ = [
    "PLATFORM",
    "STREAMS",
    "TABLES_BY_STREAM",
    "GoogleAdsAPIError",
    "GoogleAdsAuthError",
    "GoogleAdsSettings",
    "GoogleAdsSource",
    "SettingsError",
]

STREAMS = ("campaigns", "performance")
TABLES_BY_STREAM: dict[str, tuple[str, ...]] = {
    "campaigns": (CAMPAIGNS_TABLE,),
    "performance": (PERFORMANCE_TABLE,),
}


class GoogleAdsSource:
    """Reads Google Ads campaigns and daily ad performance as raw-table batches.

    Settings come from the environment (see settings.py); keyword overrides replace
    single fields (`GoogleAdsSource(base_url=..., customer_ids=("123",))`). Missing
    credentials fail here, before any request, with GoogleAdsAuthError naming the
    variables. `now` returns the current time (aware); only tests change it.
    """

    def __init__(self, settings: GoogleAdsSettings | None = None, *,
                 now: Callable[[], datetime] | None = None, **overrides: Any):
        s = settings or GoogleAdsSettings.from_env()
        if "customer_ids" in overrides:
            overrides["customer_ids"] = _settings.normalize_customer_ids(overrides["customer_ids"], "customer_ids")
        if overrides.get("login_customer_id"):
            overrides["login_customer_id"] = _settings.normalize_customer_ids(
                (overrides["login_customer_id"],), "login_customer_id")[0]
        s = replace(s, **overrides) if overrides else s
        if s.missing():
            raise GoogleAdsAuthError(_settings.missing_message(s.missing()))
        self.settings = s
        self._now = now or (lambda: datetime.now(timezone.utc))
        session = retrying_session(s.max_attempts, s.backoff_factor, timeout=REQUEST_TIMEOUT_SECONDS)
        auth = RefreshTokenAuth(
            access_token_url=s.token_url, client_id=s.client_id, client_secret=s.client_secret,
            access_token_request_data={"grant_type": "refresh_token", "refresh_token": s.refresh_token},
            session=session,
        )
        headers = {"developer-token": s.developer_token}
        if s.login_customer_id:
            headers["login-customer-id"] = s.login_customer_id
        self._client = RESTClient(base_url=f"{s.base_url}/{s.api_version}", auth=GoogleAdsAuth(auth, headers),
                                  session=session)
        self._hooks = {"response": [make_response_check((s.developer_token, s.client_secret, s.refresh_token))]}
        self._accounts: dict[str, Account] = {}

    def __repr__(self) -> str:
        return f"GoogleAdsSource({self.settings!r})"

    # --- public ---------------------------------------------------------------------

    def read(self, stream: str, since: str | None) -> Iterator[Batch]:
        """Yield batches of raw rows for `stream` (one of STREAMS), account by account.

        "performance": one batch per searchStream batch (up to 10,000 rows) of daily
        metrics per ad, for the days `window` gives: from GOOGLE_ADS_START_DATE when
        `since` is None, else from `since` (the last day loaded, normally the max
        `date_day` landed) minus GOOGLE_ADS_LOOKBACK_DAYS, to yesterday in the
        account's time zone. "campaigns": every campaign, read in full (`since` is
        ignored). Commit a cursor only once the generator is exhausted.
        """
        if stream not in STREAMS:
            raise ValueError(f"unknown Google Ads stream {stream!r}: expected one of {', '.join(STREAMS)}")
        for customer_id in self.settings.customer_ids:
            account = self.account(customer_id)
            if stream == "campaigns":
                yield from self._campaigns(account)
                continue
            window = self.window(customer_id, since)
            if window is None:
                continue
            for results in self._search_stream(customer_id, performance_query(*window)):
                rows = [performance_row(result, account) for result in results]
                if rows:
                    yield {PERFORMANCE_TABLE: rows}

    def account(self, customer_id: str) -> Account:
        """The customer's currency and time zone (one query, then cached)."""
        if customer_id not in self._accounts:
            results = [r for batch in self._search_stream(customer_id, CUSTOMER_QUERY) for r in batch]
            self._accounts[customer_id] = account_from(customer_id, results)
        return self._accounts[customer_id]

    def window(self, customer_id: str, since: str | None) -> tuple[date, date] | None:
        """The days a performance read covers for this customer, or None if none."""
        s = self.settings
        return report_window(since, start_date=s.start_date, lookback_days=s.lookback_days, now=self._now(),
                             timezone_name=self.account(customer_id).timezone)

    # --- streams --------------------------------------------------------------------

    def _campaigns(self, account: Account) -> Iterator[Batch]:
        urls = first_final_urls(r for batch in self._search_stream(account.account_id, CAMPAIGN_URL_QUERY)
                                for r in batch)
        for results in self._search_stream(account.account_id, CAMPAIGN_QUERY):
            rows = [campaign_row(r, account, urls.get(str((r.get("campaign") or {}).get("id")))) for r in results]
            if rows:
                yield {CAMPAIGNS_TABLE: rows}

    # --- HTTP -----------------------------------------------------------------------

    def _search_stream(self, customer_id: str, query: str) -> Iterator[list[dict]]:
        """The result batches of one searchStream call (the body is a JSON array of them)."""
        response = self._client.post(f"customers/{customer_id}/googleAds:searchStream", json={"query": query},
                                     hooks=self._hooks)
        for batch in response.json() or []:
            yield list(batch.get("results") or [])
