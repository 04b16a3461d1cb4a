"""The one spreadsheets.batchUpdate that writes a whole output plan.

Per output tab, in plan order:

* a tab sheetsync owns already: resize its grid to the plan (rows, columns, frozen header
  rows), then one updateCells over the whole new grid with
  `userEnteredValue,userEnteredFormat,dataValidation` so every old value, format and data
  validation is replaced or cleared; values and formats shared by many cells are given
  by range after it, where that is shorter (google/layout.py);
  unless the tab's layout is the one its last full write left and writing only the values
  that changed since (read back just before) is shorter: then its grid properties, those
  values and its column widths (google/partial_write.py, google/changed_values.py);
* a missing tab: addSheet with a chosen sheetId, the same updateCells, the owner marker
  (developer metadata on the tab, value = its sheetId) and a warning-only protected range;
* after a full write, the tab's layout (developer metadata: google/partial_write.py);
* a checkbox (a plan cell with `checkbox`): a setDataValidation request with a BOOLEAN rule
  on that cell, after the updateCells that wrote its value;
* column widths (updateDimensionProperties, one request per run of equal widths);
* colour rules and charts (google/rules_charts.py): an owned tab's old ones deleted first, the
  plan's added last; frozen columns with the frozen header rows;
* a History snapshot (google/history_tab.py): rows added, never the whole tab rewritten; the
  columns it shares with Rep KPIs pasted from it (google/reuse.py).

Cells are typed (google/cell_data.py): text is ALWAYS a stringValue, never a formula. The caller
checks ownership first.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sheetsync.backends.base import OWNER_KEY
from sheetsync.backends.google.cell_data import checkbox_rule
from sheetsync.backends.google.changed_values import value_requests
from sheetsync.backends.google.history_tab import create_index, snapshot_requests
from sheetsync.backends.google.layout import cell_requests as layout_cells
from sheetsync.backends.google.partial_write import (
    last_full_bytes,
    layout_digest,
    layout_marker,
    reusable,
)
from sheetsync.backends.google.payload import encode
from sheetsync.backends.google.read import SheetInfo
from sheetsync.backends.google.reuse import paste_requests, pasted_bands
from sheetsync.backends.google.rules_charts import clear_requests, extent, look_requests
from sheetsync.errors import BackendError
from sheetsync.grids import Grid, RawValue
from sheetsync.plan import HistorySnapshot, OutputPlan, TabPlan

JsonDict = dict[str, Any]
GRID_FIELDS = "gridProperties(rowCount,columnCount,frozenRowCount,frozenColumnCount)"
PROTECTION_NOTE = "Written by sheetsync: edits here are replaced at the next refresh."
PIXELS_PER_CHARACTER = 7
PIXEL_PADDING = 10
MAX_SHEET_ID = 2**31 - 1
INPUT_ROWS = 1000
INPUT_COLUMNS = 26


def plan_requests(
    plan: OutputPlan, sheets: Sequence[SheetInfo], held: Mapping[int, Grid] | None = None
) -> list[JsonDict]:
    """Every request of the batchUpdate that writes `plan` over the tabs `sheets`."""
    return [request for _, requests in tab_requests(plan, sheets, held) for request in requests]


def tab_requests(
    plan: OutputPlan, sheets: Sequence[SheetInfo], held: Mapping[int, Grid] | None = None
) -> list[tuple[TabPlan, list[JsonDict]]]:
    """The requests of `plan_requests`, tab by tab (in plan order). `held`: the values read
    from owned tabs by sheet id, for writing only what changed (partial_write.py)."""
    held = held or {}
    out: list[tuple[TabPlan, list[JsonDict]]] = []
    for tab, existing, sheet_id in placed(plan, sheets):
        if existing is not None:
            rewrite = replace_tab(tab, existing, held.get(sheet_id))
            out.append((tab, [*rewrite, *remark(existing, tab.key)]))
            continue
        look = look_requests(tab, sheet_id)
        digest = layout_digest(tab, look, checkboxes(tab, sheet_id))
        made = new_tab(tab, sheet_id, look)
        out.append((tab, [*made, *layout_marker(None, sheet_id, digest, len(encode(made)))]))
    return out


def placed(
    plan: OutputPlan, sheets: Sequence[SheetInfo]
) -> list[tuple[TabPlan, SheetInfo | None, int]]:
    """Each tab of the plan, the existing tab it replaces (None: a new one) and its sheet id."""
    by_title = {sheet.title.casefold(): sheet for sheet in sheets}
    taken = {sheet.sheet_id for sheet in sheets}
    out: list[tuple[TabPlan, SheetInfo | None, int]] = []
    for tab in plan.tabs:
        existing = by_title.get(tab.title.casefold())
        if existing is not None:
            out.append((tab, existing, existing.sheet_id))
        else:
            sheet_id = choose_sheet_id(tab.title, taken)
            taken.add(sheet_id)
            out.append((tab, None, sheet_id))
    return out


def history_requests(
    snapshot: HistorySnapshot,
    sheets: Sequence[SheetInfo],
    column: Sequence[RawValue] | None,
    source: tuple[int, TabPlan] | None = None,
) -> list[JsonDict]:
    """Add a snapshot to History: a new tab (header and rows, marked owned, with its index),
    or an edit of the existing one found by the Date column read just before. `source`: the
    sheet id and plan of Rep KPIs, written before in the same batch, whose values the
    snapshot's columns that hold the same are pasted from (google/reuse.py)."""
    bands = pasted_bands(snapshot.rows, source[1].rows[1:]) if source is not None else []
    wanted = snapshot.title.casefold()
    sheet = next((s for s in sheets if s.title.casefold() == wanted), None)
    if sheet is None:
        sheet_id = choose_sheet_id(snapshot.title, {s.sheet_id for s in sheets})
        tab = TabPlan(snapshot.key, snapshot.title, (snapshot.header, *snapshot.rows), 1,
                      snapshot.column_widths)  # fmt: skip
        given = [(1, 1 + len(snapshot.rows), left, right) for left, right, _ in bands]
        origin = source[0] if source is not None else sheet_id
        pasted = paste_requests(bands, (origin, 1), (sheet_id, 1), len(snapshot.rows))
        return [
            *new_tab(tab, sheet_id, given=given),
            *pasted,
            create_index(sheet_id, [snapshot.day] * len(snapshot.rows)),
        ]
    if column is None:
        raise BackendError(f"{snapshot.title}: read History (with locate) before adding a snapshot")
    pasted_from = (source[0], bands) if source else None
    return [*snapshot_requests(snapshot, sheet, column, pasted_from), *remark(sheet, snapshot.key)]


def input_tab_requests(tabs: Sequence[TabPlan], taken: set[int]) -> list[JsonDict]:
    """Add input tabs with their cells and frozen header rows, in room for typing (at least
    1,000 rows and 26 columns); no owner marker, no protection: these tabs belong to the
    people who type into them."""
    requests: list[JsonDict] = []
    taken = set(taken)
    for tab in tabs:
        sheet_id = choose_sheet_id(tab.title, taken)
        taken.add(sheet_id)
        grid = {"rowCount": max(INPUT_ROWS, len(tab.rows) + 1),
                "columnCount": max(INPUT_COLUMNS, tab.width),
                "frozenRowCount": tab.header_rows}  # fmt: skip
        add = {"addSheet": {"properties": {"sheetId": sheet_id, "title": tab.title,
                                           "gridProperties": grid}}}  # fmt: skip
        requests += [add, *cell_requests(tab, sheet_id), *column_widths(tab, sheet_id)]
    return requests


def choose_sheet_id(title: str, taken: set[int]) -> int:
    """A stable id derived from the title (so links to a re-made tab keep working), moved on
    past ids already in use. Never 0, the id of a spreadsheet's first default tab."""
    candidate = zlib.crc32(title.encode("utf-8")) % MAX_SHEET_ID or 1
    while candidate in taken:
        candidate = candidate % MAX_SHEET_ID + 1
    return candidate


def grid_size(tab: TabPlan) -> tuple[int, int]:
    """Rows and columns the tab's grid gets: the plan's, with one free row under the frozen
    header rows (Sheets cannot freeze every row), at least one column, and room for the
    tab's colour rules, charts and frozen columns (google/rules_charts.py)."""
    rows, columns = extent(tab)
    return max(len(tab.rows), tab.header_rows + 1, rows, 1), max(tab.width, columns, 1)


def replace_tab(tab: TabPlan, sheet: SheetInfo, held: Grid | None = None) -> list[JsonDict]:
    """Resize an owned tab and rewrite all its cells; its charts and colour rules are
    deleted first and the plan's added last (google/rules_charts.py). With the values `held` by the
    tab (read just before) and the same layout as its last full write, only the values that
    changed, when that is shorter than the last full write was (partial_write.py)."""
    sheet_id = sheet.sheet_id
    rows, columns = grid_size(tab)
    props: JsonDict = {"sheetId": sheet_id, "gridProperties": _grid(tab, rows, columns)}
    fields = GRID_FIELDS
    if sheet.title != tab.title:  # same name in another case: take the configured spelling
        props["title"] = tab.title
        fields += ",title"
    resize = {"updateSheetProperties": {"properties": props, "fields": fields}}
    look, boxes = look_requests(tab, sheet_id), checkboxes(tab, sheet_id)
    digest = layout_digest(tab, look, boxes)
    widths = column_widths(tab, sheet_id)
    if held is not None and reusable(sheet, digest, (rows, columns), _looks(look)):
        changed = [resize, *value_requests(tab, held, sheet_id, (rows, columns)), *widths]
        if len(encode(changed)) < (last_full_bytes(sheet) or 0):
            return changed
    full = [*clear_requests(sheet), resize, *cell_requests(tab, sheet_id), *boxes, *widths, *look]
    return [*full, *layout_marker(sheet, sheet_id, digest, len(encode(full)))]


def _looks(look: Sequence[JsonDict]) -> tuple[int, int]:
    """How many colour rules and charts the rules_charts.py requests add."""
    rules = sum(1 for request in look if "addConditionalFormatRule" in request)
    return rules, sum(1 for request in look if "addChart" in request)


def new_tab(
    tab: TabPlan,
    sheet_id: int,
    look: Sequence[JsonDict] | None = None,
    given: Sequence[tuple[int, int, int, int]] = (),
) -> list[JsonDict]:
    """Add a tab with a chosen id, fill it, mark it owned and protect it (warning only),
    then add its colour rules and charts (`look`, else google/rules_charts.py's). `given`: boxes
    whose values a request after these pastes (google/layout.py)."""
    rows, columns = grid_size(tab)
    add = {
        "addSheet": {
            "properties": {
                "sheetId": sheet_id,
                "title": tab.title,
                "gridProperties": _grid(tab, rows, columns),
            }
        }
    }
    return [
        add,
        *cell_requests(tab, sheet_id, given),
        *checkboxes(tab, sheet_id),
        owner_marker(sheet_id, tab.key),
        protection(sheet_id),
        *column_widths(tab, sheet_id),
        *(look_requests(tab, sheet_id) if look is None else look),
    ]


def _grid(tab: TabPlan, rows: int, columns: int) -> JsonDict:
    return {"rowCount": rows, "columnCount": columns, "frozenRowCount": tab.header_rows,
            "frozenColumnCount": tab.frozen_columns}  # fmt: skip


def owner_marker(sheet_id: int, output: str) -> JsonDict:
    """Developer metadata saying sheetsync made (and may rewrite) this tab, which holds
    `output` (google/read.py reads it)."""
    return {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataKey": OWNER_KEY,
                "metadataValue": f"{sheet_id} {output}",
                "location": {"sheetId": sheet_id},
                "visibility": "DOCUMENT",
            }
        }
    }


def remark(sheet: SheetInfo, output: str) -> list[JsonDict]:
    """The requests that make an owned tab's marker name `output`: none when it does, else
    its marker deleted (by key and exact location: never a copy's) and made anew."""
    if sheet.output == output:
        return []
    lookup = {"metadataKey": OWNER_KEY, "metadataLocation": {"sheetId": sheet.sheet_id},
              "locationMatchingStrategy": "EXACT_LOCATION"}  # fmt: skip
    delete = {"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": lookup}}}
    return [delete, owner_marker(sheet.sheet_id, output)]


def protection(sheet_id: int) -> JsonDict:
    """A warning-only protected range over the whole tab: people are told, not stopped."""
    return {
        "addProtectedRange": {
            "protectedRange": {
                "range": {"sheetId": sheet_id},
                "description": PROTECTION_NOTE,
                "warningOnly": True,
            }
        }
    }


def cell_requests(
    tab: TabPlan, sheet_id: int, given: Sequence[tuple[int, int, int, int]] = ()
) -> list[JsonDict]:
    """Write every cell of the tab's new grid, values and formats, clearing what the plan
    leaves out (google/layout.py); the values of the boxes `given` are pasted after."""
    rows, columns = grid_size(tab)
    return layout_cells(tab, sheet_id, rows, columns, given=given)


def checkboxes(tab: TabPlan, sheet_id: int) -> list[JsonDict]:
    """A BOOLEAN data validation (shown as a checkbox) on each checkbox cell of the tab."""
    return [
        {"setDataValidation": {"range": {"sheetId": sheet_id, "startRowIndex": r,
                                         "endRowIndex": r + 1, "startColumnIndex": c,
                                         "endColumnIndex": c + 1},
                               "rule": checkbox_rule()}}
        for r, row in enumerate(tab.rows)
        for c, cell in enumerate(row)
        if cell.checkbox
    ]  # fmt: skip


def column_widths(tab: TabPlan, sheet_id: int) -> list[JsonDict]:
    """Pixel widths from the plan's widths in characters, one request per run of equals."""
    requests = []
    for start, end, width in _runs(tab.column_widths[: grid_size(tab)[1]]):
        pixels = width * PIXELS_PER_CHARACTER + PIXEL_PADDING
        dimension = {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": start,
                     "endIndex": end}  # fmt: skip
        requests.append({
            "updateDimensionProperties": {
                "range": dimension, "properties": {"pixelSize": pixels}, "fields": "pixelSize",
            }
        })  # fmt: skip
    return requests


def _runs(widths: Iterable[int]) -> list[tuple[int, int, int]]:
    runs: list[tuple[int, int, int]] = []
    for index, width in enumerate(widths):
        if runs and runs[-1][2] == width and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1, width)
        else:
            runs.append((index, index + 1, width))
    return runs
