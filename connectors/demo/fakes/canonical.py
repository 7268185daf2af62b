"""Reading the canonical rows (CONTRACT.md section 1) the CRM fakes translate.

Canonical values arrive as the demo world holds them (datetimes, booleans) or as a
test writes them (ISO strings, 'true', epoch milliseconds); these helpers read them
the same way for every fake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timezone
from typing import Any


def parse_time(value: Any) -> datetime | None:
    """A canonical time as an aware UTC datetime: a datetime, a date (midnight), an ISO
    8601 string (naive means UTC), or epoch milliseconds; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        dt = datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    else:
        raw = str(value).strip()
        if raw.isdigit():
            return datetime.fromtimestamp(int(raw) / 1000, tz=timezone.utc)
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "T", 1))
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "t", "y")
    return bool(value)


def merge_row(rows: list[dict], row: Mapping[str, Any], keys: Sequence[str]) -> tuple[dict, dict]:
    """Merge `row` into the row of `rows` with the same `keys` values, or append a copy,
    as a user editing the CRM would; return (the row now held, what it held before:
    {} for a new row)."""
    wanted = [str(row[k]) for k in keys]
    existing = next((r for r in rows if [str(r.get(k)) for k in keys] == wanted), None)
    if existing is None:
        rows.append(dict(row))
        return rows[-1], {}
    before = dict(existing)
    existing.update(row)
    return existing, before


def key(value: Any) -> str:
    """A canonical code as a lookup key: 'Closed Won' and 'closed-won' are 'closed_won'."""
    return "".join(ch if ch.isalnum() else "_" for ch in ("" if value is None else str(value)).strip().lower())
