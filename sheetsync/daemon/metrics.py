"""The daemon's Prometheus metrics, per spreadsheet, in the Prometheus text format.

`Metrics` owns its own `prometheus_client.CollectorRegistry` (never the process-wide default
one, so two daemons in one test process, or a library user's own metrics, never collide) and
exposes, each labelled `spreadsheet` (the name the daemon gives the config):

- `sheetsync_refreshes_total{spreadsheet, outcome}`: refreshes by outcome (`written`,
  `unchanged`: the inputs had not changed and the write was skipped, `failed`);
- `sheetsync_refresh_failures_total`: failed refreshes (the same count as outcome="failed",
  kept apart so that an alert needs no label filter);
- `sheetsync_refresh_duration_seconds`: a histogram of refresh durations, every outcome;
- `sheetsync_api_calls_total`: Sheets API calls spent, failed refreshes included;
- `sheetsync_rows`: rows read by the last refresh that succeeded;
- `sheetsync_last_success_timestamp_seconds`: when (Unix time) the last refresh succeeded.

What it deliberately does not do: read the clock (the caller passes `when`), serve HTTP
(`http.py` does), or forget a spreadsheet that left the config (its series stay until the
process ends, with their last values).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

OUTCOMES = ("written", "unchanged", "failed")
SUCCESSES = frozenset({"written", "unchanged"})
# A refresh takes from under a second (a quiet spreadsheet, reads only) to minutes (a big one
# behind a paced queue); the client's default buckets (5 ms to 10 s) suit web requests.
DURATION_BUCKETS = (0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
SPREADSHEET = ("spreadsheet",)


class Metrics:
    """Counters, gauges and a histogram per spreadsheet, over a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self._refreshes = Counter("sheetsync_refreshes", "Refreshes by outcome.",
                                  (*SPREADSHEET, "outcome"), registry=registry)  # fmt: skip
        self._failures = Counter("sheetsync_refresh_failures", "Refreshes that failed.",
                                 SPREADSHEET, registry=registry)  # fmt: skip
        self._duration = Histogram("sheetsync_refresh_duration_seconds",
                                   "How long a refresh took, in seconds.", SPREADSHEET,
                                   buckets=DURATION_BUCKETS, registry=registry)  # fmt: skip
        self._api_calls = Counter("sheetsync_api_calls", "Sheets API calls made.",
                                  SPREADSHEET, registry=registry)  # fmt: skip
        self._rows = Gauge("sheetsync_rows", "Input rows read by the last successful refresh.",
                           SPREADSHEET, registry=registry)  # fmt: skip
        self._last_success = Gauge("sheetsync_last_success_timestamp_seconds",
                                   "When the last successful refresh ended (Unix time).",
                                   SPREADSHEET, registry=registry)  # fmt: skip

    def record(
        self, name: str, outcome: str, seconds: float, api_calls: int, rows: int, when: float
    ) -> None:
        """Count one refresh of spreadsheet `name` that ended at `when` (Unix time).

        A failed refresh leaves `sheetsync_rows` and the last success time as they were.
        """
        check(outcome, seconds, api_calls, rows)
        self._start(name)
        self._refreshes.labels(name, outcome).inc()
        self._duration.labels(name).observe(seconds)
        self._api_calls.labels(name).inc(api_calls)
        if outcome in SUCCESSES:
            self._rows.labels(name).set(rows)
            self._last_success.labels(name).set(when)
        else:
            self._failures.labels(name).inc()

    def render(self) -> bytes:
        """Every metric in the Prometheus text exposition format."""
        return generate_latest(self.registry)

    def _start(self, name: str) -> None:
        """Create the spreadsheet's counters at zero, so a first failure shows as 0 -> 1."""
        for outcome in OUTCOMES:
            self._refreshes.labels(name, outcome)
        self._failures.labels(name)
        self._api_calls.labels(name)


def check(outcome: str, seconds: float, api_calls: int, rows: int) -> None:
    """Refuse what would make a metric lie: an unknown outcome or a negative figure."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}; got {outcome!r}")
    for what, value in (("seconds", seconds), ("api_calls", api_calls), ("rows", rows)):
        if value < 0:
            raise ValueError(f"{what} must not be negative, got {value!r}")
