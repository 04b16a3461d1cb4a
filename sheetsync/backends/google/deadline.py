"""Time limits of the Google backend: each request's timeouts and the one deadline of a refresh.

Every HTTP request (to the Sheets API and to Google's token service) gets a connect timeout and
a read timeout (`Timeouts`). A refresh has one `Deadline` (`source.deadline_seconds`, default
`DEFAULT_DEADLINE`): started when the refresh first reads the spreadsheet and shared by every
call of it (the reads, the write, their retries, the waits between retries and the check of
whether a write landed). A try is sent only when at least `MIN_TRY` seconds are left, and its
timeouts are cut to the time left, so no try runs past the deadline; a retry that would have
to wait past it is not made, and when that wait is one Google asked for (Retry-After), the
call gives up at once with `WaitTooLong`, which says so.

What it deliberately does not do: count the time spent waiting one's turn for the daemon's
shared quota (the pacer) against the deadline; that wait moves the deadline on by as much
(it is not time lost to a failure). Requests' read timeout bounds each wait for data, not the
whole transfer; Google sends its answer in one go, so in practice it bounds the answer. The
DNS lookup before a connection is not covered by the connect timeout (the resolver's own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_DEADLINE = 120.0
"""Seconds a refresh may spend, from its first read to the answer of its write."""
MIN_TRY = 1.0
"""A try is not started with less time than this left (it could only fail)."""
CHECK_RESERVE = 10.0
"""Seconds a write leaves free at the end of the deadline, for the one read that finds out
whether a failed or unanswered write landed (cut to a quarter of a short deadline)."""


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection, and for the answer once the request is sent. The read
    timeout is long because Google answers a large batchUpdate only once it is applied."""

    connect: float = 10.0
    read: float = 60.0

    def __post_init__(self) -> None:
        if self.connect <= 0 or self.read <= 0:
            raise ValueError(f"timeouts must be above 0: {self}")

    def within(self, seconds: float) -> tuple[float, float]:
        """(connect, read) for a try that must end within `seconds`: requests' timeout form."""
        return min(self.connect, seconds), min(self.read, seconds)


class OutOfTime(Exception):
    """No time is left for another try before the deadline."""

    def __init__(self, left: float) -> None:
        super().__init__(f"no time left for a try ({max(left, 0.0):.1f} s before the deadline)")
        self.left = left


class WaitTooLong(Exception):
    """Google asked (Retry-After) to wait longer than the refresh's deadline leaves: the call
    gives up at once instead of waiting for nothing. `error` is Google's answer, `said` its
    description."""

    def __init__(self, error: Exception, asked: float, left: float, said: str) -> None:
        super().__init__(
            f"Google asked to wait {asked:.0f} s, more than the {max(left, 0.0):.0f} s left of "
            f"the refresh's deadline, so it gave up at once instead of waiting ({said})"
        )
        self.error = error
        self.asked = asked
        self.left = left


class Deadline:
    """The moment a refresh must be over by, on an injectable monotonic clock."""

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        if seconds <= 0:
            raise ValueError(f"a deadline must be above 0 seconds, got {seconds}")
        self.seconds = seconds
        self.clock = clock
        self.started = clock()
        self.at = self.started + seconds

    def remaining(self) -> float:
        """Seconds left (negative once it has passed)."""
        return self.at - self.clock()

    def elapsed(self) -> float:
        """Seconds since the refresh began."""
        return self.clock() - self.started

    def extend(self, seconds: float) -> None:
        """Move the deadline on (by the time spent waiting for the pacer)."""
        self.at += max(0.0, seconds)

    def reserve(self) -> float:
        """The time a write keeps free for checking whether it landed."""
        return min(CHECK_RESERVE, self.seconds / 4)

    def try_window(self, reserve: float = 0.0) -> float:
        """Seconds the next try may take, keeping `reserve` free; OutOfTime when that is
        under MIN_TRY."""
        left = self.remaining() - reserve
        if left < MIN_TRY:
            raise OutOfTime(left)
        return left

    def allows_wait(self, wait: float, reserve: float = 0.0) -> bool:
        """Whether waiting `wait` seconds still leaves time for a try after it."""
        return self.remaining() - reserve - wait >= MIN_TRY
