"""Helpers of the Google Ads connector: errors, the response check, OAuth, GAQL and rows.

Nothing here talks to the network by itself: `GoogleAdsSource` (in `__init__`) drives
dlt's REST client and uses these pieces to check answers (Google's error model, with
the GoogleAdsFailure details) and to flatten GoogleAdsRow results into raw rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from dlt.common import pendulum
from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
from requests import PreparedRequest, Response
from requests.auth import AuthBase

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
from connectors._shared.values import decimal_text, flatten, text
from connectors.ad_platforms.helpers import Account, shaped_row, utm_params
from connectors.ad_platforms.tables import CAMPAIGNS_TABLE, PERFORMANCE_TABLE

from .settings import REQUIRED_SCOPE

PLATFORM = "google_ads"
RETRYABLE_STATUSES = {"RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "ABORTED"}

# --- Errors ----------------------------------------------------------------------------


class GoogleAdsAuthError(AuthError):
    """Google refused the credentials or access (401/403, or the OAuth token endpoint)."""


class GoogleAdsAPIError(ApiError):
    """Google Ads answered with an error; `error_codes` are GoogleAdsFailure's codes
    (e.g. 'queryError.UNRECOGNIZED_FIELD') and `request_id` is Google's request id."""

    def __init__(self, message: str, response: Response | None = None, *, retryable: bool = False,
                 code: Any = None, error_codes: tuple[str, ...] = (), request_id: str | None = None):
        super().__init__(message, response, retryable=retryable, code=code)
        self.error_codes = error_codes
        self.request_id = request_id


def _error_object(body: Any) -> dict:
    """Google's error object, from a REST body or from the last item of a searchStream array."""
    if isinstance(body, list):
        body = next((item for item in reversed(body) if isinstance(item, dict) and "error" in item), None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"]
    return {}


def _failure(error: Mapping[str, Any]) -> tuple[list[str], list[str], float | None, str | None]:
    """(error codes, messages, retry delay in seconds, request id) of a GoogleAdsFailure."""
    codes: list[str] = []
    messages: list[str] = []
    delay: float | None = None
    request_id = None
    for detail in error.get("details") or []:
        if not str(detail.get("@type", "")).endswith("GoogleAdsFailure"):
            continue
        request_id = detail.get("requestId") or request_id
        for item in detail.get("errors") or []:
            codes += [f"{kind}.{value}" for kind, value in (item.get("errorCode") or {}).items()]
            if item.get("message"):
                messages.append(str(item["message"]))
            retry = ((item.get("details") or {}).get("quotaErrorDetails") or {}).get("retryDelay")
            if retry:
                match = re.fullmatch(r"\s*([\d.]+)s\s*", str(retry))
                delay = float(match.group(1)) if match else delay
    return codes, messages, delay, request_id


def make_response_check(secrets: Iterable[str | None]):
    """Return a requests response hook that turns Google Ads answers into outcomes.

    401/403 raise GoogleAdsAuthError at once, naming the variable to fix. 429
    (RESOURCE_EXHAUSTED) is retried after Google's retryDelay (copied into a
    Retry-After header for dlt's wait) unless the delay is longer than a run should
    sleep, then it fails with the delay in the message. 5xx and a failure reported
    inside a 200 searchStream (its last array item is an error) are retried; a 2xx
    body that does not parse is retried as unreadable.
    """
    secrets = tuple(secrets)

    def check(response: Response, *args: Any, **kwargs: Any) -> Response:
        status = response.status_code
        if status < 400:
            body = require_json(response, "Google Ads")
            error = _error_object(body) if isinstance(body, list) else {}
            if not error:
                return response
        else:
            error = _error_object(json_body(response))
        code = int(error.get("code") or status)
        state = str(error.get("status") or "")
        codes, messages, delay, request_id = _failure(error)
        detail = redact("; ".join(messages) or str(error.get("message") or response.reason or ""), secrets)[:500]
        path = request_path(response)
        if code == 401 or state == "UNAUTHENTICATED":
            raise GoogleAdsAuthError(_auth_message(401, codes, detail, path))
        if code == 403 or state == "PERMISSION_DENIED":
            raise GoogleAdsAuthError(_auth_message(403, codes, detail, path))
        label = ", ".join(codes) or state or "unknown error"
        message = f"Google Ads {path} answered {code} ({label}): {detail}"
        if request_id:
            message += f" [requestId {request_id}]"
        retryable = code == 429 or code >= 500 or state in RETRYABLE_STATUSES
        if retryable and (code == 429 or state == "RESOURCE_EXHAUSTED"):
            wait = delay if delay is not None else _header_seconds(response)
            if wait is not None and wait > MAX_RETRY_DELAY_SECONDS:
                raise GoogleAdsAPIError(
                    f"{message}: the quota is exhausted for {wait:.0f} s, longer than a run waits; "
                    "run again later, or apply for a higher access level of GOOGLE_ADS_DEVELOPER_TOKEN",
                    response, code=code, error_codes=tuple(codes), request_id=request_id)
            if wait is not None:
                set_retry_after(response, wait)
        raise GoogleAdsAPIError(message, response, retryable=retryable, code=code, error_codes=tuple(codes),
                                request_id=request_id)

    return check


def _header_seconds(response: Response) -> float | None:
    raw = (response.headers.get("Retry-After") or "").strip()
    return float(raw) if raw.isdigit() else None


def _auth_message(status: int, codes: list[str], detail: str, path: str) -> str:
    joined = " ".join(codes)
    if "DEVELOPER_TOKEN" in joined:
        fix = ("check GOOGLE_ADS_DEVELOPER_TOKEN: it must be the token shown in the API Center of your "
               "manager account, approved for the accounts you read (test tokens read test accounts only)")
        variable = "GOOGLE_ADS_DEVELOPER_TOKEN"
    elif status == 401:
        fix = ("check GOOGLE_ADS_REFRESH_TOKEN (and GOOGLE_ADS_CLIENT_ID / GOOGLE_ADS_CLIENT_SECRET of the "
               f"OAuth client that issued it): it must carry the scope {REQUIRED_SCOPE}, not be revoked")
        variable = "GOOGLE_ADS_REFRESH_TOKEN"
    else:
        fix = ("the Google user behind GOOGLE_ADS_REFRESH_TOKEN cannot read this customer: check "
               "GOOGLE_ADS_CUSTOMER_IDS, and set GOOGLE_ADS_LOGIN_CUSTOMER_ID to the manager account "
               "that links them when access goes through one")
        variable = "GOOGLE_ADS_CUSTOMER_IDS"
    label = ", ".join(codes) or ("UNAUTHENTICATED" if status == 401 else "PERMISSION_DENIED")
    return f"Google Ads refused {variable} on {path} ({status} {label}: {detail}): {fix}; or run with --source demo"


# --- OAuth ------------------------------------------------------------------------------


class RefreshTokenAuth(OAuth2ClientCredentials):
    """dlt's OAuth2 client flow with Google's refresh-token grant.

    dlt's OAuth2ClientCredentials posts client_id and client_secret to the token
    endpoint and keeps the access token until it expires; the request data adds
    grant_type=refresh_token and the refresh token. A refused grant raises
    GoogleAdsAuthError naming the variables, never their values.
    """

    def obtain_token(self) -> None:
        request = self.build_access_token_request()
        response = self.session.post(self.access_token_url, hooks={"response": [_token_check]}, **request)
        body = response.json()
        self.parse_native_representation(self.parse_access_token(body))
        self.token_expiry = pendulum.now().add(seconds=self.parse_expiration_in_seconds(body))


class GoogleAdsAuth(AuthBase):
    """The bearer token from `oauth` plus the developer-token (and login-customer-id)
    headers, added when a request is sent: headers set on the client would appear in
    dlt's debug log of every request, and the developer token is a secret."""

    def __init__(self, oauth: RefreshTokenAuth, headers: Mapping[str, str]):
        self.oauth, self.headers = oauth, dict(headers)

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        request = self.oauth(request)
        request.headers.update(self.headers)
        return request


def _token_check(response: Response, *args: Any, **kwargs: Any) -> Response:
    status = response.status_code
    if status < 400:
        body = require_json(response, "Google OAuth")
        if not isinstance(body, dict) or not body.get("access_token"):
            raise GoogleAdsAuthError("the Google OAuth token endpoint answered without an access_token: "
                                     "check GOOGLE_ADS_TOKEN_URL")
        return response
    body = json_body(response)
    body = body if isinstance(body, dict) else {}
    error, description = str(body.get("error") or status), str(body.get("error_description") or "")[:200]
    if status in (400, 401):
        if error in ("invalid_client", "unauthorized_client"):
            fix = "check GOOGLE_ADS_CLIENT_ID and GOOGLE_ADS_CLIENT_SECRET (the OAuth client in Google Cloud)"
        else:
            fix = ("GOOGLE_ADS_REFRESH_TOKEN is expired or revoked, or was issued to another OAuth client: "
                   f"create a new one with the scope {REQUIRED_SCOPE}")
        raise GoogleAdsAuthError(f"Google OAuth refused GOOGLE_ADS_REFRESH_TOKEN ({status} {error}: {description}): "
                                 f"{fix}; or run with --source demo")
    raise GoogleAdsAPIError(f"Google OAuth token endpoint answered {status} ({error})", response,
                            retryable=status == 429 or status >= 500, code=status)


# --- GAQL -------------------------------------------------------------------------------

CUSTOMER_QUERY = "SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone FROM customer"
CAMPAIGN_QUERY = (
    "SELECT customer.id, campaign.id, campaign.name, campaign.status, campaign.tracking_url_template, "
    "campaign.final_url_suffix FROM campaign"
)
CAMPAIGN_URL_QUERY = (
    "SELECT campaign.id, ad_group_ad.ad.id, ad_group_ad.ad.final_urls FROM ad_group_ad "
    "WHERE ad_group_ad.status != 'REMOVED'"
)
PERFORMANCE_FIELDS = (
    "customer.id", "campaign.id", "ad_group.id", "ad_group_ad.ad.id", "segments.date",
    "metrics.impressions", "metrics.clicks", "metrics.cost_micros", "metrics.conversions",
    "metrics.conversions_value",
)
# The camelCase paths the fields come back under, and which column each fills.
_PERFORMANCE_PATHS = {
    "customer.id": None, "campaign.id": "campaign_id", "adGroup.id": "ad_group_id",
    "adGroupAd.ad.id": "ad_id", "segments.date": "date_day", "metrics.impressions": "impressions",
    "metrics.clicks": "clicks", "metrics.costMicros": "spend", "metrics.conversions": "conversions",
    "metrics.conversionsValue": "conversions_value",
}


def micros_text(micros: Any) -> str | None:
    """Google's cost_micros (millionths of the account currency) as a decimal string."""
    if micros is None or micros == "":
        return None
    return decimal_text(Decimal(str(micros)).scaleb(-6))


def performance_query(first: date, last: date) -> str:
    """Daily metrics per ad for the days first..last (in the account's time zone)."""
    return (f"SELECT {', '.join(PERFORMANCE_FIELDS)} FROM ad_group_ad "
            f"WHERE segments.date BETWEEN '{first.isoformat()}' AND '{last.isoformat()}'")


def account_from(customer_id: str, results: list[dict]) -> Account:
    customer = (results[0] if results else {}).get("customer") or {}
    return Account(customer_id, text(customer.get("currencyCode")), text(customer.get("timeZone")),
                   text(customer.get("descriptiveName")))


def performance_row(result: Mapping[str, Any], account: Account) -> dict[str, str | None]:
    """One raw performance row from a GoogleAdsRow of the performance query.

    Spend is cost_micros / 1,000,000 in the account's currency. Fields the query did
    not ask for (a new metric) are kept as further columns, e.g. metrics_video_views;
    resource names are dropped (they repeat the ids).
    """
    flat = flatten(result)
    values: dict[str, Any] = {
        "platform": PLATFORM, "account_id": account.account_id, "currency_code": account.currency_code,
        "account_timezone": account.timezone,
    }
    for path, column in _PERFORMANCE_PATHS.items():
        if column is None:
            continue
        value = flat.get(path)
        if column == "spend":
            values[column] = micros_text(value)
        elif column in ("conversions", "conversions_value"):
            values[column] = decimal_text(value)
        else:
            values[column] = text(value)
    extras = {path: value for path, value in flat.items()
              if path not in _PERFORMANCE_PATHS and not path.endswith("resourceName")}
    return shaped_row(PERFORMANCE_TABLE, values, extras)


def first_final_urls(results: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The first final URL of each campaign's lowest-id ad (a stable pick across runs)."""
    best: dict[str, tuple[int, str]] = {}
    for result in results:
        campaign_id = text((result.get("campaign") or {}).get("id"))
        ad = (result.get("adGroupAd") or {}).get("ad") or {}
        urls = ad.get("finalUrls") or []
        if campaign_id is None or not urls:
            continue
        ad_id = int(ad.get("id") or 0)
        if campaign_id not in best or ad_id < best[campaign_id][0]:
            best[campaign_id] = (ad_id, str(urls[0]))
    return {campaign_id: url for campaign_id, (_, url) in best.items()}


def campaign_row(result: Mapping[str, Any], account: Account, final_url: str | None) -> dict[str, str | None]:
    """One raw campaign row: name, status, URL settings and the UTMs read from them.

    UTMs come from the final URL suffix first (Google appends it to every landing
    page), then the ad's final URL, then the tracking template; {campaignid} is
    resolved. Google exposes no last-modified time on campaigns: updated_at is empty.
    """
    campaign = result.get("campaign") or {}
    campaign_id = text(campaign.get("id"))
    suffix, template = text(campaign.get("finalUrlSuffix")), text(campaign.get("trackingUrlTemplate"))
    utms = utm_params(suffix, final_url, template, macros={"{campaignid}": campaign_id or ""})
    values = {
        "platform": PLATFORM, "account_id": account.account_id, "campaign_id": campaign_id,
        "campaign_name": text(campaign.get("name")), "status": text(campaign.get("status")),
        "final_url": final_url, "url_tags": suffix, "tracking_url_template": template, **utms,
    }
    known = {"customer.id", "campaign.id", "campaign.name", "campaign.status", "campaign.finalUrlSuffix",
             "campaign.trackingUrlTemplate"}
    extras = {path: value for path, value in flatten(result).items()
              if path not in known and not path.endswith("resourceName")}
    return shaped_row(CAMPAIGNS_TABLE, values, extras)
