"""KPI evaluation: activity, goals and roster in; the long "Rep KPIs" table out.

Pure functions over DataFrames, no I/O; the as-of date is passed in. Work over activity rows is
vectorised (one boolean mask and one groupby per period, level and KPI); Python loops only run
over periods, KPIs and scopes (reps, teams, the total).

Input frames (made by the sync stage):

- activity: `rep` (str), `date` (datetime64, midnight), one float column per numeric field (NaN
  is an empty cell) and one object column per text field (None when empty).
- goals: `period` (goal notation), `level` (rep | team | total), `scope`, `kpi`, `target`.
- roster: `rep`, `email`, `team` (str or None), `active` (bool); may be empty.

See `evaluate` for the output, and the README section "KPI math in plain words".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from sheetsync.config import CalendarConfig, KpiDef, StatusThresholds
from sheetsync.periods import Period, elapsed_working_days, working_days
from sheetsync.targets import Level, TargetResolver, goal_lookup

__all__ = [
    "REP_KPI_COLUMNS",
    "STATUSES",
    "People",
    "evaluate",
    "people",
    "rows_to_date",
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
STATUSES = ("Achieved", "Missed", "Not started", "On track", "At risk", "Behind")
_DECIMALS = 9  # comparisons round to this many decimals, so exactly on target is on target

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]


# ---------------------------------------------------------------------------------------------
# Who is who


@dataclass(frozen=True)
class People:
    """Reps, teams and memberships, as used for actuals and roll-ups.

    `reps`: every rep that gets rows (roster reps including inactive ones, reps seen in the
    activity, rep scopes in the goals), sorted by name. `rep_team`: each rep's roster team, None
    for reps without one (including reps missing from the roster). `teams`: roster teams, sorted.
    `members`: the ACTIVE members of ("team", name) and of ("total", label), for roll-ups.
    """

    reps: tuple[str, ...]
    rep_team: Mapping[str, str | None]
    teams: tuple[str, ...]
    members: Mapping[tuple[str, str], tuple[str, ...]]
    total_label: str


def _by_name(names: Iterable[str]) -> tuple[str, ...]:
    """Unique names sorted case-insensitively (ties broken by exact spelling)."""
    return tuple(sorted(set(names), key=lambda name: (name.casefold(), name)))


def _text(value: object) -> str | None:
    """A cell's text, or None when it is empty or missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value) if str(value).strip() else None


def people(
    activity: pd.DataFrame, goals: pd.DataFrame, roster: pd.DataFrame, total_label: str
) -> People:
    """Work out reps, teams and active memberships from the three input frames.

    With a roster, the total's members are the active roster reps; without one (an empty
    roster) they are every rep seen in the activity or the goals, and there are no teams.
    """
    entries = _roster_entries(roster)
    rep_team: dict[str, str | None] = {}
    for rep, team, _ in entries:
        rep_team.setdefault(rep, team)
    seen = [str(rep) for rep in activity["rep"].dropna().unique()]
    if not goals.empty:
        seen += [str(s) for s in goals.loc[goals["level"] == "rep", "scope"].dropna().unique()]
    reps = _by_name([*rep_team, *seen])
    teams = _by_name(team for team in rep_team.values() if team is not None)
    actives = [rep for rep, _, active in entries if active]
    members = {
        ("team", team): _by_name(rep for rep in actives if rep_team[rep] == team) for team in teams
    }
    members[("total", total_label)] = _by_name(actives) if entries else reps
    return People(reps, {rep: rep_team.get(rep) for rep in reps}, teams, members, total_label)


def _roster_entries(roster: pd.DataFrame) -> list[tuple[str, str | None, bool]]:
    """(rep, team or None, active) for each roster row; empty without a roster."""
    if roster.empty:
        return []
    columns = (roster["rep"], roster["team"], roster["active"])
    return [
        (str(rep), _text(team), bool(active)) for rep, team, active in zip(*columns, strict=True)
    ]


# ---------------------------------------------------------------------------------------------
# Actuals


def rows_to_date(activity: pd.DataFrame, period: Period, as_of: date) -> pd.DataFrame:
    """The activity rows dated from the period's first day to min(its last day, as_of)."""
    last = min(period.end, as_of)
    dates = activity["date"]
    start = pd.Timestamp(period.start)
    stop = pd.Timestamp(last + timedelta(days=1))
    return activity.loc[(dates >= start) & (dates < stop)]


def _codes(keys: pd.Series, names: Sequence[str]) -> IntArray:
    """Each key's position in `names`; -1 for a key that is missing or not among them."""
    if isinstance(keys.dtype, pd.CategoricalDtype):  # the sync stage's rep column: no hashing
        places = pd.Index(list(names), dtype=object).get_indexer(keys.cat.categories)
        codes = keys.cat.codes.to_numpy()
        return np.where(codes >= 0, np.append(places, -1)[codes], -1).astype(np.intp)
    return np.asarray(
        pd.Index(list(names), dtype=object).get_indexer(pd.Index(keys)), dtype=np.intp
    )


@dataclass(frozen=True)
class _Coded:
    """The activity reduced once to day numbers, group codes and plain arrays.

    Every period then works on boolean masks over these arrays: no frame is copied and no
    text column is hashed again per period, level or KPI.
    """

    days: IntArray
    groups: tuple[IntArray, IntArray, IntArray]  # total, team and rep code of each row
    team_of_rep: IntArray
    sizes: tuple[int, int, int]
    sums: dict[str, FloatArray]  # empty cells as 0
    distinct: dict[str, IntArray]  # value codes, -1 for empty cells


def _coded(activity: pd.DataFrame, who: People, kpis: Sequence[KpiDef]) -> _Coded:
    rep_codes = _codes(activity["rep"], who.reps)
    team_of_rep = _codes(pd.Series([who.rep_team[rep] for rep in who.reps]), who.teams)
    team_codes = np.where(rep_codes >= 0, team_of_rep[rep_codes], -1)
    sums, distinct = {}, {}
    for kpi in kpis:
        if kpi.kind in ("sum", "count_distinct"):
            values = _column(activity, kpi)
            if kpi.kind == "sum":
                numbers = values.to_numpy(dtype=float, na_value=np.nan)
                sums[kpi.key] = np.nan_to_num(numbers)
            else:
                distinct[kpi.key] = np.asarray(pd.factorize(values)[0], dtype=np.intp)
    days = activity["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    return _Coded(
        days=days,
        groups=(np.zeros(len(activity), dtype=np.intp), team_codes, rep_codes),
        team_of_rep=team_of_rep,
        sizes=(1, len(who.teams), len(who.reps)),
        sums=sums,
        distinct=distinct,
    )


def _column(rows: pd.DataFrame, kpi: KpiDef) -> pd.Series:
    if kpi.column is None or kpi.column not in rows.columns:
        raise ValueError(f"KPI {kpi.key!r} needs activity column {kpi.column!r}")
    return rows[kpi.column]


def _period_mask(coded: _Coded, period: Period, as_of: date) -> BoolArray:
    """Rows dated from the period's first day to min(its last day, as_of), inclusive."""
    first = np.datetime64(period.start, "D").astype(np.int64)
    last = np.datetime64(min(period.end, as_of), "D").astype(np.int64)
    return (coded.days >= first) & (coded.days <= last)


def _rep_actual(coded: _Coded, rows: _PeriodRows, kpi: KpiDef) -> FloatArray:
    """A sum or count KPI per rep over the period's rows (empty cells add nothing)."""
    size = coded.sizes[2]
    weights = None if kpi.kind == "count" else rows.sums[kpi.key]
    return np.bincount(rows.reps, weights=weights, minlength=size).astype(np.float64)


def _distinct(coded: _Coded, rows: _PeriodRows, level: int, kpi: KpiDef) -> FloatArray:
    """Distinct non-empty values per group of `level` (a union, never a sum of rep counts)."""
    codes, size = rows.groups[level], coded.sizes[level]
    value_codes = rows.distinct[kpi.key]
    valid = (codes >= 0) & (value_codes >= 0)
    width = int(value_codes.max(initial=0)) + 2
    pairs = np.unique(codes[valid].astype(np.int64) * width + value_codes[valid])
    return np.bincount(pairs // width, minlength=size).astype(float)


def _level_actuals(
    coded: _Coded, rows: _PeriodRows, kpis: Sequence[KpiDef]
) -> list[dict[str, FloatArray]]:
    """Every non-ratio KPI for the total, the teams and the reps.

    Sums and counts are added up per rep once, and teams and the total are summed from their
    reps (a rep in no team is left out of the teams, never out of the total).
    """
    levels: list[dict[str, FloatArray]] = [{}, {}, {}]
    for kpi in kpis:
        if kpi.kind in ("sum", "count"):
            per_rep = _rep_actual(coded, rows, kpi)
            levels[2][kpi.key] = per_rep
            levels[1][kpi.key] = _team_totals(coded, per_rep)
            levels[0][kpi.key] = np.array([per_rep.sum()])
        elif kpi.kind == "count_distinct":
            for level in range(3):
                levels[level][kpi.key] = _distinct(coded, rows, level, kpi)
    return levels


def _team_totals(coded: _Coded, per_rep: FloatArray) -> FloatArray:
    in_team = coded.team_of_rep >= 0
    weights = per_rep[in_team]
    totals = np.bincount(coded.team_of_rep[in_team], weights=weights, minlength=coded.sizes[1])
    return totals.astype(np.float64)


def _with_ratios(values: dict[str, FloatArray], kpis: Sequence[KpiDef]) -> dict[str, FloatArray]:
    """Add every ratio KPI: numerator actual / denominator actual for the same group.

    So a team's ratio comes from the team's sums, never from an average of rep ratios; a zero
    denominator gives NaN.
    """
    by_key = {kpi.key: kpi for kpi in kpis}
    for kpi in kpis:
        _ratio(kpi.key, by_key, values, ())
    return values


def _ratio(
    key: str, kpis: Mapping[str, KpiDef], values: dict[str, FloatArray], path: tuple[str, ...]
) -> FloatArray:
    """The values of KPI `key`, computing ratios (possibly of ratios) on first use."""
    if key in values:
        return values[key]
    if key not in kpis:
        raise ValueError(f"ratio KPI {path[-1]!r} refers to unknown KPI {key!r}")
    if key in path:
        raise ValueError(f"ratio KPIs refer to each other in a cycle: {' -> '.join(path)}")
    kpi = kpis[key]
    numerator = _ratio(str(kpi.numerator), kpis, values, (*path, key))
    denominator = _ratio(str(kpi.denominator), kpis, values, (*path, key))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(denominator != 0, numerator / denominator, np.nan)
    values[key] = ratio
    return ratio


@dataclass(frozen=True)
class _PeriodRows:
    """The coded arrays narrowed to one period's rows."""

    groups: tuple[IntArray, ...]
    reps: IntArray
    sums: dict[str, FloatArray]
    distinct: dict[str, IntArray]


def _period_rows(coded: _Coded, mask: BoolArray) -> _PeriodRows:
    """Every row has a rep (the sync stage rejects rows without one); -1 is dropped anyway."""
    index = np.flatnonzero(mask & (coded.groups[2] >= 0))
    groups = tuple(g[index] for g in coded.groups)
    return _PeriodRows(
        groups=groups,
        reps=groups[2],
        sums={k: v[index] for k, v in coded.sums.items()},
        distinct={k: v[index] for k, v in coded.distinct.items()},
    )


def _scope_actuals(coded: _Coded, mask: BoolArray, kpis: Sequence[KpiDef]) -> FloatArray:
    """Actuals as a (scope, KPI) matrix: the total, then each team, then each rep."""
    levels = _level_actuals(coded, _period_rows(coded, mask), kpis)
    blocks = [_with_ratios(values, kpis) for values in levels]
    columns = [np.concatenate([block[kpi.key] for block in blocks]) for kpi in kpis]
    return np.column_stack(columns)


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
    = actual x total / elapsed, additive KPIs only.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        attainment = np.where(target != 0, actual / target, np.nan)
        share = elapsed / total if total else np.nan
        expected = np.where(ratio, target, target * share)
        pace = np.where(expected != 0, actual / expected, np.nan)
        projection = actual * total / elapsed if elapsed else np.full_like(actual, np.nan)
    projection = np.where(additive, projection, np.nan)
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
    att = np.round(attainment, _DECIMALS)
    rounded = np.round(pace, _DECIMALS)
    blank = np.isnan(att)
    if over:
        choices = [(blank, None), (att >= 1, "Achieved"), (att < 1, "Missed")]
    elif elapsed == 0:
        choices = [(blank, None), (~blank, "Not started")]
    else:
        choices = [
            (blank | np.isnan(rounded), None),
            (rounded >= thresholds.on_track, "On track"),
            (rounded >= thresholds.at_risk, "At risk"),
            (rounded < thresholds.at_risk, "Behind"),
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
    calendar: CalendarConfig,
    thresholds: StatusThresholds,
    periods: Sequence[Period],
    as_of: date,
    total_label: str = "Total",
) -> pd.DataFrame:
    """The long Rep KPIs table: one row per (period, level, name, KPI).

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
    coded = _coded(activity, who, kpis)
    frames = [_evaluate_period(coded, period, context) for period in periods]
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class _Context:
    """What every period's evaluation shares."""

    who: People
    kpis: tuple[KpiDef, ...]
    resolver: TargetResolver
    calendar: CalendarConfig
    thresholds: StatusThresholds
    as_of: date


def _evaluate_period(coded: _Coded, period: Period, ctx: _Context) -> pd.DataFrame:
    """All rows of one period: scope-major, KPIs in configured order within each scope."""
    scopes = _scopes(ctx.who)
    mask = _period_mask(coded, period, ctx.as_of)
    actual = _scope_actuals(coded, mask, ctx.kpis).ravel()
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
