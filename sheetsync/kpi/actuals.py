"""Actuals: who is who (reps, teams, members), and every KPI's actual per period and scope.

Pure and vectorised: the activity is reduced once to day numbers, group codes and plain arrays
(`coded`), then each period is a boolean mask over them; sums and counts are added up per rep
with `np.bincount` and summed into teams and the total. No Python loop runs over activity rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from sheetsync.config.values import KpiDef
from sheetsync.kpi.finite import quotient
from sheetsync.periods import Period

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

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


def codes(keys: pd.Series, names: Sequence[str]) -> IntArray:
    """Each key's position in `names`; -1 for a key that is missing or not among them."""
    if isinstance(keys.dtype, pd.CategoricalDtype):  # the sync stage's rep column: no hashing
        places = pd.Index(list(names), dtype=object).get_indexer(keys.cat.categories)
        codes = keys.cat.codes.to_numpy()
        return np.where(codes >= 0, np.append(places, -1)[codes], -1).astype(np.intp)
    return np.asarray(
        pd.Index(list(names), dtype=object).get_indexer(pd.Index(keys)), dtype=np.intp
    )


@dataclass(frozen=True)
class Coded:
    """The activity reduced once to day numbers, group codes and plain arrays.

    Every period then works on boolean masks over these arrays: no frame is copied and no
    text column is hashed again per period, level or KPI.
    """

    days: IntArray
    reps: IntArray  # each row's rep, as a position in People.reps
    team_of_rep: IntArray  # each rep's team, as a position in People.teams (-1: none)
    sizes: tuple[int, int, int]
    sums: dict[str, FloatArray]  # empty cells as 0
    distinct: dict[str, IntArray]  # value codes, -1 for empty cells


def code_activity(activity: pd.DataFrame, who: People, kpis: Sequence[KpiDef]) -> Coded:
    """The activity as arrays: day numbers, rep codes, summable numbers, distinct-value codes."""
    team_of_rep = codes(pd.Series([who.rep_team[rep] for rep in who.reps]), who.teams)
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
    return Coded(
        days=days,
        reps=codes(activity["rep"], who.reps),
        team_of_rep=team_of_rep,
        sizes=(1, len(who.teams), len(who.reps)),
        sums=sums,
        distinct=distinct,
    )


def _column(rows: pd.DataFrame, kpi: KpiDef) -> pd.Series:
    if kpi.column is None or kpi.column not in rows.columns:
        raise ValueError(f"KPI {kpi.key!r} needs activity column {kpi.column!r}")
    return rows[kpi.column]


def period_mask(coded: Coded, period: Period, as_of: date) -> BoolArray:
    """Rows dated from the period's first day to min(its last day, as_of), inclusive."""
    first = np.datetime64(period.start, "D").astype(np.int64)
    last = np.datetime64(min(period.end, as_of), "D").astype(np.int64)
    return (coded.days >= first) & (coded.days <= last)


def _rep_actual(coded: Coded, rows: _PeriodRows, kpi: KpiDef) -> FloatArray:
    """A sum or count KPI per rep over the period's rows (empty cells add nothing)."""
    size = coded.sizes[2]
    weights = None if kpi.kind == "count" else coded.sums[kpi.key]
    counted = np.bincount(rows.reps_or_out, weights=weights, minlength=size + 1)
    return counted[:size].astype(np.float64)


def _distinct(coded: Coded, rows: _PeriodRows, kpi: KpiDef) -> list[FloatArray]:
    """Distinct non-empty values for the total, each team and each rep.

    A team's or the total's count is over the union of its reps' values, never a sum of rep
    counts: the distinct (rep, value) pairs are found once, and teams and the total are
    counted from those pairs.
    """
    reps, values = rows.reps, rows.distinct[kpi.key]
    valid = (reps >= 0) & (values >= 0)
    width = int(values.max(initial=0)) + 1
    pairs = np.unique(reps[valid].astype(np.int64) * width + values[valid])
    rep_of, value_of = pairs // width, pairs % width
    teams = coded.team_of_rep[rep_of]
    in_team = teams >= 0
    team_pairs = np.unique(teams[in_team].astype(np.int64) * width + value_of[in_team])
    return [
        np.array([float(len(np.unique(value_of)))]),
        np.bincount(team_pairs // width, minlength=coded.sizes[1]).astype(np.float64),
        np.bincount(rep_of, minlength=coded.sizes[2]).astype(np.float64),
    ]


def _level_actuals(
    coded: Coded, rows: _PeriodRows, kpis: Sequence[KpiDef]
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
            for level, counts in enumerate(_distinct(coded, rows, kpi)):
                levels[level][kpi.key] = counts
    return levels


def _team_totals(coded: Coded, per_rep: FloatArray) -> FloatArray:
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
    ratio = quotient(numerator, denominator)  # blank by 0, or past the largest double
    values[key] = ratio
    return ratio


@dataclass(frozen=True)
class _PeriodRows:
    """One period's rows: each row's rep code, or one extra "out" code for rows outside it.

    Sums and counts then run over the full arrays (no copy of every column per period); the
    distinct counts get the period's rows gathered.
    """

    reps_or_out: IntArray
    reps: IntArray
    distinct: dict[str, IntArray]


def _period_rows(coded: Coded, mask: BoolArray) -> _PeriodRows:
    """Every row has a rep (the sync stage rejects rows without one); -1 is left out anyway."""
    inside = mask & (coded.reps >= 0)
    index = np.flatnonzero(inside) if coded.distinct else np.array([], dtype=np.intp)
    return _PeriodRows(
        reps_or_out=np.where(inside, coded.reps, coded.sizes[2]),
        reps=coded.reps[index],
        distinct={k: v[index] for k, v in coded.distinct.items()},
    )


def scope_actuals(coded: Coded, mask: BoolArray, kpis: Sequence[KpiDef]) -> FloatArray:
    """Actuals as a (scope, KPI) matrix: the total, then each team, then each rep."""
    levels = _level_actuals(coded, _period_rows(coded, mask), kpis)
    blocks = [_with_ratios(values, kpis) for values in levels]
    columns = [np.concatenate([block[kpi.key] for block in blocks]) for kpi in kpis]
    return np.column_stack(columns)
