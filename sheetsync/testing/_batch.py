"""``spreadsheets.batchUpdate``: the dispatcher and the sheet, property and dimension requests.

The caller runs :func:`batch_update` on a deep copy of the spreadsheet and keeps the copy only
when it returns, so a batch is applied all or nothing, as Google does.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from . import _batch_objects as objects
from ._common import (
    JsonDict,
    bad_request,
    fields_mask,
    mask_update,
    normalise_colors,
    random_int32,
    strip_nulls,
)
from ._metadata import location_sheet
from ._state import Sheet, Spreadsheet, default_sheet_properties

Handler = Callable[[Spreadsheet, JsonDict, str], "JsonDict | None"]

_FALSY_SHEET_KEYS = ("hidden", "rightToLeft")
_FALSY_GRID_KEYS = (
    "frozenRowCount",
    "frozenColumnCount",
    "hideGridlines",
    "rowGroupControlAfter",
    "columnGroupControlAfter",
)


def batch_update(ss: Spreadsheet, body: JsonDict) -> JsonDict:
    """Apply every request in order; raises ApiError on the first invalid one."""
    requests = body.get("requests") or []
    if not requests:
        raise bad_request("Invalid requests: must specify at least one request.")
    replies: list[JsonDict] = []
    for index, request in enumerate(requests):
        kinds = [key for key, value in request.items() if value is not None]
        if not kinds:
            raise bad_request(f"Invalid requests[{index}]: No request set.")
        kind = kinds[0]
        handler = HANDLERS.get(kind)
        if handler is None:
            # A 400, not Google's 501 UNIMPLEMENTED, which clients retry (see _front).
            raise bad_request(
                f"Invalid requests[{index}].{kind}: the sheetsync fake does not implement "
                f"{kind} requests."
            )
        reply = handler(ss, request[kind], f"requests[{index}].{kind}")
        replies.append({kind: reply} if reply is not None else {})
    out: JsonDict = {"spreadsheetId": ss.spreadsheet_id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        ranges = body.get("responseRanges") or None
        out["updatedSpreadsheet"] = ss.to_json(
            ranges=ranges, include_grid_data=bool(body.get("responseIncludeGridData"))
        )
    return out


def tidy_sheet_properties(props: JsonDict) -> None:
    """Drop proto3 default values and mirror tab colours into their *Style twin."""
    for key in _FALSY_SHEET_KEYS:
        if not props.get(key, True):
            props.pop(key)
    grid = props.get("gridProperties", {})
    for key in _FALSY_GRID_KEYS:
        if not grid.get(key, True):
            grid.pop(key)
    if "tabColor" in props and "tabColorStyle" not in props:
        props["tabColorStyle"] = {"rgbColor": props["tabColor"]}
    style = props.get("tabColorStyle", {})
    if "rgbColor" in style and "tabColor" not in props:
        props["tabColor"] = copy.deepcopy(style["rgbColor"])
    if not props.get("tabColorStyle"):
        props.pop("tabColorStyle", None)
        props.pop("tabColor", None)
    for key in ("tabColor", "tabColorStyle"):
        if key in props:
            props[key] = normalise_colors(_bytes_color(props[key]))


def check_frozen(props: JsonDict, where: str) -> None:
    """Refuse freezing every row (Google: "You can't freeze all visible rows on the sheet.",
    as reported in theoephraim/node-google-spreadsheet#528) and, taken to be alike (no answer
    of Google's seen), every column."""
    grid = props.get("gridProperties") or {}
    for frozen, count, what in (("frozenRowCount", "rowCount", "rows"),
                                ("frozenColumnCount", "columnCount", "columns")):  # fmt: skip
        if int(grid.get(frozen, 0)) >= int(grid.get(count, 0)) > 0:
            raise bad_request(f"Invalid {where}: You can't freeze all visible {what} on the sheet.")


def _bytes_color(value: Any) -> Any:
    """Tab colours are stored as 8-bit RGB: 0.5 comes back as 0.49803922 (127/255)."""
    if isinstance(value, dict):
        return {
            k: int(float(v) * 255 + 1e-6) / 255
            if k in {"red", "green", "blue"} and isinstance(v, int | float)
            else _bytes_color(v)
            for k, v in value.items()
        }
    return value


# ------------------------------------------------------------------------------ sheets


def add_sheet(ss: Spreadsheet, request: JsonDict, where: str) -> JsonDict:
    given = copy.deepcopy(request.get("properties") or {})
    taken = {sheet.sheet_id for sheet in ss.sheets}
    if "sheetId" in given:
        sheet_id = int(given["sheetId"])
        if sheet_id in taken:
            raise bad_request(
                f"Invalid {where}: A sheet with the id {sheet_id} already exists. "
                "Please enter another id."
            )
        if sheet_id < 0:
            raise bad_request(f"Invalid {where}: sheetId must be non-negative.")
    else:
        sheet_id = ss.next_id("sheet", taken)
    title = given.get("title") or _free_title(ss)
    if any(sheet.title.lower() == str(title).lower() for sheet in ss.sheets):
        raise bad_request(
            f'Invalid {where}: A sheet with the name "{title}" already exists. '
            "Please enter another name."
        )
    index = int(given.get("index", len(ss.sheets)))
    props = default_sheet_properties(sheet_id, str(title), index)
    grid = {**props["gridProperties"], **given.pop("gridProperties", {})}
    props.update(given)
    props.update(sheetId=sheet_id, title=title, gridProperties=grid)
    tidy_sheet_properties(props)
    check_frozen(props, where)
    for sheet in ss.sheets:
        if int(sheet.properties["index"]) >= index:
            sheet.properties["index"] += 1
    ss.sheets.append(Sheet(properties=props))
    ss.reindex()
    if len(ss.sheets) and all(s.properties.get("hidden") for s in ss.sheets):
        raise bad_request(f"Invalid {where}: You can't hide all the sheets in a document.")
    return {"properties": copy.deepcopy(props)}


def _free_title(ss: Spreadsheet) -> str:
    titles = {sheet.title.lower() for sheet in ss.sheets}
    number = len(ss.sheets) + 1
    while f"sheet{number}" in titles:
        number += 1
    return f"Sheet{number}"


def delete_sheet(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    sheet = ss.sheet_by_id(int(request.get("sheetId", 0)), where)
    if len(ss.sheets) == 1:
        raise bad_request(f"Invalid {where}: You can't remove all the sheets in a document.")
    ss.sheets.remove(sheet)
    ss.reindex()
    if all(s.properties.get("hidden") for s in ss.sheets):
        raise bad_request(f"Invalid {where}: You can't hide all the sheets in a document.")
    sid = sheet.sheet_id
    ss.named_ranges = [n for n in ss.named_ranges if int(n["range"].get("sheetId", 0)) != sid]
    ss.developer_metadata = [
        m for m in ss.developer_metadata if location_sheet(m["location"]) != sid
    ]
    return None


def update_sheet_properties(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    given = request.get("properties") or {}
    sheet = ss.sheet_by_id(int(given.get("sheetId", 0)), where)
    mask = fields_mask(request, where)
    props = copy.deepcopy(sheet.properties)
    old_index = int(props["index"])
    mask_update(props, strip_nulls(given), mask)
    props["sheetId"] = sheet.sheet_id
    if not props.get("title"):
        raise bad_request(f"Invalid {where}: The sheet title cannot be empty.")
    for other in ss.sheets:
        if other is not sheet and other.title.lower() == str(props["title"]).lower():
            raise bad_request(
                f'Invalid {where}: A sheet with the name "{props["title"]}" already exists. '
                "Please enter another name."
            )
    tidy_sheet_properties(props)
    check_frozen(props, where)
    grid = props.setdefault("gridProperties", {})
    rows, columns = int(grid.get("rowCount", 0)), int(grid.get("columnCount", 0))
    if rows < 1 or columns < 1:
        raise bad_request(f"Invalid {where}: The grid must have at least one row and one column.")
    new_index = int(props.get("index", old_index))
    props["index"] = old_index
    sheet.properties = props
    sheet.set_size(rows, columns)
    if new_index != old_index:
        _move_sheet(ss, sheet, new_index)
    if all(s.properties.get("hidden") for s in ss.sheets):
        raise bad_request(f"Invalid {where}: You can't hide all the sheets in a document.")
    return None


def _move_sheet(ss: Spreadsheet, sheet: Sheet, new_index: int) -> None:
    old_index = ss.sheets.index(sheet)
    ss.sheets.pop(old_index)
    if new_index > old_index:
        new_index -= 1
    ss.sheets.insert(max(0, min(new_index, len(ss.sheets))), sheet)
    for index, item in enumerate(ss.sheets):
        item.properties["index"] = index


def update_spreadsheet_properties(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    mask_update(ss.properties, request.get("properties") or {}, fields_mask(request, where))
    if not ss.properties.get("title"):
        raise bad_request(f"Invalid {where}: The spreadsheet title cannot be empty.")
    return None


# -------------------------------------------------------------------------- dimensions


def _dimension(ss: Spreadsheet, rng: JsonDict, where: str) -> tuple[Sheet, bool, int, int]:
    sheet = ss.sheet_by_id(int(rng.get("sheetId", 0)), where)
    rows = rng.get("dimension") == "ROWS"
    if rng.get("dimension") not in {"ROWS", "COLUMNS"}:
        raise bad_request(f"Invalid {where}: dimension must be ROWS or COLUMNS.")
    size = sheet.row_count if rows else sheet.column_count
    start = int(rng.get("startIndex", 0))
    end = int(rng.get("endIndex", size))
    if not 0 <= start <= end or end > size:
        raise bad_request(f"Invalid {where}: Invalid dimension range [{start}, {end}).")
    return sheet, rows, start, end


def append_dimension(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    sheet = ss.sheet_by_id(int(request.get("sheetId", 0)), where)
    length = int(request.get("length", 0))
    if length < 1:
        raise bad_request(f"Invalid {where}: length must be at least 1.")
    if request.get("dimension") == "ROWS":
        sheet.set_size(rows=sheet.row_count + length)
    elif request.get("dimension") == "COLUMNS":
        sheet.set_size(columns=sheet.column_count + length)
    else:
        raise bad_request(f"Invalid {where}: dimension must be ROWS or COLUMNS.")
    return None


def _shift(index: int, at: int, delta: int) -> int | None:
    if delta < 0 and at <= index < at - delta:
        return None
    return index + delta if index >= at else index


def _shift_sheet(sheet: Sheet, rows: bool, at: int, delta: int) -> None:
    cells: dict[tuple[int, int], JsonDict] = {}
    for (r, c), cell in sheet.cells.items():
        moved = _shift(r if rows else c, at, delta)
        if moved is not None:
            cells[(moved, c) if rows else (r, moved)] = cell
    sheet.set_cells(cells)
    meta = sheet.row_meta if rows else sheet.col_meta
    shifted = {}
    for index, value in meta.items():
        moved = _shift(index, at, delta)
        if moved is not None:
            shifted[moved] = value
    meta.clear()
    meta.update(shifted)


def insert_dimension(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    sheet, rows, start, end = _dimension(ss, request.get("range") or {}, where)
    _shift_sheet(sheet, rows, start, end - start)
    if rows:
        sheet.set_size(rows=sheet.row_count + end - start)
    else:
        sheet.set_size(columns=sheet.column_count + end - start)
    return None


def delete_dimension(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    sheet, rows, start, end = _dimension(ss, request.get("range") or {}, where)
    size = sheet.row_count if rows else sheet.column_count
    if end - start >= size:
        what = "rows" if rows else "columns"
        raise bad_request(f"Invalid {where}: You can't delete all the {what} on the sheet.")
    _shift_sheet(sheet, rows, start, start - end)
    if rows:
        sheet.set_size(rows=size - (end - start))
    else:
        sheet.set_size(columns=size - (end - start))
    return None


def update_dimension_properties(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    sheet, rows, start, end = _dimension(ss, request.get("range") or {}, where)
    mask = fields_mask(request, where)
    meta = sheet.row_meta if rows else sheet.col_meta
    for index in range(start, end):
        current = meta.get(index, {})
        mask_update(current, request.get("properties") or {}, mask)
        for key in ("hiddenByUser", "hiddenByFilter"):
            if current.get(key) is False:
                current.pop(key)
        if current:
            meta[index] = current
        else:
            meta.pop(index, None)
    return None


def auto_resize_dimensions(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    # Pixel sizes depend on fonts; the fake only checks the range.
    _dimension(ss, request.get("dimensions") or {}, where)
    return None


def _group_range(rng: JsonDict) -> JsonDict:
    out: JsonDict = {
        k: rng[k] for k in ("sheetId", "dimension", "startIndex", "endIndex") if k in rng
    }
    if not out.get("sheetId"):
        out.pop("sheetId", None)
    return out


def add_dimension_group(ss: Spreadsheet, request: JsonDict, where: str) -> JsonDict:
    rng = request.get("range") or {}
    sheet, rows, start, end = _dimension(ss, rng, where)
    key = "rowGroups" if rows else "columnGroups"
    groups = sheet.extras.setdefault(key, [])
    depth = 1 + sum(
        1
        for g in groups
        if int(g["range"].get("startIndex", 0)) <= start and end <= int(g["range"]["endIndex"])
    )
    wanted = {"dimension": rng["dimension"], "startIndex": start, "endIndex": end}
    if any(g["range"] == _group_range(wanted) and g["depth"] == depth for g in groups):
        raise bad_request(f"Invalid {where}: A group with this range already exists.")
    groups.append({"range": _group_range({"sheetId": sheet.sheet_id, **wanted}), "depth": depth})
    groups.sort(key=lambda g: (g["depth"], g["range"]["startIndex"]))
    grid = sheet.properties.setdefault("gridProperties", {})
    grid["rowGroupControlAfter" if rows else "columnGroupControlAfter"] = True
    return {"dimensionGroups": copy.deepcopy(groups)}


def delete_dimension_group(ss: Spreadsheet, request: JsonDict, where: str) -> JsonDict:
    rng = request.get("range") or {}
    sheet, rows, start, end = _dimension(ss, rng, where)
    key = "rowGroups" if rows else "columnGroups"
    groups = sheet.extras.get(key, [])
    for group in sorted(groups, key=lambda g: -int(g["depth"])):
        grange = group["range"]
        if int(grange.get("startIndex", 0)) == start and int(grange["endIndex"]) == end:
            groups.remove(group)
            break
    else:
        raise bad_request(f"Invalid {where}: No group with this range exists.")
    return {"dimensionGroups": copy.deepcopy(groups)} if groups else {}


HANDLERS: dict[str, Handler] = {
    "addDimensionGroup": add_dimension_group,
    "deleteDimensionGroup": delete_dimension_group,
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "appendDimension": append_dimension,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "updateDimensionProperties": update_dimension_properties,
    "autoResizeDimensions": auto_resize_dimensions,
    **objects.HANDLERS,
}

__all__ = ["HANDLERS", "batch_update", "random_int32"]
