"""Hostile and unusual .xlsx packages, built byte by byte for the tests that refuse or survive them.

A bomb is made without inflating gigabytes in the test: a deflate block of one megabyte of
filler, ended with a full flush, does not depend on what came before it, so the same block
repeated N times is a valid stream of N megabytes.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

MEGABYTE = 1 << 20


def rewrite_part(path: Path, part: str, data: bytes) -> None:
    """Replace one part of a package (through zipfile: a normal, honest package)."""
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, content in items:
            target.writestr(info, data if info.filename == part else content)


def read_part(path: Path, part: str) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(part)


def with_filler(path: Path, part: str, at: bytes, filler: bytes, megabytes: int) -> None:
    """Insert `megabytes` MB of `filler` into `part` right after the marker `at`."""
    original = read_part(path, part)
    head, tail = original.split(at, 1)
    head += at
    entries: list[tuple[str, bytes, int, int]] = []
    with zipfile.ZipFile(path) as source:
        for info in source.infolist():
            if info.filename == part:
                entries.append(_bomb_entry(part, head, filler, megabytes, tail))
            else:
                content = source.read(info.filename)
                entries.append(_entry(info.filename, content))
    _write_zip(path, entries)


def _entry(name: str, content: bytes) -> tuple[str, bytes, int, int]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = compressor.compress(content) + compressor.flush()
    return name, data, zlib.crc32(content), len(content)


def _bomb_entry(
    name: str, head: bytes, filler: bytes, megabytes: int, tail: bytes
) -> tuple[str, bytes, int, int]:
    chunk = (filler * (MEGABYTE // len(filler) + 1))[:MEGABYTE]
    probe = zlib.compressobj(9, zlib.DEFLATED, -15)
    probe.compress(b"x")
    probe.flush(zlib.Z_FULL_FLUSH)
    block = probe.compress(chunk) + probe.flush(zlib.Z_FULL_FLUSH)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + megabytes * MEGABYTE + len(tail)
    return name, start + block * megabytes + end, crc, size


def _write_zip(path: Path, entries: list[tuple[str, bytes, int, int]]) -> None:
    central = b""
    with open(path, "wb") as out:
        for name, data, crc, size in entries:
            offset = out.tell()
            encoded = name.encode()
            fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
            out.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", *fields) + encoded + data)
            central += (
                struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, offset) + encoded
            )
        start = out.tell()
        out.write(central)
        count = len(entries)
        out.write(struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, len(central),
                              start, 0))  # fmt: skip


KILL_AT_STEP = """
import os, signal


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def at(name, real):
    def hooked(*args):
        if step == "before " + name:
            die()
        done = real(*args)
        if step == "after " + name:
            die()
        return done
    return hooked
"""
"""The start of a child script that kills itself (SIGKILL) at a chosen step, read from its
global `step`: `die()` at once, or `at(name, real)`, which wraps `real` to die before or after
it runs when `step` is "before <name>" or "after <name>"."""
