"""A Polish config's output: the brief, Sync status, Data issues and the command line in Polish
(plurals, `1 234,50 zł`, `27.11.2026`), while the machine tables (Rep KPIs, History) and
`--json` keep their English keys; and English output exactly as before."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from sheetsync.cli import main
from sheetsync.config.values import Config
from sheetsync.console import check_lines, issue_lines, outcome_line, report_json
from sheetsync.context import run_context
from sheetsync.demo import make_demo
from sheetsync.i18n import language
from sheetsync.issues import Issue
from sheetsync.kpi.evaluate import STATUSES
from sheetsync.pipeline import Report, refresh
from sheetsync.plan import Cell
from sheetsync.report.tabs import (
    HISTORY_HEADERS,
    ISSUE_HEADERS,
    REFRESH_CELL,
    REFRESH_LABEL,
    REP_KPI_HEADERS,
    RunFacts,
    issue_rows,
    status_rows,
)
from sheetsync.spreadsheet import cell_position
from tests.helpers import MemoryBackend, config, team_workbook

AS_OF = date(2026, 11, 27)
NBSP = "\u00a0"
PL = language("pl")
POLISH = "output: {language: pl}\ncalendar: {timezone: UTC, holidays_country: PL}\n"
RAN_AT = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
POLISH_RUN = run_context(config(POLISH), AS_OF, RAN_AT)
ENGLISH_RUN = run_context(config(), AS_OF, RAN_AT)
FACTS = RunFacts(
    source="team.xlsx", rows_read=1234, rows_counted=1233, rows_rejected=1, api_calls=3,
    seconds=1.5,
    version="0.1.0", last_error=("the API said no", datetime(2026, 11, 26, 9, 0, tzinfo=UTC)),
)  # fmt: skip
ISSUES = (
    Issue("error", "Rep - Anna", "C14", "expected a number, got 'n/a'", "n/a", "row skipped"),
    Issue("warning", "Goals", "", "no goal for Calls", "", "reported only"),
    Issue("warning", "Goals", "", "no goal for Revenue", "", "reported only"),
)


def polish_report(snapshot: bool = False) -> tuple[Config, Report]:
    cfg = config(POLISH)
    return cfg, refresh(cfg, as_of=AS_OF, backend=MemoryBackend(team_workbook()),
                        snapshot=snapshot)  # fmt: skip


def texts(rows: tuple[tuple[Cell, ...], ...]) -> list[str]:
    return [str(cell.value) for row in rows for cell in row if isinstance(cell.value, str)]


def test_a_polish_refresh_names_its_tabs_in_polish() -> None:
    _, report = polish_report()
    assert report.plan.titles() == (
        "Podsumowanie", "Ranking", "Odprawa zespołu", "KPI handlowców", "Problemy z danymi",
        "Stan synchronizacji",
    )  # fmt: skip


def test_the_polish_brief_speaks_polish_with_polish_numbers_and_dates() -> None:
    _, report = polish_report()
    brief = next(tab for tab in report.plan.tabs if tab.key == "meeting_brief")
    words = texts(brief.rows)
    assert words[0] == "Odprawa zespołu, stan na 27.11.2026"
    assert "Najważniejsze: Total" in words and "Najlepsi w tym miesiącu" in words
    assert "Proponowane tematy do dyskusji" in words
    statuses = {str(row[5].value) for row in brief.rows[2:4]}
    assert statuses == {"Poniżej planu"}  # the headline's month rows, Behind in English
    assert not set(words) & set(STATUSES)  # no English status anywhere
    money = [w for w in words if re.search(rf"\d{NBSP}\d{{3}},\d{{2}} zł", w)]
    assert money, "revenue in sentences reads like 8 500,00 zł"
    assert any("10,5% oczekiwań" in w for w in words)  # percent with a decimal comma


def test_the_machine_tables_and_json_keep_their_english_keys() -> None:
    cfg, report = polish_report(snapshot=True)
    rep_kpis = next(tab for tab in report.plan.tabs if tab.key == "rep_kpis")
    assert tuple(cell.value for cell in rep_kpis.rows[0]) == REP_KPI_HEADERS
    levels = {row[1].value for row in rep_kpis.rows[1:]}
    statuses = {row[10].value for row in rep_kpis.rows[1:]} - {None}
    assert levels == {"rep", "team", "total"} and statuses <= set(STATUSES) and statuses
    history = report.plan.history
    assert history is not None and history.title == "Historia KPI"
    assert tuple(cell.value for cell in history.header) == HISTORY_HEADERS
    shape = report_json(cfg, report)
    assert {entry["status"] for entry in shape["headline"]} - {None} <= set(STATUSES)
    assert shape["as_of"] == "2026-11-27"


def test_sync_status_in_polish_keeps_the_refresh_checkbox_in_its_place() -> None:
    rows = status_rows(POLISH_RUN, FACTS, ISSUES)
    assert (rows[0][0].value, rows[0][1].value, rows[0][1].checkbox) == ("Odśwież teraz", False,
                                                                        True)  # fmt: skip
    assert cell_position(REFRESH_CELL) == (0, 1)  # what the daemon reads, in every language
    labels = {str(row[0].value): row[1] for row in rows[1:]}
    assert labels["Stan na dzień"].value == AS_OF
    assert labels["Stan na dzień"].number_format == "dd.mm.yyyy"
    assert labels["Ostatnie uruchomienie"].number_format == "dd.mm.yyyy hh:mm:ss"
    assert labels["Problemy z danymi"].value == "1 błąd, 2 ostrzeżenia"
    assert labels["Wiersze odczytane"].value == 1234
    assert labels["Ostatni błąd"].value == "the API said no"


def test_data_issues_in_polish() -> None:
    rows = issue_rows(ISSUES, PL)
    assert [cell.value for cell in rows[0]] == [
        "Waga", "Arkusz", "Komórka", "Problem", "Wartość", "Co zrobiono",
    ]  # fmt: skip
    assert [row[0].value for row in rows[1:]] == ["błąd", "ostrzeżenie", "ostrzeżenie"]


def test_english_sync_status_and_data_issues_are_as_before() -> None:
    rows = status_rows(ENGLISH_RUN, FACTS, ISSUES)
    assert rows[0][0].value == REFRESH_LABEL
    assert [row[0].value for row in rows[1:]] == [
        "Last run", "As-of date", "Source", "Rows read", "Rows counted", "Rows rejected",
        "Data issues", "API calls", "Duration (seconds)", "sheetsync version", "Last error",
        "Last error at",
    ]  # fmt: skip
    assert rows[2][1].number_format == "yyyy-mm-dd"
    assert rows[7][1].value == "1 error, 2 warnings"
    issues = issue_rows(ISSUES, language("en"))
    assert tuple(cell.value for cell in issues[0]) == ISSUE_HEADERS
    assert issues[1][0].value == "error"


def test_a_polish_refresh_writes_sync_status_and_data_issues_in_polish() -> None:
    backend = MemoryBackend(team_workbook())
    refresh(config(POLISH), as_of=AS_OF, backend=backend)
    assert backend.tabs["Stan synchronizacji"][0][0] == "Odśwież teraz"
    assert backend.tabs["Problemy z danymi"][0][0] == "Waga"


def test_the_command_line_in_polish_with_its_plurals() -> None:
    _, report = polish_report()
    line = outcome_line(report)
    assert line.startswith("zapisano 6 arkuszy w memory, stan na 27.11.2026: odczytano 3 "
                           "wiersze, policzono 3, odrzucono 0, ")  # fmt: skip
    assert "0 wywołań API" in line
    assert issue_lines(ISSUES[:1], "Problemy z danymi", PL)[0] == (
        "\n1 problem z danymi (wszystkie są w arkuszu Problemy z danymi):"
    )
    assert issue_lines(ISSUES, None, PL)[0].startswith("\n3 problemy z danymi (nigdzie")
    assert issue_lines(ISSUES, None, PL)[1].startswith("  błąd" + " " * 8 + "Rep - Anna!C14: ")
    assert check_lines(report, "team.yaml")[0] == "konfiguracja poprawna: team.yaml"


def test_the_cli_refreshes_the_demo_in_polish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_demo(tmp_path / "demo", date(2026, 11, 26))
    text = path.read_text("utf-8")
    block = text[text.index("output:\n") : text.index("history: KPI history\n") + 21]
    path.write_text(text.replace(block, "output:\n  language: pl\n"), "utf-8")
    assert main(["refresh", "--config", str(path), "--as-of", "2026-11-26"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("zapisano 6 arkuszy w ") and "stan na 26.11.2026" in out
    book = openpyxl.load_workbook(tmp_path / "demo" / "demo-team.xlsx")
    assert book["Odprawa zespołu"]["A1"].value == "Odprawa zespołu, stan na 26.11.2026"
    assert book["KPI handlowców"]["A1"].value == "Period"
    assert main(["refresh", "--config", str(path), "--as-of", "2026-11-26", "--json"]) == 0
    shape = json.loads(capsys.readouterr().out)
    assert {entry["status"] for entry in shape["headline"]} - {None} <= set(STATUSES)
