"""The daemon's jobs with an injected clock and no real sleeping: the snapshot schedule across
daylight saving, change detection, backoff of a failing spreadsheet while the others keep
their interval, triggers, --once, the state file and the lock."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine

from sheetsync.config.loading import load_config
from sheetsync.config.values import Config, SnapshotSchedule
from sheetsync.daemon.loop import Daemon
from sheetsync.daemon.runner import Outcome, Sheet
from sheetsync.daemon.schedules import snapshot_due
from sheetsync.daemon.state import State, load_state, save_state, state_path
from sheetsync.demo import make_demo

WARSAW = ZoneInfo("Europe/Warsaw")


class Clock:
    """A settable UTC clock for the daemon's own time checks."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WARSAW)


# ------------------------------------------------------------------ snapshot schedule
def test_a_daily_snapshot_is_due_once_a_day_from_its_time_on() -> None:
    daily = SnapshotSchedule("day", 18, 0)
    assert not snapshot_due(daily, local("2026-11-27 17:59"), date(2026, 11, 26))
    assert snapshot_due(daily, local("2026-11-27 18:00"), date(2026, 11, 26))
    assert snapshot_due(daily, local("2026-11-27 21:00"), None)  # missed while stopped
    assert not snapshot_due(daily, local("2026-11-27 18:01"), date(2026, 11, 27))


def test_weekly_and_monthly_snapshots_fall_on_their_day() -> None:
    friday = SnapshotSchedule("week", 17, 30, weekday=4)
    assert snapshot_due(friday, local("2026-11-27 17:30"), None)  # a Friday
    assert not snapshot_due(friday, local("2026-11-26 17:30"), None)
    first = SnapshotSchedule("month", 7, 0, day=1)
    assert snapshot_due(first, local("2026-12-01 07:00"), date(2026, 11, 1))
    assert not snapshot_due(first, local("2026-12-02 07:00"), date(2026, 11, 1))


def test_snapshot_times_follow_daylight_saving() -> None:
    at_230 = SnapshotSchedule("day", 2, 30)
    # 2026-03-29: Warsaw's clocks go from 02:00 to 03:00; 02:30 does not exist that day
    before = datetime(2026, 3, 29, 0, 59, tzinfo=UTC).astimezone(WARSAW)  # 01:59 local
    after = datetime(2026, 3, 29, 1, 0, tzinfo=UTC).astimezone(WARSAW)  # 03:00 local
    assert (before.hour, after.hour) == (1, 3)
    assert not snapshot_due(at_230, before, date(2026, 3, 28))
    assert snapshot_due(at_230, after, date(2026, 3, 28))
    # 2026-10-25: 02:30 happens twice (CEST then CET); the second time it is not due again
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC).astimezone(WARSAW)
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC).astimezone(WARSAW)
    assert (first.hour, first.minute, second.hour, second.minute) == (2, 30, 2, 30)
    assert snapshot_due(at_230, first, date(2026, 10, 24))
    assert not snapshot_due(at_230, second, date(2026, 10, 25))


# ------------------------------------------------------------------ one spreadsheet
@pytest.fixture
def demo(tmp_path: Path) -> Config:
    return load_config(make_demo(tmp_path / "demo", date(2026, 11, 26)))


def named(config: Config, name: str, **daemon: Any) -> Config:
    return dataclasses.replace(config, daemon=dataclasses.replace(config.daemon, name=name,
                                                                  **daemon))  # fmt: skip


def test_change_detection_skips_the_write_of_a_quiet_workbook(demo: Config) -> None:
    clock = Clock(datetime(2026, 11, 26, 9, tzinfo=UTC))
    sheet = Sheet(demo, now=clock)
    assert sheet.run("scheduled").result == "written"
    workbook = demo.source.path
    assert workbook is not None
    written = workbook.read_bytes()
    clock.advance(minutes=5)
    assert sheet.run("scheduled").result == "unchanged"  # same size and mtime: not even read
    assert workbook.read_bytes() == written
    workbook.touch()  # saved again, same content: read, same fingerprint, no write
    clock.advance(minutes=5)
    assert sheet.run("scheduled").result == "unchanged"
    assert workbook.read_bytes() == written
    book = openpyxl.load_workbook(workbook)
    book["Rep - Ben Carter"]["B2"] = 99  # a person's edit of an input cell
    book.save(workbook)
    assert sheet.run("scheduled").result == "written"
    assert sheet.run("checkbox").result == "written"  # asked for: always written


def test_the_next_day_is_written_even_with_the_same_inputs(demo: Config) -> None:
    clock = Clock(datetime(2026, 11, 26, 9, tzinfo=UTC))
    sheet = Sheet(demo, now=clock)
    sheet.run("scheduled")
    clock.advance(days=1)
    assert sheet.run("scheduled").result == "written"


def test_the_state_survives_a_restart_and_a_damaged_state_file_is_set_aside(
    demo: Config,
) -> None:
    clock = Clock(datetime(2026, 11, 26, 9, tzinfo=UTC))
    Sheet(demo, now=clock).run("scheduled")
    again = Sheet(demo, now=clock)  # a restarted daemon
    assert again.run("scheduled").result == "unchanged"
    path = state_path(demo)
    path.write_text("{not json")
    assert load_state(path) == State()
    assert path.with_name(path.name + ".bad").exists()
    save_state(path, State(fingerprint="x"))
    assert load_state(path).fingerprint == "x"


def broken(config: Config, name: str) -> Config:
    assert config.source.path is not None
    source = dataclasses.replace(config.source, path=config.source.path.with_name("gone.xlsx"))
    return named(
        dataclasses.replace(config, source=source),
        name,
        retry_first=60,
        retry_max=240,
        stale_after=300,
    )


def test_a_failing_spreadsheet_backs_off_while_the_others_keep_their_interval(
    demo: Config,
) -> None:
    start = datetime(2026, 11, 26, 9, tzinfo=UTC)
    clock = Clock(start)
    outcomes: list[Outcome] = []
    good = named(demo, "good", every=60, poll=None, snapshot=None)
    bad = dataclasses.replace(broken(demo, "bad"), daemon=dataclasses.replace(
        broken(demo, "bad").daemon, every=60, poll=None, snapshot=None))  # fmt: skip
    with time_machine.travel(start.astimezone(UTC).replace(tzinfo=None), tick=False) as travel:
        daemon = Daemon([good, bad], now=clock, threaded=False, listener=outcomes.append)
        daemon.start()
        for _ in range(12 * 60 // 10):  # twelve minutes in 10-second steps
            clock.advance(seconds=10)
            travel.shift(10)
            daemon.tick()
    runs = {name: [o for o in outcomes if o.name == name] for name in ("good", "bad")}
    assert [o.result for o in runs["good"]].count("failed") == 0
    assert len([o for o in runs["good"] if o.result != "waiting"]) == 13  # start + 12 minutes
    tried = [o for o in runs["bad"] if o.result == "failed"]
    # start (fails) -> retry after 60 s -> 120 s -> 240 s -> 240 s (the cap) ...
    assert [o.reason for o in tried][:3] == ["start", "retry", "retry"]
    assert 5 <= len(tried) <= 6
    assert "gone.xlsx" in str(daemon.sheets["bad"].state.last_error)
    health = daemon.health()
    assert not health.healthy and health.summary == "failing: 1 of 2 spreadsheets"
    assert "bad failing for" in health.details[0] and "gone.xlsx" in health.details[0]


def test_a_trigger_runs_exactly_one_refresh_and_unknown_names_are_refused(demo: Config) -> None:
    outcomes: list[Outcome] = []
    clock = Clock(datetime(2026, 11, 26, 9, tzinfo=UTC))
    daemon = Daemon([named(demo, "team")], now=clock, threaded=False, listener=outcomes.append)
    assert daemon.trigger("team") and not daemon.trigger("other")
    assert [(o.reason, o.result) for o in outcomes] == [("http", "written")]


def test_once_takes_the_snapshot_when_due_and_else_refreshes(demo: Config) -> None:
    outcomes: list[Outcome] = []
    clock = Clock(datetime(2026, 11, 26, 16, 0, tzinfo=UTC))  # 17:00 in Warsaw
    daemon = Daemon([named(demo, "team")], now=clock, threaded=False, listener=outcomes.append)
    daemon.run_once()
    clock.advance(hours=2)  # 19:00: the daily 18:00 snapshot is due
    daemon.run_once()
    daemon.run_once()
    assert [(o.reason, o.snapshot) for o in outcomes] == [
        ("scheduled", False), ("snapshot", True), ("scheduled", False)
    ]  # fmt: skip
    assert load_state(state_path(demo)).last_snapshot == "2026-11-26"


def test_two_configs_with_one_name_are_refused(demo: Config) -> None:
    from sheetsync.errors import ConfigError

    with pytest.raises(ConfigError, match=r"daemon\.name"):
        Daemon([named(demo, "x"), named(demo, "x")], threaded=False)


@pytest.fixture(autouse=True)
def _no_stray_threads() -> Iterator[None]:
    yield


def test_sync_status_shows_the_last_error_once_a_write_succeeds_again(demo: Config) -> None:
    clock = Clock(datetime(2026, 11, 26, 9, tzinfo=UTC))
    workbook = demo.source.path
    assert workbook is not None
    sheet = Sheet(demo, now=clock)
    workbook.rename(workbook.with_name("away.xlsx"))
    failed = sheet.run("scheduled")
    assert failed.result == "failed" and "workbook not found" in str(failed.error)
    assert sheet.waiting() and sheet.run("scheduled").result == "waiting"
    workbook.with_name("away.xlsx").rename(workbook)
    clock.advance(minutes=2)
    assert sheet.run("scheduled").reason == "retry"
    status = {row[0].value: row[1].value for row in openpyxl.load_workbook(workbook)["Sync status"]}
    assert "workbook not found" in str(status["Last error"])
    assert status["Last error at"] == datetime(2026, 11, 26, 10, 0)  # 09:00 UTC in Warsaw
    assert sheet.state.failures == 0 and sheet.state.retry_at is None


def test_a_ticked_checkbox_causes_exactly_one_refresh_which_clears_it(demo: Config) -> None:
    outcomes: list[Outcome] = []
    start = datetime(2026, 11, 26, 9, tzinfo=UTC)
    clock = Clock(start)
    team = named(demo, "team", every=3600, poll=30, snapshot=None)
    workbook = demo.source.path
    assert workbook is not None
    with time_machine.travel(start, tick=False) as travel:
        daemon = Daemon([team], now=clock, threaded=False, listener=outcomes.append)
        daemon.start()
        book = openpyxl.load_workbook(workbook)
        book["Sync status"]["B1"] = True  # a person ticks Refresh now
        book.save(workbook)
        for _ in range(12):  # six minutes: twelve looks at the box
            clock.advance(seconds=30)
            travel.shift(30)
            daemon.tick()
    assert [(o.reason, o.result) for o in outcomes] == [("start", "written"),
                                                         ("checkbox", "written")]  # fmt: skip
    assert openpyxl.load_workbook(workbook)["Sync status"]["B1"].value is False


def test_the_daemon_takes_a_daily_snapshot_once_a_day_across_the_spring_dst_change(
    demo: Config,
) -> None:
    taken: list[datetime] = []
    start = datetime(2026, 3, 27, 12, tzinfo=UTC)  # Friday noon; clocks go forward on Sunday
    clock = Clock(start)
    team = named(  # no e-mail: its digest would try to reach a mail server on this machine
        dataclasses.replace(demo, email=None),
        "team",
        every=6 * 3600,
        poll=None,
        snapshot=SnapshotSchedule("day", 2, 30),
    )  # 02:30 does not exist on Sunday
    with time_machine.travel(start, tick=False) as travel:
        daemon = Daemon(
            [team],
            now=clock,
            threaded=False,
            listener=lambda o: taken.append(clock()) if o.snapshot else None,
        )
        daemon.start()
        for _ in range(3 * 24 * 2):  # three days, every half hour: on every :00 and :30
            clock.advance(seconds=1800)
            travel.shift(1800)
            daemon.tick()
    local = [t.astimezone(WARSAW).strftime("%a %H:%M") for t in taken]
    # Friday's 02:30 had passed when it started: taken at once (the same day); then 02:30 on
    # Saturday, 03:00 on Sunday (02:30 did not exist), 02:30 on Monday: once a day
    assert local == ["Fri 13:00", "Sat 02:30", "Sun 03:00", "Mon 02:30"]
    assert load_state(state_path(demo)).last_snapshot == "2026-03-30"


def test_a_state_file_that_is_a_pipe_is_set_aside_not_waited_for(tmp_path: Path) -> None:
    """`daemon.state_file` is read like the config: a named pipe is refused at once (the child
    would hang on it before; the timeout turns a hang into a failure)."""
    import os
    import subprocess
    import sys

    path = tmp_path / "team.state.json"
    os.mkfifo(path)
    script = ("import sys; from pathlib import Path; from sheetsync.daemon.state import "
              "load_state, State\nprint(load_state(Path(sys.argv[1])) == State())\n")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.stdout.strip() == "True", done.stderr
    assert "unreadable state file (is a named pipe (FIFO), not a regular file)" in done.stderr
    assert not path.exists() and (tmp_path / "team.state.json.bad").exists()
