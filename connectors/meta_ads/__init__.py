"""The Meta ads connector: daily ad insights and campaigns, through the Marketing API.

`MetaAdsSource.read(stream, since)` yields batches mapping raw table names (see
`connectors.ad_platforms.tables.ADS_API_TABLES`) to rows. It does not write anywhere:
the sync loop lands the batches, merges by key and keeps the cursor. Short ranges are
read from the insights edge page by page; long ones through an asynchronous report
run. HTTP plumbing (session, paging, retries with backoff, Retry-After) is dlt's
REST client. See README.md for endpoints, permissions, costs and limits.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from requests import Session

from connectors._shared.source import Row
from connectors.ad_platforms.helpers import Account
from connectors.ad_platforms.source import AdPlatformSource
from connectors.ad_platforms.tables import platform_tables

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
    "MetaAPIError",
    "MetaAdsSettings",
    "MetaAdsSource",
    "MetaAuthError",
    "MetaReportFailed",
    "SettingsError",
]

_DONE, _FAILED = "Job Completed", ("Job Failed", "Job Skipped")


class MetaAdsSource(AdPlatformSource):
    """Reads Meta campaigns and daily ad insights as raw-table batches.

    "performance": one batch per page of ad-level daily insights (META_START_DATE on a
    first run, else the cursor minus META_LOOKBACK_DAYS, to yesterday in the
    account's time zone); ranges longer than META_ASYNC_THRESHOLD_DAYS go through an
    async report run. "campaigns": every campaign with the URL tags of its first ad.
    `sleep` waits between report polls; only tests change it.
    """

    name = PLATFORM
    tables_by_stream = platform_tables(PLATFORM)
    label = "Meta"
    credentials = "META_*"
    main_credential = "META_ACCESS_TOKEN"
    settings_class = MetaAdsSettings
    auth_error = MetaAuthError
    missing_message = staticmethod(_settings.missing_message)
    account_ids_field = "ad_account_ids"
    normalize_account_ids = staticmethod(_settings.normalize_account_ids)

    def __init__(self, settings: MetaAdsSettings | None = None, *, now: Callable[[], datetime] | None = None,
                 sleep: Callable[[float], None] = time.sleep, **overrides: Any):
        self._sleep = sleep
        super().__init__(settings, now=now, **overrides)

    def _open(self, session: Session) -> None:
        s = self.settings
        self._client = RESTClient(base_url=f"{s.base_url}/{s.api_version}",
                                  auth=BearerTokenAuth(token=s.access_token), session=session)
        self._hooks = {"response": [make_response_check(s.access_token)]}

    def _fetch_account(self, account_id: str) -> Account:
        body = self._client.get(f"act_{account_id}", params={"fields": ACCOUNT_FIELDS}, hooks=self._hooks).json()
        return account_from(body, account_id)

    def _performance_pages(self, account: Account, first: date, last: date) -> Iterator[list[Row]]:
        types = self.settings.conversion_action_types
        for page in self._insights(account.account_id, first, last):
            yield [insights_row(item, account, types) for item in page]

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

    def _campaign_pages(self, account: Account) -> Iterator[list[Row]]:
        limit = self.settings.page_size
        ads = [ad for page in self._paginate(f"act_{account.account_id}/ads", {"fields": AD_FIELDS, "limit": limit})
               for ad in page]
        creatives = first_creatives(ads)
        params = {"fields": ",".join(CAMPAIGN_FIELDS), "limit": limit}
        for page in self._paginate(f"act_{account.account_id}/campaigns", params):
            yield [campaign_row(c, account, creatives.get(str(c.get("id")))) for c in page]

    # --- HTTP -----------------------------------------------------------------------

    def _paginate(self, path: str, params: dict[str, Any]) -> Iterator[list[dict]]:
        pages = self._client.paginate(path, params=params, paginator=next_link_paginator(), data_selector="data",
                                      hooks=self._hooks)
        for page in pages:
            yield list(page)
