"""A local Meta Marketing API (Graph API) on 127.0.0.1 serving the demo world's
canonical ads tables.

`MetaAdsServer`: GET /{version}/act_{id} (fields), GET /{version}/act_{id}/insights
(level=ad, time_increment=1, time_range, fields, limit; cursor paging with
paging.cursors and paging.next), the async report run (POST .../insights ->
report_run_id, GET /{report_run_id} -> async_status / async_percent_completion,
GET /{report_run_id}/insights), and the campaigns and ads edges. Numbers are
strings; errors are {error: {message, type, code, error_subcode, fbtrace_id}},
with an invalid token as code 190 over HTTP 400, as Meta does.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timezone
from typing import Any
from urllib.parse import parse_qs, urlencode

from connectors.demo.fakes.ad_platforms import CENT, AdPlatformFake, cursor_offset, offset_cursor, utm_query
from connectors.demo.fakes.base import Reply, Request


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
        raise Reply(400, _meta_error(100, f"(#100) Invalid fields parameter: {raw!r}"))
    out: dict[str, set[str] | None] = {}
    for match in re.finditer(r"([a-z_]+)(\{([^{}]*)\})?(?:,|$)", raw):
        name, sub = match.group(1), match.group(3)
        if name not in allowed:
            raise Reply(400, _meta_error(100, f"(#100) Tried accessing nonexisting field ({name}) on node type "
                                               f"({node})"))
        if sub is not None:
            subs = {s for s in sub.split(",") if s}
            bad = subs - (nested or {}).get(name, set())
            if bad:
                raise Reply(400, _meta_error(100, f"(#100) Tried accessing nonexisting field ({sorted(bad)[0]}) "
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


class MetaAdsServer(AdPlatformFake):
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

    def _route(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        params = dict(request.query)
        if request.method == "POST" and request.body:
            params.update({k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()})
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else params.get("access_token")
        if not token:
            raise Reply(400, _meta_error(104, "An access token is required to request this resource."))
        if token != self.token:
            raise Reply(400, _meta_error(190, "Invalid OAuth access token - Cannot parse access token"))
        parts = [p for p in request.path.split("/") if p]
        if not parts or parts[0] != self.api_version:
            raise Reply(400, _meta_error(2635, f"(#2635) You are calling a deprecated or unknown version of the "
                                                f"Ads API. Please update to the latest version: {self.api_version}."))
        node, edge = parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else None
        if len(parts) > 3 or not node:
            raise Reply(400, _meta_error(2500, "Unknown path components"))
        if node.startswith("act_"):
            if node != f"act_{self.account_id}":
                raise Reply(400, _meta_error(100, f"Unsupported get request. Object with ID '{node}' does not exist, "
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
                    raise Reply(400, _meta_error(100, f"(#100) Report {node} is not ready: {run['status']}"))
                return 200, self._page(request, params, run["rows"]), {}
        raise Reply(400, _meta_error(100, f"Unsupported {request.method.lower()} request. Object with ID '{node}' "
                                           "does not exist, cannot be loaded due to missing permissions, or does "
                                           "not support this operation.", 33))

    def _account(self, params: dict[str, str]) -> dict:
        fields = _meta_fields(params.get("fields") or "account_id", _ACCOUNT_FIELDS, "AdAccount")
        values = {"id": f"act_{self.account_id}", "account_id": self.account_id, "name": self.account_name,
                  "currency": self.currency, "timezone_name": self.timezone, "account_status": 1}
        return {"id": values["id"], **{f: values[f] for f in fields}}

    def _insights(self, params: dict[str, str], *, sync: bool) -> list[dict]:
        if params.get("level") != "ad":
            raise Reply(400, _meta_error(100, "(#100) level must be one of: ad (the only level served here)"))
        if params.get("time_increment") != "1":
            raise Reply(400, _meta_error(100, "(#100) time_increment must be 1 (daily) here"))
        try:
            time_range = json.loads(params.get("time_range") or "")
            first, last = date.fromisoformat(time_range["since"]), date.fromisoformat(time_range["until"])
        except (ValueError, KeyError, TypeError):
            raise Reply(400, _meta_error(100, "(#100) time_range must be {\"since\":\"YYYY-MM-DD\","
                                               "\"until\":\"YYYY-MM-DD\"}")) from None
        if first > last:
            raise Reply(400, _meta_error(100, "(#100) time_range: since must not be after until"))
        fields = _meta_fields(params.get("fields"), _INSIGHT_FIELDS, "AdsInsights")
        rows = [r for r in self._rows_between(first, last) if r["impressions"] or r["spend"]]
        if sync and self.sync_row_limit is not None and len(rows) > self.sync_row_limit:
            raise Reply(500, _meta_error(1, "Please reduce the amount of data you're asking for, then retry your "
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
            creative = {"id": f"{ad_id}9", "name": f"Creative {ad_id}", "url_tags": utm_query(campaign),
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

    def _page(self, request: Request, params: dict[str, str], items: list[dict]) -> dict:
        try:
            limit = int(params.get("limit") or 25)
        except ValueError:
            raise Reply(400, _meta_error(100, "(#100) limit must be an integer")) from None
        if limit < 1 or limit > 5000:
            raise Reply(400, _meta_error(100, "(#100) limit must be between 1 and 5000"))
        start = cursor_offset(params["after"], lambda m: Reply(400, _meta_error(100, f"(#100) {m}"))) + 1 \
            if params.get("after") else 0
        page = items[start:start + limit]
        answer: dict[str, Any] = {"data": page}
        if page:
            answer["paging"] = {"cursors": {"before": offset_cursor(start), "after": offset_cursor(start + len(page) - 1)}}
            if start + limit < len(items):
                rest = {k: v for k, v in request.query.items() if k not in ("after", "before")}
                rest["after"] = offset_cursor(start + len(page) - 1)
                answer["paging"]["next"] = f"{self.base_url}{request.path}?{urlencode(rest)}"
        return answer
