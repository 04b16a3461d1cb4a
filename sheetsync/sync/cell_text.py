"""One cell's text read by the locale: numbers ('1 234,5', '12%', '$1,200') and dates.

Whole columns are parsed in `columns`; this module reads one cell's text at a time.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from sheetsync.config.values import LocaleConfig

LARGEST = 1e100
"""The largest size (either sign) a number cell may have to be counted or used as a goal. Far
past any real amount, and far enough below the largest double (1.8e308) that no sum, roll-up or
projection of such numbers can overflow, however many rows there are: a larger number is a
data issue on its cell, too large to add up, and is left out."""
TOO_LARGE = "too large to add up (over 1E+100)"


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def parse_number_text(text: str, locale: LocaleConfig) -> float | None:
    """Parse '1,234.5', '1 234', '12%', '$1,200.00' by the locale; None when not a number.

    Thousands separators (the locale's, or a space) must group exactly three digits, so
    '1 200,50' under a '.' decimal locale is rejected rather than read as 120050. A number too
    big for a float ('1e400') is not a number either: None, never an infinity.
    """
    cleaned = text.replace("\u00a0", " ").strip()
    percent = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%").strip().strip("$€£").removesuffix("zł").strip()
    match = _number_pattern(locale).fullmatch(cleaned)
    if match is None or not (match["int"] or match["frac"]):
        return None
    digits = re.sub(r"[^0-9eE+-]", "", match["int"]) + "." + (match["frac"] or "0")
    number = float(f"{match['sign'] or ''}{digits}{match['exp'] or ''}")
    if not math.isfinite(number):
        return None
    return number / 100 if percent else number


def _number_pattern(locale: LocaleConfig) -> re.Pattern[str]:
    group = "[" + re.escape(locale.thousands_separator) + " ]"
    decimal = re.escape(locale.decimal_separator)
    return re.compile(
        rf"(?P<sign>[+-])?(?P<int>\d{{1,3}}(?:{group}\d{{3}})+|\d*)"
        rf"(?:{decimal}(?P<frac>\d+))?(?P<exp>[eE][+-]?\d+)?"
    )


def parse_date_text(text: str, locale: LocaleConfig) -> date | None:
    """Parse a typed date with the locale's formats (a time part after the date is ignored)."""
    cleaned = text.strip()
    for fmt in locale.date_formats:
        for candidate in (cleaned, cleaned.split(" ")[0], cleaned.split("T")[0]):
            try:
                return datetime.strptime(candidate, fmt).date()
            except ValueError:
                continue
    return None
