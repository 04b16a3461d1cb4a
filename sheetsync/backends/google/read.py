"""Reading a Google spreadsheet: the metadata call and the one values:batchGet.

The metadata call asks only for what sheetsync needs (a narrow `fields` mask): each tab's id,
title, position and grid size, the tab-level developer metadata that marks the tabs sheetsync
owns (and, on them, the History index and the layout of the last full write: partial_write.py), the
ids of its charts and the number of its conditional format rules (which a refresh replaces on
the tabs it owns, see rules_charts.py), and the spreadsheet's own developer metadata (the last run's
marker, see runmark.py).
The values call reads every selected tab whole, unformatted, with dates as serial numbers:
a values:batchGet, or, when its URL would pass MAX_GET_URL characters (hundreds of rep tabs
put every range in the query string), a values:batchGetByDataFilter with the same ranges as
A1 data filters in a POST body and the same render options.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests
from gspread.urls import SPREADSHEET_VALUES_BATCH_URL, SPREADSHEETS_API_V4_BASE_URL
from gspread.utils import absolute_range_name

from sheetsync.backends.base import OWNER_KEY
from sheetsync.grids import Grid

HISTORY_INDEX_KEY = "sheetsync.history-index"
LAYOUT_KEY = "sheetsync.layout"
"""The digest of what the last full write set on a tab apart from its values (partial_write.py)."""

METADATA_FIELDS = (
    "sheets(properties(sheetId,title,index,gridProperties),"
    "developerMetadata(metadataId,metadataKey,metadataValue,location),"
    "charts(chartId),conditionalFormats(ranges)),"
    "developerMetadata(metadataId,metadataKey,metadataValue)"
)
"""Sheet.charts and Sheet.conditionalFormats (discovery document) are asked for so that a
refresh can delete the charts and rules of the tabs it owns before adding new ones (see
google/rules_charts.py): chart ids, and each rule's ranges only to count the rules."""
MAX_GET_URL = 2_000
"""Longest values:batchGet URL sent; past it the ranges go in a POST body. Google documents
no URL limit for the Sheets API, but its front end refuses long ones: a spreadsheet with
hundreds of tabs (a 20,000-character URL) failed for github.com/dust-tt/dust/pull/4042, which
keeps under 1,500. 2,000 characters is the usual safe bound for a URL (issue 12)."""
BY_FILTER_URL = SPREADSHEETS_API_V4_BASE_URL + "/%s/values:batchGetByDataFilter"
"""spreadsheets.values.batchGetByDataFilter: a POST that only reads (discovery doc)."""
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
    output: str | None = None
    history_index: str | None = None
    chart_ids: tuple[int, ...] = ()
    rule_count: int = 0
    layout: str | None = None


def parse_sheets(metadata: Mapping[str, Any]) -> tuple[SheetInfo, ...]:
    """The tabs of a spreadsheets.get answer, in their order in the spreadsheet."""
    sheets = [_sheet(item) for item in metadata.get("sheets") or ()]
    return tuple(sorted(sheets, key=lambda s: s.index))


def owned_outputs(sheets: Sequence[SheetInfo]) -> dict[str, str | None]:
    """The tabs that carry sheetsync's marker, by title: the output each holds (None for a
    marker that names none)."""
    return {sheet.title: sheet.output for sheet in sheets if sheet.owned}


def _sheet(item: Mapping[str, Any]) -> SheetInfo:
    props = item.get("properties") or {}
    grid = props.get("gridProperties") or {}
    sheet_id = int(props.get("sheetId", 0))
    layout = _on_tab(item.get("developerMetadata") or (), LAYOUT_KEY, sheet_id)
    marks = [mark for m in item.get("developerMetadata") or ()
             if (mark := _owner_mark(m, sheet_id)) is not None]  # fmt: skip
    return SheetInfo(
        sheet_id=sheet_id,
        title=str(props.get("title", "")),
        index=int(props.get("index", 0)),
        rows=int(grid.get("rowCount", 0)),
        columns=int(grid.get("columnCount", 0)),
        owned=bool(marks),
        output=next((output for output in marks if output), None),
        history_index=_history_index(item.get("developerMetadata") or (), sheet_id),
        chart_ids=tuple(int(c["chartId"]) for c in item.get("charts") or () if "chartId" in c),
        rule_count=len(item.get("conditionalFormats") or ()),
        layout=str(layout.get("metadataValue") or "") if layout else None,
    )


def _on_tab(
    items: Sequence[Mapping[str, Any]], key: str, sheet_id: int
) -> Mapping[str, Any] | None:
    """The developer metadata with `key` located on this very tab, if any."""
    for item in items:
        location = item.get("location") or {}
        if item.get("metadataKey") == key and int(location.get("sheetId", -1)) == sheet_id:
            return item
    return None


def _history_index(items: Sequence[Mapping[str, Any]], sheet_id: int) -> str | None:
    """The History index sheetsync keeps on this tab (see google/history_tab.py), if any."""
    item = _on_tab(items, HISTORY_INDEX_KEY, sheet_id)
    return str(item.get("metadataValue") or "") if item is not None else None


def _owner_mark(metadata: Mapping[str, Any], sheet_id: int) -> str | None:
    """The output that sheetsync's marker names ("" when it names none), or None when
    `metadata` is not sheetsync's marker of this very tab.

    The marker is our key, on this very tab, whose value is this tab's id and the output it
    holds (`123 summary`; a marker written before markers named their output holds the id
    alone). The id check means a copy of an owned tab (which carries the marker along to a
    tab with another id) is not taken for an owned tab.
    """
    location = metadata.get("location") or {}
    if metadata.get("metadataKey") != OWNER_KEY or int(location.get("sheetId", -1)) != sheet_id:
        return None
    marked_id, _, output = str(metadata.get("metadataValue") or "").partition(" ")
    return output if marked_id == str(sheet_id) else None


def value_ranges(titles: Sequence[str]) -> list[str]:
    """A1 ranges covering each whole tab, titles quoted as the API wants ('It''s')."""
    return [absolute_range_name(title) for title in titles]


def batch_get_url(spreadsheet_id: str, ranges: Sequence[str]) -> str:
    """The URL of the values:batchGet for `ranges`, built as gspread's `values_batch_get`
    has `requests` build it (VALUE_PARAMS, then `ranges` once per range, percent-encoded)."""
    params = {**VALUE_PARAMS, "ranges": list(ranges)}
    url = SPREADSHEET_VALUES_BATCH_URL % spreadsheet_id
    return str(requests.Request("GET", url, params=params).prepare().url)


def by_filter_body(ranges: Sequence[str]) -> dict[str, Any]:
    """The BatchGetValuesByDataFilterRequest (discovery doc) reading `ranges`: one DataFilter
    with an a1Range each, and the render options of VALUE_PARAMS."""
    return {"dataFilters": [{"a1Range": a1} for a1 in ranges], **VALUE_PARAMS}


def matched_in_order(ranges: Sequence[str], answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ValueRange read for each of `ranges`, in request order, from a
    values:batchGetByDataFilter answer. Each MatchedValueRange names the filters it matched
    (discovery doc: "The DataFilters from the request that matched the range of values"), so
    it goes to the place of each a1Range it names (two equal ranges may share one answer);
    one naming no filter of ours takes the first place still open. A range no answer matched
    reads as empty."""
    places: dict[str, list[int]] = {}
    for index, a1 in enumerate(ranges):
        places.setdefault(a1, []).append(index)
    found: list[dict[str, Any] | None] = [None] * len(ranges)
    for matched in answer.get("valueRanges") or []:
        value_range = matched.get("valueRange") or {}
        named = [f.get("a1Range") for f in matched.get("dataFilters") or ()]
        spots = [i for a1 in named if isinstance(a1, str) for i in places.get(a1, ())]
        if not spots:
            spots = [i for i, place in enumerate(found) if place is None][:1]
        for index in spots:
            if found[index] is None:
                found[index] = value_range
    return [value_range or {} for value_range in found]


def grids_from(titles: Sequence[str], answer: Mapping[str, Any]) -> dict[str, Grid]:
    """Map a values:batchGet answer back to the titles, in request order."""
    ranges = answer.get("valueRanges") or []
    return {title: to_grid(r.get("values") or []) for title, r in zip(titles, ranges, strict=False)}


def to_grid(values: Sequence[Sequence[Any]]) -> Grid:
    """Rows of raw values; empty cells (the API sends "") become None.

    JSON gives only text, numbers, booleans and null, so rows without an empty cell are kept
    as they are, not copied (at a million rows a copy costs 130 MB while the answer is alive):
    the row scan runs in C, and only rows with a "" are rebuilt.
    """
    return [
        (row if isinstance(row, list) else list(row))
        if "" not in row
        else [None if v == "" else v for v in row]
        for row in values
    ]
