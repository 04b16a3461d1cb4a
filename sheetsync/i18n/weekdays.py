"""Weekday names in every shipped language, for `calendar.working_days`.

A name is matched after folding: case ignored, diacritics dropped (`Śr` = `sr`, `Piątek` =
`piatek`, `ł` = `l`) and surrounding spaces stripped. The names are each catalog's short and
long names and its `also` spellings; English also keeps its rule of the first three letters
(`Mon`, `monday`, `Mondays`), which `config.rules.weekday` applies.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from sheetsync.i18n.catalog import LANGUAGES, language

__all__ = ["fold", "weekday_names", "weekday_number"]

_NOT_DECOMPOSED = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D"})


def fold(name: str) -> str:
    """`name` without case, diacritics and surrounding spaces (`Śr` -> `sr`)."""
    decomposed = unicodedata.normalize("NFKD", name.strip().translate(_NOT_DECOMPOSED))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def _numbers() -> dict[str, int]:
    """Every folded weekday name of every catalog -> its day (Monday is 0)."""
    found: dict[str, int] = {}
    for code in LANGUAGES:
        for day, names in enumerate(weekday_names(code)):
            for name in names:
                found.setdefault(fold(name), day)
    return found


def weekday_names(code: str) -> tuple[tuple[str, ...], ...]:
    """Language `code`'s names of each day, Monday first: short, long, then `also`."""
    lang = language(code)
    return tuple(
        (lang.weekdays_short[day], lang.weekdays_long[day], *lang.weekdays_also[day])
        for day in range(7)
    )


def weekday_number(name: str) -> int | None:
    """The day (Monday is 0) a weekday name in any shipped language stands for, or None."""
    return _numbers().get(fold(name))
