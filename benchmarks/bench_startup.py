"""How long the `sheetsync` command takes to start, as whole processes, against Python itself.

    python benchmarks/bench_startup.py [--runs 15]

Times, in the same run and interleaved round by round: `python -c pass` (the baseline: the
interpreter alone), `python -m sheetsync --help`, `python -m sheetsync config-schema` and, for
scale, `python -c "import pandas"`. Prints each command's median and fastest wall time and its
ratio to the baseline's median. The target (Redesign issue): `--help` and `config-schema` under
0.3 s on the 2-core machine, which needs neither pandas nor pydantic at start.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "python -c pass (baseline)": ["-c", "pass"],
    "sheetsync --help": ["-m", "sheetsync", "--help"],
    "sheetsync config-schema": ["-m", "sheetsync", "config-schema"],
    "python -c 'import pandas'": ["-c", "import pandas"],
}


def timed(arguments: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *arguments], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, arguments in COMMANDS.items():
            times[name].append(timed(arguments))
    base = statistics.median(times["python -c pass (baseline)"])
    print(f"{'command':<30} {'median':>8} {'fastest':>8} {'x baseline':>11}")
    for name, found in times.items():
        median = statistics.median(found)
        print(f"{name:<30} {median:>7.3f}s {min(found):>7.3f}s {median / base:>10.1f}x")


if __name__ == "__main__":
    main()
