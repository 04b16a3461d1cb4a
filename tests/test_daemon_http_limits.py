"""The control server within limits, spoken to over real sockets on 127.0.0.1: a malformed
Content-Length is a 400 (not a traceback), headers past the cap and a body past the cap are
refused before they are read, a client that trickles bytes is cut off at the whole-request
deadline, and many connections cost a fixed number of threads (the rest are answered 503);
over TLS too."""

from __future__ import annotations

import logging
import select
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from cheroot.ssl.builtin import BuiltinSSLAdapter

from sheetsync.daemon.health import Health
from sheetsync.daemon.http import ControlApp, ControlServer, Routes
from sheetsync.daemon.serving import BoundedServer, Limits

TOKEN = "s3cret-T0ken-4f9a"
# small figures so that a test is quick; stop() noticed at once
LIMITS = Limits(threads=2, queue=3, idle=1, backlog=64, header_bytes=4096, body_bytes=1024,
                read_timeout=5.0, deadline=0.5, tick=0.02)  # fmt: skip
WAIT = 20.0  # seconds: the bound on any wait for an observable condition


def healthy() -> Health:
    return Health(True, "ok: 1 spreadsheets")


@pytest.fixture
def server() -> Iterator[ControlServer]:
    with ControlServer("127.0.0.1", 0, token=TOKEN, token_env="SHEETSYNC_TOKEN",
                       trigger=lambda name: name == "north", health=healthy,
                       metrics=lambda: b"", limits=LIMITS) as running:  # fmt: skip
        yield running


def connect(server: ControlServer) -> socket.socket:
    sock = socket.create_connection(server.address, timeout=WAIT)
    return sock


def status_of(answer: bytes) -> int | None:
    """The status code of a raw HTTP answer, None when there is none."""
    first = answer.split(b"\r\n", 1)[0].split()
    return int(first[1]) if len(first) >= 2 and first[1].isdigit() else None


def exchange(server: ControlServer, request: bytes) -> bytes:
    """Send `request`, half-close, read until the server closes (or WAIT)."""
    with connect(server) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        return read_all(sock)


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def healthz(server: ControlServer) -> int | None:
    return status_of(exchange(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))


def answered(sock: socket.socket, wait: float) -> bool:
    """Whether the server has answered or closed (readable within `wait` seconds)."""
    return bool(select.select([sock], [], [], wait)[0])


def feed(sock: socket.socket, pieces: Iterator[bytes], pause: float) -> tuple[int, bytes]:
    """Send piece after piece, each after waiting `pause` s for an answer; stop at one (or
    when the server cuts the connection). Returns the bytes sent and what came back."""
    sent = 0
    for piece in pieces:
        if answered(sock, pause):
            return sent, read_all(sock)
        try:
            sock.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            return sent, b""
        sent += len(piece)
    return sent, read_all(sock) if answered(sock, WAIT) else b""


# ------------------------------------------------------------------ malformed requests


@pytest.mark.parametrize(
    "length", [b"\xb2", b"\xc2\xb2", b"-1", b"+5", b"1_0", b"0x10", b"1e3", b"12 34", b"\xd9\xa3"]
)
def test_a_malformed_content_length_is_400_and_the_server_goes_on(
    server: ControlServer, length: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    request = b"POST /refresh/north HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + b"\r\n\r\n"
    answer = exchange(server, request)
    assert status_of(answer) == 400, answer
    assert healthz(server) == 200
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    "request_line",
    [b"GET\r\n", b"GET /healthz HTTP/1.x\r\n", b"\x00\xff junk\r\n",
     b"GET /healthz HTTP/1.1 x\r\n"],
)  # fmt: skip
def test_a_malformed_request_line_is_a_4xx(server: ControlServer, request_line: bytes) -> None:
    status = status_of(exchange(server, request_line + b"Host: x\r\n\r\n"))
    assert status is not None and 400 <= status < 500
    assert healthz(server) == 200


def test_a_body_over_the_cap_is_413_before_it_is_read(server: ControlServer) -> None:
    with connect(server) as sock:  # announces 10 MB and sends none of it
        sock.sendall(b"POST /refresh/north HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n"
                     b"Authorization: Bearer " + TOKEN.encode() + b"\r\n\r\n")  # fmt: skip
        assert status_of(read_all(sock)) == 413


def test_a_small_body_is_read_and_dropped(server: ControlServer) -> None:
    body = b'{"event": "deal closed"}'
    request = (b"POST /refresh/north HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
               + TOKEN.encode() + b"\r\nContent-Length: " + str(len(body)).encode()
               + b"\r\nConnection: close\r\n\r\n" + body)  # fmt: skip
    assert status_of(exchange(server, request)) == 202


# ------------------------------------------------------------------ what a client can cost


def test_headers_past_the_cap_are_refused_before_they_are_read(server: ControlServer) -> None:
    line = b"X-Pad: " + b"a" * 1000 + b"\r\n"
    with connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        sent, answer = feed(sock, iter([line] * 1000), pause=0.01)  # a megabyte, if read
    assert sent < 8 * LIMITS.header_bytes  # cut off near the cap, not after 100 lines of 64 KiB
    assert answer == b"" or status_of(answer) in (413, 414, 431)
    assert healthz(server) == 200


def test_a_client_trickling_bytes_is_cut_off_at_the_deadline(server: ControlServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
        # a byte every 50 ms: 400 bytes would take 20 s; each read alone is quick enough
        sent, answer = feed(sock, iter([b"a"] * 400), pause=0.05)
    assert sent < 400
    assert answer == b"" or status_of(answer) == 408
    assert healthz(server) == 200  # the worker thread is free again


def test_many_connections_cost_a_fixed_number_of_threads(server: ControlServer) -> None:
    before = threading.active_count()  # the pool is there before the crowd comes
    socks = [connect(server) for _ in range(30)]
    statuses: list[int | None] = []
    most = before
    try:
        for sock in socks:  # each starts a request and never finishes it
            sock.sendall(b"GET /healthz HTTP/1.1\r\nX-Slow: a")
        deadline = time.monotonic() + WAIT
        pending = list(socks)
        while pending and time.monotonic() < deadline:
            most = max(most, threading.active_count())
            for sock in select.select(pending, [], [], 0.05)[0]:
                pending.remove(sock)
                statuses.append(status_of(read_all(sock)))
    finally:
        for sock in socks:
            sock.close()
    assert most == before  # not a thread more, however many connections
    # every one answered: those past the threads and the queue at once with 503, the others
    # with 408 at the deadline
    assert len(statuses) == 30 and set(statuses) <= {503, 408} and 503 in statuses
    assert healthz(server) == 200


# ------------------------------------------------------------------ over TLS


def test_over_tls_the_same_server_answers_and_keeps_the_deadline(tmp_path: Path) -> None:
    """The Sheets API emulator will serve HTTPS from this server: cheroot's builtin adapter."""
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    app = ControlApp(Routes(TOKEN, "SHEETSYNC_TOKEN", lambda name: False, healthy, lambda: b""))
    server = BoundedServer(("127.0.0.1", 0), app, limits=LIMITS)
    server.ssl_adapter = BuiltinSSLAdapter(str(cert), str(key))
    server.start()
    try:
        context = ssl.create_default_context()
        ca.configure_trust(context)
        url = f"https://127.0.0.1:{server.address[1]}/healthz"
        with urllib.request.urlopen(url, context=context, timeout=WAIT) as answer:
            assert (answer.status, answer.read()) == (200, b"ok: 1 spreadsheets\n")
        raw = socket.create_connection(server.address, timeout=WAIT)
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
            sent, answer_ = feed(sock, iter([b"a"] * 400), pause=0.05)
        assert sent < 400 and (answer_ == b"" or status_of(answer_) == 408)
    finally:
        server.stop()
