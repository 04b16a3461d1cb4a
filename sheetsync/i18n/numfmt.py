"""A number as a spreadsheet shows it under a number format, as text (pure).

`render_number` covers the subset of Excel / Google Sheets number formats KPI formats use:
`#,##0`, `#,##0.00`, `0.0%`, `"$"#,##0`, `#,##0.00 "zł"`, `[$€-407] #,##0.00`, a second `;`
section for negatives, `General`. It writes the digits with the separators it is given (a
language's: `1,234.50` in English, `1 234,50` in Polish), so a number inside a sentence reads
like the same number in a formatted cell seen in that language's locale. Rounding is half
away from zero, as in Excel and Google Sheets. Dates and times are not number formats here.

A number whose whole part has more than 15 digits (what a spreadsheet keeps of a number; a
double can be up to 1.8e308) is shown as Excel shows a number too wide for its cell, in
scientific notation with two decimals and the format's own text around it: `1.00E+30`,
`$1.80E+308`; `General` shows it as `1E+30`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal

__all__ = ["Separators", "is_plain", "render_number"]


@dataclass(frozen=True)
class Separators:
    """The thousands (group) and decimal separators digits are written with."""

    group: str = ","
    decimal: str = "."


ENGLISH = Separators()
WIDEST = Decimal(10) ** 15
"""From this size on a number is shown in scientific notation: its digits past the 15th are
not kept by a spreadsheet (nor by a double) and would only be noise."""
_HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class _Section:
    """One `;` section of a number format: literal text around one run of digit placeholders."""

    prefix: str
    suffix: str
    integer: str  # the placeholders before the decimal point, scaling commas removed
    fraction: str  # the placeholders after it
    percent: int  # how many `%` (each multiplies by 100)
    scale: int  # how many trailing commas (each divides by 1000)

    @property
    def has_digits(self) -> bool:
        return bool(self.integer or self.fraction)


_PLACEHOLDERS = "0#?.,"


def _sections(number_format: str) -> list[str]:
    """Split at `;` outside quotes and brackets."""
    parts: list[str] = []
    current: list[str] = []
    quoted = bracket = False
    for char in number_format:
        if char == '"':
            quoted = not quoted
        elif char == "[" and not quoted:
            bracket = True
        elif char == "]" and not quoted:
            bracket = False
        if char == ";" and not quoted and not bracket:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _parse(section: str) -> _Section:
    """Literal text (quoted, escaped, `[$€-407]`, other characters) and the placeholders."""
    before: list[str] = []
    after: list[str] = []
    digits: list[str] = []
    percent, index = 0, 0
    while index < len(section):
        char = section[index]
        text = ""
        if char == '"':
            end = section.find('"', index + 1)
            end = len(section) if end < 0 else end
            text, index = section[index + 1 : end], end + 1
        elif char == "\\":
            text, index = section[index + 1 : index + 2], index + 2
        elif char == "[":
            end = section.find("]", index)
            end = len(section) if end < 0 else end
            inner = section[index + 1 : end]
            text = inner[1:].split("-")[0] if inner.startswith("$") else ""
            index = end + 1
        elif char in "_*":  # padding and fill characters: no visible text
            index += 2
        elif char in _PLACEHOLDERS and not (char == "," and not digits):
            digits.append(char)
            index += 1
        else:
            percent += char == "%"
            text, index = char, index + 1
        (after if digits else before).append(text)
    return _number_section("".join(before), "".join(after), "".join(digits), percent)


def _number_section(prefix: str, suffix: str, digits: str, percent: int) -> _Section:
    integer, _, fraction = digits.partition(".")
    stripped = integer.rstrip(",")
    scale = len(integer) - len(stripped)
    fraction = "".join(ch for ch in fraction if ch in "0#?")
    return _Section(prefix, suffix, stripped, fraction, percent, scale)


def _digits(amount: Decimal, section: _Section, separators: Separators) -> str:
    """The absolute value's digits, rounded half away from zero, grouped and padded."""
    places = len(section.fraction)
    exact = Context(prec=len(str(WIDEST)) + places)  # every digit kept: amount < WIDEST
    rounded = amount.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP, exact)
    whole, _, decimals = f"{rounded:f}".partition(".")
    minimum = section.integer.count("0")
    whole = whole.lstrip("0").rjust(minimum, "0")
    if "," in section.integer:
        groups: list[str] = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = separators.group.join([whole, *groups] if whole else groups)
    keep = section.fraction.rfind("0") + 1
    decimals = decimals.rstrip("0").ljust(keep, "0") if places else ""
    return whole + (separators.decimal + decimals if decimals else "")


def _scientific(amount: Decimal, separators: Separators) -> str:
    """`1.00E+30`: a positive amount as Excel's `0.00E+00` shows it (half away from zero)."""
    exponent = amount.adjusted()
    mantissa = amount.scaleb(-exponent).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)
    if mantissa >= 10:  # 9.996E+40 rounds up to 10.00E+40: 1.00E+41
        mantissa, exponent = Decimal("1.00"), exponent + 1
    sign = "+" if exponent >= 0 else "-"
    return f"{mantissa}".replace(".", separators.decimal) + f"E{sign}{abs(exponent):02d}"


def _general(number: float, separators: Separators) -> str:
    if number.is_integer() and abs(number) < WIDEST:
        return str(int(number))
    return format(number, ".10G").replace(".", separators.decimal)


def render_number(
    number: float, number_format: str | None, separators: Separators = ENGLISH
) -> str:
    """`number` as a cell with `number_format` shows it ("" for a blank: NaN or infinite)."""
    if not math.isfinite(number):
        return ""
    sections = _sections(number_format or "General")
    if sections[0].strip().casefold() == "general":
        return _general(number, separators)
    negative = number < 0
    own_negative = negative and len(sections) > 1
    section = _parse(sections[1] if own_negative else sections[0])
    if not section.has_digits:
        return section.prefix + section.suffix or _general(number, separators)
    amount = Decimal(repr(abs(float(number))))
    amount = amount * Decimal(100) ** section.percent / Decimal(1000) ** section.scale
    sign = "-" if negative and not own_negative else ""
    wide = amount >= WIDEST
    digits = _scientific(amount, separators) if wide else _digits(amount, section, separators)
    return sign + section.prefix + digits + section.suffix


def is_plain(number_format: str | None) -> bool:
    """A format that shows only a number (no currency or other text, no percent)."""
    first = _sections(number_format or "General")[0]
    if first.strip().casefold() == "general":
        return True
    section = _parse(first)
    return not (section.prefix.strip() or section.suffix.strip() or section.percent)
