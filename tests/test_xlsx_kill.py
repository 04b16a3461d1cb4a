"""A refresh killed with SIGKILL at each step of its write: the workbook holds the complete old
output or the complete new one, and the next run leaves no temp file behind."""

from __future__ import annotations

import signal
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from sheetsync import load_config
from sheetsync.pipeline import refresh
from tests.hostile import KILL_AT_STEP
from tests.test_xlsx_hostile import team_xlsx

OLD, NEW = date(2026, 11, 30), date(2026, 12, 15)
# The child refreshes the workbook and kills itself (SIGKILL) at a chosen step of the write: a
# real kill at a known moment, never a random one.
CHILD = (
    KILL_AT_STEP
    + """
import os, sys
from datetime import date
import sheetsync.backends.xlsx as backend
from sheetsync import load_config
from sheetsync.pipeline import refresh

step = sys.argv[3]
real_write = backend.write_package

class DyingDisk:
    def __init__(self, out):
        self.out, self.written = out, 0
    def write(self, data):
        self.out.write(data)
        self.written += len(data)
        if step == "mid-package" and self.written > 64 * 1024:
            self.out.flush()
            die()
        return len(data)
    def flush(self):
        self.out.flush()

def dying_write(source, out, changes, **options):
    real_write(source, DyingDisk(out), changes, **options)

backend.write_package = dying_write
os.replace = at("replace", os.replace)
refresh(load_config(sys.argv[1]), as_of=date.fromisoformat(sys.argv[2]))
"""
)
KILL_STEPS = {"mid-package": OLD, "before replace": OLD, "after replace": NEW}
"""Where the child is killed, and the as-of day the workbook then shows."""


def as_of_written(path: Path) -> date:
    status = dict(openpyxl.load_workbook(path)["Sync status"].values)
    written = status["As-of date"]
    assert isinstance(written, datetime)
    return written.date()


@pytest.mark.parametrize("step", KILL_STEPS)
def test_a_refresh_killed_during_its_write_leaves_old_or_new_output_whole(
    tmp_path: Path, step: str
) -> None:
    path = team_xlsx(tmp_path)
    book = openpyxl.load_workbook(path)
    notes = book.create_sheet("Notes")  # a big tab sheetsync copies untouched: a longer write
    for n in range(4000):
        notes.append([f"note {n}", n * 1.5, "x" * (n % 50)])
    book.save(path)
    config_path = tmp_path / "sheetsync.yaml"
    refresh(load_config(config_path), as_of=OLD)
    old = path.read_bytes()
    command = [sys.executable, "-c", CHILD, str(config_path), NEW.isoformat(), step]
    done = subprocess.run(command, capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
    assert as_of_written(path) == KILL_STEPS[step]
    assert (path.read_bytes() == old) == (KILL_STEPS[step] == OLD)
    assert bool(leftovers(tmp_path)) == (KILL_STEPS[step] == OLD)  # killed before the rename
    refresh(load_config(config_path), as_of=NEW)  # the next run cleans up after the killed one
    assert as_of_written(path) == NEW
    assert leftovers(tmp_path) == []


def leftovers(folder: Path) -> list[str]:
    """The temp files a write left in `folder`."""
    return [p.name for p in folder.iterdir() if ".sheetsync-" in p.name and p.suffix == ".tmp"]
