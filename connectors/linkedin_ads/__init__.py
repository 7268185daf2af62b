"""The LinkedIn ads connector: daily campaign analytics and campaigns, through the
LinkedIn Marketing API (versioned /rest endpoints).

`LinkedInAdsSource.read(stream, since)` yields batches mapping raw table names (see
`connectors.ad_platforms.tables.ADS_API_TABLES`) to rows. It does not write anywhere:
the sync loop lands the batches, merges by key and keeps the cursor. HTTP plumbing
(session, paging, retries with backoff, Retry-After) is dlt's REST client. See
README.md for endpoints, scopes, costs and limits.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from requests import Session

from connectors._shared.source import Row
from connectors.ad_platforms.helpers import Account, date_chunks
from connectors.ad_platforms.source import AdPlatformSource
from connectors.ad_platforms.tables import platform_tables

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
    "LinkedInAPIError",
    "LinkedInAdsSettings",
    "LinkedInAdsSource",
    "LinkedInAuthError",
    "SettingsError",
]


class LinkedInAdsSource(AdPlatformSource):
    """Reads LinkedIn campaigns and daily campaign analytics as raw-table batches.

    "performance": one batch per adAnalytics request (pivot CAMPAIGN, daily) of at
    most LINKEDIN_WINDOW_DAYS days (LINKEDIN_START_DATE on a first run, else the
    cursor minus LINKEDIN_LOOKBACK_DAYS, to yesterday UTC). "campaigns": every
    campaign, page by page.
    """

    name = PLATFORM
    tables_by_stream = platform_tables(PLATFORM)
    label = "LinkedIn"
    credentials = "LINKEDIN_*"
    main_credential = "LINKEDIN_ACCESS_TOKEN"
    settings_class = LinkedInAdsSettings
    auth_error = LinkedInAuthError
    missing_message = staticmethod(_settings.missing_message)
    account_ids_field = "ad_account_ids"
    normalize_account_ids = staticmethod(_settings.normalize_account_ids)

    def _open(self, session: Session) -> None:
        s = self.settings
        headers = {"LinkedIn-Version": s.version, "X-Restli-Protocol-Version": "2.0.0"}
        self._client = RESTClient(base_url=f"{s.base_url}/rest", headers=headers,
                                  auth=BearerTokenAuth(token=s.access_token), session=session)
        self._hooks = {"response": [make_response_check(s.access_token)]}

    def _fetch_account(self, account_id: str) -> Account:
        """The ad account's currency; its days are UTC."""
        body = self._client.get(f"adAccounts/{account_id}", hooks=self._hooks).json()
        return account_from(body, account_id)

    def _performance_pages(self, account: Account, first: date, last: date) -> Iterator[list[Row]]:
        for start, end in date_chunks(first, last, self.settings.window_days):
            query = analytics_query(account.account_id, start, end)
            body = self._client.get(f"{self._client.base_url}/adAnalytics?{query}", hooks=self._hooks).json()
            yield [analytics_row(element, account) for element in body.get("elements") or []]

    def _campaign_pages(self, account: Account) -> Iterator[list[Row]]:
        pages = self._client.paginate(f"adAccounts/{account.account_id}/adCampaigns",
                                      params={"q": "search", "pageSize": self.settings.page_size},
                                      paginator=campaign_paginator(), data_selector="elements", hooks=self._hooks)
        for page in pages:
            yield [campaign_row(element, account) for element in page]
