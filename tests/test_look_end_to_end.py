"""The demo's real output, refreshed again and again on both backends: each output tab holds
exactly the colour rules and charts its plan asks for, once, never piled up."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from google.oauth2.service_account import Credentials
from gspread.http_client import HTTPClient

from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.config.loading import load_config
from sheetsync.demo import make_demo
from sheetsync.pipeline import Report, refresh
from sheetsync.testing import SPREADSHEETS_SCOPE, FakeSheetsApi
from tests.test_google_backend import google_config

AS_OF = date(2026, 11, 26)
LOOK_FIELDS = "sheets(properties(title,gridProperties),charts(chartId),conditionalFormats(ranges))"


def _planned(report: Report) -> dict[str, tuple[int, int]]:
    """(rules, charts) per output tab title, as the plan asks."""
    assert report.plan is not None
    return {tab.title: (len(tab.rules), len(tab.charts)) for tab in report.plan.tabs}


def _xlsx_look(path: Path) -> dict[str, tuple[int, int]]:
    """(conditional format rules, charts) per sheet, as openpyxl reads the workbook."""
    book = openpyxl.load_workbook(path)
    return {
        sheet.title: (
            sum(len(formatting.rules) for formatting in sheet.conditional_formatting),
            len(sheet._charts),
        )
        for sheet in book.worksheets
    }


def test_xlsx_rules_and_charts_are_replaced_at_every_refresh(tmp_path: Path) -> None:
    cfg = load_config(make_demo(tmp_path / "demo", AS_OF))
    assert cfg.source.path is not None
    counts = []
    for _ in range(2):
        report = refresh(cfg, as_of=AS_OF, backend=XlsxBackend(cfg.source.path))
        look = _xlsx_look(cfg.source.path)
        planned = _planned(report)
        assert {title: look[title] for title in planned} == planned
        counts.append(look)
    assert counts[0] == counts[1]
    summary_rules, summary_charts = counts[1]["Summary"]
    assert summary_rules >= 10 and summary_charts == 1 and counts[1]["Ranking"][1] == 1
    assert counts[1]["Rep - Anna Nowak"] == (0, 0)  # an input tab gets nothing


def test_google_rules_and_charts_are_replaced_at_every_refresh(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    xlsx_config = load_config(make_demo(tmp_path / "demo", AS_OF))
    assert xlsx_config.source.path is not None
    raw = XlsxBackend(xlsx_config.source.path).read(lambda titles: titles)
    inputs = {t: raw.grids[t] for t in raw.titles if t not in {tab for tab in raw.owned}}
    sid = fake.create_spreadsheet("Team", inputs)
    key = fake.service_account_file(tmp_path)
    cfg = google_config(key, sid, xlsx_config)
    counts = []
    for _ in range(3):
        report = refresh(cfg, as_of=AS_OF)
        assert report.api_calls == 3
        look = _google_look(key, sid)
        planned = _planned(report)
        assert {title: look[title][:2] for title in planned} == planned
        counts.append(look)
    assert counts[1] == counts[2]
    assert counts[2]["Summary"][2:] == (3, 1)  # frozen: the title and header rows, KPI column
    assert counts[2]["Ranking"][2:] == (1, 2)


def _google_look(key: Path, sid: str) -> dict[str, tuple[int, int, int, int]]:
    """(rules, charts, frozen rows, frozen columns) per tab, from a spreadsheets.get."""
    user = Credentials.from_service_account_file(str(key), scopes=[SPREADSHEETS_SCOPE])  # type: ignore[no-untyped-call]
    answer = HTTPClient(user).fetch_sheet_metadata(sid, params={"fields": LOOK_FIELDS})
    found = {}
    for sheet in answer["sheets"]:
        grid = sheet["properties"].get("gridProperties", {})
        found[sheet["properties"]["title"]] = (
            len(sheet.get("conditionalFormats", [])),
            len(sheet.get("charts", [])),
            grid.get("frozenRowCount", 0),
            grid.get("frozenColumnCount", 0),
        )
    return found
