"""Read one cell of one tab straight from the package: the daemon's cheap look at a checkbox.

Nothing else of the workbook is read: the zip directory (checked against the limits), the
workbook part (to find the tab's part), that tab's XML, streamed up to the cell's row, and,
only when the cell holds a shared string, the shared strings up to that one. DTDs are refused
as everywhere else. Values come back as `read` gives them: booleans as bool, numbers as float,
text as text (empty as None), dates as serial numbers, an error as its text ("#N/A").
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException, ElementTree

from sheetsync.backends.xlsx.package import (
    DOC_REL_NS,
    MAIN_NS,
    OFFICE_DOCUMENT,
    check_limits,
    damaged,
    open_package,
    parse_xml,
    relationships,
    xml_bomb,
)
from sheetsync.config.values import XlsxLimits
from sheetsync.errors import WorkbookError
from sheetsync.grids import RawValue
from sheetsync.spreadsheet import cell_position, date_to_serial

SHARED_STRINGS = "/sharedStrings"


def read_cell(path: Path, title: str, cell: str, limits: XlsxLimits) -> RawValue:
    """The value of `cell` (A1) of tab `title` (any case) in the workbook at `path`; None when
    the cell is empty, or the tab or the file does not exist."""
    row, column = cell_position(cell)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WorkbookError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except zipfile.BadZipFile:
        open_package(path, path.read_bytes(), limits)  # raises the error that says what to do
        raise WorkbookError(f"{path}: not an .xlsx workbook") from None
    with archive:
        check_limits(path, archive, limits)
        names = set(archive.namelist())
        workbook = next((target for _id, kind, target in relationships(path, archive, names, "")
                         if kind == OFFICE_DOCUMENT and target in names), None)  # fmt: skip
        if workbook is None:
            raise WorkbookError(f"{path}: not an .xlsx workbook (no workbook part in the package)")
        part = _sheet_part(path, archive, names, workbook, title)
        if part is None:
            return None
        found = _find_cell(path, archive, part, row, column)
        if found is None:
            return None
        kind, text = found
        if kind == "s" and text is not None and text.strip().isdigit():
            strings = _shared_strings_part(path, archive, names, workbook)
            text = _shared_string(path, archive, strings, int(text)) if strings else None
        return _value(kind, text)


def _sheet_part(
    path: Path, archive: zipfile.ZipFile, names: set[str], workbook: str, title: str
) -> str | None:
    """The part holding tab `title`'s cells: the exact title, else one in another case."""
    targets = {rid: target for rid, _kind, target in relationships(path, archive, names,
                                                                   workbook)}  # fmt: skip
    sheets = {
        sheet.get("name", ""): targets.get(sheet.get(f"{DOC_REL_NS}id", ""))
        for sheet in parse_xml(path, archive, workbook).iter(f"{MAIN_NS}sheet")
    }
    name = title if title in sheets else next(
        (n for n in sheets if n.casefold() == title.casefold()), None)  # fmt: skip
    part = sheets.get(name) if name is not None else None
    return part if part in names else None


def _shared_strings_part(
    path: Path, archive: zipfile.ZipFile, names: set[str], workbook: str
) -> str | None:
    related = relationships(path, archive, names, workbook)
    return next((t for _id, kind, t in related if kind.endswith(SHARED_STRINGS) and t in names),
                None)  # fmt: skip


def _find_cell(
    path: Path, archive: zipfile.ZipFile, part: str, row: int, column: int
) -> tuple[str, str | None] | None:
    """The type (`t`, "n" by default) and the text of the wanted cell, streaming the sheet
    only up to its row; None when the cell is not there."""
    row_number, column_number = -1, -1
    for event, element in _stream(path, archive, part):
        name = local_name(element.tag)
        if event == "start" and name == "row":
            row_number = _index(element.get("r"), row_number + 1, _row_index)
            column_number = -1
            if row_number > row:
                return None
        elif event == "end" and name == "c":
            column_number = _index(element.get("r"), column_number + 1, _column_index)
            if row_number == row and column_number == column:
                return element.get("t", "n"), _cell_text(element)
        elif event == "end" and name == "row":
            element.clear()
    return None


def _shared_string(path: Path, archive: zipfile.ZipFile, part: str, index: int) -> str | None:
    """Shared string number `index` (from 0), streaming the part only up to it."""
    count = -1
    for event, element in _stream(path, archive, part):
        if event == "end" and local_name(element.tag) == "si":
            count += 1
            if count == index:
                return rich_text(element)
            element.clear()
    return None


def _stream(path: Path, archive: zipfile.ZipFile, part: str) -> Iterator[tuple[str, Any]]:
    """(event, element) pairs of one part, inflated as it is parsed; DTDs refused."""
    try:
        with archive.open(part) as stream:
            yield from ElementTree.iterparse(stream, events=("start", "end"), forbid_dtd=True)
    except DefusedXmlException:
        raise xml_bomb(path, part) from None
    except (ElementTree.ParseError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise damaged(path, part, exc) from exc


def _cell_text(element: Any) -> str | None:
    """A cell's stored text: its inline string, else its <v>."""
    for child in element:
        if local_name(child.tag) == "is":
            return rich_text(child)
    for child in element:
        if local_name(child.tag) == "v":
            return str(child.text or "")
    return None


def rich_text(element: Any) -> str:
    """The text of a string item (<si> or <is>): its <t>, or its runs' <t>s (phonetic
    guides left out)."""
    parts = []
    for child in element:
        name = local_name(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts += [t.text or "" for t in child if local_name(t.tag) == "t"]
    return "".join(parts)


def _value(kind: str, text: str | None) -> RawValue:
    if text is None or text == "":
        return None
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind in ("s", "inlineStr", "str", "e"):
        return text
    try:
        return date_to_serial(datetime.fromisoformat(text)) if kind == "d" else float(text)
    except ValueError:
        return text


def local_name(tag: Any) -> str:
    """A tag without its namespace (`{...main}c` -> `c`)."""
    return str(tag).rsplit("}", 1)[-1]


def _index(reference: str | None, following: int, parse: Callable[[str], int]) -> int:
    """A row's or a cell's 0-based index from its reference, else the one after the last."""
    if not reference:
        return following
    try:
        return parse(reference)
    except ValueError:
        return following


def _row_index(reference: str) -> int:
    return int(reference) - 1


def _column_index(reference: str) -> int:
    return cell_position(reference)[1]
