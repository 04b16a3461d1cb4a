"""Team and total rows of goal suggestions, and top-down scaling to a goal the manager set.

A team's (or the total's) suggestion is the sum of its reps'. When the Goals tab holds a goal
for the team or the total for the period, the reps' suggestions are scaled to sum to it
exactly (team goals first, then a total goal over the reps no team goal covered; the largest
suggestion takes the rounding difference), and the team's own past ratios give the chance it
reaches that goal. Pure.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sheetsync.kpi.goalmath import narrowed, rounded, team_chance, widened
from sheetsync.kpi.monthly import MonthGrid
from sheetsync.kpi.suggest import RepSuggestion, Suggestions, rep_chance

FAR_ABOVE = 0.05
"""A goal with a smaller estimated chance than this, above every month the team ever had,
is called out as far above what the history supports."""


@dataclass(frozen=True)
class Group:
    """A team or the total: its level, name and reps."""

    level: str
    name: str
    reps: frozenset[str]


@dataclass(frozen=True)
class GroupFigure:
    """A group's row for one KPI: the sum of its reps' suggestions (`value`), what the history
    expects of it, the chance of reaching `value`; with a goal, the scale applied to the
    reps' suggestions (`factor`, 1 when none was possible), and `best`: what the team's best
    month of the window, at this period's length, would give (for the "far above" line)."""

    group: Group
    kpi: str
    value: float
    expected: float
    chance: float | None
    goal: float | None = None
    factor: float | None = None
    best: float | None = None

    @property
    def far_above(self) -> bool:
        return (self.goal is not None and self.best is not None and self.goal > self.best
                and (self.chance or 0.0) < FAR_ABOVE)  # fmt: skip


def scaled(
    found: Suggestions, grid: MonthGrid, groups: Sequence[Group],
    goals: Mapping[tuple[str, str, str], float],
) -> tuple[Suggestions, dict[tuple[str, str, str], float]]:  # fmt: skip
    """The suggestions scaled to the groups' goals (`goals`: (level, name, KPI) -> goal) and
    the factor applied per goal (scaled teams first, then the total over the other reps)."""
    reps = {s.rep: s for s in found.reps}
    factors: dict[tuple[str, str, str], float] = {}
    ordered = sorted(groups, key=lambda g: g.level != "team")
    for key in grid.kpis:
        fixed: set[str] = set()
        for group in ordered:
            goal = goals.get((group.level, group.name, key))
            if goal is None:
                continue
            free = sorted(rep for rep in group.reps - fixed if reps.get(rep) and
                          key in reps[rep].targets)  # fmt: skip
            done = sum(reps[rep].targets[key] for rep in group.reps & fixed if rep in reps
                       and key in reps[rep].targets)  # fmt: skip
            factor = _spread_goal(reps, free, key, goal - done, found, grid)
            if factor is not None:
                factors[(group.level, group.name, key)] = factor
                fixed |= set(free)
    return dataclasses.replace(found, reps=tuple(reps[s.rep] for s in found.reps)), factors


def _spread_goal(
    reps: dict[str, RepSuggestion], free: list[str], key: str, goal: float, found: Suggestions,
    grid: MonthGrid,
) -> float | None:  # fmt: skip
    """Scale the `free` reps' targets on `key` to sum to `goal` (in place); the factor, or
    None when there is nothing to scale or the goal leaves nothing for them."""
    total = sum(reps[rep].targets[key] for rep in free)
    if total <= 0 or goal <= 0:
        return None
    factor = goal / total
    new = apportioned({rep: reps[rep].targets[key] * factor for rep in free}, goal)
    k = grid.kpis.index(key)
    for rep in free:
        old = reps[rep]
        chances = dict(old.chance)
        if old.basis == "history":
            guess = old.expected[key]
            r = grid.reps.index(rep)
            ratio = new[rep] / guess if guess else 0.0
            chances[key] = rep_chance(found.pool, found.calibration, r, k, ratio)
        reps[rep] = dataclasses.replace(old, targets={**old.targets, key: new[rep]},
                                        chance=chances)  # fmt: skip
    return factor


def apportioned(values: Mapping[str, float], goal: float) -> dict[str, float]:
    """`values` (that sum to `goal`) rounded so that they still sum to it exactly. Under 100
    each: whole numbers, the ones with the largest fractions rounded up (a team goal of 10
    new customers over five reps gives 2 each, never 0 to one of them); otherwise three
    significant digits, the largest taking the difference."""
    if max(values.values()) < 100:
        new = {rep: float(math.floor(value)) for rep, value in values.items()}
        order = sorted(values, key=lambda rep: (new[rep] - values[rep], rep))
        for rep in order[: max(round(goal - sum(new.values())), 0)]:
            new[rep] += 1
        return new
    new = {rep: rounded(value) for rep, value in values.items()}
    largest = max(new, key=lambda rep: (new[rep], rep))
    new[largest] += goal - sum(new.values())
    return new


def group_figures(
    found: Suggestions, grid: MonthGrid, groups: Sequence[Group],
    goals: Mapping[tuple[str, str, str], float],
    factors: Mapping[tuple[str, str, str], float],
) -> list[GroupFigure]:  # fmt: skip
    """Every group's row, KPI by KPI, in the order of `groups`."""
    figures = []
    for group in groups:
        members = [s for s in found.reps if s.rep in group.reps]
        mask = np.array([rep in group.reps for rep in grid.reps], dtype=bool)
        for k, key in enumerate(grid.kpis):
            figures.append(_figure(found, group, members, mask, k, key, goals, factors))
    return figures


def _figure(
    found: Suggestions, group: Group, members: Sequence[RepSuggestion], mask: np.ndarray,
    k: int, key: str, goals: Mapping[tuple[str, str, str], float],
    factors: Mapping[tuple[str, str, str], float],
) -> GroupFigure:  # fmt: skip
    value = sum(s.targets.get(key, 0.0) for s in members)
    guess = sum(s.expected.get(key, 0.0) for s in members)
    goal = goals.get((group.level, group.name, key))
    ratios = found.pool.group(mask, k)
    middle = float(np.median(ratios)) if len(ratios) else 1.0
    months = len(found.months)
    aimed = goal if goal is not None else value
    chance = None
    if guess > 0 and aimed > 0:
        chance = team_chance(ratios, widened(middle, aimed / guess, months))
    best = guess * narrowed(middle, float(ratios.max()), months) if len(ratios) else None
    factor = factors.get((group.level, group.name, key)) if goal is not None else None
    return GroupFigure(group, key, value, guess, chance, goal, factor,
                       best if best is not None and math.isfinite(best) else None)  # fmt: skip
