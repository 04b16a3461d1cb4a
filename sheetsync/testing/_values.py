"""The ``spreadsheets.values`` endpoints: get, batchGet, update, batchUpdate, append, clear,
batchClear. Every function takes the spreadsheet, the query parameters (a dict of lists) and the
JSON body, and returns the JSON answer or raises ApiError."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._a1 import column_letters, format_range, parse_a1
from ._cells import python_to_cell, render_value
from ._common import JsonDict, bad_request
from ._state import Sheet, Spreadsheet

Params = Mapping[str, Sequence[str]]
_EXACT = 2**53  # integral floats below this are answered as integers (see _cells._tidy)

_ENUMS = {
    "valueRenderOption": ("ValueRenderOption", {"FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"}),
    "responseValueRenderOption": (
        "ValueRenderOption",
        {"FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"},
    ),
    "dateTimeRenderOption": ("DateTimeRenderOption", {"SERIAL_NUMBER", "FORMATTED_STRING"}),
    "responseDateTimeRenderOption": (
        "DateTimeRenderOption",
        {"SERIAL_NUMBER", "FORMATTED_STRING"},
    ),
    "majorDimension": ("Dimension", {"ROWS", "COLUMNS"}),
    "valueInputOption": ("ValueInputOption", {"RAW", "USER_ENTERED"}),
    "insertDataOption": ("InsertDataOption", {"OVERWRITE", "INSERT_ROWS"}),
}


def param(params: Params, name: str, default: str = "") -> str:
    """A single query parameter, checked against its enum when it has one."""
    values = params.get(name) or [default]
    value = values[-1]
    if name in _ENUMS and value:
        type_name, allowed = _ENUMS[name]
        if value not in allowed:
            field = "".join("_" + c.lower() if c.isupper() else c for c in name)
            raise bad_request(
                f"Invalid value at '{field}' "
                f'(type.googleapis.com/google.apps.sheets.v4.{type_name}), "{value}"'
            )
    return value


def _flag(params: Params, name: str) -> bool:
    return param(params, name, "false").lower() == "true"


# ----------------------------------------------------------------------------- reads


def read_range(
    ss: Spreadsheet, text: str, value_render: str, datetime_render: str, major: str
) -> JsonDict:
    """One ValueRange, trimmed the way Google trims it."""
    sheet, r0, r1, c0, c1 = ss.read_bounds(text)
    return value_range(sheet, r0, r1, c0, c1, value_render, datetime_render, major)


def value_range(
    sheet: Sheet,
    r0: int,
    r1: int,
    c0: int,
    c1: int,
    value_render: str,
    datetime_render: str,
    major: str,
) -> JsonDict:
    # Only stored cells are visited (a tab of 1,000 x 26 with 20 filled cells costs 20
    # renders, not 26,000); each line is built up to its last non-blank value, which is
    # Google's trimming of trailing blanks. Plain numbers and text read unformatted (what a
    # bulk read asks for) are rendered inline, as render_value would.
    plain = value_render != "FORMATTED_VALUE" and datetime_render == "SERIAL_NUMBER"
    swap = major == "COLUMNS"
    lines: dict[int, list[Any]] = {}
    for (row, col), cell in sheet.box(r0, r1, c0, c1):
        entered = cell.get("userEnteredValue")
        if not entered:
            continue  # blank under every render option
        if plain and len(entered) == 1 and "numberValue" in entered:
            value = entered["numberValue"]
            if isinstance(value, float):
                value = float(value)
                if value.is_integer() and -_EXACT < value < _EXACT:
                    value = int(value)
        elif plain and len(entered) == 1 and "stringValue" in entered:
            value = entered["stringValue"]
        else:
            value = render_value(cell, value_render, datetime_render)
        if value == "":
            continue
        line, index = (col - c0, row - r0) if swap else (row - r0, col - c0)
        found = lines.get(line)
        if found is None:
            found = lines[line] = []
        width = len(found)
        if index == width:
            found.append(value)
        elif index > width:
            found.extend([""] * (index - width))
            found.append(value)
        else:
            found[index] = value  # cells come in any order: fill a blank left for it
    grid = [lines.get(line, []) for line in range(max(lines) + 1)] if lines else []
    out: JsonDict = {"range": format_range(sheet.title, r0, r1, c0, c1), "majorDimension": major}
    if grid:
        out["values"] = grid
    return out


def _read_options(params: Params, prefix: str = "") -> tuple[str, str, str]:
    value_render = param(
        params,
        prefix + ("valueRenderOption" if not prefix else "ValueRenderOption"),
        "FORMATTED_VALUE",
    )
    datetime_render = param(
        params,
        prefix + ("dateTimeRenderOption" if not prefix else "DateTimeRenderOption"),
        "SERIAL_NUMBER",
    )
    return value_render, datetime_render, param(params, "majorDimension", "ROWS") or "ROWS"


def values_get(ss: Spreadsheet, range_text: str, params: Params) -> JsonDict:
    """GET .../values/{range}"""
    return read_range(ss, range_text, *_read_options(params))


def values_batch_get(ss: Spreadsheet, params: Params) -> JsonDict:
    """GET .../values:batchGet?ranges=...&ranges=..."""
    options = _read_options(params)
    ranges = list(params.get("ranges", []))
    out: JsonDict = {"spreadsheetId": ss.spreadsheet_id}
    if ranges:
        out["valueRanges"] = [read_range(ss, text, *options) for text in ranges]
    return out


# ---------------------------------------------------------------------------- writes


def _input_option(value: str) -> bool:
    if not value:
        raise bad_request("'valueInputOption' is required but not specified")
    return value == "USER_ENTERED"


def _rows_of(body: JsonDict, where: str) -> list[list[Any]]:
    values = body.get("values") or []
    rows = [list(row) for row in values]
    if body.get("majorDimension") == "COLUMNS":
        width = max((len(col) for col in rows), default=0)
        rows = [[col[i] if i < len(col) else None for col in rows] for i in range(width)]
    return rows


def write_values(
    ss: Spreadsheet,
    range_text: str,
    body: JsonDict,
    user_entered: bool,
    *,
    where: str = "data",
) -> tuple[Sheet, JsonDict]:
    """Write a ValueRange at a range; returns the sheet and an UpdateValuesResponse."""
    if body.get("range") and body["range"] != range_text and where == "data":
        raise bad_request(
            f"Requested writing within range [{range_text}], but the request body has "
            f"range [{body['range']}]"
        )
    sheet, r0, r1, c0, c1 = ss.resolve_range(range_text)
    rows = _rows_of(body, where)
    height = len(rows)
    width = max((len(row) for row in rows), default=0)
    explicit_end = _is_bounded(range_text)
    if explicit_end and (r0 + height > r1 or c0 + width > c1):
        if r0 + height > r1:
            problem = f"row [{r0 + height}]"
        else:
            problem = f"column [{column_letters(c0 + width - 1)}]"
        raise bad_request(
            f"Requested writing within range [{range_text}], but tried writing to {problem}"
        )
    sheet.grow_to(r0 + height, c0 + width)
    written: list[tuple[int, int]] = []
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            patch = python_to_cell(value, user_entered=user_entered)
            if patch is not None:
                sheet.update_cell(r0 + i, c0 + j, patch)
                written.append((i, j))
    out: JsonDict = {"spreadsheetId": ss.spreadsheet_id}
    if written:
        out["updatedRange"] = format_range(sheet.title, r0, r0 + height, c0, c0 + width)
        out["updatedRows"] = len({i for i, _ in written})
        out["updatedColumns"] = len({j for _, j in written})
        out["updatedCells"] = len(written)
    else:
        out["updatedRange"] = format_range(sheet.title, r0, r1, c0, c1)
    return sheet, out


def _is_bounded(range_text: str) -> bool:
    cells = range_text.rpartition("!")[2] if "!" in range_text else range_text
    return (
        ":" in cells
        and any(ch.isdigit() for ch in cells.partition(":")[2])
        and any(ch.isalpha() for ch in cells.partition(":")[2])
    )


def _with_data(
    ss: Spreadsheet, out: JsonDict, params: Params, sheet: Sheet, updated: str | None
) -> None:
    if updated and _flag(params, "includeValuesInResponse"):
        value_render, datetime_render, _ = _read_options(params, "response")
        out["updatedData"] = read_range(ss, updated, value_render, datetime_render, "ROWS")


def values_update(ss: Spreadsheet, range_text: str, params: Params, body: JsonDict) -> JsonDict:
    """PUT .../values/{range}"""
    user_entered = _input_option(param(params, "valueInputOption"))
    sheet, out = write_values(ss, range_text, body, user_entered)
    _with_data(ss, out, params, sheet, out.get("updatedRange"))
    return out


def values_batch_update(ss: Spreadsheet, body: JsonDict) -> JsonDict:
    """POST .../values:batchUpdate"""
    user_entered = _input_option(str(body.get("valueInputOption", "")))
    responses = []
    rows: set[tuple[int, int]] = set()
    cols: set[tuple[int, int]] = set()
    sheets: set[int] = set()
    total_cells = 0
    for index, item in enumerate(body.get("data", [])):
        if not item.get("range"):
            raise bad_request(f"Invalid data[{index}]: No range specified.")
        sheet, out = write_values(ss, item["range"], item, user_entered, where=f"data[{index}]")
        responses.append(out)
        if out.get("updatedCells"):
            _, r0, r1, c0, c1 = ss.resolve_range(out["updatedRange"])
            rows.update((sheet.sheet_id, r) for r in range(r0, r1))
            cols.update((sheet.sheet_id, c) for c in range(c0, c1))
            sheets.add(sheet.sheet_id)
            total_cells += int(out["updatedCells"])
    result: JsonDict = {"spreadsheetId": ss.spreadsheet_id}
    if total_cells:
        result.update(
            totalUpdatedRows=len(rows),
            totalUpdatedColumns=len(cols),
            totalUpdatedCells=total_cells,
            totalUpdatedSheets=len(sheets),
        )
    if responses:
        result["responses"] = responses
    return result


def values_append(ss: Spreadsheet, range_text: str, params: Params, body: JsonDict) -> JsonDict:
    """POST .../values/{range}:append, with Google's table detection (roughly)."""
    user_entered = _input_option(param(params, "valueInputOption"))
    insert = param(params, "insertDataOption", "OVERWRITE") == "INSERT_ROWS"
    sheet, r0, r1, c0, c1 = ss.resolve_range(range_text)
    r1, c1 = min(r1, sheet.row_count), min(c1, sheet.column_count)
    whole_sheet = not parse_a1(range_text).cells
    table = _find_table(sheet, r0, r1, c0, c1, prefer_start=not whole_sheet)
    out: JsonDict = {"spreadsheetId": ss.spreadsheet_id}
    if table is None:
        target_row, target_col = r0, c0
    else:
        t_r0, t_r1, t_c0, t_c1 = table
        out["tableRange"] = format_range(sheet.title, t_r0, t_r1, t_c0, t_c1)
        target_row, target_col = t_r1, t_c0
    rows = _rows_of(body, "data")
    if insert and rows:
        _insert_rows(sheet, target_row, len(rows))
    start = format_range(sheet.title, target_row, target_row + 1, target_col, target_col + 1)
    _, updates = write_values(ss, start, body, user_entered, where="append")
    out["updates"] = updates
    _with_data(ss, updates, params, sheet, updates.get("updatedRange"))
    return out


def _find_table(
    sheet: Sheet, r0: int, r1: int, c0: int, c1: int, *, prefer_start: bool
) -> tuple[int, int, int, int] | None:
    first = next(
        (r for r in range(r0, r1) if any(sheet.has_value(r, c) for c in range(c0, c1))), None
    )
    if first is None:
        return None
    runs: list[tuple[int, int]] = []
    col = c0
    while col < c1:
        if sheet.has_value(first, col):
            start = col
            while col < c1 and sheet.has_value(first, col):
                col += 1
            runs.append((start, col))
        col += 1
    start_col, end_col = runs[-1]
    if prefer_start:
        start_col, end_col = next((run for run in runs if run[0] == c0), runs[-1])
    last = first
    while last + 1 < r1 and any(sheet.has_value(last + 1, c) for c in range(start_col, end_col)):
        last += 1
    return first, last + 1, start_col, end_col


def _insert_rows(sheet: Sheet, at: int, count: int) -> None:
    sheet.set_cells(
        {(r + count if r >= at else r, c): cell for (r, c), cell in sheet.cells.items()}
    )
    sheet.set_size(rows=sheet.row_count + count)


def clear_range(ss: Spreadsheet, range_text: str) -> str:
    """Clear the values (not the formats) of a range; returns the cleared A1 range."""
    sheet, r0, r1, c0, c1 = ss.resolve_range(range_text)
    r1, c1 = min(r1, sheet.row_count), min(c1, sheet.column_count)
    for (row, col), cell in list(sheet.cells.items()):
        if r0 <= row < r1 and c0 <= col < c1:
            cell = dict(cell)
            cell.pop("userEnteredValue", None)
            sheet.store(row, col, cell)
    return format_range(sheet.title, r0, r1, c0, c1)


def values_clear(ss: Spreadsheet, range_text: str) -> JsonDict:
    """POST .../values/{range}:clear"""
    return {"spreadsheetId": ss.spreadsheet_id, "clearedRange": clear_range(ss, range_text)}


def values_batch_clear(ss: Spreadsheet, body: JsonDict) -> JsonDict:
    """POST .../values:batchClear"""
    cleared = [clear_range(ss, text) for text in body.get("ranges", [])]
    out: JsonDict = {"spreadsheetId": ss.spreadsheet_id}
    if cleared:
        out["clearedRanges"] = cleared
    return out
