"""The whole refresh, end to end: on memory, and on the demo workbook opened by hand."""

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from sheetsync import load_config
from sheetsync.demo import make_demo
from sheetsync.errors import DataError, OwnershipError
from sheetsync.pipeline import refresh
from tests.helpers import MemoryBackend, config, serial, team_workbook

AS_OF = date(2026, 11, 26)


def test_refresh_on_memory_computes_writes_and_reports() -> None:
    backend = MemoryBackend(team_workbook())
    report = refresh(config(), as_of=date(2026, 11, 3), backend=backend)
    assert report.written and len(backend.written) == 1
    kpis = report.rep_kpis.set_index(["period", "level", "name", "kpi"])
    assert kpis.loc[("2026-11", "total", "Total", "calls"), "actual"] == 35
    assert kpis.loc[("2026-11", "total", "Total", "calls"), "target"] == 150
    assert kpis.loc[("2026-11", "total", "Total", "calls"), "target_source"] == "rolled up"
    assert kpis.loc[("2026-11", "team", "North", "win_rate"), "actual"] == pytest.approx(1 / 4)
    assert kpis.loc[("2026-11", "rep", "Ben Carter", "customers"), "actual"] == 1
    assert list(report.ranking["rep"]) == ["Ben Carter", "Anna Nowak"]
    assert set(backend.tabs) >= {"Summary", "Ranking", "Rep KPIs", "Data issues", "Sync status"}
    status = {row[0]: row[1] for row in backend.tabs["Sync status"]}
    assert (status["Rows read"], status["Rows counted"], status["Rows rejected"]) == (3, 3, 0)
    assert status["As-of date"] == serial("2026-11-03")  # read back as a spreadsheet gives it
    assert set(report.timings) >= {"read", "sync", "kpi", "report", "write", "total"}


def test_dry_run_writes_nothing_and_strict_stops_on_issues() -> None:
    backend = MemoryBackend(team_workbook())
    report = refresh(config(), as_of=AS_OF, dry_run=True, backend=backend)
    assert not report.written and backend.written == []
    assert report.plan.titles()[:4] == ("Summary", "Ranking", "Meeting brief", "Rep KPIs")
    tabs = team_workbook()
    tabs["Rep - Ben Carter"].append(["yesterday", 1])
    with pytest.raises(DataError, match=r"--strict: 1 data issues, nothing was written"):
        refresh(config(), as_of=AS_OF, strict=True, backend=MemoryBackend(tabs))


def test_an_output_name_clash_stops_even_a_dry_run() -> None:
    tabs = team_workbook()
    tabs["Ranking"] = [["my leaderboard"]]
    with pytest.raises(OwnershipError, match=r"output.ranking"):
        refresh(config(), as_of=AS_OF, dry_run=True, backend=MemoryBackend(tabs))


def test_as_of_defaults_to_today_in_the_configured_time_zone() -> None:
    cfg = config("calendar: {timezone: Pacific/Kiritimati}\n")  # UTC+14
    now = datetime.fromisoformat("2026-11-26T12:00:00+00:00")
    report = refresh(cfg, backend=MemoryBackend(team_workbook()), now=now, dry_run=True)
    assert report.as_of == date(2026, 11, 27)


def read_tab(book: openpyxl.Workbook, title: str) -> list[tuple[object, ...]]:
    return list(book[title].iter_rows(values_only=True))


def november_calls_by_hand(path: Path) -> float:
    """Total calls from 1 to 26 November 2026, summed cell by cell the way a person would."""
    book = openpyxl.load_workbook(path, data_only=True)
    total = 0.0
    for title in book.sheetnames:
        if not (title.startswith("Rep - ") or title == "Activity log"):
            continue
        rows = read_tab(book, title)
        date_col, calls_col = rows[0].index("Date"), rows[0].index("Calls")
        for row in rows[1:]:
            when, calls = row[date_col], row[calls_col]
            in_period = isinstance(when, datetime) and date(2026, 11, 1) <= when.date() <= AS_OF
            if in_period and isinstance(calls, int | float):
                total += calls
    return total


def test_the_demo_workbook_gets_every_tab_with_numbers_checkable_by_hand(tmp_path: Path) -> None:
    config_path = make_demo(tmp_path, AS_OF)
    report = refresh(load_config(config_path), as_of=AS_OF)
    book = openpyxl.load_workbook(tmp_path / "demo-team.xlsx")
    for title in ("Summary", "Ranking", "Rep KPIs", "Data issues", "Sync status"):
        assert title in book.sheetnames
    assert book.sheetnames[0] == "Roster"  # input tabs keep their place
    rows = read_tab(book, "Rep KPIs")
    assert rows[0][:5] == ("Period", "Level", "Name", "KPI", "Actual")
    total = next(r for r in rows if r[:4] == ("2026-11", "total", "Total", "Calls"))
    assert total[4] == november_calls_by_hand(tmp_path / "demo-team.xlsx")
    assert total[5] == 2000 and total[6] == "goal"
    revenue = next(r for r in book["Rep KPIs"].iter_rows(min_row=2)
                   if r[2].value == "Total" and r[3].value == "Revenue")  # fmt: skip
    assert revenue[4].number_format == '"$"#,##0' and revenue[7].number_format == "0.0%"
    issues = read_tab(book, "Data issues")
    assert issues[0] == ("Severity", "Tab", "Cell", "Problem", "Value", "What was done")
    cells = {(r[1], r[2]) for r in issues[1:]}
    assert ("Rep - Anna Nowak", "B5") in cells and ("Activity log", "A4") in cells
    status = {row[0]: row[1] for row in read_tab(book, "Sync status")}
    read, counted, rejected = (status[f"Rows {what}"] for what in ("read", "counted", "rejected"))
    assert isinstance(counted, int | float) and isinstance(rejected, int | float)
    assert read == counted + rejected
    assert rejected == 2
    ranking = read_tab(book, "Ranking")
    assert ranking[0][:4] == ("Rank", "Rep", "Team", "Score")
    assert "Movement" not in ranking[0]  # no earlier snapshot to move against yet
    unranked = [r for r in ranking[1:] if r[0] is None]
    assert [r[1] for r in unranked] == ["Hugo Silva"]  # active, but without goals
    assert "Emma Schulz" not in {r[1] for r in ranking}  # inactive reps are not ranked
    assert len(report.issues) == len(issues) - 1
