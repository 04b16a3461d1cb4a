"""Rewriting only the values that changed, on a big tab whose layout is the same as last time.

A refresh rewrites each output tab it owns whole (write.py): every value and format. For a
long table (Rep KPIs at 300 reps: 133,500 cells, about 2.7 MB of the write) most cells hold
what the last refresh wrote; what changes from one day to the next is some numbers. So:

* every full write of a tab also leaves on it its *layout*: a digest of what decides the tab's
  formats and structure apart from its values (frozen rows and columns, each cell's declared
  number format, bold, checkbox and whether it holds a date; the colour rules and charts), as
  developer metadata `sheetsync.layout`;
* the read (call 2) also reads the values of each owned tab that carries a layout and is big
  enough to be worth it (MIN_READ_CELLS), unformatted, as they are now, edits included;
* when the new plan has the same layout, the grid the same size and the tab as many charts and
  rules as the plan adds, the tab's write is: its grid properties, the changed values
  (updateCells with `userEnteredValue` over runs of changed rows and columns, a repeatCell for
  a run of one value), the format of each changed cell whose format the read cannot vouch for,
  and its column widths, if that is shorter than the full write; else the full write.

A cell is skipped only when the read proves it holds what the plan would write: values are
compared by type and exactly (`same`). A changed cell keeps its format only when it held a
value of the same kind (text, number, boolean; a date's format is always written): with the
same layout, the last full write gave it the format the plan gives it now. Not seen by the
read, and kept until the next full write: a format someone changed by hand, the format of an
empty cell someone typed a value into that the plan now fills with a value of that kind, a
formula typed over one of our cells that computes the very value we would write, and an edit
made between this refresh's read and its write (seconds). Two refreshes writing the same tab
at once may leave a mix of both, which the next refresh puts right, as it compares with what
is there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Sequence
from datetime import date
from typing import Any

from sheetsync.backends.base import Grid, RawValue
from sheetsync.backends.google.cells import format_key, user_entered_format, user_entered_value
from sheetsync.backends.google.payload import compact_json
from sheetsync.backends.google.ranges import VALUES, layout, marks, repeat
from sheetsync.backends.google.read import LAYOUT_KEY, SheetInfo
from sheetsync.report.plan import Cell, TabPlan

JsonDict = dict[str, Any]
Value = JsonDict | None
MIN_READ_CELLS = 10_000
"""Smallest owned tab (rows x columns of its grid) whose values are read back: under it, a
full write costs less than 250 KB, and the read would save little."""
REQUEST_BYTES = 150
"""About what one more updateCells costs (its range and field mask)."""


def layout_digest(tab: TabPlan, look: Sequence[JsonDict], checkboxes: Sequence[JsonDict]) -> str:
    """What decides a full write of `tab` apart from its values and column widths, as a short
    digest: header rows, frozen columns, the plan's size, each cell's declared look (`_look`),
    the data validations (`checkboxes`) and the colour rules and charts (`look`, look.py)."""
    index: dict[tuple[Any, ...], int] = {}
    shape = [[index.setdefault(_look(cell, r < tab.header_rows), len(index)) for cell in row]
             for r, row in enumerate(tab.rows)]  # fmt: skip
    described = [tab.header_rows, tab.frozen_columns, len(tab.rows), tab.width, list(index),
                 shape, list(checkboxes), list(look)]  # fmt: skip
    return hashlib.sha256(compact_json(described).encode("utf-8")).hexdigest()[:32]


def _look(cell: Cell, header: bool) -> tuple[Any, ...]:
    """What a cell's format follows from, whether or not it holds a value: its declared number
    format, bold, checkbox, and whether it is a date (a date gets a date format of its own)."""
    kind = type(cell.value).__name__ if isinstance(cell.value, date) else None
    return (cell.number_format, cell.bold or header, cell.checkbox, kind)


def layout_marker(sheet: SheetInfo | None, sheet_id: int, digest: str) -> list[JsonDict]:
    """Replace the tab's layout metadata (the old one by its id) with `digest`."""
    deletes = []
    if sheet is not None and sheet.layout_id is not None:
        lookup = {"metadataId": sheet.layout_id}
        deletes.append({"deleteDeveloperMetadata": {"dataFilter": {
            "developerMetadataLookup": lookup}}})  # fmt: skip
    create = {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataKey": LAYOUT_KEY,
                "metadataValue": digest,
                "location": {"sheetId": sheet_id},
                "visibility": "DOCUMENT",
            }
        }
    }
    return [*deletes, create]


def worth_reading(sheet: SheetInfo) -> bool:
    """Whether the read should bring back this tab's values: an owned tab written with a
    layout, of at least MIN_READ_CELLS cells."""
    return sheet.owned and sheet.layout is not None and sheet.rows * sheet.columns >= MIN_READ_CELLS


def reusable(sheet: SheetInfo, digest: str, size: tuple[int, int], looks: tuple[int, int]) -> bool:
    """Whether the tab holds what a write of this layout left: the same digest, the grid
    `size` (rows, columns) the plan needs (rows added or deleted by hand move formats), and
    as many colour rules and charts (`looks`) as the plan adds (one deleted by hand means a
    full write)."""
    rules, charts = looks
    return (
        sheet.layout == digest
        and (sheet.rows, sheet.columns) == size
        and sheet.rule_count == rules
        and len(sheet.chart_ids) == charts
    )


def value_requests(
    tab: TabPlan, held: Grid, sheet_id: int, size: tuple[int, int]
) -> list[JsonDict]:
    """The requests that turn the values `held` (read from the tab) into the plan's, in a
    grid of `size` (rows, columns): one updateCells per run of changed rows (near neighbours
    joined), over the columns that changed in them, with `userEnteredValue` only; a
    repeatCell for each run of changed cells that take one value, where that is shorter (a new
    week's label down a quarter of Rep KPIs: ranges.py); then the formats the read cannot
    vouch for (`_format_requests`). Empty rows of the plan clear what is held there."""
    rows, columns = size
    lines = [_padded([user_entered_value(cell.value) for cell in row], columns)
             for row in tab.rows[:rows]]  # fmt: skip
    lines += [[None] * columns for _ in range(rows - len(lines))]
    held_lines = [held[r] if r < len(held) else [] for r in range(rows)]
    changed = [[not same(value, _at(line, c)) for c, value in enumerate(planned)]
               for planned, line in zip(lines, held_lines, strict=True)]  # fmt: skip
    rects = layout(_value_slots(tab, lines, changed), columns, VALUES, sheet_id)
    by_range = marks(rects, rows, columns)
    inline = [[bool(c and not m) for c, m in zip(line, marked, strict=True)]
              for line, marked in zip(changed, by_range, strict=True)]  # fmt: skip
    shown = [[None if m else value for value, m in zip(line, marked, strict=True)]
             for line, marked in zip(lines, by_range, strict=True)]  # fmt: skip
    return [
        *(_update(shown, sheet_id, block) for block in _blocks(inline, shown)),
        *(repeat(rect, VALUES, sheet_id) for rect in rects),
        *_format_requests(tab, _unvouched(tab, lines, held_lines, changed), sheet_id),
    ]


def _unvouched(
    tab: TabPlan,
    lines: Sequence[Sequence[Value]],
    held: Sequence[Sequence[RawValue]],
    changed: Sequence[Sequence[bool]],
) -> list[tuple[int, int]]:
    """The changed cells that get a value whose format must be written too: the cell was
    empty (it may hold any format), held another kind of value, or gets a date."""
    cells = []
    for r, line in enumerate(changed):
        for c, flag in enumerate(line):
            value = lines[r][c]
            if not flag or value is None:
                continue
            was = _at(held[r], c)
            if (
                was is None
                or _kind(was) != next(iter(value))
                or isinstance(tab.rows[r][c].value, date)
            ):
                cells.append((r, c))
    return cells


def _kind(held: RawValue) -> str:
    """The ExtendedValue field a read value came from."""
    if isinstance(held, bool):
        return "boolValue"
    return "stringValue" if isinstance(held, str) else "numberValue"


def _format_requests(
    tab: TabPlan, cells: Sequence[tuple[int, int]], sheet_id: int
) -> list[JsonDict]:
    """A repeatCell with `userEnteredFormat` for each run of `cells` down a column that take
    the same format (the format a full write gives them: cells.format_key)."""
    runs: list[list[Any]] = []  # [column, top, bottom, key]
    for r, c in sorted(cells, key=lambda cell: (cell[1], cell[0])):
        key = format_key(tab.rows[r][c], r < tab.header_rows, True)
        last = runs[-1] if runs else None
        if last is not None and last[0] == c and last[2] == r and last[3] == key:
            last[2] = r + 1
        else:
            runs.append([c, r, r + 1, key])
    requests = []
    for column, top, bottom, key in runs:
        grid = {"sheetId": sheet_id, "startRowIndex": top, "endRowIndex": bottom,
                "startColumnIndex": column, "endColumnIndex": column + 1}  # fmt: skip
        cell = {"userEnteredFormat": user_entered_format(key)} if key is not None else {}
        requests.append(
            {"repeatCell": {"range": grid, "cell": cell, "fields": "userEnteredFormat"}}
        )
    return requests


def _value_slots(
    tab: TabPlan, lines: Sequence[Sequence[Value]], changed: Sequence[Sequence[bool]]
) -> list[list[Hashable]]:
    """The value key (ranges.py) of each changed cell that gets a value, None elsewhere."""
    slots: list[list[Hashable]] = []
    for r, line in enumerate(lines):
        row = tab.rows[r] if r < len(tab.rows) else ()
        slots.append([(row[c].value.__class__, row[c].value) if flag and line[c] is not None
                      else None for c, flag in enumerate(changed[r])])  # fmt: skip
    return slots


def _blocks(changed: Sequence[Sequence[bool]], lines: Sequence[Sequence[Value]]) -> list[list[int]]:
    """Rectangles [top, bottom, left, right] covering every changed cell. In each column, the
    runs of changed rows (the unchanged cells between two joined when rewriting them costs
    less than a request of its own); then runs over the same rows in nearby columns joined
    the same way. `lines`: the planned values, for what rewriting a cell costs."""
    runs: dict[tuple[int, int], list[list[int]]] = {}
    for column in range(len(changed[0]) if changed else 0):
        run: list[int] | None = None
        for row, line in enumerate(changed):
            if not line[column]:
                continue
            gap = sum(_cost(lines[r][column]) for r in range(run[1], row)) if run else 0
            if run is not None and gap < REQUEST_BYTES:
                run[1] = row + 1
                continue
            if run is not None:
                runs.setdefault((run[0], run[1]), []).append(run)
            run = [row, row + 1, column, column + 1]
        if run is not None:
            runs.setdefault((run[0], run[1]), []).append(run)
    blocks: list[list[int]] = []
    for (top, bottom), group in runs.items():
        current = group[0]
        for run in group[1:]:
            gap = sum(_cost(lines[r][c]) for r in range(top, bottom)
                      for c in range(current[3], run[2]))  # fmt: skip
            if gap < REQUEST_BYTES:
                current[3] = run[3]
            else:
                blocks.append(current)
                current = run
        blocks.append(current)
    return blocks


def _cost(value: Value) -> int:
    """Bytes a cell takes in an updateCells with `userEnteredValue` (its comma included)."""
    return 3 if value is None else len(compact_json(value).encode("utf-8")) + 22


def same(value: Value, held: RawValue) -> bool:
    """Whether the cell read as `held` already holds the ExtendedValue `value`: text as the
    same text, a boolean as the same boolean, a number as the same double; empty as empty."""
    if value is None:
        return held is None
    if "stringValue" in value:
        return isinstance(held, str) and held == value["stringValue"]
    if "boolValue" in value:
        return isinstance(held, bool) and held is value["boolValue"]
    number = value.get("numberValue")
    return isinstance(held, int | float) and not isinstance(held, bool) and held == number


def _update(lines: Sequence[Sequence[Value]], sheet_id: int, block: Sequence[int]) -> JsonDict:
    """The updateCells writing the block's values as `lines` has them (where a repeatCell
    sets a cell after it, `lines` leaves it empty)."""
    top, bottom, left, right = block
    rows = []
    for r in range(top, bottom):
        line = [{"userEnteredValue": value} if value is not None else {}
                for value in lines[r][left:right]]  # fmt: skip
        while line and not line[-1]:
            line.pop()
        rows.append({"values": line} if line else {})
    grid = {"sheetId": sheet_id, "startRowIndex": top, "endRowIndex": bottom,
            "startColumnIndex": left, "endColumnIndex": right}  # fmt: skip
    return {"updateCells": {"range": grid, "rows": rows, "fields": "userEnteredValue"}}


def _at(line: Sequence[Any], column: int) -> Any:
    return line[column] if column < len(line) else None


def _padded(line: list[Any], columns: int) -> list[Any]:
    return line + [None] * (columns - len(line)) if len(line) < columns else line
