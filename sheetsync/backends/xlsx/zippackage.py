"""Write a zip package (an .xlsx) that copies every untouched part raw from the original.

Guaranteed: an entry of the source that is not in `changes` keeps its compressed bytes, CRC,
sizes, method, date/time, name bytes, UTF-8 flag, attributes and comment; it is never
decompressed or recompressed. Entries keep the source's order; the archive comment is kept.

Not guaranteed: the zip *container* is rewritten, so the file as a whole is not byte-identical to
the source. Local and central extra fields (extended timestamps, zip64 blocks, padding) are
dropped, and a data descriptor (flag bit 3) is replaced by sizes in the local header.

Refused with WorkbookError: encrypted entries, compression methods other than stored and
deflated, two entries with the same name, and anything that needs zip64 (an entry, offset or
directory at or over 4 GiB, or 65,535 entries or more). The lead caps packages at a few GB
before calling this, so zip64 is deliberately not written.

A new content may be `Streamed`: its chunks are made while the package is written and
deflated as they come, so only the compressed part is ever held whole (History's part, which
may hold hundreds of thousands of rows, is written that way).
"""

from __future__ import annotations

import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from sheetsync.errors import WorkbookError

CHUNK = 1 << 20
LIMIT = 0xFFFFFFFF
MAX_ENTRIES = 0xFFFF
LOCAL = struct.Struct("<IHHHHHIIIHH")
CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
END = struct.Struct("<IHHHHIIH")
LOCAL_SIG = 0x04034B50
CENTRAL_SIG = 0x02014B50
END_SIG = 0x06054B50
UTF8_FLAG = 0x0800
KEPT_FLAGS = 0x0806  # UTF-8 names, and bits 1-2: the deflate level used (informational)
ENCRYPTED_FLAGS = 0x2041  # bit 0 encrypted, bit 6 strong encryption, bit 13 masked directory
METHODS = {zipfile.ZIP_STORED: 10, zipfile.ZIP_DEFLATED: 20}  # method -> version needed


@dataclass(frozen=True)
class Streamed:
    """A part's new content, made while the package is written: `chunks()` yields its bytes."""

    chunks: Callable[[], Iterable[bytes]]


Content = bytes | Streamed
Changes = Mapping[str, Content | None]


@dataclass(frozen=True)
class _Entry:
    """One entry's header fields, as they will be written."""

    name: bytes
    flags: int
    method: int
    dos_time: int
    dos_date: int
    crc: int
    compress_size: int
    file_size: int
    create_system: int = 0
    internal_attr: int = 0
    external_attr: int = 0
    comment: bytes = b""


def write_package(
    source: Path | BinaryIO | None, out: BinaryIO, changes: Changes, *, name: str | None = None
) -> None:
    """Write a zip package into `out`: every entry of `source` (a zip file) in its order, its
    compressed bytes copied unchanged (no decompression/recompression), except the names in
    `changes`: bytes (or Streamed) -> that new content (deflated), None -> the entry is left
    out. Names in
    `changes` that are not in `source` are appended in the mapping's order (None ignored).
    `source` may also be an open binary file (e.g. BytesIO of a snapshot); `name` is the file
    that error messages name (default: the source path, else "the workbook").

    `out` is only written to, sequentially (it need not be seekable); memory stays bounded by
    1 MiB per copied entry plus the new contents. Raises WorkbookError for a package this
    cannot copy faithfully (see the module docstring); OSError from reading `source` or writing
    `out` passes through unchanged, so the caller can report it with the file it concerns.
    """
    label = name or (str(source) if isinstance(source, Path) else "the workbook")
    writer = _Writer(out, label)
    if source is None:
        _append_new(writer, set(), changes)
        writer.finish(b"")
        return
    with open(source, "rb") if isinstance(source, Path) else nullcontext(source) as raw:
        infos, comment = _directory(raw, label)
        _copy_entries(writer, raw, infos, changes)
        _append_new(writer, {info.filename for info in infos}, changes)
        writer.finish(comment)


def _directory(raw: BinaryIO, label: str) -> tuple[list[zipfile.ZipInfo], bytes]:
    """The source's entries (checked: copyable, no duplicates) and its archive comment."""
    try:
        with zipfile.ZipFile(raw) as package:
            infos, comment = package.infolist(), package.comment
    except zipfile.BadZipFile as exc:
        raise WorkbookError(f"{label}: not a readable .xlsx workbook ({exc})") from exc
    _refuse_duplicates(infos, label)
    for info in infos:
        _check_copyable(info, label)
    return infos, comment


def _refuse_duplicates(infos: list[zipfile.ZipInfo], label: str) -> None:
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            raise WorkbookError(
                f"{label}: holds two parts named {info.filename!r}, which a real workbook never "
                "does (the file is damaged or crafted); sheetsync will not rewrite it. Open and "
                "save it in Excel, or set source.output_path to write into a separate workbook."
            )
        seen.add(info.filename)


def _check_copyable(info: zipfile.ZipInfo, label: str) -> None:
    if info.flag_bits & ENCRYPTED_FLAGS:
        raise _unsupported(label, f"part {info.filename!r} is encrypted inside the zip package")
    if info.compress_type not in METHODS:
        raise _unsupported(
            label, f"part {info.filename!r} uses zip compression method {info.compress_type}"
        )
    if max(info.compress_size, info.file_size, info.header_offset) >= LIMIT:
        raise _too_large(label)


def _unsupported(label: str, problem: str) -> WorkbookError:
    return WorkbookError(
        f"{label}: {problem}, which sheetsync cannot copy (only stored and deflated, "
        "unencrypted parts); save the workbook again in Excel as a normal .xlsx, or set "
        "source.output_path to write the output tabs into a separate workbook."
    )


def _too_large(label: str) -> WorkbookError:
    return WorkbookError(
        f"{label}: the workbook is too large for sheetsync to rewrite (4 GB or more inside its "
        "zip package); set source.output_path to write the output tabs into a separate workbook."
    )


def _copy_entries(
    writer: _Writer, raw: BinaryIO, infos: list[zipfile.ZipInfo], changes: Changes
) -> None:
    for info in infos:
        if info.filename not in changes:
            writer.copy(raw, _kept(info), _data_start(raw, info, writer.label))
            continue
        content = changes[info.filename]
        if content is not None:
            writer.add(_replaced(info), content)


def _append_new(writer: _Writer, known: set[str], changes: Changes) -> None:
    for name, content in changes.items():
        if name not in known and content is not None:
            writer.add(_new(name), content)


def _name_bytes(info: zipfile.ZipInfo) -> bytes:
    """The name exactly as stored: UTF-8 with flag bit 11, else code page 437 (zip's default)."""
    return info.orig_filename.encode("utf-8" if info.flag_bits & UTF8_FLAG else "cp437")


def _dos_stamp(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    """(time, date) in MS-DOS format; lossless for any stamp read from a zip directory."""
    year, month, day, hour, minute, second = date_time
    dos_time = (hour << 11) | (minute << 5) | (second // 2)
    return dos_time, ((year - 1980) << 9) | (month << 5) | day


def _kept(info: zipfile.ZipInfo) -> _Entry:
    """An untouched entry: every field as in the source's central directory."""
    dos_time, dos_date = _dos_stamp(info.date_time)
    return _Entry(
        _name_bytes(info), info.flag_bits & KEPT_FLAGS, info.compress_type, dos_time, dos_date,
        info.CRC, info.compress_size, info.file_size, info.create_system, info.internal_attr,
        info.external_attr, info.comment,
    )  # fmt: skip


def _replaced(info: zipfile.ZipInfo) -> _Entry:
    """A changed entry keeps its name, attributes and comment; content and date are new."""
    new = _new(info.filename)
    return _Entry(
        _name_bytes(info), info.flag_bits & UTF8_FLAG, new.method, new.dos_time, new.dos_date,
        new.crc, new.compress_size, new.file_size, info.create_system, info.internal_attr,
        info.external_attr, info.comment,
    )  # fmt: skip


def _new(name: str) -> _Entry:
    """A new deflated entry stamped with the current local time (CRC and sizes filled in by
    add)."""
    flags = 0 if name.isascii() else UTF8_FLAG
    now = time.localtime()
    stamp = (max(now.tm_year, 1980), now.tm_mon, now.tm_mday, now.tm_hour, now.tm_min, now.tm_sec)
    dos_time, dos_date = _dos_stamp(stamp)
    return _Entry(name.encode(), flags, zipfile.ZIP_DEFLATED, dos_time, dos_date, 0, 0, 0)


def _data_start(raw: BinaryIO, info: zipfile.ZipInfo, label: str) -> int:
    """Where the entry's compressed bytes begin: after ITS local header, whose extra field may
    differ in length from the central directory's."""
    raw.seek(info.header_offset)
    header = raw.read(LOCAL.size)
    if len(header) < LOCAL.size or LOCAL.unpack(header)[0] != LOCAL_SIG:
        raise _damaged(label, info.filename)
    name_length, extra_length = (int(field) for field in LOCAL.unpack(header)[9:])
    if raw.read(name_length) != _name_bytes(info):
        raise _damaged(label, info.filename)
    return info.header_offset + LOCAL.size + name_length + extra_length


def _damaged(label: str, name: str) -> WorkbookError:
    return WorkbookError(
        f"{label}: the zip package is damaged at part {name!r}; open and save it in Excel, "
        "or set source.output_path to write into a separate workbook."
    )


class _Writer:
    """Writes local headers and data sequentially, then the central directory and its end."""

    def __init__(self, out: BinaryIO, label: str) -> None:
        self.out = out
        self.label = label
        self.offset = 0
        self.directory: list[bytes] = []

    def copy(self, raw: BinaryIO, entry: _Entry, start: int) -> None:
        """Copy `entry.compress_size` raw bytes from `start` in `raw`, in 1 MiB chunks."""
        self._local_header(entry)
        raw.seek(start)
        left = entry.compress_size
        while left:
            chunk = raw.read(min(left, CHUNK))
            if not chunk:
                raise _damaged(self.label, entry.name.decode("utf-8", "replace"))
            self._write(chunk)
            left -= len(chunk)

    def add(self, entry: _Entry, content: Content) -> None:
        """Write `content` raw-deflated (level 6) under `entry`'s name and attributes."""
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        pieces: list[bytes] = []
        crc = size = 0
        for chunk in (content,) if isinstance(content, bytes) else content.chunks():
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            pieces.append(compressor.compress(chunk))
        pieces.append(compressor.flush())
        data = b"".join(pieces)
        if max(size, len(data)) >= LIMIT:
            raise _too_large(self.label)
        sized = replace(entry, crc=crc, compress_size=len(data), file_size=size)
        self._local_header(sized)
        self._write(data)

    def finish(self, comment: bytes) -> None:
        """The central directory and the end-of-central-directory record."""
        if len(self.directory) >= MAX_ENTRIES:
            raise _too_large(self.label)
        start = self.offset
        for record in self.directory:
            self._write(record)
        count = len(self.directory)
        size = self.offset - start
        self._check_offset()
        self._write(END.pack(END_SIG, 0, 0, count, count, size, start, len(comment)) + comment)

    def _local_header(self, entry: _Entry) -> None:
        self._check_offset()
        self.directory.append(_central_record(entry, self.offset))
        version = METHODS[entry.method]
        self._write(
            LOCAL.pack(
                LOCAL_SIG, version, entry.flags, entry.method, entry.dos_time, entry.dos_date,
                entry.crc, entry.compress_size, entry.file_size, len(entry.name), 0,
            ) + entry.name
        )  # fmt: skip

    def _check_offset(self) -> None:
        if self.offset >= LIMIT:
            raise _too_large(self.label)

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.offset += len(data)


def _central_record(entry: _Entry, offset: int) -> bytes:
    version = METHODS[entry.method]
    return (
        CENTRAL.pack(
            CENTRAL_SIG, (entry.create_system << 8) | version, version, entry.flags,
            entry.method, entry.dos_time, entry.dos_date, entry.crc, entry.compress_size,
            entry.file_size, len(entry.name), 0, len(entry.comment), 0, entry.internal_attr,
            entry.external_attr, offset,
        )
        + entry.name
        + entry.comment
    )  # fmt: skip
