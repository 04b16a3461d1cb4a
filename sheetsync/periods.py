"""Period labels, fiscal calendars and working days.

A `Period` is a closed date range with a label in the goal notation:

    2026-W48   ISO week                      2026-11    month
    2026-Q4    calendar quarter              2026       calendar year
    FY2027-Q1  fiscal quarter                FY2027     fiscal year

A fiscal year is named after the calendar year in which it ends: with the fiscal year starting in
April, FY2027 runs from 2026-04-01 to 2027-03-31 and FY2027-Q1 is April to June 2026.

Everything here is pure: the clock (`as_of`) is always passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import numpy as np

from sheetsync.config.countries import public_holidays
from sheetsync.config.values import PERIOD_KINDS, CalendarConfig, PeriodKind
from sheetsync.errors import UsageError

__all__ = [
    "FIRST_AS_OF",
    "LAST_AS_OF",
    "Period",
    "WorkCalendar",
    "check_as_of",
    "components",
    "current_period",
    "current_periods",
    "elapsed_working_days",
    "nth_working_day",
    "parse_period",
    "previous_period",
    "work_calendar",
    "working_days",
]


@dataclass(frozen=True)
class Period:
    """A closed range of days, `start` to `end` inclusive, with its label in goal notation.

    `kind` is one of week, month, quarter, year; `fiscal` tells a fiscal quarter or year (label
    `FY2027-Q1`, `FY2027`) from a calendar one (`2026-Q4`, `2026`). Two periods are equal when
    they have the same label, kind and dates.
    """

    kind: PeriodKind
    label: str
    start: date
    end: date
    fiscal: bool = False

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


# ---------------------------------------------------------------------------------------------
# Constructors


def _add_months(day: date, months: int) -> date:
    """The first of the month `months` months after `day`'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def _month(year: int, month: int) -> Period:
    start = date(year, month, 1)
    end = _add_months(start, 1) - timedelta(days=1)
    return Period("month", f"{year:04d}-{month:02d}", start, end)


def _quarter(year: int, quarter: int) -> Period:
    start = date(year, 3 * quarter - 2, 1)
    end = _add_months(start, 3) - timedelta(days=1)
    return Period("quarter", f"{year:04d}-Q{quarter}", start, end)


def _year(year: int) -> Period:
    return Period("year", f"{year:04d}", date(year, 1, 1), date(year, 12, 31))


def _fiscal_start(fiscal_year: int, fiscal_year_start: int) -> date:
    return date(fiscal_year - 1, fiscal_year_start, 1)


def _fiscal_year(fiscal_year: int, fiscal_year_start: int) -> Period:
    if fiscal_year_start == 1:
        return _year(fiscal_year)
    start = _fiscal_start(fiscal_year, fiscal_year_start)
    end = _add_months(start, 12) - timedelta(days=1)
    return Period("year", f"FY{fiscal_year:04d}", start, end, fiscal=True)


def _fiscal_quarter(fiscal_year: int, quarter: int, fiscal_year_start: int) -> Period:
    if fiscal_year_start == 1:
        return _quarter(fiscal_year, quarter)
    start = _add_months(_fiscal_start(fiscal_year, fiscal_year_start), 3 * (quarter - 1))
    end = _add_months(start, 3) - timedelta(days=1)
    return Period("quarter", f"FY{fiscal_year:04d}-Q{quarter}", start, end, fiscal=True)


def _week(year: int, week: int) -> Period:
    try:
        start = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no ISO week {week}") from None
    return Period("week", f"{year:04d}-W{week:02d}", start, start + timedelta(days=6))


# ---------------------------------------------------------------------------------------------
# Parsing

_SEP = r"[-/ ]?"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("year", re.compile(r"(\d{4})(?:\.0+)?")),
    ("month", re.compile(r"(\d{4})[-/ ](\d{1,2})")),
    ("quarter", re.compile(rf"(\d{{4}}){_SEP}Q([1-4])")),
    ("week", re.compile(rf"(\d{{4}}){_SEP}W(\d{{1,2}})")),
    ("fiscal_year", re.compile(r"FY ?(\d{4})")),
    ("fiscal_quarter", re.compile(rf"FY ?(\d{{4}}){_SEP}Q([1-4])")),
)

_NOTATION = "2026-11 (month), 2026-Q4, 2026, 2026-W48, FY2027 or FY2027-Q1"


@lru_cache(maxsize=4096)
def parse_period(label: str, fiscal_year_start: int = 1) -> Period:
    """Read a goal-sheet period label; raise ValueError naming the label if it is not one.

    Lenient where unambiguous: surrounding and inner spaces, any letter case (`2026-q4`,
    `fy2027`), a one-digit month or week (`2026-1`, `2026-W1`), `/` or a space for `-`, no
    separator before Q or W (`2026Q4`), and a year typed as a number (`2026.0`). The returned
    label is canonical (`2026-01`, `2026-W01`). With a calendar fiscal year (start month 1),
    `FY2027` and `FY2027-Q1` are the same as `2027` and `2027-Q1` and get those labels.
    """
    text = " ".join(str(label).split()).upper()
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return _build(kind, [int(group) for group in match.groups()], fiscal_year_start)
            except ValueError as exc:
                raise ValueError(f"not a period: {label!r}: {exc}") from None
    raise ValueError(f"not a period: {label!r}; expected {_NOTATION}")


def _build(kind: str, numbers: list[int], fiscal_year_start: int) -> Period:
    year = numbers[0]
    if year < 1:
        raise ValueError(f"year {year} is out of range")
    if kind == "month":
        if not 1 <= numbers[1] <= 12:
            raise ValueError(f"month {numbers[1]} is not between 1 and 12")
        return _month(year, numbers[1])
    if kind == "quarter":
        return _quarter(year, numbers[1])
    if kind == "week":
        return _week(year, numbers[1])
    if kind == "fiscal_year":
        return _fiscal_year(year, fiscal_year_start)
    if kind == "fiscal_quarter":
        return _fiscal_quarter(year, numbers[1], fiscal_year_start)
    return _year(year)


# ---------------------------------------------------------------------------------------------
# The period a day falls in, and what a period is made of


def _fiscal_year_of(day: date, fiscal_year_start: int) -> int:
    """The fiscal year (named after the year it ends in) that contains `day`."""
    return day.year + 1 if 1 < fiscal_year_start <= day.month else day.year


def current_period(kind: PeriodKind, as_of: date, fiscal_year_start: int = 1) -> Period:
    """The period of `kind` that contains `as_of`.

    Weeks are ISO weeks (Monday to Sunday, numbered by ISO year). Quarters and years are fiscal
    ones when `fiscal_year_start` is not 1 (January), calendar ones otherwise.
    """
    if kind == "week":
        iso = as_of.isocalendar()
        return _week(iso.year, iso.week)
    if kind == "month":
        return _month(as_of.year, as_of.month)
    fiscal_year = _fiscal_year_of(as_of, fiscal_year_start)
    if kind == "year":
        return _fiscal_year(fiscal_year, fiscal_year_start)
    if kind == "quarter":
        quarter = (as_of.month - fiscal_year_start) % 12 // 3 + 1
        return _fiscal_quarter(fiscal_year, quarter, fiscal_year_start)
    raise ValueError(f"unknown period kind {kind!r}; expected one of {', '.join(PERIOD_KINDS)}")


def current_periods(as_of: date, fiscal_year_start: int = 1) -> tuple[Period, ...]:
    """The current week, month, quarter and year, in that order."""
    return tuple(current_period(kind, as_of, fiscal_year_start) for kind in PERIOD_KINDS)


@lru_cache(maxsize=4096)
def components(period: Period) -> tuple[Period, ...] | None:
    """What `period` is made of, for target roll-ups; None for months and weeks.

    A quarter (calendar or fiscal) is made of its three months; a calendar year of its four
    calendar quarters; a fiscal year of its four fiscal quarters. Weeks do not nest in months,
    so they are never rolled up and are never anything's components.
    """
    if period.kind == "quarter":
        firsts = (_add_months(period.start, i) for i in range(3))
        return tuple(_month(first.year, first.month) for first in firsts)
    if period.kind == "year" and period.fiscal:
        fiscal_year, fiscal_year_start = period.end.year, period.start.month
        return tuple(_fiscal_quarter(fiscal_year, q, fiscal_year_start) for q in range(1, 5))
    if period.kind == "year":
        return tuple(_quarter(period.start.year, q) for q in range(1, 5))
    return None


# ---------------------------------------------------------------------------------------------
# The as-of dates the calendar maths handles

FIRST_AS_OF = date(1900, 1, 1)
LAST_AS_OF = date(9998, 12, 31)


def check_as_of(day: date) -> None:
    """Raise UsageError unless `day` is from FIRST_AS_OF to LAST_AS_OF, both included.

    The last day: the periods of a day in 9999 can end in year 10000, which Python's dates do not
    have (December 9999's month, the ISO week of 9999-12-31 that ends on 10000-01-02, and with a
    fiscal year starting in February every day from 9999-02-01, in fiscal year 10000). Every day
    of 9998 works with any fiscal start: its latest fiscal year ends in 9999.
    The first day: sheets store dates as serial days from 1899-12-30, and a serial below 1 is not
    read as a date, so no activity can be dated before 1899-12-31; and in year 1 a fiscal year
    starting after January would start in year 0, which does not exist. 1900-01-01 is the first
    day of Excel's calendar.
    """
    if not FIRST_AS_OF <= day <= LAST_AS_OF:
        raise UsageError(f"as-of date {day.isoformat()} is out of range; use a date from "
                         f"{FIRST_AS_OF.isoformat()} to {LAST_AS_OF.isoformat()}")  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Working days


@dataclass(frozen=True)
class WorkCalendar:
    """The working days of one run: the configured weekdays and fiscal year, and the days off:
    `holidays` (the config's and the Holidays tab's dates) and, with `country`, that country's
    public holidays. Made by `work_calendar`; the config itself never holds synced data."""

    fiscal_year_start: int = 1
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[date] = frozenset()
    country: str | None = None

    def days_off(self, start: date, end: date) -> frozenset[date]:
        """The holidays from `start` to `end`: `holidays` and, with `country`, its public
        holidays of those years (days outside the range may be included)."""
        if self.country is None or end < start:
            return self.holidays
        years = range(start.year, end.year + 1)
        return self.holidays.union(*(public_holidays(self.country, year) for year in years))


def work_calendar(calendar: CalendarConfig, synced: frozenset[date] = frozenset()) -> WorkCalendar:
    """The configured calendar with the holidays read from the workbook (`synced`) added."""
    return WorkCalendar(calendar.fiscal_year_start, calendar.working_days,
                        calendar.holidays | synced, calendar.holidays_country)  # fmt: skip


def _weekmask(calendar: WorkCalendar) -> str:
    """numpy's weekmask ("1111100" is Monday to Friday) for the configured working weekdays."""
    return "".join("1" if day in calendar.working_days else "0" for day in range(7))


def working_days(start: date, end: date, calendar: WorkCalendar) -> int:
    """Working days from `start` to `end`, both included: configured weekdays minus holidays
    (the calendar's dates and its country's public holidays, `WorkCalendar.days_off`).

    0 when `end` is before `start` or when no weekday is a working day.
    """
    mask = _weekmask(calendar)
    if end < start or "1" not in mask:
        return 0
    holidays = np.array(sorted(calendar.days_off(start, end)), dtype="datetime64[D]")
    count = np.busday_count(
        np.datetime64(start, "D"),
        np.datetime64(end + timedelta(days=1), "D"),
        weekmask=mask,
        holidays=holidays,
    )
    return int(count)


def elapsed_working_days(period: Period, as_of: date, calendar: WorkCalendar) -> int:
    """Working days of `period` from its first day to min(its last day, `as_of`), inclusive.

    0 when `as_of` is before the period starts.
    """
    return working_days(period.start, min(period.end, as_of), calendar)


def nth_working_day(period: Period, n: int, calendar: WorkCalendar) -> date:
    """The `n`-th working day of `period` (1 is the first); its last day when it has fewer."""
    mask = _weekmask(calendar)
    if n < 1 or "1" not in mask:
        return period.start
    days_off = calendar.days_off(period.start, period.end)
    holidays = np.array(sorted(days_off), dtype="datetime64[D]")
    day = np.busday_offset(np.datetime64(period.start, "D"), n - 1, roll="forward",
                           weekmask=mask, holidays=holidays)  # fmt: skip
    found: date = day.astype(date)
    return min(found, period.end)


def previous_period(period: Period, fiscal_year_start: int = 1) -> Period:
    """The period of the same kind just before `period`."""
    return current_period(period.kind, period.start - timedelta(days=1), fiscal_year_start)
