"""Cells that repeat with the rows, written once and copied down by copyPaste.

A long table such as Rep KPIs lists the same KPIs in the same order for every rep, team, the
total and every period, so the formats of its cells repeat every p rows (p: the number of
KPIs) while they change from one row to the next (a count, a currency, a percent), which
leaves runs of one cell for ranges.py, and a third of the request for formats carried cell by
cell; so do the KPI names. Instead the first p data rows (the template) are written as any
cells are, and copyPastes repeat them over the next rows: PASTE_FORMAT for the formats of all
columns, PASTE_VALUES for the columns whose values repeat too (discovery doc,
CopyPasteRequest.destination: "If the range covers a span that's a multiple of the source's
height or width, then the data will be repeated to fill in the destination range"; PasteType
PASTE_FORMAT: "Paste the format only, excluding data validation", PASTE_VALUES: "Paste the
values ONLY without formats, formulas, or merges"; so checkboxes, set after, are untouched).

For formats an empty cell is a wildcard (it shows no format): it takes its template cell's
format, and a template cell left empty takes the format the cells below it need. Values
repeat only exactly, an empty cell where the template has one too. The copies come after
every other cell request of the tab and before its colour rules (added last, see
rules_charts.py), so no conditional format is on the tab when they are made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sheetsync.backends.google.cell_data import FormatKey
from sheetsync.backends.google.ranges import BLANK

JsonDict = dict[str, Any]
Slot = FormatKey | None
MAX_PERIOD = 32
"""Longest template tried, in rows (Rep KPIs: one row per KPI)."""
MIN_COPIED = 16
"""Fewest values a column's copy must give to be worth its copyPaste (about 290 bytes)."""
FORMULA_MARKS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Tiling:
    """Rows start..start+period hold the template, repeated `copies` times below it."""

    start: int
    period: int
    copies: int
    template: tuple[tuple[Slot, ...], ...]

    @property
    def end(self) -> int:
        """The row after the last copy."""
        return self.start + self.period * (self.copies + 1)


def find_tiling(slots: Sequence[Sequence[Slot]], start: int, columns: int) -> Tiling | None:
    """The shortest template from row `start` whose copies give every row below it, down
    to the last whole copy, the format it needs; None when no period up to MAX_PERIOD fits,
    or the copies would hold no format."""
    rows = len(slots) - start
    for period in range(1, min(MAX_PERIOD, rows // 2) + 1):
        cycles = rows // period
        template = _template(slots, start, period, cycles, columns)
        if template is not None:
            tiling = Tiling(start, period, cycles - 1, tuple(map(tuple, template)))
            return tiling if _formats_copied(slots, tiling) else None
    return None


def tiled(slots: Sequence[Sequence[Slot]], tiling: Tiling, columns: int) -> list[list[Slot]]:
    """The slots left to write once the copy is made: the template rows as the template
    says, the copied rows all wildcards."""
    out = [list(row) for row in slots]
    for offset, line in enumerate(tiling.template):
        out[tiling.start + offset] = list(line)
    for row in range(tiling.start + tiling.period, tiling.end):
        out[row] = [BLANK] * columns
    return out


def copy_cells(tiling: Tiling, sheet_id: int, band: tuple[int, int], paste: str) -> JsonDict:
    """The copyPaste that repeats the template's cells of columns `band` (left, right) over
    its copies: "PASTE_FORMAT" for formats, "PASTE_VALUES" for values."""
    middle = tiling.start + tiling.period
    return {"copyPaste": {"source": grid_rows(sheet_id, tiling.start, middle, band),
                          "destination": grid_rows(sheet_id, middle, tiling.end, band),
                          "pasteType": paste, "pasteOrientation": "NORMAL"}}  # fmt: skip


def repeating_columns(
    values: Sequence[Sequence[JsonDict | None]], tiling: Tiling, columns: int
) -> list[tuple[int, int]]:
    """Bands (left, right) of neighbouring columns whose values repeat exactly with the
    tiling's rows (Rep KPIs: the KPI names), each holding at least MIN_COPIED values in the
    copies. Never a column with text a paste could read as a formula: its template holds
    only numbers, booleans and text not starting with "=", "+", "-" or "@"."""
    wanted = [c for c in range(columns) if _repeats(values, tiling, c)]
    bands: list[tuple[int, int]] = []
    for column in wanted:
        if bands and bands[-1][1] == column:
            bands[-1] = (bands[-1][0], column + 1)
        else:
            bands.append((column, column + 1))
    return bands


def _repeats(values: Sequence[Sequence[JsonDict | None]], tiling: Tiling, column: int) -> bool:
    start, period = tiling.start, tiling.period
    line = [row[column] for row in values[start : tiling.end]]
    template = line[:period]
    if any(not _plain(value) for value in template):
        return False
    if sum(value is not None for value in line[period:]) < MIN_COPIED:
        return False
    return all(line[i] == template[i % period] for i in range(period, len(line)))


def _plain(value: JsonDict | None) -> bool:
    text = value.get("stringValue") if value else None
    return not isinstance(text, str) or not text.startswith(FORMULA_MARKS)


def grid_rows(sheet_id: int, top: int, bottom: int, band: tuple[int, int]) -> JsonDict:
    """The GridRange of rows top..bottom and columns band[0]..band[1]."""
    return {"sheetId": sheet_id, "startRowIndex": top, "endRowIndex": bottom,
            "startColumnIndex": band[0], "endColumnIndex": band[1]}  # fmt: skip


def _template(
    slots: Sequence[Sequence[Slot]], start: int, period: int, cycles: int, columns: int
) -> list[list[Slot]] | None:
    """The template of `period` rows that the first `cycles` copies agree with (wildcards
    filled from below), or None at the first cell that disagrees."""
    template = [_padded(slots[start + i], columns) for i in range(period)]
    for row in range(start + period, start + period * cycles):
        model = template[(row - start) % period]
        line = slots[row]
        if line == model:
            continue
        for column in range(columns):
            here = line[column] if column < len(line) else BLANK
            there = model[column]
            if here is BLANK or here == there:
                continue
            if there is not BLANK:
                return None
            model[column] = here
    return template


def _padded(line: Sequence[Slot], columns: int) -> list[Slot]:
    return [*line, *[BLANK] * (columns - len(line))]


def _formats_copied(slots: Sequence[Sequence[Slot]], tiling: Tiling) -> bool:
    """Whether any cell the copy covers needs a format (else the copy is for nothing)."""
    copied = slots[tiling.start + tiling.period : tiling.end]
    return any(slot is not None and slot is not BLANK for line in copied for slot in line)
