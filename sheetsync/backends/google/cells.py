"""CellData for planned cells: typed values and number formats, text never a formula.

Numbers are numberValue, booleans boolValue, dates and datetimes numberValue serials with a
DATE / DATE_TIME format, and text ALWAYS stringValue, so text that looks like a formula
('=HYPERLINK(...)') stays text. A checkbox cell is a boolValue with a BOOLEAN data validation
(checkbox_rule(), set by a setDataValidation request: google/write.py), which Sheets shows as a
checkbox: TRUE ticked, FALSE not.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from sheetsync.report.plan import Cell
from sheetsync.spreadsheet import date_to_serial

JsonDict = dict[str, Any]
DATE_PATTERN = "yyyy-mm-dd"
DATETIME_PATTERN = "yyyy-mm-dd hh:mm"
CURRENCY_MARKS = ("$", "€", "£", "¥", "₹", "zł", "[$", "¤")


def cell_data(cell: Cell, header: bool = False) -> JsonDict:
    """CellData for one planned cell: a typed value and, when needed, a format."""
    data: JsonDict = {}
    value = user_entered_value(cell.value)
    if value is not None:
        data["userEnteredValue"] = value
    fmt: JsonDict = {}
    number_format = _number_format(cell)
    if number_format is not None and value is not None:
        fmt["numberFormat"] = number_format
    if cell.bold or header:
        fmt["textFormat"] = {"bold": True}
    if fmt:
        data["userEnteredFormat"] = fmt
    return data


def checkbox_rule() -> JsonDict:
    """A DataValidationRule that Sheets shows as a checkbox: a BOOLEAN condition with no
    values (TRUE is ticked, FALSE is not); anything else typed there is refused."""
    return {"condition": {"type": "BOOLEAN"}, "strict": True}


def user_entered_value(value: Any) -> JsonDict | None:
    """ExtendedValue for a plan value; None for an empty cell. Text is never a formula."""
    if value is None:
        return None
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value} if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        return {"numberValue": date_to_serial(value)}
    return {"stringValue": str(value)}


def _number_format(cell: Cell) -> JsonDict | None:
    if isinstance(cell.value, datetime):
        return {"type": "DATE_TIME", "pattern": cell.number_format or DATETIME_PATTERN}
    if isinstance(cell.value, date):
        return {"type": "DATE", "pattern": cell.number_format or DATE_PATTERN}
    if cell.number_format and isinstance(cell.value, int | float):
        return {"type": format_type(cell.number_format), "pattern": cell.number_format}
    return None


def format_type(pattern: str) -> str:
    """The NumberFormat type a pattern belongs to: PERCENT, CURRENCY or NUMBER."""
    if "%" in pattern:
        return "PERCENT"
    if any(mark in pattern for mark in CURRENCY_MARKS):
        return "CURRENCY"
    return "NUMBER"
