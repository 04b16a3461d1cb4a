"""The daemon's small HTTP control server: a token-guarded refresh trigger, health, metrics.

Routes (anything else is 404; a known path with another method is 405 with an Allow header):

- `POST /refresh/<name>`: queue a refresh of the spreadsheet the daemon calls `name`
  (percent-decoded). It needs `Authorization: Bearer <token>`. Without a configured token the
  trigger is off: 403, saying which environment variable to set. A missing or wrong token:
  401 (compared in constant time). Then `trigger(name)`: False is 404, True is 202.
- `GET /healthz`: 200 or 503 with the text `health()` returns.
- `GET /metrics`: `metrics()` in the Prometheus text format.

HEAD is answered like GET, without the body. The server runs `http.server.ThreadingHTTPServer`
in a daemon thread and binds exactly the host it is given (the config's default is loopback).
It never logs the token or the Authorization header: each request is logged through `logging`
at debug level as method, path (without the query string) and status, and nothing else.

What it deliberately does not do: TLS (put a reverse proxy in front to expose it beyond the
machine), rate limiting, refreshing anything itself (the `trigger` callback only queues; the
scheduler runs it), or read request bodies beyond draining up to 64 KiB (larger is 413).
"""

from __future__ import annotations

import hmac
import logging
import socket
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from prometheus_client import CONTENT_TYPE_LATEST

log = logging.getLogger("sheetsync.daemon.http")

TEXT = "text/plain; charset=utf-8"
REFRESH = "/refresh/"
MAX_BODY = 64 * 1024
REQUEST_TIMEOUT = 10.0  # seconds a client may take to send its request
POLL_INTERVAL = 0.1  # seconds: how soon stop() is noticed by the serving thread

Trigger = Callable[[str], bool]
Health = Callable[[], tuple[bool, str]]
Render = Callable[[], bytes]


@dataclass(frozen=True)
class Answer:
    """One response: status, body, content type and any extra headers."""

    status: int
    body: bytes
    content_type: str = TEXT
    headers: tuple[tuple[str, str], ...] = ()


def text(status: int, message: str, *headers: tuple[str, str]) -> Answer:
    """A plain-text answer (a newline is added)."""
    return Answer(status, (message + "\n").encode("utf-8"), TEXT, headers)


@dataclass(frozen=True)
class Routes:
    """What each path answers; pure apart from the callbacks, so it is easy to follow."""

    token: str | None
    token_env: str
    trigger: Trigger
    health: Health
    metrics: Render

    def answer(self, method: str, path: str, authorization: str | None) -> Answer:
        """The answer to `method path`, given the request's Authorization header."""
        if path in ("/healthz", "/metrics"):
            wrong = only(method, "GET", "HEAD")
            return wrong or (self._health() if path == "/healthz" else self._metrics())
        if path.startswith(REFRESH) and len(path) > len(REFRESH):
            wrong = only(method, "POST")
            return wrong or self._refresh(unquote(path[len(REFRESH) :]), authorization)
        return text(404, f"not found: {path} (try POST {REFRESH}<name>, GET /healthz, "
                         "GET /metrics)")  # fmt: skip

    def _health(self) -> Answer:
        healthy, message = self.health()
        return text(200 if healthy else 503, message)

    def _metrics(self) -> Answer:
        return Answer(200, self.metrics(), CONTENT_TYPE_LATEST)

    def _refresh(self, name: str, authorization: str | None) -> Answer:
        if not self.token:
            return text(
                403,
                "refresh over HTTP is off: set the environment variable "
                f"{self.token_env} to a secret token and restart the daemon",
            )
        if not token_matches(authorization, self.token):
            return text(401, "a valid 'Authorization: Bearer <token>' header is required",
                        ("WWW-Authenticate", 'Bearer realm="sheetsync"'))  # fmt: skip
        if not self.trigger(name):
            return text(404, f"no spreadsheet named {name!r}")
        return text(202, f"refresh of {name} queued")


def only(method: str, *allowed: str) -> Answer | None:
    """None when `method` is allowed here, else the 405 answer."""
    if method in allowed:
        return None
    return text(405, f"method {method} not allowed here", ("Allow", ", ".join(allowed)))


def token_matches(authorization: str | None, token: str) -> bool:
    """Whether the header is `Bearer <token>` (scheme in any case), compared in constant time.

    The header arrives decoded as Latin-1, so it is encoded back to its raw bytes; the token
    is compared as UTF-8.
    """
    scheme, _, given = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    raw = given.strip().encode("latin-1", errors="replace")
    return hmac.compare_digest(raw, token.encode("utf-8"))


class ControlServer:
    """The HTTP trigger, health and metrics endpoints, served from a daemon thread.

    Nothing is bound until `start()`; `address` is then the (host, port) actually bound
    (port 0 picks a free one). `stop()` stops serving and closes the socket. An address that
    cannot be bound raises OSError from `start()`.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        token: str | None,
        token_env: str,
        trigger: Trigger,
        health: Health,
        metrics: Render,
    ) -> None:
        self.host = host.strip("[]")  # "[::1]" as written in a URL
        self.port = port
        self.routes = Routes(token, token_env, trigger, health, metrics)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        """The host and port the server is bound to."""
        if self._server is None:
            raise RuntimeError("the control server is not running")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        """Bind and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("the control server is already running")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        server = _Server((self.host, self.port), _Handler, family, self.routes)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(POLL_INTERVAL,),
                                        name="sheetsync-http", daemon=True)  # fmt: skip
        self._thread.start()
        log.debug("control server listening on %s:%d", *self.address)

    def stop(self) -> None:
        """Stop serving and close the socket (a request being answered may still finish)."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join()

    def __enter__(self) -> ControlServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    """A ThreadingHTTPServer of either address family that carries the routes."""

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: Any, family: socket.AddressFamily, routes: Routes
    ) -> None:
        self.address_family = family
        self.routes = routes
        super().__init__(address, handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host (it can hang)."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)


class _Handler(BaseHTTPRequestHandler):
    """Hands every request to `Routes.answer`; logs method, path and status only."""

    server: _Server
    timeout = REQUEST_TIMEOUT
    server_version = "sheetsync"
    sys_version = ""

    def handle_any(self) -> None:
        path = urlsplit(self.path).path
        if not self._drain_body():
            return
        try:
            answer = self.server.routes.answer(self.command, path, self.headers["Authorization"])
        except Exception:
            log.exception("control server: %s %s failed", self.command, path)
            answer = text(500, "internal error; see the daemon's log")
        self._send(answer)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = handle_any

    def _drain_body(self) -> bool:
        """Read and drop a small request body; answer 400 or 413 (False) otherwise."""
        length = self.headers["Content-Length"]
        if length is None:
            return True
        if not length.strip().isdigit():
            self._send(text(400, "bad Content-Length"))
            return False
        if int(length) > MAX_BODY:
            self.close_connection = True
            self._send(text(413, f"request body over {MAX_BODY} bytes"))
            return False
        self.rfile.read(int(length))
        return True

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in answer.headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log method, path (no query string) and status at debug level; nothing else."""
        method = getattr(self, "command", None) or "-"
        path = urlsplit(getattr(self, "path", "") or "").path or "-"
        log.debug("%s %s %s", method, path, int(code) if isinstance(code, int) else code)

    def log_message(self, format: str, *args: Any) -> None:
        """Dropped: the base class's messages can echo a raw request line."""
