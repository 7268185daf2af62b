"""What every local fake API shares: serve on a free 127.0.0.1 port in a daemon thread,
stop cleanly, work as a context manager, hand each request to the fake's `_handle`,
and write a JSON reply (optionally cut short, to fake a truncated body)."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeHandler(BaseHTTPRequestHandler):
    """Passes GET and POST to `fake._handle(handler, method)`; logs nothing."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; without this, delayed ACKs add 40 ms a request.
    disable_nagle_algorithm = True
    fake: Any

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.fake._handle(self, "GET")

    def do_POST(self) -> None:  # noqa: N802
        self.fake._handle(self, "POST")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def send_json(handler: BaseHTTPRequestHandler, status: int, payload: Any, headers: Mapping[str, str],
              truncate: bool = False, content_type: str = "application/json;charset=UTF-8") -> None:
    """Write one reply: JSON (or bytes / text as given), with `headers`; `truncate`
    sends half the body and closes the connection, as a dropped response does."""
    if isinstance(payload, bytes):
        data = payload
    elif isinstance(payload, str):
        data = payload.encode()
    else:
        data = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    for name, value in headers.items():
        handler.send_header(name, value)
    if truncate:
        handler.send_header("Connection", "close")
        handler.close_connection = True
    handler.end_headers()
    handler.wfile.write(data[: len(data) // 2] if truncate else data)
    handler.wfile.flush()


class LoopbackServer:
    """Base of the fake vendor APIs: a subclass implements `_handle(handler, method)`
    and calls `LoopbackServer.__init__`."""

    handler_class: type[BaseHTTPRequestHandler] = FakeHandler

    def __init__(self) -> None:
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Serve on a free loopback port in a daemon thread; return the base URL."""
        if self._httpd is None:
            handler = type("Handler", (self.handler_class,), {"fake": self})
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
