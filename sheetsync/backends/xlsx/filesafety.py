"""Replace a user's workbook safely: one writer at a time, never over someone else's save,
never half-written, with its permissions and owner kept.

Guaranteed (POSIX, local file systems): after `replace_file` the target holds either the complete
previous bytes or the complete new bytes, even if the process is killed at any moment; a save by
someone else between `snapshot` and the replace is detected (size, mtime and sha256) and nothing
is written. Not guaranteed: protection against writers that ignore the lock and save in the
instant between the final check and the rename, and durability on file systems where fsync is a
no-op. A symbolic link is refused rather than replaced by a regular file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import filelock

from sheetsync.boundedfile import NotARegularFile, TooLarge, open_regular, read_capped, size_text
from sheetsync.config.values import XlsxLimits
from sheetsync.errors import WorkbookError

CHUNK = 1 << 20
TEMP_TOKEN = 16  # hex digits of randomness in a temp file's name
WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


@dataclass(frozen=True)
class Snapshot:
    """What a file was when it was read: size, mtime_ns, sha256 hex, and its bytes."""

    size: int
    mtime_ns: int
    sha256: str
    data: bytes = field(repr=False)


def snapshot(path: Path, max_bytes: int = XlsxLimits.unpacked_mb << 20) -> Snapshot:
    """Read `path` once: the hash is of exactly the bytes returned. If the file changes while it
    is being read (size or mtime differ before and after), it is read again, up to three times,
    then WorkbookError. A missing or unreadable file is a WorkbookError naming it, and so is
    anything but a regular file (a named pipe is refused without waiting for a writer, a device
    like /dev/zero without reading it) and a file over `max_bytes` (at most that many bytes and
    one more are read; default: the default `source.limits.unpacked_mb`)."""
    for _attempt in range(3):
        snap = _read_once(path, max_bytes)
        if snap is not None:
            return snap
    raise WorkbookError(
        f"{path}: kept changing while sheetsync read it (someone is saving it); "
        "run the refresh again when it is saved"
    )


def _read_once(path: Path, max_bytes: int) -> Snapshot | None:
    """One consistent read, or None when the file changed during it."""
    try:
        with open_regular(path) as handle:
            before = os.fstat(handle.fileno())
            data = read_capped(handle, max_bytes)
            after = os.fstat(handle.fileno())
    except NotARegularFile as exc:
        raise WorkbookError(f"{path}: {exc.problem}; point the config at an .xlsx workbook "
                            "file") from None  # fmt: skip
    except TooLarge:
        raise WorkbookError(f"{path}: refused before reading: the file is larger than "
                            f"{size_text(max_bytes)}, the most source.limits.unpacked_mb "
                            "allows. If the workbook is genuine, raise source.limits."
                            "unpacked_mb in the config") from None  # fmt: skip
    except FileNotFoundError:
        raise WorkbookError(f"{path}: workbook not found") from None
    except OSError as exc:
        raise WorkbookError(f"{path}: could not be read ({_reason(exc)})") from exc
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        return None
    digest = hashlib.sha256(data).hexdigest()
    return Snapshot(len(data), after.st_mtime_ns, digest, data)


def unchanged_since(path: Path, snap: Snapshot | None) -> bool:
    """Whether `path` still holds what `snap` saw (None: that it still does not exist).

    A differing size or mtime answers False at once; otherwise the content is hashed, so a save
    of the same size with a restored mtime is still caught. OSError other than "no such file"
    (e.g. permission denied) passes through.
    """
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return snap is None
    if snap is None:
        return False
    if (now.st_size, now.st_mtime_ns) != (snap.size, snap.mtime_ns):
        return False
    return _sha256(path) == snap.sha256


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def lock_path(target: Path) -> Path:
    """The hidden lock file beside `target` (left in place after release, as filelock does)."""
    return target.parent / f".{target.name}.sheetsync.lock"


@contextlib.contextmanager
def exclusive(target: Path, *, wait: float = 120.0) -> Iterator[None]:
    """Hold the one sheetsync writer slot for `target`, across processes, for the block.

    Waits up to `wait` seconds, then WorkbookError. Once held, removes temp files that a killed
    run left for this target (never any other file, and never reading them). Only sheetsync
    processes honour the lock: Excel and other programs do not see it.
    """
    lock = filelock.FileLock(lock_path(target), timeout=wait)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise WorkbookError(
            f"another sheetsync refresh of {target} is running (lock file {lock_path(target)}); "
            "try again later"
        ) from None
    except OSError as exc:
        raise WorkbookError(
            f"{target}: could not create the lock file {lock_path(target)} ({_reason(exc)}); "
            "check that the folder exists and is writable, or set source.output_path"
        ) from exc
    try:
        remove_leftovers(target)
        yield
    finally:
        lock.release()


def remove_leftovers(target: Path) -> list[Path]:
    """Delete temp files of an interrupted replace of `target`; returns what was removed.

    Only names of the exact form `.{target.name}.sheetsync-<16 hex digits>.tmp` are touched.
    Call it only while holding `exclusive(target)`, or a running writer's temp may go. Best
    effort: a file that cannot be removed (or a folder that cannot be listed) is left alone.
    """
    pattern = re.compile(
        re.escape(f".{target.name}.sheetsync-") + f"[0-9a-f]{{{TEMP_TOKEN}}}\\.tmp"
    )
    removed: list[Path] = []
    with contextlib.suppress(OSError), os.scandir(target.parent) as entries:
        for entry in entries:
            if pattern.fullmatch(entry.name) and not entry.is_dir(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


OWNER_FILES = (("Excel", "~${}"), ("LibreOffice", ".~lock.{}#"))


def check_not_open(target: Path, *, force: bool) -> None:
    """WorkbookError if Excel's owner file `~$<name>` or LibreOffice's `.~lock.<name>#` lies
    beside `target`. These only show that an office program had the file open (or crashed with
    it open); a workbook open elsewhere without such a file is not detected. force=True skips."""
    if force:
        return
    for app, form in OWNER_FILES:
        owner = target.parent / form.format(target.name)
        if os.path.lexists(owner):
            raise WorkbookError(
                f"{target} is open in {app} (its lock file {owner} exists): close it there and "
                f"run the refresh again. If {app} is not running, the lock is stale (left by a "
                f"crash): delete {owner} or run with --force."
            )


def check_writable(target: Path) -> None:
    """WorkbookError unless `target` can be replaced: its folder exists, is a folder and is
    writable, and an existing target is a regular file (not a link) that is writable. Mode bits
    are checked as well as os.access, so a 0o444 file counts as read-only even for root.
    A passing check does not promise the write will succeed (disk full, quotas, races)."""
    _check_folder(target)
    if os.path.islink(target):
        raise WorkbookError(
            f"{target} is a symbolic link; sheetsync replaces the file by renaming, which would "
            f"replace the link itself: point the config at {os.path.realpath(target)}"
        )
    if os.path.exists(target):
        _check_file(target)


def _check_file(target: Path) -> None:
    if not target.is_file():
        raise WorkbookError(f"{target} is not a regular file; point the config at a workbook")
    if not _writable(target, os.W_OK):
        raise WorkbookError(
            f"{target} is read-only; sheetsync will not replace it: make it writable "
            "(chmod u+w) or set source.output_path"
        )


def _check_folder(target: Path) -> None:
    folder = target.parent
    if not folder.exists():
        raise WorkbookError(f"folder {folder} does not exist; create it or fix source.output_path")
    if not folder.is_dir():
        raise WorkbookError(f"{folder} is not a folder; fix source.output_path")
    if not _writable(folder, os.W_OK | os.X_OK):
        raise WorkbookError(
            f"folder {folder} is read-only; sheetsync writes {target.name} there through a "
            "temporary file: make the folder writable or set source.output_path"
        )


def _writable(path: Path, access: int) -> bool:
    """os.access, plus: no write bit for anyone means read-only (root ignores mode bits)."""
    return os.access(path, access) and bool(os.stat(path).st_mode & WRITE_BITS)


def replace_file(
    target: Path, write: Callable[[BinaryIO], None], expected: Snapshot | None
) -> None:
    """Replace `target` with what `write` writes, all or nothing.

    `write` fills a temp file in the target's folder; it is flushed, fsynced, given the target's
    mode and (where allowed) owner and group, checked against `expected` (None: the target must
    still not exist), renamed over the target, and the folder is fsynced. A new file gets the
    mode a normal save gives (0o666 less the umask). On any failure the temp file is removed
    and WorkbookError says whether the previous file is unchanged; an exception other than
    OSError raised by `write` propagates as it is (the previous file is then unchanged too).
    """
    temp = target.parent / f".{target.name}.sheetsync-{secrets.token_hex(TEMP_TOKEN // 2)}.tmp"
    replaced = False
    try:
        _write_temp(temp, target, write)
        _check_unchanged(target, expected)
        os.replace(temp, target)
        replaced = True
        _sync_folder(target.parent)
    except OSError as exc:
        raise _write_error(target, exc, replaced) from exc
    finally:
        if not replaced:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _write_temp(temp: Path, target: Path, write: Callable[[BinaryIO], None]) -> None:
    """Create the temp exclusively, fill it, give it the target's attributes, fsync it."""
    existing = None
    with contextlib.suppress(FileNotFoundError):
        existing = os.stat(target)
    mode = 0o600 if existing else 0o666  # new files: the OS applies the umask
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    with os.fdopen(os.open(temp, flags, mode), "wb") as handle:
        write(handle)
        handle.flush()
        if existing:
            _copy_attributes(temp, existing)
        os.fsync(handle.fileno())


def _copy_attributes(temp: Path, existing: os.stat_result) -> None:
    """Owner and group first (where permitted: chown may clear set-id bits), then the mode."""
    if hasattr(os, "chown"):
        with contextlib.suppress(PermissionError):
            os.chown(temp, existing.st_uid, existing.st_gid)
    os.chmod(temp, stat.S_IMODE(existing.st_mode))


def _check_unchanged(target: Path, expected: Snapshot | None) -> None:
    if not unchanged_since(target, expected):
        raise WorkbookError(
            f"{target} changed while sheetsync was running (someone saved it); "
            "nothing was written; run the refresh again"
        )


def _sync_folder(folder: Path) -> None:
    """Make the rename durable; skipped where folders cannot be opened (Windows)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _write_error(target: Path, exc: OSError, replaced: bool) -> WorkbookError:
    if replaced:
        return WorkbookError(
            f"{target}: the new workbook was written, but syncing its folder to disk failed "
            f"({_reason(exc)}); if the computer crashes soon, the previous version may come back"
        )
    return WorkbookError(
        f"{target}: could not be written ({_reason(exc)}); the previous file is unchanged"
    )


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
