"""API values as the raw layer stores them: text or None, every connector alike.

Every raw column is text (staging types it), so each connector turns the values an
API returns into strings the same way: `text` for any value, `decimal_text` for
amounts, `iso_utc` for timestamps, and `flatten` / `snake` to name the leaves of a
nested object as columns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any


def text(value: Any) -> str | None:
    """Stringify an API value as the raw layer stores it: str or None.

    Booleans become 'true'/'false', whole floats lose their '.0' (12000.0 -> '12000'),
    lists and objects become JSON with sorted keys; an empty string is None (HubSpot
    returns "" for a cleared property). Strings, dates and times an API sends as text
    stay exactly as sent.
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
