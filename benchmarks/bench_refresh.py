"""Benchmark whole refreshes end to end, on both paths, against two baselines measured in the
same run: the floor (the least any tool must do to get the data) and the usual script.

    python benchmarks/bench_refresh.py [--rows 10000,100000,1000000] [--reps 30,300,1000]
        [--sizes 1000000x1000,...] [--paths xlsx,google] [--repeat K] [--no-script]
        [--json results.json]

Every combination of `--rows` and `--reps` is run (or exactly the `ROWSxREPS` pairs of
`--sizes`). The workbook is the synthetic team workbook of `benchmarks/synthetic.py` (a roster,
monthly goals, team and total goals, holidays, one `Rep - <name>` tab per rep, a year of
activity to 2026-11-18 with 0.1% bad cells), rebuilt from its seed by each process that needs
it, outside every timed region.

**xlsx.** The workbook is written once as a real .xlsx by sheetsync's own writer (as
`bench_xlsx.py` does). sheetsync refreshes a copy of it in place with the xlsx backend: a first
refresh (the output tabs created) and K more (the output tabs replaced, what a scheduled
refresh does). The floor: python-calamine reading every cell of every sheet.

**Google.** The fake Google Sheets API (`sheetsync.testing.FakeSheetsApi`) holding the workbook
runs in its own process, and sheetsync refreshes it through `GoogleBackend`, i.e. the real
gspread, google-auth and requests, in another. The fake serves only in-process, through
`responses` (it has no HTTP server), so in sheetsync's process `responses` hands each HTTP
request to a callback that sends it (method, URL, headers, body) over a local socket to the
fake's process, which answers it with the fake's own request handler and says how long that
took (that `responses` keeps no call log: by default it keeps every request and answer). So
for each refresh the benchmark knows, per request, the fake's time, the transport's (round
trip minus the fake's time: the socket, standing in for the network) and the request and
answer bytes; the client's time is the refresh's wall time minus both. One first refresh
and K more, as for xlsx. The floor: `json.loads` of the body the fake answered to sheetsync's
values read (saved after the first refresh) and a DataFrame built from each tab's rows. The
usual script: what one writes with gspread (`open_by_key`, `worksheets()`, `get_all_records()`
on the roster, the goals and each rep's tab, Python loops summing each rep's month and year,
one `update` per output tab, `add_worksheet` first when the tab is missing), against the same
fake, once creating its tabs and K times more; its API calls are counted by the fake. Last,
sheetsync refreshes as of the next day (same activity, the figures that follow the days gone
by computed anew), for the size of a daily write.

**Peak memory, sheetsync's process alone.** Every refresh, floor and script runs in a fresh
child process (multiprocessing, spawn), which reports its own peak resident set size: VmHWM of
/proc/self/status on Linux (reset by exec, unlike `getrusage(RUSAGE_SELF).ru_maxrss`, which
keeps the high-water mark of the process before the exec, here the forked parent's), else
ru_maxrss. It is the whole process: interpreter, imports (shown as `base`, the peak before
the run) and the run. On the Google path the fake's memory is in the other process and not in
that figure; the fake's process resets its own high-water mark before each refresh
(/proc/self/clear_refs) and reports how far above its resident size (the stored spreadsheet)
serving that refresh took it. What the fake's answers cost the client (the bytes received,
their decoding) is the client's, as with the real API.

Printed, per size and path: seconds per stage (report.timings: read, sync, kpi, report, write,
total; best of the K later refreshes, the first refresh's total apart; on Google the client's
part), API calls, request bytes (sum of the bodies sent; the write of the first refresh, of a
later one and of the next day's, where only what changed is written: google/partial_write.py; the
longest URL),
bytes received, peak memory beside the floor's and the script's; the ratios sheetsync / floor
and sheetsync / usual script (client time; calls side by side); and how cost grows with rows
and reps (slopes between the sizes run). Nothing is asserted. The tables are Markdown, ready
for `docs/performance.md`; `--json` writes every figure.

This file holds what is measured per size, the machine and the command line;
`refresh_processes.py` the processes (memory, children, the fake's process, the request
forwarder), `refresh_baselines.py` the floors and the usual script, `refresh_results.py` a
size's results and their tables.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_xlsx import write_workbook
from benchmarks.refresh_baselines import child_google_floor, child_script, child_xlsx_floor
from benchmarks.refresh_processes import (
    MIB,
    RESULT,
    FakeHandle,
    Forwarder,
    in_child,
    proc_line,
    short,
    start_fake,
    with_peak,
)
from benchmarks.refresh_results import PathResult, print_progress, print_tables
from benchmarks.synthetic import AS_OF, bench_config, make_workbook
from sheetsync.config.values import Config
from sheetsync.errors import SheetsyncError
from sheetsync.pipeline import Report, refresh

NOW = datetime(2026, 11, 18, 7, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
LARGE = 1_000_000
# The fake answering a 1M-row read on a shared machine is slower than Google: a deadline long
# enough that the benchmark measures sheetsync, not the default deadline (120 s).
DEADLINE_SECONDS = 1800.0


# -- sheetsync's refresh ------------------------------------------------------------------------


def google_config(base: Config, key: Path, sid: str) -> Config:
    source = dataclasses.replace(base.source, type="google", spreadsheet=sid, credentials_file=key,
                                 path=None, deadline_seconds=DEADLINE_SECONDS)  # fmt: skip
    return dataclasses.replace(base, source=source)


def report_figures(report: Report) -> RESULT:
    return {"timings": dict(report.timings), "api_calls": report.api_calls,
            "rows_read": report.facts.rows_read, "rows_counted": report.facts.rows_counted,
            "issues": len(report.issues)}  # fmt: skip


def timed_refresh(config: Config, as_of: date = AS_OF) -> tuple[RESULT, float]:
    """One refresh; its figures (or the error it stopped with) and its wall time."""
    start = time.perf_counter()
    try:
        figures = report_figures(refresh(config, as_of=as_of, now=NOW))
    except SheetsyncError as exc:
        figures = {"error": f"{type(exc).__name__}: {short(str(exc))}"}
    return figures, time.perf_counter() - start


# -- the children: what is measured -------------------------------------------------------------


def child_google_refresh(handle: FakeHandle, as_of: date = AS_OF) -> RESULT:
    """sheetsync refreshing the fake's spreadsheet."""

    def run() -> RESULT:
        forward = Forwarder(handle)
        config = google_config(bench_config(), Path(handle.key_file), handle.spreadsheet)
        with forward.serving():
            figures, wall = timed_refresh(config, as_of)
        return {**figures, **forward.figures(), "wall": wall}

    return with_peak(run)


def child_google_next_day(handle: FakeHandle) -> RESULT:
    """The refresh of the day after: the same activity, every figure that depends on the
    days gone by (expected, pace, projection, status) computed anew."""
    return child_google_refresh(handle, AS_OF + timedelta(days=1))


def child_xlsx_refresh(path: str) -> RESULT:
    """sheetsync refreshing the .xlsx at `path` in place."""

    def run() -> RESULT:
        config = bench_config()
        source = dataclasses.replace(config.source, path=Path(path))
        figures, wall = timed_refresh(dataclasses.replace(config, source=source))
        return {**figures, "wall": wall}

    return with_peak(run)


def child_build_xlsx(rows: int, reps: int, path: str) -> RESULT:
    start = time.perf_counter()
    write_workbook(make_workbook(rows, reps=reps), Path(path))
    return {"seconds": time.perf_counter() - start, "mb": Path(path).stat().st_size / MIB}


# -- one size -----------------------------------------------------------------------------------


def measure_xlsx(rows: int, reps: int, repeat: int, folder: Path) -> PathResult:
    result = PathResult("xlsx", rows, reps, repeat)
    source, copy = folder / f"bench-{rows}-{reps}.xlsx", folder / "inplace.xlsx"
    result.extra = in_child(child_build_xlsx, rows, reps, str(source))
    if "error" in result.extra:
        return result
    result.floor = in_child(child_xlsx_floor, str(source), repeat)
    shutil.copyfile(source, copy)
    result.first = in_child(child_xlsx_refresh, str(copy))
    result.again = [in_child(child_xlsx_refresh, str(copy)) for _ in range(repeat)]
    for path in (source, copy):
        path.unlink(missing_ok=True)
    return result


def measure_google(rows: int, reps: int, repeat: int, folder: Path, script: bool) -> PathResult:
    result = PathResult("google", rows, reps, repeat)
    process, handle = start_fake(rows, reps, folder)
    result.extra = {"fake_resident": handle.resident_mb, "fake_load": handle.load_seconds}
    try:
        result.first = _with_fake_peak(handle, child_google_refresh)
        answer = folder / "values-answer.json"
        result.extra["values_answer"] = handle.ask("save", str(answer))
        result.again = [_with_fake_peak(handle, child_google_refresh) for _ in range(repeat)]
        result.next_day = _with_fake_peak(handle, child_google_next_day)
        if result.extra["values_answer"]:
            result.floor = in_child(child_google_floor, str(answer), repeat)
        answer.unlink(missing_ok=True)
        if script:
            result.script_first = _with_fake_peak(handle, child_script)
            result.script = [_with_fake_peak(handle, child_script) for _ in range(repeat)]
    finally:
        handle.ask("stop")
        process.join()
    return result


def _with_fake_peak(handle: FakeHandle, target: Callable[[FakeHandle], RESULT]) -> RESULT:
    """Run `target` in a child; add how far above its resident size the fake's process went
    and how many Sheets API requests the fake saw."""
    handle.ask("mark")
    found = in_child(target, handle)
    stats = handle.ask("stats")
    found["fake_peak_rise"] = max(stats["peak"] - stats["resident"], 0.0)
    found["fake_calls"] = stats["calls"]
    return found


# -- the machine ---------------------------------------------------------------------------------


def machine() -> RESULT:
    """What the figures were measured on: CPUs, RAM, the code, Python and library versions."""
    cpu = proc_line("cpuinfo", r"^model name\s*:\s*(.+)$")
    cpu = cpu.strip() if cpu is not None else platform.processor() or platform.machine()
    ram_kb = proc_line("meminfo", r"^MemTotal:\s+(\d+) kB")
    ram = int(ram_kb) / 2**20 if ram_kb else None
    return {"cpus": os.cpu_count(), "cpu": cpu, "ram_gb": ram, "code": code_version(),
            "python": sys.version.split()[0], "platform": platform.platform(),
            "load": os.getloadavg() if hasattr(os, "getloadavg") else None,
            "versions": {name: version(name) for name in
                         ("pandas", "numpy", "gspread", "google-auth", "requests", "responses",
                          "python-calamine")}}  # fmt: skip


def code_version() -> str:
    """The commit measured, and whether the working tree had changes."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                              text=True).stdout.strip()  # fmt: skip

    try:
        head, dirty = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain", "-uno")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes" if dirty else "")


# -- the command line ---------------------------------------------------------------------------


def parse_sizes(args: argparse.Namespace) -> list[tuple[int, int]]:
    if args.sizes:
        pairs = [text.lower().split("x") for text in args.sizes.split(",") if text.strip()]
        return [(int(r.replace("_", "")), int(p)) for r, p in pairs]
    rows = [int(text.replace("_", "")) for text in args.rows.split(",") if text.strip()]
    reps = [int(text) for text in args.reps.split(",") if text.strip()]
    return [(r, p) for r in rows for p in reps if r >= p]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="10000,100000,1000000",
                        help="activity rows, comma-separated")  # fmt: skip
    parser.add_argument("--reps", default="30,300,1000",
                        help="reps (one tab each), comma-separated")  # fmt: skip
    parser.add_argument("--sizes", default=None,
                        help="ROWSxREPS pairs instead of every --rows x --reps")  # fmt: skip
    parser.add_argument("--paths", default="xlsx,google", help="xlsx, google or both")
    parser.add_argument("--repeat", type=int, default=None,
                        help="later refreshes per size (best taken; default 2, 1 from 1M "
                             "rows)")  # fmt: skip
    parser.add_argument("--no-script", action="store_true", help="skip the usual gspread script")
    parser.add_argument("--json", type=Path, default=None, help="write every figure here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    info = machine()
    load = " ".join(f"{x:.2f}" for x in info["load"] or ())
    print(f"{info['cpus']} CPUs ({info['cpu']}), {info['ram_gb']:.0f} GB RAM, python "
          f"{info['python']}, load average {load}, code {info['code']}", flush=True)  # fmt: skip
    results: list[PathResult] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sheetsync-bench-refresh-") as temp:
        for rows, reps in parse_sizes(args):
            repeat = args.repeat or (1 if rows >= LARGE else 2)
            for path in paths:
                if path == "xlsx":
                    result = measure_xlsx(rows, reps, repeat, Path(temp))
                else:
                    result = measure_google(rows, reps, repeat, Path(temp), not args.no_script)
                print_progress(result)
                results.append(result)
    info["load_after"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    info["seconds"] = time.perf_counter() - started
    print_tables(results)
    print(
        "\nclient / floor: sheetsync's client time over the floor (xlsx: calamine reading every "
        "cell; Google: json.loads of the values answer + a DataFrame per tab). client / script: "
        "over the usual gspread script's client time. peak MB: the refresh's own process (the "
        "fake's process apart: fake's rise). Calls: Sheets API requests."
    )
    if args.json:
        args.json.write_text(json.dumps({"machine": info,
                                         "results": [r.as_json() for r in results]},
                                        indent=1, default=str))  # fmt: skip
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
