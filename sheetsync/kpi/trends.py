"""Trends (pure): what changed since the last snapshot, and the pace at the same point of the
previous period.

- `last`: the History rows of the latest snapshot day before the as-of date (or, when History
  could not be read, the same table recomputed from the activity as of that day).
- `change`: for every (period, level, name, KPI) row of the current Rep KPIs table whose period
  the last snapshot also holds, the actual, attainment and pace then and now.
- `same_point`: for the ranked period (the month by default), the previous period's figures
  as of its working day with the same number of elapsed working days as today ("last month at this
  working day we were at 88% of expected"), from History when it holds that day, else
  recomputed from the activity, which has every past day.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from sheetsync.config.values import CalendarConfig
from sheetsync.kpi.history import snapshot_table
from sheetsync.periods import (
    Period,
    current_periods,
    elapsed_working_days,
    nth_working_day,
    previous_period,
)

__all__ = [
    "CHANGE_COLUMNS", "SamePoint", "TrendInput", "Trends", "build_trends", "same_point_days",
    "same_points_to_compute",
]  # fmt: skip

Recompute = Callable[[date, tuple[Period, ...]], pd.DataFrame]
"""The Rep KPIs table as of a past day for the given periods, from the activity."""
Ranker = Callable[[pd.DataFrame, date], pd.DataFrame]
"""The ranking table (kpi.ranking.rank) of a Rep KPIs table computed as of a day."""

CHANGE_COLUMNS = (
    "period", "period_kind", "level", "name", "kpi",
    "actual_then", "actual_now", "attainment_then", "attainment_now", "pace_then", "pace_now",
)  # fmt: skip
"""Columns of `Trends.change`; `*_then` are NaN where the last snapshot had a blank."""

SAME_POINT_COLUMNS = ("level", "name", "kpi", "actual", "target", "attainment", "pace", "status")


@dataclass(frozen=True)
class SamePoint:
    """The previous period of `kind` as of `day`, its working day matching today's.

    `period` is its label (`2026-10`); `source` is "history" or "activity"; `table` has
    `SAME_POINT_COLUMNS`, one row per (level, name, KPI) of that period.
    """

    kind: str
    period: str
    day: date
    source: str
    table: pd.DataFrame


@dataclass(frozen=True)
class Trends:
    """Everything History (or the activity's past) tells about the current figures.

    `last_day` is None when there is no earlier snapshot; then `last`, `change` and
    `previous_ranks` are empty. `source` says where `last` came from ("history" or
    "activity"). `previous_ranks` maps each rep ranked on `last_day` to their rank then.
    """

    last_day: date | None = None
    source: str | None = None
    previous_ranks: Mapping[str, int] = field(default_factory=dict)
    change: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHANGE_COLUMNS))
    same_point: tuple[SamePoint, ...] = ()


@dataclass(frozen=True)
class TrendInput:
    """What trends are made from. `days`: every snapshot day History holds; `history`: the
    History rows read (kpi.history.history_table), which may hold only some days; `past`:
    the Rep KPIs rows of the previous periods recomputed as of their same-point days (see
    `same_points_to_compute`); `recompute` and `ranker` rebuild the last snapshot from the
    activity when History could not give it."""

    rep_kpis: pd.DataFrame
    as_of: date
    periods: tuple[Period, ...]
    calendar: CalendarConfig
    ranked_kind: str
    days: Sequence[date]
    history: pd.DataFrame
    recompute: Recompute
    ranker: Ranker
    past: pd.DataFrame | None = None


def build_trends(data: TrendInput) -> Trends:
    """The last snapshot, the change since it, and the same point of the previous periods."""
    same = _same_points(data) if data.past is not None else ()
    earlier = [day for day in data.days if day < data.as_of]
    if not earlier:
        return Trends(same_point=same)
    last_day = max(earlier)
    last = data.history[data.history["date"] == last_day]
    source = "history"
    if last.empty:
        last, source = _recomputed_snapshot(data, last_day), "activity"
    return Trends(last_day, source, _ranks(last), _change(data.rep_kpis, last), same)


def same_point_days(
    periods: Sequence[Period], as_of: date, calendar: CalendarConfig
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


def same_points_to_compute(
    periods: Sequence[Period], as_of: date, calendar: CalendarConfig, history: pd.DataFrame
) -> list[tuple[Period, date]]:
    """The previous periods, each with its same-point day, that History does not hold."""
    wanted = same_point_days(periods, as_of, calendar).values()
    return [(before, day) for before, day in wanted if _held(history, before, day).empty]


def _held(history: pd.DataFrame, period: Period, day: date) -> pd.DataFrame:
    return history[(history["date"] == day) & (history["period"] == period.label)]


def _same_points(data: TrendInput) -> tuple[SamePoint, ...]:
    points = []
    assert data.past is not None
    ranked = [period for period in data.periods if period.kind == data.ranked_kind]
    for kind, (before, day) in same_point_days(ranked, data.as_of, data.calendar).items():
        rows, source = _held(data.history, before, day), "history"
        if rows.empty:
            rows, source = data.past[data.past["period"] == before.label], "activity"
        if rows.empty:
            continue
        table = rows.loc[:, list(SAME_POINT_COLUMNS)].reset_index(drop=True)
        points.append(SamePoint(kind, before.label, day, source, table))
    return tuple(points)


def _recomputed_snapshot(data: TrendInput, day: date) -> pd.DataFrame:
    periods = current_periods(day, data.calendar.fiscal_year_start)
    rep_kpis = data.recompute(day, periods)
    ranked = next(p for p in periods if p.kind == data.ranked_kind)
    return snapshot_table(rep_kpis, data.ranker(rep_kpis, day), ranked.label, day)


def _ranks(last: pd.DataFrame) -> dict[str, int]:
    ranked = last[(last["level"] == "rep") & last["rank"].notna()]
    return {str(name): int(rank) for name, rank in zip(ranked["name"], ranked["rank"], strict=True)}


def _change(rep_kpis: pd.DataFrame, last: pd.DataFrame) -> pd.DataFrame:
    """Now against then, for the rows of the periods the last snapshot also holds."""
    keys = ["period", "level", "name", "kpi"]
    then = last.loc[:, [*keys, "actual", "attainment", "pace"]].drop_duplicates(keys)
    now = rep_kpis.loc[:, [*keys, "period_kind", "actual", "attainment", "pace"]]
    joined = now.merge(then, on=keys, how="inner", suffixes=("_now", "_then"))
    return joined.loc[:, list(CHANGE_COLUMNS)].reset_index(drop=True)
