"""KPI evaluation: activity, goals and roster in; the long "Rep KPIs" table out.

Pure functions over DataFrames, no I/O; the as-of date is passed in. Work over activity rows is
vectorised (see `actuals`: one boolean mask per period over arrays coded once); Python loops only
run over periods, KPIs and scopes (reps, teams, the total).

Input frames (made by the sync stage):

- activity: `rep` (str, or a categorical of str), `date` (datetime64, midnight), one float
  column per numeric field (NaN is an empty cell) and one object column per text field (None
  when empty).
- goals: `period` (goal notation), `level` (rep | team | total), `scope`, `kpi`, `target`.
- roster: `rep`, `email`, `team` (str or None), `active` (bool); may be empty.

See `evaluate` for the output, and the README section "KPI math in plain words".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from sheetsync.config.values import KpiDef, StatusThresholds
from sheetsync.kpi.actuals import (
    Coded,
    People,
    code_activity,
    people,
    period_mask,
    scope_actuals,
)
from sheetsync.kpi.finite import quotient, rounded
from sheetsync.kpi.targets import Level, TargetResolver, goal_lookup
from sheetsync.periods import Period, WorkCalendar, elapsed_working_days, working_days

__all__ = [
    "ACHIEVED",
    "AT_RISK",
    "BEHIND",
    "MISSED",
    "NOT_STARTED",
    "ON_TRACK",
    "REP_KPI_COLUMNS",
    "STATUSES",
    "evaluate",
    "status",
]

REP_KPI_COLUMNS = (
    "period",
    "period_kind",
    "level",
    "name",
    "team",
    "kpi",
    "actual",
    "target",
    "target_source",
    "attainment",
    "expected",
    "pace",
    "status",
    "projection",
    "elapsed_days",
    "total_days",
)
_FLOAT_COLUMNS = ("actual", "target", "attainment", "expected", "pace", "projection")
ACHIEVED, MISSED, NOT_STARTED = "Achieved", "Missed", "Not started"
ON_TRACK, AT_RISK, BEHIND = "On track", "At risk", "Behind"
STATUSES = (ACHIEVED, MISSED, NOT_STARTED, ON_TRACK, AT_RISK, BEHIND)
"""The statuses, by their machine names: the Rep KPIs and History tabs and `--json` show them
as they are in every output language; the other tabs translate them (`i18n`)."""
_DECIMALS = 9  # comparisons round to this many decimals, so exactly on target is on target

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]


# ---------------------------------------------------------------------------------------------
# Scopes


def _scopes(who: People) -> list[tuple[Level, str, str | None]]:
    """(level, name, team) for the total, every team and every rep, in output order."""
    total: list[tuple[Level, str, str | None]] = [("total", who.total_label, None)]
    teams: list[tuple[Level, str, str | None]] = [("team", team, team) for team in who.teams]
    reps: list[tuple[Level, str, str | None]] = [("rep", r, who.rep_team[r]) for r in who.reps]
    return total + teams + reps


# ---------------------------------------------------------------------------------------------
# Attainment, pace, projection, status


def _pace_columns(
    actual: FloatArray,
    target: FloatArray,
    ratio: BoolArray,
    additive: BoolArray,
    elapsed: int,
    total: int,
) -> dict[str, FloatArray]:
    """attainment, expected, pace and projection for rows of one period.

    Additive and count_distinct KPIs: expected = target x elapsed / total working days. Ratio
    KPIs: expected = target and pace = attainment (a rate does not accrue over time). Projection
    = actual x total / elapsed, additive KPIs only. A quotient past the largest double (a
    goal of 5e-324) is blank, as one with nothing to divide by is (`finite.quotient`).
    """
    attainment = quotient(actual, target)
    share = elapsed / total if total else np.nan
    expected = np.where(ratio, target, target * share)
    pace = quotient(actual, expected)
    with np.errstate(over="ignore"):  # a ratio's actual may be near the largest double
        projection = np.where(additive, quotient(actual * total, elapsed), np.nan)
    return {"attainment": attainment, "expected": expected, "pace": pace, "projection": projection}


def status(
    attainment: FloatArray,
    pace: FloatArray,
    *,
    over: bool,
    elapsed: int,
    thresholds: StatusThresholds,
) -> ObjectArray:
    """Status per row (object array; None where blank).

    Blank without a usable target (attainment is NaN: no target, a zero target, or a ratio with
    nothing to divide by). Period over: Achieved when attainment >= 1, else Missed. Otherwise
    Not started when no working day has elapsed, then On track / At risk / Behind by pace
    against the thresholds. Values are rounded to 9 decimals first, so hitting the target
    exactly is Achieved / On track despite floating-point error.
    """
    att = rounded(attainment, _DECIMALS)
    rounded_pace = rounded(pace, _DECIMALS)
    blank = np.isnan(att)
    if over:
        choices = [(blank, None), (att >= 1, ACHIEVED), (att < 1, MISSED)]
    elif elapsed == 0:
        choices = [(blank, None), (~blank, NOT_STARTED)]
    else:
        choices = [
            (blank | np.isnan(rounded_pace), None),
            (rounded_pace >= thresholds.on_track, ON_TRACK),
            (rounded_pace >= thresholds.at_risk, AT_RISK),
            (rounded_pace < thresholds.at_risk, BEHIND),
        ]
    conditions = [condition for condition, _ in choices]
    labels = np.array([label for _, label in choices], dtype=object)
    picked = np.select(conditions, np.arange(len(choices)), default=0)
    return np.asarray(labels[picked], dtype=object)


# ---------------------------------------------------------------------------------------------
# The entry point


def evaluate(
    activity: pd.DataFrame,
    goals: pd.DataFrame,
    roster: pd.DataFrame,
    kpis: Sequence[KpiDef],
    calendar: WorkCalendar,
    thresholds: StatusThresholds,
    periods: Sequence[Period | tuple[Period, date]],
    as_of: date,
    total_label: str = "Total",
) -> pd.DataFrame:
    """The long Rep KPIs table: one row per (period, level, name, KPI).

    A period may come with its own as-of date, `(period, day)`: a past period as it stood on
    a past day (for trends), computed in the same pass over the activity.

    Rows: for each period in the order given, the total, then every roster team, then every rep
    (roster reps including inactive ones, reps seen in the activity, rep scopes in the goals),
    names sorted case-insensitively, and within each the KPIs in configured order. Columns are
    `REP_KPI_COLUMNS`; blanks are NaN in float columns and None in `team`, `target_source` and
    `status`.
    """
    if not periods or not kpis:
        return pd.DataFrame({column: pd.Series(dtype=_dtype(column)) for column in REP_KPI_COLUMNS})
    who = people(activity, goals, roster, total_label)
    resolver = TargetResolver(goal_lookup(goals, calendar.fiscal_year_start), kpis, who.members)
    context = _Context(who, tuple(kpis), resolver, calendar, thresholds, as_of)
    coded = code_activity(activity, who, kpis)
    frames = [
        _evaluate_period(coded, item[0], dataclasses.replace(context, as_of=item[1]))
        if isinstance(item, tuple) else _evaluate_period(coded, item, context)
        for item in periods
    ]  # fmt: skip
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class _Context:
    """What every period's evaluation shares."""

    who: People
    kpis: tuple[KpiDef, ...]
    resolver: TargetResolver
    calendar: WorkCalendar
    thresholds: StatusThresholds
    as_of: date


def _evaluate_period(coded: Coded, period: Period, ctx: _Context) -> pd.DataFrame:
    """All rows of one period: scope-major, KPIs in configured order within each scope."""
    scopes = _scopes(ctx.who)
    mask = period_mask(coded, period, ctx.as_of)
    actual = scope_actuals(coded, mask, ctx.kpis).ravel()
    found = [
        ctx.resolver.resolve(period, level, name, kpi.key)
        for level, name, _ in scopes
        for kpi in ctx.kpis
    ]
    target = np.array([np.nan if f is None else f[0] for f in found], dtype=float)
    elapsed = elapsed_working_days(period, ctx.as_of, ctx.calendar)
    total = working_days(period.start, period.end, ctx.calendar)
    kinds = np.tile(np.array([kpi.kind for kpi in ctx.kpis]), len(scopes))
    additive = np.isin(kinds, ["sum", "count"])
    derived = _pace_columns(actual, target, kinds == "ratio", additive, elapsed, total)
    marks = status(
        derived["attainment"],
        derived["pace"],
        over=ctx.as_of >= period.end,
        elapsed=elapsed,
        thresholds=ctx.thresholds,
    )
    size = len(actual)
    columns: dict[str, object] = {
        "period": _texts([period.label] * size),
        "period_kind": _texts([period.kind] * size),
        "level": _texts([level for level, _, _ in scopes for _ in ctx.kpis]),
        "name": _texts([name for _, name, _ in scopes for _ in ctx.kpis]),
        "team": _texts([team for _, _, team in scopes for _ in ctx.kpis]),
        "kpi": _texts([kpi.key for _ in scopes for kpi in ctx.kpis]),
        "actual": actual,
        "target": target,
        "target_source": _texts([None if f is None else f[1] for f in found]),
        "status": _texts(list(marks)),
        "elapsed_days": np.full(size, elapsed, dtype=np.int64),
        "total_days": np.full(size, total, dtype=np.int64),
        **derived,
    }
    return pd.DataFrame({column: columns[column] for column in REP_KPI_COLUMNS})


def _dtype(column: str) -> str:
    """The dtype of an output column (for an empty table)."""
    if column in ("elapsed_days", "total_days"):
        return "int64"
    return "float64" if column in _FLOAT_COLUMNS else "object"


def _texts(values: Sequence[object]) -> pd.Series:
    """A text column kept as object dtype, so blanks stay None (not NaN)."""
    return pd.Series(values, dtype=object)
