"""Local Google Ads, Meta Marketing and LinkedIn Marketing APIs on 127.0.0.1, serving the
demo world's canonical ads tables, for the demo and tests.

Each server takes canonical tables (CONTRACT.md section 1: `ads_campaigns` and
`ads_ad_performance_daily`, rows of its own platform) and answers the requests the
matching connector sends, in the platform's documented shapes, parsing just that
subset of each API strictly (anything else is a 400 in the platform's error format):

- `GoogleAdsServer`: POST /token (OAuth refresh-token grant) and
  POST /{version}/customers/{id}/googleAds:searchStream with a GAQL query on
  customer, campaign or ad_group_ad (fields checked per resource; segments.date needs
  a `segments.date BETWEEN 'a' AND 'b'` filter). Answers are a JSON array of batches
  {results, fieldMask, requestId} of at most `batch_size` rows, ids and int64
  metrics as strings, cost in micros, camelCase names, resource names; errors are
  Google's {error: {code, message, status, details: [GoogleAdsFailure]}} wrapped in
  an array. Needs the developer-token header, a bearer token issued by /token, and
  the login-customer-id header when the server is given a manager id.
- `MetaAdsServer`: GET /{version}/act_{id} (fields), GET /{version}/act_{id}/insights
  (level=ad, time_increment=1, time_range, fields, limit; cursor paging with
  paging.cursors and paging.next), the async report run (POST .../insights ->
  report_run_id, GET /{report_run_id} -> async_status / async_percent_completion,
  GET /{report_run_id}/insights), and the campaigns and ads edges. Numbers are
  strings; errors are {error: {message, type, code, error_subcode, fbtrace_id}},
  with an invalid token as code 190 over HTTP 400, as Meta does.
- `LinkedInAdsServer`: GET /rest/adAccounts/{id}, /rest/adAccounts/{id}/adCampaigns
  (q=search, pageSize, pageToken -> metadata.nextPageToken) and /rest/adAnalytics
  (q=analytics, pivot=CAMPAIGN, timeGranularity=DAILY, Rest.li dateRange and
  accounts=List(encoded URNs), fields; no paging, as LinkedIn). Needs the
  LinkedIn-Version and X-Restli-Protocol-Version: 2.0.0 headers (426 for an
  inactive version); errors are {status, serviceErrorCode, code, message}.

Landing pages are the canonical campaign's `final_url` when the row has one (an extra
column), else the demo site's home page; UTMs go where each platform keeps them
(Google's final URL suffix, Meta's creative url_tags; LinkedIn campaigns have none).

Test controls on every server: `request_log` ((method, path, decoded query) per
request) with `request_bodies` and `request_headers`; `fail_next(status, times,
retry_after, body)` (body=TRUNCATED serves the real answer cut in half);
`restate(day, factor=...)` changes a day's numbers, as platforms do; `add_field(path,
value)` adds a field the connector did not ask for to every performance result.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import ROUND_HALF_UP, Decimal
from connectors.demo._loopback import LoopbackServer, send_json
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit


class _Truncated:
    def __repr__(self) -> str:
        return "TRUNCATED"


# Pass as `body=TRUNCATED` to `fail_next`: the real answer, cut in half mid-transfer.
TRUNCATED = _Truncated()

SITE = "https://www.brightwave.example/"
CENT = Decimal("0.01")


class _Reply(Exception):
    """An error answer, raised from anywhere in request handling."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None):
        super().__init__(str(body))
        self.status, self.body, self.headers = status, body, dict(headers or {})


@dataclass
class _Request:
    method: str
    path: str
    raw_query: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes


@dataclass
class _Campaign:
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


def _num(value: Decimal) -> int | float:
    """A Decimal as the JSON number an API would write (whole numbers without '.0')."""
    return int(value) if value == value.to_integral_value() else float(value)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _set_path(target: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str, reply) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(raw.split(":", 1)[1])
    except (ValueError, IndexError, UnicodeDecodeError):
        raise reply(f"invalid cursor {cursor!r}") from None


class _AdsApiServer(LoopbackServer):
    """Lifecycle, request log, failure injection and canonical data of the three fakes."""

    platform = ""
    default_account_id = ""

    def __init__(self, tables: Mapping[str, Sequence[Mapping[str, Any]]], *, account_id: str | None,
                 currency: str | None, timezone_name: str, account_name: str):
        self.account_id = str(account_id or self.default_account_id)
        self.timezone = timezone_name
        self.account_name = account_name
        self.request_log: list[tuple[str, str, dict[str, str]]] = []
        self.request_bodies: list[Any] = []
        self.request_headers: list[dict[str, str]] = []
        self._failures: deque[tuple[int, float | None, Any]] = deque()
        self._lock = threading.Lock()
        self._extra_fields: dict[str, Any] = {}
        LoopbackServer.__init__(self)
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
        self._campaigns: dict[str, _Campaign] = {}
        for row in tables.get("ads_campaigns", ()):
            if row.get("platform") != self.platform:
                continue
            cid = str(row["campaign_id"])
            self._campaigns[cid] = _Campaign(
                cid, row.get("campaign_name"), row.get("utm_source"), row.get("utm_medium"), row.get("utm_campaign"),
                str(row.get("final_url") or SITE), first_days.get(cid))
        for cid, first in first_days.items():
            self._campaigns.setdefault(cid, _Campaign(cid, None, None, None, None, SITE, first))


    # --- test controls --------------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1, retry_after: float | None = None, body: Any = None) -> None:
        """Answer the next `times` requests with `status` instead of serving them.

        `retry_after` sets a Retry-After header (seconds). `body` replaces the
        platform's error body (a dict or list is sent as JSON, str/bytes verbatim);
        `body=TRUNCATED` serves the real answer cut off mid-transfer.
        """
        with self._lock:
            self._failures.extend([(status, retry_after, body)] * times)

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

    # --- request handling -----------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = {k: ",".join(v) for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw_body = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        request = _Request(method, parts.path, parts.query, query, headers, raw_body)
        with self._lock:
            self.request_log.append((method, parts.path, query))
            self.request_headers.append(headers)
            try:
                self.request_bodies.append(json.loads(raw_body) if raw_body else None)
            except ValueError:
                self.request_bodies.append(raw_body.decode(errors="replace"))
            failure = self._failures.popleft() if self._failures else None
        if failure is not None and failure[2] is not TRUNCATED:
            status, retry_after, body = failure
            extra = {"Retry-After": str(int(retry_after) if float(retry_after).is_integer() else retry_after)} \
                if retry_after is not None else {}
            payload = self._failure_body(status, retry_after) if body is None else body
            return self._send(handler, status, payload, extra)
        try:
            status, payload, extra = self._route(request)
        except _Reply as reply:
            status, payload, extra = reply.status, reply.body, reply.headers
        self._send(handler, status, payload, extra, truncate=failure is not None)

    def _route(self, request: _Request) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    def _failure_body(self, status: int, retry_after: float | None) -> Any:
        raise NotImplementedError

    def _extras(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._extra_fields)

    def _rows_between(self, first: date, last: date) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self._rows if first <= r["date"] <= last]

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, payload: Any, headers: Mapping[str, str],
              truncate: bool = False) -> None:
        send_json(handler, status, payload, headers, truncate, content_type="application/json; charset=UTF-8")




def _utm_query(campaign: _Campaign) -> str | None:
    pairs = [(k, v) for k, v in (("utm_source", campaign.utm_source), ("utm_medium", campaign.utm_medium),
                                 ("utm_campaign", campaign.utm_campaign)) if v]
    return urlencode(pairs) if pairs else None


# --- Google Ads --------------------------------------------------------------------------

_GAQL = re.compile(r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<resource>\w+)(?:\s+WHERE\s+(?P<where>.+?))?\s*$",
                   re.IGNORECASE | re.DOTALL)
_BETWEEN = re.compile(r"segments\.date\s+BETWEEN\s+'(\d{4}-\d{2}-\d{2})'\s+AND\s+'(\d{4}-\d{2}-\d{2})'", re.I)
_STATUS = re.compile(r"(campaign|ad_group_ad)\.status\s*(=|!=)\s*'([A-Z_]+)'", re.I)
_CUSTOMER_FIELDS = {"customer.id", "customer.descriptive_name", "customer.currency_code", "customer.time_zone"}
_CAMPAIGN_FIELDS = {"campaign.id", "campaign.name", "campaign.status", "campaign.tracking_url_template",
                    "campaign.final_url_suffix"}
_AD_FIELDS = {"ad_group.id", "ad_group_ad.ad.id", "ad_group_ad.ad.final_urls", "ad_group_ad.status"}
_METRIC_FIELDS = {"metrics.impressions", "metrics.clicks", "metrics.cost_micros", "metrics.conversions",
                  "metrics.conversions_value"}
_GAQL_RESOURCES = {
    "customer": _CUSTOMER_FIELDS,
    "campaign": _CUSTOMER_FIELDS | _CAMPAIGN_FIELDS,
    "ad_group_ad": _CUSTOMER_FIELDS | _CAMPAIGN_FIELDS | _AD_FIELDS | _METRIC_FIELDS | {"segments.date"},
}


class GoogleAdsServer(_AdsApiServer):
    """A fake Google Ads API (REST searchStream and the OAuth token endpoint) for one customer.

    `token_url` is the token endpoint to give the connector. `login_customer_id` makes
    the customer reachable only through that manager id (as a client account under a
    manager is). `batch_size` is the rows per stream batch (Google's is 10,000).
    """

    platform = "google_ads"
    default_account_id = "1234567890"

    def __init__(self, tables: Mapping[str, Sequence[Mapping[str, Any]]], *,
                 developer_token: str = "demo-developer-token", client_id: str = "demo-client-id",
                 client_secret: str = "demo-client-secret", refresh_token: str = "demo-refresh-token",
                 customer_id: str | None = None, login_customer_id: str | None = None,
                 timezone_name: str = "America/New_York", api_version: str = "v26", batch_size: int = 10_000,
                 currency: str | None = None, account_name: str = "Brightwave Search"):
        super().__init__(tables, account_id=customer_id, currency=currency, timezone_name=timezone_name,
                         account_name=account_name)
        self.developer_token, self.client_id, self.client_secret = developer_token, client_id, client_secret
        self.refresh_token = refresh_token
        self.login_customer_id = login_customer_id
        self.api_version = api_version
        self.batch_size = batch_size
        self._access_tokens: set[str] = set()

    @property
    def customer_id(self) -> str:
        return self.account_id

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    def searches(self) -> list[str]:
        """The GAQL queries received, in order."""
        with self._lock:
            return [b.get("query") for (_, p, _), b in zip(self.request_log, self.request_bodies)
                    if p.endswith(":searchStream") and isinstance(b, dict)]

    # --- errors -------------------------------------------------------------------------

    def _error(self, code: int, status: str, message: str, error_code: dict | None = None,
               details: dict | None = None) -> dict:
        error: dict[str, Any] = {"code": code, "message": message, "status": status}
        if error_code:
            item: dict[str, Any] = {"errorCode": error_code, "message": message}
            if details:
                item["details"] = details
            error["details"] = [{"@type": f"type.googleapis.com/google.ads.googleads.{self.api_version}.errors."
                                          "GoogleAdsFailure", "errors": [item], "requestId": uuid.uuid4().hex[:22]}]
        return {"error": error}

    def _reply(self, code: int, status: str, message: str, error_code: dict | None = None) -> _Reply:
        # searchStream answers are JSON arrays, errors included.
        return _Reply(code, [self._error(code, status, message, error_code)])

    def _failure_body(self, status: int, retry_after: float | None) -> Any:
        if status == 429:
            delay = f"{int(retry_after or 1)}s"
            return [self._error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).",
                                {"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"},
                                {"quotaErrorDetails": {"rateScope": "ACCOUNT", "rateName": "Requests per account",
                                                       "retryDelay": delay}})]
        if status == 401:
            return [self._error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.",
                                {"authenticationError": "OAUTH_TOKEN_EXPIRED"})]
        if status == 403:
            return [self._error(403, "PERMISSION_DENIED", "The caller does not have permission",
                                {"authorizationError": "USER_PERMISSION_DENIED"})]
        if status >= 500:
            return [self._error(status, "INTERNAL" if status == 500 else "UNAVAILABLE", "Internal error encountered.")]
        return [self._error(status, "INVALID_ARGUMENT", "Request contains an invalid argument.")]

    # --- routes -------------------------------------------------------------------------

    def _route(self, request: _Request) -> tuple[int, Any, dict[str, str]]:
        if request.method == "POST" and request.path == "/token":
            return self._token(request)
        match = re.fullmatch(r"/(v\d+)/customers/([^/]+)/googleAds:searchStream", request.path)
        if request.method != "POST" or not match:
            raise _Reply(404, {"error": {"code": 404, "message": f"The requested URL {request.path} was not found "
                                                                 "on this server.", "status": "NOT_FOUND"}})
        version, customer_id = match.groups()
        if version != self.api_version:
            raise self._reply(404, "NOT_FOUND", f"Version {version} is not served here (use {self.api_version}).")
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self._access_tokens:
            raise self._reply(401, "UNAUTHENTICATED", "Request is missing required authentication credential. "
                              "Expected OAuth 2 access token.", {"authenticationError": "OAUTH_TOKEN_INVALID"})
        if request.headers.get("developer-token") != self.developer_token:
            raise self._reply(401, "UNAUTHENTICATED", "The developer token is not valid.",
                              {"authenticationError": "DEVELOPER_TOKEN_INVALID"})
        login = request.headers.get("login-customer-id")
        if customer_id != self.customer_id or (self.login_customer_id and login != self.login_customer_id):
            raise self._reply(403, "PERMISSION_DENIED", "User doesn't have permission to access customer. Note: If "
                              "you're accessing a client customer, the manager's customer id must be set in the "
                              "'login-customer-id' header.", {"authorizationError": "USER_PERMISSION_DENIED"})
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise self._reply(400, "INVALID_ARGUMENT", "Invalid JSON payload received.") from None
        if not isinstance(body, dict) or set(body) - {"query"} or not isinstance(body.get("query"), str):
            raise self._reply(400, "INVALID_ARGUMENT", "Invalid JSON payload received: expected {\"query\": ...}.")
        return 200, self._search(body["query"]), {}

    def _token(self, request: _Request) -> tuple[int, Any, dict[str, str]]:
        form = {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}
        if form.get("grant_type") != "refresh_token":
            raise _Reply(400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"})
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            raise _Reply(401, {"error": "invalid_client", "error_description": "Unauthorized"})
        if form.get("refresh_token") != self.refresh_token:
            raise _Reply(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
        token = f"ya29.demo-{uuid.uuid4().hex}"
        with self._lock:
            self._access_tokens.add(token)
        return 200, {"access_token": token, "expires_in": 3599, "scope": "https://www.googleapis.com/auth/adwords",
                     "token_type": "Bearer"}, {}

    # --- GAQL ---------------------------------------------------------------------------

    def _search(self, query: str) -> list[dict]:
        match = _GAQL.match(query)
        if not match:
            raise self._reply(400, "INVALID_ARGUMENT", f"Error in query: unexpected input {query[:40]!r}.",
                              {"queryError": "PROHIBITED_CLAUSE_IN_SELECT_CLAUSE"})
        resource = match.group("resource").lower()
        if resource not in _GAQL_RESOURCES:
            raise self._reply(400, "INVALID_ARGUMENT", f"Error in query: unrecognized resource {resource!r}.",
                              {"queryError": "INVALID_RESOURCE_NAME"})
        fields = [f.strip() for f in match.group("fields").split(",")]
        for name in fields:
            if name not in _GAQL_RESOURCES[resource]:
                raise self._reply(400, "INVALID_ARGUMENT", f"Unrecognized field in the query: '{name}'.",
                                  {"queryError": "UNRECOGNIZED_FIELD"})
        first, last, statuses = self._where(match.group("where"))
        if "segments.date" in fields and first is None:
            raise self._reply(400, "INVALID_ARGUMENT", "A finite date range on segments.date is required in the "
                              "WHERE clause when segments.date is selected.",
                              {"queryError": "EXPECTED_FILTERS_ON_DATE_RANGE"})
        objects = self._objects(resource, fields, first, last, statuses)
        mask = ",".join(".".join(_camel(p) for p in f.split(".")) for f in fields)
        batches = [{"results": objects[i:i + self.batch_size], "fieldMask": mask,
                    "requestId": uuid.uuid4().hex[:22]} for i in range(0, len(objects), self.batch_size)]
        return batches or [{"fieldMask": mask, "requestId": uuid.uuid4().hex[:22]}]

    def _where(self, where: str | None) -> tuple[date | None, date | None, list[tuple[str, str, str]]]:
        first = last = None
        statuses: list[tuple[str, str, str]] = []
        rest = (where or "").strip()
        while rest:
            between, status = _BETWEEN.match(rest), _STATUS.match(rest)
            if between:
                first, last = date.fromisoformat(between.group(1)), date.fromisoformat(between.group(2))
                if first > last:
                    raise self._reply(400, "INVALID_ARGUMENT", "The date range starts after it ends.",
                                      {"queryError": "INVALID_VALUE_WITH_BETWEEN_OPERATOR"})
                rest = rest[between.end():].strip()
            elif status:
                statuses.append((status.group(1).lower(), status.group(2), status.group(3).upper()))
                rest = rest[status.end():].strip()
            else:
                raise self._reply(400, "INVALID_ARGUMENT", f"Error in query: unsupported condition {rest[:40]!r}.",
                                  {"queryError": "UNEXPECTED_INPUT"})
            if rest:
                joined = re.match(r"AND\s+", rest, re.I)
                if not joined:
                    raise self._reply(400, "INVALID_ARGUMENT", f"Error in query: expected AND near {rest[:20]!r}.",
                                      {"queryError": "UNEXPECTED_INPUT"})
                rest = rest[joined.end():]
        return first, last, statuses

    def _objects(self, resource: str, fields: list[str], first: date | None, last: date | None,
                 statuses: list[tuple[str, str, str]]) -> list[dict]:
        # Every campaign and ad is ENABLED in the demo world: a status filter keeps or drops all.
        for _, operator, value in statuses:
            if (operator == "=") != (value == "ENABLED"):
                return []
        if resource == "customer":
            return [self._project(fields, {})]
        if resource == "campaign":
            return [self._project(fields, {"campaign": c}) for c in self._campaigns.values()]
        metrics = any(f.startswith("metrics.") or f == "segments.date" for f in fields)
        if not metrics:
            ads = {}
            for row in self.performance_rows():
                if row["ad_id"] is not None:
                    ads.setdefault(row["ad_id"], row)
            return [self._project(fields, {"campaign": self._campaigns[r["campaign_id"]], "row": r})
                    for _, r in sorted(ads.items())]
        rows = self._rows_between(first, last) if first is not None else self.performance_rows()
        extras = self._extras()
        out = []
        for row in rows:
            if not (row["impressions"] or row["clicks"] or row["spend"]):
                continue  # Google returns no row for an ad that did not serve that day
            result = self._project(fields, {"campaign": self._campaigns[row["campaign_id"]], "row": row})
            for path, value in extras.items():
                _set_path(result, path, value)
            out.append(result)
        return out

    def _project(self, fields: list[str], ctx: dict[str, Any]) -> dict:
        cid = self.customer_id
        campaign: _Campaign | None = ctx.get("campaign")
        row: dict | None = ctx.get("row")
        values = {
            "customer.id": cid, "customer.descriptive_name": self.account_name,
            "customer.currency_code": self.currency, "customer.time_zone": self.timezone,
        }
        if campaign is not None:
            values.update({
                "campaign.id": campaign.campaign_id, "campaign.name": campaign.name, "campaign.status": "ENABLED",
                "campaign.tracking_url_template": None, "campaign.final_url_suffix": _utm_query(campaign),
            })
        if row is not None:
            values.update({
                "ad_group.id": row["ad_group_id"], "ad_group_ad.ad.id": row["ad_id"],
                "ad_group_ad.ad.final_urls": [campaign.landing] if campaign else None,
                "ad_group_ad.status": "ENABLED", "segments.date": row["date"].isoformat(),
                "metrics.impressions": str(row["impressions"]), "metrics.clicks": str(row["clicks"]),
                "metrics.cost_micros": str(int(row["spend"] * 1_000_000)),
                "metrics.conversions": float(row["conversions"]), "metrics.conversions_value": 0.0,
            })
        result: dict[str, Any] = {}
        for name in fields:
            value = values.get(name)
            if value is not None:  # proto3 JSON leaves unset fields out
                _set_path(result, ".".join(_camel(p) for p in name.split(".")), value)
        names = {"customer": f"customers/{cid}"}
        if campaign is not None:
            names["campaign"] = f"customers/{cid}/campaigns/{campaign.campaign_id}"
        if row is not None:
            names["adGroup"] = f"customers/{cid}/adGroups/{row['ad_group_id']}"
            names["adGroupAd"] = f"customers/{cid}/adGroupAds/{row['ad_group_id']}~{row['ad_id']}"
        for key, name in names.items():
            if key in result:
                result[key]["resourceName"] = name
        if "ad" in result.get("adGroupAd", {}):
            result["adGroupAd"]["ad"]["resourceName"] = f"customers/{cid}/ads/{row['ad_id']}"
        return result


# --- Meta ----------------------------------------------------------------------------------

_INSIGHT_FIELDS = {"account_id", "account_currency", "account_name", "campaign_id", "campaign_name", "adset_id",
                   "ad_id", "date_start", "date_stop", "impressions", "inline_link_clicks", "clicks", "spend",
                   "actions", "action_values", "reach"}
_ACCOUNT_FIELDS = {"id", "account_id", "name", "currency", "timezone_name", "account_status"}
_CAMPAIGN_FIELDS_META = {"id", "name", "status", "effective_status", "updated_time", "objective"}
_AD_FIELDS_META = {"id", "name", "campaign_id", "adset_id", "status", "creative"}
_CREATIVE_FIELDS = {"id", "url_tags", "object_story_spec", "name"}
_FIELD_LIST = re.compile(r"[a-z_]+(\{[a-z_]+(,[a-z_]+)*\})?(,[a-z_]+(\{[a-z_]+(,[a-z_]+)*\})?)*")


def _meta_fields(raw: str | None, allowed: set[str], node: str, nested: Mapping[str, set[str]] | None = None,
                 ) -> dict[str, set[str] | None]:
    """Parse a Graph API fields list, with one level of field{sub,fields} expansion."""
    if not _FIELD_LIST.fullmatch(raw or ""):
        raise _Reply(400, _meta_error(100, f"(#100) Invalid fields parameter: {raw!r}"))
    out: dict[str, set[str] | None] = {}
    for match in re.finditer(r"([a-z_]+)(\{([^{}]*)\})?(?:,|$)", raw):
        name, sub = match.group(1), match.group(3)
        if name not in allowed:
            raise _Reply(400, _meta_error(100, f"(#100) Tried accessing nonexisting field ({name}) on node type "
                                               f"({node})"))
        if sub is not None:
            subs = {s for s in sub.split(",") if s}
            bad = subs - (nested or {}).get(name, set())
            if bad:
                raise _Reply(400, _meta_error(100, f"(#100) Tried accessing nonexisting field ({sorted(bad)[0]}) "
                                                   f"on node type ({name})"))
            out[name] = subs
        else:
            out[name] = None
    return out


def _meta_error(code: int, message: str, subcode: int | None = None, *, transient: bool = False,
                kind: str = "OAuthException") -> dict:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": uuid.uuid4().hex[:11]}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient:
        error["is_transient"] = True
    return {"error": error}


class MetaAdsServer(_AdsApiServer):
    """A fake Meta Marketing API (Graph API) for one ad account.

    `async_polls` is how many status polls a report run answers "Job Running" before
    "Job Completed". `sync_row_limit`, when set, refuses synchronous insights reads
    of more rows, as Meta does for too much data. `fail_next_report()` makes the next
    report run end as Job Failed.
    """

    platform = "meta_ads"
    default_account_id = "1700252260223815"

    def __init__(self, tables: Mapping[str, Sequence[Mapping[str, Any]]], *, token: str = "demo-meta-token",
                 account_id: str | None = None, timezone_name: str = "Europe/Berlin", api_version: str = "v25.0",
                 async_polls: int = 2, sync_row_limit: int | None = None, currency: str | None = None,
                 account_name: str = "Brightwave Social"):
        super().__init__(tables, account_id=account_id, currency=currency, timezone_name=timezone_name,
                         account_name=account_name)
        self.token = token
        self.api_version = api_version
        self.async_polls = async_polls
        self.sync_row_limit = sync_row_limit
        self._runs: dict[str, dict[str, Any]] = {}
        self._fail_reports = 0
        self._failed_status = "Job Failed"

    def fail_next_report(self, status: str = "Job Failed") -> None:
        """Make the next report run end as `status` (Job Failed or Job Skipped)."""
        with self._lock:
            self._fail_reports += 1
            self._failed_status = status

    def _failure_body(self, status: int, retry_after: float | None) -> Any:
        if status == 429:
            return _meta_error(17, "(#17) User request limit reached", 2446079, transient=True)
        if status in (400, 401):
            return _meta_error(190, "Error validating access token: Session has expired on Friday, 27-Nov-26 "
                                    "10:00:00 PST.", 463)
        if status == 403:
            return _meta_error(10, "(#10) Application does not have permission for this action")
        if status >= 500:
            return _meta_error(2, "An unexpected error has occurred. Please retry your request later.",
                               transient=True)
        return _meta_error(100, "(#100) Invalid parameter")

    # --- routes -------------------------------------------------------------------------

    def _route(self, request: _Request) -> tuple[int, Any, dict[str, str]]:
        params = dict(request.query)
        if request.method == "POST" and request.body:
            params.update({k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()})
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else params.get("access_token")
        if not token:
            raise _Reply(400, _meta_error(104, "An access token is required to request this resource."))
        if token != self.token:
            raise _Reply(400, _meta_error(190, "Invalid OAuth access token - Cannot parse access token"))
        parts = [p for p in request.path.split("/") if p]
        if not parts or parts[0] != self.api_version:
            raise _Reply(400, _meta_error(2635, f"(#2635) You are calling a deprecated or unknown version of the "
                                                f"Ads API. Please update to the latest version: {self.api_version}."))
        node, edge = parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else None
        if len(parts) > 3 or not node:
            raise _Reply(400, _meta_error(2500, "Unknown path components"))
        if node.startswith("act_"):
            if node != f"act_{self.account_id}":
                raise _Reply(400, _meta_error(100, f"Unsupported get request. Object with ID '{node}' does not exist, "
                                                   "cannot be loaded due to missing permissions, or does not support "
                                                   "this operation.", 33))
            if edge is None and request.method == "GET":
                return 200, self._account(params), {}
            if edge == "insights" and request.method == "GET":
                return 200, self._page(request, params, self._insights(params, sync=True)), {}
            if edge == "insights" and request.method == "POST":
                return 200, self._start_run(params), {}
            if edge == "campaigns" and request.method == "GET":
                return 200, self._page(request, params, self._campaign_objects(params)), {}
            if edge == "ads" and request.method == "GET":
                return 200, self._page(request, params, self._ad_objects(params)), {}
        elif node in self._runs:
            if edge is None and request.method == "GET":
                return 200, self._poll(node), {}
            if edge == "insights" and request.method == "GET":
                run = self._runs[node]
                if run["status"] != "Job Completed":
                    raise _Reply(400, _meta_error(100, f"(#100) Report {node} is not ready: {run['status']}"))
                return 200, self._page(request, params, run["rows"]), {}
        raise _Reply(400, _meta_error(100, f"Unsupported {request.method.lower()} request. Object with ID '{node}' "
                                           "does not exist, cannot be loaded due to missing permissions, or does "
                                           "not support this operation.", 33))

    def _account(self, params: dict[str, str]) -> dict:
        fields = _meta_fields(params.get("fields") or "account_id", _ACCOUNT_FIELDS, "AdAccount")
        values = {"id": f"act_{self.account_id}", "account_id": self.account_id, "name": self.account_name,
                  "currency": self.currency, "timezone_name": self.timezone, "account_status": 1}
        return {"id": values["id"], **{f: values[f] for f in fields}}

    def _insights(self, params: dict[str, str], *, sync: bool) -> list[dict]:
        if params.get("level") != "ad":
            raise _Reply(400, _meta_error(100, "(#100) level must be one of: ad (the only level served here)"))
        if params.get("time_increment") != "1":
            raise _Reply(400, _meta_error(100, "(#100) time_increment must be 1 (daily) here"))
        try:
            time_range = json.loads(params.get("time_range") or "")
            first, last = date.fromisoformat(time_range["since"]), date.fromisoformat(time_range["until"])
        except (ValueError, KeyError, TypeError):
            raise _Reply(400, _meta_error(100, "(#100) time_range must be {\"since\":\"YYYY-MM-DD\","
                                               "\"until\":\"YYYY-MM-DD\"}")) from None
        if first > last:
            raise _Reply(400, _meta_error(100, "(#100) time_range: since must not be after until"))
        fields = _meta_fields(params.get("fields"), _INSIGHT_FIELDS, "AdsInsights")
        rows = [r for r in self._rows_between(first, last) if r["impressions"] or r["spend"]]
        if sync and self.sync_row_limit is not None and len(rows) > self.sync_row_limit:
            raise _Reply(500, _meta_error(1, "Please reduce the amount of data you're asking for, then retry your "
                                             "request", 1487534))
        extras = self._extras()
        out = []
        for row in rows:
            day = row["date"].isoformat()
            actions = []
            if row["clicks"]:
                actions.append({"action_type": "link_click", "value": str(row["clicks"])})
            if row["conversions"]:
                value = format(row["conversions"].normalize(), "f")
                # Meta's "lead" is the total; the pixel's share of it is reported as well.
                actions += [{"action_type": "lead", "value": value},
                            {"action_type": "offsite_conversion.fb_pixel_lead", "value": value}]
            campaign = self._campaigns.get(row["campaign_id"])
            values = {
                "account_id": self.account_id, "account_currency": self.currency, "account_name": self.account_name,
                "campaign_id": row["campaign_id"], "campaign_name": campaign.name if campaign else None,
                "adset_id": row["ad_group_id"], "ad_id": row["ad_id"], "date_start": day, "date_stop": day,
                "impressions": str(row["impressions"]), "inline_link_clicks": str(row["clicks"]),
                "clicks": str(row["clicks"]), "spend": format(row["spend"].quantize(CENT), "f"),
                "actions": actions or None, "action_values": None, "reach": str(row["impressions"]),
            }
            item = {f: values[f] for f in fields if values.get(f) is not None}
            item.update(extras)
            out.append(item)
        return out

    def _start_run(self, params: dict[str, str]) -> dict:
        rows = self._insights(params, sync=False)
        run_id = str(6_000_000_000_000 + len(self._runs) + 1)
        with self._lock:
            failed = self._fail_reports > 0
            if failed:
                self._fail_reports -= 1
            self._runs[run_id] = {"rows": rows, "polls": self.async_polls, "status": "Job Not Started",
                                  "fail": self._failed_status if failed else None,
                                  "params": params}
        return {"report_run_id": run_id}

    def _poll(self, run_id: str) -> dict:
        with self._lock:
            run = self._runs[run_id]
            if run["polls"] > 0:
                run["polls"] -= 1
                run["status"], percent = "Job Running", int(100 * (self.async_polls - run["polls"]) /
                                                            (self.async_polls + 1))
            elif run["fail"]:
                run["status"], percent = run["fail"], 0
            else:
                run["status"], percent = "Job Completed", 100
        time_range = json.loads(run["params"]["time_range"])
        answer = {"id": run_id, "account_id": self.account_id, "async_status": run["status"],
                  "async_percent_completion": percent, "date_start": time_range["since"],
                  "date_stop": time_range["until"], "time_ref": 1_795_000_000, "is_running": run["polls"] > 0}
        if run["status"] == "Job Failed":
            answer.update(error_code=1, error_message="An unknown error occurred")
        return answer

    def _campaign_objects(self, params: dict[str, str]) -> list[dict]:
        fields = _meta_fields(params.get("fields") or "id", _CAMPAIGN_FIELDS_META, "Campaign")
        out = []
        for campaign in self._campaigns.values():
            updated = datetime.combine(campaign.first_day or date(2026, 1, 1), time(9), timezone.utc)
            values = {"id": campaign.campaign_id, "name": campaign.name, "status": "ACTIVE",
                      "effective_status": "ACTIVE", "objective": "OUTCOME_LEADS",
                      "updated_time": updated.strftime("%Y-%m-%dT%H:%M:%S+0000")}
            out.append({"id": campaign.campaign_id, **{f: values[f] for f in fields if values.get(f) is not None}})
        return out

    def _ad_objects(self, params: dict[str, str]) -> list[dict]:
        fields = _meta_fields(params.get("fields") or "id", _AD_FIELDS_META, "Ad", {"creative": _CREATIVE_FIELDS})
        ads: dict[str, dict] = {}
        for row in self.performance_rows():
            if row["ad_id"] is not None:
                ads.setdefault(row["ad_id"], row)
        out = []
        for ad_id, row in sorted(ads.items()):
            campaign = self._campaigns[row["campaign_id"]]
            creative = {"id": f"{ad_id}9", "name": f"Creative {ad_id}", "url_tags": _utm_query(campaign),
                        "object_story_spec": {"page_id": "104000000000001",
                                              "link_data": {"link": campaign.landing, "message": campaign.name}}}
            values = {"id": ad_id, "name": f"Ad {ad_id}", "campaign_id": row["campaign_id"],
                      "adset_id": row["ad_group_id"], "status": "ACTIVE"}
            item: dict[str, Any] = {"id": ad_id}
            for name, subs in fields.items():
                if name == "creative":
                    item["creative"] = {"id": creative["id"], **{s: creative[s] for s in (subs or {"id"})
                                                                 if creative.get(s) is not None}}
                elif values.get(name) is not None:
                    item[name] = values[name]
            out.append(item)
        return out

    def _page(self, request: _Request, params: dict[str, str], items: list[dict]) -> dict:
        try:
            limit = int(params.get("limit") or 25)
        except ValueError:
            raise _Reply(400, _meta_error(100, "(#100) limit must be an integer")) from None
        if limit < 1 or limit > 5000:
            raise _Reply(400, _meta_error(100, "(#100) limit must be between 1 and 5000"))
        start = _offset(params["after"], lambda m: _Reply(400, _meta_error(100, f"(#100) {m}"))) + 1 \
            if params.get("after") else 0
        page = items[start:start + limit]
        answer: dict[str, Any] = {"data": page}
        if page:
            answer["paging"] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(page) - 1)}}
            if start + limit < len(items):
                rest = {k: v for k, v in request.query.items() if k not in ("after", "before")}
                rest["after"] = _cursor(start + len(page) - 1)
                answer["paging"]["next"] = f"{self.base_url}{request.path}?{urlencode(rest)}"
        return answer


# --- LinkedIn --------------------------------------------------------------------------------

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


class LinkedInAdsServer(_AdsApiServer):
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

    def _route(self, request: _Request) -> tuple[int, Any, dict[str, str]]:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            raise _Reply(401, _li_error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600))
        version = request.headers.get("linkedin-version")
        if not version:
            raise _Reply(400, _li_error(400, "A version must be present. Please specify a version by adding the "
                                             "LinkedIn-Version header.", "VERSION_MISSING"))
        if version not in self.versions:
            raise _Reply(426, _li_error(426, f"Requested version {version} is not active", "NONEXISTENT_VERSION"))
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            raise _Reply(400, _li_error(400, "This endpoint requires the header X-Restli-Protocol-Version: 2.0.0",
                                        "ILLEGAL_ARGUMENT"))
        if request.method != "GET":
            raise _Reply(405, _li_error(405, f"Method {request.method} is not allowed here"))
        parts = [p for p in request.path.split("/") if p]
        if parts == ["rest", "adAnalytics"]:
            return 200, self._analytics(request.raw_query), {}
        if len(parts) >= 3 and parts[:2] == ["rest", "adAccounts"]:
            if parts[2] != self.account_id:
                raise _Reply(403, _li_error(403, f"Not enough permissions to access: urn:li:sponsoredAccount:"
                                                 f"{parts[2]}", "ACCESS_DENIED", 100))
            if len(parts) == 3:
                return 200, self._account(), {}
            if parts[3:] == ["adCampaigns"]:
                return 200, self._campaign_page(request.query), {}
        raise _Reply(404, _li_error(404, f"No virtual resource found for {request.path}", "RESOURCE_NOT_FOUND"))

    def _account(self) -> dict:
        return {"id": int(self.account_id), "name": self.account_name, "currency": self.currency, "status": "ACTIVE",
                "type": "BUSINESS", "reference": "urn:li:organization:2414183", "test": False,
                "servingStatuses": ["RUNNABLE"], "notifiedOnCampaignOptimization": False,
                "notifiedOnCreativeApproval": False, "notifiedOnCreativeRejection": False,
                "notifiedOnEndOfCampaign": False, "version": {"versionTag": "4"}}

    def _campaign_page(self, query: dict[str, str]) -> dict:
        if query.get("q") != "search":
            raise _Reply(400, _li_error(400, "Missing or invalid finder: q=search is required", "ILLEGAL_ARGUMENT"))
        if "start" in query:
            raise _Reply(400, _li_error(400, "Setting a paging start value is not permitted: use pageToken",
                                        "ILLEGAL_ARGUMENT"))
        try:
            size = int(query.get("pageSize") or 100)
        except ValueError:
            raise _Reply(400, _li_error(400, "pageSize must be an integer", "ILLEGAL_ARGUMENT")) from None
        if not 1 <= size <= 1000:
            raise _Reply(400, _li_error(400, "pageSize must be between 1 and 1000", "ILLEGAL_ARGUMENT"))
        start = _offset(query["pageToken"], lambda m: _Reply(400, _li_error(400, m, "ILLEGAL_ARGUMENT"))) \
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
            answer["metadata"]["nextPageToken"] = _cursor(start + size)
        return answer

    def _analytics(self, raw_query: str) -> dict:
        params: dict[str, str] = {}
        for pair in raw_query.split("&"):
            if not pair:
                continue
            key, _, value = pair.partition("=")
            if key in params:
                raise _Reply(400, _li_error(400, f"Parameter {key} is given twice", "ILLEGAL_ARGUMENT"))
            params[key] = value
        expected = {"q": "analytics", "pivot": "CAMPAIGN", "timeGranularity": "DAILY"}
        for key, value in expected.items():
            if params.get(key) != value:
                raise _Reply(400, _li_error(400, f"{key} must be {value} here (got {params.get(key)!r})",
                                            "ILLEGAL_ARGUMENT"))
        unknown = set(params) - {*expected, "dateRange", "accounts", "fields"}
        if unknown:
            raise _Reply(400, _li_error(400, f"Unknown parameters: {', '.join(sorted(unknown))}", "ILLEGAL_ARGUMENT"))
        span = _LI_RANGE.match(params.get("dateRange", ""))
        if not span:
            raise _Reply(400, _li_error(400, "Invalid dateRange: expected Rest.li 2.0 syntax "
                                             "(start:(year:Y,month:M,day:D),end:(year:Y,month:M,day:D))",
                                        "ILLEGAL_ARGUMENT"))
        y1, m1, d1, y2, m2, d2 = (int(v) for v in span.groups())
        first, last = date(y1, m1, d1), date(y2, m2, d2)
        accounts = _LI_ACCOUNTS.match(params.get("accounts", ""))
        if not accounts:
            raise _Reply(400, _li_error(400, "Invalid accounts: expected List(...) of URL-encoded "
                                             "urn:li:sponsoredAccount URNs", "ILLEGAL_ARGUMENT"))
        ids = {unquote(urn).rsplit(":", 1)[1] for urn in accounts.group(1).split(",")}
        if self.account_id not in ids:
            return {"paging": {"start": 0, "count": 10, "links": []}, "elements": []}
        fields = [f for f in params.get("fields", "").split(",") if f]
        bad = [f for f in fields if f not in _LI_METRICS and f not in ("dateRange", "pivotValues")]
        if not fields or bad:
            raise _Reply(400, _li_error(400, f"Invalid fields: {', '.join(bad) or '(none given)'}", "ILLEGAL_ARGUMENT"))
        if len([f for f in fields if f in _LI_METRICS]) > 20:
            raise _Reply(400, _li_error(400, "At most 20 metrics can be requested", "ILLEGAL_ARGUMENT"))
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
