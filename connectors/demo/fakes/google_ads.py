"""A local Google Ads API on 127.0.0.1 serving the demo world's canonical ads tables.

`GoogleAdsServer`: POST /token (OAuth refresh-token grant) and
POST /{version}/customers/{id}/googleAds:searchStream with a GAQL query on
customer, campaign or ad_group_ad (fields checked per resource; segments.date needs
a `segments.date BETWEEN 'a' AND 'b'` filter). Answers are a JSON array of batches
{results, fieldMask, requestId} of at most `batch_size` rows, ids and int64
metrics as strings, cost in micros, camelCase names, resource names; errors are
Google's {error: {code, message, status, details: [GoogleAdsFailure]}} wrapped in
an array. Needs the developer-token header, a bearer token issued by /token, and
the login-customer-id header when the server is given a manager id.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from connectors.demo.fakes.ad_platforms import AdPlatformFake, Campaign, utm_query
from connectors.demo.fakes.base import Reply, Request


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _set_path(target: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


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


class GoogleAdsServer(AdPlatformFake):
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
        return Reply(code, [self._error(code, status, message, error_code)])

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

    def _route(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        if request.method == "POST" and request.path == "/token":
            return self._token(request)
        match = re.fullmatch(r"/(v\d+)/customers/([^/]+)/googleAds:searchStream", request.path)
        if request.method != "POST" or not match:
            raise Reply(404, {"error": {"code": 404, "message": f"The requested URL {request.path} was not found "
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

    def _token(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        form = {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}
        if form.get("grant_type") != "refresh_token":
            raise Reply(400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"})
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            raise Reply(401, {"error": "invalid_client", "error_description": "Unauthorized"})
        if form.get("refresh_token") != self.refresh_token:
            raise Reply(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
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
        campaign: Campaign | None = ctx.get("campaign")
        row: dict | None = ctx.get("row")
        values = {
            "customer.id": cid, "customer.descriptive_name": self.account_name,
            "customer.currency_code": self.currency, "customer.time_zone": self.timezone,
        }
        if campaign is not None:
            values.update({
                "campaign.id": campaign.campaign_id, "campaign.name": campaign.name, "campaign.status": "ENABLED",
                "campaign.tracking_url_template": None, "campaign.final_url_suffix": utm_query(campaign),
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
