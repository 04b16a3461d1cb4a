"""Cell-level parsing: A1 notation, loose header matching, and locale-aware numbers and dates.

Column parsers are vectorised: the common case (real numbers, serial dates) never enters a
Python loop; only the odd text cells are parsed one by one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.types import infer_dtype

from sheetsync.config import LocaleConfig

SERIAL_EPOCH = np.datetime64("1899-12-30", "D")
_NUMERIC_KINDS = ("floating", "integer", "mixed-integer-float", "empty", "decimal")
_SPACES = re.compile(r"\s+")
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def a1(column: int, row: int) -> str:
    """A cell reference from a 0-based column index and a 1-based row number."""
    return f"{column_letter(column)}{row}"


def norm(text: Any) -> str:
    """Header and name key: case-folded, with surrounding and repeated whitespace removed."""
    return _SPACES.sub(" ", str(text)).strip().casefold()


def tidy(text: str) -> str:
    """A display name: surrounding and repeated whitespace removed, case kept."""
    return _SPACES.sub(" ", text).strip()


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def blank_mask(values: pd.Series) -> BoolArray:
    """True where a cell is empty: None, NaN or whitespace-only text."""
    mask = values.isna().to_numpy(dtype=bool, copy=True)
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        text = values.where(~mask, "").astype(str)
        mask |= text.str.strip().eq("").to_numpy(dtype=bool)
    return mask


def frame_of(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """A frame of raw cells, one column per sheet column; short (trimmed) rows padded."""
    lengths = set(map(len, rows))
    if len(lengths) > 1:
        width = max(lengths)
        rows = [r if len(r) == width else [*r, *([None] * (width - len(r)))] for r in rows]
    return pd.DataFrame(rows)


def parse_number_text(text: str, locale: LocaleConfig) -> float | None:
    """Parse '1,234.5', '1 234', '12%', '$1,200.00' by the locale; None when not a number.

    Thousands separators (the locale's, or a space) must group exactly three digits, so
    '1 200,50' under a '.' decimal locale is rejected rather than read as 120050.
    """
    cleaned = text.replace("\u00a0", " ").strip()
    percent = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%").strip().strip("$€£").removesuffix("zł").strip()
    match = _number_pattern(locale).fullmatch(cleaned)
    if match is None or not (match["int"] or match["frac"]):
        return None
    digits = re.sub(r"[^0-9eE+-]", "", match["int"]) + "." + (match["frac"] or "0")
    number = float(f"{match['sign'] or ''}{digits}{match['exp'] or ''}")
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


def parse_numbers(values: pd.Series, locale: LocaleConfig) -> tuple[FloatArray, BoolArray]:
    """Return (numbers with NaN for empty or bad cells, mask of bad cells)."""
    blank = blank_mask(values)
    if values.dtype.kind in "fiu":
        return values.to_numpy(dtype=np.float64, na_value=np.nan), np.zeros(len(values), bool)
    raw = values.to_numpy(dtype=object)
    if infer_dtype(raw, skipna=True) in _NUMERIC_KINDS:
        return pd.to_numeric(values, errors="coerce").to_numpy(np.float64), np.zeros(len(raw), bool)
    result = np.full(len(raw), np.nan)
    bad = np.zeros(len(raw), dtype=bool)
    for i in np.flatnonzero(~blank):
        number = _one_number(raw[i], locale)
        if number is None:
            bad[i] = True
        else:
            result[i] = number
    return result, bad


def _one_number(value: Any, locale: LocaleConfig) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return parse_number_text(str(value), locale)


def serial_to_dates(serials: FloatArray) -> npt.NDArray[np.datetime64]:
    """Serial day numbers (fraction = time of day, dropped) to datetime64[D]; NaN -> NaT."""
    days = np.floor(serials)
    out = np.full(len(serials), np.datetime64("NaT"), dtype="datetime64[D]")
    ok = ~np.isnan(days)
    out[ok] = SERIAL_EPOCH + days[ok].astype(np.int64)
    return out


def date_to_serial(day: date) -> int:
    return int((np.datetime64(day, "D") - SERIAL_EPOCH).astype(np.int64))


def parse_dates(
    values: pd.Series, locale: LocaleConfig
) -> tuple[npt.NDArray[np.datetime64], BoolArray]:
    """Return (datetime64[D] with NaT for empty or bad cells, mask of bad cells).

    Numbers are serial dates; text is parsed with the locale's date formats.
    """
    blank = blank_mask(values)
    if values.dtype.kind in "fiu":
        serials = values.to_numpy(dtype=np.float64, na_value=np.nan)
        return _checked_serials(serials, blank)
    raw = values.to_numpy(dtype=object)
    if infer_dtype(raw, skipna=True) in _NUMERIC_KINDS:
        return _checked_serials(pd.to_numeric(values, errors="coerce").to_numpy(np.float64), blank)
    serials = np.full(len(raw), np.nan)
    for i in np.flatnonzero(~blank):
        serials[i] = _one_serial(raw[i], locale)
    return _checked_serials(serials, blank)


def _checked_serials(
    serials: FloatArray, blank: BoolArray
) -> tuple[npt.NDArray[np.datetime64], BoolArray]:
    plausible = (serials >= 1) & (serials < 2958466)  # 1900-01-01 .. 9999-12-31
    bad = ~blank & ~plausible
    return serial_to_dates(np.where(plausible, serials, np.nan)), bad


def _one_serial(value: Any, locale: LocaleConfig) -> float:
    if isinstance(value, bool):
        return math.nan
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return float(date_to_serial(day))
    parsed = parse_date_text(str(value), locale)
    return math.nan if parsed is None else float(date_to_serial(parsed))
