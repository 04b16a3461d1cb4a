"""The requests that write a tab's cells: updateCells for what each cell says on its own,
then what goes by range.

1. updateCells over the whole grid (`userEnteredValue,userEnteredFormat,dataValidation`):
   every value and format not given by range below, every other cell cleared. Trailing empty
   cells and rows are left out (the range clears them: UpdateCellsRequest.range in the
   discovery doc). When no row under the header writes anything inline in its first columns
   (Rep KPIs: period, level and name all go by range), the header rows, those columns (an
   updateCells with no rows, which clears them) and the rest are three updateCells, if that
   is shorter than an empty `{}` for each of those cells;
2. repeatCells for rectangles of cells sharing a value or a format (ranges.py);
3. copyPastes for formats, and columns of values, that repeat with the rows (tiling.py).

Values are exact: each number goes out as the shortest JSON text that reads back as the same
double (cell_data.py), text is always a stringValue.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from sheetsync.backends.google.cell_data import (
    FormatKey,
    format_key,
    user_entered_format,
    user_entered_value,
)
from sheetsync.backends.google.ranges import BLANK, FORMATS, VALUES, layout, marks, repeat
from sheetsync.backends.google.tiling import (
    Tiling,
    copy_cells,
    find_tiling,
    repeating_columns,
    tiled,
)
from sheetsync.plan import Cell, TabPlan

JsonDict = dict[str, Any]
Slot = FormatKey | None
Values = list[list[JsonDict | None]]
CELL_FIELDS = "userEnteredValue,userEnteredFormat,dataValidation"
SPLIT_BYTES = 200
"""About what one more updateCells costs."""


def cell_requests(
    tab: TabPlan,
    sheet_id: int,
    rows: int,
    columns: int,
    *,
    paste: bool = True,
    given: Sequence[tuple[int, int, int, int]] = (),
) -> list[JsonDict]:
    """Write the tab's cells into a grid of `rows` x `columns` (at least the plan's size).
    Without `paste`, no copyPaste (for a tab that may hold conditional formats: History).
    `given`: boxes (top, bottom, left, right) whose values a request after these pastes
    (google/reuse.py): their cells get their formats here, and their values are cleared."""
    values = [_padded([user_entered_value(cell.value) for cell in row], columns)
              for row in tab.rows]  # fmt: skip
    formats, tiling = _formats(tab, values, columns, paste)
    for top, bottom, left, right in given:
        for line in values[top:bottom]:
            line[left:right] = [None] * (right - left)
    bands = repeating_columns(values, tiling, columns) if tiling else []
    value_rects = layout(_value_slots(tab.rows, values, tiling, bands), columns, VALUES, sheet_id)
    format_rects = layout(formats, columns, FORMATS, sheet_id)
    value_marks = marks(value_rects, len(values), columns)
    if tiling is not None:
        _mark_copied(value_marks, tiling, bands)
    by_range = (marks(format_rects, len(values), columns), value_marks)
    copies = [copy_cells(tiling, sheet_id, (left, right), "PASTE_VALUES")
              for left, right in bands] if tiling else []  # fmt: skip
    if tiling is not None:
        copies.append(copy_cells(tiling, sheet_id, (0, columns), "PASTE_FORMAT"))
    return [
        *update_cells(values, formats, by_range, sheet_id, (rows, columns), tab.header_rows),
        *(repeat(rect, VALUES, sheet_id) for rect in value_rects),
        *(repeat(rect, FORMATS, sheet_id) for rect in format_rects),
        *copies,
    ]


def format_slots(tab: TabPlan, values: Values, columns: int) -> list[list[Slot]]:
    """Each cell's format need: BLANK for an empty cell, else its FormatKey or None."""
    keys: dict[tuple[type, str | None, bool], Slot] = {}
    slots: list[list[Slot]] = []
    for r, (row, line) in enumerate(zip(tab.rows, values, strict=True)):
        header = r < tab.header_rows
        needs = [BLANK if value is None else _format_key(cell, header, keys)
                 for cell, value in zip(row, line, strict=False)]  # fmt: skip
        slots.append(_padded(needs, columns, BLANK))
    return slots


def update_cells(
    values: Values,
    formats: Sequence[Sequence[Slot]],
    by_range: tuple[list[bytearray], list[bytearray]],
    sheet_id: int,
    size: tuple[int, int],
    header_rows: int = 0,
) -> list[JsonDict]:
    """The updateCells over the whole grid (`size`: rows, columns) with what is not given by
    range (`by_range`: per row, the columns whose format, and whose value, a later request
    sets). When the rows under the header hold nothing inline in their first columns, and
    leaving those out saves more than the two requests cost: one updateCells for the header
    rows, one with no rows that clears those columns under it, one for the rest."""
    cache: dict[FormatKey, JsonDict] = {}
    format_marks, value_marks = by_range
    lines = [_cells(line, formats[r], format_marks[r], value_marks[r], cache)
             for r, line in enumerate(values)]  # fmt: skip
    while lines and not lines[-1]:
        lines.pop()
    rows, columns = size
    top = min(header_rows, len(lines))
    first = _first_written(lines[top:], columns)
    if 3 * first * (len(lines) - top) < 2 * SPLIT_BYTES:
        return [update_cells_request(sheet_id, (0, rows, 0, columns), lines)]
    body = [line[first:] for line in lines[top:]]
    return [
        *([update_cells_request(sheet_id, (0, top, 0, columns), lines[:top])] if top else []),
        update_cells_request(sheet_id, (top, rows, 0, first), []),
        update_cells_request(sheet_id, (top, rows, first, columns), body),
    ]


def update_cells_request(
    sheet_id: int,
    box: tuple[int, int, int, int],
    lines: Sequence[list[JsonDict]],
    fields: str = CELL_FIELDS,
) -> JsonDict:
    """An updateCells of `fields` over rows box[0]..box[1] and columns box[2]..box[3], a row
    of CellData per line (an empty line: an empty row)."""
    grid = {"sheetId": sheet_id, "startRowIndex": box[0], "endRowIndex": box[1],
            "startColumnIndex": box[2], "endColumnIndex": box[3]}  # fmt: skip
    rows = [{"values": line} if line else {} for line in lines]
    return {"updateCells": {"range": grid, "rows": rows, "fields": fields}}


def _cells(
    values: Sequence[JsonDict | None],
    formats: Sequence[Slot],
    format_marks: bytearray,
    value_marks: bytearray,
    cache: dict[FormatKey, JsonDict],
) -> list[JsonDict]:
    """One row's CellData, trailing empty ones left out; `cache` holds one CellFormat per
    key (the JSON is the same)."""
    cells: list[JsonDict] = []
    for column, value in enumerate(values):
        data: JsonDict = {}
        if value is not None and not value_marks[column]:
            data["userEnteredValue"] = value
        slot = formats[column]
        if slot is not None and slot is not BLANK and not format_marks[column]:
            if slot not in cache:
                cache[slot] = user_entered_format(slot)
            data["userEnteredFormat"] = cache[slot]
        cells.append(data)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _first_written(lines: Sequence[Sequence[JsonDict]], columns: int) -> int:
    """The first column with a cell written inline in any row (`columns` when none)."""
    first = columns
    for line in lines:
        for column, cell in enumerate(line[:first]):
            if cell:
                first = column
                break
    return first


def _formats(
    tab: TabPlan, values: Values, columns: int, paste: bool
) -> tuple[list[list[Slot]], Tiling | None]:
    """The format slots left to write, and the tiling that copies the others (tiling.py).
    A tiling is taken whenever one fits (and `paste`): its copyPaste costs about 250
    bytes, less than the formats of the rows it copies unless they were one or two
    repeatCells already."""
    slots = format_slots(tab, values, columns)
    tiling = find_tiling(slots, tab.header_rows, columns) if paste else None
    if tiling is None:
        return slots, None
    return tiled(slots, tiling, columns), tiling


def _format_key(cell: Cell, header: bool, keys: dict[tuple[type, str | None, bool], Slot]) -> Slot:
    """format_key for a filled cell, through `keys`: the key depends only on the value's type,
    the number format and bold."""
    memo = (type(cell.value), cell.number_format, cell.bold or header)
    if memo not in keys:
        keys[memo] = format_key(cell, header, True)
    return keys[memo]


def _value_slots(
    rows: Sequence[Sequence[Cell]],
    values: Values,
    tiling: Tiling | None,
    bands: Sequence[tuple[int, int]],
) -> list[list[Hashable]]:
    """Each cell's value as a key ((str, "Calls"): its type and value, so True and 1 differ),
    None for an empty cell or one whose value a copy gives."""
    slots: list[list[Hashable]] = [
        [(cell.value.__class__, cell.value) if value else None
         for cell, value in zip(row, line, strict=False)]
        for row, line in zip(rows, values, strict=True)
    ]  # fmt: skip
    if tiling is not None:
        for row in slots[tiling.start + tiling.period : tiling.end]:
            for left, right in bands:
                row[left:right] = [None] * (right - left)
    return slots


def _mark_copied(
    value_marks: list[bytearray], tiling: Tiling, bands: Sequence[tuple[int, int]]
) -> None:
    for row in value_marks[tiling.start + tiling.period : tiling.end]:
        for left, right in bands:
            row[left:right] = b"\x01" * (right - left)


def _padded(line: list[Any], columns: int, fill: Any = None) -> list[Any]:
    if len(line) < columns:
        line.extend([fill] * (columns - len(line)))
    return line
