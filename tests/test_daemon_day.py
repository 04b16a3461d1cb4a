"""The daemon over many Google spreadsheets on a simulated clock (no real sleeping), through
the real gspread against the fake API: the shared budget holds with 30 spreadsheets on a
one-minute interval, and a day with injected 429s and 500s and a spreadsheet deleted mid-day
keeps every other spreadsheet fresh within its interval plus one retry."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import gspread
import pytest
import time_machine

from sheetsync.config.values import Config
from sheetsync.daemon.loop import Daemon
from sheetsync.daemon.pacing import Pacer
from sheetsync.daemon.runner import Outcome
from sheetsync.testing import FakeSheetsApi
from tests.helpers import config, team_workbook
from tests.test_google_backend import google_config

START = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


class Sim:
    """Simulated time: the daemon's clock, the pacer's and the retry loop's, and (through
    time-machine) the `schedule` package's."""

    def __init__(self, traveller: time_machine.Traveller) -> None:
        self.seconds = 0.0
        self.traveller = traveller
        self.sent: list[tuple[float, str]] = []

    def now(self) -> datetime:
        return START + timedelta(seconds=self.seconds)

    def monotonic(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        self.seconds += seconds
        self.traveller.shift(seconds)


class CountingPacer(Pacer):
    """The real pacer, recording when each request went (after any wait)."""

    def __init__(self, sim: Sim, per_minute: int) -> None:
        super().__init__(per_minute, per_minute, clock=sim.monotonic, sleep=sim.sleep)
        self.sim = sim

    def acquire(self, kind: Literal["read", "write"]) -> float:
        waited = super().acquire(kind)
        self.sim.sent.append((self.sim.seconds, kind))
        return waited


def spreadsheets(fake: FakeSheetsApi, tmp_path: Path, count: int, every: int) -> list[Config]:
    key = fake.service_account_file(tmp_path)
    configs = []
    for index in range(count):
        sid = fake.create_spreadsheet(f"Team {index}", team_workbook())
        folder = tmp_path / f"s{index}"
        folder.mkdir()
        base = dataclasses.replace(config(), path=folder / f"team{index}.yaml")
        cfg = google_config(key, sid, base)
        daemon = dataclasses.replace(cfg.daemon, name=f"team{index}", every=every, poll=None,
                                     snapshot=None, retry_first=60, retry_max=300)  # fmt: skip
        configs.append(dataclasses.replace(cfg, daemon=daemon))
    return configs


def most_in_a_minute(times: list[float]) -> int:
    """The most requests in any 60-second window (brute force over each request's start)."""
    return max((sum(1 for t in times if start <= t < start + 60) for start in times), default=0)


def drive(daemon: Daemon, sim: Sim, seconds: float, step: float = 5.0) -> None:
    daemon.start()
    while sim.seconds < seconds:
        daemon.tick()
        sim.sleep(step)


def test_thirty_spreadsheets_on_a_one_minute_interval_stay_under_the_budget(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    configs = spreadsheets(fake, tmp_path, 30, every=60)
    outcomes: list[Outcome] = []
    with time_machine.travel(START, tick=False) as traveller:
        sim = Sim(traveller)
        pacer = CountingPacer(sim, 54)
        daemon = Daemon(configs, now=sim.now, threaded=False, listener=outcomes.append,
                        pacer=pacer, sleep=sim.sleep, clock=sim.monotonic)  # fmt: skip
        drive(daemon, sim, 5 * 60)
    sheets_requests = [r for r in fake.requests if r.api == "sheets"]
    assert len(sheets_requests) == len(sim.sent)  # every request went through the pacer
    assert all(r.status != 429 for r in sheets_requests)
    for kind in ("read", "write"):
        assert most_in_a_minute([t for t, k in sim.sent if k == kind]) <= 54
    # 30 spreadsheets x 2 reads a minute = 60 > 54: the budget, not the interval, sets the
    # pace: 54 / 2 = 27 refreshes a minute, about 135 in 5 minutes, each spreadsheet served
    done = Counter(o.name for o in outcomes if o.result in ("written", "unchanged"))
    assert set(done) == {c.daemon.name for c in configs}
    assert sum(done.values()) >= 120 and min(done.values()) >= 3


def test_a_day_with_faults_keeps_every_spreadsheet_fresh(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    every = 3600
    configs = spreadsheets(fake, tmp_path, 10, every=every)
    runs: list[tuple[float, Outcome]] = []
    gone = configs[3].source.spreadsheet
    with time_machine.travel(START, tick=False) as traveller:
        sim = Sim(traveller)
        pacer = CountingPacer(sim, 54)
        daemon = Daemon(configs, now=sim.now, threaded=False, pacer=pacer, sleep=sim.sleep,
                        clock=sim.monotonic,
                        listener=lambda outcome: runs.append((sim.seconds, outcome)))  # fmt: skip
        daemon.start()
        hour = -1
        while sim.seconds < 24 * 3600:
            if int(sim.seconds // 3600) != hour:
                hour = int(sim.seconds // 3600)
                fake.fail_next(status=429)  # someone else's burst on the same account
                fake.fail_next(status=500)
                fake.fail_next(status=0)  # a dropped connection
                if hour == 12:  # deleted, or unshared: the API answers both with 404
                    fake.set_shared(str(gone), False)
            daemon.tick()
            sim.sleep(5)
    limit = every + 60 + 10 + 30  # the interval, one retry, the 10 s check, the retries' waits
    for cfg in configs:
        name = cfg.daemon.name
        good = [t for t, o in runs if o.name == name and o.result in ("written", "unchanged")]
        if name == "team3":
            failed = [t for t, o in runs if o.name == name and o.result == "failed"]
            assert len(failed) >= 5 and min(failed) >= 12 * 3600 > max(good)
            continue
        gaps = [b - a for a, b in zip([0.0, *good], [*good, 24 * 3600], strict=True)]
        assert max(gaps) <= limit, (name, max(gaps))
    injected = 24 * 1  # one 429 an hour, injected by the test
    assert sum(1 for r in fake.requests if r.status == 429) <= injected
    for kind in ("read", "write"):
        assert most_in_a_minute([t for t, k in sim.sent if k == kind]) <= 54
    health = daemon.health()
    assert not health.healthy and health.details[0].startswith("team3 failing for")


@pytest.mark.parametrize("busy", [False, True])
def test_api_calls_per_hour_of_a_quiet_and_a_busy_spreadsheet(
    fake: FakeSheetsApi, tmp_path: Path, busy: bool
) -> None:
    [cfg] = spreadsheets(fake, tmp_path, 1, every=300)
    cfg = dataclasses.replace(cfg, daemon=dataclasses.replace(cfg.daemon, poll=60))
    assert cfg.source.credentials_file is not None
    client = gspread.service_account(filename=str(cfg.source.credentials_file))
    rep_tab = client.open_by_key(str(cfg.source.spreadsheet)).worksheet("Rep - Anna Nowak")
    with time_machine.travel(START, tick=False) as traveller:
        sim = Sim(traveller)
        daemon = Daemon([cfg], now=sim.now, threaded=False, pacer=CountingPacer(sim, 54),
                        sleep=sim.sleep, clock=sim.monotonic)  # fmt: skip
        daemon.start()  # the first refresh writes; count the hour after it
        fake.reset_log()
        calls = 0
        while sim.seconds <= 3600:  # the hour after the first refresh, its end included
            if busy and sim.seconds % 300 == 150:  # a rep logs a call every 5 minutes
                calls += 1
                rep_tab.update_acell("B2", 10 + calls)  # a person's edit, not the daemon's
            daemon.tick()
            sim.sleep(5)
    kinds = Counter("write" if r.path.endswith(":batchUpdate") else "read"
                    for r in fake.requests if r.api == "sheets" and r.method != "PUT")  # fmt: skip
    # 12 refreshes x 2 reads (tab list, values) + 60 looks at the checkbox, 1 read each;
    # a write only when the inputs changed: never when quiet, every refresh when busy
    assert kinds == Counter({"read": 12 * 2 + 60, **({"write": 12} if busy else {})})
