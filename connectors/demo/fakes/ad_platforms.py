"""What the three ad platform fakes (google_ads, meta_ads, linkedin_ads) share:
AdPlatformFake, a FakeApi serving the demo world's canonical ads tables (CONTRACT.md
section 1: `ads_campaigns` and `ads_ad_performance_daily`, rows of its own platform).

Each platform's fake answers the requests its connector sends, in the platform's
documented shapes, parsing just that subset of its API strictly (anything else is a
400 in the platform's error format). Landing pages are the canonical campaign's
`final_url` when the row has one (an extra column), else the demo site's home page;
UTMs go where each platform keeps them (Google's final URL suffix, Meta's creative
url_tags; LinkedIn campaigns have none).

Test controls on every ad platform fake, besides FakeApi's request log and
`fail_next` (body=TRUNCATED serves the real answer cut in half): `restate(day,
factor=...)` changes a day's numbers, as platforms do; `add_field(path, value)` adds a
field the connector did not ask for to every performance result.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from connectors.demo.fakes.base import FakeApi, Reply

SITE = "https://www.brightwave.example/"
CENT = Decimal("0.01")


@dataclass
class Campaign:
    """A canonical campaign as the fakes serve it."""

    campaign_id: str
    name: str | None
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    landing: str
    first_day: date | None = None


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _dec(value: Any) -> Decimal:
    return Decimal(0) if value in (None, "") else Decimal(str(value))


def _int(value: Any) -> int:
    return 0 if value in (None, "") else int(float(value))


def offset_cursor(offset: int) -> str:
    """An opaque paging cursor for the item at `offset`."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def cursor_offset(cursor: str, refuse: Callable[[str], Reply]) -> int:
    """The offset an `offset_cursor` holds; `refuse(message)` is the platform's 400 otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(raw.split(":", 1)[1])
    except (ValueError, IndexError, UnicodeDecodeError):
        raise refuse(f"invalid cursor {cursor!r}") from None


class AdPlatformFake(FakeApi):
    """The canonical ads data of one ad account, and the controls to change it."""

    content_type = "application/json; charset=UTF-8"
    platform = ""
    default_account_id = ""

    def __init__(self, tables: Mapping[str, Sequence[Mapping[str, Any]]], *, account_id: str | None,
                 currency: str | None, timezone_name: str, account_name: str):
        super().__init__()
        self.account_id = str(account_id or self.default_account_id)
        self.timezone = timezone_name
        self.account_name = account_name
        self._extra_fields: dict[str, Any] = {}
        rows = [dict(r) for r in tables.get("ads_ad_performance_daily", ()) if r.get("platform") == self.platform]
        for row in rows:
            row["date"] = _day(row["date"])
            row["campaign_id"] = str(row["campaign_id"])
            for key in ("ad_group_id", "ad_id"):
                row[key] = None if row.get(key) in (None, "") else str(row[key])
            row["spend"] = _dec(row.get("spend"))
            row["conversions"] = _dec(row.get("conversions"))
            row["impressions"], row["clicks"] = _int(row.get("impressions")), _int(row.get("clicks"))
        self._rows = sorted(rows, key=lambda r: (r["date"], r["campaign_id"], r["ad_group_id"] or "",
                                                 r["ad_id"] or ""))
        currencies = {str(r["currency"]) for r in rows if r.get("currency")}
        if len(currencies) > 1 and currency is None:
            raise ValueError(f"{self.platform} rows carry several currencies {sorted(currencies)}: an ad account "
                             "has one; serve each currency from its own server")
        self.currency = currency or next(iter(currencies), "USD")
        first_days: dict[str, date] = {}
        for row in self._rows:
            first_days.setdefault(row["campaign_id"], row["date"])
        self._campaigns: dict[str, Campaign] = {}
        for row in tables.get("ads_campaigns", ()):
            if row.get("platform") != self.platform:
                continue
            cid = str(row["campaign_id"])
            self._campaigns[cid] = Campaign(
                cid, row.get("campaign_name"), row.get("utm_source"), row.get("utm_medium"), row.get("utm_campaign"),
                str(row.get("final_url") or SITE), first_days.get(cid))
        for cid, first in first_days.items():
            self._campaigns.setdefault(cid, Campaign(cid, None, None, None, None, SITE, first))

    # --- test controls --------------------------------------------------------------------

    def restate(self, day: date | str, *, factor: float | str = "1.5", campaign_id: str | None = None) -> int:
        """Change a day's reported numbers, as platforms restate recent days.

        Spend (to the cent), impressions, clicks and conversions of the day's rows
        (of one campaign, if given) are multiplied by `factor`. Returns the rows changed.
        """
        day, scale = _day(day), Decimal(str(factor))
        changed = 0
        with self._lock:
            for row in self._rows:
                if row["date"] != day or (campaign_id is not None and row["campaign_id"] != str(campaign_id)):
                    continue
                row["spend"] = (row["spend"] * scale).quantize(CENT, ROUND_HALF_UP)
                row["conversions"] = (row["conversions"] * scale).quantize(CENT, ROUND_HALF_UP)
                row["impressions"] = int((row["impressions"] * scale).to_integral_value(ROUND_HALF_UP))
                row["clicks"] = int((row["clicks"] * scale).to_integral_value(ROUND_HALF_UP))
                changed += 1
        return changed

    def add_field(self, path: str, value: Any) -> None:
        """Add a field (dotted path in the API's own naming) to every performance result."""
        with self._lock:
            self._extra_fields[path] = value

    def performance_rows(self) -> list[dict]:
        """The canonical rows as currently served (after restatements): copies."""
        with self._lock:
            return [dict(r) for r in self._rows]

    def spend_total(self) -> Decimal:
        """The spend of every canonical row, in the account's currency."""
        return sum((r["spend"] for r in self.performance_rows()), Decimal(0))

    # --- for the platforms' routes -------------------------------------------------------

    def _extras(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._extra_fields)

    def _rows_between(self, first: date, last: date) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self._rows if first <= r["date"] <= last]


def utm_query(campaign: Campaign) -> str | None:
    """The campaign's UTMs as a query string, as platforms keep them on ads."""
    pairs = [(k, v) for k, v in (("utm_source", campaign.utm_source), ("utm_medium", campaign.utm_medium),
                                 ("utm_campaign", campaign.utm_campaign)) if v]
    return urlencode(pairs) if pairs else None
