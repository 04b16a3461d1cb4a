"""A worksheet's rows (or the shared strings' items) found in the XML text as it streams by.

History may hold hundreds of thousands of rows. Building an element for each of its cells
costs several times a textual scan, so its part is scanned instead: each `<row>` element is
cut out whole, as bytes, and only the few rows that are wanted are parsed (`parse_rows`).
The bytes of a row are also what the write copies, so the two always agree on what a row is.

Elements are found by their tags the way spreadsheet programs write them: with or without a
namespace prefix, attributes in either quotes, refs (`r="B7"`) present or not. Comments and
CDATA sections are not expected among the rows (no spreadsheet program writes them there).
A part that declares a DTD is refused, as everywhere else.
"""

from __future__ import annotations

import math
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from defusedxml import DefusedXmlException, ElementTree

from sheetsync.backends.xlsx.package import damaged, xml_bomb
from sheetsync.spreadsheet import date_to_serial

CHUNK = 8 * 1024 * 1024
NAME = rb"(?:[A-Za-z_][\w.-]*:)?"
ATTRIBUTES = rb"(?:[^>\"']|\"[^\"]*\"|'[^']*')*"
ROOT = re.compile(rb"<(?![?!])[^\s/>]+" + ATTRIBUTES + rb">")
DECLARATION = re.compile(rb"\s(?:xmlns(?::[\w.-]+)?|[\w.-]+:Ignorable)=(?:\"[^\"]*\"|'[^']*')")
CELL = re.compile(rb"<(" + NAME + rb"c)(?=[\s/>])(" + ATTRIBUTES + rb"?)(/?)>")
VALUE = re.compile(rb"<" + NAME + rb"v(?:\s[^>]*)?>([^<]*)</")
CELL_REF = re.compile(rb"(<[^<>]*?\sr=[\"'][A-Za-z]{1,3})\d+")
LETTERS = re.compile(rb"[A-Za-z]+")
USUAL_ROW = re.compile(rb'<row r="(\d+)"[^>]*>')
OTHER_CELL_ATTRIBUTES = rb'(?: (?:s|cm|vm|ph)="[^"]*")*'
USUAL_FIRST = re.compile(  # column A's cell: its type and its value (after a formula, if any)
    rb'<c r="A\d+"' + OTHER_CELL_ATTRIBUTES + rb'(?: t="(\w+)")?' + OTHER_CELL_ATTRIBUTES
    + rb'>(?:<f(?: [^>]*)?(?:/>|>[^<]*</f>))?<v>([^<]*)</v>'
)  # fmt: skip


class DtdFound(Exception):
    """The part declares a DTD or entities (see package.xml_bomb)."""


def opening(local: bytes) -> re.Pattern[bytes]:
    """The opening tag of an element named `local`, with any prefix (group 1: its name)."""
    return re.compile(rb"<(" + NAME + local + rb")(?=[\s/>])" + ATTRIBUTES + rb">")


ROW = opening(b"row")


def elements(stream: IO[bytes], local: bytes) -> Iterator[bytes]:
    """Each element named `local` in the stream, whole, in document order (never nested)."""
    pattern = opening(local)
    carry = b""
    while True:
        chunk = stream.read(CHUNK)
        data = carry + chunk
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise DtdFound
        position = 0
        while (match := pattern.search(data, position)) is not None:
            if match.group(0).endswith(b"/>"):
                yield match.group(0)
                position = match.end()
                continue
            close = data.find(b"</" + match.group(1) + b">", match.end())
            if close < 0:
                break
            position = close + len(match.group(1)) + 3
            yield data[match.start() : position]
        if not chunk:
            return
        if match is not None:
            carry = data[match.start() :]
        else:
            last = data.rfind(b"<", position)
            carry = data[last:] if last >= 0 else b""


def part_elements(zip: zipfile.ZipFile, path: Path, part: str, local: bytes) -> Iterator[bytes]:
    """`elements` of one package part, its damage and DTDs reported as WorkbookError."""
    try:
        with zip.open(part) as stream:
            yield from elements(stream, local)
    except DtdFound:
        raise xml_bomb(path, part) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise damaged(path, part, exc) from exc


def declarations(zip: zipfile.ZipFile, part: str) -> list[bytes]:
    """The namespace declarations (and mc:Ignorable) on the root element of `part`, each with
    the space before it."""
    with zip.open(part) as stream:
        head = stream.read(64 * 1024)
    root = ROOT.search(head)
    return DECLARATION.findall(root.group(0)) if root else []


def attribute(tag: bytes, name: bytes) -> bytes | None:
    """The value of attribute `name` in an opening tag (entities left as written)."""
    pattern = _ATTRIBUTES.get(name)
    if pattern is None:
        pattern = _ATTRIBUTES[name] = re.compile(rb"\s" + name + rb"=(?:\"([^\"]*)\"|'([^']*)')")
    found = pattern.search(tag)
    if found is None:
        return None
    return found.group(1) if found.group(1) is not None else found.group(2)


_ATTRIBUTES: dict[bytes, re.Pattern[bytes]] = {}
_COLUMNS: dict[bytes, int] = {}


def column_number(ref: bytes) -> int:
    """B7 -> 2; 0 when the ref holds no column letters."""
    letters = LETTERS.match(ref)
    key = letters.group(0) if letters else b""
    if key not in _COLUMNS:
        number = 0
        for letter in key.upper():
            number = number * 26 + letter - 64
        _COLUMNS[key] = number
    return _COLUMNS[key]


def row_facts(row: bytes, previous: int) -> tuple[int, float, int]:
    """(the row's number, the number in its column A or NaN, the column of its last cell).

    The number is the row's `r`, else the one after the `previous` row's; History's date is
    the number in column A; the last column is its last cell's ref, else the count of cells.
    Rows laid out the usual way (unprefixed, refs first) take a quicker path."""
    usual = USUAL_ROW.match(row)
    if usual is None:
        return _row_facts(row, previous)
    first = USUAL_FIRST.match(row, usual.end())
    if first is not None:
        kind = first.group(1) or b"n"
        value = number_of(first.group(2).decode("ascii", "replace"), kind.decode())
        number = (value if value is not None else math.nan) if kind in (b"n", b"d") else math.nan
    else:
        number = _first_number(row, usual.end())
    last = row.rfind(b"<c")
    if last >= 0 and row.startswith(b'<c r="', last):
        width = column_number(row[last + 6 : last + 10])
    else:
        width = _last_column(row, b"<c")
    return int(usual.group(1)), number, width


def _row_facts(row: bytes, previous: int) -> tuple[int, float, int]:
    tag = ROW.match(row)
    if tag is None:
        return previous + 1, math.nan, 0
    written = attribute(tag.group(0), b"r")
    number = int(written) if written and written.isdigit() else previous + 1
    cell_tag = b"<" + tag.group(1)[:-3] + b"c"
    return number, _first_number(row, tag.end()), _last_column(row, cell_tag)


def row_number(row: bytes, previous: int) -> int:
    """The row's number: its `r`, else the one after the previous row."""
    written = written_number(row)
    return int(written) if written and written.isdigit() else previous + 1


def written_number(row: bytes) -> bytes | None:
    """The row's `r` as written, if it has one."""
    usual = USUAL_ROW.match(row)
    if usual is not None:
        return usual.group(1)
    tag = ROW.match(row)
    return attribute(tag.group(0), b"r") if tag else None


def _first_number(row: bytes, start: int) -> float:
    cell = CELL.search(row, start)
    if cell is None or cell.group(3):
        return math.nan
    attributes = cell.group(2)
    ref = attribute(attributes, b"r") if b"r" in attributes else None
    if ref is not None and column_number(ref) != 1:
        return math.nan
    kind = (attribute(attributes, b"t") if b"t" in attributes else None) or b"n"
    if kind not in (b"n", b"d"):
        return math.nan
    close = row.find(b"</" + cell.group(1) + b">", cell.end())
    value = VALUE.search(row, cell.end(), close if close >= 0 else len(row))
    if value is None:
        return math.nan
    number = number_of(value.group(1).decode("ascii", "replace"), kind.decode())
    return number if number is not None else math.nan


def number_of(text: str, kind: str) -> float | None:
    """A numeric cell's value (`t="n"`, or `t="d"`: an ISO date, as a serial number)."""
    try:
        if kind == "d":
            return float(date_to_serial(datetime.fromisoformat(text.strip())))
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _last_column(row: bytes, cell_tag: bytes) -> int:
    start = row.rfind(cell_tag)
    while start >= 0 and (last := CELL.match(row, start)) is None:
        start = row.rfind(cell_tag, 0, start)
    if start < 0 or last is None:
        return 0
    ref = attribute(last.group(2), b"r")
    return column_number(ref) if ref else len(CELL.findall(row))


def renumber(row: bytes, number: int) -> bytes:
    """The row moved to row `number`: its `r` and the row part of its cells' refs changed."""
    digits = str(number).encode()
    tag = ROW.match(row)
    assert tag is not None, "not a row element"
    opening_tag = tag.group(0)
    if attribute(opening_tag, b"r") is not None:
        new_tag = re.sub(rb"(\sr=[\"'])\d*", lambda m: m.group(1) + digits, opening_tag, count=1)
    else:
        end = len(tag.group(1)) + 1
        new_tag = opening_tag[:end] + b' r="' + digits + b'"' + opening_tag[end:]
    parts = CELL_REF.split(row[tag.end() :])
    parts[2::2] = [digits + p for p in parts[2::2]]
    return new_tag + b"".join(parts)


def parse_rows(rows: list[bytes], namespaces: bytes, path: Path, part: str) -> list[Any]:
    """The row (or shared string item) elements, parsed in one document that declares the
    namespaces of the part they were cut from."""
    document = b"<rows" + namespaces + b">" + b"".join(rows) + b"</rows>"
    try:
        return list(ElementTree.fromstring(document, forbid_dtd=True))
    except DefusedXmlException:
        raise xml_bomb(path, part) from None
    except ElementTree.ParseError as exc:
        raise damaged(path, part, exc) from exc
