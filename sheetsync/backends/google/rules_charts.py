"""The look of an output tab on Google Sheets: its colour rules and its charts.

Both go into the refresh's one batchUpdate (google/write.py calls these functions), and a
refresh replaces them, never adds to them: before an owned tab is rewritten, every chart on
it (`deleteEmbeddedObject`, by the chart ids the metadata call read) and every conditional
format rule of it (`deleteConditionalFormatRule` at index 0, once per rule the metadata call
counted: each deletion moves the later rules down one index, as the discovery document's
DeleteConditionalFormatRuleRequest says) is deleted; the plan's rules and charts are added
after the tab's cells. Nothing is ever deleted on a tab sheetsync does not own.

Colour rules (`ColourRule`) become `addConditionalFormatRule` requests with a BooleanRule
whose condition is CUSTOM_FORMULA (`"=" + formula`; the discovery document's ConditionValue:
"Formulas are supported (and must begin with an = or a '+')"), relative to the top-left cell
of the rule's range, as Sheets reads a custom formula. They are added at index 0, 1, 2... in
plan order: Sheets applies a tab's rules "in the same order as they appear in the list"
(Google's Sheets API guide "Conditional formatting"), so the plan's first rule has the
highest priority, as `ColourRule` asks. A rule may set only bold, italic, strikethrough,
foreground and background colours (discovery document, BooleanRule.format); the tones use
the text and background colours.

Charts (`ChartPlan`) become `addChart` requests: a basicChart of chartType BAR (horizontal)
or COLUMN, anchored on a cell (overlayPosition) with the plan's size in pixels. A chart with
a line series is a COMBO chart instead, whose series are COLUMN or LINE: Sheets' combo charts
draw only LINE, AREA and COLUMN series (discovery document, BasicChartSeries.type), so bars
cannot be combined with a line and a horizontal chart with a line stands as columns. The API
has no field that names a series (BasicChartSeries has none): the legend shows the header
cell above each series. So a chart whose categories and series all start on the same row,
right under a row with text above every series (the table's header row), is sent with that
row as its header (headerCount 1) and a legend, which then reads what the header cells say
(the plan's `Series.title` shows only where the header cell says it too); otherwise
headerCount is 0 (set, never left to Sheets to guess) and the legend is left out rather than
showing names Sheets makes up. The value axis takes its number format (percent) from the
cells the plan writes; the API has no number format for an axis, so `percent` needs nothing.
"""

from __future__ import annotations

from typing import Any

from sheetsync.backends.google.read import SheetInfo
from sheetsync.plan import Box, ChartPlan, ColourRule, Series, TabPlan, Tone

JsonDict = dict[str, Any]

TONES: dict[Tone, tuple[str, str | None]] = {
    "good": ("#C6EFCE", "#006100"),
    "warn": ("#FFEB9C", "#9C5700"),
    "bad": ("#FFC7CE", "#9C0006"),
    "band": ("#F2F2F2", None),
}
"""tone -> (background colour, text colour or None to keep the cell's own)."""


# ------------------------------------------------------------------------- the requests


def clear_requests(sheet: SheetInfo) -> list[JsonDict]:
    """Delete the charts and conditional format rules the metadata call found on `sheet`;
    nothing for a tab sheetsync does not own."""
    if not sheet.owned:
        return []
    charts = [{"deleteEmbeddedObject": {"objectId": chart_id}} for chart_id in sheet.chart_ids]
    rules = [
        {"deleteConditionalFormatRule": {"sheetId": sheet.sheet_id, "index": 0}}
        for _ in range(sheet.rule_count)
    ]
    return charts + rules


def look_requests(tab: TabPlan, sheet_id: int) -> list[JsonDict]:
    """Add the tab's colour rules (in plan order, the first the highest priority) and
    charts. Rules on an empty box and charts without a category are left out."""
    rules = [rule for rule in tab.rules if not _empty(rule.box)]
    charts = [chart for chart in tab.charts if not _empty(chart.categories)]
    return [
        *(rule_request(rule, sheet_id, index) for index, rule in enumerate(rules)),
        *(chart_request(chart, tab, sheet_id) for chart in charts),
    ]


def extent(tab: TabPlan) -> tuple[int, int]:
    """Rows and columns the tab's grid needs for its rules and charts (a chart may sit to
    the right of or below the table) and for its frozen columns: one column more than the
    frozen ones, as Sheets refuses to freeze every row ("You can't freeze all visible rows
    on the sheet.") and, we take it, every column."""
    charts = [chart for chart in tab.charts if not _empty(chart.categories)]
    boxes = [rule.box for rule in tab.rules]
    corners = [(0, tab.frozen_columns + 1 if tab.frozen_columns else 0)]
    for chart in charts:
        boxes += [chart.categories, *(series.values for series in chart.series)]
        corners.append((chart.anchor_row + 1, chart.anchor_column + 1))
    corners += [(box.bottom, box.right) for box in boxes if not _empty(box)]
    return max(row for row, _ in corners), max(column for _, column in corners)


# -------------------------------------------------------------------------- colour rules


def rule_request(rule: ColourRule, sheet_id: int, index: int) -> JsonDict:
    """addConditionalFormatRule for one plan rule, at `index` of the tab's rule list."""
    condition = {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": "=" + rule.formula}]}
    boolean = {"condition": condition, "format": tone_format(rule.tone)}
    return {
        "addConditionalFormatRule": {
            "rule": {"ranges": [grid_range(rule.box, sheet_id)], "booleanRule": boolean},
            "index": index,
        }
    }


def tone_format(tone: Tone) -> JsonDict:
    """The CellFormat a rule of `tone` applies: background colour, and text colour but for
    the band."""
    background, text = TONES[tone]
    fmt: JsonDict = {"backgroundColor": colour(background)}
    if text is not None:
        fmt["textFormat"] = {"foregroundColor": colour(text)}
    return fmt


def colour(hex_code: str) -> JsonDict:
    """A Color (components from 0 to 1) for `#RRGGBB`."""
    digits = hex_code.lstrip("#")
    red, green, blue = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return {"red": red, "green": green, "blue": blue}


def grid_range(box: Box, sheet_id: int) -> JsonDict:
    """A GridRange for a plan box (both 0-based, end exclusive)."""
    return {
        "sheetId": sheet_id,
        "startRowIndex": box.top,
        "endRowIndex": box.bottom,
        "startColumnIndex": box.left,
        "endColumnIndex": box.right,
    }


# -------------------------------------------------------------------------------- charts


def chart_request(chart: ChartPlan, tab: TabPlan, sheet_id: int) -> JsonDict:
    """addChart for one plan chart, anchored on its cell of the tab `sheet_id`."""
    headers = header_count(chart, tab)
    kind = chart_type(chart)
    basic: JsonDict = {
        "chartType": kind,
        "legendPosition": "BOTTOM_LEGEND" if headers and len(chart.series) > 1 else "NO_LEGEND",
        "headerCount": headers,
        "domains": [{"domain": _source(chart.categories, sheet_id, headers)}],
        "series": [_series(series, kind, sheet_id, headers) for series in chart.series],
    }
    anchor = {"sheetId": sheet_id, "rowIndex": chart.anchor_row, "columnIndex": chart.anchor_column}
    overlay = {"anchorCell": anchor, "widthPixels": chart.width, "heightPixels": chart.height}
    spec = {"title": chart.title, "basicChart": basic}
    return {"addChart": {"chart": {"spec": spec, "position": {"overlayPosition": overlay}}}}


def chart_type(chart: ChartPlan) -> str:
    """COMBO when a series is a line (its bars then stand as columns), else BAR for a
    horizontal chart and COLUMN for an upright one."""
    if any(series.line for series in chart.series):
        return "COMBO"
    return "BAR" if chart.horizontal else "COLUMN"


def header_count(chart: ChartPlan, tab: TabPlan) -> int:
    """1 when the categories and every series start on the same row, right under a row
    with text in the cell above each series (the legend's names); else 0."""
    top = chart.categories.top
    if top < 1 or any(series.values.top != top for series in chart.series):
        return 0
    above = tab.rows[top - 1] if top - 1 < len(tab.rows) else ()
    for series in chart.series:
        column = series.values.left
        cell = above[column].value if column < len(above) else None
        if not isinstance(cell, str) or not cell.strip():
            return 0
    return 1


def _series(series: Series, kind: str, sheet_id: int, headers: int) -> JsonDict:
    """A BasicChartSeries: its column of values, against the value axis (the bottom one for
    a BAR chart, the left one otherwise: the discovery document's BasicChartAxisPosition);
    its own type only in a COMBO chart, where BasicChartSeries.type is valid."""
    data: JsonDict = {
        "series": _source(series.values, sheet_id, headers),
        "targetAxis": "BOTTOM_AXIS" if kind == "BAR" else "LEFT_AXIS",
    }
    if kind == "COMBO":
        data["type"] = "LINE" if series.line else "COLUMN"
    return data


def _source(box: Box, sheet_id: int, headers: int) -> JsonDict:
    """ChartData over one column of the tab, with the header row(s) above it when used."""
    rows = Box(box.top - headers, box.left, box.bottom, box.left + 1)
    return {"sourceRange": {"sources": [grid_range(rows, sheet_id)]}}


def _empty(box: Box) -> bool:
    return box.bottom <= box.top or box.right <= box.left
