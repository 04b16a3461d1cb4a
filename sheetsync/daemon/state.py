"""What the daemon remembers about one spreadsheet between runs and restarts: a small JSON file
per config, written atomically (a temporary file beside it, fsynced, renamed over it).

A missing file is a fresh start; a file that cannot be parsed is set aside as `<name>.bad` and
the daemon starts afresh (it only costs one write that could have been skipped).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sheetsync.boundedfile import FileRefused, read_regular
from sheetsync.config.values import Config
from sheetsync.jsonfile import write_atomically

log = logging.getLogger("sheetsync.daemon")
VERSION = 1


@dataclass(frozen=True)
class State:
    """`fingerprint`/`as_of`: of the last successful write; `stamp`: the xlsx files' size and
    mtime right after it; `failures` in a row since `failing_since`, the last error and when;
    `retry_at`: not before this (epoch seconds) after a failure; `last_snapshot` and
    `last_digest`: ISO dates; `digest_retry_at`: a failed digest run is not tried again
    before this."""

    fingerprint: str | None = None
    as_of: str | None = None
    stamp: str | None = None
    last_success: str | None = None
    failures: int = 0
    failing_since: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    retry_at: float | None = None
    last_snapshot: str | None = None
    last_digest: str | None = None
    digest_retry_at: float | None = None

    def failed(self, message: str, now: datetime, retry_at: float) -> State:
        when = now.isoformat(timespec="seconds")
        return replace(self, failures=self.failures + 1, failing_since=self.failing_since or when,
                       last_error=message, last_error_at=when, retry_at=retry_at)  # fmt: skip

    def succeeded(self, now: datetime, **written: Any) -> State:
        """After a successful run: failures cleared (the last error is kept for Sync status)."""
        return replace(self, failures=0, failing_since=None, retry_at=None,
                       last_success=now.isoformat(timespec="seconds"), **written)  # fmt: skip


def state_path(config: Config) -> Path:
    """The config's `daemon.state_file`, or `.<config name>.state.json` beside the config."""
    base = config.path or Path("sheetsync.yaml")
    if config.daemon.state_file:
        given = Path(config.daemon.state_file).expanduser()
        return given if given.is_absolute() else base.parent / given
    return base.parent / f".{base.stem}.state.json"


MAX_STATE_BYTES = 1024 * 1024
"""A state file holds a few fields; anything bigger (or a pipe, a device) is not one."""


def load_state(path: Path) -> State:
    try:
        data = json.loads(read_regular(path, MAX_STATE_BYTES).decode("utf-8"))
    except FileNotFoundError:
        return State()
    except (FileRefused, OSError, ValueError) as exc:
        return _set_aside(path, str(exc))
    known = {f.name for f in fields(State)}
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return _set_aside(path, "not a sheetsync state file of this version")
    return State(**{key: value for key, value in data.items() if key in known})


def save_state(path: Path, state: State) -> None:
    """Write the state atomically: a reader sees the old file or the new one, never a part."""
    write_atomically(path, {"version": VERSION, **asdict(state)})


def _set_aside(path: Path, why: str) -> State:
    log.warning("%s: unreadable state file (%s); set aside as %s.bad, starting afresh",
                path, why, path.name)  # fmt: skip
    path.replace(path.with_name(path.name + ".bad"))
    return State()
