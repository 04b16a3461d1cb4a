"""The History tab on Google Sheets: read only the days a refresh needs, append in the one
batchUpdate.

sheetsync keeps an index on the History tab (developer metadata `sheetsync.history-index`):
the run of rows each snapshot day occupies, top to bottom, as `v1;46351x2016;46352x2016`
(a day's serial number and its row count; `-` for rows without a date). A refresh reads the
rows of the days it needs with one A1 range each, in the same values:batchGet as the input
tabs, and checks every row's date: rows found where the index does not expect them (History
sorted or edited by hand) are not used, and the refresh says so. A snapshot refresh also
reads the Date column, finds each day's rows by their date, and writes the index anew; when
the rows are out of date order it sorts them first (sortRange), so the index stays short.

Developer metadata values are limited in size (the API documents no number; the index is
kept under `INDEX_LIMIT` characters, about a thousand snapshot days); past it the index is
left empty and refreshes recompute the last snapshot from the activity instead.

A snapshot's rows are written as an output tab's cells are (google/layout.py): one
updateCells over the inserted rows with what each cell says on its own, then repeatCells for
what many cells share (the date, a period, a name, a column's format) and copyPastes for the
formats and KPI keys that repeat with every name. Every cell ends with the value and format it
would have alone; the updateCells' range clears the values and formats of the others (data
validation is left as it is). A History holding conditional formats (added by hand) gets no
copyPaste: a pasted format may carry them along (PasteType PASTE_FORMAT is "the format only,
excluding data validation"; conditional formatting has a PasteType of its own), and sheetsync
copies formats only on a tab with none (google/tiling.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from gspread.utils import absolute_range_name

from sheetsync.backends.google.layout import cell_requests
from sheetsync.backends.google.read import HISTORY_INDEX_KEY, SheetInfo, to_grid
from sheetsync.backends.google.reuse import Band, paste_requests
from sheetsync.backends.snapshot_place import HistoryEdit, day_runs, plan_edit
from sheetsync.grids import Grid, HistoryQuery, HistoryRead, RawValue
from sheetsync.plan import HistorySnapshot, TabPlan
from sheetsync.spreadsheet import date_to_serial, day_of, serial_to_date

JsonDict = dict[str, Any]
INDEX_VERSION = "v1"
INDEX_LIMIT = 20_000
COLUMNS = 11
CELL_FIELDS = "userEnteredValue,userEnteredFormat"
"""What the snapshot's updateCells sets or clears on the rows it adds (no data validation)."""
MOVED = (
    "History's rows are not where sheetsync left them (sorted or edited by hand since the last "
    "snapshot), so the earlier snapshot was not read from it; the next snapshot puts History "
    "back in date order"
)


@dataclass(frozen=True)
class HistoryReading:
    """The ranges a refresh asks for in History, and what each one is."""

    sheet: SheetInfo
    runs: tuple[tuple[date | None, int, int], ...]
    blocks: tuple[tuple[date, int, int], ...]
    locate: bool

    def ranges(self) -> list[str]:
        title = self.sheet.title
        wanted = [f"A{start + 2}:K{end + 1}" for _, start, end in self.blocks]
        if self.locate:
            wanted.append(f"A2:A{max(self.sheet.rows, 2)}")
        return [absolute_range_name(title, cells) for cells in wanted]


def encode_index(column: Sequence[date | None]) -> str:
    """The index text for a date column (data rows, top to bottom)."""
    parts = [INDEX_VERSION]
    for day, start, end in day_runs(column):
        parts.append(f"{'-' if day is None else int(date_to_serial(day))}x{end - start}")
    text = ";".join(parts)
    return text if len(text) <= INDEX_LIMIT else INDEX_VERSION


def decode_index(text: str | None) -> tuple[tuple[date | None, int, int], ...]:
    """(day, start, end) runs of data rows from an index text; none for a foreign text."""
    parts = (text or "").split(";")
    if parts[0] != INDEX_VERSION:
        return ()
    runs: list[tuple[date | None, int, int]] = []
    start = 0
    try:
        for part in parts[1:]:
            serial, count = part.split("x")
            day = None if serial == "-" else serial_to_date(int(serial))
            runs.append((day, start, start + int(count)))
            start += int(count)
    except ValueError:
        return ()
    return tuple(runs)


def plan_reading(sheet: SheetInfo, query: HistoryQuery) -> HistoryReading:
    """The runs of the wanted days: the last one before `query.before`, and `query.days`."""
    runs = decode_index(sheet.history_index)
    days = {day for day, _, _ in runs if day is not None}
    earlier = [day for day in days if day < query.before]
    wanted = set(query.days) | ({max(earlier)} if earlier else set())
    blocks = tuple(
        (day, start, end) for day, start, end in runs if day is not None and day in wanted
    )
    return HistoryReading(sheet, runs, blocks, query.locate)


def read_history(
    reading: HistoryReading, answers: Sequence[JsonDict]
) -> tuple[HistoryRead, list[RawValue] | None]:
    """What was read, checked row by row; and the Date column when it was asked for."""
    column: list[RawValue] | None = None
    if reading.locate:
        column = [row[0] if row else None for row in to_grid(answers[-1].get("values") or [])]
    rows: Grid = []
    moved = False
    for (day, start, end), answer in zip(reading.blocks, answers, strict=False):
        block = to_grid(answer.get("values") or [])
        fits = len(block) == end - start and all(row and day_of(row[0]) == day for row in block)
        moved = moved or not fits
        rows.extend(block if fits else [])
    if moved:
        rows = []
    days = _days(column, reading.runs)
    return HistoryRead(days, rows, MOVED if moved and reading.blocks else None), column


def _days(
    column: list[RawValue] | None, runs: Sequence[tuple[date | None, int, int]]
) -> tuple[date, ...]:
    found = {day_of(v) for v in column} if column is not None else {day for day, _, _ in runs}
    return tuple(sorted(day for day in found if day is not None))


def snapshot_requests(
    snapshot: HistorySnapshot,
    sheet: SheetInfo,
    column: Sequence[RawValue],
    pasted: tuple[int, Sequence[Band]] | None = None,
) -> list[JsonDict]:
    """Put a snapshot into an existing History tab whose Date column was just read.
    `pasted`: the sheet id of Rep KPIs, and the bands of columns pasted from it
    (google/reuse.py)."""
    edit = plan_edit(column, snapshot.day, len(snapshot.rows), snapshot.max_rows)
    sheet_id = sheet.sheet_id
    requests: list[JsonDict] = []
    if edit.sort_first:
        requests.append(_sort(sheet_id, len(column)))
    added = len(snapshot.rows)
    at = edit.insert_before + 1
    if at < sheet.rows:
        requests.append({"insertDimension": {
            "range": _dimension(sheet_id, at, at + added), "inheritFromBefore": False,
        }})  # fmt: skip
    else:  # the API inserts only inside the grid: at its end it appends
        requests.append({"appendDimension": {"sheetId": sheet_id, "dimension": "ROWS",
                                             "length": at + added - sheet.rows}})  # fmt: skip
    requests.extend(_cells(snapshot, sheet_id, at, paste=not sheet.rule_count, pasted=pasted))
    for start, end in edit.deletions:
        shift = added if start >= edit.insert_before else 0
        requests.append(_rows("deleteDimension", sheet_id, start + 1 + shift, end + 1 + shift))
    requests.append(index_request(sheet, edit))
    return requests


def index_request(sheet: SheetInfo, edit: HistoryEdit) -> JsonDict:
    """Write the new index: update the tab's index metadata, or create it."""
    value = encode_index(edit.after)
    if sheet.history_index is None:
        return create_index(sheet.sheet_id, edit.after)
    lookup = {"metadataKey": HISTORY_INDEX_KEY,
              "metadataLocation": {"sheetId": sheet.sheet_id}}  # fmt: skip
    return {"updateDeveloperMetadata": {
        "dataFilters": [{"developerMetadataLookup": lookup}],
        "developerMetadata": {"metadataValue": value}, "fields": "metadataValue",
    }}  # fmt: skip


def create_index(sheet_id: int, column: Sequence[date | None]) -> JsonDict:
    return {"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": HISTORY_INDEX_KEY, "metadataValue": encode_index(column),
        "location": {"sheetId": sheet_id}, "visibility": "DOCUMENT",
    }}}  # fmt: skip


def _sort(sheet_id: int, rows: int) -> JsonDict:
    grid = {"sheetId": sheet_id, "startRowIndex": 1, "endRowIndex": rows + 1,
            "startColumnIndex": 0, "endColumnIndex": COLUMNS}  # fmt: skip
    return {
        "sortRange": {"range": grid, "sortSpecs": [{"dimensionIndex": 0, "sortOrder": "ASCENDING"}]}
    }


def _dimension(sheet_id: int, start: int, end: int) -> JsonDict:
    return {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": start, "endIndex": end}


def _rows(kind: str, sheet_id: int, start: int, end: int) -> JsonDict:
    return {kind: {"range": _dimension(sheet_id, start, end)}}


def _cells(
    snapshot: HistorySnapshot,
    sheet_id: int,
    at: int,
    paste: bool,
    pasted: tuple[int, Sequence[Band]] | None,
) -> list[JsonDict]:
    """Write the snapshot's rows into rows at..at+len(rows), just inserted (google/layout.py,
    laid out as a tab of those rows alone, then moved down `at` rows); the values of the
    `pasted` bands by copyPaste from Rep KPIs after them."""
    rows = snapshot.rows
    if not rows:
        return []
    tab = TabPlan(snapshot.key, snapshot.title, rows, header_rows=0)
    bands = pasted[1] if pasted is not None else ()
    given = [(0, len(rows), left, right) for left, right, _ in bands]
    requests = cell_requests(tab, sheet_id, len(rows), tab.width, paste=paste, given=given)
    copies = paste_requests(bands, (pasted[0], 1), (sheet_id, at), len(rows)) if pasted else []
    return [*(_moved_down(request, at) for request in requests), *copies]


def _moved_down(request: JsonDict, rows: int) -> JsonDict:
    """A cell request (updateCells, repeatCell, copyPaste) of layout.py `rows` rows lower;
    an updateCells sets CELL_FIELDS."""
    ((kind, body),) = request.items()
    moved: JsonDict = {key: _lower(body[key], rows) for key in ("range", "source", "destination")
                       if key in body}  # fmt: skip
    if kind == "updateCells":
        moved["fields"] = CELL_FIELDS
    return {kind: {**body, **moved}}


def _lower(grid: JsonDict, rows: int) -> JsonDict:
    return {**grid, "startRowIndex": grid["startRowIndex"] + rows,
            "endRowIndex": grid["endRowIndex"] + rows}  # fmt: skip
