"""Read the History tab: every snapshot day it holds, and the rows of the days a refresh wants.

History grows by a snapshot a day and may hold hundreds of thousands of rows, so its part is
never read whole: one streaming pass (`rowscan`) takes the date in column A of every data row
and keeps the bytes of only the rows of the wanted days, which are parsed at the end. Their
shared strings are then looked up by a second streaming pass over the shared strings part,
which keeps only the items those rows use.

The same pass records, for each data row, its date and its last column (`HistoryScan`): what
the write needs to place a snapshot, so a refresh that reads History and then writes a
snapshot scans the part once.

Row 1 is the header when it is the first row. Cells are read as a spreadsheet program saves
them: shared strings, inline strings, formula results (`t="str"`), booleans, errors (read as
empty), numbers and ISO dates (as serial numbers); rows may skip cells, and rows and cells
may come without their refs.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sheetsync.backends.base import HISTORY_KEY, find_holder
from sheetsync.backends.snapshot_place import day_of
from sheetsync.backends.xlsx import rowscan
from sheetsync.backends.xlsx.cellread import local_name, rich_text
from sheetsync.backends.xlsx.package import Package, SheetEntry, relationships
from sheetsync.grids import Grid, HistoryQuery, HistoryRead, RawValue

WIDTH = 11  # History's columns: Date, Period, Level, Name, KPI, Actual ... Rank


@dataclass
class HistoryScan:
    """History's part as one pass saw it: whether row 1 (the header) is there and its last
    column; for each data row, the number in column A (NaN when none) and its last column."""

    part: str
    header: bool = False
    header_width: int = 0
    dates: array[float] = field(default_factory=lambda: array("d"))
    widths: array[int] = field(default_factory=lambda: array("I"))


@dataclass(frozen=True)
class Shared:
    """A shared string not looked up yet."""

    index: int


def history_entry(package: Package, title: str) -> SheetEntry | None:
    """The tab that carries sheetsync's mark for History (configured title `title`), if any."""
    held = find_holder(HISTORY_KEY, title, package.titles, package.owned)
    return package.sheet(held) if held is not None else None


def numbered_rows(package: Package, part: str) -> Iterator[tuple[bool, bytes]]:
    """(is the header, row bytes) for every row of the part, in order."""
    rows = rowscan.part_elements(package.zip, package.path, part, b"row")
    first = next(rows, None)
    if first is None:
        return
    yield rowscan.row_number(first, 0) == 1, first
    for row in rows:
        yield False, row


def _facts(package: Package, part: str) -> Iterator[tuple[bool, bytes, float, int]]:
    """(is the header, row bytes, number in column A, last column) for every row."""
    previous = 0
    for index, row in enumerate(rowscan.part_elements(package.zip, package.path, part, b"row")):
        previous, first, last = rowscan.row_facts(row, previous)
        yield index == 0 and previous == 1, row, first, last


def scan_history(package: Package, part: str) -> HistoryScan:
    """The dates and widths of History's rows, without keeping any row."""
    scan = HistoryScan(part)
    for header, _row, first, last in _facts(package, part):
        _record(scan, header, first, last)
    return scan


def read_history(package: Package, query: HistoryQuery) -> tuple[HistoryRead, HistoryScan] | None:
    """What `query` asks of the owned History tab (None when there is none), and its scan."""
    entry = history_entry(package, query.title)
    if entry is None:
        return None
    scan = HistoryScan(entry.part)
    wanted = _Wanted(query)
    for header, row, first, last in _facts(package, entry.part):
        _record(scan, header, first, last)
        if not header:
            wanted.offer(len(scan.dates) - 1, first, row)
    rows = _decode(package, entry.part, wanted.rows())
    return HistoryRead(tuple(sorted(wanted.seen)), rows), scan


def _record(scan: HistoryScan, header: bool, first: float, last: int) -> None:
    if header:
        scan.header, scan.header_width = True, last
        return
    scan.dates.append(first)
    scan.widths.append(last)


class _Wanted:
    """Keeps the rows of the wanted days, and of the latest day before `before` seen so far
    (dropped again when a later one turns up), as bytes."""

    def __init__(self, query: HistoryQuery) -> None:
        self.before = query.before
        self.days = set(query.days)
        self.latest: date | None = None
        self.kept: dict[date, list[tuple[int, bytes]]] = {}
        self.seen: set[date] = set()
        self.known: dict[float, date | None] = {}

    def offer(self, index: int, number: float, row: bytes) -> None:
        day = self._day(number)
        if day is None:
            return
        self.seen.add(day)
        if day < self.before and (self.latest is None or day > self.latest):
            if self.latest is not None and self.latest not in self.days:
                del self.kept[self.latest]
            self.latest = day
        if day in self.days or day == self.latest:
            self.kept.setdefault(day, []).append((index, row))

    def rows(self) -> list[bytes]:
        """The kept rows, in the order they are in History."""
        return [row for _index, row in sorted(r for rows in self.kept.values() for r in rows)]

    def _day(self, number: float) -> date | None:
        if math.isnan(number):
            return None
        whole = number // 1  # one entry a day, whatever the times of day
        if whole not in self.known:
            self.known[whole] = day_of(number)
        return self.known[whole]


def _decode(package: Package, part: str, rows: list[bytes]) -> Grid:
    if not rows:
        return []
    namespaces = b"".join(rowscan.declarations(package.zip, part))
    elements = rowscan.parse_rows(rows, namespaces, package.path, part)
    grid = [_values(element) for element in elements]
    wanted = {v.index for row in grid for v in row if isinstance(v, Shared)}
    strings = _shared_strings(package, wanted)
    return [[strings.get(v.index) if isinstance(v, Shared) else v for v in row] for row in grid]


def _values(row: Any) -> list[RawValue | Shared]:
    """A row element's values by column (refs honoured, missing cells None), >= WIDTH long."""
    values: list[RawValue | Shared] = []
    column = 0
    for cell in row:
        if local_name(cell.tag) != "c":
            continue
        ref = cell.get("r")
        column = (rowscan.column_number(ref.encode()) if ref else 0) or column + 1
        values.extend([None] * (column - len(values)))
        values[column - 1] = _value(cell)
    values.extend([None] * (WIDTH - len(values)))
    return values


def _value(cell: Any) -> RawValue | Shared:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        holder = _child(cell, "is")
        return (rich_text(holder) or None) if holder is not None else None
    value = _child(cell, "v")
    text = value.text if value is not None else None
    if text is None or kind == "e":
        return None
    if kind == "s":
        return Shared(int(text)) if text.strip().isdigit() else None
    if kind == "str":
        return text or None
    if kind == "b":
        return text.strip() in ("1", "true")
    return rowscan.number_of(text, kind)


def _shared_strings(package: Package, wanted: set[int]) -> dict[int, str | None]:
    """The text of the shared string items `wanted` (by index), from one streaming pass."""
    related = relationships(package.path, package.zip, package.names, package.workbook_part)
    parts = [target for _id, kind, target in related if kind.endswith("/sharedStrings")]
    if not wanted or not parts or parts[0] not in package.names:
        return {}
    picked: list[bytes] = []
    indexes: list[int] = []
    items = rowscan.part_elements(package.zip, package.path, parts[0], b"si")
    for index, item in enumerate(items):
        if index in wanted:
            picked.append(item)
            indexes.append(index)
    namespaces = b"".join(rowscan.declarations(package.zip, parts[0]))
    parsed = rowscan.parse_rows(picked, namespaces, package.path, parts[0])
    return {i: rich_text(item) or None for i, item in zip(indexes, parsed, strict=True)}


def _child(element: Any, local: str) -> Any:
    return next((child for child in element if local_name(child.tag) == local), None)
