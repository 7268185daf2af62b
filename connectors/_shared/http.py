"""The HTTP plumbing every API connector shares: one retrying session, one error
hierarchy, redaction of secrets, and checks of JSON bodies.

The session is dlt's (`dlt.sources.helpers.requests.Client`: timeouts, exponential
backoff, Retry-After honoured). Each connector's response hook turns its vendor's
answers into the errors below, and whether an error is retried is its `retryable`
flag: the vendor's rules decide (Meta reports throttling as a 400, Google a failure
inside a 200 stream), not the status alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from dlt.sources.helpers.requests import Client
from requests import HTTPError, Response, Session

# Longest wait between two attempts, whatever Retry-After or the backoff asks for: a
# nightly load should fail and alert rather than sleep for the five minutes dlt allows.
MAX_RETRY_DELAY_SECONDS = 60.0
# The statuses that mean "try again" when a vendor has no finer rule: throttled, or a
# server error.
RETRY_STATUSES = (429, *range(500, 600))


class AuthError(RuntimeError):
    """The vendor refused the credentials (or none are configured). Never retried.

    The message names the environment variable to fix and never contains a secret.
    """


class ApiError(HTTPError):
    """The vendor answered with an error (after retries, when `retryable`).

    A `requests.HTTPError` carrying the response, so dlt's retry wait can read its
    Retry-After header. `status` is the HTTP status; `code` the vendor's own error code
    or status name, when it has one.
    """

    def __init__(self, message: str, response: Response | None = None, *, retryable: bool = False,
                 code: Any = None):
        super().__init__(message, response=response)
        self.status = response.status_code if response is not None else None
        self.retryable = retryable
        self.code = code


class UnreadableResponse(ApiError):
    """A successful status with a body that is not complete JSON (cut by a proxy). Retried."""

    def __init__(self, message: str, response: Response | None = None, **details: Any):
        # A vendor's own kind of it (HubSpotUnreadableResponse) passes its details on.
        super().__init__(message, response, **{**details, "retryable": True})


def retryable_status(status: int | None) -> bool:
    return status in RETRY_STATUSES


def is_retryable(response: Response | None, exception: BaseException | None) -> bool:
    """Retry predicate for dlt's client: the response hook decided, on the error it raised."""
    return isinstance(exception, ApiError) and exception.retryable


def retrying_session(max_attempts: int, backoff_factor: float, *, timeout: float,
                     retry_statuses: Sequence[int] = ()) -> Session:
    """A requests session from dlt's Client: timeouts, backoff, Retry-After honoured.

    An ApiError whose `retryable` flag is set is retried; so are dropped connections
    and timeouts, as dlt does by default. `retry_statuses` also retries answers with
    those statuses that no hook turned into an error (a token endpoint called without
    one); by default status codes alone trigger nothing.
    """
    return Client(
        request_timeout=timeout,
        raise_for_status=False,
        status_codes=tuple(retry_statuses),
        request_max_attempts=max_attempts,
        request_backoff_factor=backoff_factor,
        request_max_retry_delay=MAX_RETRY_DELAY_SECONDS,
        respect_retry_after_header=True,
        retry_condition=is_retryable,
    ).session


def request_path(response: Response) -> str:
    """The path of the request an answer is for, without its query (which may hold ids)."""
    return response.request.path_url.split("?")[0] if response.request is not None else ""


def json_body(response: Response | None) -> Any:
    """The parsed body, or None when there is none or it is not JSON (an error page from a proxy)."""
    if response is None:
        return None
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


def json_object(response: Response | None) -> dict:
    """The parsed body when it is a JSON object (a vendor's error body), else {}."""
    body = json_body(response)
    return body if isinstance(body, dict) else {}


def require_json(response: Response, vendor: str, error: type[ApiError] = UnreadableResponse) -> Any:
    """The parsed body of a successful answer; `error` (retried) when it is cut short."""
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        raise error(f"{vendor} {request_path(response)} answered {response.status_code} with a body that is not "
                    "complete JSON", response=response) from None


def redact(value: str, secrets: Iterable[str | None]) -> str:
    """`value` with every secret in it replaced by ***."""
    for secret in secrets:
        if secret:
            value = value.replace(secret, "***")
    return value


def set_retry_after(response: Response, seconds: float) -> None:
    """Give dlt's wait a Retry-After when the vendor put the delay in the body instead."""
    if not response.headers.get("Retry-After"):
        response.headers["Retry-After"] = str(max(1, int(seconds + 0.999)))
