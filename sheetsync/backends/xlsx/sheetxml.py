"""One output tab as a worksheet part: SpreadsheetML written directly from the plan.

Text is always an inline string (`t="inlineStr"`), so it can never become a formula, and the
workbook's shared strings part is never touched. Numbers are written as numbers, dates as
serial numbers with a date format; a number that is not finite is left empty. Characters
that XML 1.0 cannot hold (control characters) are dropped from text. A checkbox cell is a
boolean (`t="b"`) with a TRUE/FALSE list validation (a drop-down: Excel has no classic
checkbox). After `<sheetData>` come, in the schema's order, the tab's colour rules
(`<conditionalFormatting>`, see `look`), the validations, the page margins and the
`<drawing>` that holds its charts (see `charts`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from xml.sax.saxutils import escape

from sheetsync.backends.xlsx.conditional import DxfIndex, conditional_xml
from sheetsync.plan import Cell, TabPlan, fit_text
from sheetsync.spreadsheet import column_letter, date_to_serial

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
)
MARGINS = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
FIT_TO_PAGE = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
PAGE_SETUP = '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
"""Printed (or exported to PDF) landscape, as wide as one page and as long as it takes: a
Summary's period blocks and its chart stay on one page across."""

StyleKey = tuple[str | None, bool]
StyleIndex = Callable[[StyleKey], int]


def style_key(cell: Cell, header: bool) -> StyleKey:
    """The (number format, bold) pair a cell is written with."""
    number_format = cell.number_format
    if number_format is None and isinstance(cell.value, date):
        number_format = DATETIME_FORMAT if isinstance(cell.value, datetime) else DATE_FORMAT
    return number_format, cell.bold or header


def is_written(cell: Cell) -> bool:
    """Empty cells are written only to carry a format (so a value typed there shows right)."""
    return cell.value is not None or cell.number_format is not None or cell.bold


def sheet_xml(tab: TabPlan, style: StyleIndex, dxf: DxfIndex, drawing: str | None = None) -> bytes:
    """The worksheet part for `tab`, cells styled through `style` (key -> cellXfs index),
    colour rules through `dxf` (tone -> dxfs index); `drawing` is the id of the relationship
    to the tab's drawing part, if it has charts."""
    letters = [column_letter(c) for c in range(max(tab.width, 1))]
    rows = [
        row_xml(r + 1, row, letters, style, r < tab.header_rows) for r, row in enumerate(tab.rows)
    ]
    parts = [
        HEAD,
        FIT_TO_PAGE,
        f'<dimension ref="A1:{letters[-1]}{max(len(tab.rows), 1)}"/>',
        views_xml(tab.header_rows, tab.frozen_columns),
        '<sheetFormatPr defaultRowHeight="15"/>',
        columns_xml(tab.column_widths),
        "<sheetData>",
        *rows,
        "</sheetData>",
        conditional_xml(tab.rules, dxf),
        validations_xml(tab),
        MARGINS,
        PAGE_SETUP,
        f'<drawing r:id="{drawing}"/>' if drawing else "",
        "</worksheet>",
    ]
    return "".join(parts).encode("utf-8")


def validations_xml(tab: TabPlan) -> str:
    """A TRUE/FALSE drop-down on the checkbox cells (none: no element)."""
    refs = [
        f"{column_letter(c)}{r + 1}"
        for r, row in enumerate(tab.rows)
        for c, cell in enumerate(row)
        if cell.checkbox
    ]
    if not refs:
        return ""
    return (
        f'<dataValidations count="1"><dataValidation type="list" allowBlank="1" '
        f'showErrorMessage="1" sqref="{" ".join(refs)}"><formula1>"TRUE,FALSE"</formula1>'
        "</dataValidation></dataValidations>"
    )


def views_xml(header_rows: int, frozen_columns: int = 0) -> str:
    """The sheet view, with the first `header_rows` rows and `frozen_columns` columns frozen
    (a frozen pane, with a selection in each scrolling pane, as Excel writes it)."""
    if not header_rows and not frozen_columns:
        return '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    corner = f"{column_letter(frozen_columns)}{header_rows + 1}"
    splits = (f' xSplit="{frozen_columns}"' if frozen_columns else "") + (
        f' ySplit="{header_rows}"' if header_rows else ""
    )
    panes = _scrolling_panes(header_rows, frozen_columns)
    selections = "".join(
        f'<selection pane="{pane}" activeCell="{cell}" sqref="{cell}"/>' for pane, cell in panes
    )
    return (
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane{splits} topLeftCell="{corner}" activePane="{panes[-1][0]}" state="frozen"/>'
        f"{selections}</sheetView></sheetViews>"
    )


def _scrolling_panes(header_rows: int, frozen_columns: int) -> list[tuple[str, str]]:
    """(pane, its top-left cell) of each pane that scrolls; the last one is the active one."""
    right, below = column_letter(frozen_columns), header_rows + 1
    if not frozen_columns:
        return [("bottomLeft", f"A{below}")]
    if not header_rows:
        return [("topRight", f"{right}1")]
    return [("topRight", f"{right}1"), ("bottomLeft", f"A{below}"),
            ("bottomRight", f"{right}{below}")]  # fmt: skip


def columns_xml(widths: tuple[int, ...]) -> str:
    """Column widths (characters), from column A on."""
    if not widths:
        return ""
    cols = "".join(
        f'<col min="{c}" max="{c}" width="{width}" customWidth="1"/>'
        for c, width in enumerate(widths, start=1)
    )
    return f"<cols>{cols}</cols>"


def row_xml(
    number: int, row: tuple[Cell, ...], letters: list[str], style: StyleIndex, header: bool
) -> str:
    """Row `number` (from 1); `letters` are the column letters, at least as many as cells."""
    cells = "".join(
        _cell(f"{letters[c]}{number}", cell, style, header)
        for c, cell in enumerate(row)
        if is_written(cell)
    )
    return f'<row r="{number}">{cells}</row>'


def _cell(ref: str, cell: Cell, style: StyleIndex, header: bool) -> str:
    value = cell.value
    s = style(style_key(cell, header))
    if value is None:
        return f'<c r="{ref}" s="{s}"/>'
    if isinstance(value, str):
        text = escape(NOT_IN_XML.sub("", fit_text(value)))
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{ref}" s="{s}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{s}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, date):
        value = date_to_serial(value)
    number = float(value)  # numpy scalars from the KPI tables too
    if not math.isfinite(number):
        return f'<c r="{ref}" s="{s}"/>'
    shown = str(int(value)) if isinstance(value, int) else repr(number)
    return f'<c r="{ref}" s="{s}"><v>{shown}</v></c>'
