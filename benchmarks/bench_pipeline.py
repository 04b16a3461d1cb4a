"""Benchmark the refresh pipeline (sync, kpi, report) against a pandas baseline, same run.

    python benchmarks/bench_pipeline.py [--sizes 10000,100000,1000000] [--reps N] [--repeat K]

For each size, a synthetic workbook (`benchmarks/synthetic.py`) with that many activity rows
is built once, in memory, outside every timed region. Then:

- baseline: the time pandas needs only to build DataFrames from the same raw grids,
  `pd.DataFrame(grid[1:])` for each activity tab, summed over the tabs;
- pipeline: `sheetsync.pipeline.refresh(config, as_of=..., backend=memory_backend(...))`, the
  whole refresh with no file or network I/O, its `report.timings` per stage.

Times are best of K runs (the sum sync + kpi + report is taken per run, then the best run).
Memory, from separate untimed runs: the tracemalloc peak of one refresh (Python and numpy
allocations made during the run, above what was allocated before it), and the rise of the
process's peak RSS (ru_maxrss) over one refresh, which is 0 when the run stayed below an
earlier high-water mark. The goal: sync + kpi + report within 2x the baseline at 1M rows.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import (
    AS_OF,
    activity_grids,
    add_size_arguments,
    bench_config,
    make_workbook,
    memory_backend,
)
from sheetsync.config.values import Config
from sheetsync.grids import Grid, RawWorkbook
from sheetsync.pipeline import Report, refresh

STAGES = ("read", "sync", "kpi", "report", "total")
TARGET_RATIO = 2.0
LARGE = 1_000_000
NOW = datetime(2026, 11, 18, 7, 0, tzinfo=ZoneInfo("Europe/Warsaw"))


@dataclass(frozen=True)
class Result:
    rows: int
    counted: int
    issues: int
    repeat: int
    baseline: float
    stages: dict[str, float]
    work: float  # best sync + kpi + report
    traced_peak: int | None  # bytes
    rss_rise: int  # bytes

    @property
    def ratio(self) -> float:
        return self.work / self.baseline


def build_frames(grids: Sequence[Grid]) -> int:
    """The baseline: one DataFrame per activity tab from the rows below its header.

    pandas 3.1 warns (Pandas4Warning) that ragged rows will raise in pandas 4; the sync stage
    builds its frames the same way, so the warning is silenced here, not fixed.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return sum(len(pd.DataFrame(grid[1:])) for grid in grids)


def run_pipeline(config: Config, workbook: RawWorkbook) -> Report:
    return refresh(config, as_of=AS_OF, backend=memory_backend(workbook), now=NOW)


def best_of(repeat: int, action: Callable[[], float]) -> list[float]:
    results = []
    for _ in range(repeat):
        gc.collect()
        results.append(action())
    return results


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def maxrss_bytes() -> int:
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def measure(config: Config, rows: int, reps: int, repeat: int, trace: bool, ragged: bool) -> Result:
    workbook = make_workbook(rows, reps=reps, ragged=ragged)
    grids = activity_grids(workbook)
    gc.collect()
    before = maxrss_bytes()
    report = run_pipeline(config, workbook)  # untimed: warms up and sets the RSS rise
    rss_rise = maxrss_bytes() - before
    counted, issues = report.facts.rows_counted, len(report.issues)
    del report
    traced = None
    if trace:
        gc.collect()
        tracemalloc.start()
        run_pipeline(config, workbook)
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    baseline = min(best_of(repeat, lambda: timed(lambda: build_frames(grids))))
    runs = []
    for _ in range(repeat):
        gc.collect()
        runs.append(run_pipeline(config, workbook).timings)
    best = {stage: min(run[stage] for run in runs) for stage in STAGES}
    work = min(run["sync"] + run["kpi"] + run["report"] for run in runs)
    return Result(rows, counted, issues, repeat, baseline, best, work, traced, rss_rise)


def mb(size: int | None) -> str:
    return "n/a" if size is None else f"{size / 2**20:,.0f}"


def print_result(result: Result) -> None:
    s = result.stages
    print(
        f"{result.rows:>9,} rows ({result.counted:,} counted, {result.issues} issues, "
        f"best of {result.repeat}): baseline {result.baseline:.3f}s | read {s['read']:.3f}s "
        f"sync {s['sync']:.3f}s kpi {s['kpi']:.3f}s report {s['report']:.3f}s | "
        f"sync+kpi+report {result.work:.3f}s = {result.ratio:.1f}x baseline | "
        f"total {s['total']:.3f}s | tracemalloc peak {mb(result.traced_peak)} MB, "
        f"maxrss rise {mb(result.rss_rise)} MB",
        flush=True,
    )


def markdown(results: Sequence[Result]) -> str:
    lines = [
        "| rows | baseline s | sync s | kpi s | report s | sync+kpi+report s | ratio "
        "| total s | tracemalloc peak MB | maxrss rise MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        s = r.stages
        lines.append(
            f"| {r.rows:,} | {r.baseline:.3f} | {s['sync']:.3f} | {s['kpi']:.3f} "
            f"| {s['report']:.3f} | {r.work:.3f} | {r.ratio:.1f}x | {s['total']:.3f} "
            f"| {mb(r.traced_peak)} | {mb(r.rss_rise)} |"
        )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_size_arguments(parser)
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="skip the tracemalloc run (it is slow on big inputs)")  # fmt: skip
    parser.add_argument("--full-rows", action="store_true",
                        help="keep trailing empty cells (xlsx-like), no ragged rows")  # fmt: skip
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    config = bench_config()
    print(f"python {sys.version.split()[0]}, pandas {pd.__version__}, {args.reps} reps, "
          f"as of {AS_OF}", flush=True)  # fmt: skip
    results = []
    for rows in sizes:
        repeat = args.repeat or (1 if rows >= LARGE else 3)
        result = measure(config, rows, args.reps, repeat, not args.no_tracemalloc,
                         ragged=not args.full_rows)  # fmt: skip
        print_result(result)
        results.append(result)
    print()
    print(markdown(results))
    print(f"\nratio = (sync + kpi + report) / baseline; target: <= {TARGET_RATIO:.0f}x at 1M rows.")
    print("tracemalloc peak: one refresh, Python + numpy allocations; maxrss rise: growth of the "
          "process peak RSS during one (untimed) refresh.")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
