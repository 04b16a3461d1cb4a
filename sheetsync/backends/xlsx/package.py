"""Open an .xlsx package safely and list what it holds, before any cell is parsed.

A workbook is refused here, with a message that says what to do, when it is not an .xlsx
package at all (a legacy .xls, an encrypted workbook, a binary .xlsb, an .ods), when its
declared sizes or compression ratios pass the limits (a whitespace bomb, a 1 GB cell), or
when an XML part sheetsync parses carries a DTD (the door to entity bombs).

The limits are checked on the sizes the zip directory declares; Python's zipfile never
inflates more than the declared size and checks each part's CRC, so a part that lies about
its size fails when it is read (see `read.verify_part`), still before calamine sees it.
"""

from __future__ import annotations

import io
import json
import posixpath
import zipfile
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from defusedxml import DefusedXmlException, ElementTree

from sheetsync.backends.base import OWNER_KEY
from sheetsync.backends.xlsx.marks import marks_of
from sheetsync.boundedfile import FileRefused, open_regular
from sheetsync.config.values import XlsxLimits
from sheetsync.errors import WorkbookError

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DOC_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
VT_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
REL_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
OFFICE_DOCUMENT = REL_TYPES + "officeDocument"
CUSTOM_PROPERTIES = REL_TYPES + "custom-properties"
MIB = 1024 * 1024


@dataclass(frozen=True)
class SheetEntry:
    """One tab as workbook.xml lists it, with the package part that holds its cells.
    `position`: its place among workbook.xml's `<sheet>` elements, chart sheets included
    (what a defined name's localSheetId counts)."""

    title: str
    sheet_id: int
    rel_id: str
    part: str
    state: str
    position: int


@dataclass(frozen=True)
class Package:
    """An opened .xlsx package: its bytes, its zip directory and its tabs in order, and the
    tabs that carry sheetsync's mark with the output each holds (`marks`)."""

    path: Path
    data: bytes
    zip: zipfile.ZipFile
    workbook_part: str
    sheets: tuple[SheetEntry, ...]
    owned: Mapping[str, str | None]
    names: frozenset[str]

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(s.title for s in self.sheets)

    def sheet(self, title: str) -> SheetEntry:
        return next(s for s in self.sheets if s.title == title)


def open_package(path: Path, data: bytes, limits: XlsxLimits) -> Package:
    """Check `data` (the bytes of `path`) and list its tabs and the tabs sheetsync owns."""
    archive = _zip(path, data)
    check_limits(path, archive, limits)
    names = set(archive.namelist())
    workbook_part = _main_part(path, archive, names)
    workbook = parse_xml(path, archive, workbook_part)
    sheets = _sheets(path, archive, names, workbook_part, workbook)
    return Package(path, data, archive, workbook_part, sheets,
                   _owned(path, archive, names, workbook, sheets), frozenset(names))  # fmt: skip


def _owned(
    path: Path, archive: zipfile.ZipFile, names: AbstractSet[str], workbook: Any,
    sheets: tuple[SheetEntry, ...],
) -> dict[str, str | None]:  # fmt: skip
    """The marked tabs' outputs by title; without any mark, the tabs a workbook written
    before marks lists in its document properties (marks.py)."""
    marks = marks_of(workbook)
    owned: dict[str, str | None] = {s.title: marks[s.position] or None for s in sheets
                                    if s.position in marks}  # fmt: skip
    if owned:
        return owned
    titles = {s.title for s in sheets}
    return {t: None for t in _owned_titles(path, archive, names) if t in titles}


def check_declared(path: Path, limits: XlsxLimits) -> None:
    """Refuse a package whose declared sizes pass the limits from its zip directory alone (the
    end of the file: a few KB are read), before the file itself is read into memory. Anything
    this cannot open (a missing file, not a zip, not a regular file) is left to the full read,
    whose messages say what it is."""
    try:
        with open_regular(path) as file, zipfile.ZipFile(file) as archive:
            check_limits(path, archive, limits)
    except (FileRefused, OSError, zipfile.BadZipFile, EOFError, ValueError):
        return


def _zip(path: Path, data: bytes) -> zipfile.ZipFile:
    if data.startswith(CFB_MAGIC):
        raise WorkbookError(f"{path}: {_legacy_kind(data)}")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise WorkbookError(
            f"{path}: not an .xlsx workbook (not a zip package); save it from Excel or "
            "LibreOffice as 'Excel Workbook (.xlsx)'"
        ) from None


def _legacy_kind(data: bytes) -> str:
    if ENCRYPTED_STREAM in data:
        return (
            "the workbook is encrypted (protected with a password to open), so sheetsync "
            "cannot read it; remove the password (File > Info > Protect Workbook in Excel) "
            "or keep the data in an unprotected workbook"
        )
    return (
        "this is a legacy Excel 97-2003 workbook (.xls), which sheetsync does not read; open "
        "it in Excel or LibreOffice and save it as 'Excel Workbook (.xlsx)'"
    )


def check_limits(path: Path, archive: zipfile.ZipFile, limits: XlsxLimits) -> None:
    """Refuse a package whose declared sizes pass the limits, before any part is inflated."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > limits.part_mb * MIB:
            _too_big(path, f"its part {info.filename} unpacks to {_mb(info.file_size)}, "
                     f"over the {limits.part_mb} MB limit", "part_mb")  # fmt: skip
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MIB and ratio > limits.ratio:
            why = (f"its part {info.filename} unpacks {ratio:,.0f} times larger than it is "
                   f"stored (limit {limits.ratio}), the mark of a zip bomb")  # fmt: skip
            _too_big(path, why, "ratio")
    if total > limits.unpacked_mb * MIB:
        _too_big(path, f"it unpacks to {_mb(total)}, over the {limits.unpacked_mb} MB limit",
                 "unpacked_mb")  # fmt: skip


def _too_big(path: Path, why: str, key: str) -> None:
    raise WorkbookError(
        f"{path}: refused before reading: {why}. If the workbook is genuine, raise "
        f"source.limits.{key} in the config"
    )


def _mb(size: int) -> str:
    return f"{size / MIB:,.0f} MB"


def _main_part(path: Path, archive: zipfile.ZipFile, names: AbstractSet[str]) -> str:
    for _rid, rel_type, target in relationships(path, archive, names, ""):
        if rel_type == OFFICE_DOCUMENT:
            if target.endswith(".bin"):
                raise WorkbookError(
                    f"{path}: this is a binary Excel workbook (.xlsb), which sheetsync does not "
                    "read; save it as 'Excel Workbook (.xlsx)'"
                )
            if target in names:
                return target
    if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
        raise WorkbookError(f"{path}: this is an OpenDocument spreadsheet (.ods); save it as "
                            "'Excel Workbook (.xlsx)' in LibreOffice")  # fmt: skip
    raise WorkbookError(f"{path}: not an .xlsx workbook (no workbook part in the package)")


def _sheets(
    path: Path, archive: zipfile.ZipFile, names: AbstractSet[str], workbook_part: str,
    root: Any,
) -> tuple[SheetEntry, ...]:  # fmt: skip
    targets = {rid: target for rid, _t, target in relationships(path, archive, names,
                                                                 workbook_part)}  # fmt: skip
    sheets = []
    for position, sheet in enumerate(root.iter(f"{MAIN_NS}sheet")):
        rel_id = sheet.get(f"{DOC_REL_NS}id", "")
        part = targets.get(rel_id)
        if part is None or part not in names:
            continue  # a chart sheet or a dangling entry: not a grid sheetsync can read
        sheets.append(SheetEntry(sheet.get("name", ""), int(sheet.get("sheetId", "0")), rel_id,
                                 part, sheet.get("state", "visible"), position))  # fmt: skip
    return tuple(sheets)


def _owned_titles(path: Path, archive: zipfile.ZipFile, names: AbstractSet[str]) -> list[str]:
    part = custom_properties_part(path, archive, names)
    if part is None:
        return []
    for prop in parse_xml(path, archive, part).iter(f"{CUSTOM_NS}property"):
        if prop.get("name") == OWNER_KEY:
            text = "".join(prop.itertext())
            try:
                titles = json.loads(text)
            except ValueError:
                return []
            return [str(t) for t in titles] if isinstance(titles, list) else []
    return []


def custom_properties_part(
    path: Path, archive: zipfile.ZipFile, names: AbstractSet[str]
) -> str | None:
    """The docProps/custom.xml part named by the package relationships, if any."""
    for _rid, rel_type, target in relationships(path, archive, names, ""):
        if rel_type == CUSTOM_PROPERTIES and target in names:
            return target
    return None


def relationships(
    path: Path, archive: zipfile.ZipFile, names: AbstractSet[str], part: str
) -> list[tuple[str, str, str]]:
    """(id, type, resolved target part) of each internal relationship of `part` ("" = package)."""
    folder, file = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", file + ".rels")
    if rels not in names:
        return []
    found = []
    for rel in parse_xml(path, archive, rels).iter(f"{REL_NS}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = resolve(folder, rel.get("Target", ""))
        found.append((rel.get("Id", ""), rel.get("Type", ""), target))
    return found


def rels_xml(relations: list[tuple[str, str, str]]) -> bytes:
    """A new relationships part: (id, type, target relative to the source part's folder)."""
    items = "".join(
        f"<Relationship Id={quoteattr(rid)} Type={quoteattr(kind)} Target={quoteattr(target)}/>"
        for rid, kind, target in relations
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{REL_NS[1:-1]}">{items}</Relationships>'
    ).encode()


def rels_part(part: str) -> str:
    """xl/worksheets/sheet1.xml -> xl/worksheets/_rels/sheet1.xml.rels."""
    folder, file = posixpath.split(part)
    return posixpath.join(folder, "_rels", file + ".rels")


def resolve(folder: str, target: str) -> str:
    """A relationship target as a part name (no leading slash)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def parse_xml(path: Path, archive: zipfile.ZipFile, part: str) -> Any:
    """Parse one small XML part; DTDs and entities are refused (XML bombs)."""
    try:
        return ElementTree.fromstring(archive.read(part), forbid_dtd=True)
    except DefusedXmlException:
        raise xml_bomb(path, part) from None
    except (ElementTree.ParseError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise damaged(path, part, exc) from exc


def xml_bomb(path: Path, part: str) -> WorkbookError:
    return WorkbookError(
        f"{path}: refused: its part {part} declares a DTD or entities, which no spreadsheet "
        "program writes and which XML bombs use; re-save the workbook from Excel or LibreOffice"
    )


def damaged(path: Path, part: str, exc: Exception) -> WorkbookError:
    return WorkbookError(
        f"{path}: the workbook is damaged ({part}: {exc}); open it in Excel or LibreOffice, "
        "let it repair the file, and save it again"
    )
