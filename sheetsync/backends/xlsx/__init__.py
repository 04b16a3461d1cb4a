"""The local Excel backend (openpyxl): read every tab in one pass, write in one atomic step."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from sheetsync.backends.base import (
    OWNER_KEY,
    Grid,
    RawValue,
    RawWorkbook,
    TabSelector,
    check_ownership,
)
from sheetsync.backends.xlsx.parts import lost_parts
from sheetsync.cells import date_to_serial
from sheetsync.errors import WorkbookError
from sheetsync.plan import Cell, OutputPlan, TabPlan

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


class XlsxBackend:
    """A workbook on disk. Output goes into the same file, or into `output_path` when given."""

    def __init__(self, path: Path, output_path: Path | None = None) -> None:
        self.path = path
        self.output_path = output_path

    @property
    def description(self) -> str:
        return str(self.path)

    @property
    def api_calls(self) -> int:
        return 0

    @property
    def write_calls(self) -> int:
        return 0

    @property
    def target(self) -> Path:
        return self.output_path or self.path

    def read(self, select: TabSelector) -> RawWorkbook:
        book = open_workbook(self.path, read_only=True)
        try:
            owned = _owned(book) if self.target == self.path else frozenset()
            titles = tuple(book.sheetnames)
            grids = {title: _grid(book[title]) for title in select(titles)}
        finally:
            book.close()
        return RawWorkbook(titles=titles, grids=grids, owned=owned)

    def apply(self, plan: OutputPlan) -> None:
        target = self.target
        book = open_workbook(target) if target.exists() else new_workbook()
        owned = _owned(book)
        check_ownership(plan, book.sheetnames, owned, str(target))
        if target.exists():
            self._refuse_lossy_save(target, set(owned) | set(plan.titles()))
        for tab in plan.tabs:
            _replace_sheet(book, tab)
        _set_owned(book, (set(owned) & set(book.sheetnames)) | set(plan.titles()))
        atomic_save(book, target)

    def _refuse_lossy_save(self, target: Path, owned: set[str]) -> None:
        lost = lost_parts(target, owned)
        if lost:
            raise WorkbookError(
                f"{target}: holds {' and '.join(lost)}, which saving would lose, so it was not "
                "rewritten. Set source.output_path in the config to write the output tabs "
                "into a separate workbook."
            )


def open_workbook(path: Path, *, read_only: bool = False) -> Workbook:
    """Load a workbook (read-only: cached values; else: formulas kept, for saving back)."""
    try:
        return openpyxl.load_workbook(path, read_only=read_only, data_only=read_only)
    except FileNotFoundError:
        raise WorkbookError(f"{path}: workbook not found") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise WorkbookError(f"{path}: not a readable .xlsx workbook ({exc})") from exc


def new_workbook() -> Workbook:
    """An empty workbook, without openpyxl's default sheet."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    return book


def _grid(sheet: Any) -> Grid:
    """Rows of raw values: dates as serial numbers, trailing empty cells and rows trimmed."""
    grid: Grid = []
    for row in sheet.iter_rows(values_only=True):
        values = [_raw(v) for v in row]
        while values and values[-1] is None:
            values.pop()
        grid.append(values)
    while grid and not grid[-1]:
        grid.pop()
    return grid


def _raw(value: Any) -> RawValue:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, date):
        return float(date_to_serial(value))
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return str(value)


def _owned(book: Workbook) -> frozenset[str]:
    for prop in book.custom_doc_props.props:
        if prop.name == OWNER_KEY:
            try:
                titles = json.loads(prop.value)
            except (TypeError, ValueError):
                return frozenset()
            return frozenset(str(t) for t in titles if str(t) in book.sheetnames)
    return frozenset()


def _set_owned(book: Workbook, titles: set[str]) -> None:
    props = book.custom_doc_props
    for prop in list(props.props):
        if prop.name == OWNER_KEY:
            props.props.remove(prop)
    props.append(StringProperty(name=OWNER_KEY, value=json.dumps(sorted(titles))))


def _replace_sheet(book: Workbook, tab: TabPlan) -> None:
    index = len(book.sheetnames)
    if tab.title in book.sheetnames:
        index = book.sheetnames.index(tab.title)
        book.remove(book[tab.title])
    sheet = book.create_sheet(tab.title, index)
    bold = Font(bold=True)
    for row in tab.rows:
        sheet.append([_storable(cell.value) for cell in row])
    for r, row in enumerate(tab.rows, start=1):
        for c, cell in enumerate(row, start=1):
            _style(sheet, r, c, cell, bold, r <= tab.header_rows)
    if tab.header_rows:
        sheet.freeze_panes = f"A{tab.header_rows + 1}"
    for c, width in enumerate(tab.column_widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width


def _storable(value: Any) -> Any:
    """Control characters cannot be stored in .xlsx: drop them from text."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _style(sheet: Worksheet, r: int, c: int, cell: Cell, bold: Font, header: bool) -> None:
    target = sheet.cell(row=r, column=c)
    if isinstance(cell.value, str) and cell.value.startswith("="):
        target.data_type = "s"
    if cell.number_format:
        target.number_format = cell.number_format
    elif isinstance(cell.value, datetime):
        target.number_format = DATETIME_FORMAT
    elif isinstance(cell.value, date):
        target.number_format = DATE_FORMAT
    if cell.bold or header:
        target.font = bold


def atomic_save(book: Workbook, target: Path) -> None:
    """Save into a new file beside `target`, then move it into place: all or nothing."""
    folder = target.parent
    handle, temp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".xlsx", dir=folder)
    os.close(handle)
    try:
        book.save(temp)
        with open(temp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temp, target)
    except OSError as exc:
        raise WorkbookError(f"{target}: could not be written ({exc.strerror}); "
                            "the previous file is unchanged") from exc  # fmt: skip
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
