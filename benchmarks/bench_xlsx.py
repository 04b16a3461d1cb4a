"""Benchmark a whole refresh of a real .xlsx file against the fastest possible read of it.

    python benchmarks/bench_xlsx.py [--sizes 10000,100000,1000000] [--reps N] [--repeat K]

For each size, the synthetic team workbook of `benchmarks/synthetic.py` (the grids and config
`bench_pipeline.py` uses: 150 reps, a year of activity, 0.1% bad cells, goals, roster) is
written once as a real .xlsx, outside every timed region, by sheetsync's own xlsx writer
(`Splice` + `write_package` over `empty_package()`; dates as date cells, text as inline
strings). Its rows are checked against the in-memory refresh of `bench_pipeline.py` (rows read,
counted, rejected and data issues must be the same), and the smallest file is opened once with
openpyxl. Then, all in a temporary folder that is removed at the end:

- floor: python-calamine reading every cell of every tab (`CalamineWorkbook.from_path`, then
  `get_sheet_by_name(t).to_python()` for every sheet): the fastest possible read of the data;
- first: `refresh(config, as_of=...)` in place on a fresh copy of the workbook, the output
  tabs created; second: the same refresh again on that copy, the output tabs replaced;
- output_path: the refresh writing its tabs into a separate, new workbook (source only read).

Each refresh gives `report.timings` per stage (read, sync, kpi, report, write, total); stage
times are the best of K runs each (K = 3, 1 from 1M rows up), total the best total. How to read
the ratios: total/floor is how many times the time to merely read the file's cells a whole
refresh takes (the goal: within 3x). The second table sets the write stage beside the output
(cells written, same at every size) and the workbook (MB): a write whose cost follows the
workbook MB is paying for the package copy, not for the output. Peak memory: each refresh is
run once more, untimed, in a fresh child interpreter, whose peak RSS (VmHWM on Linux, where
ru_maxrss would carry over the parent's RSS at the fork; ru_maxrss elsewhere) covers the whole
process (interpreter and imports included; their own peak is shown as the base).
No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

import python_calamine

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import (
    AS_OF,
    add_size_arguments,
    bench_config,
    make_workbook,
    memory_backend,
)
from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.backends.xlsx.package import open_package
from sheetsync.backends.xlsx.splice import Splice, empty_package
from sheetsync.backends.xlsx.zippackage import write_package
from sheetsync.config.values import Config
from sheetsync.grids import Grid, RawValue, RawWorkbook
from sheetsync.pipeline import Report, refresh
from sheetsync.plan import Cell, CellValue, OutputPlan, TabPlan

STAGES = ("read", "sync", "kpi", "report", "write", "total")
MODES = ("first", "second", "output_path")
TARGET_RATIO = 3.0
LARGE = 1_000_000
NOW = datetime(2026, 11, 18, 7, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
EPOCH = date(1899, 12, 30)
DATE_COLUMNS = {"Holidays": 0, "Rep - ": 0}  # tab title (prefix) -> its date column
BYTES_PER_ROW = 120  # a generous bound on one activity row in the package, for the disk check
COPIES = 4  # the workbook, its in-place copy, the replace's temp file, and slack
MIB = 2**20


@dataclass(frozen=True)
class Result:
    rows: int
    file_mb: float
    build: float  # seconds to write the workbook (untimed elsewhere)
    repeat: int
    floor: float
    stages: dict[str, dict[str, float]]  # mode -> stage -> best seconds
    output_cells: int
    output_mb: float  # the separate output workbook
    peak: dict[str, tuple[float, float]]  # mode -> (base MB, peak MB) of a child process

    def ratio(self, mode: str) -> float:
        return self.stages[mode]["total"] / self.floor


# -- the workbook as a real .xlsx --------------------------------------------------------------


def write_workbook(workbook: RawWorkbook, path: Path) -> None:
    """Write every tab of `workbook` into a new .xlsx at `path` with sheetsync's own writer."""
    base = empty_package()
    limits = XlsxBackend(path).limits  # the default limits, wherever their class lives
    splice = Splice(open_package(path, base, limits))
    splice.write_tabs([tab_plan(title, workbook.grids[title]) for title in workbook.titles])
    changes = splice.result()
    with open(path, "wb") as out:
        write_package(io.BytesIO(base), out, changes, name=str(path))


def tab_plan(title: str, grid: Grid) -> TabPlan:
    """One input tab as cells; serial days in the tab's date column become date cells.

    Cells are shared between equal values (there are few distinct ones), which keeps a
    1M-row plan to its row tuples in memory."""
    date_column = next((c for p, c in DATE_COLUMNS.items() if title.startswith(p)), None)
    cells: dict[tuple[type, CellValue], Cell] = {}

    def cell(value: RawValue, is_date: bool) -> Cell:
        typed: CellValue = value
        if is_date and isinstance(value, float):
            typed = EPOCH + timedelta(days=int(value))
        key = (type(typed), typed)
        found = cells.get(key)
        if found is None:
            found = cells[key] = Cell(typed)
        return found

    rows = tuple(
        tuple(cell(v, r > 0 and c == date_column) for c, v in enumerate(row))
        for r, row in enumerate(grid)
    )
    return TabPlan("input", title, rows)


def check_openpyxl(path: Path, workbook: RawWorkbook) -> None:
    """The file opens with openpyxl, with the same tabs and the same first activity row."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if tuple(book.sheetnames) != workbook.titles:
            raise SystemExit(f"openpyxl sees other tabs in {path}")
        title = next(t for t in workbook.titles if t.startswith("Rep - "))
        first = next(book[title].iter_rows(min_row=2, max_row=2, values_only=True))
        expected = workbook.grids[title][1]
        day = first[0]
        if not isinstance(day, datetime) or (day.date() - EPOCH).days != expected[0]:
            raise SystemExit(f"openpyxl reads {first[0]!r}, expected serial {expected[0]!r}")
        if list(first[1 : len(expected)]) != expected[1:]:
            raise SystemExit(f"openpyxl reads {first!r}, expected {expected!r}")
    finally:
        book.close()


# -- what is timed ----------------------------------------------------------------------------


def read_floor(path: Path) -> int:
    """Every cell of every tab, by calamine alone; returns the number of rows."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        return sum(len(book.get_sheet_by_name(t).to_python()) for t in book.sheet_names)
    finally:
        book.close()


def xlsx_config(config: Config, path: Path, output_path: Path | None = None) -> Config:
    source = dataclasses.replace(config.source, path=path, output_path=output_path)
    return dataclasses.replace(config, source=source)


def run_refresh(config: Config) -> Report:
    return refresh(config, as_of=AS_OF, now=NOW)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def refresh_runs(
    config: Config, source: Path, folder: Path, repeat: int
) -> dict[str, list[Report]]:
    """K runs of each mode, each in-place pair on a fresh copy of `source`."""
    runs: dict[str, list[Report]] = {mode: [] for mode in MODES}
    copy, output = folder / "inplace.xlsx", folder / "output.xlsx"
    for _ in range(repeat):
        shutil.copyfile(source, copy)
        for mode in ("first", "second"):
            gc.collect()
            runs[mode].append(run_refresh(xlsx_config(config, copy)))
        copy.unlink()
        output.unlink(missing_ok=True)
        gc.collect()
        runs["output_path"].append(run_refresh(xlsx_config(config, source, output)))
    return runs


def best_stages(reports: Sequence[Report]) -> dict[str, float]:
    return {stage: min(r.timings[stage] for r in reports) for stage in STAGES}


def cells_written(plan: OutputPlan) -> int:
    """Cells the xlsx writer puts in the output tabs (values, or formats on empty cells)."""
    return sum(
        1
        for tab in plan.tabs
        for row in tab.rows
        for cell in row
        if cell.value is not None or cell.number_format is not None or cell.bold
    )


# -- peak memory, in a fresh child interpreter per refresh -----------------------------------


def maxrss_mb() -> float:
    """The process's peak RSS. On Linux, VmHWM: ru_maxrss survives exec, so a child process
    started from this (large) benchmark would report at least the parent's RSS at the fork."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / MIB  # kB
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / MIB


def child(mode: str, source: Path, output: Path | None) -> int:
    """Run one refresh (or the floor read) and print the process's RSS peaks as JSON."""
    config = xlsx_config(bench_config(), source, output)
    gc.collect()
    base = maxrss_mb()
    if mode == "floor":
        read_floor(source)
    else:
        run_refresh(config)
    print(json.dumps({"base": base, "peak": maxrss_mb()}))
    return 0


def peak_in_child(mode: str, source: Path, output: Path | None = None) -> tuple[float, float]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, str(source)]
    if output is not None:
        command.append(str(output))
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return float(figures["base"]), float(figures["peak"])


def peaks(source: Path, folder: Path) -> dict[str, tuple[float, float]]:
    copy, output = folder / "inplace.xlsx", folder / "output.xlsx"
    shutil.copyfile(source, copy)
    result = {"floor": peak_in_child("floor", source)}
    result["first"] = peak_in_child("first", copy)
    result["second"] = peak_in_child("second", copy)
    copy.unlink()
    output.unlink(missing_ok=True)
    result["output_path"] = peak_in_child("output_path", source, output)
    output.unlink(missing_ok=True)
    return result


# -- one size ---------------------------------------------------------------------------------


def check_disk(folder: Path, rows: int) -> None:
    need = rows * BYTES_PER_ROW * COPIES
    free = shutil.disk_usage(folder).free
    if free < need + 2 * 2**30:  # leave the shared disk 2 GB
        raise SystemExit(f"{rows:,} rows need about {need / MIB:,.0f} MB in {folder}; only "
                         f"{free / MIB:,.0f} MB are free: not run")  # fmt: skip


def check_rows(config: Config, workbook: RawWorkbook, report: Report, rows: int) -> None:
    """The xlsx refresh reads and counts exactly what the in-memory refresh does."""
    memory = refresh(config, as_of=AS_OF, backend=memory_backend(workbook), now=NOW, dry_run=True)
    pairs = {
        "rows read": (memory.facts.rows_read, report.facts.rows_read),
        "counted": (memory.facts.rows_counted, report.facts.rows_counted),
        "rejected": (memory.facts.rows_rejected, report.facts.rows_rejected),
        "issues": (len(memory.issues), len(report.issues)),
    }
    shown = ", ".join(f"{k} {x:,}" for k, (_m, x) in pairs.items())
    facts = report.facts
    balanced = facts.rows_read == facts.rows_counted + facts.rows_rejected
    differ = {k: v for k, v in pairs.items() if v[0] != v[1]}
    status = "same as in memory" if not differ and balanced else f"DIFFER (memory, xlsx): {differ}"
    print(f"{rows:>9,} rows: xlsx refresh {shown}; read = counted + rejected: {balanced}; "
          f"{status}", flush=True)  # fmt: skip


def measure(
    config: Config, rows: int, reps: int, repeat: int, folder: Path, memory: bool, verify: bool
) -> Result:
    check_disk(folder, rows)
    workbook = make_workbook(rows, reps=reps)
    source = folder / f"bench-{rows}.xlsx"
    start = time.perf_counter()
    write_workbook(workbook, source)
    build = time.perf_counter() - start
    file_mb = source.stat().st_size / MIB
    if verify:
        check_openpyxl(source, workbook)
    output = folder / "output.xlsx"
    output.unlink(missing_ok=True)
    warm = run_refresh(xlsx_config(config, source, output))  # untimed: warms up, checks rows
    output_mb = output.stat().st_size / MIB
    output.unlink()
    check_rows(config, workbook, warm, rows)
    output_cells = cells_written(warm.plan)
    del workbook, warm
    gc.collect()
    floor = min(timed(lambda: read_floor(source)) for _ in range(repeat))
    runs = refresh_runs(config, source, folder, repeat)
    stages = {mode: best_stages(reports) for mode, reports in runs.items()}
    del runs
    peak = peaks(source, folder) if memory else {}
    source.unlink()
    return Result(rows, file_mb, build, repeat, floor, stages, output_cells, output_mb, peak)


# -- printing ---------------------------------------------------------------------------------


def print_result(result: Result) -> None:
    for mode in MODES:
        s = result.stages[mode]
        print(
            f"{result.rows:>9,} rows, {result.file_mb:.1f} MB (built in {result.build:.1f}s), "
            f"best of {result.repeat}, {mode}: floor {result.floor:.3f}s | "
            + " ".join(f"{stage} {s[stage]:.3f}s" for stage in STAGES)
            + f" | {result.ratio(mode):.1f}x floor",
            flush=True,
        )


def markdown(results: Sequence[Result]) -> str:
    lines = [
        "| rows | refresh | file MB | floor s | read s | sync s | kpi s | report s | write s "
        "| total s | total/floor |",
        "|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for mode in MODES:
            s = r.stages[mode]
            lines.append(
                f"| {r.rows:,} | {mode} | {r.file_mb:.1f} | {r.floor:.3f} | {s['read']:.3f} "
                f"| {s['sync']:.3f} | {s['kpi']:.3f} | {s['report']:.3f} | {s['write']:.3f} "
                f"| {s['total']:.3f} | {r.ratio(mode):.1f}x |"
            )
    return "\n".join(lines)


def write_table(results: Sequence[Result]) -> str:
    lines = [
        "| rows | workbook MB | output cells | output workbook MB | write s first "
        "| write s second | write s output_path |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        s = r.stages
        lines.append(
            f"| {r.rows:,} | {r.file_mb:.1f} | {r.output_cells:,} | {r.output_mb:.2f} "
            f"| {s['first']['write']:.3f} | {s['second']['write']:.3f} "
            f"| {s['output_path']['write']:.3f} |"
        )
    return "\n".join(lines)


def memory_table(results: Sequence[Result]) -> str:
    modes = ("floor", *MODES)
    lines = [
        "| rows | base MB | " + " | ".join(f"{m} peak MB" for m in modes) + " |",
        "|---:|---:|" + "---:|" * len(modes),
    ]
    for r in results:
        if not r.peak:
            continue
        base = max(r.peak[m][0] for m in modes)
        peaks_mb = " | ".join(f"{r.peak[m][1]:,.0f}" for m in modes)
        lines.append(f"| {r.rows:,} | {base:,.0f} | {peaks_mb} |")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_size_arguments(parser)
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the peak-memory runs in child processes")  # fmt: skip
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)  # MODE SOURCE [OUTPUT]
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        mode, source, *output = args.child
        return child(mode, Path(source), Path(output[0]) if output else None)
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    config = bench_config()
    print(f"python {sys.version.split()[0]}, python-calamine {version('python-calamine')}, "
          f"{args.reps} reps, as of {AS_OF}, {os.cpu_count()} CPUs", flush=True)  # fmt: skip
    results = []
    with tempfile.TemporaryDirectory(prefix="sheetsync-bench-xlsx-") as temp:
        folder = Path(temp)
        for rows in sizes:
            repeat = args.repeat or (1 if rows >= LARGE else 3)
            verify = rows == min(sizes)
            result = measure(config, rows, args.reps, repeat, folder, not args.no_memory, verify)
            print_result(result)
            results.append(result)
    print()
    print(markdown(results))
    print(f"\ntotal/floor = refresh total / calamine reading every cell; target: <= "
          f"{TARGET_RATIO:.0f}x. first: output tabs created in place; second: replaced in "
          "place; output_path: written into a separate new workbook.")  # fmt: skip
    print()
    print(write_table(results))
    print("\noutput cells: cells written into the output tabs (the same plan in every mode).")
    if not args.no_memory:
        print()
        print(memory_table(results))
        print("\npeak MB: peak RSS of a fresh child process that ran one refresh (floor: the "
              "calamine read); base MB: its peak after imports, before the run.")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
