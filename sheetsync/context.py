"""The run context: what every stage after sync needs to know about this run, worked out once.

    refresh: read -> sync -> run_context(...) -> kpi, report, notify, console

Built right after sync, because the calendar's holidays come from the workbook too (the
Holidays tab). Nothing downstream looks the config up again to recompute these values, and
nothing falls back to a default language: a stage that writes words takes `context.lang`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from sheetsync.config.values import Config
from sheetsync.i18n import Language, language
from sheetsync.periods import (
    Period,
    WorkCalendar,
    current_periods,
    elapsed_working_days,
    nth_working_day,
    previous_period,
    work_calendar,
)

__all__ = ["RunContext", "run_context", "same_point_days"]


@dataclass(frozen=True)
class RunContext:
    """One refresh's facts, computed once.

    `as_of`: the day the figures are as of; `ran_at`: when the run started, in the team's time
    zone; `periods`: the current week, month, quarter and year (in that order); `ranked`: the
    one of them the ranking is over; `calendar`: the working days, with the Holidays tab's
    dates; `same_point`: for the ranked period, the previous period and its working day with
    as many working days elapsed as today (empty on the period's first working day); `lang`:
    the team's language (`output.language`).
    """

    as_of: date
    ran_at: datetime
    periods: tuple[Period, ...]
    ranked: Period
    calendar: WorkCalendar
    same_point: Mapping[str, tuple[Period, date]]
    lang: Language

    def period(self, kind: str) -> Period:
        """The current period of `kind` (week, month, quarter or year)."""
        return next(period for period in self.periods if period.kind == kind)


def run_context(
    config: Config, as_of: date, ran_at: datetime, holidays: frozenset[date] = frozenset()
) -> RunContext:
    """The context of a run as of `as_of`, started at `ran_at`, with the `holidays` synced from
    the workbook added to the configured ones."""
    calendar = work_calendar(config.calendar, holidays)
    periods = current_periods(as_of, calendar.fiscal_year_start)
    ranked = next(period for period in periods if period.kind == config.ranking.period)
    same = MappingProxyType(same_point_days((ranked,), as_of, calendar))
    lang = language(config.output.language)
    return RunContext(as_of, ran_at, periods, ranked, calendar, same, lang)


def same_point_days(
    periods: tuple[Period, ...], as_of: date, calendar: WorkCalendar
) -> dict[str, tuple[Period, date]]:
    """For each of `periods`: the previous period and its working day with as many working
    days elapsed as today (none for a period with no working day elapsed yet)."""
    found: dict[str, tuple[Period, date]] = {}
    for period in periods:
        elapsed = elapsed_working_days(period, as_of, calendar)
        if elapsed > 0:
            before = previous_period(period, calendar.fiscal_year_start)
            found[period.kind] = (before, nth_working_day(before, elapsed, calendar))
    return found
