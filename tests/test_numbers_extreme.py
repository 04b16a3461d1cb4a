"""Any number a spreadsheet can hold (up to 1.8e308, negative, denormal like 5e-324) is
computed and shown, in scientific notation where a format cannot show its digits, or it is a
data issue on its cell; nothing infinite or NaN reaches an output tab."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.console import report_json
from sheetsync.grids import Grid, RawWorkbook
from sheetsync.i18n.numfmt import Separators, render_number
from sheetsync.kpi.snapshots import history_table
from sheetsync.pipeline import Report, refresh
from sheetsync.sync.stage import SyncResult, sync
from sheetsync.testing import FakeSheetsApi
from tests.helpers import MemoryBackend, activity, config, serial, team_workbook
from tests.test_google_backend import google_config

TAB = "Rep - Anna Nowak"
MAX = 1.7976931348623157e308  # the largest double: what a spreadsheet cell can hold
DENORMAL = 5e-324  # the smallest double above 0


@pytest.mark.parametrize(
    ("number", "number_format", "shown"),
    [
        (1e30, "#,##0", "1.00E+30"),
        (-1e30, "#,##0", "-1.00E+30"),
        (1e15, "#,##0", "1.00E+15"),
        (999_999_999_999_999.0, "#,##0", "999,999,999,999,999"),
        (MAX, '"$"#,##0', "$1.80E+308"),
        (-MAX, "#,##0.00", "-1.80E+308"),
        (1e30, "0.0%", "1.00E+32%"),
        (1.255e20, "#,##0", "1.26E+20"),  # half away from zero, like every other rounding here
        (9.996e40, "#,##0", "1.00E+41"),
        (DENORMAL, "#,##0.00", "0.00"),
        (123456789012345.6, "0.00000000000000000000", "123456789012345.60000000000000000000"),
        (1e30, None, "1E+30"),
        (MAX, None, "1.797693135E+308"),
        (DENORMAL, None, "4.940656458E-324"),
    ],
)
def test_a_number_too_wide_for_its_format_is_shown_in_scientific_notation(
    number: float, number_format: str | None, shown: str
) -> None:
    assert render_number(number, number_format) == shown


def test_scientific_notation_uses_the_languages_decimal_separator() -> None:
    assert render_number(1.5e30, "#,##0", Separators("\u00a0", ",")) == "1,50E+30"


def run(grid: Grid) -> SyncResult:
    tabs = {TAB: grid}
    return sync(RawWorkbook(tuple(tabs), tabs, {}), config())


def test_a_number_too_large_to_add_up_is_a_data_issue_on_its_cell() -> None:
    result = run(activity(
        ["2026-11-02", 1e300, 1, 0, 1e100, None],  # B2 reported; E2 exactly at the limit counts
        ["2026-11-03", 7, 1, 0, -MAX, None],  # E3
        ["2026-11-04", "1e200", 1, 0, 10**150, None],  # B4 (typed), E4 (an int)
    ))  # fmt: skip
    found = [(i.cell, i.problem, i.value, i.action) for i in result.issues if i.cell]
    left_out = "cell left out; the rest of the row counted"
    too_large = "too large to add up (over 1E+100), got"
    assert found == [
        ("B2", f"{too_large} '1e+300'", "1e+300", left_out),
        ("B4", f"{too_large} '1e200'", "1e200", left_out),
        ("E3", f"{too_large} '-1.7976931348623157e+308'", "-1.7976931348623157e+308", left_out),
        ("E4", f"{too_large} '{10**150}'", str(10**150), left_out),
    ]
    assert result.rows_counted == 3
    assert result.activity["calls"].sum() == 7
    assert result.activity["revenue"].sum() == 1e100


def test_a_goal_too_large_to_use_is_a_bad_goal() -> None:
    tabs = team_workbook()
    tabs["Goals"][1] = ["2026-11", "Anna Nowak", 1e300, -(2**1024 - 1)]  # an int past any double
    report = refresh(config(), as_of=date(2026, 11, 3), dry_run=True, backend=MemoryBackend(tabs))
    goal_issues = [(i.cell, i.severity, i.action) for i in report.issues if i.tab == "Goals"
                   and i.severity == "error"]  # fmt: skip
    assert goal_issues == [("C2", "error", "goal ignored"), ("D2", "error", "goal ignored")]
    targets = report.rep_kpis.set_index(["period", "level", "name", "kpi"])["target"]
    assert math.isnan(float(targets[("2026-11", "rep", "Anna Nowak", "calls")]))


def test_history_numbers_past_any_double_read_as_blanks() -> None:
    day = serial("2026-11-02")
    table = history_table([[day, "2026-11", "rep", "Anna Nowak", "calls", 2**1024 - 1, MAX,
                            math.inf, DENORMAL, "On track", 1]])  # fmt: skip
    record = table.to_dict("records")[0]
    assert math.isnan(record["actual"]) and math.isnan(record["attainment"])
    assert (record["target"], record["pace"]) == (MAX, DENORMAL)


def plan_numbers(report: Report) -> list[tuple[str, int, int, float]]:
    """Every number the refresh would write: (tab, row, column, value)."""
    found = []
    tabs = list(report.plan.tabs)
    history = report.plan.history
    rows_of = [(t.title, t.rows) for t in tabs]
    if history is not None:
        rows_of.append((history.title, history.rows))
    for title, rows in rows_of:
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if isinstance(cell.value, float | int) and not isinstance(cell.value, bool):
                    found.append((title, r, c, float(cell.value)))
    return found


def extreme_refresh(tabs: dict[str, Grid]) -> Report:
    report = refresh(config(), as_of=date(2026, 11, 3), backend=MemoryBackend(tabs),
                     snapshot=True)  # fmt: skip
    assert [n for n in plan_numbers(report) if not math.isfinite(n[3])] == []
    json.dumps(report_json(config(), report), allow_nan=False)
    return report


def kpi_table(report: Report) -> dict[tuple[Any, ...], dict[Any, Any]]:
    records = report.rep_kpis.to_dict("records")
    return {(r["period"], r["level"], r["name"], r["kpi"]): r for r in records}


def test_huge_values_are_computed_and_shown_in_every_tab() -> None:
    tabs = team_workbook()
    tabs["Rep - Anna Nowak"] = activity(
        ["2026-11-02", 1e30, 2, 1, 1e100, "Acme"],
        ["2026-11-03", 1e30, 2, 0, 1e100, "Globex"],
    )
    report = extreme_refresh(tabs)
    kpis = kpi_table(report)
    # calls: Anna 1e30 + 1e30, Ben 5; revenue: Anna 2e100, Ben 3000
    assert kpis[("2026-11", "total", "Total", "calls")]["actual"] == 2e30 + 5
    assert kpis[("2026-11", "total", "Total", "revenue")]["actual"] == 2e100 + 3000
    # attainment: 2e30 calls against Anna's goal of 100
    assert kpis[("2026-11", "rep", "Anna Nowak", "calls")]["attainment"] == 2e28
    brief = report.plan.tab("meeting_brief")
    assert brief is not None
    texts = [c.value for row in brief.rows for c in row if isinstance(c.value, str)]
    # 2e30 calls in 2 of November's 21 working days: projected 2e30 x 21 / 2 = 2.1e31; the
    # attainment, 2e30 / 150 = 1.33e28, is 1.33e30 percent
    assert any("1.33E+30% of target, projected 2.10E+31 of 150" in text for text in texts)


def test_a_denormal_goal_or_denominator_leaves_its_ratio_blank_not_infinite() -> None:
    tabs = team_workbook()
    tabs["Goals"][1] = ["2026-11", "Anna Nowak", DENORMAL, 10000]
    tabs["Goals"].append(["2026-11", "Total", DENORMAL, 15000])
    tabs["Rep - Ben Carter"] = activity(["2026-11-02", 5, DENORMAL, 2, 3000, "Acme"])
    report = extreme_refresh(tabs)
    summary = report.plan.tab("summary")
    assert summary is not None
    chart = [row for row in summary.rows if row and row[0].value == "Calls"][-1]
    assert chart[1].value is None  # 35 calls / a goal of 5e-324: no bar
    kpis = kpi_table(report)
    anna_calls = kpis[("2026-11", "rep", "Anna Nowak", "calls")]
    assert anna_calls["target"] == DENORMAL  # the goal is shown as it is
    assert math.isnan(anna_calls["attainment"])  # 30 / 5e-324 is past the largest double
    assert math.isnan(anna_calls["pace"])
    ben_rate = kpis[("2026-11", "rep", "Ben Carter", "win_rate")]
    assert math.isnan(ben_rate["actual"])  # 2 deals / 5e-324 meetings
    assert kpis[("2026-11", "rep", "Ben Carter", "meetings")]["actual"] == DENORMAL


def test_a_score_past_the_largest_double_still_ranks_last() -> None:
    tabs = team_workbook()
    # revenue weighs 2, calls 1: Anna's revenue attainment is -1e100 / 1e-208 = -1e308, and
    # twice that is past the largest double; her score is still a number, below Ben's
    tabs["Goals"][1] = ["2026-11", "Anna Nowak", 100, 1e-208]
    tabs["Rep - Anna Nowak"] = activity(["2026-11-02", 10, 2, 1, -1e100, "Acme"])
    report = extreme_refresh(tabs)
    ranks = dict(zip(report.ranking["rep"], report.ranking["rank"], strict=True))
    scores = dict(zip(report.ranking["rep"], report.ranking["score"], strict=True))
    assert ranks == {"Ben Carter": 1, "Anna Nowak": 2}
    # (-1e308 x 2 + 10 / 100 x 1) / 3 = -6.67e307
    assert scores["Anna Nowak"] == pytest.approx(-1e308 / 3 * 2)


def extreme_workbook() -> dict[str, Grid]:
    tabs = team_workbook()
    tabs["Rep - Anna Nowak"] = activity(
        ["2026-11-02", 1e30, DENORMAL, 1, MAX, "Acme"],  # E2: too large, left out
        ["2026-11-03", -1e30, 2, 0, -DENORMAL, "Globex"],
    )
    tabs["Goals"][1] = ["2026-11", "Anna Nowak", DENORMAL, 1e100]
    return tabs


def numbers_written(tabs: dict[str, list[list[Any]]]) -> list[float]:
    return [float(v) for rows in tabs.values() for row in rows for v in row
            if isinstance(v, float | int) and not isinstance(v, bool)]  # fmt: skip


def total_calls(rows: list[list[Any]]) -> Any:
    """The Rep KPIs tab's actual of the total's calls this month."""
    header = rows[0]
    return next(r[header.index("Actual")] for r in rows[1:]
                if r[:4] == ["2026-11", "total", "Total", "Calls"])  # fmt: skip


OUTPUTS = ("Summary", "Ranking", "Meeting brief", "Rep KPIs", "Data issues", "Sync status")


def test_extreme_numbers_are_written_finite_to_an_xlsx_workbook(tmp_path: Path) -> None:
    path = tmp_path / "team.xlsx"
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in extreme_workbook().items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    report = refresh(config(folder=tmp_path), as_of=date(2026, 11, 3), backend=XlsxBackend(path))
    assert "Rep - Anna Nowak!E2" in {f"{i.tab}!{i.cell}" for i in report.issues}
    written = openpyxl.load_workbook(path)
    tabs = {t: [[c.value for c in r] for r in written[t].iter_rows()] for t in OUTPUTS}
    assert all(math.isfinite(n) for n in numbers_written(tabs))
    assert total_calls(tabs["Rep KPIs"]) == 5  # 1e30 - 1e30 + Ben's 5


def test_extreme_numbers_are_written_finite_through_the_google_api(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    sid = fake.create_spreadsheet("Team", extreme_workbook())
    key = fake.service_account_file(tmp_path)
    report = refresh(google_config(key, sid), as_of=date(2026, 11, 3))
    assert "Rep - Anna Nowak!E2" in {f"{i.tab}!{i.cell}" for i in report.issues}
    tabs = {title: fake.values(sid, title) for title in OUTPUTS}
    assert all(math.isfinite(n) for n in numbers_written(tabs))
    assert total_calls(tabs["Rep KPIs"]) == 5


def test_a_change_since_the_last_snapshot_past_the_largest_double_is_blank() -> None:
    tabs = team_workbook()
    # the team's win rate: 1e100 deals / 1e-208 meetings = 1e308; History says it was -MAX
    tabs["Rep - Anna Nowak"] = activity(["2026-11-03", 10, 1e-208, 1e100, 1000, "Acme"])
    tabs["Rep - Ben Carter"] = activity(["2026-11-02", 5, 0, 0, 3000, "Acme"])
    tabs["KPI history"] = [
        ["Date", "Period", "Level", "Name", "KPI", "Actual", "Target", "Attainment", "Pace",
         "Status", "Rank"],
        [serial("2026-11-02"), "2026-11", "total", "Total", "win_rate", -MAX, None, None, None,
         None, None],
    ]  # fmt: skip
    weighted = config("ranking: {period: month, weights: {win_rate: 1}}\n")
    backend = MemoryBackend(tabs, owned={"KPI history": "history"})
    report = refresh(weighted, as_of=date(2026, 11, 3), backend=backend)
    assert [n for n in plan_numbers(report) if not math.isfinite(n[3])] == []
    brief = report.plan.tab("meeting_brief")
    assert brief is not None
    row = next(r for r in brief.rows if [c.value for c in r[:2]] == ["Total", "Win rate"])
    assert [c.value for c in row[2:5]] == [-MAX, 1e308, None]  # then, now, change: blank
