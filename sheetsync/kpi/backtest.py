"""The backtest of goal suggestions: each past period suggested from only the months before
it, against what the reps then did; beside it the naive "same period last year + 10%" and the
goals that were actually set. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sheetsync.kpi.monthly import MonthGrid, month_index, months_of
from sheetsync.kpi.suggest import suggest
from sheetsync.periods import Period

NAIVE_UPLIFT = 1.10


@dataclass(frozen=True)
class Score:
    """How many targets there were (`count`) and how many were reached (`reached`)."""

    count: int = 0
    reached: int = 0

    @property
    def share(self) -> float | None:
        return self.reached / self.count if self.count else None

    def add(self, target: float, actual: float) -> Score:
        """This score with one more target (a target of 0 is no target and is not counted)."""
        if not target > 0:
            return self
        return Score(self.count + 1, self.reached + (actual >= target - 1e-9))


@dataclass(frozen=True)
class KpiBacktest:
    """One KPI's backtest: the aim, and the score of each method."""

    kpi: str
    aim: float
    calibrated: Score
    naive: Score
    set_goals: Score


def backtest(
    grid: MonthGrid, periods: Sequence[Period], aim: float, teams: Mapping[str, str | None],
    set_goals: Mapping[tuple[str, str, str], float],
) -> list[KpiBacktest]:  # fmt: skip
    """Per KPI of `grid`, over `periods` (each over, and held in the grid) and the reps of
    `teams` (the active ones): who reached the suggestion, the naive target and the goal set
    (`set_goals`: (period label, rep, KPI) -> target)."""
    scores = {key: [Score(), Score(), Score()] for key in grid.kpis}
    for period in periods:
        months = months_of(period)
        found = suggest(grid, months, month_index(period.start), aim, teams)
        actual = grid.values[:, :, grid.at(months)].sum(axis=2)
        before = [m - 12 for m in months]
        for r, rep in enumerate(grid.reps):
            if rep not in teams:
                continue
            mine = next((s for s in found.reps if s.rep == rep), None)
            last = None
            if before[0] >= max(grid.first, int(grid.starts[r])):
                last = grid.values[r, :, grid.at(before)].sum(axis=0)
            for k, key in enumerate(grid.kpis):
                done = float(actual[r, k])
                slot = scores[key]
                if mine is not None and key in mine.targets:
                    slot[0] = slot[0].add(mine.targets[key], done)
                if last is not None:
                    slot[1] = slot[1].add(float(last[k]) * NAIVE_UPLIFT, done)
                goal = set_goals.get((period.label, rep, key))
                if goal is not None:
                    slot[2] = slot[2].add(goal, done)
    return [KpiBacktest(key, aim, *scores[key]) for key in grid.kpis]
