"""filesafety: replacing a user's workbook is all or nothing, locked, and keeps its attributes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from sheetsync.backends.xlsx.filesafety import (
    check_not_open,
    check_writable,
    exclusive,
    replace_file,
    snapshot,
    unchanged_since,
)
from sheetsync.errors import WorkbookError
from tests.hostile import KILL_AT_STEP

ROOT = Path(__file__).resolve().parents[1]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def writer(data: bytes, error: Exception | None = None) -> Callable[[BinaryIO], None]:
    """A `write` for replace_file: writes `data`, then raises `error` if given."""

    def write(handle: BinaryIO) -> None:
        handle.write(data)
        if error:
            raise error

    return write


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".sheetsync-" in p.name)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"old workbook bytes")
    return path


def test_snapshot_holds_the_bytes_it_hashed(book: Path) -> None:
    snap = snapshot(book)
    assert snap.data == b"old workbook bytes"
    assert snap.sha256 == hashlib.sha256(snap.data).hexdigest()
    assert (snap.size, snap.mtime_ns) == (book.stat().st_size, book.stat().st_mtime_ns)
    assert "old workbook" not in repr(snap)
    assert unchanged_since(book, snap)
    assert not unchanged_since(book, None)
    assert unchanged_since(book.with_name("none.xlsx"), None)
    with pytest.raises(WorkbookError, match=r"none\.xlsx: workbook not found") as caught:
        snapshot(book.with_name("none.xlsx"))
    assert caught.value.exit_code == 4


def test_replace_writes_new_bytes_and_keeps_mode(book: Path) -> None:
    book.chmod(0o664)
    replace_file(book, writer(b"new bytes"), snapshot(book))
    assert book.read_bytes() == b"new bytes"
    assert book.stat().st_mode & 0o7777 == 0o664
    assert temps(book.parent) == []


@pytest.mark.skipif(not IS_ROOT, reason="changing a file's owner needs root")
def test_replace_keeps_owner_and_group(book: Path) -> None:
    os.chown(book, 1234, 2345)
    book.chmod(0o640)
    replace_file(book, writer(b"new bytes"), snapshot(book))
    status = book.stat()
    assert (status.st_uid, status.st_gid, status.st_mode & 0o7777) == (1234, 2345, 0o640)


def test_new_file_gets_the_mode_of_a_normal_save_and_must_still_be_new(tmp_path: Path) -> None:
    target, old = tmp_path / "new.xlsx", os.umask(0o027)
    try:
        replace_file(target, writer(b"fresh"), None)
    finally:
        os.umask(old)
    assert (target.read_bytes(), target.stat().st_mode & 0o777) == (b"fresh", 0o640)
    with pytest.raises(WorkbookError, match="changed while sheetsync was running"):
        replace_file(target, writer(b"mine"), None)  # expected None, but "fresh" appeared
    assert target.read_bytes() == b"fresh"
    assert temps(tmp_path) == []


def test_save_by_someone_else_is_detected(book: Path) -> None:
    snap = snapshot(book)
    book.write_bytes(b"their save, longer than ours")
    with pytest.raises(WorkbookError) as caught:
        replace_file(book, writer(b"new bytes"), snap)
    assert str(caught.value) == (
        f"{book} changed while sheetsync was running (someone saved it); "
        "nothing was written; run the refresh again"
    )
    assert book.read_bytes() == b"their save, longer than ours"
    assert temps(book.parent) == []


def test_same_size_save_with_restored_mtime_is_caught_by_the_hash(book: Path) -> None:
    snap = snapshot(book)
    book.write_bytes(b"OLD WORKBOOK BYTES")
    os.utime(book, ns=(snap.mtime_ns, snap.mtime_ns))
    assert (book.stat().st_size, book.stat().st_mtime_ns) == (snap.size, snap.mtime_ns)
    with pytest.raises(WorkbookError, match="changed while sheetsync was running"):
        replace_file(book, writer(b"new bytes"), snap)
    assert book.read_bytes() == b"OLD WORKBOOK BYTES"
    assert temps(book.parent) == []


def test_disk_full_leaves_the_file_alone(book: Path) -> None:
    full = OSError(28, "No space left on device")
    with pytest.raises(WorkbookError) as caught:
        replace_file(book, writer(b"half of it", full), snapshot(book))
    assert str(caught.value) == (
        f"{book}: could not be written (No space left on device); the previous file is unchanged"
    )
    assert caught.value.exit_code == 4
    assert book.read_bytes() == b"old workbook bytes"
    assert temps(book.parent) == []


def test_other_errors_from_write_pass_through_and_leave_no_temp(book: Path) -> None:
    with pytest.raises(WorkbookError, match="bad package"):
        replace_file(book, writer(b"x", WorkbookError("bad package")), snapshot(book))
    assert book.read_bytes() == b"old workbook bytes"
    assert temps(book.parent) == []


def test_read_only_workbook_is_refused(book: Path) -> None:
    check_writable(book)
    check_writable(book.with_name("new.xlsx"))
    book.chmod(0o444)
    with pytest.raises(WorkbookError) as caught:
        check_writable(book)
    assert caught.value.exit_code == 4
    assert str(caught.value) == (
        f"{book} is read-only; sheetsync will not replace it: make it writable (chmod u+w) "
        "or set source.output_path"
    )


def test_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError) as caught:
        check_writable(tmp_path / "nope" / "book.xlsx")
    assert str(caught.value) == (
        f"folder {tmp_path / 'nope'} does not exist; create it or fix source.output_path"
    )


def test_read_only_folder_is_named(tmp_path: Path) -> None:
    """Root ignores mode bits in os.access; check_writable checks the bits too."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(WorkbookError, match=re.escape(f"folder {folder} is read-only")):
            check_writable(folder / "book.xlsx")
    finally:
        folder.chmod(0o755)


def test_folder_that_is_a_file_target_that_is_a_folder_or_a_link(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    with pytest.raises(WorkbookError, match="is not a folder"):
        check_writable(tmp_path / "plain" / "book.xlsx")
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(WorkbookError, match="is not a regular file"):
        check_writable(tmp_path / "dir.xlsx")
    (tmp_path / "link.xlsx").symlink_to(tmp_path / "plain")
    with pytest.raises(WorkbookError, match="is a symbolic link"):
        check_writable(tmp_path / "link.xlsx")


def test_open_in_excel_or_libreoffice(book: Path) -> None:
    for lock in ("~$book.xlsx", ".~lock.book.xlsx#"):
        owner = book.parent / lock
        owner.write_bytes(b"someone")
        with pytest.raises(WorkbookError) as caught:
            check_not_open(book, force=False)
        assert str(owner) in str(caught.value)
        assert "--force" in str(caught.value)
        check_not_open(book, force=True)
        owner.unlink()
    check_not_open(book, force=False)


def test_exclusive_removes_only_this_targets_leftovers(book: Path) -> None:
    folder = book.parent
    ours = folder / ".book.xlsx.sheetsync-0123456789abcdef.tmp"
    others = [
        folder / ".other.xlsx.sheetsync-0123456789abcdef.tmp",
        folder / ".book.xlsx.sheetsync-0123.tmp",
        folder / "book.xlsx.sheetsync-0123456789abcdef.tmp",
    ]
    for path in [ours, *others]:
        path.write_bytes(b"leftover")
    with exclusive(book):
        assert not ours.exists()
        assert all(path.exists() for path in others)
    assert (folder / ".book.xlsx.sheetsync.lock").exists()


HOLDER = """
import sys, time
from pathlib import Path
from sheetsync.backends.xlsx.filesafety import exclusive
with exclusive(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@contextlib.contextmanager
def holding(target: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process that holds exclusive(target) for `seconds` once this has started."""
    command = [sys.executable, "-c", HOLDER, str(target), str(seconds)]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        assert child.stdout.readline() == "locked\n"
        try:
            yield child
        finally:
            child.kill()


def test_second_writer_waits_for_the_first(book: Path) -> None:
    with holding(book, 1.0) as child:
        started = time.monotonic()
        with exclusive(book, wait=5.0):
            waited = time.monotonic() - started
        assert child.wait(5) == 0
    assert 0.3 < waited < 5.0


def test_second_writer_gives_up_with_a_clear_message(book: Path) -> None:
    with holding(book, 2.0), pytest.raises(WorkbookError) as caught, exclusive(book, wait=0.2):
        pass
    assert str(caught.value) == (
        f"another sheetsync refresh of {book} is running "
        f"(lock file {book.parent / '.book.xlsx.sheetsync.lock'}); "
        "try again later"
    )


KILLED_WRITER = (
    KILL_AT_STEP
    + """
import sys
from pathlib import Path
from sheetsync.backends.xlsx.filesafety import exclusive, replace_file, snapshot
target, new, step = Path(sys.argv[1]), Path(sys.argv[2]).read_bytes(), sys.argv[3]

def write(handle):
    if step == "opened":
        die()
    half = len(new) // 2
    handle.write(new[:half])
    if step == "half":
        handle.flush()
        die()
    handle.write(new[half:])

os.fsync = at("fsync", os.fsync)
os.replace = at("replace", os.replace)
with exclusive(target):
    replace_file(target, write, snapshot(target))
"""
)
KILL_STEPS = {
    # the step the writer kills itself at (SIGKILL): whether the target then holds the new
    # bytes, and whether the kill leaves a temp file behind
    "opened": (False, True),
    "half": (False, True),
    "before fsync": (False, True),
    "after fsync": (False, True),
    "before replace": (False, True),
    "after replace": (True, False),
}


@pytest.mark.parametrize("step", KILL_STEPS)
def test_a_writer_killed_at_each_step_leaves_old_or_new_never_a_mix(
    tmp_path: Path, step: str
) -> None:
    rng = random.Random(20240607)
    old, new = rng.randbytes(3 * 1024 * 1024), rng.randbytes(3 * 1024 * 1024 + 17)
    target, source = tmp_path / "book.xlsx", tmp_path / "new.bin"
    target.write_bytes(old)
    source.write_bytes(new)
    command = [sys.executable, "-c", KILLED_WRITER, str(target), str(source), step]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    replaced, left = KILL_STEPS[step]
    assert target.read_bytes() == (new if replaced else old)
    assert bool(temps(tmp_path)) == left
    with exclusive(target, wait=5.0):  # the next writer removes what the killed one left
        assert temps(tmp_path) == []
