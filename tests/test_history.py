"""History end to end on the memory backend: one snapshot per day, found by date whatever the
order, movement over a scripted week, the change since the last snapshot and the pace at the
same working day of the previous month. Expected values are worked out by hand in comments."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from sheetsync.backends.memory import MemoryBackend
from sheetsync.backends.snapshot_place import plan_edit
from sheetsync.errors import ConfigError
from sheetsync.grids import Grid
from sheetsync.pipeline import Report, refresh
from sheetsync.spreadsheet import day_of
from tests.helpers import activity, config, serial, team_workbook

HISTORY = "KPI history"
BY_REVENUE = "ranking: {period: month, by: revenue}\n"


def days_in(backend: MemoryBackend) -> Counter[date | None]:
    """How many History data rows each day has."""
    return Counter(day_of(row[0]) for row in backend.tabs[HISTORY][1:])


def runs(backend: MemoryBackend) -> list[date | None]:
    """The days of History's data rows, one entry per run of equal days, top to bottom."""
    found: list[date | None] = []
    for row in backend.tabs[HISTORY][1:]:
        day = day_of(row[0])
        if not found or found[-1] != day:
            found.append(day)
    return found


# ------------------------------------------------------------------ the plan every backend uses
def test_plan_edit_replaces_the_day_prunes_whole_old_days_and_keeps_date_order() -> None:
    d1, d2, d3 = serial("2026-11-23"), serial("2026-11-24"), serial("2026-11-25")
    # rows: d1 d1 d2 d2 d3; a new snapshot of 2 rows for d2, at most 5 rows kept
    edit = plan_edit([d1, d1, d2, d2, d3], date(2026, 11, 24), 2, 5)
    assert not edit.sort_first
    assert edit.deletions == ((2, 4),)  # the two d2 rows
    assert edit.dropped == ()
    assert edit.insert_at == 2 and edit.insert_before == 4  # after d1's rows, before d3's
    # at most 4 rows: d1 (2 rows) is the oldest day and goes whole
    edit = plan_edit([d1, d1, d2, d2, d3], date(2026, 11, 24), 2, 3)
    assert edit.dropped == (date(2026, 11, 23),)
    assert edit.deletions == ((0, 4),)
    assert edit.after == (date(2026, 11, 24),) * 2 + (date(2026, 11, 25),)


def test_plan_edit_sorts_a_hand_sorted_history_but_never_moves_rows_without_a_date() -> None:
    d1, d2 = serial("2026-11-23"), serial("2026-11-24")
    edit = plan_edit([d2, d1, d2, d1], date(2026, 11, 25), 1, 100)
    assert edit.sort_first and edit.deletions == () and edit.insert_at == 4
    edit = plan_edit([d2, "note", d1], date(2026, 11, 25), 1, 100)
    assert not edit.sort_first and edit.insert_at == 3  # out of order: new rows at the end


# ------------------------------------------------------------------ snapshots on the pipeline
def test_three_snapshots_one_day_give_one_day_and_three_days_give_three() -> None:
    backend = MemoryBackend(team_workbook())
    cfg = config()
    for _ in range(3):
        refresh(cfg, date(2026, 11, 24), backend=backend, snapshot=True)
    one_day = days_in(backend)
    assert list(one_day) == [date(2026, 11, 24)]
    # 4 periods x (total + 2 teams + 2 reps) x 7 KPIs = 140 rows
    assert one_day[date(2026, 11, 24)] == 140
    for day in (25, 26):
        refresh(cfg, date(2026, 11, day), backend=backend, snapshot=True)
    assert days_in(backend) == Counter({date(2026, 11, d): 140 for d in (24, 25, 26)})
    assert runs(backend) == [date(2026, 11, d) for d in (24, 25, 26)]


def test_a_history_sorted_by_hand_still_works_and_is_put_back_in_date_order() -> None:
    backend = MemoryBackend(team_workbook())
    cfg = config(BY_REVENUE)
    for day in (24, 25):
        refresh(cfg, date(2026, 11, day), backend=backend, snapshot=True)
    before = [row for row in backend.tabs[HISTORY][1:] if day_of(row[0]) == date(2026, 11, 24)]
    head, rows = backend.tabs[HISTORY][0], backend.tabs[HISTORY][1:]
    backend.tabs[HISTORY] = [head, *sorted(rows, key=lambda row: str(row[3]))]  # by Name
    report = refresh(cfg, date(2026, 11, 26), backend=backend, snapshot=True)
    assert report.trends.last_day == date(2026, 11, 25)
    assert report.trends.source == "history"  # found by date, not by position
    refresh(cfg, date(2026, 11, 26), backend=backend, snapshot=True)
    assert runs(backend) == [date(2026, 11, d) for d in (24, 25, 26)]
    after = [row for row in backend.tabs[HISTORY][1:] if day_of(row[0]) == date(2026, 11, 24)]
    assert sorted(map(str, after)) == sorted(map(str, before))  # earlier days untouched


def test_history_keeps_at_most_max_rows_dropping_the_oldest_days_whole() -> None:
    backend = MemoryBackend(team_workbook())
    cfg = config("output: {history_max_rows: 1000}\n")
    for day in range(2, 11):  # 9 snapshots of 140 rows: 1,260 rows > 1,000
        refresh(cfg, date(2026, 11, day), backend=backend, snapshot=True)
    kept = days_in(backend)
    assert sum(kept.values()) <= 1000
    assert sorted(d for d in kept if d) == [date(2026, 11, d) for d in range(4, 11)]  # 7 x 140
    kpis = "".join(f"  k{i}: {{kind: sum, column: calls, label: K{i}}}\n" for i in range(60))
    wide = config(f"output: {{history_max_rows: 1000}}\nranking: {{by: k0}}\nkpis:\n{kpis}")
    # 4 periods x 5 scopes x 60 KPIs = 1,200 rows: more than History may keep at all
    with pytest.raises(ConfigError, match=r"history_max_rows.*at least 1,200"):
        refresh(wide, date(2026, 11, 11), backend=backend, snapshot=True)


def test_snapshot_needs_the_history_tab_switched_on() -> None:
    with pytest.raises(ConfigError, match=r"output\.history"):
        refresh(config("output: {history: false}\n"), date(2026, 11, 24),
                backend=MemoryBackend(team_workbook()), snapshot=True)  # fmt: skip


def test_a_tab_named_like_history_that_sheetsync_does_not_own_is_never_read_nor_written() -> None:
    mine: Grid = [["Date", "Mine"], [serial("2026-11-20"), "x"]]
    tabs = {**team_workbook(), HISTORY: mine}
    backend = MemoryBackend(tabs)
    report = refresh(config(), date(2026, 11, 24), backend=backend)
    assert report.trends.last_day is None
    with pytest.raises(Exception, match="not made by sheetsync"):
        refresh(config(), date(2026, 11, 24), backend=backend, snapshot=True)
    assert backend.tabs[HISTORY] == [["Date", "Mine"], [serial("2026-11-20"), "x"]]


# ------------------------------------------------------------------ movement over a week
def week_workbook() -> dict[str, Grid]:
    """Revenue by day (ranked by revenue this month), for reps A, B, C and D (inactive):
    Mon 23: A 100, B 200, C 150   Tue 24: A +200   Wed 25: C +150   Thu 26: E joins with 50."""

    def tab(*rows: tuple[str, float]) -> Grid:
        return activity(*[[day, 0, 0, 0, revenue, ""] for day, revenue in rows])

    return {
        "Roster": roster(("A", True), ("B", True), ("C", True), ("D", False)),
        "Goals": [["Period", "Scope", "Revenue"]],
        "Rep - A": tab(("2026-11-23", 100), ("2026-11-24", 200)),
        "Rep - B": tab(("2026-11-23", 200)),
        "Rep - C": tab(("2026-11-23", 150), ("2026-11-25", 150)),
        "Rep - D": tab(("2026-11-23", 999)),
        "Rep - E": tab(("2026-11-26", 50)),
        "Log": [["Rep", "Date", "Calls", "Meetings", "Deals", "Revenue", "Customer"]],
    }


def roster(*reps: tuple[str, bool]) -> Grid:
    grid: Grid = [["Rep", "Email", "Team", "Active"]]
    grid += [[rep, f"{rep.lower()}@x.com", "T", "yes" if on else "no"] for rep, on in reps]
    return grid


def moves(report: Report) -> dict[str, str | None]:
    return dict(zip(report.ranking["rep"], report.ranking["movement"], strict=True))


def test_movement_over_a_scripted_week_with_ties_a_new_rep_and_an_inactive_rep() -> None:
    backend = MemoryBackend(week_workbook())
    cfg = config(BY_REVENUE)

    def day(d: int) -> Report:
        return refresh(cfg, date(2026, 11, d), backend=backend, snapshot=True)

    monday = day(23)  # B 200 (1), C 150 (2), A 100 (3); D inactive: not ranked
    assert list(monday.ranking["rep"]) == ["B", "C", "A"]
    assert set(moves(monday).values()) == {None}  # nothing to move against yet
    assert moves(day(24)) == {"A": "up 2", "B": "down 1", "C": "down 1"}  # A 300, B 200, C 150
    wednesday = day(25)  # A 300 and C 300 share rank 1, B 200 is 3rd
    assert list(wednesday.ranking["rank"]) == [1, 1, 3]
    assert moves(wednesday) == {"A": "same", "C": "up 2", "B": "down 1"}
    backend.tabs["Roster"] = roster(("A", True), ("B", True), ("C", True), ("D", False),
                                    ("E", True))  # fmt: skip
    assert moves(day(26)) == {"A": "same", "C": "same", "B": "same", "E": "new"}
    backend.tabs["Roster"] = roster(("A", False), ("B", True), ("C", True), ("E", True))
    friday = day(27)  # A inactive: C 1 (same), B 2 (up 1), E 3 (up 1); A not listed
    assert moves(friday) == {"C": "same", "B": "up 1", "E": "up 1"}
    again = day(27)  # a second refresh the same day still compares with Thursday
    assert moves(again) == moves(friday)
    assert again.trends.last_day == date(2026, 11, 26)


# ------------------------------------------------------------------ change and same point
def test_change_since_the_last_snapshot_compares_the_same_period_rows() -> None:
    backend = MemoryBackend(week_workbook())
    cfg = config(BY_REVENUE)
    refresh(cfg, date(2026, 11, 23), backend=backend, snapshot=True)
    report = refresh(cfg, date(2026, 11, 24), backend=backend)
    change = report.trends.change
    row = change[(change["period"] == "2026-11") & (change["name"] == "A")
                 & (change["kpi"] == "revenue")].iloc[0]  # fmt: skip
    assert (row["actual_then"], row["actual_now"]) == (100, 300)
    total = change[(change["period"] == "2026-11") & (change["level"] == "total")
                   & (change["kpi"] == "revenue")].iloc[0]  # fmt: skip
    # 100 + 200 + 150 + D's 999 (inactive reps stay in the total) on both days, A +200 now
    assert (total["actual_then"], total["actual_now"]) == (1449, 1649)


def month_workbook(october_goal: float) -> dict[str, Grid]:
    """October: 63 calls by Oct 9, the 7th working day (Oct 1 Thu, 2 Fri, 5-9); a team goal
    of `october_goal` calls. November: 7 working days by Nov 10 (2-6, 9, 10)."""
    goals: Grid = [["Period", "Scope", "Calls"], ["2026-10", "Total", october_goal],
             ["2026-11", "Total", 210]]  # fmt: skip
    calls = [["2026-10-01", 30], ["2026-10-09", 33], ["2026-10-20", 500], ["2026-11-02", 56]]
    return {
        "Roster": roster(("A", True)),
        "Goals": goals,
        "Rep - A": activity(*[[day, n, 0, 0, 0, ""] for day, n in calls]),
        "Log": [["Rep", "Date", "Calls", "Meetings", "Deals", "Revenue", "Customer"]],
    }


def total_calls_pace(report: Report, kind: str) -> tuple[str, str, float]:
    point = next(p for p in report.trends.same_point if p.kind == kind)
    table = point.table
    row = table[(table["level"] == "total") & (table["kpi"] == "calls")].iloc[0]
    return point.period, point.source, float(row["pace"])


def test_pace_at_the_same_working_day_of_last_month_from_the_activity_or_from_history() -> None:
    backend = MemoryBackend(month_workbook(october_goal=220))
    cfg = config()
    # Nov 10: 7 working days gone; Oct's 7th working day is Oct 9. Expected then:
    # 220 x 7 / 22 working days = 70; actual by Oct 9 = 63; pace 0.9
    report = refresh(cfg, date(2026, 11, 10), backend=backend)
    point = next(p for p in report.trends.same_point if p.kind == "month")
    assert point.day == date(2026, 10, 9)
    assert total_calls_pace(report, "month")[:2] == ("2026-10", "activity")
    assert total_calls_pace(report, "month")[2] == pytest.approx(0.9)
    # a snapshot taken on Oct 9 holds that pace; the goal changed since then (440 would give
    # 0.45 if recomputed), and History's figure is the one used
    refresh(cfg, date(2026, 10, 9), backend=backend, snapshot=True)
    backend.tabs["Goals"] = month_workbook(october_goal=440)["Goals"]
    report = refresh(cfg, date(2026, 11, 10), backend=backend)
    assert total_calls_pace(report, "month")[:2] == ("2026-10", "history")
    assert total_calls_pace(report, "month")[2] == pytest.approx(0.9)
    # and this month: 56 calls against 210 x 7 / 21 = 70 expected: 80%
    now = report.rep_kpis
    this = now[(now["period"] == "2026-11") & (now["level"] == "total") & (now["kpi"] == "calls")]
    assert float(this["pace"].iloc[0]) == pytest.approx(0.8)
