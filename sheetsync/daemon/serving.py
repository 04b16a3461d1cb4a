"""Serving a WSGI app within limits, on cheroot (the CherryPy project's HTTP server).

cheroot enforces, as set from `Limits` here:

- the size of the request line and headers together (`header_bytes`; past it, 413 or 414);
- the size of a request body (`body_bytes`; a Content-Length over it is 413 before a byte of
  the body is read, a chunked body is cut off there);
- a fixed pool of `threads` worker threads, and a queue of at most `queue` accepted connections
  waiting for one; a connection past both is answered 503 and closed at once, never kept;
- idle keep-alive connections: at most `idle`, each closed after `read_timeout` seconds;
- a timeout on each read (`read_timeout`), and 400 for a malformed request line, header or
  Content-Length.

This module adds what cheroot does not have: a **whole-request deadline**. A request's line,
headers and body must have arrived within `deadline` seconds of the connection being accepted
(time spent waiting in the queue counts; for a later request on a keep-alive connection, from
when a worker starts reading it); a client that trickles a byte at a time is answered 408 and
cut off then, instead of holding a worker thread for as long as it keeps sending (every read is
given at most the time left). The clock is injectable for tests.

So a connection costs at most a worker thread for `deadline` seconds, and the server holds at
most `threads + queue + idle` connections, whatever clients do. TLS: cheroot's builtin adapter
(`ssl_adapter`) works with the deadline too; nothing here uses it yet.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cheroot.makefile import MakeFile, StreamReader
from cheroot.server import HTTPConnection
from cheroot.wsgi import Server

log = logging.getLogger("sheetsync.daemon.http")
Monotonic = Callable[[], float]


@dataclass(frozen=True)
class Limits:
    """What one server lets clients cost it (sizes in bytes, times in seconds)."""

    threads: int = 4
    queue: int = 16
    idle: int = 4
    backlog: int = 16
    header_bytes: int = 16 * 1024
    body_bytes: int = 64 * 1024
    read_timeout: float = 5.0
    deadline: float = 5.0
    stop_timeout: float = 2.0
    tick: float = 0.5  # how often the serving loop wakes: to notice stop(), expire idle ones

    def __post_init__(self) -> None:
        for name in ("threads", "queue", "idle", "backlog", "header_bytes", "body_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be at least 1")
        for name in ("read_timeout", "deadline", "stop_timeout", "tick"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be more than 0 seconds")


class BoundedServer(Server):
    """A cheroot WSGI server with `Limits` and the whole-request deadline.

    `start()` binds (an address that cannot be bound raises OSError) and serves from a daemon
    thread; `stop()` stops serving, waits for the workers (at most `limits.stop_timeout`) and
    closes the socket.
    """

    def __init__(self, address: tuple[str, int], app: Any, *, limits: Limits | None = None,
                 clock: Monotonic = time.monotonic, name: str = "sheetsync") -> None:  # fmt: skip
        limits = limits or Limits()
        super().__init__(address, app, numthreads=limits.threads, max=limits.threads,
                         server_name=name, request_queue_size=limits.backlog,
                         accepted_queue_size=limits.queue, accepted_queue_timeout=0)  # fmt: skip
        self.limits, self.clock = limits, clock
        self.timeout = limits.read_timeout
        self.shutdown_timeout = limits.stop_timeout
        self.max_request_header_size = limits.header_bytes
        self.max_request_body_size = limits.body_bytes
        self.keep_alive_conn_limit = limits.idle
        self.expiration_interval = limits.tick
        self.ConnectionClass = DeadlineConnection
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        """The host and port actually bound (port 0 picks a free one)."""
        host, port = self.socket.getsockname()[:2]
        return str(host), int(port)

    def start(self) -> None:
        self.prepare()
        self._thread = threading.Thread(target=self.serve, name="sheetsync-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        super().stop()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def bind(self, family: int, type: int, proto: int = 0) -> Any:
        """cheroot's bind, closing the new socket when it cannot be bound (cheroot 11 leaves
        it open)."""
        sock = self.prepare_socket(self.bind_addr, family, type, proto, self.nodelay,
                                   self.ssl_adapter, self.reuse_port)  # fmt: skip
        try:
            self.socket = self.bind_socket(sock, self.bind_addr)  # type: ignore[no-untyped-call]
        except OSError:
            sock.close()
            raise
        self.bind_addr = self.resolve_real_bind_addr(self.socket)  # type: ignore[no-untyped-call]
        return sock

    def error_log(self, msg: str = "", level: int = 20, traceback: bool = False) -> None:
        """cheroot's own messages (a client that went away, a bad request): debug lines only,
        never a traceback; the app logs its own failures."""
        log.debug("http server: %s", msg.strip())


class DeadlineConnection(HTTPConnection):
    """A connection whose every request must arrive within the server's deadline."""

    def __init__(self, server: BoundedServer, sock: socket.socket, makefile: Any = MakeFile):
        def files(sock: socket.socket, mode: str, size: int) -> Any:
            if "r" in mode:
                return DeadlineReader(sock, size, server.clock, server.limits.read_timeout)
            return makefile(sock, mode, size)

        super().__init__(server, sock, files)
        self.limits, self.clock = server.limits, server.clock
        self.rfile.arm(self.clock() + self.limits.deadline)  # the first request: from accept()

    def close(self) -> None:
        """cheroot leaves a connection it refused (503) to the garbage collector, so that the
        client can read the answer; close it now, after dropping what the client sent (closing
        over unread bytes would reset the connection and could lose the answer)."""
        if self.linger:
            self.linger = False
            drop_unread(self.socket)
        super().close()

    def communicate(self) -> bool:
        """Read and answer one request: the first within the deadline from when the connection
        was accepted (time spent waiting for a worker counts), a later one (keep-alive) from
        now."""
        if not self.rfile.armed():
            self.rfile.arm(self.clock() + self.limits.deadline)
        try:
            return bool(super().communicate())  # type: ignore[no-untyped-call]
        finally:
            self.rfile.arm(None)


def drop_unread(sock: socket.socket, most: int = 64 * 1024) -> None:
    """Read and drop what has already arrived on `sock` (at most `most` bytes), not waiting."""
    try:
        sock.setblocking(False)
        while most > 0 and (chunk := sock.recv(min(most, 16 * 1024))):
            most -= len(chunk)
    except OSError:  # nothing more (or it is gone): all the same here
        pass


class DeadlineReader(StreamReader):
    """cheroot's buffered socket reader over a raw reader that keeps to a deadline."""

    def __init__(self, sock: socket.socket, size: int, clock: Monotonic, timeout: float) -> None:
        self.deadline_io = DeadlineIO(sock, clock, timeout)
        # StreamReader's own __init__ would make a plain socket reader: skip to its base's
        super(StreamReader, self).__init__(self.deadline_io, size)
        self.bytes_read = 0

    def arm(self, deadline: float | None) -> None:
        self.deadline_io.deadline = deadline

    def armed(self) -> bool:
        return self.deadline_io.deadline is not None


class DeadlineIO(socket.SocketIO):
    """Socket reads, each given at most the time left before `deadline` (None: no deadline).

    Past it, a read raises the socket timeout cheroot answers with 408.
    """

    def __init__(self, sock: socket.socket, clock: Monotonic, timeout: float) -> None:
        super().__init__(sock, "rb")
        self.sock, self.clock, self.timeout = sock, clock, timeout
        self.deadline: float | None = None

    def readinto(self, buffer: Any) -> int | None:
        if self.deadline is None:
            return super().readinto(buffer)
        left = self.deadline - self.clock()
        if left <= 0:
            raise TimeoutError("timed out")  # cheroot's words for a read that timed out
        self.sock.settimeout(min(self.timeout, left))
        try:
            return super().readinto(buffer)
        finally:
            self.sock.settimeout(self.timeout)
