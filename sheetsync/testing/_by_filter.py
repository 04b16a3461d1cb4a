"""``spreadsheets.values.batchGetByDataFilter``: values:batchGet with the ranges in a POST body.

What rests on what:

- The request and answer shapes are the discovery document's BatchGetValuesByDataFilterRequest,
  BatchGetValuesByDataFilterResponse and MatchedValueRange: one MatchedValueRange per
  matching filter, ``{"valueRange": <a ValueRange, as values:batchGet gives it>,
  "dataFilters": [<the filter>]}``.
- A DataFilter sets exactly one of ``a1Range``, ``gridRange``, ``developerMetadataLookup``
  (Google's reference, DataFilter: "Union field filter ... can be only one of the following",
  https://developers.google.com/workspace/sheets/api/reference/rest/v4/DataFilter).
- The render options default as for values:batchGet (FORMATTED_VALUE, SERIAL_NUMBER, ROWS);
  ``majorDimension: DIMENSION_UNSPECIFIED`` is the proto3 zero value, i.e. not set: ROWS.
- An ``a1Range`` is read exactly as a values:batchGet range, with the same 400s (``Unable to
  parse range``, past the grid) that the recordings show for values:batchGet. No recording
  shows this method; these errors are the fake's assumption.
- A ``gridRange`` selects that box of its sheet (unbounded sides run to the grid's edge, as
  everywhere in the API); a box with no cells matches nothing, so it gives no entry.
- A ``developerMetadataLookup`` answers 400: the fake does not implement it (see _front).
"""

from __future__ import annotations

from typing import Any

from ._a1 import format_range
from ._batch_cells import out_range
from ._common import JsonDict, bad_request, strip_nulls
from ._state import Spreadsheet
from ._values import value_range

_KINDS = ("a1Range", "gridRange", "developerMetadataLookup")


def values_batch_get(ss: Spreadsheet, body: JsonDict) -> JsonDict:
    """POST .../values:batchGetByDataFilter (the body already checked against its schema)."""
    value_render = str(body.get("valueRenderOption") or "FORMATTED_VALUE")
    datetime_render = str(body.get("dateTimeRenderOption") or "SERIAL_NUMBER")
    major = str(body.get("majorDimension") or "ROWS")
    if major == "DIMENSION_UNSPECIFIED":
        major = "ROWS"
    matched: list[JsonDict] = []
    for index, given in enumerate(body.get("dataFilters") or []):
        where = f"dataFilters[{index}]"
        data_filter = strip_nulls(given or {})
        box = _box(ss, data_filter, where)
        if box is None:
            continue
        sheet, r0, r1, c0, c1 = box
        found = value_range(sheet, r0, r1, c0, c1, value_render, datetime_render, major)
        matched.append({"valueRange": found, "dataFilters": [_echo(data_filter)]})
    out: JsonDict = {"spreadsheetId": ss.spreadsheet_id}
    if matched:
        out["valueRanges"] = matched
    return out


def _box(ss: Spreadsheet, data_filter: JsonDict, where: str) -> Any:
    """(sheet, r0, r1, c0, c1) the filter selects, or None when it selects no cell."""
    kinds = [kind for kind in _KINDS if kind in data_filter]
    if len(kinds) != 1:
        raise bad_request(
            f"Invalid {where}: a DataFilter must set exactly one of a1Range, gridRange "
            "and developerMetadataLookup."
        )
    if kinds[0] == "developerMetadataLookup":
        raise bad_request(
            f"Invalid {where}.developerMetadataLookup: the sheetsync fake does not implement "
            "developer-metadata lookups in values:batchGetByDataFilter; use a1Range or "
            "gridRange."
        )
    if kinds[0] == "a1Range":
        return ss.read_bounds(str(data_filter["a1Range"]))
    sheet, r0, r1, c0, c1 = ss.grid_bounds(data_filter["gridRange"], f"{where}.gridRange")
    if r1 > sheet.row_count or c1 > sheet.column_count:
        shown = format_range(sheet.title, r0, r1, c0, c1)
        raise bad_request(
            f"Range ({shown}) exceeds grid limits. Max rows: {sheet.row_count}, "
            f"max columns: {sheet.column_count}"
        )
    if r0 == r1 or c0 == c1:
        return None
    return sheet, r0, r1, c0, c1


def _echo(data_filter: JsonDict) -> JsonDict:
    """The filter as the answer repeats it (a GridRange without its proto3-default sheetId 0,
    as the fake echoes GridRanges elsewhere)."""
    if "gridRange" in data_filter:
        return {"gridRange": out_range(data_filter["gridRange"])}
    return dict(data_filter)
