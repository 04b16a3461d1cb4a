"""The daemon's signals, from the process's first moment to its last.

- `catch_early()` runs first thing in `sheetsync daemon`, before the slow imports and the
  setup (about a second): from then on a SIGTERM or SIGHUP is only noted. Without it, the
  default action would kill the process (exit -15) or, for SIGHUP, end it.
- `handled(stop, reload)` installs the running handlers (SIGTERM and SIGINT call `stop`,
  SIGHUP `reload`) and, when a SIGTERM came while the daemon was starting, calls `stop` at
  once: the daemon then exits 0 before its first run. A SIGHUP that came early is dropped (the
  configs were just read). The previous handlers are put back afterwards.

Handlers can only be installed from the main thread; elsewhere (tests that run the daemon in
a thread) both do nothing.

This module imports nothing of sheetsync's, so that `catch_early` runs before anything heavy.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

EARLY = (signal.SIGTERM, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()))
_noted: list[int] = []


def catch_early() -> None:
    """Note SIGTERM (and SIGHUP) instead of dying of it, until `handled` takes over."""
    if _main_thread():
        for signum in EARLY:
            signal.signal(signum, _note)


def stopped_early() -> bool:
    """Whether a SIGTERM came before `handled` took over."""
    return signal.SIGTERM in _noted


@contextmanager
def handled(stop: Callable[[str], None], reload: Callable[[], None]) -> Iterator[None]:
    """SIGTERM/SIGINT call `stop(name)`, SIGHUP `reload()`; restored afterwards."""
    if not _main_thread():
        yield
        return

    def stopping(signum: int, frame: FrameType | None) -> None:
        stop(signal.Signals(signum).name)

    def reloading(signum: int, frame: FrameType | None) -> None:
        reload()

    wanted: dict[int, Any] = {signal.SIGTERM: stopping, signal.SIGINT: stopping}
    if hasattr(signal, "SIGHUP"):
        wanted[signal.SIGHUP] = reloading
    previous = {signum: signal.signal(signum, handler) for signum, handler in wanted.items()}
    if stopped_early():
        stop("SIGTERM (while starting)")
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _note(signum: int, frame: FrameType | None) -> None:
    _noted.append(signum)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()
