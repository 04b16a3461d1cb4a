"""Read the selected tabs of an opened package: every row, fast, without trusting the file.

python-calamine (a Rust reader) parses the cells. It reads every cell present whatever
`<dimension>` the sheet declares, but it lays a tab out as one dense block from its first to
its last cell, so a single stray cell at XFD1048576 would ask for 17 billion cells and abort
the process. Each selected sheet part is therefore scanned first, in bounded memory: the scan
inflates it through zipfile (declared size and CRC checked), refuses DTDs, and bounds the block
calamine would build. A tab whose block is too large for its content (a stray far cell), or
whose XML is not laid out the usual way (cells without their reference first, prefixed tags),
is read instead by openpyxl's streaming reader with the declared dimension ignored: slower,
but it only ever holds the cells that exist.

Values come back as the Backend protocol wants them: numbers, text, booleans, None for empty
cells, dates and times as serial numbers (days since 1899-12-30), formulas as their cached
results (a formula saved without one reads as empty, exactly like an empty cell).
"""

from __future__ import annotations

import gc
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import openpyxl
import python_calamine

from sheetsync.backends.xlsx.package import Package, damaged, relationships, xml_bomb
from sheetsync.config.values import XlsxLimits
from sheetsync.errors import WorkbookError
from sheetsync.grids import Grid, RawValue
from sheetsync.spreadsheet import date_to_serial

CHUNK = 8 * 1024 * 1024
LONGEST_TAG = 1024 * 1024
ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})\d')
PLAIN = frozenset({float, int, bool})
EPOCH = date(1899, 12, 30)
SHARED_KINDS = ("/sharedStrings", "/styles")


@dataclass
class SheetShape:
    """What a scan of one sheet part found: its extent and whether calamine can take it."""

    last_row: int = 0
    last_column: int = 0
    row_tags: int = 0
    rows_numbered: int = 0
    cell_tags: int = 0
    cells_numbered: int = 0
    usual: bool = True
    started: bool = False

    @property
    def block(self) -> int:
        """Cells in the dense block a reader that lays out first-to-last cell would build."""
        rows = max(self.last_row, self.row_tags)
        return rows * max(self.last_column, 1 if self.cell_tags else 0)

    def fits_calamine(self, limits: XlsxLimits) -> bool:
        laid_out = self.row_tags == self.rows_numbered and self.cell_tags == self.cells_numbered
        return self.usual and laid_out and self.block <= limits.cells_per_tab


def read_tabs(package: Package, titles: Sequence[str], limits: XlsxLimits) -> dict[str, Grid]:
    """The grids of `titles`, each read by calamine or, when unsafe for it, by openpyxl."""
    if not titles:
        return {}
    for part in _shared_parts(package):
        scan_part(package, part)
    shapes = {title: scan_part(package, package.sheet(title).part) for title in titles}
    fast = [t for t in titles if shapes[t].fits_calamine(limits)]
    grids = _calamine_grids(package, fast)
    slow = [t for t in titles if t not in grids]
    grids.update(_openpyxl_grids(package, slow))
    return {title: grids[title] for title in titles}


def _shared_parts(package: Package) -> list[str]:
    """The workbook part and the shared strings and styles calamine reads with every tab."""
    names = package.names
    related = relationships(package.path, package.zip, names, package.workbook_part)
    shared = [target for _id, kind, target in related if kind.endswith(SHARED_KINDS)]
    return [package.workbook_part, *(part for part in shared if part in names)]


def scan_part(package: Package, part: str) -> SheetShape:
    """Inflate one part in chunks: refuse DTDs, and measure a sheet's rows and columns."""
    shape = SheetShape()
    carry = b""
    try:
        with package.zip.open(part) as stream:
            while chunk := stream.read(CHUNK):
                data = carry + chunk
                cut = data.rfind(b"<")
                cut = len(data) if cut < 0 or len(data) - cut > LONGEST_TAG else cut
                _measure(package, part, data[:cut], shape)
                carry = data[cut:]
            _measure(package, part, carry, shape)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise damaged(package.path, part, exc) from exc
    return shape


def _measure(package: Package, part: str, data: bytes, shape: SheetShape) -> None:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise xml_bomb(package.path, part)
    if not shape.started:  # the root comes first: an unprefixed <worksheet> is the usual form
        shape.started = True
        shape.usual = b"<worksheet" in data
    shape.row_tags += data.count(b"<row ") + data.count(b"<row>")
    shape.rows_numbered += data.count(b'<row r="')
    shape.cell_tags += data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/>")
    shape.cells_numbered += data.count(b'<c r="')
    shape.last_row = max(shape.last_row, max(map(int, ROW_NUMBER.findall(data)), default=0))
    wide = {_column_number(letters) for letters in set(WIDE_CELL.findall(data))}
    narrow = 26 if shape.cells_numbered else 0
    shape.last_column = max(shape.last_column, narrow, *wide)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _calamine_grids(package: Package, titles: Iterable[str]) -> dict[str, Grid]:
    titles = list(titles)
    if not titles:
        return {}
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(package.data))
        try:
            return {t: _grid(book.get_sheet_by_name(t).to_python(skip_empty_area=False))
                    for t in titles}  # fmt: skip
        finally:
            book.close()
    except python_calamine.CalamineError as exc:
        raise WorkbookError(f"{package.path}: the workbook could not be read ({exc}); open it "
                            "in Excel or LibreOffice and save it again") from exc  # fmt: skip


def _openpyxl_grids(package: Package, titles: Sequence[str]) -> dict[str, Grid]:
    if not titles:
        return {}
    with warnings.catch_warnings():  # "extension not supported": only matters when saving
        warnings.simplefilter("ignore", UserWarning)
        book = openpyxl.load_workbook(io.BytesIO(package.data), read_only=True, data_only=True)
    try:
        grids = {}
        for title in titles:
            sheet = book[title]
            sheet.reset_dimensions()
            grids[title] = _grid(sheet.iter_rows(values_only=True))
        return grids
    finally:
        book.close()


def _grid(rows: Iterable[Sequence[Any]]) -> Grid:
    """Rows of raw values, trailing empty cells and rows trimmed.

    The common types are converted inline (a function call per cell would double the cost);
    the garbage collector is paused meanwhile: it would otherwise walk the millions of new
    objects again and again, and none of them can be garbage yet.
    """
    with _collector_paused():
        return _converted(rows)


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _converted(rows: Iterable[Sequence[Any]]) -> Grid:
    grid: Grid = []
    for row in rows:
        values = [
            v if type(v) in PLAIN
            else (v or None) if type(v) is str
            else float((v - EPOCH).days) if type(v) is date
            else _raw(v)
            for v in row
        ]  # fmt: skip
        while values and values[-1] is None:
            values.pop()
        grid.append(values)
    while grid and not grid[-1]:
        grid.pop()
    return grid


def _raw(value: Any) -> RawValue:
    if isinstance(value, str):
        return value or None
    if value is None or isinstance(value, int | float | bool):
        return value
    if isinstance(value, date):
        return float(date_to_serial(value))
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    return str(value)


__all__ = ["SheetShape", "read_tabs", "scan_part"]
