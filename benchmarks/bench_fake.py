"""Benchmark the fake Google Sheets API (`sheetsync.testing`) serving whole refreshes.

    python benchmarks/bench_fake.py [--reps 30,300] [--rows 10000] [--repeat K]

For each team size a synthetic workbook (`benchmarks/synthetic.py`: a roster, goals, holidays
and one activity tab per rep) is loaded into a fresh fake, outside every timed region. Then
sheetsync refreshes it through `GoogleBackend` (the real gspread and google-auth) twice: the
first refresh creates the output tabs, the second replaces them (what a scheduled refresh
does). For each refresh it prints:

- fake: the time spent inside the fake's request handler (parsing, validation, applying the
  write, rendering and serialising the answers), summed over the refresh's requests, and
  the part of it Python's garbage collector took (collections run when a handler allocates,
  and a full one walks the whole process, client objects included);
- client: the rest of the refresh's wall time (sheetsync, gspread, requests, responses);
- baseline: `json.loads` of every request body plus `json.dumps` of every answer the fake
  gave in that refresh, i.e. only the wire format's cost, measured in the same run;
- the fake's time as a ratio of that baseline and the request/response bytes.

A tiny refresh (3 reps, 30 rows) is timed the same way, since every offline test pays it.
``--rows`` sets the activity rows of the bigger workbooks (default 10,000).
Times are the best of K runs (default 3). No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import AS_OF, bench_config, make_workbook
from sheetsync.config.values import Config
from sheetsync.pipeline import refresh
from sheetsync.testing import FakeSheetsApi

NOW = datetime(2026, 11, 18, 7, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
TARGET_SECONDS = 3.0


@dataclass
class Exchange:
    request: bytes
    answer: str


class TimedFake(FakeSheetsApi):
    """The fake, timing its own request handler (and the garbage collections that ran in
    it) and keeping the bodies it saw."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = 0.0
        self.collecting = 0.0
        self.exchanges: list[Exchange] = []
        self._handling = False
        self._gc_start = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if not self._handling:
            return
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self.collecting += time.perf_counter() - self._gc_start

    def close(self) -> None:
        gc.callbacks.remove(self._on_gc)

    def _callback(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        start = time.perf_counter()
        self._handling = True
        try:
            status, headers, text = super()._callback(request)
        finally:
            self._handling = False
            self.inside += time.perf_counter() - start
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        self.exchanges.append(Exchange(body, text))
        return status, headers, text


@dataclass
class Run:
    wall: float
    fake: float
    fake_gc: float
    baseline: float
    sent: int
    received: int
    calls: int

    @property
    def client(self) -> float:
        return self.wall - self.fake


@dataclass
class Result:
    label: str
    runs: dict[str, list[Run]] = field(default_factory=dict)

    def best(self, which: str) -> Run:
        return min(self.runs[which], key=lambda run: run.fake)


def wire_baseline(exchanges: Sequence[Exchange]) -> float:
    """json.loads of every request body and json.dumps of every answer, best of 3."""
    parsed = [json.loads(e.answer) if e.answer else None for e in exchanges]
    best = float("inf")
    gc.collect()
    for _ in range(3):
        start = time.perf_counter()
        for exchange in exchanges:
            if exchange.request and exchange.request[:1] in (b"{", b"["):
                json.loads(exchange.request)
        for value in parsed:
            json.dumps(value)
        best = min(best, time.perf_counter() - start)
    return best


def google_config(base: Config, key: Path, sid: str) -> Config:
    source = dataclasses.replace(
        base.source, type="google", spreadsheet=sid, credentials_file=key, path=None
    )
    return dataclasses.replace(base, source=source)


def one_refresh(fake: TimedFake, cfg: Config) -> Run:
    fake.inside = fake.collecting = 0.0
    fake.exchanges.clear()
    fake.reset_log()
    gc.collect()
    start = time.perf_counter()
    report = refresh(cfg, as_of=AS_OF, now=NOW)
    wall = time.perf_counter() - start
    exchanges = list(fake.exchanges)
    return Run(
        wall=wall,
        fake=fake.inside,
        fake_gc=fake.collecting,
        baseline=wire_baseline(exchanges),
        sent=sum(len(e.request) for e in exchanges),
        received=sum(len(e.answer.encode()) for e in exchanges),
        calls=report.api_calls,
    )


def measure(label: str, reps: int, rows: int, repeat: int, folder: Path) -> Result:
    workbook = make_workbook(rows, reps=reps)
    result = Result(label, {"first": [], "again": []})
    for _ in range(repeat):
        fake = TimedFake()
        with fake:
            sid = fake.create_spreadsheet("Team", workbook.grids)
            cfg = google_config(bench_config(), fake.service_account_file(folder), sid)
            result.runs["first"].append(one_refresh(fake, cfg))
            result.runs["again"].append(one_refresh(fake, cfg))
        fake.close()
    return result


def print_result(result: Result) -> None:
    for which, what in (("first", "first refresh"), ("again", "next refresh ")):
        run = result.best(which)
        ratio = run.fake / run.baseline if run.baseline else float("inf")
        print(
            f"{result.label:>22} {what}: fake {run.fake:6.3f}s (gc {run.fake_gc:5.3f}s) = "
            f"{ratio:5.1f}x wire baseline ({run.baseline:.3f}s) | client {run.client:6.3f}s | "
            f"{run.calls} calls, "
            f"sent {run.sent / 2**20:6.2f} MiB, received {run.received / 2**20:6.2f} MiB",
            flush=True,
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", default="30,300", help="team sizes, comma-separated")
    parser.add_argument("--rows", type=int, default=10_000, help="activity rows per workbook")
    parser.add_argument("--repeat", type=int, default=3, help="best of K runs")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"python {sys.version.split()[0]}, {args.rows:,} activity rows, best of {args.repeat}")
    sizes: list[tuple[str, int, int]] = [("tiny (3 reps, 30 rows)", 3, 30)]
    for reps in (int(text) for text in args.reps.split(",") if text.strip()):
        sizes.append((f"{reps} reps", reps, max(args.rows, reps)))
    with tempfile.TemporaryDirectory() as folder:
        for label, reps, rows in sizes:
            print_result(measure(label, reps, rows, args.repeat, Path(folder)))
    print(
        "\nfake = seconds inside the fake's request handler (gc: Python's garbage collections "
        "that ran in it); wire baseline = json.loads of the requests + json.dumps of the "
        "answers of the same refresh; client = wall - fake. "
        f"Target: a 300-rep refresh served in under {TARGET_SECONDS:.0f} s of the fake's time."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
