"""The sent log: which message went to whom for which period, so none is sent twice.

A small JSON file (`email.sent_log`, default `.<config name>.sent.json` beside the config),
rewritten atomically after every change: a temporary file in the same folder, fsynced, then
renamed over the old one, so a crash leaves the old file or the new one, never a part.

Each message is keyed by its kind, its period and its recipient's address. The period follows
`email.schedule`: a weekly schedule (or none) keys by the as-of date's ISO week (`2026-W48`),
a monthly one by its month (`2026-11`), a daily one by the date (`2026-11-26`).

A message is recorded `pending` before it is handed to the server and `sent` once the server
accepted it. A later run skips `sent` messages and does NOT resend `pending` ones: a crash
between the two records leaves no way to know whether the server took the message, and a
missing e-mail is better than a duplicate (at most once). A message that certainly did not
go out (refused, or the server unreachable before it was sent) is recorded `failed` and is
tried again by the next run.

A ledger that cannot be read stops the run (a ConfigError naming the file): starting afresh
would send everything again. Two runs never use one ledger at once: a lock file beside it
(`<ledger>.lock`) is held for the whole run, and a second run fails at once instead of waiting.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from filelock import FileLock, Timeout

from sheetsync.boundedfile import FileRefused, read_regular
from sheetsync.config.values import Config, EmailConfig
from sheetsync.errors import ConfigError, UsageError
from sheetsync.jsonfile import write_atomically

__all__ = ["Ledger", "MessageKey", "ledger_path", "open_ledger", "period_key"]

State = Literal["pending", "sent", "failed"]
VERSION = 1


@dataclass(frozen=True)
class MessageKey:
    """One message of one run: its kind (`team_digest`, `scorecard`), period and address."""

    kind: str
    period: str
    recipient: str

    def text(self) -> str:
        return f"{self.kind} {self.period} {self.recipient.casefold()}"


def period_key(email: EmailConfig, as_of: date) -> str:
    """The period a message belongs to, following `email.schedule` (see the module doc)."""
    every = email.schedule.every if email.schedule is not None else "week"
    if every == "day":
        return as_of.isoformat()
    if every == "month":
        return f"{as_of.year:04d}-{as_of.month:02d}"
    year, week, _ = as_of.isocalendar()
    return f"{year:04d}-W{week:02d}"


def ledger_path(config: Config) -> Path:
    """`email.sent_log` (relative to the config's folder), or `.<config name>.sent.json`
    beside the config."""
    base = config.path or Path("sheetsync.yaml")
    given = config.email.sent_log if config.email is not None else None
    if given:
        path = Path(given).expanduser()
        return path if path.is_absolute() else base.parent / path
    return base.parent / f".{base.stem}.sent.json"


class Ledger:
    """The sent log in memory; every change is written through to the file at once."""

    def __init__(self, path: Path, entries: dict[str, dict[str, Any]]) -> None:
        self.path = path
        self.entries = entries

    def state(self, key: MessageKey) -> State | None:
        """What was recorded for the message, or None when it was never tried."""
        entry = self.entries.get(key.text())
        return entry["state"] if entry is not None else None

    def pending(self, key: MessageKey, message_id: str, now: datetime) -> None:
        """Record that the message is about to be handed to the server."""
        self._record(key, "pending", now, message_id=message_id)

    def sent(self, key: MessageKey, now: datetime) -> None:
        """Record that the server accepted the message."""
        self._record(key, "sent", now)

    def failed(self, key: MessageKey, reason: str, now: datetime) -> None:
        """Record that the message certainly did not go out (the next run tries again)."""
        self._record(key, "failed", now, reason=reason)

    def _record(self, key: MessageKey, state: State, now: datetime, **extra: str) -> None:
        entry = dict(self.entries.get(key.text(), {}))
        entry.update(kind=key.kind, period=key.period, recipient=key.recipient, state=state)
        entry[f"{state}_at"] = now.isoformat(timespec="seconds")
        entry.update(extra)
        self.entries[key.text()] = entry
        try:
            write_atomically(self.path, {"version": VERSION, "messages": self.entries})
        except OSError as exc:
            raise ConfigError(str(self.path), "email.sent_log",
                              f"the sent log cannot be written ({exc})") from exc  # fmt: skip


@contextmanager
def open_ledger(path: Path) -> Iterator[Ledger]:
    """The ledger at `path` (empty when the file does not exist yet), locked for the run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path) + ".lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise UsageError(f"{path}: another digest run is sending (lock file {lock.lock_file}); "
                         "wait for it to finish") from None  # fmt: skip
    try:
        yield Ledger(path, read_entries(path))
    finally:
        lock.release()


MAX_LOG_BYTES = 128 * 1024 * 1024
"""The largest sent log read: far more than years of digests to a big team (a message's entry
is about 200 bytes); a device or a pipe in its place is refused, never read."""


def read_entries(path: Path) -> dict[str, dict[str, Any]]:
    """The recorded messages; a ConfigError when the file exists but cannot be used."""
    try:
        data = json.loads(read_regular(path, MAX_LOG_BYTES).decode("utf-8"))
    except FileNotFoundError:
        return {}
    except FileRefused as exc:
        raise _unreadable(path, str(exc)) from None
    except (OSError, ValueError) as exc:
        raise _unreadable(path, str(exc)) from exc
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise _unreadable(path, "not a sheetsync sent log of this version")
    messages = data.get("messages")
    if not isinstance(messages, dict):
        raise _unreadable(path, "not a sheetsync sent log of this version")
    return {key: entry for key, entry in messages.items() if _valid(entry)}


def _valid(entry: object) -> bool:
    return isinstance(entry, dict) and entry.get("state") in ("pending", "sent", "failed")


def _unreadable(path: Path, why: str) -> ConfigError:
    return ConfigError(str(path), "email.sent_log",
                       f"the sent log cannot be read ({why}); nothing was sent. Repair it, or "
                       "move it aside to allow every message of this period to be sent "
                       "again")  # fmt: skip
