"""One spreadsheet under the daemon: a refresh with change detection, backoff after failures,
the Refresh now checkbox, and the snapshot schedule. No business logic: it calls `refresh`.

A scheduled run is skipped while a failed spreadsheet waits for its retry (the wait doubles
from `daemon.retry_first` up to `daemon.retry_max`); a requested run (checkbox, HTTP) or a
snapshot runs at once. An xlsx workbook whose files have the size and mtime they had right
after the last write, on the same as-of day, is not even read; otherwise the refresh reads
and skips its write when the inputs' fingerprint is unchanged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sheetsync.config.values import Config
from sheetsync.daemon.schedules import snapshot_due
from sheetsync.daemon.state import State, load_state, save_state, state_path
from sheetsync.errors import SheetsyncError
from sheetsync.fingerprint import DaemonRun
from sheetsync.pipeline import Report, make_backend, refresh, today
from sheetsync.report.tabs import REFRESH_CELL

log = logging.getLogger("sheetsync.daemon")
REFRESH_TAB_KEY = "sync_status"
DIGEST_RETRY = 900
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Outcome:
    """One run, as logged and counted: `result` is written, unchanged, failed or waiting."""

    name: str
    reason: str
    result: str
    seconds: float
    api_calls: int = 0
    rows: int = 0
    issues: int = 0
    error: str | None = None
    snapshot: bool = False

    def fields(self) -> dict[str, Any]:
        shown = {k: v for k, v in self.__dict__.items() if v is not None}
        shown["seconds"] = round(self.seconds, 3)
        return shown


class Sheet:
    """A config's spreadsheet and its state file. `backend_options` are passed to the backend
    (the shared pacer); `now` is the clock (UTC, aware)."""

    def __init__(self, config: Config, *, now: Clock = utc_now, **backend_options: Any) -> None:
        self.config = config
        self.now = now
        self.backend_options = backend_options
        self.path = state_path(config)
        self.state = load_state(self.path)
        self.status_title: str | None = None
        """The Sync status tab the last refresh wrote (its title, renamed or not)."""

    @property
    def name(self) -> str:
        return self.config.daemon.name

    def waiting(self) -> bool:
        """A failed spreadsheet waiting for its retry time."""
        retry_at = self.state.retry_at
        return retry_at is not None and self.now().timestamp() < retry_at

    def retry_due(self) -> bool:
        return self.state.retry_at is not None and not self.waiting()

    def snapshot_due(self) -> bool:
        schedule = self.config.daemon.snapshot
        if schedule is None or self.config.output.title("history") is None:
            return False
        local = self.now().astimezone(ZoneInfo(self.config.calendar.timezone))
        last = date.fromisoformat(self.state.last_snapshot) if self.state.last_snapshot else None
        return snapshot_due(schedule, local, last)

    def digest_due(self) -> bool:
        """The e-mail digest's scheduled time has come today and it was not sent yet (nor
        failed in the last DIGEST_RETRY seconds)."""
        email = self.config.email
        if email is None or email.schedule is None:
            return False
        now = self.now()
        if self.state.digest_retry_at is not None and now.timestamp() < self.state.digest_retry_at:
            return False
        local = now.astimezone(ZoneInfo(self.config.calendar.timezone))
        last = date.fromisoformat(self.state.last_digest) if self.state.last_digest else None
        return snapshot_due(email.schedule, local, last)

    def send_digest(self, reason: str = "digest") -> Outcome:
        """Compute the figures (writing nothing) and send the due digests and scorecards; the
        sent log makes sure none goes twice."""
        from sheetsync.notify.digest import run_digest

        started = time.perf_counter()
        try:
            backend = make_backend(self.config, **self.backend_options)
            report = refresh(self.config, dry_run=True, backend=backend, now=self.now())
            result = run_digest(self.config, report, report.roster, now=self.now())
        except SheetsyncError as exc:
            retry = self.now().timestamp() + DIGEST_RETRY
            self._save(replace(self.state, digest_retry_at=retry))
            return self._log(Outcome(self.name, reason, "failed", time.perf_counter() - started,
                                     error=str(exc)))  # fmt: skip
        today_ = report.as_of.isoformat()
        self._save(replace(self.state, last_digest=today_, digest_retry_at=None))
        return self._log(Outcome(self.name, reason, "sent", time.perf_counter() - started,
                                 report.facts.api_calls, report.facts.rows_read,
                                 len(report.issues)),
                         sent=len(result.sent), refused=len(result.refused))  # fmt: skip

    def run(self, reason: str, *, snapshot: bool = False) -> Outcome:
        """Refresh once for `reason` (scheduled, retry, checkbox, http, snapshot, once)."""
        started = time.perf_counter()
        if reason == "scheduled" and self.waiting():
            return self._log(Outcome(self.name, reason, "waiting", 0.0))
        if reason == "scheduled" and self.retry_due():
            reason = "retry"
        if reason == "scheduled" and not snapshot and self._untouched():
            return self._log(Outcome(self.name, reason, "unchanged", time.perf_counter() - started))
        try:
            report = self._refresh(reason, snapshot)
        except SheetsyncError as exc:
            return self._failed(reason, str(exc), started, snapshot)
        except Exception as exc:  # a bug must not stop the daemon: record it, retry later
            log.exception("%s: internal error", self.name)
            return self._failed(reason, f"internal error ({type(exc).__name__}: {exc})", started,
                                snapshot)  # fmt: skip
        return self._succeeded(reason, report, started, snapshot)

    def checkbox_ticked(self) -> bool:
        """Read the Sync status tab's Refresh now cell (one cheap read); True when ticked. The
        tab is the one the last refresh wrote (renamed, it keeps its mark and its checkbox)."""
        title = self.status_title or self.config.output.title(REFRESH_TAB_KEY)
        if title is None:
            return False
        backend = make_backend(self.config, **self.backend_options)
        try:
            value = backend.read_cell(title, REFRESH_CELL)
            return value is True or (isinstance(value, str) and value.strip().upper() == "TRUE")
        except SheetsyncError as exc:
            log.warning("%s: could not read the Refresh now checkbox: %s", self.name, exc)
            return False

    # ------------------------------------------------------------------ internals
    def _refresh(self, reason: str, snapshot: bool) -> Report:
        state = self.state
        last_error = None
        if state.last_error and state.last_error_at:
            last_error = (state.last_error, datetime.fromisoformat(state.last_error_at))
        unchanged_since = state.fingerprint if reason in ("scheduled", "retry") else None
        backend = make_backend(self.config, **self.backend_options)
        return refresh(self.config, backend=backend, now=self.now(), snapshot=snapshot,
                       daemon=DaemonRun(unchanged_since, last_error))  # fmt: skip

    def _untouched(self) -> bool:
        """xlsx: the files have the size and mtime of the last write, on the same as-of day."""
        stamp = file_stamp(self.config)
        as_of = today(self.config, self.now()).isoformat()
        state = self.state
        return stamp is not None and stamp == state.stamp and as_of == state.as_of

    def _succeeded(self, reason: str, report: Report, started: float, snapshot: bool) -> Outcome:
        status = report.plan.tab(REFRESH_TAB_KEY)
        self.status_title = status.title if status is not None else None
        written = {"fingerprint": report.fingerprint, "as_of": report.as_of.isoformat(),
                   "stamp": file_stamp(self.config)}  # fmt: skip
        if snapshot:
            written["last_snapshot"] = report.as_of.isoformat()
        self._save(self.state.succeeded(self.now(), **written))
        facts = report.facts
        result = "unchanged" if report.unchanged else "written"
        return self._log(Outcome(self.name, reason, result, time.perf_counter() - started,
                                 facts.api_calls, facts.rows_read, len(report.issues),
                                 snapshot=snapshot))  # fmt: skip

    def _failed(self, reason: str, message: str, started: float, snapshot: bool) -> Outcome:
        failures = self.state.failures + 1
        daemon = self.config.daemon
        delay = min(daemon.retry_first * 2 ** (failures - 1), daemon.retry_max)
        now = self.now()
        self._save(self.state.failed(message, now, now.timestamp() + delay))
        outcome = Outcome(self.name, reason, "failed", time.perf_counter() - started,
                          error=message, snapshot=snapshot)  # fmt: skip
        return self._log(outcome, retry_in=delay)

    def _save(self, state: State) -> None:
        self.state = state
        try:
            save_state(self.path, state)
        except OSError as exc:
            log.error("%s: cannot write the state file %s: %s", self.name, self.path, exc)

    def _log(self, outcome: Outcome, **extra: Any) -> Outcome:
        fields = {**outcome.fields(), **extra}
        text = " ".join(f"{key}={value}" for key, value in fields.items() if key != "name")
        level = {"failed": logging.WARNING, "waiting": logging.DEBUG}.get(
            outcome.result, logging.INFO
        )
        log.log(level, "%s: %s", outcome.name, text, extra={"run": fields})
        return outcome


def file_stamp(config: Config) -> str | None:
    """xlsx: the size and mtime of the workbook (and of the output workbook); else None."""
    source = config.source
    if source.type != "xlsx" or source.path is None:
        return None
    paths = [source.path, *([source.output_path] if source.output_path else [])]
    return ";".join(_stamp(path) for path in paths)


def _stamp(path: Path) -> str:
    try:
        info = path.stat()
    except OSError:
        return "missing"
    return f"{info.st_size}:{info.st_mtime_ns}"
