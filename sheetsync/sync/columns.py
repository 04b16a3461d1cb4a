"""One sheet column of raw cells, classified once and parsed without a loop over clean cells.

Real numbers (the common case: Google and xlsx give numbers and serial dates unformatted) are
converted in one vectorised step; only the odd cells (text, booleans) go through the per-cell
locale parsers. Blank means None, NaN or whitespace-only text.

A number must be finite: an infinite float in the grid, a Python int too big for a float, or text
like '1e400' is a bad cell, so no total can become infinite or NaN. A date must fit pandas'
datetime64[ns] (up to 2262-04-11), where the activity frame keeps it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from itertools import zip_longest
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas._libs import lib as _pandas_lib
from pandas.api.types import infer_dtype

from sheetsync.config.values import LocaleConfig
from sheetsync.spreadsheet import date_to_serial
from sheetsync.sync.cell_text import parse_date_text, parse_number_text

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]
IndexArray = npt.NDArray[np.intp]
# pandas' own C transposition of a list of rows (what DataFrame(rows) uses): 5x faster than
# zip_longest. A pandas without it falls back to zip_longest.
to_object_array: Callable[..., ObjectArray] | None = getattr(_pandas_lib, "to_object_array", None)
SERIAL_EPOCH = np.datetime64("1899-12-30", "D")
# the first day after the last one datetime64[ns] holds (2262-04-11): later dates would wrap
# around to the 1700s when the activity frame stores them
END_SERIAL = int((np.datetime64("2262-04-12", "D") - SERIAL_EPOCH).astype(np.int64))

_NUMERIC = frozenset({"floating", "integer", "mixed-integer-float", "empty", "decimal"})
_NUMBER, _TEXT, _EMPTY, _OTHER = 0, 1, 2, 3
_KINDS: defaultdict[type, int] = defaultdict(
    lambda: _OTHER, {float: _NUMBER, int: _NUMBER, str: _TEXT, type(None): _EMPTY}
)


class Column:
    """The cells of one column: raw values, their numbers, and which cells are blank or odd."""

    def __init__(self, cells: Sequence[Any] | ObjectArray) -> None:
        count = len(cells)
        if isinstance(cells, np.ndarray):
            self.raw: ObjectArray = cells
        else:  # np.fromiter, not np.array: np.array probes every object for array protocols
            self.raw = np.fromiter(cells, dtype=object, count=count)
        kind = infer_dtype(self.raw, skipna=True)
        if kind in _NUMERIC:
            self.values: FloatArray = _floats(self.raw)
            self.blank: BoolArray = np.isnan(self.values)
            self.odd: BoolArray = np.zeros(count, dtype=bool)
        elif kind == "string":
            self.values = np.full(count, np.nan)
            self.blank = _blank_texts(self.raw)
            self.odd = ~self.blank
        else:
            self._classify(self.raw)

    def _classify(self, raw: ObjectArray) -> None:
        """Mostly numbers with a few odd cells: find those and convert the rest at once."""
        suspects = _suspects(raw)
        kinds = np.fromiter(map(_KINDS.__getitem__, map(type, raw[suspects])), np.int8,
                            len(suspects))  # fmt: skip
        odd = suspects[(kinds == _TEXT) | (kinds == _OTHER)]
        clean = raw.copy()
        clean[odd] = None
        self.values = _floats(clean)
        self.blank = np.isnan(self.values)
        self.blank[odd] = False
        texts = suspects[kinds == _TEXT]
        if len(texts):
            self.blank[texts] = _blank_texts(raw[texts])
        self.odd = np.zeros(len(raw), dtype=bool)
        self.odd[odd] = True
        self.odd &= ~self.blank

    def parsed(self, one: Callable[[Any], float | None]) -> tuple[FloatArray, BoolArray]:
        """(numbers with NaN for blank or bad cells, mask of bad cells); odd cells via `one`."""
        bad = np.zeros(len(self.values), dtype=bool)
        odd = np.flatnonzero(self.odd)
        if not len(odd):
            return self.values, bad
        values = self.values.copy()
        for i in odd:
            number = one(self.raw[i])
            if number is None or not math.isfinite(number):
                bad[i] = True
            else:
                values[i] = number
        return values, bad

    def numbers(self, locale: LocaleConfig) -> tuple[FloatArray, BoolArray]:
        """Numbers by the locale; text that is not a number, booleans and infinities are bad."""
        values, bad = self.parsed(lambda value: _one_number(value, locale))
        infinite = np.isinf(values)
        if not infinite.any():
            return values, bad
        return np.where(infinite, np.nan, values), bad | infinite

    def dates(self, locale: LocaleConfig) -> tuple[npt.NDArray[np.datetime64], BoolArray]:
        """Dates (datetime64[D], NaT when blank or bad) and the mask of bad cells.

        Numbers are serial dates (a fraction is a time of day, dropped); text is parsed with
        the locale's date formats. Dates before 1899-12-31 or after 2262-04-11 are bad cells.
        """
        serials, bad = self.parsed(lambda value: _one_serial(value, locale))
        plausible = (serials >= 1) & (serials < END_SERIAL)
        bad |= ~self.blank & ~plausible
        return serial_to_dates(np.where(plausible, serials, np.nan)), bad

    def texts(self) -> ObjectArray:
        """The raw cells with blanks as None."""
        cells = self.raw.copy()
        cells[self.blank] = None
        return cells


def columns_of(rows: Sequence[Sequence[Any]]) -> list[Column]:
    """The columns of a block of (possibly ragged) rows; short rows read as blank cells."""
    if not rows:
        return []
    if to_object_array is None:
        return [Column(cells) for cells in zip_longest(*rows, fillvalue=None)]
    block = to_object_array(rows if isinstance(rows, list) else list(rows)).T
    return [Column(column) for column in block]


def _suspects(raw: ObjectArray, block: int = 512) -> IndexArray:
    """Positions in the blocks of `raw` that are not all plain numbers or empty."""
    starts = [
        start for start in range(0, len(raw), block)
        if infer_dtype(raw[start : start + block], skipna=True) not in _NUMERIC
    ]  # fmt: skip
    if not starts:
        return np.array([], dtype=np.intp)
    ranges = [np.arange(start, min(start + block, len(raw))) for start in starts]
    return np.concatenate(ranges)


def _blank_texts(cells: ObjectArray) -> BoolArray:
    """Blank among text-or-empty cells, deciding once per distinct text."""
    codes, uniques = pd.factorize(cells)
    blank_unique = np.fromiter(
        (not str(u).strip() for u in uniques), dtype=bool, count=len(uniques)
    )
    return np.where(codes < 0, True, blank_unique[np.maximum(codes, 0)] if len(uniques) else True)


def _floats(cells: ObjectArray) -> FloatArray:
    """Numbers and blanks (None, NaN) as floats; an int too big for a float becomes infinite."""
    try:
        return cells.astype(np.float64)
    except OverflowError:
        return np.fromiter(map(_float, cells), dtype=np.float64, count=len(cells))


def _float(value: Any) -> float:
    if value is None:
        return math.nan
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _one_number(value: Any, locale: LocaleConfig) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _float(value)
    return parse_number_text(str(value), locale)


def _one_serial(value: Any, locale: LocaleConfig) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _float(value)
    if isinstance(value, datetime | date):
        return float(date_to_serial(value.date() if isinstance(value, datetime) else value))
    parsed = parse_date_text(str(value), locale)
    return None if parsed is None else float(date_to_serial(parsed))


def serial_to_dates(serials: FloatArray) -> npt.NDArray[np.datetime64]:
    """Serial day numbers to datetime64[D]; NaN -> NaT."""
    days = np.floor(serials)
    out = np.full(len(serials), np.datetime64("NaT"), dtype="datetime64[D]")
    ok = ~np.isnan(days)
    out[ok] = SERIAL_EPOCH + days[ok].astype(np.int64)
    return out
