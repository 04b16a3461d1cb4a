"""The daemon's loop: `schedule` jobs that put runs in each spreadsheet's queue, one worker
thread per spreadsheet that runs them, and the control the HTTP trigger and signals use.

Each spreadsheet has its own worker, so a slow or failing one never delays the others; runs
of one spreadsheet never overlap. A run already waiting in a spreadsheet's queue is not queued
twice (ten ticks of a busy checkbox make one refresh), but one asked for while the same run is
under way is queued once more: a trigger is never lost. The jobs, per spreadsheet:

- every `daemon.every`: a scheduled refresh (skipped while waiting for a retry);
- every 10 seconds: the retry, once its time has come, the snapshot and the e-mail digest,
  once they are due;
- every `daemon.poll`: a look at the Refresh now checkbox; ticked, a refresh (that clears it).

`schedule` keeps naive local times; intervals are what it is used for. Snapshot times are
worked out in each config's time zone (daemon/schedules.py).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import schedule

from sheetsync.config.values import Config
from sheetsync.daemon.health import Health
from sheetsync.daemon.runner import Clock, Outcome, Sheet, utc_now
from sheetsync.errors import ConfigError

log = logging.getLogger("sheetsync.daemon")
CHECK_SECONDS = 10
Listener = Callable[[Outcome], None]


@dataclass(frozen=True)
class Run:
    reason: str
    snapshot: bool = False


class Worker:
    """Runs one spreadsheet's queued runs in order, in its own thread (or inline).

    A run is dropped only while the same run is still waiting in the queue; once it has
    started, the same run asked for again is queued, so a trigger that arrives during a run
    makes exactly one more run after it, however many times it came. `after`: the worker this
    one replaces (a reload); its run under way finishes before this one starts any.
    """

    def __init__(self, sheet: Sheet, listener: Listener, threaded: bool = True,
                 after: Worker | None = None) -> None:  # fmt: skip
        self.sheet = sheet
        self.listener = listener
        self.after = after
        self.queue: queue.Queue[Run | None] = queue.Queue()
        self.queued: set[Run] = set()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, name=f"sheetsync-{sheet.name}",
                                       daemon=True) if threaded else None  # fmt: skip
        if self.thread:
            self.thread.start()

    def submit(self, run: Run) -> None:
        with self.lock:
            if run in self.queued:
                return
            self.queued.add(run)
        if self.thread is None:
            self._take(run)
        else:
            self.queue.put(run)

    def stop(self) -> None:
        """Drop the waiting runs and end the thread once the run under way (if any) is done;
        return at once (`join` waits)."""
        with self.lock:
            self.queued.clear()
        while not self.queue.empty():
            self.queue.get_nowait()
        if self.thread is not None:
            self.queue.put(None)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread that `stop` ended (a write is never cut short)."""
        if self.thread is not None:
            self.thread.join(timeout)

    def _loop(self) -> None:
        if self.after is not None:
            self.after.join()
            self.after = None
        while (run := self.queue.get()) is not None:
            self._take(run)

    def _take(self, run: Run) -> None:
        with self.lock:
            if run not in self.queued:  # dropped by stop()
                return
            self.queued.discard(run)
        try:
            self._do(run)
        except Exception:  # a bug must not end the worker: this spreadsheet would never run again
            log.exception("%s: internal error in the %s run", self.sheet.name, run.reason)

    def _do(self, run: Run) -> None:
        if run.reason == "digest":
            self.listener(self.sheet.send_digest())
            return
        if run.reason == "poll":  # the checkbox is read here, off the scheduler's thread
            if self.sheet.waiting() or not self.sheet.checkbox_ticked():
                return
            run = Run("checkbox")
        self.listener(self.sheet.run(run.reason, snapshot=run.snapshot))


class Daemon:
    """Every configured spreadsheet on one scheduler. `threaded=False` runs each run inline,
    for tests that drive the schedule with a fake clock. `previous`: the daemon this one
    replaces (a reload): each spreadsheet's new worker waits for the old one's run under way.

    `schedule` loops forever on a 0-second interval; no config can hold one: `daemon.every`
    and `daemon.poll` are bounded in the config's values themselves (config/bounds.py).
    """

    workers: dict[str, Worker]

    def __init__(self, configs: Sequence[Config], *, now: Clock = utc_now, threaded: bool = True,
                 listener: Listener | None = None, previous: Daemon | None = None,
                 **backend_options: Any) -> None:  # fmt: skip
        check_configs(configs)
        self.now = now
        self.listener = listener or (lambda outcome: None)
        self.sheets = {c.daemon.name: Sheet(c, now=now, **backend_options) for c in configs}
        old = previous.workers if previous else {}
        self.workers = {name: Worker(s, self.listener, threaded, old.get(name))
                        for name, s in self.sheets.items()}  # fmt: skip
        self.scheduler = schedule.Scheduler()
        for sheet in self.sheets.values():
            self._schedule(sheet)

    def start(self) -> None:
        """A first refresh of every spreadsheet (a snapshot too if one is due)."""
        for sheet in self.sheets.values():
            self.workers[sheet.name].submit(Run("start", snapshot=sheet.snapshot_due()))

    def tick(self) -> float:
        """Run the due jobs; return the seconds until the next one."""
        self.scheduler.run_pending()
        idle = self.scheduler.idle_seconds
        return max(0.0, idle) if idle is not None else 1.0

    def trigger(self, name: str) -> bool:
        """Queue a refresh asked for from outside (HTTP); False for an unknown name."""
        worker = self.workers.get(name)
        if worker is None:
            return False
        worker.submit(Run("http"))
        return True

    def health(self) -> Health:
        """Unhealthy when a spreadsheet has been failing for longer than its stale_after; the
        summary counts them, the details name each with its last error."""
        now = self.now()
        stale = []
        for sheet in self.sheets.values():
            since = sheet.state.failing_since
            if since is None:
                continue
            seconds = (now - datetime.fromisoformat(since)).total_seconds()
            if seconds > sheet.config.daemon.stale_after:
                stale.append(f"{sheet.name} failing for {int(seconds)}s: {sheet.state.last_error}")
        count = len(self.sheets)
        if not stale:
            return Health(True, f"ok: {count} spreadsheets")
        return Health(False, f"failing: {len(stale)} of {count} spreadsheets", tuple(stale))

    def stop(self, wait: bool = True, timeout: float | None = None) -> None:
        """No more jobs; each worker ends after its run under way (waited for when `wait`)."""
        self.scheduler.clear()
        for worker in self.workers.values():
            worker.stop()
        for worker in self.workers.values() if wait else ():
            worker.join(timeout)

    def run_once(self, stopping: Callable[[], bool] = lambda: False) -> list[Outcome]:
        """`--once`: each spreadsheet's due job, once, in order (for cron): a snapshot when
        due, else a scheduled refresh (or the retry, once its time has come). Once `stopping()`
        says so, no further spreadsheet is started."""
        outcomes = []
        for sheet in self.sheets.values():
            if stopping():
                break
            due = sheet.snapshot_due()
            reason = "snapshot" if due else "retry" if sheet.retry_due() else "scheduled"
            outcome = sheet.run(reason, snapshot=due)
            self.listener(outcome)
            outcomes.append(outcome)
            if sheet.digest_due():
                outcomes.append(sheet.send_digest())
                self.listener(outcomes[-1])
        return outcomes

    def _schedule(self, sheet: Sheet) -> None:  # intervals bounded by the config (bounds.py)
        worker, daemon = self.workers[sheet.name], sheet.config.daemon
        self.scheduler.every(daemon.every).seconds.do(worker.submit, Run("scheduled"))
        self.scheduler.every(CHECK_SECONDS).seconds.do(self._check, sheet, worker)
        if daemon.poll is not None:
            self.scheduler.every(daemon.poll).seconds.do(worker.submit, Run("poll"))

    def _check(self, sheet: Sheet, worker: Worker) -> None:
        if sheet.snapshot_due():
            worker.submit(Run("snapshot", snapshot=True))
        elif sheet.retry_due():
            worker.submit(Run("retry"))
        if sheet.digest_due():
            worker.submit(Run("digest"))


def check_configs(configs: Sequence[Config]) -> None:
    """One name per config (ConfigError otherwise)."""
    names = [config.daemon.name for config in configs]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ConfigError(str(configs[0].path), "daemon.name", f"two configs are named "
                          f"{twice[0]!r}; give each a daemon.name of its own")  # fmt: skip
