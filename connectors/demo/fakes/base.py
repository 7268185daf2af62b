"""What every fake vendor API shares: FakeApi.

A fake serves on a free 127.0.0.1 port in a daemon thread (start / stop, or as a
context manager), logs every request, answers from its route table, and can be told
to fail: `fail_next(status, times, retry_after, body, path)` answers the next
requests (whose path starts with `path`) with an error in the vendor's own shape, or,
with `body=TRUNCATED`, with the real answer cut off mid-transfer.

A vendor's fake subclasses FakeApi and implements `_route(request)`, returning
(status, payload, headers) or raising `Reply` from anywhere for an error answer;
`_failure_body(status, retry_after)` is the vendor's error body for an injected failure. Bearer
authentication is `_require_bearer(request, tokens, refuse)`.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from requests.structures import CaseInsensitiveDict


class _Truncated:
    def __repr__(self) -> str:
        return "TRUNCATED"


# Pass as `body=TRUNCATED` to `fail_next`: the real answer, cut in half mid-transfer.
TRUNCATED = _Truncated()


class Reply(Exception):
    """An answer (an error, mostly) raised from anywhere in request handling."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None):
        super().__init__(str(body))
        self.status, self.body, self.headers = status, body, dict(headers or {})


@dataclass
class Request:
    """One request as a route sees it: `query` values joined by commas, `headers`
    case-insensitive, `body` the raw bytes."""

    method: str
    path: str
    raw_query: str
    query: dict[str, str]
    headers: CaseInsensitiveDict
    body: bytes

    def json(self, refuse: Callable[[str], Reply]) -> Any:
        """The body as JSON; `refuse(message)` is the vendor's 400 for a body that is not."""
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            raise refuse("Invalid input JSON") from None

    def form(self) -> dict[str, str]:
        """The body as a form (application/x-www-form-urlencoded)."""
        return {k: ",".join(v) for k, v in parse_qs(self.body.decode(errors="replace"), keep_blank_values=True).items()}


@dataclass(frozen=True)
class _Failure:
    status: int
    retry_after: float | None
    body: Any
    path: str


class _Handler(BaseHTTPRequestHandler):
    """Passes GET and POST to `fake._handle(handler, method)`; logs nothing."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; without this, delayed ACKs add 40 ms a request.
    disable_nagle_algorithm = True
    fake: FakeApi

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.fake._handle(self, "GET")

    def do_POST(self) -> None:  # noqa: N802
        self.fake._handle(self, "POST")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class FakeApi:
    """Base of the fake vendor APIs: lifecycle, request log, failure queue, replies.

    `request_log` holds (method, path, query) per request, query values as strings;
    `request_bodies` the parsed body of each (JSON, or the text; `_logged_body` may
    parse otherwise) and `request_headers` its headers, all in the same order.
    """

    content_type = "application/json;charset=UTF-8"

    def __init__(self) -> None:
        self.request_log: list[tuple[str, str, dict[str, str]]] = []
        self.request_bodies: list[Any] = []
        self.request_headers: list[CaseInsensitiveDict] = []
        self._failures: deque[_Failure] = deque()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> str:
        """Serve on a free loopback port in a daemon thread; return the base URL."""
        if self._httpd is None:
            handler = type("Handler", (_Handler,), {"fake": self})
            self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            self._httpd.daemon_threads = True
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=f"{type(self).__name__}-fake", daemon=True)
            self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd, self._thread = None, None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError(f"{type(self).__name__} is not started: call start() or use it as a context manager")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # --- test controls ------------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1, retry_after: float | None = None, body: Any = None,
                  path: str = "") -> None:
        """Answer the next `times` requests with `status` instead of serving them.

        `retry_after` sets a Retry-After header (seconds). `body` replaces the vendor's
        error body (a dict or list is sent as JSON, str/bytes verbatim); `body=TRUNCATED`
        serves the real answer cut off mid-transfer. `path` limits the failures to
        requests whose path starts with it (e.g. "/services/data", so a token
        endpoint still answers).
        """
        with self._lock:
            self._failures.extend([_Failure(status, retry_after, body, path)] * times)

    # --- what a vendor implements -------------------------------------------------------

    def _route(self, request: Request) -> tuple[int, Any, Mapping[str, str]]:
        """The answer to `request`: (status, payload, headers); raise Reply for an error."""
        raise NotImplementedError

    def _failure_body(self, status: int, retry_after: float | None) -> Any:
        """The vendor's error body for an injected failure with `status` (and Retry-After)."""
        raise NotImplementedError

    def _logged_body(self, request: Request) -> Any:
        """What `request_bodies` keeps of a request: its JSON, or its text."""
        if not request.body:
            return None
        try:
            return json.loads(request.body)
        except ValueError:
            return request.body.decode(errors="replace")

    def _reply_headers(self) -> dict[str, str]:
        """Headers the vendor puts on every answer."""
        return {}

    @staticmethod
    def _require_bearer(request: Request, tokens: Collection[str], refuse: Callable[[], Reply]) -> None:
        """Raise `refuse()` unless the request carries `Authorization: Bearer <one of tokens>`."""
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[len("Bearer "):] not in tokens:
            raise refuse()

    # --- request handling ---------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(method, parts.path, parts.query,
                          {k: ",".join(v) for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
                          CaseInsensitiveDict(handler.headers.items()),
                          handler.rfile.read(length) if length else b"")
        with self._lock:
            self.request_log.append((method, request.path, request.query))
            self.request_bodies.append(self._logged_body(request))
            self.request_headers.append(request.headers)
            failure = next((f for f in self._failures if request.path.startswith(f.path)), None)
            if failure is not None:
                self._failures.remove(failure)
        if failure is not None and failure.body is not TRUNCATED:
            headers = {} if failure.retry_after is None else {"Retry-After": _seconds(failure.retry_after)}
            body = self._failure_body(failure.status, failure.retry_after) if failure.body is None else failure.body
            return self._send(handler, failure.status, body, headers)
        try:
            status, payload, headers = self._route(request)
        except Reply as reply:
            status, payload, headers = reply.status, reply.body, reply.headers
        self._send(handler, status, payload, headers, truncate=failure is not None)

    def _send(self, handler: BaseHTTPRequestHandler, status: int, payload: Any, headers: Mapping[str, str],
              truncate: bool = False) -> None:
        """Write one reply: JSON (or bytes / text as given), with `headers`; `truncate`
        sends half the body and closes the connection, as a dropped response does."""
        if isinstance(payload, bytes):
            data = payload
        elif isinstance(payload, str):
            data = payload.encode()
        else:
            data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in {**self._reply_headers(), **headers}.items():
            handler.send_header(name, value)
        if truncate:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        handler.wfile.write(data[: len(data) // 2] if truncate else data)
        handler.wfile.flush()


def _seconds(value: float) -> str:
    """A Retry-After value: whole seconds without '.0', as vendors send them."""
    return str(int(value)) if float(value).is_integer() else str(value)
