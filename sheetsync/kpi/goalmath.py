"""The maths of goal suggestions (docs/goals.md says it in plain words).

For a rep, an additive KPI and a coming period P made of months p_1..p_n, predicted from the
full months before a cutoff month c:

    rate      = the rep's actual / working days over their last up to 12 full months before c
    trend     = 1 + 0.5 x (rate of the last 3 months / rate - 1), within 0.8..1.25, from 6 months
    season(p) = the team's rate in p's month a year before / the team's rate over the same
                12 months (1 unless 12 months before c are held), within 0.5..1.5
    expected  = rate x trend x sum of season(p_i) x working days(p_i)
    target    = expected x q_n, q_n the (1 - aim) quantile of the KPI's pooled ratios
                actual / expected of past months (each predicted from the months before it),
                narrowed for n months: q_n = m x (q_1 / m)^(1 / sqrt(n)), m the pool's median

Pure: arrays in, arrays out; no clock and no randomness.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from sheetsync.kpi.monthly import FloatArray, MonthGrid

WINDOW = 12
"""Full months of history a rate is taken over, at most."""
ESTABLISHED = 3
"""Full months of history a rep needs for a suggestion from their own history."""
TREND_FROM = 6
TREND_RECENT = 3
TREND_DAMPING = 0.5
TREND_LIMITS = (0.8, 1.25)
SEASON_LIMITS = (0.5, 1.5)
MIN_POOL = 8
"""Fewer pooled ratios than this: the spread is assumed (PRIOR_SPREAD) rather than measured."""
PRIOR_SPREAD = 0.25
"""The assumed standard deviation of log(actual / expected) for one month."""
SHRINK = 6
"""A rep's own ratios weigh as many as they are, the pool's as this many (the chance)."""


def history_months(grid: MonthGrid, cutoff: int) -> FloatArray:
    """Per rep, the full months of history before `cutoff` (at most WINDOW)."""
    begin = np.maximum(grid.starts, max(cutoff - WINDOW, grid.first))
    held: FloatArray = np.clip(cutoff - begin, 0, WINDOW).astype(float)
    return held


def _window(grid: MonthGrid, begin: int, cutoff: int) -> tuple[FloatArray, float]:
    """Per rep and KPI, the actuals of months begin..cutoff-1 (held ones), and their days."""
    low, high = max(begin, grid.first) - grid.first, max(cutoff, grid.first) - grid.first
    return grid.values[:, :, low:high].sum(axis=2), float(grid.days[low:high].sum())


def rates(grid: MonthGrid, cutoff: int) -> FloatArray:
    """Per rep and KPI, the actual per working day over the rep's own window before cutoff."""
    out = np.zeros(grid.values.shape[:2])
    held = history_months(grid, cutoff)
    for r in range(len(grid.reps)):
        if held[r] > 0:
            total, days = _window(grid, cutoff - int(held[r]), cutoff)
            out[r] = total[r] / days if days > 0 else 0.0
    return out


def trends(grid: MonthGrid, cutoff: int) -> FloatArray:
    """Per rep and KPI, the damped trend (1 without TREND_FROM months of history)."""
    out = np.ones(grid.values.shape[:2])
    held = history_months(grid, cutoff)
    recent, recent_days = _window(grid, cutoff - TREND_RECENT, cutoff)
    for r in range(len(grid.reps)):
        if held[r] < TREND_FROM or recent_days <= 0:
            continue
        total, days = _window(grid, cutoff - int(held[r]), cutoff)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = (recent[r] / recent_days) / (total[r] / days)
        damped = 1 + TREND_DAMPING * (np.nan_to_num(ratio, nan=1.0, posinf=1.0) - 1)
        out[r] = np.clip(damped, *TREND_LIMITS)
    return out


def season(grid: MonthGrid, cutoff: int, month: int) -> FloatArray:
    """Per KPI, the team's index of `month`: its rate in the same month of the window before
    `cutoff` over the window's rate; 1 unless all WINDOW months before `cutoff` are held."""
    if cutoff - WINDOW < grid.first or cutoff > grid.end:
        return np.ones(grid.values.shape[1])
    before = month - WINDOW * math.ceil((month - cutoff + 1) / WINDOW)
    team = grid.values.sum(axis=0)
    window = team[:, cutoff - WINDOW - grid.first : cutoff - grid.first].sum(axis=1)
    days = float(grid.days[cutoff - WINDOW - grid.first : cutoff - grid.first].sum())
    that = team[:, before - grid.first] / grid.working_days(before)
    with np.errstate(divide="ignore", invalid="ignore"):
        index = that / (window / days)
    clipped: FloatArray = np.clip(np.nan_to_num(index, nan=1.0, posinf=1.0), *SEASON_LIMITS)
    return clipped


@dataclass(frozen=True)
class Expected:
    """Per rep and KPI, what the history predicts for the months `months`, and its parts."""

    months: tuple[int, ...]
    rate: FloatArray
    trend: FloatArray
    season: FloatArray  # per KPI: the working-day-weighted mean season index
    days: float
    value: FloatArray
    held: FloatArray  # per rep: full months of history


def expected(grid: MonthGrid, cutoff: int, months: tuple[int, ...]) -> Expected:
    """The prediction for `months` from the full months before `cutoff`."""
    rate, trend = rates(grid, cutoff), trends(grid, cutoff)
    days = [grid.working_days(month) for month in months]
    weighted = sum((season(grid, cutoff, m) * d for m, d in zip(months, days, strict=True)),
                   np.zeros(grid.values.shape[1]))  # fmt: skip
    total_days = float(sum(days))
    value = rate * trend * weighted[np.newaxis, :]
    mean_season = weighted / total_days if total_days else np.ones_like(weighted)
    return Expected(months, rate, trend, mean_season, total_days, value,
                    history_months(grid, cutoff))  # fmt: skip


@dataclass(frozen=True)
class Pool:
    """Ratios actual / expected of past months: `ratios` per rep, KPI and month (NaN where the
    rep was not established or nothing was expected), with the `actual` and `guess` (what was
    expected) they are made of."""

    ratios: FloatArray
    months: tuple[int, ...]
    actual: FloatArray
    guess: FloatArray

    def group(self, members: FloatArray, k: int) -> FloatArray:
        """The ratios of a group of reps (a boolean mask) on KPI `k`, summed over the reps
        with a ratio each month; months without any are left out."""
        ok = members[:, np.newaxis] & ~np.isnan(self.ratios[:, k, :])
        actual = np.where(ok, self.actual[:, k, :], 0).sum(axis=0)
        guess = np.where(ok, self.guess[:, k, :], 0).sum(axis=0)
        ratios: FloatArray = actual[guess > 0] / guess[guess > 0]
        return ratios

    def of_kpi(self, k: int) -> FloatArray:
        column = self.ratios[:, k, :]
        return column[~np.isnan(column)]


def pool(grid: MonthGrid, cutoff: int) -> Pool:
    """Each past month within the WINDOW before `cutoff`, predicted from the months before it,
    against what happened, for reps with ESTABLISHED months before it."""
    months = tuple(m for m in range(max(cutoff - WINDOW, grid.first + 1), cutoff))
    ratios = np.full((*grid.values.shape[:2], len(months)), np.nan)
    actuals, guesses = np.zeros_like(ratios), np.zeros_like(ratios)
    for i, month in enumerate(months):
        guess = expected(grid, month, (month,))
        actual = grid.values[:, :, month - grid.first]
        ok = (guess.held[:, np.newaxis] >= ESTABLISHED) & (guess.value > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios[:, :, i] = np.where(ok, actual / guess.value, np.nan)
        actuals[:, :, i], guesses[:, :, i] = actual, guess.value
    return Pool(ratios, months, actuals, guesses)


def spread(ratios: FloatArray, aim: float) -> tuple[float, float]:
    """(median, the (1 - aim) quantile) of one month's ratios; assumed (PRIOR_SPREAD around 1)
    when there are fewer than MIN_POOL of them."""
    if len(ratios) < MIN_POOL:
        return 1.0, math.exp(PRIOR_SPREAD * NormalDist().inv_cdf(1 - aim))
    return float(np.median(ratios)), float(np.quantile(ratios, 1 - aim))


def narrowed(middle: float, ratio: float, months: int) -> float:
    """A one-month ratio brought to a period of `months` months: its distance from the
    median, in logs, divided by sqrt(months)."""
    if ratio <= 0 or middle <= 0 or months <= 1:
        return ratio
    return float(middle * (ratio / middle) ** (1 / math.sqrt(months)))


def widened(middle: float, ratio: float, months: int) -> float:
    """The inverse of `narrowed`: a period's ratio in one-month terms."""
    if ratio <= 0 or middle <= 0 or months <= 1:
        return ratio
    return float(middle * (ratio / middle) ** math.sqrt(months))


def chance(own: FloatArray, pooled: FloatArray, threshold: float) -> float:
    """The share of ratios at or above `threshold`: the rep's own, shrunk toward the pool's
    (the pool weighing SHRINK ratios); the assumed spread without a pool."""
    if len(pooled) < MIN_POOL:
        if threshold <= 0:
            return 1.0
        return 1 - NormalDist().cdf(math.log(threshold) / PRIOR_SPREAD)
    share = float(np.mean(pooled >= threshold - 1e-12))
    if len(own) == 0:
        return share
    mine = float(np.mean(own >= threshold - 1e-12))
    return (len(own) * mine + SHRINK * share) / (len(own) + SHRINK)


def team_chance(ratios: FloatArray, threshold: float) -> float | None:
    """The share of a team's past ratios at or above `threshold`, plus a half over one more:
    never 0 or 1 from a short history; None without any."""
    if len(ratios) == 0:
        return None
    return (float(np.sum(ratios >= threshold - 1e-12)) + 0.5) / (len(ratios) + 1)


def rounded(value: float) -> float:
    """Three significant digits, a whole number at least: 43,217 -> 43,200; 226.4 -> 226;
    8.4 -> 9: below 100, up to the next whole number (a count reaches 8.4 only at 9); halves up
    otherwise."""
    if not math.isfinite(value) or value <= 0:
        return 0.0
    step = max(1.0, 10.0 ** (math.floor(math.log10(value)) - 2))
    if step == 1.0 and value < 100:
        return float(math.ceil(value - 1e-9))
    return math.floor(value / step + 0.5) * step
