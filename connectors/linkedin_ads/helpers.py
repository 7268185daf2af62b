"""Helpers of the LinkedIn ads connector: errors, the response check, Rest.li URLs, rows.

Nothing here talks to the network by itself: `LinkedInAdsSource` (in `__init__`) drives
dlt's REST client and uses these pieces to read LinkedIn's error bodies, to write the
Rest.li 2.0 query syntax adAnalytics needs, and to flatten its elements into rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import quote

from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator
from requests import Response

from connectors._shared.http import ApiError, AuthError, json_body, redact, request_path, require_json
from connectors._shared.values import decimal_text, iso_utc, text
from connectors.ad_platforms.helpers import Account, shaped_row
from connectors.ad_platforms.tables import CAMPAIGNS_TABLE, PERFORMANCE_TABLE

from .settings import REQUIRED_SCOPES

PLATFORM = "linkedin_ads"
# LinkedIn ad accounts have no time zone setting; adAnalytics days are UTC days.
REPORTING_TIMEZONE = "UTC"
ANALYTICS_FIELDS = (
    "dateRange", "pivotValues", "impressions", "clicks", "costInLocalCurrency",
    "externalWebsiteConversions", "conversionValueInLocalCurrency",
)
CAMPAIGN_URN = "urn:li:sponsoredCampaign:"
ACCOUNT_URN = "urn:li:sponsoredAccount:"

# --- Errors ----------------------------------------------------------------------------


class LinkedInAuthError(AuthError):
    """LinkedIn refused the token (401) or its access to the ad account (403)."""


class LinkedInAPIError(ApiError):
    """LinkedIn answered with an error; `code` is its code (e.g. NONEXISTENT_VERSION)
    and `service_error_code` its serviceErrorCode."""

    def __init__(self, message: str, response: Response | None = None, *, retryable: bool = False,
                 code: Any = None, service_error_code: Any = None):
        super().__init__(message, response, retryable=retryable, code=code)
        self.service_error_code = service_error_code


def make_response_check(token: str | None):
    """Return a requests response hook that turns LinkedIn answers into outcomes.

    401 raises LinkedInAuthError naming LINKEDIN_ACCESS_TOKEN; 403 names the scopes
    and LINKEDIN_AD_ACCOUNT_IDS; 426 (a sunset LinkedIn-Version) names
    LINKEDIN_VERSION. 429 and 5xx are retried (honouring Retry-After when sent); a
    2xx body that does not parse is retried as unreadable.
    """

    def check(response: Response, *args: Any, **kwargs: Any) -> Response:
        status = response.status_code
        if status < 400:
            require_json(response, "LinkedIn")
            return response
        body = json_body(response)
        body = body if isinstance(body, dict) else {}
        detail = redact(str(body.get("message") or response.reason or ""), (token,))[:500]
        code, service_code = body.get("code"), body.get("serviceErrorCode")
        path = request_path(response)
        if status == 401:
            raise LinkedInAuthError(
                f"LinkedIn refused LINKEDIN_ACCESS_TOKEN on {path} (401 {code or ''}: {detail}): member tokens "
                "expire after 60 days; sign in again (or use the refresh token) to get a new one with the "
                f"scopes {', '.join(REQUIRED_SCOPES)}; or run with --source demo")
        if status == 403:
            raise LinkedInAuthError(
                f"LinkedIn refused access on {path} (403 {code or ''}: {detail}): the token in "
                f"LINKEDIN_ACCESS_TOKEN needs the scopes {', '.join(REQUIRED_SCOPES)}, and its member a role "
                "(at least VIEWER) on every account in LINKEDIN_AD_ACCOUNT_IDS")
        message = f"LinkedIn {path} answered {status} ({code or service_code or 'error'}): {detail}"
        if status == 426:
            message += ": the LinkedIn-Version is sunset; set LINKEDIN_VERSION to an active version (YYYYMM)"
        raise LinkedInAPIError(message, response, retryable=status == 429 or status >= 500, code=code or status,
                               service_error_code=service_code)

    return check


def campaign_paginator() -> JSONResponseCursorPaginator:
    """adCampaigns search paging: `metadata.nextPageToken` into `pageToken`, absent at the end."""
    return JSONResponseCursorPaginator(cursor_path="metadata.nextPageToken", cursor_param="pageToken")


# --- Rest.li ---------------------------------------------------------------------------


def _restli_date(day: date) -> str:
    return f"(year:{day.year},month:{day.month},day:{day.day})"


def analytics_query(account_id: str, first: date, last: date) -> str:
    """The adAnalytics query string, in Rest.li 2.0 syntax.

    Structure characters stay literal and only URN values are percent-encoded
    (`List(urn%3Ali%3AsponsoredAccount%3A123)`), which is why the query is written
    here instead of letting requests encode a params dict.
    """
    urn = quote(f"{ACCOUNT_URN}{account_id}", safe="")
    return (
        "q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY"
        f"&dateRange=(start:{_restli_date(first)},end:{_restli_date(last)})"
        f"&accounts=List({urn})&fields={','.join(ANALYTICS_FIELDS)}"
    )


# --- Rows ------------------------------------------------------------------------------


def account_from(body: Mapping[str, Any], account_id: str) -> Account:
    return Account(account_id, text(body.get("currency")), REPORTING_TIMEZONE, text(body.get("name")))


def _element_day(element: Mapping[str, Any]) -> str | None:
    start = (element.get("dateRange") or {}).get("start") or {}
    try:
        return date(int(start["year"]), int(start["month"]), int(start["day"])).isoformat()
    except (KeyError, TypeError, ValueError):
        return None


def analytics_row(element: Mapping[str, Any], account: Account) -> dict[str, str | None]:
    """One raw performance row from an adAnalytics element (pivot CAMPAIGN, daily).

    LinkedIn reports campaigns, not ad groups or ads, at this pivot: ad_group_id and
    ad_id are empty. Conversions are externalWebsiteConversions; spend is
    costInLocalCurrency, the account's currency. Unknown fields become columns.
    """
    pivots = element.get("pivotValues") or []
    campaign = str(pivots[0]) if pivots else ""
    values = {
        "platform": PLATFORM, "account_id": account.account_id,
        "campaign_id": campaign.rsplit(":", 1)[-1] or None, "ad_group_id": None, "ad_id": None,
        "date_day": _element_day(element), "impressions": text(element.get("impressions")),
        "clicks": text(element.get("clicks")), "spend": decimal_text(element.get("costInLocalCurrency")),
        "currency_code": account.currency_code,
        "conversions": decimal_text(element.get("externalWebsiteConversions")),
        "conversions_value": decimal_text(element.get("conversionValueInLocalCurrency")),
        "account_timezone": account.timezone,
    }
    extras = {key: value for key, value in element.items() if key not in ANALYTICS_FIELDS}
    return shaped_row(PERFORMANCE_TABLE, values, extras)


def campaign_row(element: Mapping[str, Any], account: Account) -> dict[str, str | None]:
    """One raw campaign row. LinkedIn keeps landing pages and UTM tracking parameters
    on creatives and their posts, not on campaigns: the URL and UTM columns stay
    empty. updated_at is changeAuditStamps.lastModified.time in UTC; the campaign's
    other fields (type, costType, campaignGroup, budgets ...) are kept as columns."""
    stamps = element.get("changeAuditStamps") or {}
    values = {
        "platform": PLATFORM, "account_id": account.account_id, "campaign_id": text(element.get("id")),
        "campaign_name": text(element.get("name")), "status": text(element.get("status")),
        "updated_at": iso_utc((stamps.get("lastModified") or {}).get("time")),
    }
    extras = {key: value for key, value in element.items() if key not in ("id", "name", "status", "changeAuditStamps")}
    return shaped_row(CAMPAIGNS_TABLE, values, extras)
