"""Profile one refresh on a synthetic workbook: where do sync, kpi and report spend their time?

    python benchmarks/profile_pipeline.py [--rows 1000000] [--reps 150] [--tool cprofile]

`--tool pyinstrument` (a sampling profiler, low overhead; `pip install pyinstrument`) prints a
call tree; `--tool cprofile` (exact call counts, but it inflates the cost of many small calls)
prints the top functions by own time and by cumulative time. The workbook is built and one
warm-up refresh is run before profiling.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import AS_OF, bench_config, make_workbook, memory_backend
from sheetsync.pipeline import refresh


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=150)
    parser.add_argument("--tool", choices=("cprofile", "pyinstrument"), default="cprofile")
    parser.add_argument("--top", type=int, default=40, help="functions listed (cprofile)")
    parser.add_argument("--no-warmup", action="store_true")
    args = parser.parse_args(argv)
    config = bench_config()
    workbook = make_workbook(args.rows, reps=args.reps)
    if not args.no_warmup:
        refresh(config, as_of=AS_OF, backend=memory_backend(workbook))
    if args.tool == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
        report = refresh(config, as_of=AS_OF, backend=memory_backend(workbook))
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    else:
        profile = cProfile.Profile()
        profile.enable()
        report = refresh(config, as_of=AS_OF, backend=memory_backend(workbook))
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
    print("stage timings (s, under the profiler):",
          {k: round(v, 3) for k, v in report.timings.items()})  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
