"""Target resolution: explicit goals, roll-ups over time and over people, by hand-set numbers."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from sheetsync.config.values import KpiDef, StatusThresholds
from sheetsync.kpi.evaluate import evaluate
from sheetsync.kpi.targets import Level, Target, TargetResolver, goal_lookup
from sheetsync.periods import Period, WorkCalendar, parse_period
from tests.frames import goals, roster

KPIS = (
    KpiDef("calls", "sum", "Calls", column="calls"),
    KpiDef("meetings", "sum", "Meetings", column="meetings"),
    KpiDef("entries", "count", "Entries"),
    KpiDef("rate", "ratio", "Calls per meeting", numerator="calls", denominator="meetings"),
    KpiDef("customers", "count_distinct", "Customers", column="customer"),
)


def activity(*reps: str) -> pd.DataFrame:
    """One row per rep on 2026-11-02 (targets do not depend on activity)."""
    n = len(reps)
    return pd.DataFrame(
        {
            "rep": pd.Series(list(reps), dtype=object),
            "date": pd.Series(pd.to_datetime(["2026-11-02"] * n), dtype="datetime64[ns]"),
            "calls": pd.Series([1.0] * n, dtype="float64"),
            "meetings": pd.Series([1.0] * n, dtype="float64"),
            "customer": pd.Series(["Acme"] * n, dtype=object),
        }
    )


ROSTER = roster(
    ("Anna", "East", True),
    ("Ben", "East", True),
    ("Cleo", "East", False),  # inactive: ignored by roll-ups over people
    ("Dan", "West", True),
)


def targets(
    gl: pd.DataFrame,
    labels: tuple[str, ...],
    ro: pd.DataFrame = ROSTER,
    act: pd.DataFrame | None = None,
    fiscal_year_start: int = 1,
) -> pd.DataFrame:
    periods = tuple(parse_period(label, fiscal_year_start) for label in labels)
    calendar = WorkCalendar(fiscal_year_start=fiscal_year_start)
    act = activity("Anna", "Zed") if act is None else act
    return evaluate(
        act, gl, ro, KPIS, calendar, StatusThresholds(), periods, date(2026, 11, 10), "Total"
    )


def target(frame: pd.DataFrame, period: str, name: str, kpi: str = "calls") -> tuple[float, object]:
    """(target, target_source) of one output row; NaN and None when there is no target."""
    row = frame[(frame["period"] == period) & (frame["name"] == name) & (frame["kpi"] == kpi)]
    assert len(row) == 1, (period, name, kpi)
    return float(row["target"].iloc[0]), row["target_source"].iloc[0]


def no_target(found: tuple[float, object]) -> bool:
    return math.isnan(found[0]) and found[1] is None


ANNA_Q4_MONTHS = (
    ("2026-10", "rep", "Anna", "calls", 10.0),
    ("2026-11", "rep", "Anna", "calls", 20.0),
    ("2026-12", "rep", "Anna", "calls", 30.0),
)


# --- over time ----------------------------------------------------------------------------------


def test_explicit_goal() -> None:
    out = targets(goals(("2026-11", "rep", "Anna", "calls", 100)), ("2026-11",))
    assert target(out, "2026-11", "Anna") == (100.0, "goal")


def test_quarter_from_its_three_months() -> None:
    out = targets(goals(*ANNA_Q4_MONTHS), ("2026-Q4",))
    assert target(out, "2026-Q4", "Anna") == (60.0, "rolled up")


def test_quarter_with_two_of_three_months_has_no_target() -> None:
    out = targets(goals(*ANNA_Q4_MONTHS[:2]), ("2026-Q4", "2026-11"))
    assert no_target(target(out, "2026-Q4", "Anna"))
    assert target(out, "2026-11", "Anna") == (20.0, "goal")


def test_explicit_goal_beats_a_roll_up() -> None:
    out = targets(goals(*ANNA_Q4_MONTHS, ("2026-Q4", "rep", "Anna", "calls", 50)), ("2026-Q4",))
    assert target(out, "2026-Q4", "Anna") == (50.0, "goal")


def test_year_from_quarters_that_are_themselves_from_months() -> None:
    gl = goals(
        ("2026-Q1", "rep", "Anna", "calls", 100),
        ("2026-Q2", "rep", "Anna", "calls", 200),
        ("2026-Q3", "rep", "Anna", "calls", 300),
        *ANNA_Q4_MONTHS,
    )
    out = targets(gl, ("2026", "2026-Q4", "2026-Q3"))
    assert target(out, "2026", "Anna") == (660.0, "rolled up")
    assert target(out, "2026-Q4", "Anna") == (60.0, "rolled up")
    assert target(out, "2026-Q3", "Anna") == (300.0, "goal")


def test_year_with_a_missing_quarter_has_no_target() -> None:
    gl = goals(("2026-Q1", "rep", "Anna", "calls", 100), *ANNA_Q4_MONTHS)
    assert no_target(target(targets(gl, ("2026",)), "2026", "Anna"))


def test_fiscal_year_from_fiscal_quarters_from_months() -> None:
    gl = goals(
        ("2026-04", "rep", "Anna", "calls", 1),
        ("2026-05", "rep", "Anna", "calls", 2),
        ("2026-06", "rep", "Anna", "calls", 3),
        ("FY2027-Q2", "rep", "Anna", "calls", 10),
        ("FY2027-Q3", "rep", "Anna", "calls", 20),
        ("fy2027-q4", "rep", "Anna", "calls", 30),  # sloppy but unambiguous label
        ("2026-Q4", "rep", "Anna", "calls", 999),  # a calendar quarter: not part of FY2027
    )
    out = targets(gl, ("FY2027", "FY2027-Q1", "FY2027-Q4"), fiscal_year_start=4)
    assert target(out, "FY2027-Q1", "Anna") == (6.0, "rolled up")
    assert target(out, "FY2027-Q4", "Anna") == (30.0, "goal")
    assert target(out, "FY2027", "Anna") == (66.0, "rolled up")


def test_weeks_are_never_rolled_up() -> None:
    gl = goals(
        ("2026-W46", "rep", "Anna", "calls", 5),
        ("2026-W46", "rep", "Ben", "calls", 6),
        ("2026-W46", "rep", "Dan", "calls", 7),
        ("2026-W46", "team", "West", "calls", 8),
    )
    out = targets(gl, ("2026-W46", "2026-11"))
    assert target(out, "2026-W46", "Anna") == (5.0, "goal")
    assert target(out, "2026-W46", "West") == (8.0, "goal")
    assert no_target(target(out, "2026-W46", "East"))  # not 5 + 6
    assert no_target(target(out, "2026-W46", "Total"))
    assert no_target(target(out, "2026-11", "Anna"))  # weeks do not make months


# --- over people ----------------------------------------------------------------------------


def test_team_from_its_active_members_ignoring_inactive_ones() -> None:
    gl = goals(("2026-11", "rep", "Anna", "calls", 100), ("2026-11", "rep", "Ben", "calls", 50))
    out = targets(gl, ("2026-11",))
    assert target(out, "2026-11", "East") == (150.0, "rolled up")  # Cleo has no goal: inactive


def test_inactive_members_goal_is_not_added() -> None:
    gl = goals(
        ("2026-11", "rep", "Anna", "calls", 100),
        ("2026-11", "rep", "Ben", "calls", 50),
        ("2026-11", "rep", "Cleo", "calls", 1000),
    )
    assert target(targets(gl, ("2026-11",)), "2026-11", "East") == (150.0, "rolled up")


def test_team_with_an_active_member_lacking_a_goal_has_no_target() -> None:
    out = targets(goals(("2026-11", "rep", "Anna", "calls", 100)), ("2026-11",))
    assert no_target(target(out, "2026-11", "East"))


def test_total_from_active_roster_reps_only() -> None:
    gl = goals(
        ("2026-11", "rep", "Anna", "calls", 100),
        ("2026-11", "rep", "Ben", "calls", 50),
        ("2026-11", "rep", "Dan", "calls", 25),
    )
    out = targets(gl, ("2026-11",))
    # Zed (not in the roster, but in the activity) is no member; Cleo is inactive.
    assert target(out, "2026-11", "Total") == (175.0, "rolled up")
    assert target(out, "2026-11", "West") == (25.0, "rolled up")


def test_total_from_teams_does_not_count() -> None:
    gl = goals(("2026-11", "team", "East", "calls", 150), ("2026-11", "team", "West", "calls", 25))
    assert no_target(target(targets(gl, ("2026-11",)), "2026-11", "Total"))


def test_explicit_team_and_total_goals_win() -> None:
    gl = goals(
        ("2026-11", "rep", "Anna", "calls", 100),
        ("2026-11", "rep", "Ben", "calls", 50),
        ("2026-11", "rep", "Dan", "calls", 25),
        ("2026-11", "team", "East", "calls", 140),
        ("2026-11", "total", "Total", "calls", 200),
    )
    out = targets(gl, ("2026-11",))
    assert target(out, "2026-11", "East") == (140.0, "goal")
    assert target(out, "2026-11", "Total") == (200.0, "goal")


def test_team_quarter_prefers_its_own_months_then_its_members_quarters() -> None:
    gl = goals(
        ("2026-10", "team", "West", "calls", 1),
        ("2026-11", "team", "West", "calls", 2),
        ("2026-12", "team", "West", "calls", 3),
        ("2026-Q4", "rep", "Dan", "calls", 100),
        ("2026-10", "team", "East", "calls", 10),  # incomplete months for East ...
        ("2026-Q4", "rep", "Anna", "calls", 40),  # ... so East's Q4 comes from its members
        ("2026-Q4", "rep", "Ben", "calls", 50),
    )
    out = targets(gl, ("2026-Q4",))
    assert target(out, "2026-Q4", "West") == (6.0, "rolled up")
    assert target(out, "2026-Q4", "East") == (90.0, "rolled up")


def test_team_quarter_from_members_months() -> None:
    months = ("2026-10", "2026-11", "2026-12")
    gl = goals(*[(m, "rep", rep, "calls", 10.0) for m in months for rep in ("Anna", "Ben", "Dan")])
    out = targets(gl, ("2026-Q4", "2026"))
    assert target(out, "2026-Q4", "East") == (60.0, "rolled up")
    assert target(out, "2026-Q4", "Total") == (90.0, "rolled up")
    assert no_target(target(out, "2026", "Total"))  # Q1-Q3 are missing


def test_without_a_roster_the_total_rolls_up_everyone_seen() -> None:
    gl = goals(("2026-11", "rep", "Anna", "calls", 100), ("2026-11", "rep", "Gus", "calls", 5))
    out = targets(gl, ("2026-11",), ro=roster(), act=activity("Anna"))
    assert target(out, "2026-11", "Total") == (105.0, "rolled up")
    out = targets(gl, ("2026-11",), ro=roster(), act=activity("Anna", "Zed"))
    assert no_target(target(out, "2026-11", "Total"))  # Zed, seen in the activity, has no goal


def test_team_without_active_members_has_no_rolled_up_target() -> None:
    ro = roster(("Cleo", "East", False), ("Anna", "West", True))
    gl = goals(("2026-11", "rep", "Anna", "calls", 100))
    out = targets(gl, ("2026-11",), ro=ro)
    assert no_target(target(out, "2026-11", "East"))


# --- non-additive KPIs ------------------------------------------------------------------------


@pytest.mark.parametrize("kpi", ["rate", "customers"])
def test_ratio_and_count_distinct_take_only_explicit_goals(kpi: str) -> None:
    gl = goals(
        ("2026-10", "rep", "Anna", kpi, 2),
        ("2026-11", "rep", "Anna", kpi, 2),
        ("2026-12", "rep", "Anna", kpi, 2),
        ("2026-11", "rep", "Ben", kpi, 3),
        ("2026-11", "rep", "Dan", kpi, 4),
    )
    out = targets(gl, ("2026-Q4", "2026-11"))
    assert target(out, "2026-11", "Anna", kpi) == (2.0, "goal")
    assert no_target(target(out, "2026-Q4", "Anna", kpi))
    assert no_target(target(out, "2026-11", "East", kpi))
    assert no_target(target(out, "2026-11", "Total", kpi))


def test_count_kpi_rolls_up() -> None:
    gl = goals(("2026-11", "rep", "Anna", "entries", 4), ("2026-11", "rep", "Ben", "entries", 6))
    assert target(targets(gl, ("2026-11",)), "2026-11", "East", "entries") == (10.0, "rolled up")


# --- goal rows ----------------------------------------------------------------------------------


def test_goal_labels_are_canonicalised_and_bad_ones_skipped() -> None:
    gl = goals(
        ("2026-1", "rep", "Anna", "calls", 7),
        (" 2026-q1 ", "rep", "Ben", "calls", 8),
        ("January", "rep", "Dan", "calls", 9),
    )
    out = targets(gl, ("2026-01", "2026-Q1"))
    assert target(out, "2026-01", "Anna") == (7.0, "goal")
    assert target(out, "2026-Q1", "Ben") == (8.0, "goal")
    assert no_target(target(out, "2026-01", "Dan"))


def test_conflicting_goals_that_reach_this_stage_are_both_ignored() -> None:
    # The sync stage removes conflicts and reports them; this is a second line of defence.
    gl = goals(
        ("2026-11", "rep", "Anna", "calls", 100),
        ("2026-11", "rep", "Anna", "calls", 90),
        ("2026-11", "rep", "Ben", "calls", 50),
        ("2026-11", "rep", "Ben", "calls", 50),  # a harmless duplicate
    )
    out = targets(gl, ("2026-11",))
    assert no_target(target(out, "2026-11", "Anna"))
    assert target(out, "2026-11", "Ben") == (50.0, "goal")


def test_blank_goal_cells_are_no_goal() -> None:
    gl = goals(("2026-11", "rep", "Anna", "calls", float("nan")))
    assert no_target(target(targets(gl, ("2026-11",)), "2026-11", "Anna"))


def test_goal_levels_are_kept_apart() -> None:
    # A rep and a team with the same name: each level reads its own goals.
    ro = roster(("West", "West", True))
    gl = goals(("2026-11", "rep", "West", "calls", 3), ("2026-11", "team", "West", "calls", 4))
    out = targets(gl, ("2026-11",), ro=ro, act=activity("West"))
    rows = out[(out["name"] == "West") & (out["kpi"] == "calls")]
    assert dict(zip(rows["level"], rows["target"], strict=True)) == {"team": 4.0, "rep": 3.0}


def test_resolver_memoises(monkeypatch: pytest.MonkeyPatch) -> None:
    lookup = goal_lookup(goals(*ANNA_Q4_MONTHS), 1)
    resolver = TargetResolver(lookup, KPIS, {})
    year = parse_period("2026")
    assert resolver.resolve(year, "rep", "Anna", "calls") is None
    calls: list[Period] = []
    original = resolver._compute

    def counting(period: Period, level: Level, scope: str, kpi: str) -> Target | None:
        calls.append(period)
        return original(period, level, scope, kpi)

    monkeypatch.setattr(resolver, "_compute", counting)
    assert resolver.resolve(year, "rep", "Anna", "calls") is None
    assert resolver.resolve(parse_period("2026-Q4"), "rep", "Anna", "calls") == (60.0, "rolled up")
    assert calls == []
