"""Fuzz: workbooks with extreme numbers (huge, tiny, negative, denormal, the largest double) in
random cells of the activity, the goals and History. Every refresh ends with a result (or a
SheetsyncError), writes only finite numbers, and every extreme value
is either counted (the totals match an independent sum) or a data issue on its cell.

A normal run tries a few workbooks; `SHEETSYNC_FUZZ_EXAMPLES=2000` tries that many.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetsync.console import headline_lines, issue_lines, outcome_line, plan_lines, report_json
from sheetsync.errors import SheetsyncError
from sheetsync.grids import Grid
from sheetsync.notify.digest import spreadsheet_link
from sheetsync.notify.scorecard import scorecard
from sheetsync.notify.team import team_digest
from sheetsync.pipeline import Report, refresh
from sheetsync.spreadsheet import a1
from tests.helpers import ACTIVITY_HEADER, MemoryBackend, config, serial

EXAMPLES = int(os.environ.get("SHEETSYNC_FUZZ_EXAMPLES", "12"))
LIMIT = 1e100  # README: a number cell larger than this is a data issue, too large to add up
MAX = 1.7976931348623157e308
NUMBER_COLUMNS = ("calls", "meetings", "deals", "revenue")  # B to E of an activity tab
GOAL_KPIS = ("Calls", "Meetings", "Revenue", "Win rate")
GOAL_KEYS = {"Calls": "calls", "Meetings": "meetings", "Revenue": "revenue", "Win rate": "win_rate"}
SCOPES = {"Anna Nowak": "rep", "Ben Carter": "rep", "North": "team", "Total": "total"}
HISTORY_TITLE = "KPI history"
CONFIG = config("ranking: {period: month, weights: {revenue: 2, calls: 1, win_rate: 1}}\n")
NOT_FINITE = re.compile(r"\b(inf|infinity|nan)\b", re.IGNORECASE)

extreme = st.one_of(
    st.sampled_from([MAX, -MAX, 5e-324, -5e-324, 2.2250738585072014e-308, 1e28, 1e30, -1e30,
                     1e100, -1e100, 1.0000000000000002e100, 1e101, 1e300, 10**30, 10**400,
                     2**1024 - 1, "1e30", "-1e308", "1.7976931348623157e308", "5e-324"]),
    st.floats(min_value=1e28, max_value=MAX),
    st.floats(min_value=-MAX, max_value=-1e28),
    st.floats(min_value=-1e-300, max_value=1e-300),
)  # fmt: skip
ordinary = st.one_of(st.none(), st.integers(0, 500).map(float))
number: st.SearchStrategy[Any] = st.one_of(ordinary, ordinary, extreme)


def independent(value: Any) -> float | None:
    """A cell's number as the README says it is counted; None when it is a data issue."""
    try:
        number = float(value)
    except OverflowError:  # an int past any double
        return None
    return number if abs(number) <= LIMIT else None


@dataclass(frozen=True)
class Book:
    tabs: dict[str, Grid]
    as_of: date
    activity: list[tuple[str, str, int, Any]]  # (tab, cell, day of November, value)
    goals: list[tuple[str, str, str, Any]]  # (cell, scope, goal column, value)


@st.composite
def books(draw: st.DrawFn) -> Book:
    as_of = date(2026, 11, draw(st.sampled_from([3, 20, 30])))
    tabs: dict[str, Grid] = {
        "Roster": [["Rep", "Email", "Team", "Active"], ["Anna Nowak", "", "North", "yes"],
                   ["Ben Carter", "", "South", "yes"]],
    }  # fmt: skip
    cells: list[tuple[str, str, int, Any]] = []
    for title in ("Rep - Anna Nowak", "Rep - Ben Carter"):
        grid: Grid = [list(ACTIVITY_HEADER)]
        for row in range(draw(st.integers(1, 5))):
            day = draw(st.integers(2, as_of.day))
            values = [draw(number) for _ in NUMBER_COLUMNS]
            grid.append([serial(f"2026-11-{day:02d}"), *values, "Acme"])
            cells += [(title, a1(c + 1, row + 2), day, v) for c, v in enumerate(values)]
        tabs[title] = grid
    goals: Grid = [["Period", "Scope", *GOAL_KPIS]]
    goal_cells: list[tuple[str, str, str, Any]] = []
    for row, scope in enumerate(SCOPES):
        values = [draw(number) for _ in GOAL_KPIS]
        goals.append(["2026-11", scope, *values])
        goal_cells += [(a1(c + 2, row + 2), scope, k, v) for c, (k, v) in
                       enumerate(zip(GOAL_KPIS, values, strict=True))]  # fmt: skip
    tabs["Goals"] = goals
    tabs[HISTORY_TITLE] = [
        ["Date", "Period", "Level", "Name", "KPI", "Actual", "Target", "Attainment", "Pace",
         "Status", "Rank"],
        [serial("2026-11-02"), "2026-11", "rep", "Anna Nowak", "calls", *(draw(number) for _ in
         range(4)), "On track", 1],
        [serial("2026-11-02"), "2026-11", "total", "Total", "revenue", *(draw(number) for _ in
         range(4)), "Behind", None],
        [serial("2026-11-02"), "2026-11", "total", "Total", "win_rate", *(draw(number) for _ in
         range(4)), None, None],
    ]  # fmt: skip
    return Book(tabs, as_of, cells, goal_cells)


def written_values(report: Report) -> list[tuple[str, Any]]:
    """(tab title, value) of every cell the refresh writes."""
    rows = [(tab.title, row) for tab in report.plan.tabs for row in tab.rows]
    if report.plan.history is not None:
        rows += [(report.plan.history.title, row) for row in report.plan.history.rows]
    return [(title, cell.value) for title, row in rows for cell in row]


def check_written(report: Report) -> None:
    for where, value in written_values(report):
        if isinstance(value, float | int) and not isinstance(value, bool):
            assert math.isfinite(value), (where, value)
    json.dumps(report_json(CONFIG, report), allow_nan=False)
    assert not NOT_FINITE.search(" ".join(printed(report)))


def printed(report: Report) -> list[str]:
    """What the command line prints and what the e-mails say about this refresh."""
    link = spreadsheet_link(CONFIG, report)
    texts = [
        *headline_lines(CONFIG, report),
        *plan_lines(report),
        outcome_line(report),
        *issue_lines(report.issues, "Data issues", report.context.lang),
        repr(team_digest(CONFIG, report, link)),
    ]
    for rep, team in (("Anna Nowak", "North"), ("Ben Carter", "South")):
        texts.append(repr(scorecard(CONFIG, report, rep, team, link)))
    return texts


def check_activity(book: Book, report: Report, reported: set[tuple[str, str]]) -> None:
    """Each month total is the exact sum of the counted cells, up to rounding."""
    totals = report.rep_kpis[(report.rep_kpis["level"] == "total")
                             & (report.rep_kpis["period"] == "2026-11")]  # fmt: skip
    actual = dict(zip(totals["kpi"], totals["actual"], strict=True))
    for column, key in enumerate(NUMBER_COLUMNS):
        letter = a1(column + 1, 1)[0]
        counted = []
        for tab, cell, _, value in book.activity:
            if not cell.startswith(letter) or value is None:
                continue
            kept = independent(value)
            assert (kept is None) == ((tab, cell) in reported), (tab, cell, value)
            if kept is not None:
                counted.append(kept)
        scale = math.fsum(abs(v) / 2 for v in counted) * 2  # halved: no overflow on the way
        assert abs(actual[key] - math.fsum(counted)) <= 1e-9 * scale, key


def check_goals(book: Book, report: Report, reported: set[tuple[str, str]]) -> None:
    """A goal is a target as typed, or a data issue on its cell."""
    rows = report.rep_kpis[report.rep_kpis["period"] == "2026-11"]
    target = {(r["name"], r["kpi"]): r["target"] for r in rows.to_dict("records")}
    for cell, scope, column, value in book.goals:
        if value is None:
            continue
        kept = independent(value)
        assert (kept is None) == (("Goals", cell) in reported), (cell, value)
        if kept is not None:
            assert target[(scope, GOAL_KEYS[column])] == kept, (cell, value)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(book=books())
def test_extreme_numbers_are_counted_or_reported_and_never_written_infinite(book: Book) -> None:
    backend = MemoryBackend(book.tabs, owned={HISTORY_TITLE: "history"})
    try:
        report = refresh(CONFIG, as_of=book.as_of, backend=backend, snapshot=True)
    except SheetsyncError:  # a clear error is a result; an internal one fails the test
        return
    check_written(report)
    left_out = ("cell left out; the rest of the row counted", "goal ignored")
    reported = {(i.tab, i.cell) for i in report.issues if i.action in left_out}
    check_activity(book, report, reported)
    check_goals(book, report, reported)
