"""Target resolution: explicit goals, roll-ups over time and roll-ups over people.

For additive KPIs (sum, count) a target for (period, scope, KPI) is, in this order:

1. the explicit goal row for that period, scope and KPI ("goal");
2. else the sum of the same scope's targets for the periods the period is made of (a quarter's
   three months, a year's four quarters), each resolved by these same rules, when all of them
   exist ("rolled up");
3. else, for a team or the total, the sum of its active members' targets for the same period,
   each resolved by these same rules, when every active member has one ("rolled up").

Weeks are never rolled up: a week's target is only ever an explicit goal. Ratio and
count_distinct KPIs only take explicit goals: a rate does not add up, and distinct customers of
three months are not the sum of each month's distinct customers (the same customer counts once).
A team or total with no active member gets no roll-up over people.

Conflicting goal rows are removed upstream (the sync stage reports them); if two rows for the
same key still arrive here with different targets, neither is used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd

from sheetsync.config.values import KpiDef
from sheetsync.periods import Period, components, parse_period

__all__ = ["GOAL", "ROLLED_UP", "Level", "Target", "TargetResolver", "goal_lookup"]

Level = Literal["rep", "team", "total"]
GOAL = "goal"
ROLLED_UP = "rolled up"
Target = tuple[float, str]
"""A resolved target and where it came from: (value, "goal" | "rolled up")."""

_GoalKey = tuple[str, str, str, str]


def goal_lookup(goals: pd.DataFrame, fiscal_year_start: int) -> dict[_GoalKey, float]:
    """Explicit goals keyed by (canonical period label, level, scope, KPI key).

    Labels are canonicalised with `parse_period` (`2026-1` and `2026-01` are the same period);
    rows whose label does not parse or whose target is blank are skipped (the sync stage
    reports bad labels). Keys that still carry two different targets are dropped.
    """
    if goals.empty:
        return {}
    frame = goals.loc[goals["target"].notna(), ["period", "level", "scope", "kpi", "target"]]
    labels = {label: _canonical(label, fiscal_year_start) for label in frame["period"].unique()}
    frame = frame.assign(period=frame["period"].map(labels)).dropna(subset=["period"])
    keys = ["period", "level", "scope", "kpi"]
    grouped = frame.groupby(keys, sort=False)["target"]
    agreed = grouped.agg(["first", "nunique"])
    agreed = agreed[agreed["nunique"] == 1]
    index = agreed.index.to_frame(index=False).astype(str)
    periods, levels, scopes, kpis = (index[key].tolist() for key in keys)
    targets = agreed["first"].astype(float).tolist()
    return dict(zip(zip(periods, levels, scopes, kpis, strict=True), targets, strict=True))


def _canonical(label: object, fiscal_year_start: int) -> str | None:
    try:
        return parse_period(str(label), fiscal_year_start).label
    except ValueError:
        return None


class TargetResolver:
    """Resolves targets by the rules in this module's docstring, memoising every answer.

    `members` maps ("team", name) and ("total", label) to that scope's ACTIVE members.
    """

    def __init__(
        self,
        goals: Mapping[_GoalKey, float],
        kpis: Sequence[KpiDef],
        members: Mapping[tuple[str, str], Sequence[str]],
    ) -> None:
        self._goals = goals
        self._kpis = {kpi.key: kpi for kpi in kpis}
        self._members = members
        self._memo: dict[tuple[str, str, str, str], Target | None] = {}

    def resolve(self, period: Period, level: Level, scope: str, kpi: str) -> Target | None:
        """The target for (period, level, scope, kpi) and its source, or None if there is none."""
        key = (period.label, level, scope, kpi)
        if key not in self._memo:
            self._memo[key] = self._compute(period, level, scope, kpi)
        return self._memo[key]

    def _compute(self, period: Period, level: Level, scope: str, kpi: str) -> Target | None:
        explicit = self._goals.get((period.label, level, scope, kpi))
        if explicit is not None:
            return (explicit, GOAL)
        if not self._kpis[kpi].additive or period.kind == "week":
            return None
        parts = components(period)
        if parts is not None:
            total = self._sum([self.resolve(part, level, scope, kpi) for part in parts])
            if total is not None:
                return (total, ROLLED_UP)
        members = self._members.get((level, scope), ())
        if level != "rep" and members:
            total = self._sum([self.resolve(period, "rep", rep, kpi) for rep in members])
            if total is not None:
                return (total, ROLLED_UP)
        return None

    @staticmethod
    def _sum(targets: Sequence[Target | None]) -> float | None:
        """The sum of the targets' values, or None unless every one of them exists."""
        values = [target[0] for target in targets if target is not None]
        return float(sum(values)) if len(values) == len(targets) else None
