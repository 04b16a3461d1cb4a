"""Quota pacing: one limiter shared by every spreadsheet a daemon process serves.

Google's documented Sheets API quotas (developers.google.com/sheets/api/limits, "Usage
limits") are per minute and "refilled every minute": by default 60 read and 60 write requests
per minute per user per project, and 300 of each per minute per project. A request over quota
is answered `429: Too many requests` (its error body says RESOURCE_EXHAUSTED, "Quota exceeded
for quota metric 'Read requests' ..."), and the page says requests can be made again after one
minute. Reads are "calls to any method that retrieves data from a spreadsheet, such as get or
search", writes "calls to any method that changes a spreadsheet, such as update, clear, or
copyTo"; a batch call counts as one request, however many sub-requests it carries. Which kind
an HTTP request is, the caller decides (`sheetsync.backends.google.retry.request_kind`).

`Pacer` keeps the requests of each kind under its budget in every rolling 60-second window:
when a request of that kind would be one too many in the last 60 seconds, `acquire` sleeps
until the oldest one counted leaves the window. A rolling window is stricter than Google's
refilled minute, so staying under it stays under the quota whatever Google's minute
boundaries are.

`throttled()` is called when any request got a 429 anyway (another process, a script or a
person using the same service account): for the next `seconds` (default 60, the time Google
says to wait before executing requests again) the whole process uses half of each budget.
Half, not zero: the refreshes keep going while leaving the other user room; requests already
sent in the last minute count against the halved budget, so a process that was using its whole
budget pauses until the window drains to half. Each new 429 extends the period; none shortens
it.

What it deliberately does not do: queue callers in order (waiting threads re-check after their
sleep and the first to find room gets it), pace per spreadsheet (Google's quotas are per user
and per project, not per spreadsheet), or know about the per-project quota (budgets are the
caller's, from the config: one process, one service account).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Literal, get_args

log = logging.getLogger("sheetsync.daemon")

Kind = Literal["read", "write"]
KINDS: tuple[Kind, ...] = get_args(Kind)
WINDOW = 60.0  # seconds: Google's quotas are per minute


class Pacer:
    """Read and write budgets per rolling minute, shared by every thread of one process."""

    def __init__(
        self,
        reads_per_minute: int,
        writes_per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        budgets = {"read": reads_per_minute, "write": writes_per_minute}
        for kind, budget in budgets.items():
            if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
                raise ValueError(f"{kind}s per minute must be a whole number >= 1, got {budget!r}")
        self._budgets: dict[Kind, int] = {"read": reads_per_minute, "write": writes_per_minute}
        self._sent: dict[Kind, deque[float]] = {kind: deque() for kind in KINDS}
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._throttled_until = float("-inf")

    def acquire(self, kind: Kind) -> float:
        """Block until one more `kind` request fits in the last 60 s; count it; return the
        seconds waited (0.0 when it fitted at once). Sleeps without holding the lock."""
        if kind not in KINDS:
            raise ValueError(f"kind must be 'read' or 'write', got {kind!r}")
        started = self._clock()
        while True:
            wait = self._admit(kind)
            if wait is None:
                return max(0.0, self._clock() - started)
            self._sleep(wait)

    def throttled(self, seconds: float = WINDOW) -> None:
        """Use half of every budget for the next `seconds` (a 429 came back from Google)."""
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {seconds!r}")
        with self._lock:
            now = self._clock()
            if self._throttled_until <= now:
                log.info("Sheets API quota exceeded: pacing at half speed for %.0f s", seconds)
            self._throttled_until = max(self._throttled_until, now + seconds)

    def stats(self) -> dict[Kind, int]:
        """How many requests of each kind were let through in the last 60 seconds."""
        with self._lock:
            now = self._clock()
            return {kind: len(self._recent(kind, now)) for kind in KINDS}

    @property
    def budgets(self) -> dict[Kind, int]:
        """The configured budgets per minute (not halved)."""
        return dict(self._budgets)

    def _admit(self, kind: Kind) -> float | None:
        """Count the request now and return None, or return how long to wait first."""
        with self._lock:
            now = self._clock()
            sent = self._recent(kind, now)
            full = self._budgets[kind]
            if now >= self._throttled_until:
                wait = self._slot_wait(sent, full, now)
            else:  # halved until the throttle ends, then the full budget applies
                end = self._throttled_until - now
                wait = min(self._slot_wait(sent, half(full), now),
                           max(end, self._slot_wait(sent, full, now)))  # fmt: skip
            if wait <= 0:
                sent.append(now)
                return None
            return wait

    def _recent(self, kind: Kind, now: float) -> deque[float]:
        """The times of `kind` requests still inside the window ending at `now`."""
        sent = self._sent[kind]
        while sent and sent[0] + WINDOW <= now:
            sent.popleft()
        return sent

    @staticmethod
    def _slot_wait(sent: deque[float], budget: int, now: float) -> float:
        """Seconds until fewer than `budget` of `sent` remain in the window (0: already)."""
        if len(sent) < budget:
            return 0.0
        return sent[len(sent) - budget] + WINDOW - now


def half(budget: int) -> int:
    """The budget while throttled: half, rounded down, never below one request a minute."""
    return max(1, budget // 2)
