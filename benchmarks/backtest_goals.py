"""The goal suggestions' backtest on the demo and on an 18-month synthetic workbook.

    python benchmarks/backtest_goals.py [--aim 0.65] [--reps 60]

Prints, for each workbook and KPI, the aim and the share of reps who reached: the calibrated
suggestion, the naive "same period last year + 10%", and the goals set in the Goals tab
(docs/goals.md holds the tables). Everything is made in memory or a temporary folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import bench_config, make_workbook, memory_backend
from sheetsync.config.loading import load_config
from sheetsync.demo import make_demo
from sheetsync.goals import backtest_goals
from sheetsync.goals_console import backtest_lines

DEMO_AS_OF = date(2026, 11, 27)
DEMO_PERIODS = "2026-04..2026-10"
SYNTHETIC_FIRST = date(2025, 6, 1)
SYNTHETIC_AS_OF = date(2026, 11, 30)
SYNTHETIC_PERIODS = "2026-01..2026-10"


def demo(aim: float) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        config = load_config(make_demo(Path(folder), DEMO_AS_OF))
        results = backtest_goals(config, DEMO_PERIODS, aim, DEMO_AS_OF)
    return backtest_lines(config, DEMO_PERIODS, results)


def synthetic(aim: float, reps: int) -> list[str]:
    rows = reps * 400  # about a row and a half per working day each
    workbook = make_workbook(rows, reps=reps, teams=4, as_of=SYNTHETIC_AS_OF,
                             first=SYNTHETIC_FIRST, drift=True)  # fmt: skip
    config = bench_config()
    results = backtest_goals(config, SYNTHETIC_PERIODS, aim, SYNTHETIC_AS_OF,
                             backend=memory_backend(workbook))  # fmt: skip
    return backtest_lines(config, SYNTHETIC_PERIODS, results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aim", type=float, default=0.65)
    parser.add_argument("--reps", type=int, default=60)
    args = parser.parse_args()
    print(f"Demo (ten reps, activity from January, as of {DEMO_AS_OF}):")
    print("\n".join(demo(args.aim)))
    print()
    print(f"Synthetic ({args.reps} reps, {SYNTHETIC_FIRST:%Y-%m} to {SYNTHETIC_AS_OF:%Y-%m}, "
          "with a season and a trend per rep):")  # fmt: skip
    print("\n".join(synthetic(args.aim, args.reps)))


if __name__ == "__main__":
    main()
