"""The Meeting brief: an agenda for the team meeting, on one screen, from the KPI tables.

The scenario is made by hand (no KPI engine): four reps in two teams on 2026-11-27, a Friday.
November 2026 has 21 working days, 20 of them gone; 2026-Q4 has 66 (42 gone); 2026 has 261
(237 gone). Each rep's monthly goal is 420 calls, 42 meetings and $21,000 of revenue, so a rep
is expected at 400 calls, 40 meetings and $20,000 today; a team's goals are twice a rep's and
the total's four times. Ranking: revenue weighs 2, meetings 1, calls 0 (not weighted).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest

from sheetsync.context import run_context
from sheetsync.i18n import render_number
from sheetsync.issues import Issue
from sheetsync.kpi.actions import FollowUp
from sheetsync.kpi.evaluate import REP_KPI_COLUMNS
from sheetsync.kpi.next_goals import NextGoals
from sheetsync.kpi.ranking import RANKING_COLUMNS
from sheetsync.kpi.trends import CHANGE_COLUMNS, SAME_POINT_COLUMNS, SamePoint, Trends
from sheetsync.periods import current_periods
from sheetsync.pipeline import refresh
from sheetsync.plan import Cell
from sheetsync.report.brief import CAPS, MAX_ROWS, brief_rows
from sheetsync.report.brief_facts import BriefInput
from sheetsync.sync.actions import Action
from tests.helpers import MemoryBackend, config, team_workbook

AS_OF = date(2026, 11, 27)
RAN_AT = datetime(2026, 11, 27, 8, 0)
PERIODS = current_periods(AS_OF)
DAYS = {"2026-W48": (5, 5), "2026-11": (20, 21), "2026-Q4": (42, 66), "2026": (237, 261)}
KINDS = {"2026-W48": "week", "2026-11": "month", "2026-Q4": "quarter", "2026": "year"}
CONFIG = config("""
kpis:
  calls: {kind: sum, column: calls, label: Calls}
  meetings: {kind: sum, column: meetings, label: Meetings}
  revenue: {kind: sum, column: revenue, label: Revenue, format: currency}
ranking: {period: month, weights: {revenue: 2, meetings: 1}}
""")
USD = '"$"#,##0'
NAN = float("nan")
DONE = "reported only"


def kpi_row(period: str, level: str, name: str, team: str | None, kpi: str, actual: float,
            target: float, status: str | None) -> dict[str, Any]:  # fmt: skip
    """One Rep KPIs row; the derived columns by the SPEC's formulas (status given by hand)."""
    elapsed, total = DAYS[period]
    expected = target * elapsed / total
    return {
        "period": period, "period_kind": KINDS[period], "level": level, "name": name,
        "team": team, "kpi": kpi, "actual": float(actual), "target": float(target),
        "target_source": None if target != target else "goal",
        "attainment": actual / target, "expected": expected, "pace": actual / expected,
        "status": status, "projection": actual * total / elapsed,
        "elapsed_days": elapsed, "total_days": total,
    }  # fmt: skip


def frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(REP_KPI_COLUMNS))


OT, AR, BH = "On track", "At risk", "Behind"
MONTH_REPS = [
    # rep, team, (calls, status), (meetings, status), (revenue, status)
    ("Anna Nowak", "North", (380, AR), (44, OT), (24_000, OT)),
    ("Ben Carter", "South", (420, OT), (28, BH), (18_800, AR)),
    ("Cleo Diaz", "North", (300, BH), (36, AR), (20_000, OT)),
    ("Dan Evans", "South", (520, OT), (30, BH), (14_000, BH)),
]
REP_GOALS = {"calls": 420, "meetings": 42, "revenue": 21_000}


def scenario_rows() -> list[dict[str, Any]]:
    rows = [
        kpi_row("2026-11", "total", "Total", None, "calls", 1620, 1680, OT),
        kpi_row("2026-11", "total", "Total", None, "meetings", 138, 168, AR),
        kpi_row("2026-11", "total", "Total", None, "revenue", 76_800, 84_000, AR),
        kpi_row("2026-11", "team", "North", "North", "calls", 680, 840, AR),
        kpi_row("2026-11", "team", "North", "North", "meetings", 80, 84, OT),
        kpi_row("2026-11", "team", "North", "North", "revenue", 44_000, 42_000, OT),
        kpi_row("2026-11", "team", "South", "South", "calls", 940, 840, OT),
        kpi_row("2026-11", "team", "South", "South", "meetings", 58, 84, BH),
        kpi_row("2026-11", "team", "South", "South", "revenue", 32_800, 42_000, BH),
    ]
    for rep, team, *measures in MONTH_REPS:
        for key, (actual, status) in zip(REP_GOALS, measures, strict=True):
            rows.append(kpi_row("2026-11", "rep", rep, team, key, actual, REP_GOALS[key], status))
    rows += [
        kpi_row("2026-Q4", "total", "Total", None, "calls", 4_900, NAN, None),
        kpi_row("2026-Q4", "total", "Total", None, "meetings", 280, 462, AR),
        kpi_row("2026-Q4", "total", "Total", None, "revenue", 176_400, 264_000, OT),
        kpi_row("2026", "total", "Total", None, "calls", 40_000, NAN, None),
        kpi_row("2026", "total", "Total", None, "meetings", 1_501, 1_740, AR),
        kpi_row("2026", "total", "Total", None, "revenue", 960_000, 1_044_000, OT),
        # the week is never in the brief
        kpi_row("2026-W48", "total", "Total", None, "meetings", 1, 40, BH),
    ]
    return rows


def ranking_frame(rows: Sequence[tuple[Any, ...]]) -> pd.DataFrame:
    """rank, rep, team, score, movement, reason, attainment:meetings, attainment:revenue."""
    columns = [*RANKING_COLUMNS, "attainment:meetings", "attainment:revenue"]
    table = pd.DataFrame([list(r) for r in rows], columns=columns)
    table["rank"] = table["rank"].astype("Int64")
    return table


def score(meetings: float, revenue: float) -> float:
    """The weighted score by hand: (2 x revenue attainment + 1 x meetings attainment) / 3."""
    return (2 * (revenue / 21_000) + meetings / 42) / 3


RANKING = ranking_frame([
    (1, "Anna Nowak", "North", score(44, 24_000), "same", None, 44 / 42, 24_000 / 21_000),
    (2, "Cleo Diaz", "North", score(36, 20_000), "up 2", None, 36 / 42, 20_000 / 21_000),
    (3, "Ben Carter", "South", score(28, 18_800), "down 1", None, 28 / 42, 18_800 / 21_000),
    (4, "Dan Evans", "South", score(30, 14_000), "down 1", None, 30 / 42, 14_000 / 21_000),
])  # fmt: skip


def change_frame(rows: Sequence[tuple[str, str, str, float, float, float, float]]) -> pd.DataFrame:
    """(level, name, kpi, actual then, actual now, pace then, pace now) for 2026-11."""
    return pd.DataFrame(
        [{"period": "2026-11", "period_kind": "month", "level": lv, "name": n, "kpi": k,
          "actual_then": a0, "actual_now": a1, "attainment_then": NAN, "attainment_now": NAN,
          "pace_then": p0, "pace_now": p1} for lv, n, k, a0, a1, p0, p1 in rows],
        columns=list(CHANGE_COLUMNS),
    )  # fmt: skip


# One week earlier (2026-11-20: 15 of 21 working days gone, so 30 meetings and $15,000 expected
# per rep, 120 meetings and $60,000 for the total).
CHANGE = change_frame([
    ("total", "Total", "meetings", 100, 138, 100 / 120, 138 / 160),
    ("total", "Total", "revenue", 60_000, 76_800, 60_000 / 60_000, 76_800 / 80_000),
    ("team", "North", "meetings", 58, 80, 58 / 60, 80 / 80),
    ("team", "North", "revenue", 33_000, 44_000, 33_000 / 30_000, 44_000 / 40_000),
    ("team", "South", "meetings", 42, 58, 42 / 60, 58 / 80),
    ("team", "South", "revenue", 27_000, 32_800, 27_000 / 30_000, 32_800 / 40_000),
    ("rep", "Anna Nowak", "meetings", 30, 44, 1.0, 44 / 40),
])  # fmt: skip
SAME_POINT = SamePoint(
    kind="month", period="2026-10", day=date(2026, 10, 28), source="activity",
    table=pd.DataFrame(
        [("total", "Total", "meetings", 150, 170, NAN, 0.98, OT),
         ("total", "Total", "revenue", 70_000, 85_000, NAN, 0.90, AR)],
        columns=list(SAME_POINT_COLUMNS)),
)  # fmt: skip
TRENDS = Trends(
    last_day=date(2026, 11, 20), source="history",
    previous_ranks={"Anna Nowak": 1, "Ben Carter": 2, "Dan Evans": 3, "Cleo Diaz": 4},
    change=CHANGE, same_point=(SAME_POINT,),
)  # fmt: skip
COVERAGE = (
    Issue("warning", "Goals", "", "active rep 'Dan Evans' has no goal for ranked KPI 'Revenue' "
          "in 2026", "Dan Evans", DONE),
    Issue("warning", "Goals", "B7", "goal for 2026-09, which is over, but rep 'Cleo Diaz' has "
          "no activity rows in it", "40", DONE),
)  # fmt: skip
DATA_ISSUES = (
    Issue("warning", "Log", "B3", "rep 'Bob' is not in the roster; did you mean 'Ben Carter'?",
          "Bob", "counted as a rep of no team"),
    Issue("error", "Rep - Ben Carter", "C14", "expected a number, got 'n/a'", "n/a",
          "row skipped"),
    Issue("error", "Rep - Ben Carter", "C9", "expected a date, got '31.11.2026'", "31.11.2026",
          "row skipped"),
)  # fmt: skip


def brief_input(**changes: Any) -> BriefInput:
    data = BriefInput(
        config=CONFIG, context=run_context(CONFIG, AS_OF, RAN_AT), rep_kpis=frame(scenario_rows()),
        ranking=RANKING, trends=TRENDS, coverage=COVERAGE, data_issues=DATA_ISSUES,
    )  # fmt: skip
    return dataclasses.replace(data, **changes)


def values(rows: Sequence[Sequence[Cell]]) -> list[tuple[Any, ...]]:
    return [tuple(cell.value for cell in row) for row in rows]


def section(rows: Sequence[Sequence[Cell]], title: str) -> list[tuple[Cell, ...]]:
    """The rows of the section whose heading starts with `title`, heading included."""
    start = next(i for i, row in enumerate(rows) if row and str(row[0].value).startswith(title))
    end = next((i for i in range(start, len(rows)) if not rows[i]), len(rows))
    return [tuple(row) for row in rows[start:end]]


# --- the scenario, written out by hand ----------------------------------------------------------

EXPECTED = [
    ("Team meeting brief, as of 2026-11-27",),
    ("Headline: Total", "Actual", "Target", "Attainment", "Pace", "Status", "Projection"),
    ("Meetings, 2026-11", 138, 168, 138 / 168, 138 / 160, "At risk", 138 * 21 / 20),
    ("Revenue, 2026-11", 76_800, 84_000, 76_800 / 84_000, 76_800 / 80_000, "At risk",
     76_800 * 21 / 20),
    ("Meetings, 2026-Q4", 280, 462, 280 / 462, 280 / 294, "At risk", 440),
    ("Revenue, 2026-Q4", 176_400, 264_000, 176_400 / 264_000, 176_400 / 168_000, "On track",
     277_200),
    ("Meetings, 2026", 1_501, 1_740, 1_501 / 1_740, 1_501 / 1_580, "At risk", 1_653),
    ("Revenue, 2026", 960_000, 1_044_000, 960_000 / 1_044_000, 960_000 / 948_000, "On track",
     960_000 * 261 / 237),
    (),
    ("Top performers this month", "Rep", "Team", "Score", "Movement"),
    (1, "Anna Nowak", "North", score(44, 24_000), "same"),
    (2, "Cleo Diaz", "North", score(36, 20_000), "up 2"),
    (3, "Ben Carter", "South", score(28, 18_800), "down 1"),
    ("Most improved since 2026-11-20: Cleo Diaz (up 2)",),
    (),
    # Ben and Dan are both at 70% of expected at worst: by name. Each rep's KPIs worst first:
    # 40 - 28 = 12 meetings, $20,000 - $18,800 = $1,200; $20,000 - $14,000, 40 - 30; ...
    ("Behind or at risk this month", "Team", "Status", "Lowest pace", "Behind expected on"),
    ("Ben Carter", "South", "Behind", 0.7,
     "12 meetings behind expected; Revenue: $1,200 behind expected"),
    ("Dan Evans", "South", "Behind", 0.7,
     "Revenue: $6,000 behind expected; 10 meetings behind expected"),
    ("Cleo Diaz", "North", "Behind", 0.75, "100 calls behind expected; 4 meetings behind expected"),
    ("Anna Nowak", "North", "At risk", 0.95, "20 calls behind expected"),
    (),
    # seven team goals are behind or at risk; the two worst, then the count of the others.
    # South meetings: 58 x 21 / 20 = 60.9 -> "61"; revenue: 32,800 x 21 / 20 = 34,440.
    ("Team goals at risk", "KPI", "Period", "Attainment", "Pace", "Status", "Projected"),
    ("South", "Meetings", "2026-11", 58 / 84, 58 / 80, "Behind", "projected 61 of 84"),
    ("South", "Revenue", "2026-11", 32_800 / 42_000, 32_800 / 40_000, "Behind",
     "projected $34,440 of $42,000"),
    ("... and 5 more: see Rep KPIs",),
    (),
    ("Change since 2026-11-20 (from History)", "KPI", "Then", "Now", "Change", "Pace then",
     "Pace now"),
    ("Total", "Meetings", 100, 138, 38, 100 / 120, 138 / 160),
    ("Total", "Revenue", 60_000, 76_800, 16_800, 1.0, 76_800 / 80_000),
    ("North", "Meetings", 58, 80, 22, 58 / 60, 1.0),
    ("... and 3 more: see KPI history",),
    ("Total pace this month vs last month at this working day (2026-10-28, recomputed from the "
     "activity): Meetings 86.3% vs 98.0%; Revenue 96.0% vs 90.0%",),
    (),
    ("Goal coverage gaps", "Problem"),
    ("Goals", "active rep 'Dan Evans' has no goal for ranked KPI 'Revenue' in 2026"),
    ("Goals!B7", "goal for 2026-09, which is over, but rep 'Cleo Diaz' has no activity rows in it"),
    (),
    ("Data issues to fix", "Errors", "Warnings", "Cells", "First problem"),
    ("Rep - Ben Carter", 2, 0, "C9, C14", "expected a date, got '31.11.2026'"),
    ("Log", 0, 1, "B3", "rep 'Bob' is not in the roster; did you mean 'Ben Carter'?"),
    (),
    ("Suggested discussion points",),
    # rule 1: South meetings is the team goal furthest behind this month (72.5%)
    ("1. Team goal: South Meetings at 72.5% of expected this month, projected 61 of 84",),
    # rule 2: Dan is Behind on both weighted KPIs (Ben only on meetings; calls is not weighted)
    ("2. Coaching: Dan Evans is behind on Revenue, Meetings this month (lowest: 70.0% of "
     "expected)",),
    # rule 3: Cleo moved from 4th to 2nd
    ("3. Recognition: Cleo Diaz moved up 2 places since 2026-11-20 (now rank 2)",),
    # rule 4: meetings fell from 98.0% to 86.25% of expected, 11.75 points (revenue rose)
    ("4. Pace: Total Meetings at 86.3% of expected this month, against 98.0% at this working day "
     "last month",),
    # rule 5: Ben's tab has the errors; rule 6 (coverage) is the sixth point: cut
    ("5. Data: fix 2 issues in Rep - Ben Carter (2 errors; owner: Ben Carter)",),
]  # fmt: skip


def test_the_brief_reads_as_worked_out_by_hand() -> None:
    assert values(brief_rows(brief_input())) == EXPECTED


def test_headings_are_bold_and_sections_are_parted_by_blank_rows() -> None:
    rows = brief_rows(brief_input())
    blanks = [i for i, row in enumerate(rows) if not row]
    assert len(blanks) == 7
    headings = [rows[0], rows[1], *(rows[i + 1] for i in blanks)]  # title, then the headline
    assert all(cell.bold for row in headings for cell in row)
    assert not any(cell.bold for row in rows if row not in headings for cell in row)
    assert [row[0].value for row in headings] == [
        "Team meeting brief, as of 2026-11-27", "Headline: Total", "Top performers this month",
        "Behind or at risk this month", "Team goals at risk",
        "Change since 2026-11-20 (from History)", "Goal coverage gaps", "Data issues to fix",
        "Suggested discussion points",
    ]  # fmt: skip


def test_numbers_are_numeric_cells_in_the_kpis_number_formats() -> None:
    rows = brief_rows(brief_input())
    headline = section(rows, "Headline")
    meetings, revenue = headline[1], headline[2]
    assert [c.number_format for c in meetings[1:]] == ["#,##0", "#,##0", "0.0%", "0.0%", None,
                                                       "#,##0"]  # fmt: skip
    assert [c.number_format for c in revenue[1:]] == [USD, USD, "0.0%", "0.0%", None, USD]
    assert all(isinstance(c.value, float) for c in meetings[1:5])
    top = section(rows, "Top performers")
    assert [c.number_format for c in top[1]] == ["0", None, None, "0.0%", None]
    change = section(rows, "Change since")
    assert [c.number_format for c in change[2][2:]] == [USD, USD, USD, "0.0%", "0.0%"]
    behind = section(rows, "Behind or at risk")
    assert behind[1][3] == Cell(0.7, "0.0%")
    issues = section(rows, "Data issues")
    assert issues[1][1:3] == (Cell(2, "0"), Cell(0, "0"))


def rep_kpi(table: pd.DataFrame, period: str, level: str, name: object, kpi: str) -> pd.Series:
    """The one Rep KPIs row of (period, level, name, KPI)."""
    found = table[(table["period"] == period) & (table["level"] == level)
                  & (table["name"] == name) & (table["kpi"] == kpi)]  # fmt: skip
    assert len(found) == 1
    return found.iloc[0]


def test_every_number_equals_its_rep_kpis_value() -> None:
    data = brief_input()
    rows = brief_rows(data)
    table = data.rep_kpis
    labels = {"Meetings": "meetings", "Revenue": "revenue", "Calls": "calls"}
    headline = section(rows, "Headline")[1:]
    for row in headline:
        label, period = str(row[0].value).split(", ")
        record = rep_kpi(table, period, "total", "Total", labels[label])
        assert [c.value for c in row[1:]] == [
            record["actual"], record["target"], record["attainment"], record["pace"],
            record["status"], record["projection"],
        ]  # fmt: skip
    # numbers inside sentences: the Rep KPIs value as its cell shows it (by hand: a projection
    # of 60.9 meetings shows as 61, 34,440.0 under "$"#,##0 as $34,440; a pace of 0.8625 under
    # 0.0% as 86.3%, half away from zero)
    projected = {("South", "Meetings"): (60.9, "projected 61 of 84"),
                 ("South", "Revenue"): (34440.0, "projected $34,440 of $42,000")}  # fmt: skip
    for row in section(rows, "Team goals at risk")[1:3]:
        scope, label, period = (str(c.value) for c in row[:3])
        record = rep_kpi(table, period, "team", scope, labels[label])
        assert (row[3].value, row[4].value) == (record["attainment"], record["pace"])
        assert (record["projection"], row[6].value) == projected[(scope, label)]
    ben = rep_kpi(table, "2026-11", "rep", "Ben Carter", "meetings")
    assert ben["expected"] - ben["actual"] == pytest.approx(12)
    assert "12 meetings behind expected" in str(section(rows, "Behind or at risk")[1][4].value)
    total = rep_kpi(table, "2026-11", "total", "Total", "meetings")
    assert total["pace"] == 0.8625
    assert "Meetings 86.3% vs 98.0%" in str(section(rows, "Change since")[-1][0].value)
    for row in section(rows, "Change since")[1:4]:
        level = "total" if row[0].value == "Total" else "team"
        record = rep_kpi(table, "2026-11", level, row[0].value, labels[str(row[1].value)])
        assert (row[3].value, row[6].value) == (record["actual"], record["pace"])
    for row in section(rows, "Behind or at risk")[1:]:
        rep = table[(table["period"] == "2026-11") & (table["name"] == row[0].value)]
        assert row[3].value == rep.loc[rep["status"].isin([BH, AR]), "pace"].min()


def test_numbers_inside_sentences_read_as_their_cells_show_them() -> None:
    assert render_number(1200, USD) == "$1,200"
    assert render_number(-1200, USD) == "-$1,200"
    assert render_number(1200.5, '#,##0 "zł"') == "1,201 zł"
    assert render_number(1234.5, "#,##0.00") == "1,234.50"
    assert render_number(0.8625, "0.0%") == "86.3%"  # half away from zero, as a sheet shows it
    assert render_number(60.9, "#,##0") == "61"
    assert render_number(1234567.891, "[$€-407] #,##0.00") == "€ 1,234,567.89"
    assert render_number(-5, "0;(0)") == "(5)"
    assert render_number(NAN, "0") == ""
    assert render_number(2.5, None) == "2.5"


def test_the_brief_is_deterministic_whatever_the_order_of_the_tables_rows() -> None:
    first = brief_rows(brief_input())
    assert brief_rows(brief_input()) == first
    shuffled = brief_input(
        rep_kpis=frame(scenario_rows()).sample(frac=1, random_state=7),
        ranking=RANKING.iloc[::-1],
        trends=dataclasses.replace(TRENDS, change=CHANGE.sample(frac=1, random_state=7)),
        data_issues=DATA_ISSUES[::-1],
    )
    assert brief_rows(shuffled) == first


# --- without an earlier snapshot ----------------------------------------------------------------


def test_without_an_earlier_snapshot_the_brief_says_how_to_take_one() -> None:
    ranking = RANKING.assign(movement=pd.Series([None] * 4, dtype=object))
    rows = brief_rows(brief_input(trends=Trends(), ranking=ranking))
    assert values(section(rows, "Top performers")) == [
        ("Top performers this month", "Rep", "Team", "Score", "Movement"),
        (1, "Anna Nowak", "North", score(44, 24_000), None),
        (2, "Cleo Diaz", "North", score(36, 20_000), None),
        (3, "Ben Carter", "South", score(28, 18_800), None),
    ]  # no most-improved line
    assert values(section(rows, "Change since")) == [
        ("Change since the last meeting",),
        ("No earlier snapshot yet: `sheetsync refresh --snapshot` takes one.",),
    ]
    # rule 3 falls back to the leader; rule 4 has no same point; rule 6 now makes the cut
    assert values(section(rows, "Suggested discussion points"))[1:] == [
        ("1. Team goal: South Meetings at 72.5% of expected this month, projected 61 of 84",),
        ("2. Coaching: Dan Evans is behind on Revenue, Meetings this month (lowest: 70.0% of "
         "expected)",),
        ("3. Recognition: Anna Nowak leads the ranking this month (score 111.1%)",),
        ("4. Data: fix 2 issues in Rep - Ben Carter (2 errors; owner: Ben Carter)",),
        ("5. Goals: active rep 'Dan Evans' has no goal for ranked KPI 'Revenue' in 2026 (and 1 "
         "more gaps: see Data issues)",),
    ]  # fmt: skip


def test_the_same_point_line_stays_without_a_snapshot_when_it_was_recomputed() -> None:
    rows = brief_rows(brief_input(trends=Trends(same_point=(SAME_POINT,))))
    assert values(section(rows, "Change since"))[-1] == (
        "Total pace this month vs last month at this working day (2026-10-28, recomputed from "
        "the activity): Meetings 86.3% vs 98.0%; Revenue 96.0% vs 90.0%",
    )


# --- empty sections and the rules' fill-in ------------------------------------------------------


def on_track_rows() -> list[dict[str, Any]]:
    """Everyone on track this month; the year is at risk for the total's meetings."""
    return [
        kpi_row("2026-11", "total", "Total", None, "meetings", 160, 168, OT),
        kpi_row("2026-11", "total", "Total", None, "revenue", 90_000, 84_000, OT),
        kpi_row("2026-11", "rep", "Anna Nowak", "North", "meetings", 41, 42, OT),
        kpi_row("2026", "total", "Total", None, "meetings", 1_501, 1_740, AR),
    ]


def test_empty_sections_say_so_in_one_line() -> None:
    ranking = ranking_frame([(pd.NA, "Anna Nowak", "North", NAN, None,
                              "no goal for Revenue this month", NAN, NAN)])  # fmt: skip
    rows = brief_rows(brief_input(rep_kpis=frame(on_track_rows()), ranking=ranking,
                                  trends=Trends(), coverage=(), data_issues=()))  # fmt: skip
    one_liners = {
        "Top performers": "Nobody is ranked this month.",
        "Behind or at risk": "Nobody is behind this month.",
        "Goal coverage gaps": "No goal coverage gaps.",
        "Data issues to fix": "No data issues.",
    }
    for title, line in one_liners.items():
        assert values(section(rows, title))[1:] == [(line,)], title
    assert values(section(rows, "Team goals at risk"))[1][:3] == ("Total", "Meetings", "2026")
    # only rule 1 has nothing; rule 7 (review) fills up to three points
    assert values(section(rows, "Suggested discussion points"))[1:] == [
        ("1. Review: Total Meetings this month: On track, 95.2% of target, projected 168 of 168",),
        ("2. Review: Total Revenue this month: On track, 107.1% of target, projected $94,500 of "
         "$84,000",),
    ]  # fmt: skip


def test_nothing_to_discuss_without_any_figure() -> None:
    rows = brief_rows(brief_input(rep_kpis=frame([]), ranking=ranking_frame([]), trends=Trends(),
                                  coverage=(), data_issues=()))  # fmt: skip
    assert values(section(rows, "Headline")) == [
        ("Headline: Total", "Actual", "Target", "Attainment", "Pace", "Status", "Projection"),
    ]
    assert values(section(rows, "Suggested discussion points"))[1:] == [
        ("Nothing to discuss from the numbers yet.",),
    ]


def test_most_improved_orders_by_places_then_score_then_name() -> None:
    ranking = ranking_frame([
        (1, "Anna Nowak", "North", 1.2, "up 1", None, 1.0, 1.0),
        (2, "Cleo Diaz", "North", 1.1, "up 3", None, 1.0, 1.0),
        (3, "bea Ruiz", "South", 0.9, "up 1", None, 1.0, 1.0),
        (3, "Ben Carter", "South", 0.9, "up 1", None, 1.0, 1.0),
        (5, "Dan Evans", "South", 0.5, "new", None, 1.0, 1.0),
    ])  # fmt: skip
    rows = brief_rows(brief_input(ranking=ranking))
    top = values(section(rows, "Top performers"))
    # four reps have rank 3 or better: two shown, then the count, within the cap of 3 rows
    assert top[1:] == [
        (1, "Anna Nowak", "North", 1.2, "up 1"),
        (2, "Cleo Diaz", "North", 1.1, "up 3"),
        ("... and 2 more: see Ranking",),
        ("Most improved since 2026-11-20: Cleo Diaz (up 3), Anna Nowak (up 1), bea Ruiz (up 1)",),
    ]


# --- text from cells ----------------------------------------------------------------------------


def test_text_from_cells_is_written_as_plain_text() -> None:
    names = {"Anna Nowak": "=1+1", "North": "<b>"}
    rows = brief_rows(brief_input(
        rep_kpis=frame(scenario_rows()).replace(names),
        ranking=RANKING.replace(names),
        data_issues=(Issue("error", "=HYPERLINK(\"x\")", "A1", "@SUM(A1)", "", "row skipped"),),
    ))  # fmt: skip
    cells = [cell for row in rows for cell in row]
    assert Cell("=1+1") in cells and Cell("<b>") in cells
    assert Cell('=HYPERLINK("x")') in cells and Cell("@SUM(A1)") in cells
    assert (1, "=1+1", "<b>", score(44, 24_000), "same") in values(rows)
    assert ("=1+1", "<b>", "At risk", 0.95, "20 calls behind expected") in values(rows)
    assert all(isinstance(c.value, str | int | float | type(None)) for c in cells)


# --- caps: a team of 30 reps and 9 KPIs stays on one screen -------------------------------------

NINE_KPIS = config("""
kpis:
""" + "".join(f"  k{i}: {{kind: sum, column: calls, label: KPI {i}}}\n" for i in range(1, 10)) + """
ranking: {period: month}
""")  # fmt: skip


def big_team() -> BriefInput:
    """30 reps in 5 teams, every KPI of every scope behind, 9 weighted KPIs, many issues."""
    teams = [f"Team {t}" for t in range(1, 6)]
    reps = [(f"Rep {r:02d}", teams[r % 5]) for r in range(30)]
    rows = []
    for period in ("2026-11", "2026-Q4", "2026"):
        for key in (f"k{i}" for i in range(1, 10)):
            rows.append(kpi_row(period, "total", "Total", None, key, 100, 1000, BH))
            rows += [kpi_row(period, "team", t, t, key, 50, 200, BH) for t in teams]
            rows += [kpi_row(period, "rep", r, t, key, 5, 40, BH) for r, t in reps]
    ranking = ranking_frame([(n + 1, r, t, 1 - n / 100, f"up {n % 4}", None, NAN, NAN)
                             for n, (r, t) in enumerate(reps)])  # fmt: skip
    ranking = ranking[list(RANKING_COLUMNS)]
    change = change_frame([(lv, n, f"k{i}", 1, 2, 0.5, 0.4) for lv, n in
                           [("total", "Total"), *(("team", t) for t in teams)]
                           for i in range(1, 10)])  # fmt: skip
    coverage = [Issue("warning", "Goals", "", f"gap {n}", "", DONE) for n in range(20)]
    issues = [Issue("error", f"Rep - {r}", f"C{n}", "bad", "", "row skipped")
              for n, (r, _) in enumerate(reps[:8])]  # fmt: skip
    point = dataclasses.replace(SAME_POINT, table=pd.DataFrame(
        [("total", "Total", f"k{i}", 1, 2, 0.5, 0.9, AR) for i in range(1, 10)],
        columns=list(SAME_POINT_COLUMNS)))  # fmt: skip
    trends = Trends(date(2026, 11, 20), "history", change=change, same_point=(point,))
    context = run_context(NINE_KPIS, AS_OF, RAN_AT)
    actions = tuple(FollowUp(Action(n + 2, f"Call back {n}", "rep", r, "k1", "Lead",
                                    date(2026, 11, 2), date(2026, 11, 20), False), "overdue",
                             0.5, 0.6)
                    for n, (r, _) in enumerate(reps))  # fmt: skip
    upcoming = NextGoals(current_periods(date(2026, 12, 1))[1], tuple(r for r, _ in reps))
    return BriefInput(NINE_KPIS, context, frame(rows), ranking, trends, coverage, issues,
                      actions, upcoming)  # fmt: skip


def test_a_team_of_30_reps_and_9_kpis_fits_on_one_screen() -> None:
    rows = brief_rows(big_team())
    assert len(rows) == MAX_ROWS == 57  # every section full: the most rows there can be
    assert max(len(row) for row in rows) <= 7
    shown = values(rows)
    assert ("Headline: Total (3 of 9 weighted KPIs; all in Rep KPIs)", "Actual", "Target",
            "Attainment", "Pace", "Status", "Projection") in shown  # fmt: skip
    for line in ("... and 27 more: see Rep KPIs",  # behind: 3 of 30 reps
                 "... and 160 more: see Rep KPIs",  # goals: 2 of 6 scopes x 9 KPIs x 3 periods
                 "... and 51 more: see KPI history",  # change: 3 of 6 scopes x 9 KPIs
                 "... and 19 more: see Data issues",  # coverage: 1 of 20
                 "... and 27 more: see Actions",  # actions: 3 of 30
                 "Goals for 2026-12 are missing for 30 reps: sheetsync goals suggest "
                 "--period 2026-12",
                 "... and 7 more: see Data issues"):  # data: 1 of 8 tabs  # fmt: skip
        assert (line,) in shown, line
    points = values(section(rows, "Suggested discussion points"))
    assert len(points) == 1 + CAPS["points"]
    assert points[1:3] == [
        ("1. Overdue: Call back 0 (Rep 00; owner Lead, due 2026-11-20)",),
        ("2. Overdue: Call back 1 (Rep 01; owner Lead, due 2026-11-20), and 28 more in Actions",),
    ]
    # a rep behind on all nine KPIs: three are named, the others counted
    assert values(section(rows, "Behind or at risk"))[1][4] == (
        "33 KPI 1 behind expected; 33 KPI 2 behind expected; 33 KPI 3 behind expected; and 6 more"
    )


# --- with the KPI engine's own tables -----------------------------------------------------------


def test_with_the_kpi_engines_tables_every_number_is_one_of_theirs() -> None:
    cfg = config()
    # 2026-11-20: 15 of 21 working days gone; Anna made 30 of her 100 calls (Behind)
    report = refresh(cfg, as_of=date(2026, 11, 20), dry_run=True,
                     backend=MemoryBackend(team_workbook()))  # fmt: skip
    coverage = [i for i in report.issues if i.action == DONE]
    issues = [i for i in report.issues if i.action != DONE]
    data = BriefInput(cfg, report.context, report.rep_kpis, report.ranking, Trends(), coverage,
                      issues)  # fmt: skip
    rows = brief_rows(data)
    table = report.rep_kpis
    known = {float(n) for column in ("actual", "target", "attainment", "expected", "pace",
                                     "projection") for n in table[column].dropna()}  # fmt: skip
    known |= {float(n) for n in report.ranking["score"].dropna()}
    known |= {float(n) for n in report.ranking["rank"].dropna()}
    numbers = [cell.value for title in ("Headline", "Top performers", "Behind", "Team goals")
               for row in section(rows, title) for cell in row
               if isinstance(cell.value, int | float)]  # fmt: skip
    assert len(numbers) > 20 and all(n in known for n in numbers)
    behind = values(section(rows, "Behind or at risk"))
    anna = table[(table["period"] == "2026-11") & (table["name"] == "Anna Nowak")]
    calls, revenue = (anna[anna["kpi"] == key].iloc[0] for key in ("calls", "revenue"))
    assert calls["expected"] == 100 * 15 / 21 and revenue["expected"] == 10_000 * 15 / 21
    # revenue: $1,000 of $7,142.86 expected (14.0%), calls: 30 of 71.43 (42.0%); worst first
    assert ("Anna Nowak", "North", "Behind", revenue["pace"], "Revenue: $6,143 behind expected; "
            "41 calls behind expected") in behind  # fmt: skip
    assert revenue["pace"] == pytest.approx(0.14) and revenue["status"] == calls["status"] == BH
