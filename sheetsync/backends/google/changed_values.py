"""The requests that write only the changed values of a tab (partial_write.py says when).

Given the plan and the values read from the tab (unformatted, as values:batchGet gives them):

* `Changes` finds the cells whose value differs, row by row: a row whose planned values equal
  the read ones (and holds no boolean, which Python finds equal to 1) is skipped at once; in the
  others each cell is compared by `_same_raw`;
* a run of changed cells down a column that take one value (a new week's label down a quarter
  of Rep KPIs) goes by one repeatCell where that is shorter (ranges.py);
* the other changed cells go by updateCells with `userEnteredValue`: in each column, the runs
  of changed rows (the unchanged cells between two joined when rewriting them costs less than
  a request of its own), then runs over the same rows in nearby columns joined the same way;
* a changed cell whose format the read cannot vouch for (it was empty, it held another kind of
  value, or it gets a date) gets its format by a repeatCell with `userEnteredFormat`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from operator import attrgetter
from typing import Any

from sheetsync.backends.google.cell_data import (
    format_key,
    read_backs,
    same_read,
    user_entered_value,
)
from sheetsync.backends.google.layout import update_cells_request
from sheetsync.backends.google.payload import compact_json
from sheetsync.backends.google.ranges import BLANK, FORMATS, VALUES, Rect, layout, repeat
from sheetsync.grids import Grid, RawValue
from sheetsync.plan import TabPlan

JsonDict = dict[str, Any]
Value = JsonDict | None
REQUEST_BYTES = 150
"""About what one more updateCells costs (its range and field mask)."""
VALUE = attrgetter("value")


class Changes:
    """The cells of a tab (plan `tab`, grid `size`: rows, columns) whose values differ from
    those `held`: `flags[r]` per changed row; `lines[r]`, the planned ExtendedValues of the
    changed rows and of the rows `planned` was asked for."""

    def __init__(self, tab: TabPlan, held: Grid, size: tuple[int, int]) -> None:
        self.tab, self.held = tab, held
        self.rows, self.columns = size
        self.flags: dict[int, list[bool]] = {}
        self.lines: dict[int, list[Value]] = {}
        for r in range(self.rows):
            planned = self._raw(r)
            line = self.held_row(r)
            if same_read(planned, line):
                continue
            flags = [not _same_raw(p, h) for p, h in zip(planned, line, strict=True)]
            if True in flags:
                self.flags[r] = flags
                self.planned(r)

    def value(self, row: int, column: int) -> Value:
        """The ExtendedValue the plan gives a cell (None: empty)."""
        return self.planned(row)[column]

    def planned(self, row: int) -> list[Value]:
        """The ExtendedValues the plan gives a row's cells (kept for the next ask)."""
        if row not in self.lines:
            cells = self.tab.rows[row] if row < len(self.tab.rows) else ()
            line = [user_entered_value(value) for value in map(VALUE, cells)]
            self.lines[row] = line + [None] * (self.columns - len(line))
        return self.lines[row]

    def held_row(self, row: int) -> list[RawValue]:
        line = list(self.held[row]) if row < len(self.held) else []
        return line + [None] * (self.columns - len(line))

    def _raw(self, row: int) -> list[RawValue]:
        """The plan's values of a row as the read would give them back."""
        cells = self.tab.rows[row] if row < len(self.tab.rows) else ()
        line = read_backs(map(VALUE, cells))
        return line + [None] * (self.columns - len(line))


def value_requests(
    tab: TabPlan, held: Grid, sheet_id: int, size: tuple[int, int]
) -> list[JsonDict]:
    """The requests that turn the values `held` (read from the tab) into the plan's, in a
    grid of `size` (rows, columns). Empty rows of the plan clear what is held there."""
    changes = Changes(tab, held, size)
    rects = _value_rects(changes, sheet_id)
    by_range: dict[int, bytearray] = {}
    for rect in rects:
        for row in range(rect.top, rect.bottom):
            marked = by_range.setdefault(row, bytearray(changes.columns))
            marked[rect.left : rect.right] = b"\x01" * (rect.right - rect.left)
    blocks = _blocks(changes, by_range)
    return [
        *(_update(changes, by_range, sheet_id, block) for block in blocks),
        *(repeat(rect, VALUES, sheet_id) for rect in rects),
        *_format_requests(tab, _unvouched(changes), sheet_id),
    ]


def _same_raw(planned: RawValue, held: RawValue) -> bool:
    """Whether a cell read as `held` holds the plan value `planned` (as the read gives it
    back: cells.read_back): the same text, the same boolean, the same double, or empty; one
    cell's cells.same_read, without building lists."""
    return planned == held and (planned.__class__ is bool) == (held.__class__ is bool)


def _segments(rows: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Runs of consecutive row numbers in sorted `rows`, as (first, after last)."""
    start = previous = None
    for row in rows:
        if previous is not None and row == previous + 1:
            previous = row
            continue
        if start is not None and previous is not None:
            yield start, previous + 1
        start = previous = row
    if start is not None and previous is not None:
        yield start, previous + 1


def _value_rects(changes: Changes, sheet_id: int) -> list[Rect]:
    """Runs of changed cells down a column that take one value, where one repeatCell is
    shorter than writing them (ranges.layout), within each run of changed rows."""
    rects: list[Rect] = []
    for top, bottom in _segments(sorted(changes.flags)):
        slots: list[list[Hashable]] = []
        for r in range(top, bottom):
            cells = changes.tab.rows[r] if r < len(changes.tab.rows) else ()
            line = changes.lines[r]
            slots.append([(cells[c].value.__class__, cells[c].value)
                          if flag and line[c] is not None else None
                          for c, flag in enumerate(changes.flags[r])])  # fmt: skip
        for rect in layout(slots, changes.columns, VALUES, sheet_id):
            rects.append(replace(rect, top=rect.top + top, bottom=rect.bottom + top))
    return rects


def _blocks(changes: Changes, by_range: dict[int, bytearray]) -> list[list[int]]:
    """Rectangles [top, bottom, left, right] covering every changed cell that no repeatCell
    sets (see the module's docstring)."""
    written = sorted(changes.flags)
    runs: dict[tuple[int, int], list[list[int]]] = {}
    for column in range(changes.columns):
        run: list[int] | None = None
        for row in written:
            marked = by_range.get(row)
            if not changes.flags[row][column] or (marked is not None and marked[column]):
                continue
            if run is not None and _cheap(changes, by_range, range(run[1], row), (column,)):
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
            gap = range(current[3], run[2])
            if _cheap(changes, by_range, range(top, bottom), gap):
                current[3] = run[3]
            else:
                blocks.append(current)
                current = run
        blocks.append(current)
    return blocks


def _cheap(
    changes: Changes, by_range: dict[int, bytearray], rows: range, columns: Sequence[int]
) -> bool:
    """Whether rewriting these cells costs less than a request of its own."""
    cost = 0
    for row in rows:
        for column in columns:
            cost += _cost(_shown(changes, by_range, row, column))
            if cost >= REQUEST_BYTES:
                return False
    return True


def _shown(changes: Changes, by_range: dict[int, bytearray], row: int, column: int) -> Value:
    """What an updateCells writes in a cell: the planned value, or nothing where a
    repeatCell sets it after."""
    marked = by_range.get(row)
    return None if marked is not None and marked[column] else changes.value(row, column)


def _cost(value: Value) -> int:
    """Bytes a cell takes in an updateCells with `userEnteredValue` (its comma included)."""
    return 3 if value is None else len(compact_json(value).encode("utf-8")) + 22


def _update(
    changes: Changes, by_range: dict[int, bytearray], sheet_id: int, block: Sequence[int]
) -> JsonDict:
    top, bottom, left, right = block
    rows = []
    for r in range(top, bottom):
        values = changes.planned(r)[left:right]
        marked = by_range.get(r)
        if marked is not None:
            values = [None if marked[c] else v for c, v in enumerate(values, start=left)]
        line = [{"userEnteredValue": value} if value is not None else {} for value in values]
        while line and not line[-1]:
            line.pop()
        rows.append(line)
    return update_cells_request(sheet_id, (top, bottom, left, right), rows, "userEnteredValue")


def _unvouched(changes: Changes) -> list[tuple[int, int]]:
    """The changed cells that get a value whose format must be written too: the cell was
    empty (it may hold any format), held another kind of value, or gets a date."""
    cells = []
    for r in sorted(changes.flags):
        held = changes.held_row(r)
        for c, flag in enumerate(changes.flags[r]):
            value = changes.lines[r][c]
            if not flag or value is None:
                continue
            was = held[c]
            if (
                was is None
                or _kind(was) != next(iter(value))
                or isinstance(changes.tab.rows[r][c].value, date)
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
    return [repeat(Rect(top, bottom, column, column + 1, key or BLANK, bottom - top), FORMATS,
                   sheet_id) for column, top, bottom, key in runs]  # fmt: skip
