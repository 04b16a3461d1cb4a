"""Public holidays by country (`calendar.holidays_country`), from the `holidays` package.

`holidays` (https://pypi.org/project/holidays/) is a well-kept library of the public holidays
of about 250 countries and territories, moveable feasts and changes in the law included
(Poland's Christmas Eve is a holiday from 2025 on). A country is named by its ISO 3166-1
alpha-2 code (`PL`, `DE`, `US`); its national public holidays are used, no subdivision's.
They are looked up per year when a period needs them, so every year works and nothing is
computed for years no period touches.
"""

from __future__ import annotations

from datetime import date
from functools import cache

__all__ = ["LIST_COMMAND", "country_code", "public_holidays"]

LIST_COMMAND = 'python -c "import holidays; print(*sorted(holidays.list_supported_countries()))"'
"""A command that prints every country code the installed `holidays` knows."""


@cache
def _supported() -> frozenset[str]:
    import holidays

    return frozenset(holidays.list_supported_countries())


def country_code(code: str) -> str | None:
    """`code` in upper case when `holidays` knows that country, else None."""
    upper = code.strip().upper()
    return upper if upper in _supported() else None


@cache
def public_holidays(country: str, year: int) -> frozenset[date]:
    """The public holidays of `country` (a code `country_code` accepted) in `year`."""
    import holidays

    return frozenset(holidays.country_holidays(country, years=year))
