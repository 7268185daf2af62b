"""The LinkedIn ads connector: daily campaign analytics and campaigns, through the
LinkedIn Marketing API (versioned /rest endpoints).

`LinkedInAdsSource.read(stream, since)` yields batches mapping raw table names (see
`connectors._ads_shared.tables.ADS_API_TABLES`) to rows. It does not write anywhere:
the loader lands the batches, merges by key and keeps the cursor. HTTP plumbing
(session, paging, retries with backoff, Retry-After) is dlt's REST client. See
README.md for endpoints, scopes, costs and limits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Any

from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth

from connectors._ads_shared.helpers import REQUEST_TIMEOUT_SECONDS, Account, Batch, date_chunks, report_window
from connectors._shared.http import retrying_session
from connectors._ads_shared.tables import CAMPAIGNS_TABLE, PERFORMANCE_TABLE

from . import settings as _settings
from .helpers import (
    PLATFORM,
    LinkedInAPIError,
    LinkedInAuthError,
    account_from,
    analytics_query,
    analytics_row,
    campaign_paginator,
    campaign_row,
    make_response_check,
)
from .settings import LinkedInAdsSettings, SettingsError

__all__ = [
    "PLATFORM",
    "STREAMS",
    "TABLES_BY_STREAM",
    "LinkedInAPIError",
    "LinkedInAdsSettings",
    "LinkedInAdsSource",
    "LinkedInAuthError",
    "SettingsError",
]

STREAMS = ("campaigns", "performance")
TABLES_BY_STREAM: dict[str, tuple[str, ...]] = {
    "campaigns": (CAMPAIGNS_TABLE,),
    "performance": (PERFORMANCE_TABLE,),
}


class LinkedInAdsSource:
    """Reads LinkedIn campaigns and daily campaign analytics as raw-table batches.

    Settings come from the environment (see settings.py); keyword overrides replace
    single fields (`LinkedInAdsSource(base_url=..., ad_account_ids=("5",))`). A
    missing token fails here, before any request, with LinkedInAuthError naming
    LINKEDIN_ACCESS_TOKEN. `now` returns the current time; only tests change it.
    """

    def __init__(self, settings: LinkedInAdsSettings | None = None, *,
                 now: Callable[[], datetime] | None = None, **overrides: Any):
        s = settings or LinkedInAdsSettings.from_env()
        if "ad_account_ids" in overrides:
            overrides["ad_account_ids"] = _settings.normalize_account_ids(overrides["ad_account_ids"],
                                                                          "ad_account_ids")
        s = replace(s, **overrides) if overrides else s
        if s.missing():
            raise LinkedInAuthError(_settings.missing_message(s.missing()))
        self.settings = s
        self._now = now or (lambda: datetime.now(timezone.utc))
        session = retrying_session(s.max_attempts, s.backoff_factor, timeout=REQUEST_TIMEOUT_SECONDS)
        headers = {"LinkedIn-Version": s.version, "X-Restli-Protocol-Version": "2.0.0"}
        self._client = RESTClient(base_url=f"{s.base_url}/rest", headers=headers,
                                  auth=BearerTokenAuth(token=s.access_token), session=session)
        self._hooks = {"response": [make_response_check(s.access_token)]}
        self._accounts: dict[str, Account] = {}

    def __repr__(self) -> str:
        return f"LinkedInAdsSource({self.settings!r})"

    # --- public ---------------------------------------------------------------------

    def read(self, stream: str, since: str | None) -> Iterator[Batch]:
        """Yield batches of raw rows for `stream` (one of STREAMS), account by account.

        "performance": one batch per adAnalytics request (pivot CAMPAIGN, daily) of at
        most LINKEDIN_WINDOW_DAYS days, for the days `window` gives
        (LINKEDIN_START_DATE on a first run, else `since` minus LINKEDIN_LOOKBACK_DAYS,
        to yesterday UTC). "campaigns": every campaign, read in full (`since` is
        ignored). Commit a cursor only once the generator is exhausted.
        """
        if stream not in STREAMS:
            raise ValueError(f"unknown LinkedIn stream {stream!r}: expected one of {', '.join(STREAMS)}")
        for account_id in self.settings.ad_account_ids:
            account = self.account(account_id)
            if stream == "campaigns":
                yield from self._campaigns(account)
                continue
            window = self.window(account_id, since)
            if window is None:
                continue
            for first, last in date_chunks(*window, self.settings.window_days):
                body = self._client.get(f"{self._client.base_url}/adAnalytics?{analytics_query(account_id, first, last)}",
                                        hooks=self._hooks).json()
                rows = [analytics_row(element, account) for element in body.get("elements") or []]
                if rows:
                    yield {PERFORMANCE_TABLE: rows}

    def account(self, account_id: str) -> Account:
        """The ad account's currency (one request, then cached); days are UTC."""
        if account_id not in self._accounts:
            body = self._client.get(f"adAccounts/{account_id}", hooks=self._hooks).json()
            self._accounts[account_id] = account_from(body, account_id)
        return self._accounts[account_id]

    def window(self, account_id: str, since: str | None) -> tuple[date, date] | None:
        """The days a performance read covers for this account, or None if none."""
        s = self.settings
        return report_window(since, start_date=s.start_date, lookback_days=s.lookback_days, now=self._now(),
                             timezone_name=self.account(account_id).timezone)

    # --- campaigns ------------------------------------------------------------------

    def _campaigns(self, account: Account) -> Iterator[Batch]:
        pages = self._client.paginate(f"adAccounts/{account.account_id}/adCampaigns",
                                      params={"q": "search", "pageSize": self.settings.page_size},
                                      paginator=campaign_paginator(), data_selector="elements", hooks=self._hooks)
        for page in pages:
            rows = [campaign_row(element, account) for element in page]
            if rows:
                yield {CAMPAIGNS_TABLE: rows}
