"""Settings of the Salesforce connector, read from the environment in one place.

Everything is read when a source is built, never at import time, so tests and the
demo can set the environment (or pass arguments) after importing the package.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from connectors._shared.settings import Env, SettingsError

DEFAULT_API_VERSION = "v61.0"
DEFAULT_LOGIN_URL = "https://login.salesforce.com"
DEFAULT_BATCH_SIZE = 2000
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF_FACTOR = 1.0
DEFAULT_CURSOR_LOOKBACK_MINUTES = 10
REQUEST_TIMEOUT_SECONDS = 120.0

# Salesforce's bounds for `Sforce-Query-Options: batchSize` (records per query page).
BATCH_SIZE_MIN = 200
BATCH_SIZE_MAX = 2000
TOKEN_PATH = "/services/oauth2/token"
# Share of the org's daily API requests above which each read logs a warning.
API_USAGE_WARNING_SHARE = 0.8

# What the connected app (or external client app) needs. `api` reads data;
# `refresh_token` (shown as "Perform requests at any time (refresh_token,
# offline_access)") lets the refresh-token flow renew sessions without a person.
REQUIRED_SCOPES = ("api", "refresh_token")

NOT_CONFIGURED_MESSAGE = (
    "Salesforce is not configured: set SALESFORCE_INSTANCE_URL and SALESFORCE_ACCESS_TOKEN, "
    "or SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET with SALESFORCE_REFRESH_TOKEN "
    "(refresh-token flow) or without it (client-credentials flow, SALESFORCE_LOGIN_URL set to "
    "your My Domain URL); or run with --source demo"
)
MISSING_INSTANCE_MESSAGE = (
    "SALESFORCE_INSTANCE_URL is not set: an access token alone does not say which org to call. "
    "Export the instance URL that came with the token (e.g. https://yourcompany.my.salesforce.com), "
    "or set SALESFORCE_CLIENT_ID / SALESFORCE_CLIENT_SECRET so the token endpoint returns it"
)

_VERSION = re.compile(r"^v?(\d{2,3})\.0$")


@dataclass(frozen=True)
class SalesforceSettings:
    """The connector's configuration; `from_env` documents each variable."""

    instance_url: str | None
    access_token: str | None
    client_id: str | None
    client_secret: str | None
    refresh_token: str | None
    login_url: str
    api_version: str
    start_date: str | None
    batch_size: int
    max_attempts: int
    backoff_factor: float
    extra_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cursor_lookback_minutes: int = DEFAULT_CURSOR_LOOKBACK_MINUTES

    def __repr__(self) -> str:
        # Secrets must never reach a log line, even through a debug repr.
        def shown(value: str | None) -> str:
            return "set" if value else "not set"

        return (
            f"SalesforceSettings(instance_url={self.instance_url!r}, access_token={shown(self.access_token)}, "
            f"client_id={shown(self.client_id)}, client_secret={shown(self.client_secret)}, "
            f"refresh_token={shown(self.refresh_token)}, login_url={self.login_url!r}, "
            f"api_version={self.api_version!r}, start_date={self.start_date!r}, batch_size={self.batch_size}, "
            f"max_attempts={self.max_attempts}, backoff_factor={self.backoff_factor}, "
            f"extra_fields={self.extra_fields!r}, cursor_lookback_minutes={self.cursor_lookback_minutes})"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SalesforceSettings:
        """Read the settings from the environment (or `environ`).

        SALESFORCE_INSTANCE_URL: the org's URL (https://<my domain>.my.salesforce.com, a
          sandbox's https://<my domain>--<sandbox>.sandbox.my.salesforce.com); optional
          when a token flow is configured (the token endpoint returns it).
        SALESFORCE_ACCESS_TOKEN: an OAuth access token (session id) for the instance.
        SALESFORCE_CLIENT_ID / SALESFORCE_CLIENT_SECRET: the connected app's consumer key
          and secret, to obtain and renew tokens.
        SALESFORCE_REFRESH_TOKEN: with the above, use the refresh-token flow; without it,
          the client-credentials flow (the app's "Run As" user).
        SALESFORCE_LOGIN_URL: token endpoint host, default https://login.salesforce.com
          (sandboxes: https://test.salesforce.com; client credentials: your My Domain URL).
        SALESFORCE_API_VERSION: REST API version, default v61.0.
        SALESFORCE_START_DATE: ISO date or time; a first run of leads, contacts,
          opportunities and activities reads only records modified since then. Unset
          (the default): everything the org holds.
        SALESFORCE_BATCH_SIZE: records per query page, 200 to 2000, default 2000.
        SALESFORCE_MAX_ATTEMPTS: attempts per request on 429, 5xx and timeouts, default 5.
        SALESFORCE_BACKOFF_FACTOR: exponential backoff multiplier in seconds, default 1.
        SALESFORCE_EXTRA_FIELDS: further fields to read, `Object.Field` separated by
          commas (e.g. `Lead.Lead_Score__c,Opportunity.Loss_Reason__c`); each lands as
          its snake_case column.
        SALESFORCE_CURSOR_LOOKBACK_MINUTES: minutes an incremental read steps back from
          the saved cursor, default 10: SystemModstamp is stamped when a transaction
          starts, so a record committed just after a read can carry an earlier time.
        """
        env = Env(environ)
        instance = env.text("SALESFORCE_INSTANCE_URL")
        return cls(
            instance_url=instance.rstrip("/") if instance else None,
            access_token=env.text("SALESFORCE_ACCESS_TOKEN"),
            client_id=env.text("SALESFORCE_CLIENT_ID"),
            client_secret=env.text("SALESFORCE_CLIENT_SECRET"),
            refresh_token=env.text("SALESFORCE_REFRESH_TOKEN"),
            login_url=env.text("SALESFORCE_LOGIN_URL", DEFAULT_LOGIN_URL).rstrip("/"),
            api_version=api_version(env.text("SALESFORCE_API_VERSION", DEFAULT_API_VERSION), "SALESFORCE_API_VERSION"),
            start_date=start_date(env.text("SALESFORCE_START_DATE"), "SALESFORCE_START_DATE"),
            batch_size=env.number("SALESFORCE_BATCH_SIZE", DEFAULT_BATCH_SIZE, minimum=1),
            max_attempts=env.number("SALESFORCE_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, minimum=1),
            backoff_factor=env.number("SALESFORCE_BACKOFF_FACTOR", DEFAULT_BACKOFF_FACTOR, float, minimum=0),
            extra_fields=extra_fields(env.text("SALESFORCE_EXTRA_FIELDS"), "SALESFORCE_EXTRA_FIELDS"),
            cursor_lookback_minutes=env.number("SALESFORCE_CURSOR_LOOKBACK_MINUTES", DEFAULT_CURSOR_LOOKBACK_MINUTES,
                                               minimum=0),
        )


def api_version(raw: str, name: str = "api_version") -> str:
    """Normalise `61.0` or `v61.0` to `v61.0`; anything else names the variable."""
    match = _VERSION.match(raw.strip())
    if not match or int(match.group(1)) < 31:
        raise SettingsError(f"{name}={raw!r} is not a Salesforce REST API version like v61.0 (31.0 or later)")
    return f"v{match.group(1)}.0"


def start_date(raw: str | None, name: str = "start_date") -> str | None:
    """A SOQL dateTime literal (UTC, whole seconds) from an ISO date or time, or None."""
    if raw is None:
        return None
    try:
        return soql_datetime(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not an ISO 8601 date or time (e.g. 2024-01-01)") from None


def soql_datetime(value: str | datetime) -> str:
    """Format a time as a SOQL dateTime literal: UTC, floored to whole seconds, `Z`.

    SOQL literals carry no fractional seconds; flooring can only re-read records in the
    cursor's own second, which the merge by key absorbs. Naive times are UTC.
    """
    if isinstance(value, datetime):
        dt = value
    else:
        raw = str(value).strip()
        if not raw:
            raise ValueError("empty timestamp")
        dt = datetime.fromisoformat(raw.replace(" ", "T", 1))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def extra_fields(raw: str | None, name: str = "extra_fields") -> dict[str, tuple[str, ...]]:
    """Parse `Object.Field,Object.Field` into {object: (field, ...)}."""
    found: dict[str, list[str]] = {}
    for item in (raw or "").split(","):
        item = item.strip()
        if not item:
            continue
        obj, _, fld = item.partition(".")
        if not obj or not fld or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?", fld):
            raise SettingsError(f"{name}: {item!r} is not Object.Field (e.g. Lead.Lead_Score__c)")
        found.setdefault(obj, []).append(fld)
    return {obj: tuple(dict.fromkeys(fields)) for obj, fields in found.items()}

