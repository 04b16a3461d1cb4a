"""The daemon's small HTTP control server: a token-guarded refresh trigger, health, metrics.

Routes (anything else is 404; a known path with another method is 405 with an Allow header):

- `POST /refresh/<name>`: queue a refresh of the spreadsheet the daemon calls `name`
  (percent-decoded). It needs `Authorization: Bearer <token>`. Without a configured token the
  trigger is off: 403, saying which environment variable to set. A missing or wrong token:
  401 (compared in constant time). Then `trigger(name)`: False is 404, True is 202.
- `GET /healthz`: 200 or 503 with the status and counts; each failing spreadsheet's error only
  when the request carries the token (an error can name a workbook path or an account).
- `GET /metrics`: `metrics()` in the Prometheus text format.

HEAD is answered like GET, without the body. A request body is read and dropped; its
Content-Length must be plain digits (else 400). The routes are a plain WSGI app
(`ControlApp`), served by `serving.BoundedServer` (cheroot) with its limits: request size,
a whole-request deadline, a fixed thread pool and a cap on connections. The server binds
exactly the host it is given (the config's default is loopback). It never logs the token or
the Authorization header: each request is logged through `logging` at debug level as method,
path (without the query string) and status, and nothing else.

What it deliberately does not do: TLS (put a reverse proxy in front to expose it beyond the
machine), rate limiting, or refreshing anything itself (the `trigger` callback only queues;
the scheduler runs it).
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from cheroot.errors import MaxSizeExceeded
from prometheus_client import CONTENT_TYPE_LATEST

from sheetsync.daemon.health import Health
from sheetsync.daemon.serving import BoundedServer, Limits, Monotonic

log = logging.getLogger("sheetsync.daemon.http")

TEXT = "text/plain; charset=utf-8"
REFRESH = "/refresh/"
DEFAULT_LIMITS = Limits()

Trigger = Callable[[str], bool]
HealthCheck = Callable[[], Health]
Render = Callable[[], bytes]
Environ = dict[str, Any]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


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
    health: HealthCheck
    metrics: Render

    def answer(self, method: str, path: str, authorization: str | None) -> Answer:
        """The answer to `method path`, given the request's Authorization header."""
        if path in ("/healthz", "/metrics"):
            wrong = only(method, "GET", "HEAD")
            if wrong:
                return wrong
            return self._health(authorization) if path == "/healthz" else self._metrics()
        if path.startswith(REFRESH) and len(path) > len(REFRESH):
            wrong = only(method, "POST")
            return wrong or self._refresh(unquote(path[len(REFRESH) :]), authorization)
        return text(404, f"not found: {path} (try POST {REFRESH}<name>, GET /healthz, "
                         "GET /metrics)")  # fmt: skip

    def _health(self, authorization: str | None) -> Answer:
        health = self.health()
        lines = [health.summary]
        if health.details and self.token and token_matches(authorization, self.token):
            lines += health.details
        return text(200 if health.healthy else 503, "\n".join(lines))

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


class ControlApp:
    """`Routes` as a WSGI app: reads and drops the body, answers, logs one debug line."""

    def __init__(self, routes: Routes) -> None:
        self.routes = routes

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET"))
        path = request_path(environ)
        answer = drain_body(environ) or self._routed(method, path, environ)
        log.debug("%s %s %d", method, path, answer.status)
        headers = [("Content-Type", answer.content_type),
                   ("Content-Length", str(len(answer.body))), ("Cache-Control", "no-store"),
                   *answer.headers]  # fmt: skip
        start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", headers)
        return [b"" if method == "HEAD" else answer.body]

    def _routed(self, method: str, path: str, environ: Environ) -> Answer:
        try:
            return self.routes.answer(method, path, environ.get("HTTP_AUTHORIZATION"))
        except Exception:
            log.exception("control server: %s %s failed", method, path)
            return text(500, "internal error; see the daemon's log")


def request_path(environ: Environ) -> str:
    """The request's path as sent (still percent-encoded), without the query string."""
    raw = environ.get("REQUEST_URI")  # cheroot's; else rebuilt from the decoded PATH_INFO
    if not raw:
        raw = quote(str(environ.get("PATH_INFO", "/")).encode("latin-1"), safe="/")
    return urlsplit(str(raw)).path or "/"


def drain_body(environ: Environ) -> Answer | None:
    """Read and drop the request body; the 400 or 413 answer when it cannot be."""
    length = str(environ.get("CONTENT_LENGTH") or "")
    stream = environ["wsgi.input"]
    if length and not (length.isascii() and length.isdigit()):
        return text(400, "bad Content-Length: digits only", ("Connection", "close"))
    try:
        stream.read(int(length)) if length else stream.read()
    except MaxSizeExceeded:  # a chunked body past the server's limit
        return text(413, "request body too large", ("Connection", "close"))
    return None


class ControlServer:
    """The HTTP trigger, health and metrics endpoints, served from a daemon thread.

    Nothing is bound until `start()`; `address` is then the (host, port) actually bound
    (port 0 picks a free one). `stop()` stops serving and closes the socket. An address that
    cannot be bound raises OSError from `start()`. `limits` and `clock` (monotonic seconds, for
    the request deadline) are for tests.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        token: str | None,
        token_env: str,
        trigger: Trigger,
        health: HealthCheck,
        metrics: Render,
        limits: Limits = DEFAULT_LIMITS,
        clock: Monotonic = time.monotonic,
    ) -> None:
        self.host = host.strip("[]")  # "[::1]" as written in a URL
        self.port = port
        self.app = ControlApp(Routes(token, token_env, trigger, health, metrics))
        self.limits, self.clock = limits, clock
        self._server: BoundedServer | None = None

    @property
    def address(self) -> tuple[str, int]:
        """The host and port the server is bound to."""
        if self._server is None:
            raise RuntimeError("the control server is not running")
        return self._server.address

    def start(self) -> None:
        """Bind and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("the control server is already running")
        server = BoundedServer((self.host, self.port), self.app, limits=self.limits,
                               clock=self.clock)  # fmt: skip
        server.start()
        self._server = server
        log.debug("control server listening on %s:%d", *self.address)

    def stop(self) -> None:
        """Stop serving and close the socket (a request being answered may still finish)."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> ControlServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
