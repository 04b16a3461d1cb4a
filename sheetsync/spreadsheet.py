"""What every spreadsheet shares, for every stage: A1 cell references, serial dates (days since
1899-12-30, as Excel and Google Sheets store them) and the loose matching of names and tab titles
(case and spacing ignored, glob patterns), and a cell's number as a finite float. Imports nothing
else from sheetsync.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Any

_EPOCH = datetime(1899, 12, 30)
_SPACES = re.compile(r"\s+")


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


def title_pattern(pattern: str) -> re.Pattern[str]:
    """A tab-title glob -> a regex for `fullmatch` on a tidied title; raises re.error if bad.

    The glob rules are `fnmatch`'s: `*` any text, `?` one character, `[seq]` one of a set,
    `[!seq]` one character not in it (a `[` without its `]` is itself). Letter case is ignored and
    runs of spaces count as one (the pattern is tidied too). The first `*` (outside [...]) is
    group 1, as short as the rest of the pattern allows; a pattern without one has no group.
    """
    text, parts, index, star = tidy(pattern), [], 0, False
    while index < len(text):
        char, index = text[index], index + 1
        if char == "*":
            parts.append(".*" if star else "(.*?)")
            star = True
        elif char == "?":
            parts.append(".")
        elif char == "[" and (end := _set_end(text, index)) is not None:
            parts.append(_char_set(text[index:end]))
            index = end + 1
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _set_end(text: str, start: int) -> int | None:
    """Where the `]` closing a set that opens just before `start` is (a `]` first is literal)."""
    index = start + (text[start : start + 1] == "!")
    index += text[index : index + 1] == "]"
    end = text.find("]", index)
    return end if end >= 0 else None


def _char_set(body: str) -> str:
    negate = body.startswith("!")
    chars = "".join(c if c == "-" else re.escape(c) for c in body[negate:])
    return f"[{'^' if negate else ''}{chars}]"


def finite_number(value: object) -> float | None:
    """A cell's int or float as a finite float; None for anything else: text, a boolean, NaN,
    an infinity, or an int past the largest double (`float()` would raise OverflowError)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def date_to_serial(value: date) -> float | int:
    """Days since 1899-12-30, as spreadsheets store dates: whole days for a date; a
    datetime's time of day is the fraction (its time zone is dropped: wall-clock time)."""
    if isinstance(value, datetime):
        return (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
    return (value - _EPOCH.date()).days


def serial_to_date(serial: float) -> date:
    """The date of a spreadsheet serial number (its whole days since 1899-12-30)."""
    return _EPOCH.date() + timedelta(days=int(serial // 1))


def day_of(raw: object) -> date | None:
    """The date a cell read unformatted holds (a serial number), or None for anything else."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    try:
        return serial_to_date(raw)
    except (ValueError, OverflowError):
        return None


CELL_REFERENCE = re.compile(r"([A-Za-z]{1,3})([1-9][0-9]{0,6})")


def cell_position(cell: str) -> tuple[int, int]:
    """A cell reference ("B1", any case) as a 0-based (row, column); ValueError when it is not
    one cell's reference."""
    match = CELL_REFERENCE.fullmatch(cell.strip())
    if match is None:
        raise ValueError(f"{cell!r} is not a cell reference like B1")
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)) - 1, column - 1
