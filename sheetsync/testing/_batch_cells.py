"""batchUpdate requests that write cells: updateCells, repeatCell, setDataValidation,
sortRange, copyPaste and cutPaste."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ._cells import effective_value
from ._common import (
    JsonDict,
    bad_request,
    fields_mask,
    mask_update,
    normalise_colors,
    strip_nulls,
)
from ._state import Sheet, Spreadsheet

Handler = Callable[[Spreadsheet, JsonDict, str], "JsonDict | None"]


def out_range(grid_range: JsonDict) -> JsonDict:
    """A GridRange as Google echoes it: sheetId 0 is omitted (proto3 default)."""
    out = dict(grid_range)
    if not out.get("sheetId"):
        out.pop("sheetId", None)
    return out


def tidy_format(fmt: JsonDict) -> JsonDict:
    """Round colours and mirror ``backgroundColor``/``foregroundColor`` into their Style."""
    fmt = normalise_colors(fmt)
    if "backgroundColor" in fmt and "backgroundColorStyle" not in fmt:
        fmt["backgroundColorStyle"] = {"rgbColor": copy.deepcopy(fmt["backgroundColor"])}
    text = fmt.get("textFormat")
    if isinstance(text, dict) and "foregroundColor" in text and "foregroundColorStyle" not in text:
        text["foregroundColorStyle"] = {"rgbColor": copy.deepcopy(text["foregroundColor"])}
    return fmt


def box_range(sheet_id: int, r0: int, r1: int, c0: int, c1: int) -> JsonDict:
    return {
        "sheetId": sheet_id,
        "startRowIndex": r0,
        "endRowIndex": r1,
        "startColumnIndex": c0,
        "endColumnIndex": c1,
    }


def _check_cell(cell: JsonDict, where: str) -> None:
    value = cell.get("userEnteredValue")
    if (
        isinstance(value, dict)
        and len(value) > 1
        and len([v for v in value.values() if v is not None]) > 1
    ):
        raise bad_request(f"Invalid {where}: a userEnteredValue may only set one kind of value.")


_EMPTY: tuple[Any, ...] = ("", None, {})


class _CellWriter:
    """Applies CellData to cells under a field mask (updateCells, repeatCell).

    Stored cells are never changed in place (see ``_sheet``): each write builds a new dict.
    A mask of top-level fields only (``userEnteredValue,userEnteredFormat``: what sheetsync
    sends) takes a short path that copies nothing but the written fields; nested masks go
    through mask_update on a shallow copy of the cell.
    """

    def __init__(self, sheet: Sheet, mask: Any) -> None:
        self.sheet = sheet
        self.mask = mask
        self.fields: tuple[str, ...] | None = None
        if isinstance(mask, dict) and "*" not in mask and all(v is None for v in mask.values()):
            self.fields = tuple(mask)

    def patch(self, source: JsonDict) -> dict[str, Any]:
        """The new value of each masked field (None: remove the field)."""
        assert self.fields is not None
        patch: dict[str, Any] = {}
        for key in self.fields:
            value = source.get(key)
            if value is not None:
                value = strip_nulls(value)
                if key == "userEnteredFormat" and isinstance(value, dict):
                    value = tidy_format(value)
            patch[key] = None if value in _EMPTY else value
        return patch

    def apply(self, row: int, col: int, source: JsonDict, patch: dict[str, Any] | None) -> None:
        existing = self.sheet.cells.get((row, col))
        if self.fields is None:
            cell = dict(existing or {})
            mask_update(cell, strip_nulls(source), self.mask)
            if "userEnteredFormat" in cell:
                cell["userEnteredFormat"] = tidy_format(cell["userEnteredFormat"])
        elif existing is None:
            if patch is None:
                patch = self.patch(source)
            cell = {key: value for key, value in patch.items() if value is not None}
            if not cell:
                return
        else:
            if patch is None:
                patch = self.patch(source)
            cell = dict(existing)
            for key, value in patch.items():
                if value is None:
                    cell.pop(key, None)
                else:
                    cell[key] = value
        for key in [k for k, v in cell.items() if v in _EMPTY]:
            cell.pop(key)
        self.sheet.store(row, col, cell)


def update_cells(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    mask = fields_mask(request, where)
    rows = request.get("rows") or []
    if "range" in request and request["range"] is not None:
        sheet, r0, r1, c0, c1 = ss.grid_bounds(request["range"], where)
        bounded = True
    else:
        start = request.get("start") or {}
        sheet = ss.sheet_by_id(int(start.get("sheetId", 0)), where)
        r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
        r1 = r0 + len(rows)
        c1 = c0 + max((len(row.get("values") or []) for row in rows), default=0)
        bounded = False
    if r1 > sheet.row_count or c1 > sheet.column_count:
        raise bad_request(
            f"Invalid {where}: Range ({r0}:{r1}, {c0}:{c1}) exceeds grid limits. "
            f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}"
        )
    writer = _CellWriter(sheet, mask)
    blank = writer.patch({}) if writer.fields is not None else None
    for i in range(r1 - r0):
        values = (rows[i].get("values") or []) if i < len(rows) else []
        for j in range(c1 - c0):
            if j < len(values):
                source = values[j] or {}
                _check_cell(source, where)
                writer.apply(r0 + i, c0 + j, source, None)
            elif bounded:
                # Past the given values, a bounded range clears the masked fields.
                writer.apply(r0 + i, c0 + j, {}, blank)
    return None


def repeat_cell(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    mask = fields_mask(request, where)
    sheet, r0, r1, c0, c1 = ss.grid_bounds(request.get("range") or {}, where)
    source = request.get("cell") or {}
    _check_cell(source, where)
    writer = _CellWriter(sheet, mask)
    patch = writer.patch(source) if writer.fields is not None else None
    for row in range(r0, r1):
        for col in range(c0, c1):
            writer.apply(row, col, source, patch)
    return None


def set_data_validation(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    sheet, r0, r1, c0, c1 = ss.grid_bounds(request.get("range") or {}, where)
    rule = request.get("rule")
    for row in range(r0, r1):
        for col in range(c0, c1):
            cell = dict(sheet.cells.get((row, col), {}))
            if rule:
                cell["dataValidation"] = copy.deepcopy(rule)
            else:
                cell.pop("dataValidation", None)
            sheet.store(row, col, cell)
    return None


def sort_range(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    sheet, r0, r1, c0, c1 = ss.grid_bounds(request.get("range") or {}, where)
    rows = [{c: sheet.cells.get((r, c)) for c in range(c0, c1)} for r in range(r0, r1)]
    for spec in reversed(request.get("sortSpecs") or []):
        column = int(spec.get("dimensionIndex", 0))
        descending = spec.get("sortOrder") == "DESCENDING"
        present = [row for row in rows if _sort_key(row.get(column))[0] < 3]
        empty = [row for row in rows if _sort_key(row.get(column))[0] == 3]
        present.sort(key=lambda row: _sort_key(row.get(column)), reverse=descending)
        rows = present + empty
    for offset, row in enumerate(rows):
        for col, cell in row.items():
            sheet.store(r0 + offset, col, cell or {})
    return None


def _sort_key(cell: JsonDict | None) -> tuple[int, Any]:
    value = effective_value(cell) if cell else None
    if not value:
        return (3, "")
    if "numberValue" in value:
        return (0, float(value["numberValue"]))
    if "stringValue" in value:
        return (1, str(value["stringValue"]).lower())
    if "boolValue" in value:
        return (2, bool(value["boolValue"]))
    return (2, "")


_PASTE_KEEPS: dict[str, set[str] | None] = {
    "PASTE_NORMAL": None,
    "PASTE_VALUES": {"userEnteredValue"},
    "PASTE_FORMAT": {"userEnteredFormat"},
    "PASTE_NO_BORDERS": None,
    "PASTE_FORMULA": {"userEnteredValue"},
    "PASTE_DATA_VALIDATION": {"dataValidation"},
    "PASTE_CONDITIONAL_FORMATTING": set(),
}
_PASTED = ("userEnteredValue", "userEnteredFormat", "dataValidation")


def _paste_part(cell: JsonDict, paste_type: str) -> JsonDict:
    """What a paste of `paste_type` takes from a source cell: the cell itself (a whole
    paste), or a new dict with some of its fields. Nothing is copied deeper: stored cells
    and what they hold are never changed in place (see ``_sheet``), so a pasted cell may
    share them with its source, as cells written by one repeatCell share their format."""
    keep = _PASTE_KEEPS.get(paste_type)
    return cell if keep is None else {k: v for k, v in cell.items() if k in keep}


def copy_paste(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    sheet, r0, r1, c0, c1 = ss.grid_bounds(request.get("source") or {}, where)
    target, t0, t1, d0, d1 = ss.grid_bounds(request.get("destination") or {}, where)
    paste_type = str(request.get("pasteType", "PASTE_NORMAL"))
    height, width = r1 - r0, c1 - c0
    parts = {
        (r, c): _paste_part(sheet.cells.get((r0 + r, c0 + c), {}), paste_type)
        for r in range(height)
        for c in range(width)
    }
    rows = max(height, (t1 - t0) // height * height) if height else 0
    cols = max(width, (d1 - d0) // width * width) if width else 0
    transpose = request.get("pasteOrientation") == "TRANSPOSE"
    target.grow_to(t0 + (cols if transpose else rows), d0 + (rows if transpose else cols))
    normal = paste_type == "PASTE_NORMAL"
    for sr in range(rows):
        for sc in range(cols):
            part = parts[(sr % height, sc % width)]
            r, c = (sc, sr) if transpose else (sr, sc)
            existing = None if normal else target.cells.get((t0 + r, d0 + c))
            if existing:  # the fields pasted replace the cell's, moved to its end
                cell = dict(existing)
                for key in _PASTED:
                    if key in part:
                        cell.pop(key, None)
                cell.update(part)
            else:  # the part as it is, stored (and shared) unchanged, like any cell
                cell = part
            target.store(t0 + r, d0 + c, cell)
    return None


def cut_paste(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    sheet, r0, r1, c0, c1 = ss.grid_bounds(request.get("source") or {}, where)
    anchor = request.get("destination") or {}
    target = ss.sheet_by_id(int(anchor.get("sheetId", 0)), where)
    t0, d0 = int(anchor.get("rowIndex", 0)), int(anchor.get("columnIndex", 0))
    paste_type = str(request.get("pasteType", "PASTE_NORMAL"))
    moved = {
        (r - r0, c - c0): _paste_part(cell, paste_type)
        for (r, c), cell in list(sheet.box(r0, r1, c0, c1))
    }
    for r, c in [(r0 + r, c0 + c) for r, c in moved]:
        sheet.store(r, c, {})
    target.grow_to(t0 + r1 - r0, d0 + c1 - c0)
    for r in range(r1 - r0):
        for c in range(c1 - c0):
            target.store(t0 + r, d0 + c, moved.get((r, c), {}))
    return None


HANDLERS: dict[str, Handler] = {
    "updateCells": update_cells,
    "repeatCell": repeat_cell,
    "setDataValidation": set_data_validation,
    "sortRange": sort_range,
    "copyPaste": copy_paste,
    "cutPaste": cut_paste,
}
