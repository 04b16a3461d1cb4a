"""CellData for planned cells: typed values and number formats, text never a formula.

Numbers are numberValue, booleans boolValue, dates and datetimes numberValue serials with a
DATE / DATE_TIME format, and text ALWAYS stringValue, so text that looks like a formula
('=HYPERLINK(...)') stays text. A checkbox cell is a boolValue with a BOOLEAN data validation
(checkbox_rule(), set by a setDataValidation request: google/write.py), which Sheets shows as a
checkbox: TRUE ticked, FALSE not.

A cell's format is described by a `FormatKey` (number format type, pattern, bold), so that
google/layout.py can find the cells that share one and apply it per range. `cell_data` gives
one cell with its own format: what every written cell must end up holding (the tests compare
the compact writes with it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sheetsync.plan import CELL_TEXT_LIMIT, Cell, fit_text
from sheetsync.spreadsheet import date_to_serial

JsonDict = dict[str, Any]
DATE_PATTERN = "yyyy-mm-dd"
DATETIME_PATTERN = "yyyy-mm-dd hh:mm"
LOCALE_TAG = re.compile(r"\[\$-[0-9A-Fa-f]+\]")
CURRENCY_MARKS = ("$", "€", "£", "¥", "₹", "zł", "[$", "¤")
EXACT_INTEGERS = 2.0**53  # every integer below this is exactly a float (IEEE 754 double)
PLAIN = frozenset({int, bool})
"""Plan value types a values read gives back as they are (and text that surely fits a cell)."""
_SHORT = CELL_TEXT_LIMIT // 2


class FormatKey(NamedTuple):
    """What a cell's userEnteredFormat says: a number format (type and pattern, or None) and
    bold. Equal keys are equal formats; a key is hashable, so cells can be grouped by it."""

    number_type: str | None
    pattern: str | None
    bold: bool


def cell_data(cell: Cell, header: bool = False) -> JsonDict:
    """CellData for one planned cell: a typed value and, when needed, its own format."""
    data: JsonDict = {}
    value = user_entered_value(cell.value)
    if value is not None:
        data["userEnteredValue"] = value
    key = format_key(cell, header, value is not None)
    if key is not None:
        data["userEnteredFormat"] = user_entered_format(key)
    return data


def format_key(cell: Cell, header: bool, filled: bool) -> FormatKey | None:
    """The format a cell gets (None: none at all). A number format only on a `filled` cell
    (one with a value) whose value it applies to; bold on header cells and bold cells."""
    number = _number_format(cell) if filled else None
    bold = cell.bold or header
    if number is None and not bold:
        return None
    return FormatKey(number[0] if number else None, number[1] if number else None, bold)


def user_entered_format(key: FormatKey) -> JsonDict:
    """The CellFormat (discovery doc: CellFormat.numberFormat, CellFormat.textFormat) of a key.
    NumberFormat.type is always set: "When writing, this field must be set"."""
    fmt: JsonDict = {}
    if key.number_type is not None:
        fmt["numberFormat"] = {"type": key.number_type, "pattern": key.pattern}
    if key.bold:
        fmt["textFormat"] = {"bold": True}
    return fmt


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
        return {"numberValue": short_number(value)} if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        return {"numberValue": short_number(date_to_serial(value))}
    return {"stringValue": fit_text(str(value))}


def read_back(value: Any) -> str | float | int | bool | None:
    """A plan value as an unformatted values read gives it back once written: text, a
    boolean or a number as it is, a date as its serial number, a number that is not finite as
    nothing (it is written as an empty cell), anything else as its text, cut to fit a cell."""
    if value is None or isinstance(value, int):  # bool is an int
        return value
    if isinstance(value, str):
        return fit_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        return date_to_serial(value)
    return fit_text(str(value))


def read_backs(values: Iterable[Any]) -> list[Any]:
    """`read_back` of each value; text, whole numbers and booleans (most cells) as they are
    without a call."""
    return [
        v if v.__class__ in PLAIN or (v.__class__ is str and len(v) <= _SHORT) else read_back(v)
        for v in values
    ]


def same_read(planned: Sequence[Any], held: Sequence[Any]) -> bool:
    """Whether values read back (`held`) are those planned (as `read_back` gives them): equal
    one by one, a boolean never taken for the number it equals in Python (True == 1)."""
    if planned != held:
        return False
    if bool not in map(type, planned) and bool not in map(type, held):
        return True
    return [v.__class__ is bool for v in planned] == [v.__class__ is bool for v in held]


def short_number(value: float) -> int | float:
    """The same number in fewer JSON characters: a whole float as an int (1162.0 -> 1162),
    exactly equal as the double the API stores (numberValue is a double in the discovery
    doc). Others, -0.0 and floats past 2**53 keep Python's shortest round-trip repr."""
    whole = isinstance(value, float) and value.is_integer() and abs(value) < EXACT_INTEGERS
    if whole and (value or math.copysign(1.0, value) > 0):
        return int(value)
    return value


def _number_format(cell: Cell) -> tuple[str, str] | None:
    pattern = sheets_pattern(cell.number_format) if cell.number_format else None
    if isinstance(cell.value, datetime):
        return "DATE_TIME", pattern or DATETIME_PATTERN
    if isinstance(cell.value, date):
        return "DATE", pattern or DATE_PATTERN
    if pattern and isinstance(cell.value, int | float):
        return format_type(pattern), pattern
    return None


def sheets_pattern(pattern: str) -> str:
    """The pattern without Excel's locale tags (`[$-415]`, which make Excel and LibreOffice
    show a format with that locale's separators). Google's number format reference has no
    such tag: a Google spreadsheet shows every number with its own locale's separators."""
    return LOCALE_TAG.sub("", pattern)


def format_type(pattern: str) -> str:
    """The NumberFormat type a pattern belongs to: PERCENT, CURRENCY or NUMBER."""
    if "%" in pattern:
        return "PERCENT"
    if any(mark in pattern for mark in CURRENCY_MARKS):
        return "CURRENCY"
    return "NUMBER"
