"""Settings of the HubSpot connector, read from the environment in one place.

Everything is read when a source is built, never at import time, so tests and the
demo can set the environment (or pass arguments) after importing the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from connectors._shared.settings import Env, SettingsError  # noqa: F401 (what a bad setting raises)

DEFAULT_BASE_URL = "https://api.hubapi.com"
DEFAULT_PAGE_SIZE = 100
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF_FACTOR = 1.0
DEFAULT_CURSOR_LOOKBACK_MINUTES = 10
REQUEST_TIMEOUT_SECONDS = 60.0

# The private app scopes the connector needs (all read-only). Engagements (calls,
# meetings, emails, notes, tasks) are governed by the contacts scope.
REQUIRED_SCOPES = (
    "crm.objects.contacts.read",
    "crm.objects.companies.read",
    "crm.objects.deals.read",
    "crm.objects.owners.read",
)

MISSING_TOKEN_MESSAGE = (
    "HUBSPOT_TOKEN is not set: export a HubSpot private app token (scopes "
    + ", ".join(REQUIRED_SCOPES)
    + ") or run with --source demo"
)

# Hard limits of the HubSpot API, per request.
LIST_LIMIT_MAX = 100
LIST_WITH_HISTORY_LIMIT_MAX = 50
SEARCH_LIMIT_MAX = 200
SEARCH_RESULT_CAP = 10_000
BATCH_READ_MAX = 100
BATCH_READ_WITH_HISTORY_MAX = 50
ASSOCIATIONS_BATCH_MAX = 100
OWNERS_LIMIT_MAX = 500


@dataclass(frozen=True)
class HubSpotSettings:
    """The connector's configuration; `from_env` documents each variable."""

    token: str | None
    base_url: str
    page_size: int
    max_attempts: int
    backoff_factor: float
    cursor_lookback_minutes: int

    def __repr__(self) -> str:
        # The token must never reach a log line, even through a debug repr.
        token = "set" if self.token else "not set"
        return (
            f"HubSpotSettings(token={token}, base_url={self.base_url!r}, page_size={self.page_size}, "
            f"max_attempts={self.max_attempts}, backoff_factor={self.backoff_factor}, "
            f"cursor_lookback_minutes={self.cursor_lookback_minutes})"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HubSpotSettings:
        """Read the settings from the environment (or `environ`).

        HUBSPOT_TOKEN: private app access token, required for live reads.
        HUBSPOT_BASE_URL: API root, default https://api.hubapi.com (proxies, sandboxes).
        HUBSPOT_PAGE_SIZE: objects per request, default 100; each endpoint caps it at
          its own maximum (50 when property history is asked for).
        HUBSPOT_MAX_ATTEMPTS: attempts per request on 429, 5xx and timeouts, default 5.
        HUBSPOT_BACKOFF_FACTOR: exponential backoff multiplier in seconds, default 1.
        HUBSPOT_CURSOR_LOOKBACK_MINUTES: minutes an incremental read steps back from the
          saved cursor, default 10: HubSpot's search index lags recent edits.
        """
        env = Env(environ)
        return cls(
            token=env.text("HUBSPOT_TOKEN"),
            base_url=env.text("HUBSPOT_BASE_URL", DEFAULT_BASE_URL),
            page_size=env.number("HUBSPOT_PAGE_SIZE", DEFAULT_PAGE_SIZE, minimum=1),
            max_attempts=env.number("HUBSPOT_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, minimum=1),
            backoff_factor=env.number("HUBSPOT_BACKOFF_FACTOR", DEFAULT_BACKOFF_FACTOR, float, minimum=0),
            cursor_lookback_minutes=env.number("HUBSPOT_CURSOR_LOOKBACK_MINUTES", DEFAULT_CURSOR_LOOKBACK_MINUTES,
                                               minimum=0),
        )

