"""The daemon's loop and its trigger over real HTTP on 127.0.0.1: a POST that arrives while a
refresh runs makes exactly one more refresh after it (never lost, never two), and a schedule
loop that stops ticking turns /healthz to 503 (the watchdog reads the injected clock).
A fault is injected at a chosen step (a run or a tick held on an event); waits poll an
observable condition with a bound."""

from __future__ import annotations

import dataclasses
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sheetsync.config.loading import load_config
from sheetsync.config.values import Config
from sheetsync.daemon.health import WATCHDOG_SECONDS
from sheetsync.daemon.http import ControlServer
from sheetsync.daemon.loop import Daemon
from sheetsync.daemon.metrics import Metrics
from sheetsync.daemon.runner import Outcome
from sheetsync.daemon.service import Service
from sheetsync.daemon.serving import Limits
from sheetsync.demo import make_demo
from tests.test_daemon import Clock
from tests.test_daemon_process import free_port

TOKEN = "s3cret-token-for-tests"
WAIT = 60.0  # seconds: the bound on any wait for an observable condition


def until(condition: Callable[[], bool], what: str) -> None:
    """Poll `condition` until it holds, for at most WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.01)


def request(port: int, path: str, method: str = "GET") -> tuple[int, str]:
    url = f"http://127.0.0.1:{port}{path}"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method, headers=headers),
                                    timeout=10) as answer:  # fmt: skip
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def demo(tmp_path: Path) -> Config:
    config = load_config(make_demo(tmp_path / "demo", date(2026, 11, 26)))
    daemon = dataclasses.replace(config.daemon, name="team", every=3600, poll=None,
                                 snapshot=None)  # fmt: skip
    return dataclasses.replace(config, daemon=daemon)


def test_a_post_during_a_run_makes_exactly_one_more_run_after_it(
    demo: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes: list[Outcome] = []
    daemon = Daemon([demo], now=Clock(datetime(2026, 11, 26, 9, tzinfo=UTC)),
                    listener=outcomes.append)  # fmt: skip
    sheet = daemon.sheets["team"]
    started, release = threading.Event(), threading.Event()
    run = sheet.run

    def held(reason: str, *, snapshot: bool = False) -> Outcome:
        started.set()
        release.wait(WAIT)
        return run(reason, snapshot=snapshot)

    monkeypatch.setattr(sheet, "run", held)
    server = ControlServer("127.0.0.1", 0, token=TOKEN, token_env="SHEETSYNC_TOKEN",
                           trigger=daemon.trigger, health=daemon.health,
                           metrics=Metrics().render, limits=Limits(tick=0.02))  # fmt: skip
    with server:
        port = server.address[1]
        assert request(port, "/refresh/team", "POST")[0] == 202
        assert started.wait(WAIT)  # the first refresh is under way, held
        statuses = [request(port, "/refresh/team", "POST")[0] for _ in range(3)]
        assert statuses == [202, 202, 202]
        release.set()
        until(lambda: len(outcomes) >= 2, "a second refresh")
        worker = daemon.workers["team"]
        assert worker.queue.empty() and not worker.queued  # and no third one to come
    daemon.stop()
    assert [(o.reason, o.result) for o in outcomes] == [("http", "written"), ("http", "written")]


def test_a_stalled_schedule_loop_turns_healthz_to_503(tmp_path: Path) -> None:
    path = make_demo(tmp_path / "demo", date(2026, 11, 26))
    port = free_port()
    path.write_text(path.read_text() + f"\ndaemon:\n  name: team\n  every: 1h\n"
                    f"  http: 127.0.0.1:{port}\n  snapshot: false\n  poll: false\n")  # fmt: skip
    clock = Clock(datetime(2026, 11, 26, 9, tzinfo=UTC))
    service = Service([path], now=clock)
    loop = threading.Thread(target=service.run)
    loop.start()
    try:
        until(lambda: service.server is not None, "the control server")
        until(lambda: request(port, "/healthz")[0] == 200, "a healthy daemon")
        entered, release = threading.Event(), threading.Event()
        tick = service.daemon.tick

        def stuck() -> float:  # the loop's next tick never returns, until released
            entered.set()
            release.wait(WAIT)
            return tick()

        service.daemon.tick = stuck  # type: ignore[method-assign]
        assert entered.wait(WAIT)
        assert request(port, "/healthz")[0] == 200  # no time has passed on the daemon's clock
        clock.advance(seconds=WATCHDOG_SECONDS + 1)
        status, body = request(port, "/healthz")
        assert (status, body) == (503, f"stalled: the schedule loop has not run for "
                                       f"{int(WATCHDOG_SECONDS) + 1}s\n")  # fmt: skip
        release.set()
        until(lambda: request(port, "/healthz")[0] == 200, "healthy again once it ticks")
    finally:
        release.set()
        service.stopping.set()
        loop.join(WAIT)
    assert not loop.is_alive()
