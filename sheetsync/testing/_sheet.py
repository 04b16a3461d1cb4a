"""One tab of the fake's in-memory model, the defaults Google gives new spreadsheets and tabs,
and the copy-on-write rule that makes a write all or nothing without copying every cell.

A write (batchUpdate, values update ...) runs on a working copy of the spreadsheet and the copy
replaces the spreadsheet only when the whole write succeeded. Copying every cell of a big
workbook for each write cost seconds, so a tab's copy shares its cell map with the original
until one of them stores a cell (:meth:`Sheet.store`, :meth:`Sheet.set_cells`), and a cell's
dict is never changed in place: every writer builds a new dict and stores it. ``cells`` is
therefore typed read-only (``Mapping``); the type checker refuses ``sheet.cells[k] = v``.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Mapping

from ._common import JsonDict

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26

CellMap = dict[tuple[int, int], JsonDict]


def _rgb(red: float, green: float, blue: float) -> JsonDict:
    return {k: v for k, v in (("red", red), ("green", green), ("blue", blue)) if v}


def default_spreadsheet_properties(title: str) -> JsonDict:
    """SpreadsheetProperties of a new spreadsheet, as Google returns them (en_US)."""
    white = _rgb(1, 1, 1)
    accents = [
        ("ACCENT1", _rgb(0.25882354, 0.52156866, 0.95686275)),
        ("ACCENT2", _rgb(0.91764706, 0.2627451, 0.20784314)),
        ("ACCENT3", _rgb(0.9843137, 0.7372549, 0.015686275)),
        ("ACCENT4", _rgb(0.20392157, 0.65882355, 0.3254902)),
        ("ACCENT5", _rgb(1, 0.42745098, 0.003921569)),
        ("ACCENT6", _rgb(0.27450982, 0.7411765, 0.7764706)),
        ("LINK", _rgb(0.06666667, 0.33333334, 0.8)),
    ]
    return {
        "title": title,
        "locale": "en_US",
        "autoRecalc": "ON_CHANGE",
        "timeZone": "Etc/GMT",
        "defaultFormat": {
            "backgroundColor": dict(white),
            "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
            "verticalAlignment": "BOTTOM",
            "wrapStrategy": "OVERFLOW_CELL",
            "textFormat": {
                "foregroundColor": {},
                "fontFamily": "arial,sans,sans-serif",
                "fontSize": 10,
                "bold": False,
                "italic": False,
                "strikethrough": False,
                "underline": False,
                "foregroundColorStyle": {"rgbColor": {}},
            },
            "backgroundColorStyle": {"rgbColor": dict(white)},
        },
        "spreadsheetTheme": {
            "primaryFontFamily": "Arial",
            "themeColors": [
                {"colorType": "TEXT", "color": {"rgbColor": {}}},
                {"colorType": "BACKGROUND", "color": {"rgbColor": dict(white)}},
                *({"colorType": name, "color": {"rgbColor": rgb}} for name, rgb in accents),
            ],
        },
    }


def default_sheet_properties(sheet_id: int, title: str, index: int) -> JsonDict:
    """SheetProperties of a new grid sheet."""
    return {
        "sheetId": sheet_id,
        "title": title,
        "index": index,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": DEFAULT_ROWS, "columnCount": DEFAULT_COLUMNS},
    }


def now_rfc3339() -> str:
    """The current UTC time the way Drive prints it."""
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class Sheet:
    """One tab: its properties, its cells (by zero-based row, column) and stored extras
    (merges, charts, ... by their Sheet resource key), row and column metadata."""

    def __init__(
        self,
        properties: JsonDict,
        cells: CellMap | None = None,
        extras: JsonDict | None = None,
        row_meta: dict[int, JsonDict] | None = None,
        col_meta: dict[int, JsonDict] | None = None,
    ) -> None:
        self.properties = properties
        self._cells: CellMap = cells if cells is not None else {}
        self._shared = False  # True while another Sheet may hold the same cell map
        self.extras: JsonDict = extras if extras is not None else {}
        self.row_meta: dict[int, JsonDict] = row_meta if row_meta is not None else {}
        self.col_meta: dict[int, JsonDict] = col_meta if col_meta is not None else {}

    def __repr__(self) -> str:
        return f"Sheet({self.title!r}, {len(self._cells)} cells)"

    # ------------------------------------------------------------------ copy on write
    def working_copy(self) -> Sheet:
        """A copy to write to: properties, extras and metadata copied, the cell map shared
        with this sheet until either of them stores a cell."""
        twin = Sheet(
            copy.deepcopy(self.properties),
            self._cells,
            copy.deepcopy(self.extras),
            copy.deepcopy(self.row_meta),
            copy.deepcopy(self.col_meta),
        )
        self._shared = twin._shared = True
        return twin

    @property
    def cells(self) -> Mapping[tuple[int, int], JsonDict]:
        """The stored cells, read-only: change them through store() or set_cells()."""
        return self._cells

    def set_cells(self, cells: CellMap) -> None:
        """Replace the whole cell map (a new dict, owned by this sheet from now on)."""
        self._cells = cells
        self._shared = False

    def store(self, row: int, col: int, cell: JsonDict) -> None:
        """Store a cell (a new dict, never changed afterwards); ``{}`` removes it."""
        if self._shared:
            self._cells = dict(self._cells)
            self._shared = False
        if cell:
            self._cells[(row, col)] = cell
        else:
            self._cells.pop((row, col), None)

    # ------------------------------------------------------------------ properties
    @property
    def sheet_id(self) -> int:
        return int(self.properties.get("sheetId", 0))

    @property
    def title(self) -> str:
        return str(self.properties.get("title", ""))

    @property
    def row_count(self) -> int:
        return int(self.properties.get("gridProperties", {}).get("rowCount", 0))

    @property
    def column_count(self) -> int:
        return int(self.properties.get("gridProperties", {}).get("columnCount", 0))

    def set_size(self, rows: int | None = None, columns: int | None = None) -> None:
        grid = self.properties.setdefault("gridProperties", {})
        if rows is not None:
            grid["rowCount"] = rows
        if columns is not None:
            grid["columnCount"] = columns
        row_count, column_count = self.row_count, self.column_count
        if any(r >= row_count or c >= column_count for r, c in self._cells):
            self.set_cells(
                {
                    (r, c): cell
                    for (r, c), cell in self._cells.items()
                    if r < row_count and c < column_count
                }
            )

    def grow_to(self, rows: int, columns: int) -> None:
        """Make the grid at least ``rows`` x ``columns``."""
        if rows > self.row_count or columns > self.column_count:
            self.set_size(max(rows, self.row_count), max(columns, self.column_count))

    def used_rows(self) -> int:
        """One past the last row holding a cell value (0 for an empty sheet)."""
        rows = [r for (r, _), cell in self._cells.items() if cell.get("userEnteredValue")]
        return max(rows) + 1 if rows else 0

    def has_value(self, row: int, col: int) -> bool:
        return bool(self._cells.get((row, col), {}).get("userEnteredValue"))

    def update_cell(self, row: int, col: int, patch: JsonDict | None) -> None:
        """Replace the value part of a cell; ``{}`` clears the value, None leaves it."""
        if patch is None:
            return
        cell = dict(self._cells.get((row, col), {}))
        old_format = cell.get("userEnteredFormat")
        cell.pop("userEnteredValue", None)
        patch = copy.deepcopy(patch)
        new_format = patch.pop("userEnteredFormat", None)
        cell.update(patch)
        if new_format:
            cell["userEnteredFormat"] = {**(old_format or {}), **new_format}
        self.store(row, col, cell)

    def box(self, r0: int, r1: int, c0: int, c1: int) -> Iterable[tuple[tuple[int, int], JsonDict]]:
        """The stored cells inside rows [r0, r1) and columns [c0, c1) as ((row, col), cell),
        in no particular order, found by walking whichever is smaller: the box or the
        stored cells (all of them, unfiltered, when the box covers the grid)."""
        cells = self._cells
        if r0 <= 0 and c0 <= 0 and r1 >= self.row_count and c1 >= self.column_count:
            return cells.items()
        if (r1 - r0) * (c1 - c0) <= len(cells):
            return [
                ((r, c), cells[(r, c)])
                for r in range(r0, r1)
                for c in range(c0, c1)
                if (r, c) in cells
            ]
        return [((r, c), cell) for (r, c), cell in cells.items() if r0 <= r < r1 and c0 <= c < c1]
