"""Goal coverage warnings: common goal-setting mistakes, reported in the Data issues tab."""

from __future__ import annotations

from datetime import date
from typing import Any

from sheetsync.config.values import Config
from sheetsync.grids import Grid
from sheetsync.issues import Issue
from sheetsync.pipeline import refresh
from tests.helpers import MemoryBackend, activity, config, team_workbook

NOV_3 = date(2026, 11, 3)
DONE = "reported only"


def coverage(tabs: dict[str, Grid], as_of: date = NOV_3, cfg: Config | None = None) -> list[Issue]:
    """The goal coverage warnings of a dry refresh (and the Data issues tab shows them)."""
    report = refresh(cfg or config(), as_of=as_of, dry_run=True, backend=MemoryBackend(tabs))
    found = [i for i in report.issues if i.action == DONE]
    tab = next(t for t in report.plan.tabs if t.title == "Data issues")
    shown = {cell.value for row in tab.rows for cell in row}
    assert all(issue.problem in shown for issue in found)
    return found


def about(issues: list[Issue], start: str) -> list[Issue]:
    return [issue for issue in issues if issue.problem.startswith(start)]


def goal(*row: Any) -> list[Any]:
    return list(row)


def test_an_active_rep_without_current_goals_on_ranked_kpis_is_named_once_per_gap() -> None:
    tabs = team_workbook()
    tabs["Roster"].append(["Cleo Diaz", "cleo@x.com", "North", "no"])
    issues = about(coverage(tabs), "active rep")
    assert issues == [
        Issue("warning", "Goals", "",
              "active rep 'Anna Nowak' has no goal for ranked KPIs 'Revenue', 'Calls' in "
              "2026-Q4, 2026", "Anna Nowak", DONE),
        Issue("warning", "Goals", "",
              "active rep 'Ben Carter' has no goal for ranked KPIs 'Revenue', 'Calls' in "
              "2026-Q4, 2026", "Ben Carter", DONE),
    ]  # fmt: skip
    # October and December make the quarter by roll-up; with a year goal nothing is missing
    for rep in ("Anna Nowak", "Ben Carter"):
        tabs["Goals"] += [goal("2026-10", rep, 1, 1), goal("2026-12", rep, 1, 1),
                          goal("2026", rep, 9, 9)]  # fmt: skip
    assert about(coverage(tabs), "active rep") == []


def test_with_ranking_by_only_that_kpi_is_required() -> None:
    cfg = config("ranking: {period: month, by: deals}")
    issues = about(coverage(team_workbook(), cfg=cfg), "active rep 'Anna")
    assert issues == [
        Issue("warning", "Goals", "",
              "active rep 'Anna Nowak' has no goal for ranked KPI 'Deals' in 2026-11, 2026-Q4, "
              "2026", "Anna Nowak", DONE),
    ]  # fmt: skip


def test_a_kpi_without_any_goal_is_reported_at_its_column_if_there_is_one() -> None:
    tabs = team_workbook()
    tabs["Goals"][0].append("Deals")
    issues = about(coverage(tabs), "KPI ")
    assert Issue("warning", "Goals", "E1", "KPI 'Deals' has no goal in any period or scope", "",
                 DONE) in issues  # fmt: skip
    assert Issue("warning", "Goals", "", "KPI 'Meetings' has no goal in any period or scope", "",
                 DONE) in issues  # fmt: skip
    assert about(issues, "KPI 'Calls'") == [] and about(issues, "KPI 'Revenue'") == []
    cfg = config("""
kpis:
  calls: {kind: sum, column: calls, label: Calls}
  revenue: {kind: sum, column: revenue, label: Revenue}
""")
    assert about(coverage(team_workbook(), cfg=cfg), "KPI ") == []


def test_an_unknown_scope_with_a_roster_stays_one_error_of_the_sync_stage() -> None:
    tabs = team_workbook()
    tabs["Goals"].append(goal("2026-11", "Anna Nowk", 10, 100))
    report = refresh(config(), as_of=NOV_3, dry_run=True, backend=MemoryBackend(tabs))
    assert [i for i in report.issues if i.cell.endswith("4")] == [
        Issue("error", "Goals", "B4",
              "scope 'Anna Nowk' is not a rep, team or 'Total'; did you mean 'Anna Nowak'?",
              "Anna Nowk", "goal row ignored"),
    ]  # fmt: skip


def test_without_a_roster_a_rep_scope_never_seen_is_reported() -> None:
    tabs = team_workbook()
    del tabs["Roster"]
    tabs["Goals"].append(goal("2026-11", "Anna Nowk", 10, 100))
    issues = about(coverage(tabs), "scope")
    assert issues == [
        Issue("warning", "Goals", "C4",
              "scope 'Anna Nowk' is not a rep seen in the activity (there is no roster); "
              "did you mean 'Anna Nowak'?", "Anna Nowk", DONE),
    ]  # fmt: skip
    del tabs["Goals"][3]
    assert about(coverage(tabs), "scope") == []


def test_a_goal_for_a_period_over_without_any_activity_of_its_scope() -> None:
    tabs = team_workbook()
    tabs["Goals"] += [goal("2026-10", "Anna Nowak", None, 8000),
                      goal("2026-10", "North", 100, 10000),
                      goal("2026-10", "Total", 200, 20000)]  # fmt: skip
    issues = about(coverage(tabs), "goal for")
    assert issues == [
        Issue("warning", "Goals", "D4",
              "goal for 2026-10, which is over, but rep 'Anna Nowak' has no activity rows in it",
              "8000", DONE),
        Issue("warning", "Goals", "C5",
              "goal for 2026-10, which is over, but no member of team 'North' has activity rows "
              "in it", "100", DONE),
        Issue("warning", "Goals", "C6",
              "goal for 2026-10, which is over, but there are no activity rows in it", "200",
              DONE),
    ]  # fmt: skip
    # on its last day the period is not over yet; one row of Anna's in October is activity
    assert about(coverage(tabs, as_of=date(2026, 10, 31)), "goal for") == []
    tabs["Rep - Anna Nowak"].append(activity(["2026-10-15", 1, 0, 0, 0, "Acme"])[1])
    assert about(coverage(tabs), "goal for") == []


def test_a_team_goal_that_differs_from_its_active_members_goals() -> None:
    tabs = team_workbook()
    tabs["Roster"] += [["Cleo Diaz", "cleo@x.com", "North", "yes"],
                       ["Dan Ode", "dan@x.com", "North", "no"],
                       ["Eve Park", "eve@x.com", "South", "yes"]]  # fmt: skip
    tabs["Goals"] += [goal("2026-11", "Cleo Diaz", 30, 2500),
                      goal("2026-11", "Dan Ode", 999, 999),
                      goal("2026-11", "North", 130, 12000),
                      goal("2026-11", "South", 70, 9000)]  # fmt: skip
    issues = about(coverage(tabs), "team")
    # Calls agree (100 + 30); South is not checked: Eve Park has no goal
    assert issues == [
        Issue("warning", "Goals", "D6",
              "team 'North' goal for 2026-11 Revenue is 12000, but its active members' goals "
              "add up to 12500", "12000", DONE),
    ]  # fmt: skip
    tabs["Goals"][5] = goal("2026-11", "North", 130, 12500)
    assert about(coverage(tabs), "team") == []
