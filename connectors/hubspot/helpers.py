"""Helpers of the HubSpot connector: errors, the response check, paging, row shaping.

Nothing here talks to the network by itself: `HubSpotSource` (in `__init__`) drives
dlt's REST client and uses these pieces to check responses and flatten objects into
raw rows (every value a string or None, every column of the raw table present).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator
from requests import Response

from connectors._shared.http import (
    ApiError,
    AuthError,
    UnreadableResponse,
    json_object,
    redact,
    request_path,
    require_json,
    retryable_status,
)
from connectors._shared.values import text

from .settings import REQUIRED_SCOPES
from .tables import HUBSPOT_BY_NAME

# --- Errors ----------------------------------------------------------------------------


class HubSpotAuthError(AuthError):
    """HubSpot refused the token (401/403) or no token is configured.

    Never retried; the message names HUBSPOT_TOKEN and the fix and never the token.
    """


class HubSpotAPIError(ApiError):
    """HubSpot answered with an error status (after retries, for 429 and 5xx).

    `category` and `correlation_id` are HubSpot's, from the error body.
    """

    def __init__(self, message: str, response: Response | None = None):
        status = response.status_code if response is not None else None
        super().__init__(message, response, retryable=retryable_status(status))
        body = json_object(response)
        self.category = body.get("category") or body.get("errorType")
        self.correlation_id = body.get("correlationId")


class HubSpotUnreadableResponse(HubSpotAPIError, UnreadableResponse):
    """A successful status with a body that is not complete JSON (cut by a proxy). Retried."""


def make_response_check(token: str | None):
    """Return a requests response hook that turns HubSpot's answers into outcomes.

    401/403 raise HubSpotAuthError (not retried). Other statuses >= 400 raise
    HubSpotAPIError, retried for 429 and 5xx. A 2xx body that does not parse raises
    HubSpotUnreadableResponse, retried too. 207 (batch endpoints with some missing
    ids) counts as success.
    """

    def check(response: Response, *args: Any, **kwargs: Any) -> Response:
        status = response.status_code
        path = request_path(response)
        if status in (401, 403):
            raise HubSpotAuthError(_auth_message(response, path, token))
        if status >= 400:
            body = json_object(response)
            detail = redact(str(body.get("message") or response.reason or ""), (token,))[:500]
            category = body.get("category") or body.get("errorType") or "unknown category"
            correlation = body.get("correlationId")
            method = response.request.method if response.request is not None else ""
            message = f"HubSpot {method} {path} answered {status} ({category}): {detail}"
            if correlation:
                message += f" [correlationId {correlation}]"
            raise HubSpotAPIError(message, response=response)
        require_json(response, "HubSpot", HubSpotUnreadableResponse)
        return response

    return check


def _auth_message(response: Response, path: str, token: str | None) -> str:
    body = json_object(response)
    category = body.get("category") or ("INVALID_AUTHENTICATION" if response.status_code == 401 else "FORBIDDEN")
    detail = redact(str(body.get("message") or response.reason or ""), (token,))[:300]
    if response.status_code == 401:
        fix = (
            "check HUBSPOT_TOKEN: it must be the access token of a private app in this portal "
            "(Settings > Integrations > Private apps), not expired or rotated"
        )
    else:
        fix = "give the private app behind HUBSPOT_TOKEN the scopes " + ", ".join(REQUIRED_SCOPES)
    return (
        f"HubSpot refused HUBSPOT_TOKEN on {path} ({response.status_code} {category}: {detail}): {fix}; "
        "or run with --source demo"
    )


# --- Paging ----------------------------------------------------------------------------


class CappedSearchPaginator(JSONResponseCursorPaginator):
    """HubSpot search paging (`paging.next.after` into the body) that stops at the cap.

    The search endpoint refuses `after` >= 10,000 with a 400. The paginator stops
    before asking for it and records `hit_cap`, so the caller can restart the search
    from the last modified time it saw.
    """

    def __init__(self, cap: int):
        super().__init__(cursor_path="paging.next.after", cursor_body_path="after")
        self.cap = cap
        self.hit_cap = False

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        super().update_state(response, data)
        after = self._next_reference
        if after is not None and str(after).isdigit() and int(after) >= self.cap:
            self.hit_cap = True
            self._next_reference = None


def list_paginator() -> JSONResponseCursorPaginator:
    """Paging of the list and owners endpoints: `paging.next.after` into the query."""
    return JSONResponseCursorPaginator(cursor_path="paging.next.after", cursor_param="after")


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Values and timestamps -------------------------------------------------------------


def to_millis(value: str | int | float | datetime) -> int:
    """Epoch milliseconds of an ISO 8601 timestamp (UTC when no offset) or of millis."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)):
        return int(value)
    else:
        raw = str(value).strip()
        if raw.lstrip("-").isdigit():
            return int(raw)
        try:
            dt = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO 8601 timestamp or epoch milliseconds") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


# --- Rows ------------------------------------------------------------------------------


def empty_row(table: str) -> dict[str, str | None]:
    return dict.fromkeys(HUBSPOT_BY_NAME[table].columns)


def object_row(
    table: str,
    obj: Mapping[str, Any],
    associations: Mapping[str, str | None] | None = None,
    engagement_type: str | None = None,
) -> dict[str, str | None]:
    """Flatten one CRM object into a raw row of `table`.

    Every column of the table is present (None when HubSpot did not return it); every
    property HubSpot returned lands as `property_<name>`, including ones the table
    does not list (a portal's custom or default properties), as further columns.
    """
    row = empty_row(table)
    row["id"] = text(obj.get("id"))
    row["created_at"] = text(obj.get("createdAt"))
    row["updated_at"] = text(obj.get("updatedAt"))
    row["archived"] = text(bool(obj.get("archived", False)))
    for name, value in (obj.get("properties") or {}).items():
        row[f"property_{name}"] = text(value)
    if engagement_type is not None:
        row["engagement_type"] = engagement_type
    for column, value in (associations or {}).items():
        row[column] = value
    return row


def history_rows(
    table: str, id_column: str, value_column: str, object_id: str, entries: Iterable[Mapping[str, Any]]
) -> list[dict[str, str | None]]:
    """One raw row per value a property held, from HubSpot's propertiesWithHistory.

    Entries whose value is empty (the property was cleared) are not a stage held and
    are skipped; duplicates of (value, timestamp) collapse to one row.
    """
    rows: list[dict[str, str | None]] = []
    seen: set[tuple[str, str]] = set()
    for entry in entries:
        value, timestamp = text(entry.get("value")), text(entry.get("timestamp"))
        if value is None or timestamp is None or (value, timestamp) in seen:
            continue
        seen.add((value, timestamp))
        row = empty_row(table)
        row.update({id_column: object_id, value_column: value, "entered_at": timestamp,
                    "source_type": text(entry.get("sourceType"))})
        rows.append(row)
    return rows


def first_v3_association(obj: Mapping[str, Any], to_type: str) -> str | None:
    """The first associated id of `to_type` in a v3 object, preferring a labelled type.

    v3 lists one entry per association type, so the same company can appear as
    `deal_to_company` (HubSpot's primary) and `deal_to_company_unlabeled`.
    """
    results = ((obj.get("associations") or {}).get(to_type) or {}).get("results") or []
    preferred = [r for r in results if not str(r.get("type", "")).endswith("_unlabeled")]
    for result in preferred or results:
        return text(result.get("id"))
    return None


def first_v4_association(to: Sequence[Mapping[str, Any]]) -> str | None:
    """The first associated id in a v4 batch read result, preferring the Primary label."""
    primary = [t for t in to if any((a.get("label") or "") == "Primary" for a in t.get("associationTypes") or [])]
    for target in primary or to:
        return text(target.get("toObjectId"))
    return None
