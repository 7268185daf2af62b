"""Settings of the LinkedIn ads connector, read from the environment in one place.

Everything is read when a source is built, never at import time, so tests and the
demo can set the environment (or pass arguments) after importing the package.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from connectors._shared.settings import Env, SettingsError
from connectors.ad_platforms.settings import AdPlatformSettings

DEFAULT_BASE_URL = "https://api.linkedin.com"
# Marketing API versions (LinkedIn-Version: YYYYMM) live one year; bump before the
# sunset LinkedIn announces (https://learn.microsoft.com/linkedin/marketing/versioning).
DEFAULT_VERSION = "202608"
DEFAULT_PAGE_SIZE = 100
PAGE_SIZE_MAX = 1000
# adAnalytics does not page: each request asks for at most this many days.
DEFAULT_WINDOW_DAYS = 30
REQUIRED_SCOPES = ("r_ads", "r_ads_reporting")


def missing_message(names: list[str]) -> str:
    return (
        f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} not set: export a LinkedIn access token with "
        f"the scopes {', '.join(REQUIRED_SCOPES)} and the ad account ids to read (see "
        "connectors/linkedin_ads/README.md), or run with --source demo"
    )


@dataclass(frozen=True)
class LinkedInAdsSettings(AdPlatformSettings):
    """The connector's configuration (after the shared fields of AdPlatformSettings);
    `from_env` documents each variable."""

    access_token: str | None
    ad_account_ids: tuple[str, ...]
    version: str
    base_url: str
    page_size: int
    window_days: int

    def __repr__(self) -> str:
        # The token must never reach a log line, even through a debug repr.
        token = "set" if self.access_token else "not set"
        return (
            f"LinkedInAdsSettings(access_token={token}, ad_account_ids={self.ad_account_ids!r}, "
            f"version={self.version!r}, base_url={self.base_url!r}, start_date={self.start_date}, "
            f"lookback_days={self.lookback_days}, window_days={self.window_days})"
        )

    def missing(self) -> list[str]:
        return [name for name, value in (("LINKEDIN_ACCESS_TOKEN", self.access_token),
                                         ("LINKEDIN_AD_ACCOUNT_IDS", self.ad_account_ids)) if not value]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LinkedInAdsSettings:
        """Read the settings from the environment (or `env`).

        LINKEDIN_ACCESS_TOKEN: a member's OAuth access token with r_ads and
          r_ads_reporting (they last 60 days), sent as Authorization: Bearer.
        LINKEDIN_AD_ACCOUNT_IDS: comma-separated sponsored account ids (or their URNs).
        LINKEDIN_VERSION: the LinkedIn-Version header, YYYYMM, default 202608.
        LINKEDIN_BASE_URL: default https://api.linkedin.com.
        LINKEDIN_START_DATE: first day a first run reads, default 2026-01-01.
        LINKEDIN_LOOKBACK_DAYS: days before the cursor re-read every run, default 7.
        LINKEDIN_PAGE_SIZE: campaigns per page, default 100 (at most 1000).
        LINKEDIN_WINDOW_DAYS: days per adAnalytics request (it does not page), default 30.
        LINKEDIN_MAX_ATTEMPTS (default 5), LINKEDIN_BACKOFF_FACTOR (seconds, default 1).
        """
        env = Env(env)
        version = env.text("LINKEDIN_VERSION", DEFAULT_VERSION)
        if not re.fullmatch(r"\d{6}(\.\d{2})?", version):
            raise SettingsError(f"LINKEDIN_VERSION={version!r} is not a LinkedIn version: give YYYYMM, e.g. "
                                f"{DEFAULT_VERSION}")
        return cls(
            **AdPlatformSettings.common(env, "LINKEDIN_"),
            access_token=env.text("LINKEDIN_ACCESS_TOKEN"),
            ad_account_ids=normalize_account_ids(env.list("LINKEDIN_AD_ACCOUNT_IDS"), "LINKEDIN_AD_ACCOUNT_IDS"),
            version=version,
            base_url=env.text("LINKEDIN_BASE_URL", DEFAULT_BASE_URL).rstrip("/"),
            page_size=min(env.number("LINKEDIN_PAGE_SIZE", DEFAULT_PAGE_SIZE, minimum=1), PAGE_SIZE_MAX),
            window_days=env.number("LINKEDIN_WINDOW_DAYS", DEFAULT_WINDOW_DAYS, minimum=1),
        )


def normalize_account_ids(ids, variable: str) -> tuple[str, ...]:
    """Sponsored account ids without the URN prefix ('urn:li:sponsoredAccount:5' -> '5')."""
    out = []
    for raw in ids:
        account_id = str(raw).strip().rsplit(":", 1)[-1]
        if not account_id.isdigit():
            raise SettingsError(f"{variable}: {raw!r} is not a LinkedIn ad account id (digits, e.g. 507515057)")
        out.append(account_id)
    return tuple(out)
