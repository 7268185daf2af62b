"""A local LinkedIn Marketing API on 127.0.0.1 serving the demo world's canonical ads
tables.

`LinkedInAdsServer`: GET /rest/adAccounts/{id}, /rest/adAccounts/{id}/adCampaigns
(q=search, pageSize, pageToken -> metadata.nextPageToken) and /rest/adAnalytics
(q=analytics, pivot=CAMPAIGN, timeGranularity=DAILY, Rest.li dateRange and
accounts=List(encoded URNs), fields; no paging, as LinkedIn). Needs the
LinkedIn-Version and X-Restli-Protocol-Version: 2.0.0 headers (426 for an
inactive version); errors are {status, serviceErrorCode, code, message}.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

from connectors.demo.fakes.ad_platforms import AdPlatformFake, cursor_offset, offset_cursor
from connectors.demo.fakes.base import Reply, Request


def _num(value: Decimal) -> int | float:
    """A Decimal as the JSON number an API would write (whole numbers without '.0')."""
    return int(value) if value == value.to_integral_value() else float(value)


_LI_METRICS = {"impressions", "clicks", "costInLocalCurrency", "costInUsd", "externalWebsiteConversions",
               "conversionValueInLocalCurrency", "landingPageClicks", "oneClickLeads"}
_LI_DATE = r"\(year:(\d{4}),month:(\d{1,2}),day:(\d{1,2})\)"
_LI_RANGE = re.compile(rf"^\(start:{_LI_DATE},end:{_LI_DATE}\)$")
_LI_ACCOUNTS = re.compile(r"^List\((urn%3Ali%3AsponsoredAccount%3A\d+(?:,urn%3Ali%3AsponsoredAccount%3A\d+)*)\)$")


def _li_error(status: int, message: str, code: str | None = None, service_code: int | None = None) -> dict:
    body: dict[str, Any] = {"status": status, "message": message}
    if code:
        body["code"] = code
    if service_code is not None:
        body["serviceErrorCode"] = service_code
    return body


class LinkedInAdsServer(AdPlatformFake):
    """A fake LinkedIn Marketing API (versioned /rest endpoints) for one ad account.

    `versions` are the LinkedIn-Version values it accepts (others answer 426). The
    canonical ad groups and ads are summed to campaigns, the grain of pivot=CAMPAIGN.
    """

    platform = "linkedin_ads"
    default_account_id = "507515057"

    def __init__(self, tables: Mapping[str, Sequence[Mapping[str, Any]]], *, token: str = "demo-linkedin-token",
                 account_id: str | None = None, versions: Sequence[str] = ("202608",), currency: str | None = None,
                 account_name: str = "Brightwave ABM"):
        super().__init__(tables, account_id=account_id, currency=currency, timezone_name="UTC",
                         account_name=account_name)
        self.token = token
        self.versions = tuple(versions)

    def _failure_body(self, status: int, retry_after: float | None) -> Any:
        if status == 429:
            return _li_error(429, "Resource level throttle APPLICATION DAY limit for calls to this resource is "
                                  "reached.", "TOO_MANY_REQUESTS", 101)
        if status == 401:
            return _li_error(401, "The token used in the request has expired", "EXPIRED_ACCESS_TOKEN", 65601)
        if status == 403:
            return _li_error(403, "Not enough permissions to access: adAnalytics.GET.20260801", "ACCESS_DENIED", 100)
        if status >= 500:
            return _li_error(status, "Internal Server Error")
        return _li_error(status, "Bad request", "BAD_REQUEST")

    # --- routes -------------------------------------------------------------------------

    def _route(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            raise Reply(401, _li_error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600))
        version = request.headers.get("linkedin-version")
        if not version:
            raise Reply(400, _li_error(400, "A version must be present. Please specify a version by adding the "
                                             "LinkedIn-Version header.", "VERSION_MISSING"))
        if version not in self.versions:
            raise Reply(426, _li_error(426, f"Requested version {version} is not active", "NONEXISTENT_VERSION"))
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            raise Reply(400, _li_error(400, "This endpoint requires the header X-Restli-Protocol-Version: 2.0.0",
                                        "ILLEGAL_ARGUMENT"))
        if request.method != "GET":
            raise Reply(405, _li_error(405, f"Method {request.method} is not allowed here"))
        parts = [p for p in request.path.split("/") if p]
        if parts == ["rest", "adAnalytics"]:
            return 200, self._analytics(request.raw_query), {}
        if len(parts) >= 3 and parts[:2] == ["rest", "adAccounts"]:
            if parts[2] != self.account_id:
                raise Reply(403, _li_error(403, f"Not enough permissions to access: urn:li:sponsoredAccount:"
                                                 f"{parts[2]}", "ACCESS_DENIED", 100))
            if len(parts) == 3:
                return 200, self._account(), {}
            if parts[3:] == ["adCampaigns"]:
                return 200, self._campaign_page(request.query), {}
        raise Reply(404, _li_error(404, f"No virtual resource found for {request.path}", "RESOURCE_NOT_FOUND"))

    def _account(self) -> dict:
        return {"id": int(self.account_id), "name": self.account_name, "currency": self.currency, "status": "ACTIVE",
                "type": "BUSINESS", "reference": "urn:li:organization:2414183", "test": False,
                "servingStatuses": ["RUNNABLE"], "notifiedOnCampaignOptimization": False,
                "notifiedOnCreativeApproval": False, "notifiedOnCreativeRejection": False,
                "notifiedOnEndOfCampaign": False, "version": {"versionTag": "4"}}

    def _campaign_page(self, query: dict[str, str]) -> dict:
        if query.get("q") != "search":
            raise Reply(400, _li_error(400, "Missing or invalid finder: q=search is required", "ILLEGAL_ARGUMENT"))
        if "start" in query:
            raise Reply(400, _li_error(400, "Setting a paging start value is not permitted: use pageToken",
                                        "ILLEGAL_ARGUMENT"))
        try:
            size = int(query.get("pageSize") or 100)
        except ValueError:
            raise Reply(400, _li_error(400, "pageSize must be an integer", "ILLEGAL_ARGUMENT")) from None
        if not 1 <= size <= 1000:
            raise Reply(400, _li_error(400, "pageSize must be between 1 and 1000", "ILLEGAL_ARGUMENT"))
        start = cursor_offset(query["pageToken"], lambda m: Reply(400, _li_error(400, m, "ILLEGAL_ARGUMENT"))) \
            if query.get("pageToken") else 0
        campaigns = sorted(self._campaigns.values(), key=lambda c: int(c.campaign_id) if c.campaign_id.isdigit()
                           else 0)
        elements = []
        for campaign in campaigns[start:start + size]:
            created = datetime.combine(campaign.first_day or date(2026, 1, 1), time(9), timezone.utc)
            millis = int(created.timestamp() * 1000)
            elements.append({
                "id": int(campaign.campaign_id) if campaign.campaign_id.isdigit() else campaign.campaign_id,
                "account": f"urn:li:sponsoredAccount:{self.account_id}",
                "campaignGroup": f"urn:li:sponsoredCampaignGroup:{600000000 + len(elements) + start}",
                "name": campaign.name, "status": "ACTIVE", "type": "SPONSORED_UPDATES", "costType": "CPM",
                "format": "SINGLE_IMAGE", "test": False,
                "changeAuditStamps": {"created": {"time": millis}, "lastModified": {"time": millis + 3_600_000}},
            })
        answer: dict[str, Any] = {"paging": {"start": start, "count": size, "links": []}, "elements": elements,
                                  "metadata": {}}
        if start + size < len(campaigns):
            answer["metadata"]["nextPageToken"] = offset_cursor(start + size)
        return answer

    def _analytics(self, raw_query: str) -> dict:
        params: dict[str, str] = {}
        for pair in raw_query.split("&"):
            if not pair:
                continue
            key, _, value = pair.partition("=")
            if key in params:
                raise Reply(400, _li_error(400, f"Parameter {key} is given twice", "ILLEGAL_ARGUMENT"))
            params[key] = value
        expected = {"q": "analytics", "pivot": "CAMPAIGN", "timeGranularity": "DAILY"}
        for key, value in expected.items():
            if params.get(key) != value:
                raise Reply(400, _li_error(400, f"{key} must be {value} here (got {params.get(key)!r})",
                                            "ILLEGAL_ARGUMENT"))
        unknown = set(params) - {*expected, "dateRange", "accounts", "fields"}
        if unknown:
            raise Reply(400, _li_error(400, f"Unknown parameters: {', '.join(sorted(unknown))}", "ILLEGAL_ARGUMENT"))
        span = _LI_RANGE.match(params.get("dateRange", ""))
        if not span:
            raise Reply(400, _li_error(400, "Invalid dateRange: expected Rest.li 2.0 syntax "
                                             "(start:(year:Y,month:M,day:D),end:(year:Y,month:M,day:D))",
                                        "ILLEGAL_ARGUMENT"))
        y1, m1, d1, y2, m2, d2 = (int(v) for v in span.groups())
        first, last = date(y1, m1, d1), date(y2, m2, d2)
        accounts = _LI_ACCOUNTS.match(params.get("accounts", ""))
        if not accounts:
            raise Reply(400, _li_error(400, "Invalid accounts: expected List(...) of URL-encoded "
                                             "urn:li:sponsoredAccount URNs", "ILLEGAL_ARGUMENT"))
        ids = {unquote(urn).rsplit(":", 1)[1] for urn in accounts.group(1).split(",")}
        if self.account_id not in ids:
            return {"paging": {"start": 0, "count": 10, "links": []}, "elements": []}
        fields = [f for f in params.get("fields", "").split(",") if f]
        bad = [f for f in fields if f not in _LI_METRICS and f not in ("dateRange", "pivotValues")]
        if not fields or bad:
            raise Reply(400, _li_error(400, f"Invalid fields: {', '.join(bad) or '(none given)'}", "ILLEGAL_ARGUMENT"))
        if len([f for f in fields if f in _LI_METRICS]) > 20:
            raise Reply(400, _li_error(400, "At most 20 metrics can be requested", "ILLEGAL_ARGUMENT"))
        totals: dict[tuple[date, str], dict[str, Any]] = {}
        for row in self._rows_between(first, last):
            key = (row["date"], row["campaign_id"])
            total = totals.setdefault(key, {"impressions": 0, "clicks": 0, "spend": Decimal(0),
                                            "conversions": Decimal(0)})
            total["impressions"] += row["impressions"]
            total["clicks"] += row["clicks"]
            total["spend"] += row["spend"]
            total["conversions"] += row["conversions"]
        extras = self._extras()
        elements = []
        for (day, campaign_id), total in sorted(totals.items()):
            if not (total["impressions"] or total["spend"]):
                continue
            stamp = {"year": day.year, "month": day.month, "day": day.day}
            values = {
                "dateRange": {"start": stamp, "end": dict(stamp)},
                "pivotValues": [f"urn:li:sponsoredCampaign:{campaign_id}"],
                "impressions": total["impressions"], "clicks": total["clicks"],
                "costInLocalCurrency": format(total["spend"].normalize(), "f"),
                "costInUsd": format(total["spend"].normalize(), "f") if self.currency == "USD" else None,
                "externalWebsiteConversions": _num(total["conversions"]),
                "conversionValueInLocalCurrency": "0", "landingPageClicks": total["clicks"], "oneClickLeads": 0,
            }
            element = {f: values[f] for f in fields if values.get(f) is not None}
            element.update(extras)
            elements.append(element)
        return {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements}
