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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from sheetsync.context import RunContext
from sheetsync.periods import Period

__all__ = [
    "CHANGE_COLUMNS", "SamePoint", "TrendInput", "Trends", "build_trends", "held_period",
    "held_rows", "last_snapshot_day", "same_points_to_compute",
]  # fmt: skip

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
    """What trends are made from, all of it values. `days`: every snapshot day History holds;
    `history`: the History rows read (kpi.history.history_table), which may hold only some
    days; `recomputed_last`: the last snapshot's table (kpi.history.snapshot_table) recomputed
    from the activity, given when History holds that day but its rows were not read
    (`last_snapshot_day`, `held_rows`); `past`: the Rep KPIs rows of the previous periods
    recomputed as of their same-point days (`same_points_to_compute`), None without a brief."""

    rep_kpis: pd.DataFrame
    context: RunContext
    days: Sequence[date]
    history: pd.DataFrame
    recomputed_last: pd.DataFrame | None = None
    past: pd.DataFrame | None = None


def build_trends(data: TrendInput) -> Trends:
    """The last snapshot, the change since it, and the same point of the previous periods."""
    same = _same_points(data) if data.past is not None else ()
    last_day = last_snapshot_day(data.days, data.context.as_of)
    if last_day is None:
        return Trends(same_point=same)
    last, source = held_rows(data.history, last_day), "history"
    if last.empty and data.recomputed_last is not None:
        last, source = data.recomputed_last, "activity"
    return Trends(last_day, source, _ranks(last), _change(data.rep_kpis, last), same)


def last_snapshot_day(days: Sequence[date], as_of: date) -> date | None:
    """The latest snapshot day before `as_of`, if History holds one."""
    return max((day for day in days if day < as_of), default=None)


def held_rows(history: pd.DataFrame, day: date) -> pd.DataFrame:
    """The History rows read of snapshot day `day` (empty when they were not read)."""
    return history[history["date"] == day]


def same_points_to_compute(context: RunContext, history: pd.DataFrame) -> list[tuple[Period, date]]:
    """The previous periods, each with its same-point day, that History does not hold."""
    wanted = context.same_point.values()
    return [(before, day) for before, day in wanted if held_period(history, before, day).empty]


def held_period(history: pd.DataFrame, period: Period, day: date) -> pd.DataFrame:
    """The History rows read of `period` on snapshot day `day` (empty when not held)."""
    return history[(history["date"] == day) & (history["period"] == period.label)]


def _same_points(data: TrendInput) -> tuple[SamePoint, ...]:
    points = []
    assert data.past is not None
    for kind, (before, day) in data.context.same_point.items():
        rows, source = held_period(data.history, before, day), "history"
        if rows.empty:
            rows, source = data.past[data.past["period"] == before.label], "activity"
        if rows.empty:
            continue
        table = rows.loc[:, list(SAME_POINT_COLUMNS)].reset_index(drop=True)
        points.append(SamePoint(kind, before.label, day, source, table))
    return tuple(points)


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
