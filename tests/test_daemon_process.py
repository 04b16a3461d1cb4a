"""`sheetsync daemon` as a real process: it answers /healthz and /metrics while it runs, a
POST with the token refreshes, SIGTERM lets the run finish and exits 0 with the workbook whole,
and a second daemon for the same config is refused until the first is gone (even by SIGKILL)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from sheetsync.demo import make_demo

TOKEN = "s3cret-token-for-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Path, int]:
    config = make_demo(tmp_path / "demo", date(2026, 11, 26))
    port = free_port()
    text = config.read_text() + (
        f"\ndaemon:\n  name: team\n  every: 30s\n  http: 127.0.0.1:{port}\n  snapshot: false\n"
    )
    config.write_text(text)
    return config, port


def start(config: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "SHEETSYNC_TOKEN": TOKEN}
    return subprocess.Popen([sys.executable, "-m", "sheetsync", "daemon", "--config", str(config),
                             *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip


def get(port: int, path: str, **request: object) -> tuple[int, str]:
    url = f"http://127.0.0.1:{port}{path}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, **request), timeout=5) as answer:  # type: ignore[arg-type]
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_healthy(port: int, child: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("the daemon never answered /healthz")


@pytest.fixture
def running(demo: tuple[Path, int]) -> Iterator[tuple[subprocess.Popen[str], Path, int]]:
    config, port = demo
    child = start(config)
    try:
        wait_healthy(port, child)
        yield child, config, port
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()


def test_it_answers_while_it_runs_and_sigterm_exits_0_with_the_workbook_whole(
    running: tuple[subprocess.Popen[str], Path, int],
) -> None:
    child, config, port = running
    deadline = time.monotonic() + 60
    while "written" not in get(port, "/metrics")[1] and time.monotonic() < deadline:
        time.sleep(0.2)
    status, metrics = get(port, "/metrics")
    assert status == 200 and 'sheetsync_refreshes_total{outcome="written",spreadsheet="team"}' \
        in metrics  # fmt: skip
    assert get(port, "/refresh/team", method="POST")[0] == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert get(port, "/refresh/team", method="POST", headers=auth)[0] == 202
    child.send_signal(signal.SIGTERM)  # possibly mid-run: the run finishes first
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert TOKEN not in out + err
    folder = config.parent
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []
    book = openpyxl.load_workbook(folder / "demo-team.xlsx")
    assert book["Sync status"]["A2"].value is not None


def test_a_second_daemon_for_the_same_config_is_refused_until_the_first_is_gone(
    running: tuple[subprocess.Popen[str], Path, int],
) -> None:
    child, config, _ = running
    second = start(config, "--once")
    _, err = second.communicate(timeout=60)
    assert second.returncode == 2 and "another sheetsync daemon is running" in err
    child.kill()  # SIGKILL: no chance to clean up
    child.communicate()
    third = start(config, "--once")
    _, err = third.communicate(timeout=60)
    assert third.returncode == 0, err


def test_sighup_reloads_and_a_broken_config_keeps_the_old_one_running(
    running: tuple[subprocess.Popen[str], Path, int],
) -> None:
    child, config, port = running
    good = config.read_text()
    config.write_text(good.replace("every: 30s", "every: 5 parsecs"))
    child.send_signal(signal.SIGHUP)
    time.sleep(2)
    assert get(port, "/healthz")[0] == 200  # still running on the old config
    config.write_text(good.replace("every: 30s", "every: 45s"))
    child.send_signal(signal.SIGHUP)
    time.sleep(2)
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert "reload refused, the old configs keep running" in err and "daemon.every" in err
    assert "reloaded 1 configs" in err


# ------------------------------------------------------------------ signals at any moment


def catches(pid: int, signum: int) -> bool:
    """Whether process `pid` has a handler for `signum` (Linux: SigCgt in /proc/<pid>/status)."""
    status = Path(f"/proc/{pid}/status").read_text()
    mask = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(mask, 16) >> (signum - 1) & 1)


class Lines:
    """A child's stderr, read line by line as it comes, by a thread of its own."""

    def __init__(self, child: subprocess.Popen[str]) -> None:
        assert child.stderr is not None
        self.stream, self.lines = child.stderr, list[str]()
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.stream:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()

    def wait_for(self, text: str, timeout: float = 60) -> str:
        """The first line holding `text`; fails when none came within `timeout` seconds."""
        with self.changed:
            found = self.changed.wait_for(lambda: self._find(text), timeout)
        assert found, f"no line with {text!r} in:\n{''.join(self.lines)}"
        return found

    def _find(self, text: str) -> str | None:
        return next((line for line in self.lines if text in line), None)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_sigterm_while_the_daemon_starts_exits_0_before_its_first_run(
    demo: tuple[Path, int],
) -> None:
    config, _ = demo
    workbook = config.parent / "demo-team.xlsx"
    before = workbook.read_bytes()
    child = start(config)
    deadline = time.monotonic() + 60
    while not catches(child.pid, signal.SIGTERM):  # caught before the slow imports
        assert child.poll() is None and time.monotonic() < deadline
        time.sleep(0.001)
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 0, err  # not -15
    assert "SIGTERM (while starting) received" in err
    assert "reason=start" not in err and workbook.read_bytes() == before  # nothing ran


def test_a_poll_interval_the_scheduler_cannot_keep_is_a_config_error(
    demo: tuple[Path, int],
) -> None:
    config, _ = demo
    config.write_text(config.read_text() + "  poll: 0s\n")
    child = start(config)
    try:
        _, err = child.communicate(timeout=60)  # before: 100% CPU in the scheduler, forever
    finally:
        child.kill()
    assert child.returncode == 2 and "daemon.poll" in err


def test_after_a_refused_reload_it_still_runs_triggers_and_stops_on_sigterm(
    demo: tuple[Path, int],
) -> None:
    config, port = demo
    child = start(config)
    log = Lines(child)
    try:
        wait_healthy(port, child)
        log.wait_for("reason=start")
        good = config.read_text()
        config.write_text(good + "  poll: 0s\n")
        child.send_signal(signal.SIGHUP)
        assert "daemon.poll" in log.wait_for("reload refused, the old configs keep running")
        assert get(port, "/healthz")[0] == 200
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert get(port, "/refresh/team", method="POST", headers=auth)[0] == 202
        log.wait_for("reason=http")  # the old configs really run
        config.write_text(good.replace("every: 30s", "every: 45s"))
        child.send_signal(signal.SIGHUP)
        log.wait_for("reloaded 1 configs")
        assert get(port, "/refresh/team", method="POST", headers=auth)[0] == 202
        assert len([line for line in log.lines if "reason=http" in line]) >= 1
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        log.reader.join(10)
        for stream in (child.stdout, child.stderr):
            assert stream is not None
            stream.close()
