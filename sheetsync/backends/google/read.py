"""Reading a Google spreadsheet: the metadata call and the one values:batchGet.

The metadata call asks only for what sheetsync needs (a narrow `fields` mask): each tab's id,
title, position and grid size, the tab-level developer metadata that marks the tabs sheetsync
owns, and the spreadsheet's own developer metadata (the last run's marker, see runmark.py).
The values call reads every selected tab whole, unformatted, with dates as serial numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gspread.utils import absolute_range_name

from sheetsync.backends.base import OWNER_KEY, Grid

HISTORY_INDEX_KEY = "sheetsync.history-index"

METADATA_FIELDS = (
    "sheets(properties(sheetId,title,index,gridProperties),"
    "developerMetadata(metadataId,metadataKey,metadataValue,location)),"
    "developerMetadata(metadataId,metadataKey,metadataValue)"
)
VALUE_PARAMS = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "majorDimension": "ROWS",
}


@dataclass(frozen=True)
class SheetInfo:
    """One tab as the metadata call describes it."""

    sheet_id: int
    title: str
    index: int
    rows: int
    columns: int
    owned: bool
    history_index: str | None = None


def parse_sheets(metadata: Mapping[str, Any]) -> tuple[SheetInfo, ...]:
    """The tabs of a spreadsheets.get answer, in their order in the spreadsheet."""
    sheets = [_sheet(item) for item in metadata.get("sheets") or ()]
    return tuple(sorted(sheets, key=lambda s: s.index))


def _sheet(item: Mapping[str, Any]) -> SheetInfo:
    props = item.get("properties") or {}
    grid = props.get("gridProperties") or {}
    sheet_id = int(props.get("sheetId", 0))
    return SheetInfo(
        sheet_id=sheet_id,
        title=str(props.get("title", "")),
        index=int(props.get("index", 0)),
        rows=int(grid.get("rowCount", 0)),
        columns=int(grid.get("columnCount", 0)),
        owned=any(_marks_owner(m, sheet_id) for m in item.get("developerMetadata") or ()),
        history_index=_history_index(item.get("developerMetadata") or (), sheet_id),
    )


def _history_index(items: Sequence[Mapping[str, Any]], sheet_id: int) -> str | None:
    """The History index sheetsync keeps on this tab (see google/history.py), if any."""
    for item in items:
        location = item.get("location") or {}
        if (item.get("metadataKey") == HISTORY_INDEX_KEY
                and int(location.get("sheetId", -1)) == sheet_id):  # fmt: skip
            return str(item.get("metadataValue") or "")
    return None


def _marks_owner(metadata: Mapping[str, Any], sheet_id: int) -> bool:
    """sheetsync's marker: our key, on this very tab, whose value is this tab's id.

    The value check means a copy of an owned tab (which carries the marker along to a tab
    with another id) is not taken for an owned tab.
    """
    location = metadata.get("location") or {}
    return (
        metadata.get("metadataKey") == OWNER_KEY
        and int(location.get("sheetId", -1)) == sheet_id
        and metadata.get("metadataValue") == str(sheet_id)
    )


def value_ranges(titles: Sequence[str]) -> list[str]:
    """A1 ranges covering each whole tab, titles quoted as the API wants ('It''s')."""
    return [absolute_range_name(title) for title in titles]


def grids_from(titles: Sequence[str], answer: Mapping[str, Any]) -> dict[str, Grid]:
    """Map a values:batchGet answer back to the titles, in request order."""
    ranges = answer.get("valueRanges") or []
    return {title: to_grid(r.get("values") or []) for title, r in zip(titles, ranges, strict=False)}


def to_grid(values: Sequence[Sequence[Any]]) -> Grid:
    """Rows of raw values; empty cells (the API sends "") become None.

    JSON gives only text, numbers, booleans and null, so rows without an empty cell are kept
    as they are: the row scan runs in C, and only rows with a "" are rebuilt.
    """
    return [list(row) if "" not in row else [None if v == "" else v for v in row] for row in values]
