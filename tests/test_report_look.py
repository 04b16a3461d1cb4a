"""The one-screen Summary, the Ranking's chart and the colour rules of the output plan.

Expected numbers are worked out by hand for `team_workbook()` as of Tue 2026-11-10: November
2026 has 21 working days (Mon-Fri), 7 of them gone by the 10th, so the expected share is 1/3.
The rules' formulas are read by a small interpreter (tests/lookrules.py), independent of
report.look.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from sheetsync.grids import RawValue
from sheetsync.pipeline import refresh
from sheetsync.plan import Box, Cell, OutputPlan, TabPlan
from sheetsync.spreadsheet import column_letter
from tests.helpers import MemoryBackend, config, team_workbook
from tests.lookrules import REFERENCE, cell_value, tone

AS_OF = date(2026, 11, 10)
NOW = datetime(2026, 11, 10, 9, 0)


def _plan(extra_goals: list[list[RawValue]] | None = None) -> OutputPlan:
    book = team_workbook()
    book["Goals"] = [*book["Goals"], *(extra_goals or [])]
    backend = MemoryBackend(book)
    refresh(config(), as_of=AS_OF, backend=backend, now=NOW)
    return backend.written[-1]


def _tab(plan: OutputPlan, key: str) -> TabPlan:
    tab = plan.tab(key)
    assert tab is not None
    return tab


def _values(tab: TabPlan) -> list[list[object]]:
    return [[cell.value for cell in row] for row in tab.rows]


def _find(tab: TabPlan, first: str, after: int = 0) -> int:
    return next(i for i, row in enumerate(tab.rows) if i >= after and row and row[0].value == first)


# --- the Summary -----------------------------------------------------------------------------


def test_summary_has_kpis_as_rows_and_the_periods_side_by_side() -> None:
    summary = _tab(_plan(), "summary")
    values = _values(summary)
    assert values[0] == ["Sales KPIs as of 2026-11-10"]
    assert [v for v in values[1] if v] == ["Month 2026-11", "Quarter 2026-Q4", "Year 2026"]
    assert values[2] == ["KPI", *["Actual", "Target", "Attainment", "Expected", "Status"] * 3]
    assert (summary.header_rows, summary.frozen_columns) == (3, 1)
    blocks = [row[0] for row in values if len(row) == 1]
    assert blocks == ["Sales KPIs as of 2026-11-10", "Total", "North", "South"]
    total = _find(summary, "Total")
    kpis = [values[total + 1 + i][0] for i in range(7)]
    assert kpis == ["Calls", "Meetings", "Deals", "Revenue", "Win rate", "Customers", "Entries"]
    calls = values[total + 1][:6]
    assert calls[0:3] == ["Calls", 35, 150]
    assert calls[3] == pytest.approx(35 / 150)
    assert calls[4] == pytest.approx(50)
    assert calls[5] == "Behind"
    north = _find(summary, "North")
    at_risk = [30, 100, pytest.approx(0.3), pytest.approx(100 / 3), "At risk"]
    assert values[north + 1][1:6] == at_risk
    south = _find(summary, "South")
    revenue = values[south + 4]
    assert revenue[0] == "Revenue"
    assert revenue[1:6] == [3000, 5000, pytest.approx(0.6), pytest.approx(5000 / 3), "On track"]
    assert values[total + 1][6:11] == [35, None, None, None, None]  # no quarter goal


def test_the_week_is_shown_only_when_it_has_a_goal() -> None:
    summary = _tab(_plan([["2026-W46", "Total", 40, None]]), "summary")
    headings = [v for v in _values(summary)[1] if v]
    assert headings == ["Month 2026-11", "Quarter 2026-Q4", "Year 2026", "Week 2026-W46"]
    total = _find(summary, "Total")
    # 2026-W46 is Nov 9-15: Anna's calls on the 9th and 10th are none, so 0 of 40.
    assert _values(summary)[total + 1][16:21][:2] == [0, 40]


def test_statuses_and_attainment_are_coloured_by_status() -> None:
    summary = _tab(_plan(), "summary")
    total, north, south = (_find(summary, name) for name in ("Total", "North", "South"))
    status, attainment, actual = 5, 3, 1
    assert tone(summary, total + 1, status) == "bad"  # Total calls: Behind
    assert tone(summary, total + 1, attainment) == "bad"
    assert tone(summary, north + 1, status) == "warn"  # North calls: At risk
    assert tone(summary, north + 1, attainment) == "warn"
    assert tone(summary, south + 4, status) == "good"  # South revenue: On track
    assert tone(summary, south + 4, attainment) == "good"
    assert tone(summary, total + 1, actual) in (None, "band")
    assert tone(summary, total + 2, status) in (None, "band")  # Meetings: no goal, no status


def test_the_summary_chart_shows_month_to_date_against_expected() -> None:
    summary = _tab(_plan(), "summary")
    (chart,) = summary.charts
    labels = _column(summary, chart.categories)
    assert labels == ["Revenue", "Calls"]  # the weighted KPIs, in the weights' order
    month_to_date, expected = (_column(summary, s.values) for s in chart.series)
    assert month_to_date == [pytest.approx(4000 / 15000), pytest.approx(35 / 150)]
    assert expected == [pytest.approx(1 / 3), pytest.approx(1 / 3)]
    assert [s.line for s in chart.series] == [False, True]
    assert chart.percent


def _column(tab: TabPlan, box: Box) -> list[object]:
    assert box.right - box.left == 1
    return [cell_value(tab, row, box.left) for row in range(box.top, box.bottom)]


# --- the Ranking -----------------------------------------------------------------------------


def test_ranking_scores_are_coloured_against_the_share_of_the_month() -> None:
    ranking = _tab(_plan(), "ranking")
    header = _values(ranking)[0]
    assert header[-2:] == ["100% of goal", "Note"]
    rows = {row[1].value: r for r, row in enumerate(ranking.rows) if r}
    score = header.index("Score")
    # Ben: (2 x 3000/5000 + 5/50) / 3 = 0.433 >= 1/3; Anna: (2 x 0.1 + 0.3) / 3 = 0.167 < 0.85/3
    assert tone(ranking, rows["Ben Carter"], score) == "good"
    assert tone(ranking, rows["Anna Nowak"], score) == "bad"
    revenue = header.index("Revenue attainment")
    assert tone(ranking, rows["Anna Nowak"], revenue) == "bad"  # 0.1
    assert tone(ranking, rows["Ben Carter"], revenue) == "good"  # 0.6


def test_ranking_chart_draws_each_ranked_reps_score_and_the_goal_line() -> None:
    ranking = _tab(_plan(), "ranking")
    (chart,) = ranking.charts
    assert _column(ranking, chart.categories) == ["Ben Carter", "Anna Nowak"]
    scores, goal = (_column(ranking, s.values) for s in chart.series)
    assert scores == [pytest.approx(1.3 / 3), pytest.approx(0.5 / 3)]
    assert goal == [1.0, 1.0]
    assert chart.anchor_column >= len(ranking.rows[0])  # beside the table, not over it


def test_long_tables_are_banded_and_their_statuses_coloured() -> None:
    rep_kpis = _tab(_plan(), "rep_kpis")
    status = _values(rep_kpis)[0].index("Status")
    behind = next(r for r, row in enumerate(rep_kpis.rows) if row[status].value == "Behind")
    assert tone(rep_kpis, behind, status) == "bad"
    plain = next(r for r, row in enumerate(rep_kpis.rows) if r and row[status].value is None)
    assert tone(rep_kpis, plain, 0) == ("band" if (plain + 1) % 2 == 0 else None)
    assert all(rule.box.top >= 1 for rule in rep_kpis.rules)  # never the header


@pytest.mark.parametrize("formula_of", ["summary", "ranking", "rep_kpis", "data_issues"])
def test_rule_formulas_read_the_same_in_every_locale(formula_of: str) -> None:
    """No argument separator and no decimal point: ',' and '.' differ between locales."""
    tab = _tab(_plan(), formula_of)
    assert tab.rules
    for rule in tab.rules:
        unquoted = re.sub(r'"[^"]*"', "", rule.formula)
        assert "," not in unquoted and ";" not in unquoted and "." not in unquoted
        assert REFERENCE.search(rule.formula) or rule.formula == "ISEVEN(ROW())"
        assert rule.box.corner == f"{column_letter(rule.box.left)}{rule.box.top + 1}"


def test_a_cell_plan_is_unchanged_by_the_look() -> None:
    """Colours are rules, never fills baked into cells: numbers stay plain numbers."""
    summary = _tab(_plan(), "summary")
    total = _find(summary, "Total")
    assert summary.rows[total + 1][3] == Cell(35 / 150, "0.0%")
