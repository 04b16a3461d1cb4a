"""What Google refuses in a conditional format rule or a basic chart, beyond the schema.

The schema check (``_schema``) knows field names and types only; the rules below are the ones
the discovery document states in its descriptions (and, for a chart's source ranges, the
wording of Google's own answer), each quoted where it is checked. Where unsure, the fake lets
a request through rather than refuse one Google accepts. Chart kinds other than
``basicChart`` are stored without these checks.
"""

from __future__ import annotations

from typing import Any

from ._common import JsonDict, bad_request
from ._state import Spreadsheet

#: BooleanRule.format: "Conditional formatting can only apply a subset of formatting: bold,
#: italic, strikethrough, foreground color and, background color." (Underline is offered by
#: the Sheets editor's conditional formatting too, so it is let through.)
_RULE_FORMAT = {"backgroundColor", "backgroundColorStyle", "textFormat"}
_RULE_TEXT = {
    "bold",
    "italic",
    "strikethrough",
    "underline",
    "foregroundColor",
    "foregroundColorStyle",
}
#: BasicChartSeries.type: "Valid only if the chartType is COMBO. ... Only LINE, AREA, and
#: COLUMN are supported."
_COMBO_SERIES = {"LINE", "AREA", "COLUMN"}


def check_rule(ss: Spreadsheet, rule: JsonDict, where: str) -> None:
    """Refuse a ConditionalFormatRule Google would refuse."""
    kinds = [key for key in ("booleanRule", "gradientRule") if rule.get(key)]
    if len(kinds) != 1:
        raise bad_request(
            f"Invalid {where}: A conditional format rule needs exactly one of "
            "booleanRule and gradientRule."
        )
    # ConditionalFormatRule.ranges: "All the ranges must be on the same grid."
    sheets = {ss.grid_bounds(r, where)[0].sheet_id for r in rule.get("ranges") or []}
    if len(sheets) > 1:
        raise bad_request(f"Invalid {where}: All the ranges must be on the same grid.")
    if kinds == ["booleanRule"]:
        _check_condition(rule["booleanRule"].get("condition") or {}, where)
        _check_format(rule["booleanRule"].get("format") or {}, where)


def _check_condition(condition: JsonDict, where: str) -> None:
    kind = condition.get("type", "CONDITION_TYPE_UNSPECIFIED")
    if kind == "CONDITION_TYPE_UNSPECIFIED":
        raise bad_request(f"Invalid {where}: booleanRule.condition.type must be specified.")
    if kind != "CUSTOM_FORMULA":
        return
    values = condition.get("values") or []
    # ConditionValue.userEnteredValue: "Formulas are supported (and must begin with an `=`
    # or a '+')"; a custom formula condition takes exactly one.
    text = str(values[0].get("userEnteredValue", "")) if len(values) == 1 else ""
    if not text.startswith(("=", "+")):
        raise bad_request(
            f"Invalid {where}: CUSTOM_FORMULA needs exactly one value, a formula "
            "that begins with '='."
        )


def _check_format(fmt: JsonDict, where: str) -> None:
    extra = (set(fmt) - _RULE_FORMAT) | (set(fmt.get("textFormat") or {}) - _RULE_TEXT)
    if extra:
        raise bad_request(
            f"Invalid {where}: Conditional formatting can only apply bold, italic, "
            f"strikethrough, foreground and background color, not {sorted(extra)}."
        )


def check_chart(ss: Spreadsheet, chart: JsonDict, where: str) -> None:
    """Refuse a basic chart Google would refuse (other chart kinds are not checked)."""
    basic = (chart.get("spec") or {}).get("basicChart")
    if not basic:
        return
    kind = basic.get("chartType", "BASIC_CHART_TYPE_UNSPECIFIED")
    if kind == "BASIC_CHART_TYPE_UNSPECIFIED":
        raise bad_request(f"Invalid {where}: basicChart.chartType must be specified.")
    domains = basic.get("domains") or []
    if len(domains) > 1:  # BasicChartSpec.domains: "Only a single domain is supported."
        raise bad_request(f"Invalid {where}: Only a single domain is supported.")
    counts = {_sources(ss, d.get("domain") or {}, where) for d in domains}
    for series in basic.get("series") or []:
        _check_series(series, kind, where)
        counts.add(_sources(ss, series.get("series") or {}, where))
    # ChartSourceRange.sources: "The domain (if it exists) & all series must have the same
    # number of source ranges."
    if len(counts) > 1:
        raise bad_request(
            f"Invalid {where}: The domain and all series must have the same "
            "number of source ranges."
        )


def _check_series(series: JsonDict, kind: str, where: str) -> None:
    own = series.get("type")
    if own is not None and kind != "COMBO" and own != kind:
        raise bad_request(f"Invalid {where}: A series type is valid only in a COMBO chart.")
    if kind == "COMBO" and own is not None and own not in _COMBO_SERIES:
        raise bad_request(
            f"Invalid {where}: A COMBO chart's series may only be LINE, AREA or COLUMN, not {own}."
        )
    axis = series.get("targetAxis")
    # BasicChartAxisPosition: BOTTOM_AXIS is "for bar charts ... a minor axis", LEFT_AXIS and
    # RIGHT_AXIS are "for most charts ... a minor axis"; BasicChartSeries.targetAxis: "It is
    # an error to specify an axis that isn't a valid minor axis for the chart's type."
    minor = {"BOTTOM_AXIS"} if kind == "BAR" else {"LEFT_AXIS", "RIGHT_AXIS"}
    if axis is not None and axis not in minor:
        raise bad_request(f"Invalid {where}: {axis} is not a valid minor axis of a {kind} chart.")


def _sources(ss: Spreadsheet, data: JsonDict, where: str) -> int:
    """The number of source ranges of a ChartData, each on an existing grid, all one row
    high or all one column wide (ChartSourceRange.sources: "Exactly one dimension must have
    a length of 1"; Google's answer, as reported in syndesisio/syndesis#4583, shows it lets
    a single cell through: it wants all rows or all columns of length 1)."""
    sources: list[Any] = (data.get("sourceRange") or {}).get("sources") or []
    boxes = [ss.grid_bounds(grid_range, where)[1:] for grid_range in sources]
    rows = all(r1 - r0 == 1 for r0, r1, _, _ in boxes)
    columns = all(c1 - c0 == 1 for _, _, c0, c1 in boxes)
    if not (rows or columns):
        raise bad_request(
            f"Invalid {where}: ChartSourceRange ranges require all rows or all "
            "columns to have length of 1"
        )
    return len(sources)
