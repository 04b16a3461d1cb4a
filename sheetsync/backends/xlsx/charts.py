"""Native charts of an owned tab: one drawing part that places them, one chart part each.

    worksheet --<drawing r:id>--> xl/drawings/drawingN.xml --<c:chart r:id>--> xl/charts/chartM.xml

The chart parts are DrawingML written directly from the plan. Their data are formulas on the
tab's own cells (`'Ranking'!$D$2:$D$31`), so Excel and LibreOffice draw them from the cells
and a chart follows the numbers; each formula also carries a cache of the values the plan
wrote, for programs that show a chart without recalculating it.

Bars and lines share one pair of axes: the bars are a `<c:barChart>`, the `line` series a
`<c:lineChart>` on the same axes (the 100% line, what was expected by today). A line runs
along the categories from left to right, and Excel has no line over bars that run across on
one pair of axes (nor has Google Sheets), so a `horizontal` chart with a line series is drawn
with standing columns, as the Google backend draws it; a horizontal chart without lines has
bars that run left to right, the first row of the table at the top. The chart's top-left
corner sits on the plan's anchor cell, its size in pixels (`oneCellAnchor`, as openpyxl
writes charts).

What this does not do: secondary axes, data labels, stacked bars, chart styles. Colours are
fixed (blue, orange, grey... for bars, dark red, dark grey for lines) so a workbook without a
theme part draws them the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from sheetsync.backends.xlsx.conditional import is_empty
from sheetsync.plan import Box, Cell, ChartPlan, Series
from sheetsync.spreadsheet import column_letter

C_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_URI = "http://schemas.openxmlformats.org/drawingml/2006/main"
XDR_URI = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
R_URI = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EMU_PER_PIXEL = 9525
CATEGORY_AXIS, VALUE_AXIS = 101, 102
BAR_COLOURS = ("4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47")
LINE_COLOURS = ("C00000", "404040", "7030A0")

Rows = tuple[tuple[Cell, ...], ...]


def is_drawable(chart: ChartPlan) -> bool:
    """A chart with categories and at least one series of values (else it is not written)."""
    return not is_empty(chart.categories) and any(not is_empty(s.values) for s in chart.series)


def bars_across(chart: ChartPlan) -> bool:
    """Whether the bars run left to right: `horizontal`, unless a line must cross them."""
    return chart.horizontal and not any(s.line for s in chart.series)


def drawing_xml(charts: Sequence[ChartPlan]) -> bytes:
    """The drawing part placing `charts`; chart n (from 1) is its relationship `rIdn`."""
    anchors = "".join(_anchor(chart, n) for n, chart in enumerate(charts, start=1))
    return (
        f"{XML_HEAD}<xdr:wsDr xmlns:xdr={quoteattr(XDR_URI)} xmlns:a={quoteattr(A_URI)}>"
        f"{anchors}</xdr:wsDr>"
    ).encode()


def _anchor(chart: ChartPlan, number: int) -> str:
    width, height = chart.width * EMU_PER_PIXEL, chart.height * EMU_PER_PIXEL
    return (
        "<xdr:oneCellAnchor><xdr:from>"
        f"<xdr:col>{chart.anchor_column}</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{chart.anchor_row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        f'<xdr:ext cx="{width}" cy="{height}"/>'
        '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr>'
        f'<xdr:cNvPr id="{number + 1}" name="Chart {number}"/><xdr:cNvGraphicFramePr/>'
        '</xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
        f"<a:graphic><a:graphicData uri={quoteattr(C_URI)}>"
        f'<c:chart xmlns:c={quoteattr(C_URI)} xmlns:r={quoteattr(R_URI)} r:id="rId{number}"/>'
        "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:oneCellAnchor>"
    )


def chart_xml(chart: ChartPlan, sheet: str, rows: Rows) -> bytes:
    """The chart part of `chart`, whose data are on tab `sheet` (its cells are `rows`)."""
    legend = (
        '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
        if len(chart.series) > 1
        else ""
    )
    return (
        f"{XML_HEAD}<c:chartSpace xmlns:c={quoteattr(C_URI)} xmlns:a={quoteattr(A_URI)} "
        f'xmlns:r={quoteattr(R_URI)}><c:roundedCorners val="0"/><c:chart>'
        f'{_title(chart.title)}<c:autoTitleDeleted val="0"/>'
        f"<c:plotArea><c:layout/>{_plots(chart, sheet, rows)}{_axes(chart, rows)}</c:plotArea>"
        f'{legend}<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>'
    ).encode()


def _title(text: str) -> str:
    return (
        '<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr b="1"/></a:pPr>'
        f'<a:r><a:rPr b="1"/><a:t>{escape(text)}</a:t></a:r></a:p></c:rich>'
        '</c:tx><c:overlay val="0"/></c:title>'
    )


def _plots(chart: ChartPlan, sheet: str, rows: Rows) -> str:
    """The bar chart and the line chart over the same two axes (either may be missing)."""
    drawn = [(n, s) for n, s in enumerate(chart.series) if not is_empty(s.values)]
    bars = [(n, s) for n, s in drawn if not s.line]
    lines = [(n, s) for n, s in drawn if s.line]
    axes = f'<c:axId val="{CATEGORY_AXIS}"/><c:axId val="{VALUE_AXIS}"/>'
    found = ""
    if bars:
        direction = "bar" if bars_across(chart) else "col"
        found += (
            f'<c:barChart><c:barDir val="{direction}"/><c:grouping val="clustered"/>'
            f'<c:varyColors val="0"/>{_all_series(chart, bars, sheet, rows)}'
            f'<c:gapWidth val="60"/>{axes}</c:barChart>'
        )
    if lines:
        found += (
            '<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>'
            f'{_all_series(chart, lines, sheet, rows)}<c:marker val="1"/>{axes}</c:lineChart>'
        )
    return found


def _all_series(
    chart: ChartPlan, numbered: list[tuple[int, Series]], sheet: str, rows: Rows
) -> str:
    """The `<c:ser>` of each (place in the chart, series) of one kind, coloured in turn."""
    return "".join(
        _series(chart, series, number, turn, sheet, rows)
        for turn, (number, series) in enumerate(numbered)
    )


def _series(
    chart: ChartPlan, series: Series, number: int, turn: int, sheet: str, rows: Rows
) -> str:
    """One `<c:ser>`: its title, look (colour `turn` of its kind), categories and values,
    in the schema's order."""
    head = f'<c:idx val="{number}"/><c:order val="{number}"/><c:tx><c:v>{escape(series.title)}'
    head += "</c:v></c:tx>"
    data = _categories(chart.categories, sheet, rows) + _values(series.values, sheet, rows)
    if series.line:
        colour = LINE_COLOURS[turn % len(LINE_COLOURS)]
        look = (
            f'<c:spPr><a:ln w="28575" cap="rnd"><a:solidFill><a:srgbClr val="{colour}"/>'
            '</a:solidFill><a:prstDash val="dash"/></a:ln></c:spPr>'
            '<c:marker><c:symbol val="none"/></c:marker>'
        )
        return f'<c:ser>{head}{look}{data}<c:smooth val="0"/></c:ser>'
    colour = BAR_COLOURS[turn % len(BAR_COLOURS)]
    look = f'<c:spPr><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill></c:spPr>'
    return f'<c:ser>{head}{look}<c:invertIfNegative val="0"/>{data}</c:ser>'


def _categories(box: Box, sheet: str, rows: Rows) -> str:
    labels = _column(box, rows)
    points = "".join(
        f'<c:pt idx="{i}"><c:v>{escape(_label(v))}</c:v></c:pt>'
        for i, v in enumerate(labels)
        if v is not None
    )
    cache = f'<c:strCache><c:ptCount val="{len(labels)}"/>{points}</c:strCache>'
    return f"<c:cat><c:strRef><c:f>{escape(reference(sheet, box))}</c:f>{cache}</c:strRef></c:cat>"


def _values(box: Box, sheet: str, rows: Rows) -> str:
    numbers = [_number(v) for v in _column(box, rows)]
    points = "".join(
        f'<c:pt idx="{i}"><c:v>{n!r}</c:v></c:pt>' for i, n in enumerate(numbers) if n is not None
    )
    cache = (
        f"<c:numCache><c:formatCode>General</c:formatCode>"
        f'<c:ptCount val="{len(numbers)}"/>{points}</c:numCache>'
    )
    return f"<c:val><c:numRef><c:f>{escape(reference(sheet, box))}</c:f>{cache}</c:numRef></c:val>"


def _axes(chart: ChartPlan, rows: Rows) -> str:
    """The category axis and the value axis; across bars list the first row at the top,
    with the value axis kept at the bottom. The value axis starts at 0 when no value is
    below it (a bar's length is then its value; left alone, a spreadsheet program may
    start the axis near the smallest value, and 84% would look a fraction of 92%)."""
    across = bars_across(chart)
    floor = '<c:min val="0"/>' if _not_negative(chart, rows) else ""
    number_format = '"0%" sourceLinked="0"' if chart.percent else '"General" sourceLinked="1"'
    return (
        f'<c:catAx><c:axId val="{CATEGORY_AXIS}"/><c:scaling><c:orientation '
        f'val="{"maxMin" if across else "minMax"}"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{"l" if across else "b"}"/><c:numFmt formatCode="General" '
        'sourceLinked="1"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/>'
        f'<c:tickLblPos val="low"/><c:crossAx val="{VALUE_AXIS}"/><c:crosses val="autoZero"/>'
        '<c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/>'
        '<c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="{VALUE_AXIS}"/><c:scaling><c:orientation val="minMax"/>'
        f'{floor}</c:scaling><c:delete val="0"/><c:axPos val="{"b" if across else "l"}"/>'
        f"<c:majorGridlines/><c:numFmt formatCode={number_format}/>"
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{CATEGORY_AXIS}"/><c:crosses val="{"max" if across else "autoZero"}"/>'
        '<c:crossBetween val="between"/></c:valAx>'
    )


def _not_negative(chart: ChartPlan, rows: Rows) -> bool:
    """Whether every value the chart draws (as the plan wrote it) is 0 or more."""
    return all(
        number is None or number >= 0
        for series in chart.series
        for number in map(_number, _column(series.values, rows))
    )


def reference(sheet: str, box: Box) -> str:
    """An absolute reference to `box` on tab `sheet`, the title always quoted:
    `'Ranking'!$D$2:$D$31` (a quote in the title doubled)."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    first = f"${column_letter(box.left)}${box.top + 1}"
    return f"{quoted}!{first}:${column_letter(box.right - 1)}${box.bottom}"


def _column(box: Box, rows: Rows) -> list[object]:
    """The values of the first column of `box`, one per row (None where no cell is)."""
    return [
        rows[r][box.left].value if r < len(rows) and box.left < len(rows[r]) else None
        for r in range(box.top, box.bottom)
    ]


def _label(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None
