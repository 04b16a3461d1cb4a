"""Cells written by range: rectangles of cells that share a format, or a value, each given it
by one repeatCell where that is shorter than every cell carrying it.

An output tab's cells are written by one updateCells over its whole grid whose field mask is
`userEnteredValue,userEnteredFormat,dataValidation`, so every old value and format is replaced
or cleared (discovery doc, UpdateCellsRequest.range: "If the data in rows does not cover the
entire requested range, the fields matching those set in fields will be cleared"). A cell's
format, and its value, then reach it in one of two ways:

* inline: the cell carries it inside that updateCells (a format costs 40 to 80 bytes a cell,
  a value 20 bytes plus its JSON);
* by range: one repeatCell after the updateCells sets it on a rectangle of cells
  (RepeatCellRequest: "Updates all cells in the range to the values in the given Cell
  object. Only the fields listed in the fields field are updated; others are unchanged";
  the requests of one batchUpdate apply in order), about 200 bytes however many cells.

`layout` finds the rectangles: in each column, the runs of rows whose cells share a key, then
runs with the same rows and key in neighbouring columns merged (a bold header row becomes one
rectangle). A rectangle goes by range when its repeatCell is shorter than its cells' inline
share, else its cells keep theirs inline. For formats an empty cell is a wildcard (it shows no
format, so it may sit inside a run and take the run's format); for values it is not (it must
stay empty). So a column with one format (Attainment) or a label repeated down many rows (a
period, a level, a rep's name over their KPI rows) costs one request, and a column whose format
or value changes every row stays inline, where a repeatCell per cell would cost more. Either
way every cell ends with the same value and format.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from sheetsync.backends.google.cell_data import FormatKey, user_entered_format, user_entered_value
from sheetsync.backends.google.payload import compact_json

JsonDict = dict[str, Any]
BLANK = FormatKey(None, None, False)
"""The format slot of an empty cell: it needs no format, and any format is fine."""
ValueKey = tuple[type, Any]
"""A plan value as a hashable key: its type and itself ((str, "Calls")), so that True and 1,
equal in Python, stay apart."""
INLINE_FORMAT = ',"userEnteredFormat":'
INLINE_VALUE = '"userEnteredValue":{}'


@dataclass(frozen=True)
class Rect:
    """Rows top..bottom and columns left..right (ends exclusive, as GridRange) sharing `key`;
    `cells` of them need it (the others are wildcards)."""

    top: int
    bottom: int
    left: int
    right: int
    key: Hashable
    cells: int


@dataclass(frozen=True)
class Layer:
    """One field of CellData laid out by range: its wildcard slot (if any), what a cell's key
    costs inline, the CellData field's value for a key, and whether runs of one cell are kept
    to be merged with their neighbours across columns."""

    field: str
    wildcard: Hashable | None
    inline_bytes: Callable[[Any], int]
    cell_data: Callable[[Any], Any]
    merge_singles: bool


@lru_cache(maxsize=256)
def format_inline_bytes(key: FormatKey) -> int:
    """Bytes a cell's format takes inside the updateCells."""
    return len((INLINE_FORMAT + compact_json(user_entered_format(key))).encode("utf-8"))


def extended_value(key: ValueKey) -> JsonDict:
    """The ExtendedValue of a value key (cell_data.py: text always a stringValue)."""
    value = user_entered_value(key[1])
    assert value is not None, "an empty cell has no value key"
    return value


def value_inline_bytes(key: ValueKey) -> int:
    """Bytes a cell's value takes inside the updateCells (the cell's braces and comma aside)."""
    return len(INLINE_VALUE) + len(compact_json(extended_value(key)).encode("utf-8"))


FORMATS = Layer("userEnteredFormat", BLANK, format_inline_bytes, user_entered_format, True)
VALUES = Layer("userEnteredValue", None, value_inline_bytes, extended_value, False)
"""Formats: one-cell runs count (a bold header row is a run of one cell in each column).
Values: a value seldom repeats across a row, so only runs down a column count."""


def layout(slots: Sequence[Sequence[Hashable]], columns: int, layer: Layer,
           sheet_id: int) -> list[Rect]:  # fmt: skip
    """The rectangles cheaper by range than inline, in no particular order (they never
    overlap). `slots[r][c]` is a cell's key, None when it needs none, or the layer's wildcard;
    rows may be shorter than `columns` (the rest are wildcards, or None)."""
    runs = _column_runs(slots, columns, layer)
    return [rect for rect in _merged(runs) if _range_cheaper(rect, layer, sheet_id)]


def marks(rects: Sequence[Rect], rows: int, columns: int) -> list[bytearray]:
    """Per row, 1 for each column whose cell gets its key from a rectangle."""
    marked = [bytearray(columns) for _ in range(rows)]
    for rect in rects:
        ones = b"\x01" * (rect.right - rect.left)
        for row in marked[rect.top : min(rect.bottom, rows)]:
            row[rect.left : rect.right] = ones
    return marked


def repeat(rect: Rect, layer: Layer, sheet_id: int) -> JsonDict:
    """The repeatCell that sets the layer's field on the rectangle (and nothing else)."""
    grid = {"sheetId": sheet_id, "startRowIndex": rect.top, "endRowIndex": rect.bottom,
            "startColumnIndex": rect.left, "endColumnIndex": rect.right}  # fmt: skip
    cell = {layer.field: layer.cell_data(rect.key)}
    return {"repeatCell": {"range": grid, "cell": cell, "fields": layer.field}}


def _column_runs(slots: Sequence[Sequence[Hashable]], columns: int, layer: Layer) -> list[Rect]:
    """In each column, the runs of rows sharing a key (wildcards inside a run included; a run
    starts and ends on a cell that needs its key). Runs of one cell only when the layer
    merges them across columns."""
    runs: list[Rect] = []
    wildcard, least = layer.wildcard, 1 if layer.merge_singles else 2
    for column, line in enumerate(_columns(slots, columns, wildcard)):
        key: Hashable = None
        top = bottom = cells = 0
        for row, here in enumerate(line):
            if here is wildcard and here is not None:
                continue
            if here == key:
                bottom, cells = row + 1, cells + 1
                continue
            if key is not None and cells >= least:
                runs.append(Rect(top, bottom, column, column + 1, key, cells))
            key, top, bottom, cells = here, row, row + 1, 1
        if key is not None and cells >= least:
            runs.append(Rect(top, bottom, column, column + 1, key, cells))
    return runs


def _columns(
    slots: Sequence[Sequence[Hashable]], columns: int, fill: Hashable | None
) -> list[tuple[Hashable, ...]]:
    """The slots column by column (rows padded to `columns` with `fill`)."""
    padded = [row if len(row) >= columns else [*row, *[fill] * (columns - len(row))]
              for row in slots]  # fmt: skip
    return list(zip(*padded, strict=True))[:columns] if padded else []


def _merged(runs: Sequence[Rect]) -> list[Rect]:
    """Runs with the same rows and key in neighbouring columns, as one rectangle."""
    groups: dict[tuple[int, int, Hashable], list[Rect]] = {}
    for run in runs:  # in column order, so each group is too
        groups.setdefault((run.top, run.bottom, run.key), []).append(run)
    merged: list[Rect] = []
    for group in groups.values():
        current = group[0]
        for run in group[1:]:
            if run.left == current.right:
                current = replace(current, right=run.right, cells=current.cells + run.cells)
            else:
                merged.append(current)
                current = run
        merged.append(current)
    return merged


def _range_cheaper(rect: Rect, layer: Layer, sheet_id: int) -> bool:
    """Whether one repeatCell (and its comma) is shorter than the cells' inline share, in
    bytes of the body as sent (payload.py). Never for one cell: a repeatCell alone is longer
    than any format, or any value but a text of over 150 characters."""
    if rect.cells < 2:
        return False
    by_range = len(compact_json(repeat(rect, layer, sheet_id)).encode("utf-8")) + 1
    return by_range < rect.cells * layer.inline_bytes(rect.key)
