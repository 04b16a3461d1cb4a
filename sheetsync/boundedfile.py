"""Reading a file whose path a user gave (the config, the workbook), bounded: only a regular
file is read, never more than a limit, and opening it never blocks.

A named pipe (FIFO) is opened without blocking (`O_NONBLOCK`, so a pipe nobody writes to does
not hang the open) and then refused, as are devices (`/dev/zero`), folders and sockets; a
regular file is read up to `limit` bytes plus one, so a file that grows while it is read is
still caught. What is refused raises `FileRefused` (`NotARegularFile` or `TooLarge`), whose
`problem` the caller puts into its own error (a ConfigError, a WorkbookError). OSError from the
operating system (no such file, permission denied) passes through unchanged.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 20


class FileRefused(Exception):
    """The path is not a regular file, or the file is over its size limit: `problem` says
    which, in words that follow the path in a message."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class NotARegularFile(FileRefused):
    """A folder, a named pipe, a device or a socket where a file was expected."""


class TooLarge(FileRefused):
    """A regular file over the size limit."""


@contextlib.contextmanager
def open_regular(path: Path) -> Iterator[BinaryIO]:
    """`path` opened for reading in binary, once it is known to be a regular file (FileRefused
    otherwise); the open itself never waits for a writer."""
    handle = os.open(path, _OPEN_FLAGS)
    try:
        kind = _kind(os.fstat(handle).st_mode)
        if kind is not None:
            raise NotARegularFile(f"is {kind}, not a regular file")
        with os.fdopen(handle, "rb") as file:
            handle = -1
            yield file
    finally:
        if handle >= 0:
            os.close(handle)


def read_capped(file: BinaryIO, limit: int) -> bytes:
    """All of `file` from where it is, FileRefused when that is more than `limit` bytes (the
    declared size is checked first, then at most `limit` + 1 bytes are read)."""
    if os.fstat(file.fileno()).st_size > limit:
        raise TooLarge(too_large(limit))
    parts: list[bytes] = []
    left = limit + 1
    while left > 0 and (chunk := file.read(min(left, _CHUNK))):
        parts.append(chunk)
        left -= len(chunk)
    if left <= 0:
        raise TooLarge(too_large(limit))
    return b"".join(parts)


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them (else FileRefused)."""
    with open_regular(path) as file:
        return read_capped(file, limit)


def too_large(limit: int) -> str:
    return f"is larger than {size_text(limit)}, the most allowed"


def size_text(size: int) -> str:
    """`256 KB`, `2,048 MB`: a size in the largest binary unit that leaves a whole number."""
    for unit, name in ((1 << 20, "MB"), (1 << 10, "KB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit:,} {name}"
    return f"{size:,} bytes"


def _kind(mode: int) -> str | None:
    """What a non-regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "a special file")
