"""Helpers of the Meta ads connector: errors, the response check, paging and rows.

Nothing here talks to the network by itself: `MetaAdsSource` (in `__init__`) drives
dlt's REST client and uses these pieces to read Graph API error bodies (where a
throttle is a 400 with a code, not a 429) and to flatten insights into raw rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator
from requests import Response

from connectors._shared.http import (
    MAX_RETRY_DELAY_SECONDS,
    ApiError,
    AuthError,
    json_body,
    redact,
    request_path,
    require_json,
    set_retry_after,
)
from connectors._shared.values import decimal_text, iso_utc, text
from connectors.ad_platforms.helpers import Account, shaped_row, utm_params
from connectors.ad_platforms.tables import CAMPAIGNS_TABLE, PERFORMANCE_TABLE

from .settings import REQUIRED_SCOPES

PLATFORM = "meta_ads"
# Graph API codes that mean "slow down" (application, user, page, ad account and
# Marketing API business-use-case throttles): retried, whatever the HTTP status.
THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
# Codes that mean "a temporary problem on Meta's side".
TRANSIENT_CODES = frozenset({1, 2})
AUTH_CODES = frozenset({102, 190, 463, 467})
PERMISSION_CODES = frozenset({10, *range(200, 300)})

INSIGHTS_FIELDS = (
    "account_id", "account_currency", "campaign_id", "adset_id", "ad_id", "date_start", "date_stop",
    "impressions", "inline_link_clicks", "spend", "actions", "action_values",
)
CAMPAIGN_FIELDS = ("id", "name", "status", "effective_status", "updated_time")
AD_FIELDS = "id,campaign_id,creative{url_tags,object_story_spec}"
ACCOUNT_FIELDS = "account_id,name,currency,timezone_name"

# --- Errors ----------------------------------------------------------------------------


class MetaAuthError(AuthError):
    """Meta refused the token (code 190: expired, revoked, invalid) or its permissions."""


class MetaAPIError(ApiError):
    """The Graph API answered with an error; `code`, `subcode` and `fbtrace_id` are Meta's."""

    def __init__(self, message: str, response: Response | None = None, *, retryable: bool = False,
                 code: Any = None, subcode: Any = None, fbtrace_id: str | None = None):
        super().__init__(message, response, retryable=retryable, code=code)
        self.subcode = subcode
        self.fbtrace_id = fbtrace_id


class MetaReportFailed(MetaAPIError):
    """An asynchronous insights report run ended as Job Failed or Job Skipped, or timed out."""


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def make_response_check(token: str | None):
    """Return a requests response hook that turns Graph API answers into outcomes.

    Code 190 (and other token codes) raises MetaAuthError at once, naming
    META_ACCESS_TOKEN; permission codes (10, 200-299) name the permission and
    META_AD_ACCOUNT_IDS. Throttling codes (4, 17, 32, 613, 80000-80014), transient
    codes (1, 2, or is_transient), 429 and 5xx are retried: after Retry-After when
    sent, else after Meta's estimated_time_to_regain_access when it fits in a run,
    else with backoff. A 2xx body that does not parse is retried as unreadable.
    """

    def check(response: Response, *args: Any, **kwargs: Any) -> Response:
        status = response.status_code
        body = require_json(response, "Meta") if status < 400 else json_body(response)
        error = body.get("error") if isinstance(body, dict) else None
        if status < 400 and not isinstance(error, dict):
            return response
        error = error if isinstance(error, dict) else {}
        code, subcode = _as_int(error.get("code")), _as_int(error.get("error_subcode"))
        detail = redact(str(error.get("message") or response.reason or ""), (token,))[:500]
        trace = error.get("fbtrace_id")
        path = request_path(response)
        if code in AUTH_CODES or (code is None and status == 401):
            raise MetaAuthError(
                f"Meta refused META_ACCESS_TOKEN on {path} ({status}, code {code}/{subcode}: {detail}): the token "
                "is expired, revoked or not a token of this app; create a new one (a system user token does "
                "not expire), or run with --source demo")
        if code in PERMISSION_CODES or (code is None and status == 403):
            raise MetaAuthError(
                f"Meta refused access on {path} ({status}, code {code}/{subcode}: {detail}): give the user behind "
                f"META_ACCESS_TOKEN the permission {', '.join(REQUIRED_SCOPES)} on the ad accounts in "
                "META_AD_ACCOUNT_IDS (Business Manager > ad account > assign people)")
        message = f"Meta {path} answered {status} (code {code}/{subcode}): {detail}"
        if trace:
            message += f" [fbtrace_id {trace}]"
        throttled = code in THROTTLE_CODES or status == 429
        retryable = throttled or code in TRANSIENT_CODES or bool(error.get("is_transient")) or status >= 500
        if throttled:
            wait = _regain_seconds(response)
            if wait is not None and wait > MAX_RETRY_DELAY_SECONDS:
                raise MetaAPIError(f"{message}: Meta throttles this account for {wait / 60:.0f} more minutes, "
                                   "longer than a run waits; run again later", response, code=code,
                                   subcode=subcode, fbtrace_id=trace)
            if wait:
                set_retry_after(response, wait)
        raise MetaAPIError(message, response, retryable=retryable, code=code, subcode=subcode, fbtrace_id=trace)

    return check


def _regain_seconds(response: Response) -> float | None:
    """The longest estimated_time_to_regain_access (minutes) in X-Business-Use-Case-Usage, in seconds."""
    raw = response.headers.get("X-Business-Use-Case-Usage")
    if not raw:
        return None
    try:
        usage = json.loads(raw)
    except ValueError:
        return None
    minutes = [_as_int(entry.get("estimated_time_to_regain_access")) or 0
               for entries in (usage.values() if isinstance(usage, dict) else [])
               for entry in (entries if isinstance(entries, list) else []) if isinstance(entry, dict)]
    return max(minutes) * 60.0 if minutes else None


def next_link_paginator() -> JSONLinkPaginator:
    """Graph API paging: follow `paging.next` (the full next URL) until it is absent.

    `paging.cursors.after` is present on the last page too, so it cannot end the loop.
    """
    return JSONLinkPaginator(next_url_path="paging.next")


# --- Rows ------------------------------------------------------------------------------


def _action_sum(actions: Any, types: Iterable[str]) -> str:
    """The summed value of the listed action types ('0' when none, or no actions at all)."""
    wanted = set(types)
    total = Decimal(0)
    for action in actions if isinstance(actions, list) else []:
        if isinstance(action, dict) and action.get("action_type") in wanted:
            try:
                total += Decimal(str(action.get("value") or 0))
            except InvalidOperation:
                continue
    return decimal_text(total)


def account_from(body: Mapping[str, Any], account_id: str) -> Account:
    return Account(account_id, text(body.get("currency")), text(body.get("timezone_name")), text(body.get("name")))


def insights_row(item: Mapping[str, Any], account: Account, conversion_types: Iterable[str]) -> dict[str, str | None]:
    """One raw performance row from an ad-level daily insights row.

    Clicks are link clicks (inline_link_clicks), as Fivetran's ad_reporting uses them.
    Conversions and their value are the sums of the configured action types in
    `actions` / `action_values`; both lists are kept whole as JSON columns, so
    staging can count other action types. Unknown fields become further columns.
    """
    types = tuple(conversion_types)
    values = {
        "platform": PLATFORM, "account_id": account.account_id,
        "campaign_id": text(item.get("campaign_id")), "ad_group_id": text(item.get("adset_id")),
        "ad_id": text(item.get("ad_id")), "date_day": text(item.get("date_start")),
        "impressions": text(item.get("impressions")), "clicks": text(item.get("inline_link_clicks")),
        "spend": decimal_text(item.get("spend")),
        "currency_code": text(item.get("account_currency")) or account.currency_code,
        "conversions": _action_sum(item.get("actions"), types),
        "conversions_value": _action_sum(item.get("action_values"), types),
        "account_timezone": account.timezone,
    }
    consumed = {"account_id", "account_currency", "campaign_id", "adset_id", "ad_id", "date_start", "date_stop",
                "impressions", "inline_link_clicks", "spend"}
    extras = {key: value for key, value in item.items() if key not in consumed}
    return shaped_row(PERFORMANCE_TABLE, values, extras)


def creative_link(creative: Mapping[str, Any]) -> str | None:
    """The landing page of a creative, from its object_story_spec."""
    spec = creative.get("object_story_spec") or {}
    for kind in ("link_data", "template_data"):
        link = (spec.get(kind) or {}).get("link")
        if link:
            return str(link)
    video_cta = ((spec.get("video_data") or {}).get("call_to_action") or {}).get("value") or {}
    return text(video_cta.get("link"))


def first_creatives(ads: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str | None, str | None]]:
    """(url_tags, landing page) of each campaign's lowest-id ad that has either."""
    best: dict[str, tuple[int, str | None, str | None]] = {}
    for ad in ads:
        creative = ad.get("creative") or {}
        campaign_id = text(ad.get("campaign_id"))
        tags, link = text(creative.get("url_tags")), creative_link(creative)
        if campaign_id is None or not (tags or link):
            continue
        ad_id = _as_int(ad.get("id")) or 0
        if campaign_id not in best or ad_id < best[campaign_id][0]:
            best[campaign_id] = (ad_id, tags, link)
    return {campaign_id: (tags, link) for campaign_id, (_, tags, link) in best.items()}


def campaign_row(campaign: Mapping[str, Any], account: Account,
                 creative: tuple[str | None, str | None] | None) -> dict[str, str | None]:
    """One raw campaign row; UTMs from the first ad's url_tags, then its landing page.

    Meta keeps URL parameters on ad creatives, not campaigns: the campaign's row
    carries those of its lowest-id ad. {{campaign.id}} and {{campaign.name}} macros
    are resolved; updated_at is updated_time in UTC.
    """
    tags, link = creative or (None, None)
    campaign_id, name = text(campaign.get("id")), text(campaign.get("name"))
    utms = utm_params(tags, link, macros={"{{campaign.id}}": campaign_id or "", "{{campaign.name}}": name or ""})
    values = {
        "platform": PLATFORM, "account_id": account.account_id, "campaign_id": campaign_id,
        "campaign_name": name, "status": text(campaign.get("status")), "final_url": link, "url_tags": tags,
        "tracking_url_template": None, "updated_at": iso_utc(campaign.get("updated_time")), **utms,
    }
    extras = {key: value for key, value in campaign.items() if key not in ("id", "name", "status", "updated_time")}
    return shaped_row(CAMPAIGNS_TABLE, values, extras)
