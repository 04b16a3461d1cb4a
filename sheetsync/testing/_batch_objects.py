"""batchUpdate requests on objects kept in a sheet: merges, named and protected ranges,
conditional formats, charts and the basic filter (developer metadata is in _metadata)."""

from __future__ import annotations

import copy
from collections.abc import Callable

from ._batch_cells import HANDLERS as _CELL_HANDLERS
from ._batch_cells import box_range, out_range, tidy_format
from ._common import (
    JsonDict,
    bad_request,
    fields_mask,
    mask_update,
    normalise_colors,
    strip_nulls,
)
from ._look_checks import check_chart, check_rule
from ._metadata import HANDLERS as _METADATA_HANDLERS
from ._state import Sheet, Spreadsheet

Handler = Callable[[Spreadsheet, JsonDict, str], "JsonDict | None"]


# ----------------------------------------------------------------------------- merges


def _intersects(a: JsonDict, b: tuple[int, int, int, int]) -> bool:
    r0, r1, c0, c1 = b
    return (
        int(a.get("startRowIndex", 0)) < r1
        and r0 < int(a.get("endRowIndex", 0))
        and int(a.get("startColumnIndex", 0)) < c1
        and c0 < int(a.get("endColumnIndex", 0))
    )


def _inside(merge: JsonDict, box: tuple[int, int, int, int]) -> bool:
    r0, r1, c0, c1 = box
    return (
        r0 <= int(merge.get("startRowIndex", 0))
        and int(merge.get("endRowIndex", 0)) <= r1
        and c0 <= int(merge.get("startColumnIndex", 0))
        and int(merge.get("endColumnIndex", 0)) <= c1
    )


def merge_cells(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    sheet, r0, r1, c0, c1 = ss.grid_bounds(request.get("range") or {}, where)
    kind = request.get("mergeType", "MERGE_ALL")
    if kind == "MERGE_ROWS":
        boxes = [(r, r + 1, c0, c1) for r in range(r0, r1)]
    elif kind == "MERGE_COLUMNS":
        boxes = [(r0, r1, c, c + 1) for c in range(c0, c1)]
    else:
        boxes = [(r0, r1, c0, c1)]
    merges = sheet.extras.setdefault("merges", [])
    merges[:] = [m for m in merges if not _inside(m, (r0, r1, c0, c1))]
    for box in boxes:
        if any(_intersects(m, box) for m in merges):
            raise bad_request(
                f"Invalid {where}: You can't merge cells that partially overlap a merge."
            )
        b0, b1, d0, d1 = box
        if (b1 - b0) * (d1 - d0) < 2:
            continue
        for row in range(b0, b1):
            for col in range(d0, d1):
                if (row, col) != (b0, d0) and (row, col) in sheet.cells:
                    cell = dict(sheet.cells[(row, col)])
                    cell.pop("userEnteredValue", None)
                    sheet.store(row, col, cell)
        merges.append(out_range(box_range(sheet.sheet_id, b0, b1, d0, d1)))
    return None


def unmerge_cells(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    sheet, r0, r1, c0, c1 = ss.grid_bounds(request.get("range") or {}, where)
    merges = sheet.extras.get("merges", [])
    sheet.extras["merges"] = [m for m in merges if not _intersects(m, (r0, r1, c0, c1))]
    return None


# ----------------------------------------------------------------------- named ranges


def add_named_range(ss: Spreadsheet, request: JsonDict, where: str) -> JsonDict:
    named = strip_nulls(copy.deepcopy(request.get("namedRange") or {}))
    name = str(named.get("name", ""))
    if not name or not (name[0].isalpha() or name[0] == "_") or " " in name:
        raise bad_request(f"Invalid {where}: Invalid name: {name!r}.")
    if any(n["name"].lower() == name.lower() for n in ss.named_ranges):
        raise bad_request(f"Invalid {where}: A named range with the name {name} already exists.")
    ss.grid_bounds(named.get("range") or {}, where)
    named["namedRangeId"] = named.get("namedRangeId") or ss.ids.next_str(
        "namedRange", lambda: ss.next_id("namedRange")
    )
    named["range"] = out_range(named.get("range") or {})
    ordered = {"namedRangeId": named.pop("namedRangeId"), **named}
    ss.named_ranges.append(ordered)
    return {"namedRange": copy.deepcopy(ordered)}


def _named(ss: Spreadsheet, named_id: str, where: str) -> JsonDict:
    for named in ss.named_ranges:
        if named["namedRangeId"] == named_id:
            return named
    raise bad_request(f"Invalid {where}: No named range with id: {named_id}")


def delete_named_range(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    ss.named_ranges.remove(_named(ss, str(request.get("namedRangeId")), where))
    return None


def update_named_range(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    given = request.get("namedRange") or {}
    named = _named(ss, str(given.get("namedRangeId")), where)
    mask_update(named, given, fields_mask(request, where))
    named["range"] = out_range(named.get("range") or {})
    return None


# ------------------------------------------------------------------- protected ranges


def _protected_sheet(ss: Spreadsheet, protected: JsonDict, where: str) -> Sheet:
    if "range" in protected:
        return ss.grid_bounds(protected["range"], where)[0]
    for named in ss.named_ranges:
        if named["namedRangeId"] == protected.get("namedRangeId"):
            return ss.grid_bounds(named["range"], where)[0]
    raise bad_request(f"Invalid {where}: A protected range needs a range or a named range.")


def add_protected_range(ss: Spreadsheet, request: JsonDict, where: str) -> JsonDict:
    given = strip_nulls(copy.deepcopy(request.get("protectedRange") or {}))
    sheet = _protected_sheet(ss, given, where)
    protected: JsonDict = {"protectedRangeId": ss.next_id("protectedRange")}
    for key, value in given.items():
        if key == "range":
            protected["range"] = out_range(value)
        elif key == "editors":
            protected["editors"] = {k: v for k, v in value.items() if v}
        elif value not in (False, "", None) and key != "protectedRangeId":
            protected[key] = value
    protected["requestingUserCanEdit"] = True
    if given.get("warningOnly"):
        protected.pop("editors", None)
    if "editors" not in protected:
        protected["editors"] = {}
    order = (
        "protectedRangeId",
        "range",
        "namedRangeId",
        "description",
        "warningOnly",
        "requestingUserCanEdit",
        "unprotectedRanges",
        "editors",
    )
    protected = {k: protected[k] for k in order if k in protected}
    reply = copy.deepcopy(protected)
    if ss.caller_email:
        # Google makes the requesting account an editor of the range it protects.
        users = protected["editors"].setdefault("users", [])
        if ss.caller_email not in users:
            users.append(ss.caller_email)
    sheet.extras.setdefault("protectedRanges", []).append(protected)
    return {"protectedRange": reply}


def _find_protected(ss: Spreadsheet, range_id: int, where: str) -> tuple[Sheet, JsonDict]:
    for sheet in ss.sheets:
        for protected in sheet.extras.get("protectedRanges", []):
            if int(protected["protectedRangeId"]) == range_id:
                return sheet, protected
    raise bad_request(f"Invalid {where}: No protected range with id: {range_id}")


def delete_protected_range(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    sheet, protected = _find_protected(ss, int(request.get("protectedRangeId", 0)), where)
    sheet.extras["protectedRanges"].remove(protected)
    return None


def update_protected_range(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    given = request.get("protectedRange") or {}
    _, protected = _find_protected(ss, int(given.get("protectedRangeId", 0)), where)
    mask_update(protected, given, fields_mask(request, where))
    return None


# ----------------------------------------------------------- formats, charts, filters


def add_conditional_format_rule(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    rule = strip_nulls(copy.deepcopy(request.get("rule") or {}))
    ranges = rule.get("ranges") or []
    if not ranges:
        raise bad_request(f"Invalid {where}: A conditional format rule needs at least one range.")
    check_rule(ss, rule, where)
    sheet = ss.grid_bounds(ranges[0], where)[0]
    rule["ranges"] = [out_range(r) for r in ranges]
    rules = sheet.extras.setdefault("conditionalFormats", [])
    index = int(request.get("index", 0))
    if index > len(rules):
        raise bad_request(f"Invalid {where}: index {index} is past the end of the rule list.")
    boolean = rule.get("booleanRule") or {}
    if "format" in boolean:  # echoed with its colours' *Style twins, as cell formats are
        boolean["format"] = tidy_format(boolean["format"])
    rules.insert(index, normalise_colors(rule))
    return None


def delete_conditional_format_rule(ss: Spreadsheet, request: JsonDict, where: str) -> JsonDict:
    sheet = ss.sheet_by_id(int(request.get("sheetId", 0)), where)
    rules = sheet.extras.get("conditionalFormats", [])
    index = int(request.get("index", 0))
    if not 0 <= index < len(rules):
        raise bad_request(f"Invalid {where}: No conditional format on sheet at index {index}")
    return {"rule": rules.pop(index)}


def add_chart(ss: Spreadsheet, request: JsonDict, where: str) -> JsonDict:
    chart = strip_nulls(copy.deepcopy(request.get("chart") or {}))
    check_chart(ss, chart, where)
    position = chart.get("position") or {}
    anchor = (position.get("overlayPosition") or {}).get("anchorCell") or {}
    sheet = ss.sheet_by_id(int(position.get("sheetId", anchor.get("sheetId", 0))), where)
    taken = {int(c["chartId"]) for s in ss.sheets for c in s.extras.get("charts", [])}
    chart["chartId"] = int(chart.get("chartId") or ss.next_id("chart", taken))
    if chart["chartId"] in taken:
        raise bad_request(f"Invalid {where}: An object with id {chart['chartId']} already exists.")
    chart = {"chartId": chart.pop("chartId"), **chart}
    sheet.extras.setdefault("charts", []).append(chart)
    return {"chart": copy.deepcopy(chart)}


def delete_embedded_object(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    object_id = int(request.get("objectId", 0))
    for sheet in ss.sheets:
        charts = sheet.extras.get("charts", [])
        for chart in charts:
            if int(chart["chartId"]) == object_id:
                charts.remove(chart)
                return None
    raise bad_request(f"Invalid {where}: No object with id: {object_id}")


def set_basic_filter(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    basic = strip_nulls(copy.deepcopy(request.get("filter") or {}))
    sheet, r0, r1, c0, c1 = ss.grid_bounds(basic.get("range") or {}, where)
    basic["range"] = out_range(box_range(sheet.sheet_id, r0, r1, c0, c1))
    sheet.extras["basicFilter"] = basic
    return None


def clear_basic_filter(ss: Spreadsheet, request: JsonDict, where: str) -> None:
    sheet = ss.sheet_by_id(int(request.get("sheetId", 0)), where)
    sheet.extras.pop("basicFilter", None)
    return None


HANDLERS: dict[str, Handler] = {
    **_CELL_HANDLERS,
    "mergeCells": merge_cells,
    "unmergeCells": unmerge_cells,
    "addNamedRange": add_named_range,
    "deleteNamedRange": delete_named_range,
    "updateNamedRange": update_named_range,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "updateProtectedRange": update_protected_range,
    "addConditionalFormatRule": add_conditional_format_rule,
    "deleteConditionalFormatRule": delete_conditional_format_rule,
    "addChart": add_chart,
    "deleteEmbeddedObject": delete_embedded_object,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
    **_METADATA_HANDLERS,
}
