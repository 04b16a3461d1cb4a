"""A History snapshot's values pasted from Rep KPIs, written in the same batchUpdate.

A snapshot holds, for every period, level, name and KPI, the same actual, target, attainment,
pace and status as Rep KPIs, in the same order: at 300 reps, 11,000 rows and 1.9 MB of the
write sent twice. So when Rep KPIs is written in the same batchUpdate (before History: the
requests of a batch apply in order), each band of snapshot columns that holds exactly the
values of a band of Rep KPIs columns, row for row, is given by one copyPaste with PASTE_VALUES
from Rep KPIs (discovery doc, PasteType PASTE_VALUES: "Paste the values ONLY without formats,
formulas, or merges"), instead of cell by cell; the snapshot's own requests still set those
cells' formats (google/layout.py, `given`). Values are compared as the read gives them back
(cells.read_back: a boolean is not the number 1), so a column is pasted only when every one
of its values would be written the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sheetsync.backends.google.cell_data import read_backs, same_read
from sheetsync.backends.google.tiling import grid_rows
from sheetsync.plan import Cell

JsonDict = dict[str, Any]
Band = tuple[int, int, int]
"""Columns left..right of the snapshot hold the values of the source's columns from `source`."""
MIN_VALUES = 16
"""Fewest values a band must hold to be worth its copyPaste (about 300 bytes)."""


def pasted_bands(rows: Sequence[Sequence[Cell]], source: Sequence[Sequence[Cell]]) -> list[Band]:
    """The bands of `rows`' columns whose values equal, row for row, those of a band of
    `source`'s columns (as many rows); a column takes the source column next to the one its
    left neighbour took when that one fits too."""
    if not rows or len(rows) != len(source):
        return []
    wanted = [_column(rows, c) for c in range(max(map(len, rows)))]
    offered = [_column(source, c) for c in range(max(map(len, source)))]
    bands: list[Band] = []
    for column, values in enumerate(wanted):
        if sum(value is not None for value in values) < MIN_VALUES:
            continue
        matches = [k for k, there in enumerate(offered) if same_read(values, there)]
        if not matches:
            continue
        if bands and bands[-1][1] == column and _next(bands[-1]) in matches:
            left, _, start = bands[-1]
            bands[-1] = (left, column + 1, start)
        else:
            bands.append((column, column + 1, matches[0]))
    return bands


def paste_requests(
    bands: Sequence[Band], source: tuple[int, int], target: tuple[int, int], rows: int
) -> list[JsonDict]:
    """One copyPaste of values per band, `rows` rows from the source's (sheet id, first row)
    to the target's (sheet id, first row)."""
    requests = []
    for left, right, start in bands:
        width = right - left
        requests.append({"copyPaste": {
            "source": _grid(source, rows, start, start + width),
            "destination": _grid(target, rows, left, right),
            "pasteType": "PASTE_VALUES", "pasteOrientation": "NORMAL",
        }})  # fmt: skip
    return requests


def _next(band: Band) -> int:
    """The source column after the band's last."""
    left, right, start = band
    return start + right - left


def _column(rows: Sequence[Sequence[Cell]], column: int) -> list[Any]:
    return read_backs(row[column].value if column < len(row) else None for row in rows)


def _grid(place: tuple[int, int], rows: int, left: int, right: int) -> JsonDict:
    sheet_id, top = place
    return grid_rows(sheet_id, top, top + rows, (left, right))
