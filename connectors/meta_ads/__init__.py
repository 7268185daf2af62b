"""The Meta ads connector: daily ad insights and campaigns, through the Marketing API.

`MetaAdsSource.read(stream, since)` yields batches mapping raw table names (see
`connectors._ads_shared.tables.ADS_API_TABLES`) to rows. It does not write anywhere:
the loader lands the batches, merges by key and keeps the cursor. Short ranges are
read from the insights edge page by page; long ones through an asynchronous report
run. HTTP plumbing (session, paging, retries with backoff, Retry-After) is dlt's
REST client. See README.md for endpoints, permissions, costs and limits.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Any

from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth

from connectors._ads_shared.helpers import REQUEST_TIMEOUT_SECONDS, Account, Batch, report_window
from connectors._shared.http import retrying_session
from connectors._ads_shared.tables import CAMPAIGNS_TABLE, PERFORMANCE_TABLE

from . import settings as _settings
from .helpers import (
    ACCOUNT_FIELDS,
    AD_FIELDS,
    CAMPAIGN_FIELDS,
    INSIGHTS_FIELDS,
    PLATFORM,
    MetaAPIError,
    MetaAuthError,
    MetaReportFailed,
    account_from,
    campaign_row,
    first_creatives,
    insights_row,
    make_response_check,
    next_link_paginator,
)
from .settings import MetaAdsSettings, SettingsError

__all__ = [
    "PLATFORM",
    "STREAMS",
    "TABLES_BY_STREAM",
    "MetaAPIError",
    "MetaAdsSettings",
    "MetaAdsSource",
    "MetaAuthError",
    "MetaReportFailed",
    "SettingsError",
]

STREAMS = ("campaigns", "performance")
TABLES_BY_STREAM: dict[str, tuple[str, ...]] = {
    "campaigns": (CAMPAIGNS_TABLE,),
    "performance": (PERFORMANCE_TABLE,),
}
_DONE, _FAILED = "Job Completed", ("Job Failed", "Job Skipped")


class MetaAdsSource:
    """Reads Meta campaigns and daily ad insights as raw-table batches.

    Settings come from the environment (see settings.py); keyword overrides replace
    single fields (`MetaAdsSource(base_url=..., ad_account_ids=("123",))`). A missing
    token fails here, before any request, with MetaAuthError naming META_ACCESS_TOKEN.
    `now` returns the current time and `sleep` waits between report polls; only
    tests change them.
    """

    def __init__(self, settings: MetaAdsSettings | None = None, *, now: Callable[[], datetime] | None = None,
                 sleep: Callable[[float], None] = time.sleep, **overrides: Any):
        s = settings or MetaAdsSettings.from_env()
        if "ad_account_ids" in overrides:
            overrides["ad_account_ids"] = _settings.normalize_account_ids(overrides["ad_account_ids"],
                                                                          "ad_account_ids")
        s = replace(s, **overrides) if overrides else s
        if s.missing():
            raise MetaAuthError(_settings.missing_message(s.missing()))
        self.settings = s
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._sleep = sleep
        session = retrying_session(s.max_attempts, s.backoff_factor, timeout=REQUEST_TIMEOUT_SECONDS)
        self._client = RESTClient(base_url=f"{s.base_url}/{s.api_version}",
                                  auth=BearerTokenAuth(token=s.access_token), session=session)
        self._hooks = {"response": [make_response_check(s.access_token)]}
        self._accounts: dict[str, Account] = {}

    def __repr__(self) -> str:
        return f"MetaAdsSource({self.settings!r})"

    # --- public ---------------------------------------------------------------------

    def read(self, stream: str, since: str | None) -> Iterator[Batch]:
        """Yield batches of raw rows for `stream` (one of STREAMS), account by account.

        "performance": one batch per page of ad-level daily insights for the days
        `window` gives (META_START_DATE on a first run, else `since` minus
        META_LOOKBACK_DAYS, to yesterday in the account's time zone); ranges longer
        than META_ASYNC_THRESHOLD_DAYS go through an async report run. "campaigns":
        every campaign with the URL tags of its first ad, read in full (`since` is
        ignored). Commit a cursor only once the generator is exhausted.
        """
        if stream not in STREAMS:
            raise ValueError(f"unknown Meta stream {stream!r}: expected one of {', '.join(STREAMS)}")
        for account_id in self.settings.ad_account_ids:
            account = self.account(account_id)
            if stream == "campaigns":
                yield from self._campaigns(account)
                continue
            window = self.window(account_id, since)
            if window is None:
                continue
            for page in self._insights(account_id, *window):
                rows = [insights_row(item, account, self.settings.conversion_action_types) for item in page]
                if rows:
                    yield {PERFORMANCE_TABLE: rows}

    def account(self, account_id: str) -> Account:
        """The ad account's currency and time zone (one request, then cached)."""
        if account_id not in self._accounts:
            body = self._client.get(f"act_{account_id}", params={"fields": ACCOUNT_FIELDS}, hooks=self._hooks).json()
            self._accounts[account_id] = account_from(body, account_id)
        return self._accounts[account_id]

    def window(self, account_id: str, since: str | None) -> tuple[date, date] | None:
        """The days a performance read covers for this account, or None if none."""
        s = self.settings
        return report_window(since, start_date=s.start_date, lookback_days=s.lookback_days, now=self._now(),
                             timezone_name=self.account(account_id).timezone)

    # --- insights -------------------------------------------------------------------

    def _insights_params(self, first: date, last: date) -> dict[str, Any]:
        return {
            "level": "ad",
            "time_increment": 1,
            "time_range": json.dumps({"since": first.isoformat(), "until": last.isoformat()},
                                     separators=(",", ":")),
            "fields": ",".join(INSIGHTS_FIELDS),
            "limit": self.settings.page_size,
        }

    def _insights(self, account_id: str, first: date, last: date) -> Iterator[list[dict]]:
        params = self._insights_params(first, last)
        if (last - first).days + 1 <= self.settings.async_threshold_days:
            yield from self._paginate(f"act_{account_id}/insights", params)
            return
        run = self._client.post(f"act_{account_id}/insights", params=params, hooks=self._hooks).json()
        report_run_id = str(run.get("report_run_id") or "")
        if not report_run_id:
            raise MetaReportFailed(f"Meta did not start an insights report run for act_{account_id}: {run}")
        self._wait_for(report_run_id, account_id)
        yield from self._paginate(f"{report_run_id}/insights", {"limit": self.settings.page_size})

    def _wait_for(self, report_run_id: str, account_id: str) -> None:
        """Poll an async report run until Job Completed (100%); fail on Job Failed/Skipped or timeout."""
        deadline = time.monotonic() + self.settings.async_timeout_seconds
        while True:
            run = self._client.get(report_run_id, hooks=self._hooks).json()
            status, percent = run.get("async_status"), run.get("async_percent_completion")
            if status == _DONE and int(percent or 0) >= 100:
                return
            if status in _FAILED:
                reason = run.get("error_message") or run.get("error_user_msg") or "no reason given"
                raise MetaReportFailed(f"Meta insights report run {report_run_id} for act_{account_id} ended as "
                                       f"{status}: {reason}; the next run tries again", code=run.get("error_code"))
            if time.monotonic() > deadline:
                raise MetaReportFailed(
                    f"Meta insights report run {report_run_id} for act_{account_id} is still {status} "
                    f"({percent}%) after {self.settings.async_timeout_seconds:.0f} s: raise "
                    "META_ASYNC_TIMEOUT_SECONDS, or lower META_START_DATE's distance for the first run")
            self._sleep(self.settings.async_poll_seconds)

    # --- campaigns ------------------------------------------------------------------

    def _campaigns(self, account: Account) -> Iterator[Batch]:
        limit = self.settings.page_size
        ads = [ad for page in self._paginate(f"act_{account.account_id}/ads", {"fields": AD_FIELDS, "limit": limit})
               for ad in page]
        creatives = first_creatives(ads)
        params = {"fields": ",".join(CAMPAIGN_FIELDS), "limit": limit}
        for page in self._paginate(f"act_{account.account_id}/campaigns", params):
            rows = [campaign_row(c, account, creatives.get(str(c.get("id")))) for c in page]
            if rows:
                yield {CAMPAIGNS_TABLE: rows}

    # --- HTTP -----------------------------------------------------------------------

    def _paginate(self, path: str, params: dict[str, Any]) -> Iterator[list[dict]]:
        pages = self._client.paginate(path, params=params, paginator=next_link_paginator(), data_selector="data",
                                      hooks=self._hooks)
        for page in pages:
            yield list(page)
