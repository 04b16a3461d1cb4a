"""The Google backend is truthful about the write: after a batchUpdate that failed in a way
that may come after applying (a 5xx) or went unanswered (a dropped connection, a timeout), one
cheap read of this run's marker tells whether it landed. Landed: the refresh succeeded (no
retry, no error). Not landed: retried, or reported as "nothing was written". The same batch is
never applied twice. To lose an answer after the fake applied the write, the tests wrap
google-auth's AuthorizedSession.request (the fake itself can only fail before applying)."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from datetime import date
from http.client import RemoteDisconnected
from pathlib import Path
from typing import Any, Literal

import pytest
import requests
import responses
from google.auth.transport.requests import AuthorizedSession
from urllib3.exceptions import ProtocolError

from sheetsync.backends.google import GoogleBackend
from sheetsync.backends.google.deadline import Timeouts
from sheetsync.backends.google.retry import RetryPolicy
from sheetsync.backends.google.runmark import RUN_KEY
from sheetsync.cli import main
from sheetsync.config.values import Config
from sheetsync.errors import BackendError
from sheetsync.pipeline import refresh
from sheetsync.testing import FakeSheetsApi
from tests.helpers import team_workbook, with_extra
from tests.test_google_backend import google_config
from tests.test_google_deadline import Arrivals, relayed, start_fake
from tests.test_google_faults import Clock

AS_OF = date(2026, 11, 3)
NOTHING = "Nothing was written; the previous output is unchanged."


class LoseAnswers:
    """Wraps the transport: the next `count` batchUpdates are sent and applied, then their
    answer is lost, replaced by a 500 or a dropped connection. `then` runs at each loss."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, how: Literal["500", "drop"],
                 count: int = 1, then: Callable[[], None] | None = None) -> None:  # fmt: skip
        self.left = count
        real = AuthorizedSession.request

        def request(session: AuthorizedSession, method: str, url: str, *args: Any,
                    **kwargs: Any) -> requests.Response:  # fmt: skip
            response: requests.Response = real(session, method, url, *args, **kwargs)  # type: ignore[no-untyped-call]
            if not url.endswith(":batchUpdate") or self.left == 0:
                return response
            self.left -= 1
            if then is not None:
                then()
            if how == "drop":
                aborted = ProtocolError("Connection aborted.", RemoteDisconnected("closed"))
                raise requests.ConnectionError(aborted)
            return internal_error(response)

        monkeypatch.setattr(AuthorizedSession, "request", request)


def internal_error(sent: requests.Response) -> requests.Response:
    """A 500 as Google sends it, in place of the answer `sent`."""
    lost = requests.Response()
    lost.status_code = 500
    body = {"error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}}
    lost._content = json.dumps(body).encode()
    lost.headers["Content-Type"] = "application/json; charset=UTF-8"
    lost.url, lost.request = sent.url, sent.request
    return lost


@pytest.fixture
def clock() -> Clock:
    return Clock()


def team(tmp_path: Path, fake: FakeSheetsApi) -> Config:
    sid = fake.create_spreadsheet("Team", team_workbook())
    return google_config(fake.service_account_file(tmp_path), sid)


def backend(cfg: Config, clock: Clock, **options: Any) -> GoogleBackend:
    return GoogleBackend.from_config(
        cfg.source, "team.yaml", policy=RetryPolicy(), sleep=clock.sleep, clock=clock,
        rng=random.Random(3), **options,
    )  # fmt: skip


def sheets_calls(fake: FakeSheetsApi) -> list[tuple[str, int]]:
    return [(r.method, r.status) for r in fake.requests if r.api == "sheets"]


def run_markers(fake: FakeSheetsApi, sid: str) -> list[dict[str, Any]]:
    return [m for m in fake.developer_metadata(sid) if m["metadataKey"] == RUN_KEY]


@pytest.mark.parametrize("how", ["500", "drop"])
def test_a_first_write_applied_but_its_answer_lost_is_a_success_not_a_retry(
    tmp_path: Path, fake: FakeSheetsApi, clock: Clock, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture, how: Literal["500", "drop"],
) -> None:  # fmt: skip
    cfg = team(tmp_path, fake)
    sid = cfg.source.spreadsheet or ""
    LoseAnswers(monkeypatch, how)
    google = backend(cfg, clock)
    report = refresh(cfg, AS_OF, backend=google)  # before: 400 "already exists", exit 5
    assert report.written and google.answers_lost == 1
    assert {"Summary", "Rep KPIs", "Sync status"} <= set(fake.sheet_titles(sid))
    assert sheets_calls(fake) == [("GET", 200), ("GET", 200), ("POST", 200), ("GET", 200)]
    assert clock.waits == []  # no retry
    assert len(run_markers(fake, sid)) == 1
    assert "the answer to the write was lost" in caplog.text
    assert "so the new output was written" in caplog.text


def test_the_cli_exits_0_when_the_answer_to_an_applied_write_is_lost(
    tmp_path: Path, fake: FakeSheetsApi, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    sid = fake.create_spreadsheet("Team", team_workbook())
    key = fake.service_account_file(tmp_path)
    path = tmp_path / "team.yaml"
    path.write_text(with_extra(f"source: {{type: google, spreadsheet: '{sid}', "
                               f"credentials_file: {key.name}}}\n"))  # fmt: skip
    LoseAnswers(monkeypatch, "500")
    assert main(["refresh", "--config", str(path), "--as-of", "2026-11-03"]) == 0
    said = capsys.readouterr()
    assert "unchanged" not in said.out + said.err and "Summary" in fake.sheet_titles(sid)


def test_a_write_that_failed_before_applying_is_checked_then_retried(
    tmp_path: Path, fake: FakeSheetsApi, clock: Clock
) -> None:
    cfg = team(tmp_path, fake)
    fake.fail_next(1, 500, method="POST")
    google = backend(cfg, clock)
    assert refresh(cfg, AS_OF, backend=google).written
    assert sheets_calls(fake)[2:] == [("POST", 500), ("GET", 200), ("POST", 200)]
    assert google.answers_lost == 0 and len(clock.waits) == 1


def test_a_write_that_always_fails_is_checked_each_time_and_said_not_written(
    tmp_path: Path, fake: FakeSheetsApi, clock: Clock
) -> None:
    cfg = team(tmp_path, fake)
    fake.fail_always(500, method="POST")
    with pytest.raises(BackendError) as caught:
        refresh(cfg, AS_OF, backend=backend(cfg, clock))
    assert NOTHING in str(caught.value) and "500 INTERNAL" in str(caught.value)
    assert sheets_calls(fake)[2:] == [("POST", 500), ("GET", 200)] * 5
    assert fake.sheet_titles(cfg.source.spreadsheet or "") == list(team_workbook())


def test_a_refused_write_is_not_checked(tmp_path: Path, fake: FakeSheetsApi, clock: Clock) -> None:
    cfg = team(tmp_path, fake)
    fake.fail_next(1, 403, method="POST")
    with pytest.raises(BackendError, match=r"but not edit it .*Nothing was written"):
        refresh(cfg, AS_OF, backend=backend(cfg, clock))
    assert sheets_calls(fake) == [("GET", 200), ("GET", 200), ("POST", 403)]  # no check


def test_when_the_check_fails_too_the_message_says_so_and_never_not_written(
    tmp_path: Path, fake: FakeSheetsApi, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = team(tmp_path, fake)
    LoseAnswers(monkeypatch, "500", then=lambda: fake.fail_always(0, method="GET"))
    with pytest.raises(BackendError) as caught:
        refresh(cfg, AS_OF, backend=backend(cfg, clock))
    message = str(caught.value)
    assert "could not be found out" in message and "unchanged" not in message
    assert "Summary" in fake.sheet_titles(cfg.source.spreadsheet or "")  # it was written


def test_a_try_that_lands_after_its_timeout_never_applies_the_output_twice(
    tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = start_fake(mock)
        cfg = team(tmp_path, fake)
        sid = cfg.source.spreadsheet or ""
        assert refresh(cfg, date(2026, 11, 2), backend=backend(cfg, clock), snapshot=True).written
        snapshot = len(fake.values(sid, "KPI history")) - 1
        arrivals = Arrivals(clock, hold=frozenset({3}))  # the second refresh's write stalls
        fake.delay(1e-9)
        fake.sleep = arrivals
        google = backend(cfg, clock, timeouts=Timeouts(connect=2, read=0.25))
        with relayed(google, mock):
            try:
                report = refresh(cfg, AS_OF, backend=google, snapshot=True)
            finally:
                arrivals.gate.set()  # now the stalled try reaches the fake, too late
    assert report.written and google.answers_lost == 0
    posts = [r for r in fake.requests if r.api == "sheets" and r.method == "POST"][1:]
    assert [r.status for r in posts] == [200, 400]  # the retry landed; the late try was refused
    assert len(fake.values(sid, "KPI history")) - 1 == 2 * snapshot  # two days, not three
    assert len(run_markers(fake, sid)) == 1
    assert "ReadTimeout" in caplog.text
