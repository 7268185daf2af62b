"""Settings of the HubSpot connector, read from the environment in one place.

Everything is read when a source is built, never at import time, so tests and the
demo can set the environment (or pass arguments) after importing the package.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_BASE_URL = "https://api.hubapi.com"
DEFAULT_PAGE_SIZE = 100
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF_FACTOR = 1.0
# Longest wait between two attempts, whatever Retry-After or the backoff asks for: a
# nightly load should fail and alert rather than sleep for the five minutes dlt allows.
MAX_RETRY_DELAY_SECONDS = 60.0
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


class SettingsError(ValueError):
    """An environment variable of the HubSpot connector has a value it cannot use."""


@dataclass(frozen=True)
class HubSpotSettings:
    """The connector's configuration; `from_env` documents each variable."""

    token: str | None
    base_url: str
    page_size: int
    max_attempts: int
    backoff_factor: float

    def __repr__(self) -> str:
        # The token must never reach a log line, even through a debug repr.
        token = "set" if self.token else "not set"
        return (
            f"HubSpotSettings(token={token}, base_url={self.base_url!r}, page_size={self.page_size}, "
            f"max_attempts={self.max_attempts}, backoff_factor={self.backoff_factor})"
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
        """
        env = os.environ if environ is None else environ
        return cls(
            token=(env.get("HUBSPOT_TOKEN") or "").strip() or None,
            base_url=(env.get("HUBSPOT_BASE_URL") or "").strip() or DEFAULT_BASE_URL,
            page_size=_number(env, "HUBSPOT_PAGE_SIZE", DEFAULT_PAGE_SIZE, int, minimum=1),
            max_attempts=_number(env, "HUBSPOT_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, int, minimum=1),
            backoff_factor=_number(env, "HUBSPOT_BACKOFF_FACTOR", DEFAULT_BACKOFF_FACTOR, float, minimum=0),
        )


def _number(env: Mapping[str, str], name: str, default, kind, *, minimum):
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a {kind.__name__}: unset it or give a number") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}")
    return value
