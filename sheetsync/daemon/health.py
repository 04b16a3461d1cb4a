"""What `/healthz` says, and the watchdog that notices a schedule loop that stopped ticking.

`Health.summary` is status and counts only (no spreadsheet's error, path or account), shown to
anyone; `Health.details` (each failing spreadsheet and its last error) only to a request that
carries the daemon's token.

The watchdog reads the daemon's injected clock: the loop calls `beat()` after each tick, and
`stalled()` is the silence in seconds once it is longer than the limit (else None). The loop
ticks at least once a second, so a silence of `WATCHDOG_SECONDS` means it is stuck.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

Clock = Callable[[], datetime]

WATCHDOG_SECONDS = 30.0  # three of the loop's 10-second check intervals


@dataclass(frozen=True)
class Health:
    healthy: bool
    summary: str
    details: tuple[str, ...] = ()


class Watchdog:
    """The schedule loop's heartbeat, on the daemon's clock."""

    def __init__(self, now: Clock, limit: float = WATCHDOG_SECONDS) -> None:
        self.now, self.limit = now, limit
        self.last = now()

    def beat(self) -> None:
        self.last = self.now()

    def stalled(self) -> float | None:
        """Seconds since the last beat, when that is longer than the limit; else None."""
        silence = (self.now() - self.last).total_seconds()
        return silence if silence > self.limit else None
