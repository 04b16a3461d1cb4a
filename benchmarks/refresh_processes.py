"""The processes of `bench_refresh.py` and what passes between them.

- memory of this process: its peak and resident set size (`peak_mb`, `rss_mb`), a new
  high-water mark (`reset_peak`), a run's figures with the peak before and after it
  (`with_peak`);
- child processes: `in_child` runs a function in a fresh interpreter (spawn) and returns its
  result, or the error it stopped with;
- the fake Google Sheets API in its own process: `start_fake` loads the synthetic workbook into
  a `FakeSheetsApi` there, and `FakeHandle` talks to it (a new high-water mark and log before a
  refresh, its peak and API calls after, the last values answer saved for the floor, stop);
- the request forwarder: `Forwarder`, a `responses` callback that sends each HTTP request
  sheetsync or gspread makes to the fake's process and records each exchange (`Exchange`:
  bytes, the fake's time, the transport's).
"""

from __future__ import annotations

import gc
import re
import secrets
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any

import requests
import responses
from requests.structures import CaseInsensitiveDict

from benchmarks.synthetic import make_workbook
from sheetsync.testing import FakeSheetsApi
from sheetsync.testing._front import URL_PATTERNS

MIB = 2**20
RESULT = dict[str, Any]


# -- memory of this process ---------------------------------------------------------------------


def proc_line(name: str, pattern: str) -> str | None:
    """The first group of `pattern` on a line of /proc/`name` (None without it or /proc)."""
    try:
        text = (Path("/proc") / name).read_text()
    except OSError:
        return None
    found = re.search(pattern, text, re.MULTILINE)
    return found[1] if found else None


def _status(field_name: str) -> float | None:
    found = proc_line("self/status", rf"^{field_name}:\s+(\d+) kB")
    return int(found) / 1024 if found else None


def peak_mb() -> float:
    """This process's peak RSS: VmHWM on Linux (reset by exec), else ru_maxrss."""
    found = _status("VmHWM")
    if found is not None:
        return found
    import resource

    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / MIB


def rss_mb() -> float:
    return _status("VmRSS") or 0.0


def reset_peak() -> None:
    """Start a new high-water mark at the current RSS (Linux 4.0+; elsewhere a no-op)."""
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def with_peak(run: Callable[[], RESULT]) -> RESULT:
    """`run()`'s figures, with this process's peak RSS before it (`base`) and after (`peak`)."""
    gc.collect()
    base = peak_mb()
    figures = run()
    return {**figures, "base": base, "peak": peak_mb()}


# -- child processes ----------------------------------------------------------------------------


def _child_main(target: Callable[..., RESULT], send: Connection, *args: Any) -> None:
    try:
        result = target(*args)
    except Exception as exc:  # reported, not raised: one failed size must not stop the run
        result = {"error": f"{type(exc).__name__}: {short(str(exc))}",
                  "trace": traceback.format_exc(limit=6)}  # fmt: skip
    send.send(result)
    send.close()


def in_child(target: Callable[..., RESULT], *args: Any) -> RESULT:
    """`target(*args)` in a fresh interpreter; its result (a dict of plain values)."""
    context = get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child_main, args=(target, send, *args))
    process.start()
    send.close()
    try:
        result: RESULT = receive.recv()
    except EOFError:
        result = {"error": "the child process died"}
    process.join()
    if process.exitcode and "error" not in result:
        result["error"] = f"the child process exited with {process.exitcode}"
    return result


def short(text: str, limit: int = 300) -> str:
    """`text`, cut to `limit` characters (an error message in a result)."""
    return text if len(text) <= limit else text[:limit] + "..."


# -- the fake Google Sheets API in its own process ---------------------------------------------


@dataclass
class FakeHandle:
    address: str
    authkey: bytes
    spreadsheet: str
    key_file: str
    resident_mb: float
    load_seconds: float

    @contextmanager
    def control(self) -> Iterator[Connection]:
        conn = Client(self.address, authkey=self.authkey)
        try:
            yield conn
        finally:
            conn.close()

    def ask(self, *message: Any) -> Any:
        with self.control() as conn:
            conn.send(message)
            return conn.recv()


def _fake_process(address: str, authkey: bytes, rows: int, reps: int, folder: str,
                  ready: Connection) -> None:  # fmt: skip
    """Load the workbook into a FakeSheetsApi and answer requests until told to stop."""
    start = time.perf_counter()
    fake = FakeSheetsApi()  # never started: its handler is called directly
    workbook = make_workbook(rows, reps=reps)
    sid = fake.create_spreadsheet("Team", workbook.grids)
    key = fake.service_account_file(folder)
    del workbook
    gc.collect()
    load = time.perf_counter() - start
    with Listener(address, authkey=authkey) as listener:
        ready.send({"spreadsheet": sid, "key": str(key), "resident": rss_mb(), "load": load})
        ready.close()
        server = _FakeServer(fake)
        while not server.stopped:
            with listener.accept() as conn:
                server.serve(conn)


class _FakeServer:
    def __init__(self, fake: FakeSheetsApi) -> None:
        self.fake = fake
        self.stopped = False
        self.values_answer = b""
        self.resident = rss_mb()

    def serve(self, conn: Connection) -> None:
        while True:
            try:
                message = conn.recv()
            except EOFError:
                return
            kind = message[0]
            if kind == "http":
                self._http(conn, *message[1:])
            elif kind == "mark":  # a refresh begins: a new high-water mark, a new log
                gc.collect()
                self.fake.reset_log()
                reset_peak()
                self.resident = rss_mb()
                conn.send(self.resident)
            elif kind == "stats":
                conn.send({"peak": peak_mb(), "resident": self.resident,
                           "calls": self.fake.api_calls})  # fmt: skip
            elif kind == "save":  # the last answer to a values read, for the floor
                Path(message[1]).write_bytes(self.values_answer)
                conn.send(len(self.values_answer))
            elif kind == "stop":
                self.stopped = True
                conn.send(None)
                return

    def _http(self, conn: Connection, method: str, url: str, headers: dict[str, str],
              body: bytes) -> None:  # fmt: skip
        request = requests.PreparedRequest()
        request.method, request.url, request.body = method, url, body or None
        request.headers = CaseInsensitiveDict(headers)
        start = time.perf_counter()
        status, answer_headers, text = self.fake._callback(request)
        answer = text.encode()
        inside = time.perf_counter() - start
        if "/values:batchGet" in url and status == 200:
            self.values_answer = answer
        conn.send((status, answer_headers, inside))
        conn.send_bytes(answer)


def start_fake(rows: int, reps: int, folder: Path) -> tuple[Any, FakeHandle]:
    context = get_context("spawn")
    address = str(folder / f"fake-{secrets.token_hex(4)}.sock")
    authkey = secrets.token_bytes(16)
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_fake_process,
                              args=(address, authkey, rows, reps, str(folder), send))  # fmt: skip
    process.start()
    send.close()
    ready = receive.recv()
    handle = FakeHandle(address, authkey, ready["spreadsheet"], ready["key"], ready["resident"],
                        ready["load"])  # fmt: skip
    return process, handle


# -- the client side: every request to Google goes to the fake's process ---------------------


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    url_length: int
    sent: int  # request body bytes
    received: int  # answer body bytes
    fake: float  # seconds in the fake's handler
    transport: float  # the rest of the round trip

    @property
    def api(self) -> str:
        return "oauth" if self.path == "/token" else "sheets" if "/v4/" in self.path else "drive"

    @property
    def is_write(self) -> bool:
        return self.method == "POST" and self.path.endswith(":batchUpdate")


class _NoCallLog(responses.CallList):
    """A `responses` call log that keeps nothing."""

    def add(self, request: Any, response: Any) -> None:
        pass

    def add_call(self, call: Any) -> None:
        pass


class Forwarder:
    """A `responses` callback that has the fake's process answer each request."""

    def __init__(self, handle: FakeHandle) -> None:
        self.conn = Client(handle.address, authkey=handle.authkey)
        self.exchanges: list[Exchange] = []

    def __call__(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        assert isinstance(body, bytes)
        url, method = str(request.url), str(request.method).upper()
        start = time.perf_counter()
        self.conn.send(("http", method, url, dict(request.headers), body))
        status, headers, inside = self.conn.recv()
        answer = self.conn.recv_bytes()
        trip = time.perf_counter() - start
        path = url.split("?")[0].split("googleapis.com", 1)[-1]
        self.exchanges.append(
            Exchange(method, path, len(url), len(body), len(answer), inside, trip - inside)
        )
        return status, headers, answer

    @contextmanager
    def serving(self) -> Iterator[None]:
        """`responses` sending every request here, without its call log (which would keep
        every request and answer alive: the values answer through the whole refresh)."""
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        mock._calls = _NoCallLog()
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            for pattern in URL_PATTERNS:
                mock.add_callback(method, pattern, callback=self)._calls = _NoCallLog()
        with mock:
            yield
        self.conn.close()

    def figures(self) -> RESULT:
        """What the exchanges add up to, split into the read and the write."""
        sheets = [e for e in self.exchanges if e.api == "sheets"]
        writes = [e for e in self.exchanges if e.is_write]
        reads = [e for e in self.exchanges if not e.is_write]
        return {
            "requests": len(sheets),
            "sent": sum(e.sent for e in sheets),
            "biggest": max((e.sent for e in sheets), default=0),
            "url": max((e.url_length for e in sheets), default=0),
            "received": sum(e.received for e in sheets),
            "fake": sum(e.fake for e in self.exchanges),
            "transport": sum(e.transport for e in self.exchanges),
            "read_fake": sum(e.fake + e.transport for e in reads),
            "write_fake": sum(e.fake + e.transport for e in writes),
            "write_bytes": max((e.sent for e in writes), default=0),
        }
