"""Settings of the Meta (Facebook and Instagram) ads connector, read from the environment.

Everything is read when a source is built, never at import time, so tests and the
demo can set the environment (or pass arguments) after importing the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from connectors._shared.settings import Env, SettingsError
from connectors.ad_platforms.settings import AdPlatformSettings

DEFAULT_BASE_URL = "https://graph.facebook.com"
# Released February 2026; Graph API versions live about two years
# (https://developers.facebook.com/docs/graph-api/changelog).
DEFAULT_API_VERSION = "v25.0"
DEFAULT_PAGE_SIZE = 500
# Insights over more days than this go through an asynchronous report run: a
# synchronous ad-level daily read of a long range times out or is refused.
DEFAULT_ASYNC_THRESHOLD_DAYS = 30
DEFAULT_ASYNC_POLL_SECONDS = 5.0
DEFAULT_ASYNC_TIMEOUT_SECONDS = 1800.0
# Meta's "lead" action counts every lead (pixel and on-Facebook forms) once; adding
# its parts (offsite_conversion.fb_pixel_lead, onsite_conversion.lead_grouped) to it
# would count them twice.
DEFAULT_CONVERSION_ACTION_TYPES = ("lead",)
REQUIRED_SCOPES = ("ads_read",)


def missing_message(names: list[str]) -> str:
    return (
        f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} not set: export a Meta access token with the "
        f"permission {', '.join(REQUIRED_SCOPES)} (a system user token of your Business Manager) and the ad "
        "account ids to read (see connectors/meta_ads/README.md), or run with --source demo"
    )


@dataclass(frozen=True)
class MetaAdsSettings(AdPlatformSettings):
    """The connector's configuration (after the shared fields of AdPlatformSettings);
    `from_env` documents each variable."""

    access_token: str | None
    ad_account_ids: tuple[str, ...]
    api_version: str
    base_url: str
    page_size: int
    async_threshold_days: int
    async_poll_seconds: float
    async_timeout_seconds: float
    conversion_action_types: tuple[str, ...]

    def __repr__(self) -> str:
        # The token must never reach a log line, even through a debug repr.
        token = "set" if self.access_token else "not set"
        return (
            f"MetaAdsSettings(access_token={token}, ad_account_ids={self.ad_account_ids!r}, "
            f"api_version={self.api_version!r}, base_url={self.base_url!r}, start_date={self.start_date}, "
            f"lookback_days={self.lookback_days}, async_threshold_days={self.async_threshold_days})"
        )

    def missing(self) -> list[str]:
        return [name for name, value in (("META_ACCESS_TOKEN", self.access_token),
                                         ("META_AD_ACCOUNT_IDS", self.ad_account_ids)) if not value]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> MetaAdsSettings:
        """Read the settings from the environment (or `env`).

        META_ACCESS_TOKEN: an access token with ads_read (a system user token does not
          expire), sent as Authorization: Bearer.
        META_AD_ACCOUNT_IDS: comma-separated ad account ids, with or without 'act_'.
        META_API_VERSION: default v25.0. META_BASE_URL: default https://graph.facebook.com.
        META_START_DATE: first day a first run reads, default 2026-01-01.
        META_LOOKBACK_DAYS: days before the cursor re-read every run, default 7.
        META_PAGE_SIZE: rows per page (limit), default 500.
        META_ASYNC_THRESHOLD_DAYS: longer ranges use an async report run, default 30.
        META_ASYNC_POLL_SECONDS (default 5), META_ASYNC_TIMEOUT_SECONDS (default 1800).
        META_CONVERSION_ACTION_TYPES: comma-separated action types summed into
          conversions, default lead.
        META_MAX_ATTEMPTS (default 5), META_BACKOFF_FACTOR (seconds, default 1).
        """
        env = Env(env)
        return cls(
            **AdPlatformSettings.common(env, "META_"),
            access_token=env.text("META_ACCESS_TOKEN"),
            ad_account_ids=normalize_account_ids(env.list("META_AD_ACCOUNT_IDS"), "META_AD_ACCOUNT_IDS"),
            api_version=env.text("META_API_VERSION", DEFAULT_API_VERSION),
            base_url=env.text("META_BASE_URL", DEFAULT_BASE_URL).rstrip("/"),
            page_size=env.number("META_PAGE_SIZE", DEFAULT_PAGE_SIZE, minimum=1),
            async_threshold_days=env.number("META_ASYNC_THRESHOLD_DAYS", DEFAULT_ASYNC_THRESHOLD_DAYS, minimum=1),
            async_poll_seconds=env.number("META_ASYNC_POLL_SECONDS", DEFAULT_ASYNC_POLL_SECONDS, float, minimum=0),
            async_timeout_seconds=env.number("META_ASYNC_TIMEOUT_SECONDS", DEFAULT_ASYNC_TIMEOUT_SECONDS, float,
                                             minimum=1),
            conversion_action_types=env.list("META_CONVERSION_ACTION_TYPES") or DEFAULT_CONVERSION_ACTION_TYPES,
        )


def normalize_account_ids(ids, variable: str) -> tuple[str, ...]:
    """Ad account ids without the 'act_' prefix ('act_123' -> '123'); digits only."""
    out = []
    for raw in ids:
        account_id = str(raw).strip()
        account_id = account_id[4:] if account_id.lower().startswith("act_") else account_id
        if not account_id.isdigit():
            raise SettingsError(f"{variable}: {raw!r} is not a Meta ad account id (digits, e.g. act_1234567890)")
        out.append(account_id)
    return tuple(out)
