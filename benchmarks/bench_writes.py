"""Bytes of the Google write, refresh after refresh, as a daemon makes them.

    python benchmarks/bench_writes.py [--reps 30,300,1000] [--rows 10000]

For each team size a synthetic workbook (`benchmarks/synthetic.py`) is loaded into a fresh fake
Google Sheets API (`sheetsync.testing`) and refreshed through `GoogleBackend` (the real gspread
and google-auth) in this order: the first refresh, the same day again, the next day, the next
day with a History snapshot, the day after with a snapshot; then, in a second fake, a first
refresh that takes a snapshot at once. For each it prints the batchUpdate body's bytes and its
ratio to the first refresh's write of the same team, measured in the same run: the whole
output, what every refresh wrote before only the changed values of the big tabs were sent
(google/partial_write.py) and a snapshot pasted what it shares with Rep KPIs (google/reuse.py).
Google's limits: 10,485,760 bytes refused, 2,000,000 advised. Only bytes are printed (they do
not depend on the machine); no timing.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import AS_OF, bench_config, make_workbook
from sheetsync.backends.google import GoogleBackend
from sheetsync.backends.google.payload import ADVISED_BYTES, MAX_REQUEST_BYTES
from sheetsync.config.values import Config
from sheetsync.errors import SheetsyncError
from sheetsync.pipeline import refresh
from sheetsync.testing import FakeSheetsApi

MIB = 2**20
DAY = timedelta(days=1)
SEQUENCE: tuple[tuple[str, date, bool], ...] = (
    ("first refresh", AS_OF, False),
    ("same day again", AS_OF, False),
    ("next day", AS_OF + DAY, False),
    ("next day, snapshot", AS_OF + DAY, True),
    ("day after, snapshot", AS_OF + 2 * DAY, True),
)


def google_config(base: Config, key: Path, sid: str) -> Config:
    source = dataclasses.replace(
        base.source, type="google", spreadsheet=sid, credentials_file=key, path=None
    )
    return dataclasses.replace(base, source=source)


def write_bytes(config: Config, as_of: date, snapshot: bool) -> int | str:
    """The bytes of the refresh's write, or the error it stopped with."""
    source = config.source
    assert source.spreadsheet is not None
    backend = GoogleBackend(source.spreadsheet, source.credentials_file)
    try:
        refresh(config, as_of=as_of, backend=backend, snapshot=snapshot)
    except SheetsyncError as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    return backend.write_bytes


def runs(reps: int, rows: int, folder: Path) -> list[tuple[str, int | str]]:
    grids = make_workbook(max(rows, reps), reps=reps).grids
    found: list[tuple[str, int | str]] = []
    for steps in (SEQUENCE, (("first refresh, snapshot", AS_OF, True),)):
        with FakeSheetsApi() as fake:
            sid = fake.create_spreadsheet("Team", grids)
            config = google_config(bench_config(), fake.service_account_file(folder), sid)
            found += [(label, write_bytes(config, day, snap)) for label, day, snap in steps]
    return found


def show(size: int | str, whole: int | str) -> str:
    if isinstance(size, str):
        return size
    ratio = f"{size / whole:5.2f}x" if isinstance(whole, int) and whole else "  -  "
    flags = " over the advised 2 MB" if size > ADVISED_BYTES else ""
    flags = " OVER THE LIMIT" if size > MAX_REQUEST_BYTES else flags
    return f"{size:>11,} bytes ({size / MIB:5.2f} MiB) = {ratio} the first write{flags}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", default="30,300,1000", help="team sizes, comma-separated")
    parser.add_argument("--rows", type=int, default=10_000, help="activity rows per workbook")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"{args.rows:,} activity rows; Google refuses over {MAX_REQUEST_BYTES:,} bytes and "
          f"advises at most {ADVISED_BYTES:,}")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for reps in (int(text) for text in args.reps.split(",") if text.strip()):
            found = runs(reps, args.rows, Path(folder))
            whole = found[0][1]
            print(f"\n{reps} reps")
            for label, size in found:
                print(f"  {label:<24} {show(size, whole)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
