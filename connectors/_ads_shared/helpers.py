"""What the Google Ads, Meta and LinkedIn connectors share: errors, the retrying session,
report windows, row shaping and UTM parsing.

The HTTP plumbing is dlt's (`dlt.sources.helpers.requests.Client`: session, timeouts,
exponential backoff, Retry-After). Each connector's response hook turns its platform's
error bodies into the errors below; whether an error is retried is decided by its
`retryable` flag, not by the status alone, because Meta reports throttling as a 400
and Google reports a failure inside a 200 stream.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dlt.sources.helpers.requests import Client
from requests import HTTPError, Response, Session

from .tables import ADS_BY_NAME

REQUEST_TIMEOUT_SECONDS = 120.0
# Longest wait between two attempts, whatever Retry-After or the backoff asks for: a
# nightly load should fail and alert rather than sleep for the five minutes dlt allows.
MAX_RETRY_DELAY_SECONDS = 60.0
DEFAULT_START_DATE = "2026-01-01"
DEFAULT_LOOKBACK_DAYS = 7
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF_FACTOR = 1.0
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")

Batch = dict[str, list[dict[str, str | None]]]


# --- Errors ----------------------------------------------------------------------------


class AdsAuthError(RuntimeError):
    """The platform refused the credentials (or none are configured). Never retried.

    The message names the environment variable to fix and never contains a secret.
    """


class AdsAPIError(HTTPError):
    """The platform answered with an error (after retries, when `retryable`).

    A `requests.HTTPError` carrying the response, so dlt's retry wait can read its
    Retry-After header. `code` is the platform's own error code or status name.
    """

    def __init__(self, message: str, response: Response | None = None, *, retryable: bool = False,
                 code: Any = None):
        super().__init__(message, response=response)
        self.status = response.status_code if response is not None else None
        self.retryable = retryable
        self.code = code


class AdsUnreadableResponse(AdsAPIError):
    """A successful status with a body that is not complete JSON (cut by a proxy)."""

    def __init__(self, message: str, response: Response | None = None):
        super().__init__(message, response, retryable=True)


class AdsSettingsError(ValueError):
    """An environment variable of an ads connector has a value it cannot use."""


def is_retryable(response: Response | None, exception: BaseException | None) -> bool:
    """Retry predicate for dlt's client: the response hook decided, on the error it raised."""
    return isinstance(exception, AdsAPIError) and exception.retryable


def retrying_session(max_attempts: int, backoff_factor: float) -> Session:
    """A requests session from dlt's Client: timeouts, backoff, Retry-After honoured.

    Status codes alone trigger nothing (`status_codes=()`): the connector's response
    hook raises an AdsAPIError whose `retryable` flag decides. Dropped connections and
    timeouts are retried as dlt does by default.
    """
    return Client(
        request_timeout=REQUEST_TIMEOUT_SECONDS,
        raise_for_status=False,
        status_codes=(),
        request_max_attempts=max_attempts,
        request_backoff_factor=backoff_factor,
        request_max_retry_delay=MAX_RETRY_DELAY_SECONDS,
        respect_retry_after_header=True,
        retry_condition=is_retryable,
    ).session


def json_body(response: Response) -> Any:
    """The parsed body, or None when it is not JSON (an error page from a proxy)."""
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


def require_json(response: Response, platform: str) -> Any:
    """The parsed body of a successful answer; AdsUnreadableResponse (retried) if cut."""
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        path = response.request.path_url.split("?")[0] if response.request is not None else ""
        raise AdsUnreadableResponse(
            f"{platform} {path} answered {response.status_code} with a body that is not complete JSON",
            response=response) from None


def redact(value: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if secret:
            value = value.replace(secret, "***")
    return value


def set_retry_after(response: Response, seconds: float) -> None:
    """Give dlt's wait a Retry-After when the platform put the delay in the body instead."""
    if not response.headers.get("Retry-After"):
        response.headers["Retry-After"] = str(max(1, int(seconds + 0.999)))


# --- Values ----------------------------------------------------------------------------


def text(value: Any) -> str | None:
    """Stringify an API value as the raw layer stores it: str or None.

    Booleans become 'true'/'false', whole floats lose their '.0', lists and objects
    become JSON; an empty string is None.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    result = str(value)
    return result if result != "" else None


def decimal_text(value: Any) -> str | None:
    """A number as a plain decimal string without trailing zeros ('12.50' -> '12.5')."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return text(value)
    if not number.is_finite():
        return text(value)
    result = format(number.normalize(), "f")
    return "0" if result in ("-0", "") else result


def micros_text(micros: Any) -> str | None:
    """Google's cost_micros (millionths of the account currency) as a decimal string."""
    if micros is None or micros == "":
        return None
    return decimal_text(Decimal(str(micros)).scaleb(-6))


def snake(name: str) -> str:
    """A column name for an API field path: 'metrics.videoViews' -> 'metrics_video_views'."""
    name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def flatten(obj: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Leaf values of nested objects by dotted path; lists stay whole (stored as JSON)."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, path + "."))
        else:
            out[path] = value
    return out


def shaped_row(table: str, values: Mapping[str, Any], extras: Mapping[str, Any] | None = None) -> dict[str, str | None]:
    """A raw row of `table`: every column present, values text or None.

    `extras` are API fields the connector does not map (a field the platform started
    sending, a metric asked for on top): they are kept as further columns named by
    `snake`, prefixed `api_` if the name is already a column of the table.
    """
    columns = ADS_BY_NAME[table].columns
    row: dict[str, str | None] = dict.fromkeys(columns)
    for column, value in values.items():
        if column not in row:
            raise KeyError(f"{column!r} is not a column of {table}")
        row[column] = value if value is None or isinstance(value, str) else text(value)
    for name, value in (extras or {}).items():
        column = snake(name)
        if column:
            row[f"api_{column}" if column in columns else column] = text(value)
    return row


def iso_utc(value: Any) -> str | None:
    """A timestamp (ISO 8601 with any offset, or epoch milliseconds) as ISO 8601 UTC 'Z'."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        at = datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    else:
        raw = str(value).strip()
        if raw.isdigit():
            at = datetime.fromtimestamp(int(raw) / 1000, tz=timezone.utc)
        else:
            # Meta writes offsets without a colon (+0000); fromisoformat wants +00:00.
            raw = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", raw.replace("Z", "+00:00"))
            at = datetime.fromisoformat(raw)
            at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- UTMs ------------------------------------------------------------------------------


def utm_params(*sources: str | None, macros: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """utm_source, utm_medium and utm_campaign read from URLs or query-string tags.

    Sources are tried in order and the first that sets a parameter wins, so pass the
    most specific first (tags appended to every click before the landing page URL).
    Platform macros in a value (Meta's {{campaign.name}}, Google's {campaignid}) are
    replaced from `macros` when known, and left as written otherwise.
    """
    found: dict[str, str | None] = dict.fromkeys(UTM_KEYS)
    for source in sources:
        if not source:
            continue
        if "?" in source:
            query = source.split("?", 1)[1].split("#", 1)[0]
        else:
            query = "" if "://" in source else source
        for key, value in parse_qsl(query, keep_blank_values=False):
            key = key.strip().lower()
            if key in found and found[key] is None and value:
                for macro, replacement in (macros or {}).items():
                    value = value.replace(macro, replacement)
                found[key] = value
    return found


# --- Report windows --------------------------------------------------------------------


def to_date(value: str | date | datetime) -> date:
    """A date from 'YYYY-MM-DD', an ISO timestamp (its own date part) or a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = str(value).strip()
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def report_window(since: str | date | None, *, start_date: date, lookback_days: int, now: datetime,
                  timezone_name: str | None) -> tuple[date, date] | None:
    """The days to read for one account: (first, last), or None when there is nothing.

    The last day is yesterday in the account's time zone (today is still moving). The
    first is `start_date` on a first run; afterwards the cursor (the last day loaded)
    minus `lookback_days`, because platforms restate recent days (late conversions,
    invalid-click refunds); never before `start_date`.
    """
    local_today = now.astimezone(zone(timezone_name)).date()
    last = local_today - timedelta(days=1)
    first = start_date if since is None else max(start_date, to_date(since) - timedelta(days=lookback_days))
    return (first, last) if first <= last else None


def date_chunks(first: date, last: date, days: int) -> Iterator[tuple[date, date]]:
    """Consecutive windows of at most `days` days covering first..last."""
    start = first
    while start <= last:
        end = min(last, start + timedelta(days=days - 1))
        yield start, end
        start = end + timedelta(days=1)


@dataclass(frozen=True)
class Account:
    """An ad account as the rows need it: id, currency and reporting time zone."""

    account_id: str
    currency_code: str | None
    timezone: str | None
    name: str | None = None


# --- Settings --------------------------------------------------------------------------


def env_text(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    return (env.get(name) or "").strip() or default


def env_list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list (spaces and empty items ignored)."""
    return tuple(item.strip() for item in (env.get(name) or "").split(",") if item.strip())


def env_number(env: Mapping[str, str], name: str, default, kind, *, minimum):
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise AdsSettingsError(f"{name}={raw!r} is not a {kind.__name__}: unset it or give a number") from None
    if value < minimum:
        raise AdsSettingsError(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_date(env: Mapping[str, str], name: str, default: str) -> date:
    raw = (env.get(name) or "").strip() or default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise AdsSettingsError(f"{name}={raw!r} is not a date: give YYYY-MM-DD, e.g. 2026-01-01") from None


def environ(given: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if given is None else given
