"""Settings of the Google Ads connector, read from the environment in one place.

Everything is read when a source is built, never at import time, so tests and the
demo can set the environment (or pass arguments) after importing the package.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from connectors._shared.settings import Env, SettingsError
from connectors.ad_platforms.settings import AdPlatformSettings

DEFAULT_BASE_URL = "https://googleads.googleapis.com"
# Google's recommended version for new integrations as of late 2026 (sunset planned
# for November 2027). Major versions live about a year: bump it when Google announces
# the sunset (https://developers.google.com/google-ads/api/docs/sunset-dates).
DEFAULT_API_VERSION = "v26"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"
# The one OAuth scope the Google Ads API has; the refresh token must carry it.
REQUIRED_SCOPE = "https://www.googleapis.com/auth/adwords"
CREDENTIAL_VARIABLES = (
    "GOOGLE_ADS_DEVELOPER_TOKEN", "GOOGLE_ADS_CLIENT_ID", "GOOGLE_ADS_CLIENT_SECRET",
    "GOOGLE_ADS_REFRESH_TOKEN", "GOOGLE_ADS_CUSTOMER_IDS",
)


def missing_message(names: list[str]) -> str:
    return (
        f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} not set: export the Google Ads developer "
        "token, the OAuth client id and secret, a refresh token with the scope "
        f"{REQUIRED_SCOPE} and the customer ids to read (see connectors/google_ads/README.md), "
        "or run with --source demo"
    )


@dataclass(frozen=True)
class GoogleAdsSettings(AdPlatformSettings):
    """The connector's configuration (after the shared fields of AdPlatformSettings);
    `from_env` documents each variable."""

    developer_token: str | None
    client_id: str | None
    client_secret: str | None
    refresh_token: str | None
    customer_ids: tuple[str, ...]
    login_customer_id: str | None
    api_version: str
    base_url: str
    token_url: str

    def __repr__(self) -> str:
        # Secrets must never reach a log line, even through a debug repr.
        def shown(value):
            return "set" if value else "not set"
        return (
            f"GoogleAdsSettings(developer_token={shown(self.developer_token)}, client_id={shown(self.client_id)}, "
            f"client_secret={shown(self.client_secret)}, refresh_token={shown(self.refresh_token)}, "
            f"customer_ids={self.customer_ids!r}, login_customer_id={self.login_customer_id!r}, "
            f"api_version={self.api_version!r}, base_url={self.base_url!r}, start_date={self.start_date}, "
            f"lookback_days={self.lookback_days})"
        )

    def missing(self) -> list[str]:
        """The credential variables that are not set (empty when the source can run)."""
        values = (self.developer_token, self.client_id, self.client_secret, self.refresh_token, self.customer_ids)
        return [name for name, value in zip(CREDENTIAL_VARIABLES, values) if not value]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GoogleAdsSettings:
        """Read the settings from the environment (or `env`).

        GOOGLE_ADS_DEVELOPER_TOKEN: the developer token of your Google Ads API access
          (API Center of a manager account), sent as the developer-token header.
        GOOGLE_ADS_CLIENT_ID, GOOGLE_ADS_CLIENT_SECRET: the OAuth client (Google Cloud).
        GOOGLE_ADS_REFRESH_TOKEN: a refresh token for that client with the adwords scope;
          access tokens are obtained from it at https://oauth2.googleapis.com/token.
        GOOGLE_ADS_CUSTOMER_IDS: comma-separated customer (account) ids, dashes allowed.
        GOOGLE_ADS_LOGIN_CUSTOMER_ID: the manager account the token reaches them through
          (login-customer-id header); unset when the accounts are accessed directly.
        GOOGLE_ADS_API_VERSION: default v26. GOOGLE_ADS_BASE_URL: default
          https://googleads.googleapis.com. GOOGLE_ADS_TOKEN_URL: the OAuth token endpoint.
        GOOGLE_ADS_START_DATE: first day a first run reads, default 2026-01-01.
        GOOGLE_ADS_LOOKBACK_DAYS: days before the cursor re-read every run, default 7.
        GOOGLE_ADS_MAX_ATTEMPTS (default 5), GOOGLE_ADS_BACKOFF_FACTOR (seconds, default 1).
        """
        env = Env(env)
        return cls(
            **AdPlatformSettings.common(env, "GOOGLE_ADS_"),
            developer_token=env.text("GOOGLE_ADS_DEVELOPER_TOKEN"),
            client_id=env.text("GOOGLE_ADS_CLIENT_ID"),
            client_secret=env.text("GOOGLE_ADS_CLIENT_SECRET"),
            refresh_token=env.text("GOOGLE_ADS_REFRESH_TOKEN"),
            customer_ids=normalize_customer_ids(env.list("GOOGLE_ADS_CUSTOMER_IDS"), "GOOGLE_ADS_CUSTOMER_IDS"),
            login_customer_id=(normalize_customer_ids(env.list("GOOGLE_ADS_LOGIN_CUSTOMER_ID"),
                                                      "GOOGLE_ADS_LOGIN_CUSTOMER_ID") or (None,))[0],
            api_version=env.text("GOOGLE_ADS_API_VERSION", DEFAULT_API_VERSION),
            base_url=env.text("GOOGLE_ADS_BASE_URL", DEFAULT_BASE_URL).rstrip("/"),
            token_url=env.text("GOOGLE_ADS_TOKEN_URL", DEFAULT_TOKEN_URL),
        )


def normalize_customer_ids(ids, variable: str) -> tuple[str, ...]:
    """Customer ids without dashes ('123-456-7890' -> '1234567890'); digits only."""
    out = []
    for raw in ids:
        cid = str(raw).replace("-", "").strip()
        if not re.fullmatch(r"\d{1,20}", cid):
            raise SettingsError(f"{variable}: {raw!r} is not a Google Ads customer id (digits, e.g. 123-456-7890)")
        out.append(cid)
    return tuple(out)
