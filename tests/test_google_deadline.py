"""The Google backend is bounded in time: every request has connect and read timeouts (the
token request too), and a refresh has one deadline that retries never overrun. The clock and
sleep are injected (retries cost no real time); one test sends real requests over a local
socket to prove a read timeout fires against a fake that answers late, and is retried."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from requests.adapters import HTTPAdapter

from sheetsync.backends.google import GoogleBackend
from sheetsync.backends.google.deadline import MIN_TRY, Timeouts
from sheetsync.backends.google.retry import RetryPolicy
from sheetsync.config.loading import parse_config
from sheetsync.config.values import Config
from sheetsync.errors import BackendError, ConfigError
from sheetsync.pipeline import refresh
from sheetsync.testing import FakeSheetsApi
from tests.helpers import team_workbook, with_extra
from tests.test_google_backend import google_config
from tests.test_google_faults import Clock

AS_OF = date(2026, 11, 3)
SHEETS = "https://sheets.googleapis.com"


class Arrivals:
    """The fake's per-request delay hook: notes the fake clock's time as each Sheets request
    arrives, and holds back the requests whose number (from 1) is in `hold` until `gate` is
    set (an answer that comes late, for as long as the test wants)."""

    def __init__(self, clock: Clock, hold: frozenset[int] = frozenset()) -> None:
        self.clock = clock
        self.hold = hold
        self.gate = threading.Event()
        self.times: list[float] = []

    def __call__(self, _seconds: float) -> None:
        self.times.append(self.clock.now)
        if len(self.times) in self.hold:
            self.gate.wait(10)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    """Our own `responses` mock under the fake, to see each request's keyword arguments."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as requests_mock:
        yield requests_mock


def start_fake(
    mock: responses.RequestsMock, arrivals: Callable[[float], None] | None = None
) -> FakeSheetsApi:
    fake = (
        FakeSheetsApi(mock=mock) if arrivals is None else FakeSheetsApi(mock=mock, sleep=arrivals)
    )
    fake.start()
    if arrivals is not None:
        fake.delay(1e-9)  # calls the hook on every Sheets request
    return fake


def team(tmp_path: Path, fake: FakeSheetsApi) -> Config:
    sid = fake.create_spreadsheet("Team", team_workbook())
    return google_config(fake.service_account_file(tmp_path), sid)


def backend(cfg: Config, clock: Clock, **options: Any) -> GoogleBackend:
    options.setdefault("policy", RetryPolicy(attempts=100))
    return GoogleBackend.from_config(cfg.source, "team.yaml", sleep=clock.sleep, clock=clock,
                                     rng=random.Random(5), **options)  # fmt: skip


def test_every_request_and_the_token_request_have_connect_and_read_timeouts(
    tmp_path: Path, mock: responses.RequestsMock, clock: Clock
) -> None:
    fake = start_fake(mock)
    cfg = team(tmp_path, fake)
    assert refresh(cfg, AS_OF, backend=backend(cfg, clock)).written
    sent = [(call.request.url or "", call.request.req_kwargs["timeout"]) for call in mock.calls]  # type: ignore[attr-defined]
    assert any("oauth2.googleapis.com/token" in url for url, _ in sent)
    assert len(sent) == 4  # the token, then the refresh's 3 calls
    for url, timeout in sent:
        connect, read = timeout
        assert 0 < connect <= 10 and 0 < read <= 60, url


def test_a_default_refresh_has_a_deadline_of_120_seconds_and_the_config_can_change_it(
    tmp_path: Path, mock: responses.RequestsMock, clock: Clock
) -> None:
    fake = start_fake(mock)
    cfg = team(tmp_path, fake)
    assert backend(cfg, clock).deadline_seconds == cfg.source.deadline_seconds == 120
    text = with_extra("source: {type: google, spreadsheet: 1AbCdEfGhIjK, deadline_seconds: 45}\n")
    assert parse_config(text, tmp_path / "team.yaml").source.deadline_seconds == 45
    with pytest.raises(ConfigError, match=r"source\.deadline_seconds: must be from 10 to 3600"):
        parse_config(text.replace("45", "5"), tmp_path / "team.yaml")


def test_retries_never_sleep_past_the_deadline_and_each_try_ends_before_it(
    tmp_path: Path, mock: responses.RequestsMock, clock: Clock
) -> None:
    arrivals = Arrivals(clock)
    fake = start_fake(mock, arrivals)
    cfg = team(tmp_path, fake)
    fake.fail_always(503)
    with pytest.raises(BackendError) as caught:
        refresh(cfg, AS_OF, backend=backend(cfg, clock, deadline_seconds=30))
    tries = fake.api_calls
    assert tries >= 5  # many retries, then the deadline, not the 100 attempts, ends them
    assert clock.now <= 30 - MIN_TRY  # no wait reaches past the deadline
    timeouts = [call.request.req_kwargs["timeout"] for call in mock.calls  # type: ignore[attr-defined]
                if "sheets.googleapis.com" in (call.request.url or "")]  # fmt: skip
    assert len(timeouts) == len(arrivals.times) == tries
    for sent_at, (connect, read) in zip(arrivals.times, timeouts, strict=True):
        assert connect <= 30 - sent_at and read <= 30 - sent_at  # the try ends by the deadline
    message = str(caught.value)
    assert "ran out of time while reading" in message
    assert "deadline of 30 s (source.deadline_seconds)" in message
    assert f"({tries} tries in" in message and "503 UNAVAILABLE" in message
    assert "Nothing was written; the previous output is unchanged." in message
    assert "raise source.deadline_seconds" in message


def test_a_retry_after_past_the_deadline_is_not_waited_for(
    tmp_path: Path, mock: responses.RequestsMock, clock: Clock
) -> None:
    fake = start_fake(mock)
    cfg = team(tmp_path, fake)
    fake.fail_always(429, retry_after=90)
    with pytest.raises(BackendError, match=r"deadline of 60 s .*\(1 try of this call"):
        refresh(cfg, AS_OF, backend=backend(cfg, clock, deadline_seconds=60))
    assert clock.waits == [] and fake.api_calls == 1


@pytest.mark.parametrize(
    ("method", "asked", "said"),
    [("GET", 300, "while reading spreadsheet {sid}: 0 s after it began, its deadline of 120 s "
                  "(source.deadline_seconds) left no room for another try (1 try of this call; "
                  "the last: Google asked to wait 300 s, more than the 120 s left of the "
                  "refresh's deadline, so it gave up at once instead of waiting (429 "
                  "RESOURCE_EXHAUSTED: Quota exceeded"),
     ("POST", 115, "while writing spreadsheet {sid}: 0 s after it began, its deadline of 120 s "
                   "(source.deadline_seconds) left no room for another try (1 try of this call; "
                   "the last: Google asked to wait 115 s, more than the 110 s left of the "
                   "refresh's deadline, so it gave up at once instead of waiting (429 "
                   "RESOURCE_EXHAUSTED: Quota exceeded")],
)  # fmt: skip
def test_a_retry_after_longer_than_the_deadline_leaves_gives_up_at_once_saying_so(
    tmp_path: Path, mock: responses.RequestsMock, clock: Clock, method: str, asked: int,
    said: str,
) -> None:  # fmt: skip
    fake = start_fake(mock)
    cfg = team(tmp_path, fake)
    fake.fail_always(429, retry_after=asked, method=method)  # a write keeps 10 s for a check
    with pytest.raises(BackendError) as caught:
        refresh(cfg, AS_OF, backend=backend(cfg, clock))  # the default deadline: 120 s
    assert said.format(sid=cfg.source.spreadsheet) in str(caught.value)
    assert "Nothing was written; the previous output is unchanged." in str(caught.value)
    assert clock.waits == [] and clock.now == 0  # not a second waited
    assert [r.status for r in fake.requests if r.api == "sheets"][-1] == 429


def test_the_read_and_the_write_share_one_deadline(
    tmp_path: Path, mock: responses.RequestsMock, clock: Clock
) -> None:
    fake = start_fake(mock)
    cfg = team(tmp_path, fake)
    fake.fail_next(2, 503, retry_after=25, method="GET")
    with pytest.raises(BackendError) as caught:
        refresh(cfg, AS_OF, backend=backend(cfg, clock, deadline_seconds=60))
    message = str(caught.value)
    assert "ran out of time while writing" in message and "no try of this call" in message
    assert "50 s after it began" in message
    assert "Nothing was written; the previous output is unchanged." in message
    assert [r.method for r in fake.requests if r.api == "sheets"] == ["GET"] * 4  # no POST


def test_the_next_refresh_gets_a_new_deadline(
    tmp_path: Path, mock: responses.RequestsMock, clock: Clock
) -> None:
    fake = start_fake(mock)
    cfg = team(tmp_path, fake)
    google = backend(cfg, clock, deadline_seconds=60)
    fake.fail_next(2, 503, retry_after=20, method="GET")
    assert refresh(cfg, AS_OF, backend=google).written  # 40 s of waiting, then all 3 calls
    fake.fail_next(2, 503, retry_after=20, method="GET")
    assert refresh(cfg, AS_OF, backend=google).written  # not 80 s into a 60 s deadline
    assert clock.waits == [20, 20, 20, 20]


class _Relay(BaseHTTPRequestHandler):
    """Hands each request to the fake Sheets API (in this process, through `responses`) and
    writes its answer back on a real socket: the fake's delay now holds up a real connection."""

    def do_GET(self) -> None:
        self._relay()

    def do_POST(self) -> None:
        self._relay()

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() in ("authorization", "content-type")}  # fmt: skip
        answer = requests.request(self.command, SHEETS + self.path, data=body, headers=headers,
                                  timeout=10)  # fmt: skip
        try:
            self.send_response(answer.status_code)
            self.send_header("Content-Type", answer.headers.get("Content-Type", "text/plain"))
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)
        except OSError:  # the client gave up waiting and hung up
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() waits for every relayed request to end


class _ToRelay(HTTPAdapter):
    """Sends Sheets API requests to the local relay instead of Google (the token request
    still goes to the fake's token endpoint)."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        request.url = (request.url or "").replace(SHEETS, f"http://127.0.0.1:{self.port}")
        return super().send(request, *args, **kwargs)


@contextmanager
def relayed(google: GoogleBackend, mock: responses.RequestsMock) -> Iterator[None]:
    """Route `google`'s Sheets API requests through a real local socket to the fake."""
    server = _Server(("127.0.0.1", 0), _Relay)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    mock.add_passthru("http://127.0.0.1")
    google._http().session.mount(SHEETS, _ToRelay(server.server_address[1]))
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()  # joins the relay threads, late answers included
        thread.join()


def test_an_answer_later_than_the_read_timeout_times_out_and_is_retried_like_a_5xx(
    tmp_path: Path, mock: responses.RequestsMock, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    arrivals = Arrivals(clock, hold=frozenset({1}))  # the first request's answer stalls
    fake = start_fake(mock, arrivals)
    cfg = team(tmp_path, fake)
    # The stalled answer is held until the refresh is over, so the read timeout can be long
    # enough that no other answer misses it, even on a busy machine (0.25 s once did).
    google = backend(cfg, clock, timeouts=Timeouts(connect=2, read=3))
    with relayed(google, mock):
        try:
            report = refresh(cfg, AS_OF, backend=google)
        finally:
            arrivals.gate.set()  # let the stalled answer go (to a client that left)
    sid = cfg.source.spreadsheet or ""
    assert report.written and "Summary" in fake.sheet_titles(sid)
    assert google.requests_sent == 4 and google.api_calls == 3 and len(clock.waits) == 1
    said = "(network error: no answer within the read timeout (ReadTimeout)); try 2 of 100"
    assert said in caplog.text
    sheets = [(r.method, r.path.rsplit("/", 1)[-1]) for r in fake.requests if r.api == "sheets"]
    assert sheets.count(("GET", sid)) == 2  # the metadata read, asked twice
