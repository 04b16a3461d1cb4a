"""Goal suggestions for one coming period: per active rep and additive KPI, a target the
team's history gives the aimed chance of reaching, with what it rests on (kpi.goalmath).

Pure: the month grid (kpi.monthly), the reps' teams and the period come in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from sheetsync.kpi.goalmath import (
    ESTABLISHED,
    Expected,
    Pool,
    chance,
    expected,
    narrowed,
    pool,
    rounded,
    spread,
    widened,
)
from sheetsync.kpi.monthly import FloatArray, MonthGrid

Basis = Literal["history", "ramp", "none"]
RAMP_MONTHS = 3
"""A new rep's suggestion grows over their first months: a third, two thirds, then whole."""


@dataclass(frozen=True)
class RepSuggestion:
    """One rep's suggestion for every KPI (`targets`: KPI key -> target, empty for none).

    `basis`: history (their own), ramp (a new rep: the team's median, ramped), none (`why`).
    `expected` (of a new rep: the ramped suggestion before any top-down scaling), `rate`,
    `trend`, `chance`: per KPI (NaN where there is none); `last_year`: the
    actual in the same period a year before (NaN when the history does not cover it)."""

    rep: str
    team: str | None
    basis: Basis
    targets: dict[str, float]
    expected: dict[str, float] = field(default_factory=dict)
    rate: dict[str, float] = field(default_factory=dict)
    trend: dict[str, float] = field(default_factory=dict)
    chance: dict[str, float] = field(default_factory=dict)
    last_year: dict[str, float] = field(default_factory=dict)
    why: str = ""


@dataclass(frozen=True)
class Calibration:
    """Per KPI: the pool's median ratio, its (1 - aim) quantile for one month, the quantile
    narrowed to the period (`factor`: target = expected x factor), and the pool's size."""

    middle: dict[str, float]
    quantile: dict[str, float]
    factor: dict[str, float]
    size: dict[str, int]
    months: int = 1


@dataclass(frozen=True)
class Suggestions:
    """The suggestions of one period: per rep, the calibration, the working days of the
    period, its months, the season index per KPI and the pool they were calibrated on."""

    months: tuple[int, ...]
    aim: float
    reps: tuple[RepSuggestion, ...]
    calibration: Calibration
    days: float
    season: dict[str, float]
    pool: Pool


def calibrate(past: Pool, kpis: Sequence[str], aim: float, months: int) -> Calibration:
    """Per KPI, the factor that gives a target the aimed share of reps reach (goalmath)."""
    middle, quantile, factor, size = {}, {}, {}, {}
    for k, key in enumerate(kpis):
        ratios = past.of_kpi(k)
        middle[key], quantile[key] = spread(ratios, aim)
        factor[key] = narrowed(middle[key], quantile[key], months)
        size[key] = len(ratios)
    return Calibration(middle, quantile, factor, size, months)


def suggest(
    grid: MonthGrid, months: tuple[int, ...], cutoff: int, aim: float,
    teams: Mapping[str, str | None],
) -> Suggestions:  # fmt: skip
    """Suggestions for `months` from the full months before `cutoff`, for the reps of `teams`
    (the active reps: rep -> team)."""
    past = pool(grid, cutoff)
    calibration = calibrate(past, grid.kpis, aim, len(months))
    guess = expected(grid, cutoff, months)
    own = [_history(grid, guess, past, calibration, r, teams) for r in range(len(grid.reps))]
    found = [_ramped(grid, guess, own, r, months, cutoff) for r in range(len(grid.reps))]
    reps = tuple(s for s, rep in zip(found, grid.reps, strict=True) if rep in teams)
    season = {key: float(guess.season[k]) for k, key in enumerate(grid.kpis)}
    return Suggestions(months, aim, reps, calibration, guess.days, season, past)


def _history(
    grid: MonthGrid, guess: Expected, past: Pool, calibration: Calibration, r: int,
    teams: Mapping[str, str | None],
) -> RepSuggestion:  # fmt: skip
    """A rep's suggestion from their own history (basis none when they have too little)."""
    rep = grid.reps[r]
    team = teams.get(rep)
    if guess.held[r] < ESTABLISHED:
        return RepSuggestion(rep, team, "none", {})
    targets, chances = {}, {}
    for k, key in enumerate(grid.kpis):
        value = float(guess.value[r, k])
        targets[key] = rounded(value * calibration.factor[key])
        chances[key] = rep_chance(past, calibration, r, k, targets[key] / value if value else 0)
    return RepSuggestion(
        rep, team, "history", targets, _per_kpi(grid, guess.value[r]),
        _per_kpi(grid, guess.rate[r]), _per_kpi(grid, guess.trend[r]), chances,
        _last_year(grid, r, guess.months),
    )  # fmt: skip


def rep_chance(past: Pool, calibration: Calibration, r: int, k: int, ratio: float) -> float:
    """The chance that rep `r` reaches `ratio` x expected on KPI `k` in the period."""
    key = list(calibration.middle)[k]
    own = past.ratios[r, k, :]
    threshold = widened(calibration.middle[key], ratio, calibration.months)
    return chance(own[~np.isnan(own)], past.of_kpi(k), threshold)


def _ramped(
    grid: MonthGrid, guess: Expected, own: Sequence[RepSuggestion], r: int,
    months: tuple[int, ...], cutoff: int,
) -> RepSuggestion:  # fmt: skip
    """A new rep (a start, too little history): the median target per working day of the
    established reps of their team (of everyone when the team has fewer than two), ramped
    by the months since their start."""
    found = own[r]
    start = int(grid.starts[r])
    if found.basis == "history":
        return found
    if start > months[-1] or start >= 10**8:
        why = "no activity and no start date" if start >= 10**8 else "starts after the period"
        return RepSuggestion(found.rep, found.team, "none", {}, why=why)
    peers = [s for s in own if s.basis == "history" and s.team == found.team and s.team]
    peers = peers if len(peers) >= 2 else [s for s in own if s.basis == "history"]
    if not peers:
        return RepSuggestion(found.rep, found.team, "none", {},
                             why="no rep has three months of history yet")  # fmt: skip
    ramp = sum(min(max(m - start + 1, 0), RAMP_MONTHS) / RAMP_MONTHS * grid.working_days(m)
               for m in months)  # fmt: skip
    targets = {key: rounded(float(np.median([s.targets[key] for s in peers])) / guess.days * ramp)
               if guess.days else 0.0 for key in grid.kpis}  # fmt: skip
    return RepSuggestion(found.rep, found.team, "ramp", targets, expected=dict(targets),
                         last_year=_last_year(grid, r, months))  # fmt: skip


def _per_kpi(grid: MonthGrid, values: FloatArray) -> dict[str, float]:
    return {key: float(values[k]) for k, key in enumerate(grid.kpis)}


def _last_year(grid: MonthGrid, r: int, months: tuple[int, ...]) -> dict[str, float]:
    """The rep's actual in the same months a year before, when all of them are held and
    after the rep's start."""
    before = [m - 12 for m in months]
    if before[0] < max(grid.first, int(grid.starts[r])) or before[-1] >= grid.end:
        return {key: math.nan for key in grid.kpis}
    values = grid.values[r, :, grid.at(before)].sum(axis=0)
    return _per_kpi(grid, values)
