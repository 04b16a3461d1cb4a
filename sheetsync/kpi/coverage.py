"""Goal coverage: common mistakes of sales KPI practice in the Goals tab, as warnings.

Pure: frames and the as-of date in; `Issue` rows out. Every
check only reports (severity `warning`, action "reported only"); no target is changed.

1. An active rep without a goal for the current month, quarter or year on a ranked KPI (a
   rolled-up target counts: read from the Rep KPIs table). One issue per rep and set of
   missing periods, naming the KPIs.
2. A KPI with no goal at any level in any period.
3. Without a roster, a rep scope not seen in the activity (with a roster
   an unknown scope is already an `error` of the sync stage and the goal is not used).
4. A goal for a period that is over in which its scope had no activity rows at all.
5. A team goal of a sum or count KPI that differs from the sum of its active members' explicit
   goals for the same period, when every active member has one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sheetsync.config.values import Config
from sheetsync.issues import Issue, shown
from sheetsync.periods import Period, parse_period
from sheetsync.spreadsheet import norm
from sheetsync.sync.roster_goals import closest

__all__ = ["CoverageInput", "coverage_issues"]

DONE = "reported only"
_DECIMALS = 9


@dataclass(frozen=True)
class CoverageInput:
    """What the checks read: the sync frames (each goal with its cell), the Rep KPIs table and
    the Goals tab's name and KPI header cells."""

    config: Config
    goals: pd.DataFrame
    roster: pd.DataFrame
    activity: pd.DataFrame
    rep_kpis: pd.DataFrame
    periods: tuple[Period, ...]
    as_of: date
    goals_tab: str
    kpi_cells: Mapping[str, str]
    """KPI key -> the header cell of its column in the Goals tab."""


def coverage_issues(data: CoverageInput) -> list[Issue]:
    """Every goal coverage warning, check by check."""
    return [
        *_missing_current_goals(data),
        *_kpis_without_goals(data),
        *_unknown_rep_scopes(data),
        *_goals_without_activity(data),
        *_team_sum_mismatches(data),
    ]


# ---------------------------------------------------------------------------------------------
# 1. Active reps without a goal for the current periods on a ranked KPI


def _missing_current_goals(data: CoverageInput) -> Iterator[Issue]:
    """One issue per rep and set of missing periods, naming the KPIs that miss them."""
    current = [p.label for p in data.periods if p.kind != "week"]
    rows = data.rep_kpis[data.rep_kpis["level"] == "rep"]
    targeted = rows[rows["target"].notna()]
    has = set(zip(targeted["name"], targeted["kpi"], targeted["period"], strict=True))
    labels = {kpi.key: kpi.label for kpi in data.config.kpis}
    for rep in _active_reps(data.roster, rows):
        gaps: dict[tuple[str, ...], list[str]] = {}
        for key in _ranked_kpis(data.config):
            missing = tuple(label for label in current if (rep, key, label) not in has)
            if missing:
                gaps.setdefault(missing, []).append(repr(labels[key]))
        for missing, names in gaps.items():
            kind = "ranked KPI" if len(names) == 1 else "ranked KPIs"
            problem = (f"active rep {rep!r} has no goal for {kind} {', '.join(names)} in "
                       + ", ".join(missing))  # fmt: skip
            yield Issue("warning", data.goals_tab, "", problem, rep, DONE)


def _active_reps(roster: pd.DataFrame, rep_rows: pd.DataFrame) -> list[str]:
    """Active roster reps in roster order; without a roster every rep of the Rep KPIs table."""
    if roster.empty:
        return list(dict.fromkeys(rep_rows["name"].astype(str)))
    return [str(rep) for rep in roster.loc[roster["active"].astype(bool), "rep"]]


def _ranked_kpis(config: Config) -> list[str]:
    ranking, known = config.ranking, {kpi.key for kpi in config.kpis}
    wanted = [ranking.by] if ranking.by else [k for k, w in ranking.weights.items() if w > 0]
    return [key for key in wanted if key in known]


# ---------------------------------------------------------------------------------------------
# 2. KPIs with no goal at all


def _kpis_without_goals(data: CoverageInput) -> Iterator[Issue]:
    if data.goals.empty:  # no goals at all: check 1 already names every rep
        return
    with_goals = set(data.goals["kpi"])
    for kpi in data.config.kpis:
        if kpi.key not in with_goals:
            yield Issue("warning", data.goals_tab, data.kpi_cells.get(kpi.key, ""),
                        f"KPI {kpi.label!r} has no goal in any period or scope", "",
                        DONE)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# 3. Rep scopes nobody knows (only possible without a roster)


def _unknown_rep_scopes(data: CoverageInput) -> Iterator[Issue]:
    seen = _seen_reps(data.activity)
    for scope, first in _unknown_scopes(data).items():
        hint = closest(scope, seen)
        problem = (f"scope {scope!r} is not a rep seen in the activity (there is no roster)"
                   + (f"; did you mean {hint!r}?" if hint else ""))  # fmt: skip
        yield Issue("warning", data.goals_tab, str(first["cell"]), problem, scope, DONE)


def _unknown_scopes(data: CoverageInput) -> dict[str, pd.Series]:
    """Rep scopes of the goals not seen in the activity, when there is no roster."""
    if not data.roster.empty or data.goals.empty:
        return {}
    seen = {norm(rep) for rep in _seen_reps(data.activity)}
    reps = data.goals[data.goals["level"] == "rep"]
    unknown = reps[[norm(s) not in seen for s in reps["scope"]]]
    return {str(row["scope"]): row for _, row in unknown.drop_duplicates("scope").iterrows()}


def _seen_reps(activity: pd.DataFrame) -> list[str]:
    return [str(rep) for rep in activity["rep"].unique() if isinstance(rep, str)]


# ---------------------------------------------------------------------------------------------
# 4. Goals for periods that are over, without any activity of their scope


def _goals_without_activity(data: CoverageInput) -> Iterator[Issue]:
    fiscal = data.config.calendar.fiscal_year_start
    unknown = set(_unknown_scopes(data))
    heads = data.goals.drop_duplicates(["period", "level", "scope"])
    worked: dict[str, set[str]] = {}  # period label -> reps with rows in it
    periods: dict[str, Period] = {}
    for goal in heads.to_dict("records"):
        label = str(goal["period"])
        if label not in periods:
            periods[label] = parse_period(label, fiscal)
        period = periods[label]
        level, scope = str(goal["level"]), str(goal["scope"])
        if data.as_of <= period.end or scope in unknown:
            continue
        if period.label not in worked:
            worked[period.label] = _reps_with_rows(data.activity, period)
        reps = worked[period.label]
        if _worked(level, scope, reps, data.roster):
            continue
        who = {"rep": f"rep {scope!r} has no activity rows",
               "team": f"no member of team {scope!r} has activity rows",
               "total": "there are no activity rows"}[level]  # fmt: skip
        problem = f"goal for {period.label}, which is over, but {who} in it"
        yield Issue("warning", data.goals_tab, str(goal["cell"]), problem, shown(goal["target"]),
                    DONE)  # fmt: skip


def _reps_with_rows(activity: pd.DataFrame, period: Period) -> set[str]:
    dates = activity["date"].to_numpy(dtype="datetime64[ns]")
    start, end = np.datetime64(period.start, "ns"), np.datetime64(period.end, "ns")
    inside = (dates >= start) & (dates <= end)
    return {norm(rep) for rep in activity.loc[inside, "rep"].unique() if isinstance(rep, str)}


def _worked(level: str, scope: str, reps: set[str], roster: pd.DataFrame) -> bool:
    if level == "total":
        return bool(reps)
    if level == "team":
        members = roster.loc[roster["team"] == scope, "rep"]
        return any(norm(rep) in reps for rep in members)
    return norm(scope) in reps


# ---------------------------------------------------------------------------------------------
# 5. Team goals that differ from the sum of their active members' goals


def _team_sum_mismatches(data: CoverageInput) -> Iterator[Issue]:
    kpis = {kpi.key: kpi for kpi in data.config.kpis}
    goals = data.goals
    keys = zip(goals["period"], goals["level"], goals["scope"], goals["kpi"], strict=True)
    lookup = {(str(p), str(lv), str(s), str(k)): float(t) for (p, lv, s, k), t in zip(
        keys, goals["target"], strict=True)}  # fmt: skip
    cells = dict(zip(lookup, goals["cell"].astype(str), strict=True))
    for (period, level, team, key), target in lookup.items():
        if level != "team" or key not in kpis or not kpis[key].additive:
            continue
        members = _active_members(data.roster, team)
        found = [lookup.get((period, "rep", rep, key)) for rep in members]
        values = [value for value in found if value is not None]
        if not members or len(values) < len(members):
            continue
        added = float(sum(values))
        if round(added - target, _DECIMALS) != 0:
            problem = (f"team {team!r} goal for {period} {kpis[key].label} is {shown(target)}, "
                       f"but its active members' goals add up to {shown(added)}")  # fmt: skip
            cell = cells[(period, level, team, key)]
            yield Issue("warning", data.goals_tab, cell, problem, shown(target), DONE)


def _active_members(roster: pd.DataFrame, team: str) -> Sequence[str]:
    if roster.empty:
        return []
    chosen = roster[(roster["team"] == team) & roster["active"].astype(bool)]
    return [str(rep) for rep in chosen["rep"]]
