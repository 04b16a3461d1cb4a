"""A refresh killed with SIGKILL in the middle of its write: the workbook holds the complete old
output or the complete new one, and the next run leaves no temp file behind."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl

from sheetsync import load_config
from sheetsync.pipeline import refresh
from tests.test_xlsx_hostile import team_xlsx

OLD, NEW = date(2026, 11, 30), date(2026, 12, 15)
# The child writes through a slow "disk" (1 KB, then a 2 ms pause), so that a kill drawn at
# random after it says "writing" lands inside the write, not before or after it.
CHILD = """
import sys, time
from datetime import date
import sheetsync.backends.xlsx as backend
from sheetsync import load_config
from sheetsync.pipeline import refresh

real_write = backend.write_package

class SlowDisk:
    def __init__(self, out):
        self.out = out
    def write(self, data):
        for start in range(0, len(data), 1024):
            self.out.write(data[start:start + 1024])
            time.sleep(0.002)
        return len(data)
    def flush(self):
        self.out.flush()

def slow_write(source, out, changes, **options):
    print("writing", flush=True)
    real_write(source, SlowDisk(out), changes, **options)

backend.write_package = slow_write
refresh(load_config(sys.argv[1]), as_of=date.fromisoformat(sys.argv[2]))
print("done", flush=True)
"""


def as_of_written(path: Path) -> date:
    status = dict(openpyxl.load_workbook(path)["Sync status"].values)
    written = status["As-of date"]
    assert isinstance(written, datetime)
    return written.date()


def test_a_refresh_killed_during_its_write_leaves_old_or_new_output_whole(tmp_path: Path) -> None:
    path = team_xlsx(tmp_path)
    book = openpyxl.load_workbook(path)
    notes = book.create_sheet("Notes")  # a big tab sheetsync copies untouched: a longer write
    for n in range(4000):
        notes.append([f"note {n}", n * 1.5, "x" * (n % 50)])
    book.save(path)
    config_path = tmp_path / "sheetsync.yaml"
    refresh(load_config(config_path), as_of=OLD)
    old = path.read_bytes()
    rng = random.Random(2026)
    outcomes = []
    for _ in range(20):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(config_path), NEW.isoformat()],
                                 stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"
        time.sleep(rng.uniform(0.0, 0.6))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        child.stdout.close()
        with zipfile.ZipFile(path) as package:
            assert package.testzip() is None
        outcomes.append("old" if path.read_bytes() == old else "new")
        if outcomes[-1] == "new":
            assert as_of_written(path) == NEW
            path.write_bytes(old)  # back to the old output for the next trial
    assert outcomes.count("old") >= 5, outcomes  # most kills landed inside the write
    refresh(load_config(config_path), as_of=NEW)
    assert as_of_written(path) == NEW
    leftovers = [p.name for p in tmp_path.iterdir() if ".sheetsync-" in p.name]
    assert leftovers == []
