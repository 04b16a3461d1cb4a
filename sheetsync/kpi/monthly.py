"""The activity as whole calendar months: each rep's additive KPIs per month, and each month's
working days. What goal suggestions and their backtest are computed from (kpi.goalmath).

Pure: the activity frame, the roster's start dates and the calendar come in; no clock. Months
are numbered as `year * 12 + month - 1` ("month index"), so month arithmetic is integer maths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from sheetsync.config.values import KpiDef
from sheetsync.periods import Period, WorkCalendar, nth_working_day, parse_period, working_days

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
NO_START = 10**9
"""The start month of a rep with neither a start date nor any activity."""


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_period(index: int) -> Period:
    """The calendar month of a month index."""
    return parse_period(f"{index // 12:04d}-{index % 12 + 1:02d}")


def months_of(period: Period) -> tuple[int, ...]:
    """The month indexes a month, quarter or year (calendar or fiscal) is made of."""
    return tuple(range(month_index(period.start), month_index(period.end) + 1))


@dataclass(frozen=True)
class MonthGrid:
    """Per rep, KPI and month: the actual (`values`, shape reps x KPIs x months), for the
    months `first` to `first + months - 1`; `days`: each month's working days; `starts`: each
    rep's first full month (the month of the start date, or the next one when the start date
    is after that month's first working day; NO_START without a start and any activity)."""

    first: int
    reps: tuple[str, ...]
    kpis: tuple[str, ...]
    values: FloatArray
    days: FloatArray
    starts: IntArray
    calendar: WorkCalendar

    @property
    def end(self) -> int:
        """The month index after the last month held."""
        return self.first + int(self.values.shape[2])

    def at(self, months: Sequence[int]) -> IntArray:
        """Positions in the grid of the month indexes `months` (all must be held)."""
        return np.asarray(months, dtype=np.int64) - self.first

    def working_days(self, month: int) -> float:
        """Working days of any month, held or not (with the run's holidays)."""
        if self.first <= month < self.end:
            return float(self.days[month - self.first])
        period = month_period(month)
        return float(working_days(period.start, period.end, self.calendar))


def month_grid(
    activity: pd.DataFrame,
    reps: Sequence[str],
    kpis: Sequence[KpiDef],
    starts: Mapping[str, date],
    calendar: WorkCalendar,
    last: date,
) -> MonthGrid:
    """The grid of the full months up to `last` (a month counts when it ends on or before
    `last`), for `reps` and the additive `kpis`. `starts`: the roster's start dates; a rep
    without one starts on their first activity day."""
    rows = activity[activity["date"].notna()]
    stamps = rows["date"].to_numpy(dtype="datetime64[M]").astype(np.int64)
    month_of_row = stamps + 1970 * 12  # numpy months count from 1970-01
    first_days = _first_days(rows, reps, starts)
    known = [month_index(d) for d in first_days.values()]
    first = min([*known, month_index(last)])
    end = month_index(last + timedelta(days=1))  # the month after the last full one
    size = max(end - first, 0)
    rep_of_row = pd.Index(list(reps), dtype=object).get_indexer(
        pd.Index(rows["rep"].astype(object))
    )
    inside = (rep_of_row >= 0) & (month_of_row >= first) & (month_of_row < end)
    flat = rep_of_row[inside] * max(size, 1) + (month_of_row[inside] - first)
    values = np.zeros((len(reps), len(kpis), size))
    for k, kpi in enumerate(kpis):
        weights = _weights(rows, kpi)[inside]
        counted = np.bincount(flat, weights=weights, minlength=len(reps) * size)
        values[:, k, :] = counted[: len(reps) * size].reshape(len(reps), size)
    span = [month_period(first + i) for i in range(size)]
    month_days = np.array([working_days(p.start, p.end, calendar) for p in span], dtype=float)
    start_months = np.array([_start_month(first_days.get(rep), calendar) for rep in reps],
                            dtype=np.int64)  # fmt: skip
    keys = tuple(kpi.key for kpi in kpis)
    return MonthGrid(first, tuple(reps), keys, values, month_days, start_months, calendar)


def _weights(rows: pd.DataFrame, kpi: KpiDef) -> FloatArray:
    if kpi.kind == "count":
        return np.ones(len(rows))
    if kpi.column is None or kpi.column not in rows.columns:
        return np.zeros(len(rows))
    numbers: FloatArray = np.nan_to_num(rows[kpi.column].to_numpy(dtype=float, na_value=np.nan))
    return numbers


def _first_days(
    rows: pd.DataFrame, reps: Sequence[str], starts: Mapping[str, date]
) -> dict[str, date]:
    """Each rep's start: the roster's date, else their first activity day (if any)."""
    found: dict[str, date] = {}
    if len(rows):
        firsts = rows.groupby(rows["rep"].astype(object), sort=False)["date"].min()
        found = {str(rep): pd.Timestamp(day).date() for rep, day in firsts.items()}
    return {rep: starts.get(rep) or found[rep] for rep in reps if rep in starts or rep in found}


def _start_month(start: date | None, calendar: WorkCalendar) -> int:
    """The first full month of a rep who starts on `start`."""
    if start is None:
        return NO_START
    month = month_period(month_index(start))
    return month_index(start) + int(start > nth_working_day(month, 1, calendar))
