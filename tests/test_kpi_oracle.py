"""The KPI engine against a brute-force oracle, on random workbooks.

Hypothesis builds raw grids (a roster or none, rep tabs and a log tab with numbers, zeros and
empty cells, goals) and runs them through `refresh` with the in-memory backend. The oracle then
works out the README's "KPI math in plain words" from the rows as generated, without calling
sheetsync: the periods' first days come from the calendar by hand, rows are picked with plain
date comparisons, and each rep, team and the total is a pandas groupby sum / size / nunique.

Dates are drawn around the period edges (each period's first day and the day before it, the
as-of date and the day after), so a row dated exactly on a period's first day and one dated on
the as-of date are both counted (inclusive at both ends) in most examples, and always in the
explicit `@example`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sheetsync.backends.memory import MemoryBackend
from sheetsync.grids import Grid, RawValue
from sheetsync.pipeline import refresh
from tests.helpers import ACTIVITY_HEADER, config

# The KPIs of tests.helpers.BASE_CONFIG: key -> label (the Goals header).
LABELS = {
    "calls": "Calls",
    "meetings": "Meetings",
    "deals": "Deals",
    "revenue": "Revenue",
    "win_rate": "Win rate",
    "customers": "Customers",
    "entries": "Entries",
}
SUMS = ("calls", "meetings", "deals", "revenue")
ONLY_EXPLICIT = ("win_rate", "customers")  # ratio and count_distinct: explicit goals only
REPS = ("Anna", "Ben", "Cleo", "Dan", "Eve", "Zed")
TEAMS = ("North", "South")
TOTAL = "Total"
CONFIG = config()


@dataclass(frozen=True)
class Entry:
    rep: str
    day: date
    calls: int | None
    meetings: int | None
    deals: int | None
    revenue: float | None
    customer: str | None
    in_log: bool  # on the shared log tab instead of the rep's own tab


@dataclass(frozen=True)
class Case:
    as_of: date
    roster: tuple[tuple[str, str | None, bool], ...] | None  # (rep, team, active); None: no tab
    entries: tuple[Entry, ...]
    # (period label, scope) -> KPI key -> target
    goals: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)


# --- the oracle's calendar ----------------------------------------------------------------------


def current_periods(as_of: date) -> dict[str, tuple[str, date]]:
    """Label -> (kind, first day) of the ISO week, month, quarter and year holding `as_of`."""
    iso_year, iso_week, iso_day = as_of.isocalendar()
    quarter = (as_of.month - 1) // 3 + 1
    return {
        f"{iso_year}-W{iso_week:02d}": ("week", as_of - timedelta(days=iso_day - 1)),
        f"{as_of.year}-{as_of.month:02d}": ("month", as_of.replace(day=1)),
        f"{as_of.year}-Q{quarter}": ("quarter", date(as_of.year, 3 * quarter - 2, 1)),
        f"{as_of.year}": ("year", date(as_of.year, 1, 1)),
    }


def edge_days(as_of: date) -> list[date]:
    """Each current period's first day and the day before it, the as-of date and the next."""
    firsts = [first for _, first in current_periods(as_of).values()]
    return [*firsts, *(d - timedelta(days=1) for d in firsts), as_of, as_of + timedelta(days=1)]


def serial(day: date) -> float:
    """The spreadsheet serial number of a day: days since 1899-12-30."""
    return float((day - date(1899, 12, 30)).days)


# --- random workbooks ---------------------------------------------------------------------------

AS_OF_EDGES = [
    date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1), date(2026, 11, 30),
    date(2026, 12, 28), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 4),
]  # fmt: skip
counts = st.one_of(st.none(), st.just(0), st.integers(0, 30))
money = st.one_of(st.none(), st.just(0.0), st.integers(0, 500_000).map(lambda cents: cents / 100))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    # 2026 has an ISO week 53, and 2026-W01 starts on 2025-12-29.
    as_of = draw(st.one_of(st.sampled_from(AS_OF_EDGES), st.dates(date(2025, 12, 28),
                                                                  date(2027, 1, 10))))  # fmt: skip
    roster = None
    if draw(st.integers(0, 4)):  # one workbook in five has no roster tab
        names = draw(st.lists(st.sampled_from(REPS[:-1]), unique=True, max_size=5))
        teams = st.sampled_from((*TEAMS, None))
        roster = tuple((rep, draw(teams), draw(st.booleans())) for rep in names)
    days = st.one_of(
        st.sampled_from(edge_days(as_of)),
        st.integers(-400, 10).map(lambda n: as_of + timedelta(days=n)),
    )
    entry = st.builds(
        Entry,
        rep=st.sampled_from(REPS),
        day=days,
        calls=counts,
        meetings=counts,
        deals=counts,
        revenue=money,
        customer=st.sampled_from(("Acme", "Beta", "Gamma", None)),
        in_log=st.booleans(),
    )
    entries = tuple(draw(st.lists(entry, max_size=40)))
    return Case(as_of, roster, entries, draw(goal_rows(as_of, roster, entries)))


def goal_rows(
    as_of: date, roster: tuple[tuple[str, str | None, bool], ...] | None, entries: Iterable[Entry]
) -> st.SearchStrategy[dict[tuple[str, str], dict[str, float]]]:
    """Goals for scopes the Goals tab accepts, in the current periods and one other month."""
    if roster is None:
        scopes = [*REPS, TOTAL]  # without a roster any name is a rep
    else:
        known = {rep for rep, _, _ in roster} | {e.rep for e in entries}
        teams = {team for _, team, _ in roster if team is not None}
        scopes = [*sorted(known), *sorted(teams), TOTAL]
    labels = [*current_periods(as_of), f"{as_of.year - 1}-{as_of.month:02d}"]
    target = st.one_of(st.just(0.0), st.integers(1, 400).map(float))
    rate = st.integers(0, 100).map(lambda n: n / 100)
    targets = st.fixed_dictionaries(
        {}, optional={key: rate if key == "win_rate" else target for key in LABELS}
    )
    keys = st.tuples(st.sampled_from(labels), st.sampled_from(scopes))
    return st.dictionaries(keys, targets.filter(bool), max_size=10)


def workbook(case: Case) -> dict[str, Grid]:
    """The raw grids a spreadsheet would give for the case."""
    tabs: dict[str, Grid] = {}
    if case.roster is not None:
        roster: Grid = [["Rep", "Email", "Team", "Active"]]
        for rep, team, active in case.roster:
            roster.append([rep, f"{rep.lower()}@x.com", team, "yes" if active else "no"])
        tabs["Roster"] = roster
    goals: Grid = [["Period", "Scope", *LABELS.values()]]
    for (label, scope), targets in case.goals.items():
        goals.append([label, scope, *(targets.get(key) for key in LABELS)])
    tabs["Goals"] = goals
    tabs["Log"] = [["Rep", *ACTIVITY_HEADER]]
    for e in case.entries:
        row: list[RawValue] = [serial(e.day), e.calls, e.meetings, e.deals, e.revenue, e.customer]
        if e.in_log:
            tabs["Log"].append([e.rep, *row])
        else:
            tabs.setdefault(f"Rep - {e.rep}", [list(ACTIVITY_HEADER)]).append(row)
    return tabs


# --- the oracle ---------------------------------------------------------------------------------

Key = tuple[str, str, str]  # (level, name, KPI key)


def oracle(case: Case, first: date) -> dict[Key, float]:
    """Every actual from `first` to the as-of date, both included, by brute force."""
    team_of = {rep: team for rep, team, _ in case.roster or ()}
    frame = pd.DataFrame(
        {
            "rep": [e.rep for e in case.entries],
            "team": [team_of.get(e.rep) for e in case.entries],
            "day": pd.Series([e.day for e in case.entries], dtype=object),
            "calls": pd.Series([e.calls for e in case.entries], dtype="float64"),
            "meetings": pd.Series([e.meetings for e in case.entries], dtype="float64"),
            "deals": pd.Series([e.deals for e in case.entries], dtype="float64"),
            "revenue": pd.Series([e.revenue for e in case.entries], dtype="float64"),
            "customer": pd.Series([e.customer for e in case.entries], dtype=object),
        }
    )
    rows = frame[(frame["day"] >= first) & (frame["day"] <= case.as_of)]
    reps = {r for r, _, _ in case.roster or ()} | {e.rep for e in case.entries}
    reps |= {scope for (_, scope) in case.goals if scope not in (*TEAMS, TOTAL)}
    teams = {team for _, team, _ in case.roster or () if team is not None}
    levels = [
        ("rep", rows.groupby("rep"), reps),
        ("team", rows[rows["team"].notna()].groupby("team"), teams),
        ("total", rows.assign(everyone=TOTAL).groupby("everyone"), {TOTAL}),
    ]
    out: dict[Key, float] = {}
    for level, groups, names in levels:
        table = groups.agg(
            calls=("calls", "sum"),
            meetings=("meetings", "sum"),
            deals=("deals", "sum"),
            revenue=("revenue", "sum"),
            entries=("rep", "size"),
            customers=("customer", "nunique"),
        ).reindex(sorted(names), fill_value=0)
        for name, row in table.iterrows():
            for key in (*SUMS, "entries", "customers"):
                out[(level, str(name), key)] = float(row[key])
            deals, meetings = float(row["deals"]), float(row["meetings"])
            out[(level, str(name), "win_rate")] = deals / meetings if meetings else math.nan
    return out


def level_of(scope: str) -> str:
    return "total" if scope == TOTAL else "team" if scope in TEAMS else "rep"


def same(got: float, want: float) -> bool:
    """Equal to floating-point rounding, or both blank."""
    if math.isnan(want):
        return math.isnan(got)
    return got == pytest.approx(want, rel=1e-9, abs=1e-9)


EDGES = Case(  # a row on each period's first day, on the as-of date and on the day after it
    as_of=date(2026, 11, 26),
    roster=(("Anna", "North", True), ("Ben", "North", False), ("Cleo", "South", True)),
    entries=(
        Entry("Anna", date(2026, 11, 1), 1, 2, 1, 10.0, "Acme", False),  # month's first day
        Entry("Anna", date(2026, 10, 31), 2, 0, 0, 0.0, "Beta", True),  # the day before
        Entry("Ben", date(2026, 11, 23), 4, 1, 1, None, "Acme", False),  # week's first day
        Entry("Cleo", date(2026, 11, 26), 8, 0, None, 5.5, None, True),  # the as-of date
        Entry("Cleo", date(2026, 11, 27), 16, 3, 3, 1.0, "Gamma", False),  # the day after
        Entry("Zed", date(2026, 1, 1), 32, 1, 0, 2.0, "Beta", True),  # the year's first day
        Entry("Zed", date(2025, 12, 31), 64, 1, 1, 0.0, "Delta", False),  # the day before
    ),
    goals={
        ("2026-11", "Anna"): {"calls": 2.0, "win_rate": 0.5},
        ("2026-11", "North"): {"calls": 10.0, "customers": 0.0},
        ("2026-W48", TOTAL): {"entries": 4.0},
        ("2026-Q4", "Cleo"): {"revenue": 11.0},
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(EDGES)
@given(cases())
def test_actuals_targets_and_attainment_match_a_brute_force_oracle(case: Case) -> None:
    report = refresh(CONFIG, as_of=case.as_of, dry_run=True, backend=MemoryBackend(workbook(case)))
    assert report.errors == []
    assert report.facts.rows_counted == len(case.entries)
    out = report.rep_kpis
    periods = current_periods(case.as_of)
    assert list(out["period"].unique()) == list(periods)
    for label, (kind, first) in periods.items():
        expected = oracle(case, first)
        part = out[out["period"] == label]
        got = {
            (str(level), str(name), str(kpi)): (row_actual, target, source, attainment)
            for level, name, kpi, row_actual, target, source, attainment in zip(
                part["level"], part["name"], part["kpi"], part["actual"], part["target"],
                part["target_source"], part["attainment"], strict=True,
            )
        }  # fmt: skip
        assert len(got) == len(part)  # one row per level, name and KPI
        assert set(got) == set(expected), label
        for key, (actual, target, source, attainment) in got.items():
            assert same(actual, expected[key]), (label, key, actual, expected[key])
            level, name, kpi = key
            goal = next(
                (t[kpi] for (p, s), t in case.goals.items()
                 if p == label and s == name and level_of(s) == level and kpi in t),
                None,
            )  # fmt: skip
            if goal is not None:
                assert (target, source) == (goal, "goal"), (label, key)
            elif kind == "week" or kpi in ONLY_EXPLICIT:
                assert math.isnan(target) and source is None, (label, key, target)
            # attainment = actual / target; blank without a target, with 0, or without an actual
            want = expected[key] / target if target and not math.isnan(target) else math.nan
            assert same(attainment, want), (label, key, attainment, want)
