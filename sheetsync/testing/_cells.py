"""Cell values: turning written values into CellData, and CellData into what a read returns.

The fake does not run a spreadsheet engine. Formulas made only of numbers, ``+ - * / ^`` and
parentheses are evaluated; any other formula has the error value ``#ERROR!``.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import operator
import re
from collections.abc import Callable
from typing import Any

from sheetsync.spreadsheet import date_to_serial

from ._common import JsonDict, bad_request

_NUMBER = re.compile(
    r"^([-+]?)(\$?)((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)([eE][-+]?\d+)?(%?)$"
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DATE_TYPES = frozenset({"DATE", "TIME", "DATE_TIME"})
_ERROR_TEXT = {
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "VALUE": "#VALUE!",
    "REF": "#REF!",
    "NAME": "#NAME?",
    "NUM": "#NUM!",
    "N_A": "#N/A",
    "NULL_VALUE": "#NULL!",
    "ERROR": "#ERROR!",
    "LOADING": "Loading...",
}


def python_to_cell(value: Any, *, user_entered: bool) -> JsonDict | None:
    """CellData for a value written through the values API or the test helpers.

    Returns None for ``None`` (leave the cell alone) and ``{}`` for ``""`` (clear the value).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise bad_request(f"Invalid values: {value!r} is not a finite number")
        return {"userEnteredValue": {"numberValue": value}}
    if isinstance(value, dt.datetime):
        return _typed_number(date_to_serial(value), "DATE_TIME", "yyyy-mm-dd hh:mm:ss")
    if isinstance(value, dt.date):
        return _typed_number(date_to_serial(value), "DATE", "yyyy-mm-dd")
    if not isinstance(value, str):
        raise bad_request(f"Invalid values: a cell value must be a scalar, got {value!r}")
    if value == "":
        return {}
    if not user_entered:
        return {"userEnteredValue": {"stringValue": value}}
    return parse_user_entered(value)


def parse_user_entered(text: str) -> JsonDict:
    """What Sheets makes of text typed into a cell (the USER_ENTERED input option)."""
    if text.startswith("'"):
        return {"userEnteredValue": {"stringValue": text[1:]}}
    if text.startswith("=") and len(text) > 1:
        return {"userEnteredValue": {"formulaValue": text}}
    stripped = text.strip()
    if stripped.upper() in {"TRUE", "FALSE"}:
        return {"userEnteredValue": {"boolValue": stripped.upper() == "TRUE"}}
    match = _NUMBER.match(stripped)
    if match:
        sign, currency, digits, exponent, percent = match.groups()
        number = float((digits.replace(",", "")) + (exponent or ""))
        if sign == "-":
            number = -number
        decimals = len(digits.partition(".")[2])
        if percent:
            number /= 100
            pattern = "0%" if decimals == 0 else "0." + "0" * decimals + "%"
            return _typed_number(_tidy(number), "PERCENT", pattern)
        if currency:
            return _typed_number(_tidy(number), "CURRENCY", '"$"#,##0.00')
        if "," in digits:
            return _typed_number(_tidy(number), "NUMBER", "#,##0.00" if decimals else "#,##0")
        return {"userEnteredValue": {"numberValue": _tidy(number)}}
    date = _parse_date(stripped)
    if date is not None:
        serial, pattern = date
        return _typed_number(serial, "DATE", pattern)
    return {"userEnteredValue": {"stringValue": text}}


def _parse_date(text: str) -> tuple[int, str] | None:
    try:
        if match := _ISO_DATE.match(text):
            year, month, day = (int(g) for g in match.groups())
            return date_to_serial(dt.date(year, month, day)), "yyyy-mm-dd"  # type: ignore[return-value]
        if match := _US_DATE.match(text):
            month, day, year = (int(g) for g in match.groups())
            return date_to_serial(dt.date(year, month, day)), "M/d/yyyy"  # type: ignore[return-value]
    except ValueError:
        return None
    return None


def _typed_number(number: float | int, kind: str, pattern: str) -> JsonDict:
    return {
        "userEnteredValue": {"numberValue": number},
        "userEnteredFormat": {"numberFormat": {"type": kind, "pattern": pattern}},
    }


def _tidy(number: float) -> float | int:
    if number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


# ----------------------------------------------------------------------------- reading


def effective_value(cell: JsonDict) -> JsonDict | None:
    """The computed value of a cell (formulas evaluated when they are plain arithmetic)."""
    entered = cell.get("userEnteredValue")
    if not entered:
        return None
    if "formulaValue" in entered:
        return evaluate_formula(entered["formulaValue"])
    return dict(entered)


_OPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.BitXor: operator.pow,
    ast.Pow: operator.pow,
}


def evaluate_formula(formula: str) -> JsonDict:
    """Evaluate ``=1+2*3``-style arithmetic; anything else gives an error value."""

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            inner = walk(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return float(_OPS[type(node.op)](walk(node.left), walk(node.right)))
        raise ValueError("not arithmetic")

    try:
        tree = ast.parse(formula[1:].strip(), mode="eval")
        return {"numberValue": _tidy(walk(tree.body))}
    except ZeroDivisionError:
        return {
            "errorValue": {
                "type": "DIVIDE_BY_ZERO",
                "message": "Function DIVIDE parameter 2 cannot be zero.",
            }
        }
    except (SyntaxError, ValueError, TypeError, OverflowError):
        return {
            "errorValue": {
                "type": "ERROR",
                "message": "The sheetsync fake only evaluates arithmetic formulas.",
            }
        }


def number_format(cell: JsonDict) -> JsonDict:
    """The cell's numberFormat, or {}."""
    fmt = cell.get("userEnteredFormat") or {}
    result: JsonDict = fmt.get("numberFormat") or {}
    return result


def formatted_value(cell: JsonDict) -> str | None:
    """The text Sheets displays for the cell (an approximation for number formats)."""
    value = effective_value(cell)
    if value is None:
        return None
    if "stringValue" in value:
        return str(value["stringValue"])
    if "boolValue" in value:
        return "TRUE" if value["boolValue"] else "FALSE"
    if "errorValue" in value:
        return _ERROR_TEXT.get(value["errorValue"].get("type", "ERROR"), "#ERROR!")
    return format_number(value.get("numberValue", 0), number_format(cell))


def render_value(cell: JsonDict, value_render: str, datetime_render: str) -> Any:
    """A cell as the values API returns it under the given render options."""
    entered = cell.get("userEnteredValue") or {}
    if value_render == "FORMULA" and "formulaValue" in entered:
        return entered["formulaValue"]
    if value_render == "FORMATTED_VALUE":
        text = formatted_value(cell)
        return "" if text is None else text
    value = effective_value(cell)
    if value is None:
        return ""
    if "numberValue" in value:
        fmt = number_format(cell)
        if fmt.get("type") in _DATE_TYPES and datetime_render == "FORMATTED_STRING":
            return format_number(value["numberValue"], fmt)
        number = value["numberValue"]
        return _tidy(float(number)) if isinstance(number, float) else number
    if "boolValue" in value:
        return value["boolValue"]
    if "errorValue" in value:
        return formatted_value(cell)
    return value.get("stringValue", "")


# --------------------------------------------------------------------------- formatting


def general_number(number: float | int) -> str:
    """Sheets' automatic number format, roughly: up to 10 significant decimals."""
    if isinstance(number, int) or (float(number).is_integer() and abs(number) < 1e15):
        return str(int(number))
    if abs(number) >= 1e15 or abs(number) < 1e-9:
        mantissa, _, exp = f"{number:.2E}".partition("E")
        return f"{mantissa}E{'+' if int(exp) >= 0 else '-'}{abs(int(exp)):02d}"
    int_digits = len(str(int(abs(number)))) if abs(number) >= 1 else 0
    text = f"{number:.{max(0, 10 - int_digits)}f}".rstrip("0").rstrip(".")
    return text


def format_number(number: float | int, fmt: JsonDict) -> str:
    """Apply a NumberFormat ``{type, pattern}`` to a number (common patterns only)."""
    kind = fmt.get("type", "")
    pattern = fmt.get("pattern", "")
    if kind in _DATE_TYPES:
        default = {"DATE": "yyyy-mm-dd", "TIME": "h:mm:ss", "DATE_TIME": "yyyy-mm-dd hh:mm:ss"}
        return format_date(float(number), pattern or default[kind])
    if kind == "TEXT" or not kind:
        return general_number(number)
    defaults = {"PERCENT": "0.00%", "CURRENCY": '"$"#,##0.00', "SCIENTIFIC": "0.00E+00"}
    pattern = pattern or defaults.get(kind, "#,##0.00")
    return _apply_number_pattern(float(number), pattern)


_CORE = re.compile(r"[#0?,]*\.?[#0?]*(?:E\+0+)?%?")


def _apply_number_pattern(number: float, pattern: str) -> str:
    section = pattern.split(";")[1] if number < 0 and ";" in pattern else pattern.split(";")[0]
    core_match = None
    for match in _CORE.finditer(section):
        if match.group(0) and any(c in match.group(0) for c in "#0?"):
            core_match = match
            break
    if core_match is None:
        return _literal(section)
    core = core_match.group(0)
    prefix = _literal(section[: core_match.start()])
    suffix = _literal(section[core_match.end() :])
    value = abs(number) if ";" in pattern and number < 0 else number
    if core.endswith("%"):
        value *= 100
        suffix = "%" + suffix
        core = core[:-1]
    int_part, _, frac_part = core.partition(".")
    decimals = sum(1 for c in frac_part if c in "0#?")
    if "E+" in core:
        return f"{prefix}{value:.{decimals}E}{suffix}"
    text = f"{value:,.{decimals}f}" if "," in int_part else f"{value:.{decimals}f}"
    if frac_part and "0" not in frac_part:
        text = text.rstrip("0").rstrip(".")
    return f"{prefix}{text}{suffix}"


def _literal(text: str) -> str:
    return re.sub(r'"([^"]*)"|\\(.)|[_*].', lambda m: m.group(1) or m.group(2) or "", text)


_DATE_TOKEN = re.compile(
    r'yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|"[^"]*"|\\.|.',
    re.IGNORECASE,
)


def format_date(serial: float, pattern: str) -> str:
    """Format a serial date/time with a Sheets date pattern (yyyy, mm, dd, hh, ss ...)."""
    moment = dt.datetime(1899, 12, 30) + dt.timedelta(days=serial)
    moment = (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    tokens = _DATE_TOKEN.findall(pattern)
    twelve_hour = any(t.lower() in {"am/pm", "a/p"} for t in tokens)
    out: list[str] = []
    for i, token in enumerate(tokens):
        low = token.lower()
        prev = next((t.lower() for t in reversed(tokens[:i]) if t.strip(" :.,/-")), "")
        nxt = next((t.lower() for t in tokens[i + 1 :] if t.strip(" :.,/-")), "")
        if low in {"mm", "m"} and (prev in {"h", "hh"} or nxt in {"s", "ss"}):
            out.append(f"{moment.minute:02d}" if low == "mm" else str(moment.minute))
        elif low == "yyyy":
            out.append(f"{moment.year:04d}")
        elif low == "yy":
            out.append(f"{moment.year % 100:02d}")
        elif low == "mmmm":
            out.append(moment.strftime("%B"))
        elif low == "mmm":
            out.append(moment.strftime("%b"))
        elif low == "mm":
            out.append(f"{moment.month:02d}")
        elif low == "m":
            out.append(str(moment.month))
        elif low == "dddd":
            out.append(moment.strftime("%A"))
        elif low == "ddd":
            out.append(moment.strftime("%a"))
        elif low == "dd":
            out.append(f"{moment.day:02d}")
        elif low == "d":
            out.append(str(moment.day))
        elif low in {"hh", "h"}:
            hour = moment.hour % 12 or 12 if twelve_hour else moment.hour
            out.append(f"{hour:02d}" if low == "hh" else str(hour))
        elif low in {"ss", "s"}:
            out.append(f"{moment.second:02d}" if low == "ss" else str(moment.second))
        elif low in {"am/pm", "a/p"}:
            out.append("AM" if moment.hour < 12 else "PM")
        elif token.startswith('"'):
            out.append(token[1:-1])
        elif token.startswith("\\"):
            out.append(token[1:])
        else:
            out.append(token)
    return "".join(out)
