"""What the Google Ads, Meta and LinkedIn connectors share beyond the HTTP plumbing
(connectors._shared.http): report windows, row shaping and UTM parsing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connectors._shared.values import snake, text

from .tables import ADS_BY_NAME

REQUEST_TIMEOUT_SECONDS = 120.0
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")

# --- Rows ------------------------------------------------------------------------------


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
