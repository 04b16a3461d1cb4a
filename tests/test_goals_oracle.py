"""Goal suggestions against an independent oracle: the formula of docs/goals.md worked out here
with plain Python and pandas from the rows of tests/goalsdata.py, never through sheetsync's
maths; then the calibration, the ramp, the rounding and reps without history."""

from __future__ import annotations

import math
from datetime import date
from functools import cache

import numpy as np
import pandas as pd
import pytest

from sheetsync.backends.memory import MemoryBackend
from sheetsync.goals import SuggestReport, suggest_goals
from sheetsync.kpi.goalmath import rounded, spread
from tests import goalsdata as data

KPIS = ("calls", "deals", "entries")


# ---------------------------------------------------------------------------------------------
# The oracle, from docs/goals.md


def _monthly() -> tuple[pd.DataFrame, dict[pd.Period, int]]:
    rows = pd.DataFrame(data.activity_rows(), columns=["rep", "day", "calls", "meetings", "deals"])
    rows["entries"] = 1
    rows["month"] = pd.PeriodIndex(pd.to_datetime(rows["day"]), freq="M")
    table = rows.groupby(["rep", "month"])[list(KPIS)].sum()
    months = pd.period_range("2024-12", "2027-12", freq="M")
    holidays = [np.datetime64(day) for day in data.HOLIDAYS]
    days = {m: int(np.busday_count(m.start_time.date(), (m + 1).start_time.date(),
                                   holidays=holidays)) for m in months}  # fmt: skip
    return table, days


TABLE, DAYS = _monthly()
TEAM = TABLE.groupby(level="month").sum()
FIRST_MONTH = pd.Period("2025-01", "M")
CELLS = {(rep, month, kpi): float(TABLE.at[(rep, month), kpi])  # type: ignore[arg-type]
         for rep, month in TABLE.index for kpi in KPIS}  # fmt: skip
REPS_WITH_ROWS = sorted(set(TABLE.index.get_level_values("rep")))


@cache
def first_full_month(rep: str) -> pd.Period:
    start = next(s for r, _t, _a, _b, s in data.REPS if r == rep)
    day = start or min(d for r, d, *_ in data.activity_rows() if r == rep)
    month = pd.Period(day, "M")
    first_working = pd.Timestamp(np.busday_offset(month.start_time.date(), 0, roll="forward"))
    return month if pd.Timestamp(day) <= first_working else month + 1


def actual(rep: str, month: pd.Period, kpi: str) -> float:
    return CELLS.get((rep, month, kpi), 0.0)


def oracle_expected(rep: str, kpi: str, cutoff: pd.Period, months: list[pd.Period]) -> float:
    start = max(first_full_month(rep), cutoff - 12, FIRST_MONTH)
    window = [cutoff - i for i in range(1, 13) if cutoff - i >= start]
    if not window:
        return math.nan
    rate = sum(actual(rep, m, kpi) for m in window) / sum(DAYS[m] for m in window)
    trend = 1.0
    if len(window) >= 6:
        last3 = [cutoff - 1, cutoff - 2, cutoff - 3]
        recent = sum(actual(rep, m, kpi) for m in last3) / sum(DAYS[m] for m in last3)
        trend = min(max(1 + 0.5 * (recent / rate - 1), 0.8), 1.25) if rate else 1.0
    return float(rate * trend * sum(season(kpi, cutoff, p) * DAYS[p] for p in months))


def season(kpi: str, cutoff: pd.Period, month: pd.Period) -> float:
    year = [cutoff - i for i in range(1, 13)]
    if min(year) < FIRST_MONTH:
        return 1.0
    before = month - 12
    while before >= cutoff:
        before -= 12
    that = TEAM[kpi].get(before, 0.0) / DAYS[before]
    average = sum(TEAM[kpi].get(m, 0.0) for m in year) / sum(DAYS[m] for m in year)
    return float(min(max(that / average, 0.5), 1.5))


@cache
def oracle_pool(kpi: str, cutoff: pd.Period) -> dict[str, list[float]]:
    """Each rep's ratios actual / expected of the 12 months before `cutoff`, each month
    predicted from the months before it, for reps with 3 full months before it."""
    ratios: dict[str, list[float]] = {}
    for month in [cutoff - i for i in range(12, 0, -1)]:
        for rep in REPS_WITH_ROWS:
            held = (month - max(first_full_month(rep), month - 12, FIRST_MONTH)).n
            guess = oracle_expected(rep, kpi, month, [month])
            if held >= 3 and guess > 0:
                ratios.setdefault(rep, []).append(actual(rep, month, kpi) / guess)
    return ratios


def oracle_round(value: float) -> float:
    if value < 100:
        return float(math.ceil(value - 1e-9))
    step = 10 ** (math.floor(math.log10(value)) - 2)
    return float(math.floor(value / step + 0.5) * step)


def oracle_target(rep: str, kpi: str, months: list[pd.Period], aim: float) -> tuple[float, float]:
    """(target, chance) as docs/goals.md defines them (the history ends with February 2026)."""
    cutoff = min(months[0], pd.Period("2026-03", "M"))
    ratios = oracle_pool(kpi, cutoff)
    pooled = pd.Series([r for rs in ratios.values() for r in rs])
    middle, q1 = pooled.median(), pooled.quantile(1 - aim)
    n = len(months)
    qn = middle * (q1 / middle) ** (1 / math.sqrt(n))
    guess = oracle_expected(rep, kpi, cutoff, months)
    target = oracle_round(float(guess * qn))
    t = middle * (target / guess / middle) ** math.sqrt(n)
    own = ratios.get(rep, [])
    own_share = sum(r >= t - 1e-12 for r in own) / len(own)
    pool_share = float((pooled >= t - 1e-12).mean())
    return target, (len(own) * own_share + 6 * pool_share) / (len(own) + 6)


# ---------------------------------------------------------------------------------------------
# The tests


def run(period: str, aim: float = 0.65, goals: list[list[object]] | None = None) -> SuggestReport:
    rows = goals if goals is not None else data.default_goals()[:5]  # no top-down goals
    backend = MemoryBackend(data.grids(rows), {})
    return suggest_goals(data.team_config(), period, aim, data.AS_OF, dry_run=True,
                         backend=backend)  # fmt: skip


@pytest.mark.parametrize(("period", "months", "aim"), [
    ("2026-03", ["2026-03"], 0.65),
    ("2026-Q2", ["2026-04", "2026-05", "2026-06"], 0.8),
])  # fmt: skip
def test_suggestions_match_the_formula_of_the_docs(
    period: str, months: list[str], aim: float
) -> None:
    report = run(period, aim)
    found = {s.rep: s for s in report.found.reps}
    periods = [pd.Period(m, "M") for m in months]
    for rep in ("Anna Nowak", "Ben Carter", "Chloe Martin", "Dawid Lis", "Ewa Kot"):
        assert found[rep].basis == "history"
        for kpi in KPIS:
            target, chance = oracle_target(rep, kpi, periods, aim)
            cutoff = pd.Period("2026-03", "M")
            assert found[rep].expected[kpi] == pytest.approx(
                oracle_expected(rep, kpi, cutoff, periods)
            ), (rep, kpi)
            assert found[rep].targets[kpi] == target, (rep, kpi)
            assert found[rep].chance[kpi] == pytest.approx(chance), (rep, kpi)


def test_a_hand_checked_figure_of_the_oracle() -> None:
    # Anna's calls: 12 a day x the month's factor + 0..2; March 2026 has 22 working days
    assert DAYS[pd.Period("2026-03", "M")] == 22 and DAYS[pd.Period("2025-12", "M")] == 22
    report = run("2026-03")
    anna = next(s for s in report.found.reps if s.rep == "Anna Nowak")
    assert anna.last_year["calls"] == actual("Anna Nowak", pd.Period("2025-03", "M"), "calls")
    assert anna.targets == {"calls": 292.0, "deals": 6.0, "entries": 22.0}
    assert report.found.days == 22


def test_the_calibration_is_the_pooled_quantile_narrowed_by_the_square_root_of_the_months() -> None:
    ratios = np.array([0.7, 0.8, 0.9, 1.0, 1.0, 1.1, 1.2, 1.3, 1.5])
    middle, q = spread(ratios, 0.75)
    assert middle == 1.0 and q == pytest.approx(0.9)  # the 25% quantile, interpolated
    month, quarter = run("2026-03").found.calibration, run("2026-Q2").found.calibration
    assert month.months == 1 and quarter.months == 3
    for key in KPIS:
        m, q1 = month.middle[key], month.quantile[key]
        assert quarter.factor[key] == pytest.approx(m * (q1 / m) ** (1 / math.sqrt(3)))
        assert abs(quarter.factor[key] - m) <= abs(q1 - m)


def test_a_young_pool_assumes_the_spread() -> None:
    middle, q = spread(np.array([1.0, 1.2]), 0.65)
    assert middle == 1.0 and q == pytest.approx(0.908164, abs=1e-6)
    assert spread(np.array([]), 0.5) == (1.0, 1.0)


@pytest.mark.parametrize(("value", "expected"), [
    (43217.0, 43200.0), (226.4, 226.0), (226.5, 227.0), (8.4, 9.0), (8.0, 8.0),
    (99.2, 100.0), (1234567.0, 1230000.0), (0.0, 0.0), (-3.0, 0.0), (math.nan, 0.0),
])  # fmt: skip
def test_rounding(value: float, expected: float) -> None:
    assert rounded(value) == expected


def test_a_new_rep_is_ramped_from_the_teams_median() -> None:
    report = run("2026-03")
    found = {s.rep: s for s in report.found.reps}
    gosia = found["Gosia Wójcik"]  # started 2026-02-16: March is her first full month
    assert gosia.basis == "ramp" and gosia.chance == {}
    peers = ["Anna Nowak", "Ben Carter", "Chloe Martin"]  # North's established reps
    for kpi in KPIS:
        median = float(np.median([found[rep].targets[kpi] for rep in peers]))
        assert gosia.targets[kpi] == oracle_round(float(median) / 22 * 22 / 3)
    april = {s.rep: s for s in run("2026-04").found.reps}["Gosia Wójcik"]
    assert april.basis == "ramp"  # two thirds of April, still less than three months
    may = {s.rep: s for s in run("2026-Q2").found.reps}["Gosia Wójcik"]
    assert may.basis == "ramp"


def test_no_history_no_suggestion_and_inactive_reps_get_nothing() -> None:
    report = run("2026-03")
    found = {s.rep: s for s in report.found.reps}
    assert "Fred Baker" not in found  # inactive
    hanna = found["Hanna Zięba"]
    assert (hanna.basis, hanna.targets, hanna.why) == ("none", {}, "no activity and no start date")


def test_a_rep_starting_after_the_period_gets_none() -> None:
    report = run("2026-01")  # as of 2026-02-28, January is predicted from before it
    found = {s.rep: s for s in report.found.reps}
    assert found["Gosia Wójcik"].why == "starts after the period"
    assert found["Anna Nowak"].basis == "history"


def test_only_months_before_the_period_and_up_to_the_as_of_date_are_used() -> None:
    backend = MemoryBackend(data.grids(data.default_goals()[:5]), {})
    early = suggest_goals(data.team_config(), "2026-03", as_of=date(2026, 2, 27), dry_run=True,
                          backend=backend)  # fmt: skip
    # February is not over on the 27th: the history ends in January, as for a January cutoff
    anna = next(s for s in early.found.reps if s.rep == "Anna Nowak")
    january = pd.Period("2026-02", "M")
    assert anna.rate["calls"] == pytest.approx(
        sum(actual("Anna Nowak", january - i, "calls") for i in range(1, 13))
        / sum(DAYS[january - i] for i in range(1, 13))
    )
