"""The Google Ads connector: daily ad performance and campaigns, through the Google Ads API.

`GoogleAdsSource.read(stream, since)` yields batches mapping raw table names (see
`connectors.ad_platforms.tables.ADS_API_TABLES`) to rows. It does not write anywhere:
the sync loop lands the batches, merges by key and keeps the cursor. Queries are GAQL
sent to `googleAds:searchStream`; HTTP plumbing (session, retries with backoff,
Retry-After) is dlt's, and so is the OAuth token handling. See README.md for
endpoints, scopes, costs and limits.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from dlt.sources.helpers.rest_client import RESTClient
from requests import Session

from connectors._shared.source import Row
from connectors.ad_platforms.helpers import Account
from connectors.ad_platforms.source import AdPlatformSource
from connectors.ad_platforms.tables import platform_tables

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
    "GoogleAdsAPIError",
    "GoogleAdsAuthError",
    "GoogleAdsSettings",
    "GoogleAdsSource",
    "SettingsError",
]


class GoogleAdsSource(AdPlatformSource):
    """Reads Google Ads campaigns and daily ad performance as raw-table batches.

    "performance": one batch per searchStream batch (up to 10,000 rows) of daily
    metrics per ad (GOOGLE_ADS_START_DATE on a first run, else the cursor minus
    GOOGLE_ADS_LOOKBACK_DAYS, to yesterday in the customer's time zone). "campaigns":
    every campaign, with the final URL of its lowest-id ad. Keyword overrides replace
    single settings (`GoogleAdsSource(base_url=..., customer_ids=("123",))`).
    """

    name = PLATFORM
    tables_by_stream = platform_tables(PLATFORM)
    label = "Google Ads"
    credentials = "GOOGLE_ADS_*"
    main_credential = "GOOGLE_ADS_DEVELOPER_TOKEN"
    settings_class = GoogleAdsSettings
    auth_error = GoogleAdsAuthError
    missing_message = staticmethod(_settings.missing_message)
    account_ids_field = "customer_ids"
    normalize_account_ids = staticmethod(_settings.normalize_customer_ids)

    @classmethod
    def _normalized(cls, overrides: dict[str, Any]) -> dict[str, Any]:
        overrides = super()._normalized(overrides)
        if overrides.get("login_customer_id"):
            overrides["login_customer_id"] = _settings.normalize_customer_ids(
                (overrides["login_customer_id"],), "login_customer_id")[0]
        return overrides

    def _open(self, session: Session) -> None:
        s = self.settings
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

    def _fetch_account(self, customer_id: str) -> Account:
        results = [r for batch in self._search_stream(customer_id, CUSTOMER_QUERY) for r in batch]
        return account_from(customer_id, results)

    def _campaign_pages(self, account: Account) -> Iterator[list[Row]]:
        urls = first_final_urls(r for batch in self._search_stream(account.account_id, CAMPAIGN_URL_QUERY)
                                for r in batch)
        for results in self._search_stream(account.account_id, CAMPAIGN_QUERY):
            yield [campaign_row(r, account, urls.get(str((r.get("campaign") or {}).get("id")))) for r in results]

    def _performance_pages(self, account: Account, first: date, last: date) -> Iterator[list[Row]]:
        for results in self._search_stream(account.account_id, performance_query(first, last)):
            yield [performance_row(result, account) for result in results]

    def _search_stream(self, customer_id: str, query: str) -> Iterator[list[dict]]:
        """The result batches of one searchStream call (the body is a JSON array of them)."""
        response = self._client.post(f"customers/{customer_id}/googleAds:searchStream", json={"query": query},
                                     hooks=self._hooks)
        for batch in response.json() or []:
            yield list(batch.get("results") or [])
