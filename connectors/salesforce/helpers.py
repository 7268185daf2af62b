"""Helpers of the Salesforce connector: errors, the response check, describe, row shaping.

Nothing here talks to the network by itself: `SalesforceSource` (in `__init__`) drives
dlt's REST client and uses these pieces to check responses, choose the fields an org
has, and flatten records into raw rows (every value a string or None, every column of
the raw table present).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from requests import Response

from connectors._shared.http import (
    ApiError,
    AuthError,
    UnreadableResponse,
    json_body,
    redact,
    request_path,
    require_json,
    retryable_status,
)
from connectors._shared.values import text

from .tables import column_name

# --- Errors ----------------------------------------------------------------------------


class SalesforceAuthError(AuthError):
    """Salesforce refused the credentials (401, 403 permissions, token endpoint) or none are set.

    Never retried in a loop; the message names the SALESFORCE_* variables to set and
    never a token or secret.
    """


class SalesforceSessionExpired(SalesforceAuthError):
    """A 401 INVALID_SESSION_ID: the source refreshes the token once, when it can.

    `url` is the full URL of the refused request, so the read resumes exactly there.
    """

    def __init__(self, message: str, url: str | None):
        super().__init__(message)
        self.url = url


class SalesforceAPIError(ApiError):
    """Salesforce answered with an error status (after retries, for 429 and 5xx).

    `error_code` is Salesforce's errorCode (INVALID_FIELD, MALFORMED_QUERY, ...),
    `fields` the fields it names.
    """

    def __init__(self, message: str, response: Response | None = None):
        status = response.status_code if response is not None else None
        super().__init__(message, response, retryable=retryable_status(status))
        error = first_error(response)
        self.error_code = error.get("errorCode")
        self.fields = list(error.get("fields") or [])


class SalesforceLimitError(SalesforceAPIError):
    """403 REQUEST_LIMIT_EXCEEDED: the org's API request limit is used up. Not retried."""


class SalesforceUnreadableResponse(SalesforceAPIError, UnreadableResponse):
    """A successful status with a body that is not complete JSON (cut by a proxy). Retried."""


def first_error(response: Response | None) -> dict:
    """The first error object of Salesforce's `[{"message", "errorCode", "fields"}]` body."""
    body = json_body(response)
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return body[0]
    return body if isinstance(body, dict) else {}


# --- The response check ---------------------------------------------------------------

_API_USAGE = re.compile(r"(?:^|[;\s])api-usage=(\d+)/(\d+)")


def api_usage(header: str | None) -> tuple[int, int] | None:
    """(used, limit) from a `Sforce-Limit-Info: api-usage=25/5000; ...` header."""
    match = _API_USAGE.search(header or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


class ResponseCheck:
    """A requests response hook that turns Salesforce's answers into outcomes.

    401 raises SalesforceSessionExpired (the source may refresh once). 403
    REQUEST_LIMIT_EXCEEDED raises SalesforceLimitError; other 403s SalesforceAuthError
    (permissions). Other statuses >= 400 raise SalesforceAPIError, retried for 429 and
    5xx. A 2xx body that does not parse raises SalesforceUnreadableResponse, retried
    too. Every answer's
    Sforce-Limit-Info is kept in `api_usage`; `succeeded` counts 2xx answers (a token
    that has served one is known to be good).
    """

    def __init__(self, secrets: Sequence[str | None] = ()):
        self.secrets: list[str | None] = list(secrets)
        self.api_usage: tuple[int, int] | None = None
        self.succeeded = 0

    def __call__(self, response: Response, *args: Any, **kwargs: Any) -> Response:
        usage = api_usage(response.headers.get("Sforce-Limit-Info"))
        if usage is not None:
            self.api_usage = usage
        status = response.status_code
        request = response.request
        path = request_path(response)
        if status == 401:
            raise SalesforceSessionExpired(self._describe(response, path), request.url if request else None)
        if status == 403:
            error = first_error(response)
            if error.get("errorCode") == "REQUEST_LIMIT_EXCEEDED":
                raise SalesforceLimitError(self._limit_message(response, path), response=response)
            raise SalesforceAuthError(
                f"{self._describe(response, path)}: the Salesforce user behind the credentials needs the "
                "'API Enabled' permission and read access to the object (profile or permission set); "
                "check SALESFORCE_ACCESS_TOKEN / SALESFORCE_REFRESH_TOKEN belong to that user")
        if status >= 400:
            raise SalesforceAPIError(self._describe(response, path), response=response)
        require_json(response, "Salesforce", SalesforceUnreadableResponse)
        self.succeeded += 1
        return response

    def _describe(self, response: Response, path: str) -> str:
        error = first_error(response)
        code = error.get("errorCode") or error.get("error") or "no errorCode"
        detail = " ".join(str(error.get("message") or error.get("error_description") or response.reason or "").split())
        method = response.request.method if response.request is not None else ""
        return redact(f"Salesforce {method} {path} answered {response.status_code} ({code}): {detail[:500]}",
                      self.secrets)

    def _limit_message(self, response: Response, path: str) -> str:
        detail = str(first_error(response).get("message") or "")
        usage = f" (last seen api-usage {self.api_usage[0]}/{self.api_usage[1]})" if self.api_usage else ""
        if "concurrent" in detail.lower():
            what = ("the org's limit on concurrent long-running requests is reached (other integrations or "
                    "reports are running requests of 20 s or more)")
            fix = "run the load again when they finish"
        else:
            what = ("the org's daily API request limit (a rolling 24 hours, shared by every integration) "
                    f"is used up{usage}")
            fix = "wait for the window to roll on, or raise the limit with Salesforce"
        return redact(f"Salesforce {path} answered 403 REQUEST_LIMIT_EXCEEDED ({detail}): {what}. "
                      f"Touchline does not retry this; {fix}", self.secrets)


# --- Describe ---------------------------------------------------------------------------


def selectable(wanted: Sequence[str], describe: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Split `wanted` fields into those the object has (in describe's spelling) and the rest.

    A relationship path `UserRole.Name` is kept when the object has a lookup whose
    relationshipName is `UserRole`. Matching is case-insensitive, as SOQL is.
    """
    fields = {str(f.get("name", "")).lower(): f for f in describe.get("fields") or []}
    relationships = {str(f.get("relationshipName")).lower(): f["relationshipName"]
                     for f in describe.get("fields") or [] if f.get("relationshipName")}
    found, missing = [], []
    for name in wanted:
        head, _, tail = name.partition(".")
        if tail:
            if head.lower() in relationships:
                found.append(f"{relationships[head.lower()]}.{tail}")
            else:
                missing.append(name)
        elif name.lower() in fields:
            found.append(fields[name.lower()]["name"])
        else:
            missing.append(name)
    return found, missing


# --- Values and rows --------------------------------------------------------------------


def record_row(columns: Sequence[str], record: Mapping[str, Any]) -> dict[str, str | None]:
    """Flatten one query record into a raw row.

    Every column in `columns` is present (None when the record does not carry it);
    every field the record carries lands as its snake_case column, including ones
    `columns` does not list. A relationship (`"UserRole": {"attributes": ..., "Name":
    "SDR"}`) lands as `user_role_name`; a null relationship leaves its columns None.
    """
    row: dict[str, str | None] = dict.fromkeys(columns)
    _flatten(row, "", record)
    return row


def _flatten(row: dict[str, str | None], prefix: str, record: Mapping[str, Any]) -> None:
    for key, value in record.items():
        if key == "attributes":
            continue
        name = f"{prefix}{column_name(key)}"
        if isinstance(value, Mapping) and "attributes" in value:
            _flatten(row, f"{name}_", value)
        elif value is None and name not in row and any(c.startswith(f"{name}_") for c in row):
            continue
        else:
            row[name] = text(value)
