"""Real workbooks made by a real spreadsheet program (LibreOffice Calc, see fixtures/workbooks/
README.md): two refreshes in a row change nothing sheetsync does not own, byte for byte, and
read the same numbers (formula results included) both times."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import warnings
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sheetsync import load_config
from sheetsync.pipeline import Report, refresh
from tests.packages import parts, sheet_parts, untouched_parts_differing, without_sheets

FOLDER = Path(__file__).parent / "fixtures" / "workbooks"
FIXTURES = sorted(p.name for p in FOLDER.iterdir() if p.suffix in (".xlsx", ".xlsm")
                  and p.name != "encrypted.xlsx")  # fmt: skip
AS_OF = date(2026, 11, 30)
OUTPUT_TABS = {"Summary", "Ranking", "Meeting brief", "Rep KPIs", "Data issues", "Sync status"}
CONFIG = """
source: {{type: xlsx, path: {name}}}
calendar: {{timezone: UTC}}
activity:
  rep_tabs: "Rep - *"
  log_tab: Log
  numbers: {{calls: Calls, meetings: Meetings, deals: Deals, revenue: Revenue}}
  texts: {{customer: Customer}}
kpis:
  calls: {{kind: sum, column: calls, label: Calls}}
  revenue: {{kind: sum, column: revenue, label: Revenue, format: currency}}
"""


def refreshed(tmp_path: Path, name: str) -> tuple[Path, Path, Report, Report]:
    """(the original, the workbook refreshed twice, the first and the second report)."""
    original = FOLDER / name
    path = tmp_path / name
    shutil.copy(original, path)
    config_path = tmp_path / "sheetsync.yaml"
    config_path.write_text(CONFIG.format(name=name), "utf-8")
    first = refresh(load_config(config_path), as_of=AS_OF)
    second = refresh(load_config(config_path), as_of=AS_OF)
    return original, path, first, second


def revenue_by_hand(path: Path) -> dict[str, float]:
    """November revenue per rep from the cached cell values, read by openpyxl, not sheetsync.

    openpyxl warns that it would drop the Excel 2010 extensions (it only reads here)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "(Unknown|.* extension is not supported)", UserWarning)
        book = openpyxl.load_workbook(path, data_only=True)
    try:
        return _revenue(book)
    finally:
        book.close()


def _revenue(book: openpyxl.Workbook) -> dict[str, float]:
    totals: dict[str, float] = {}
    for title in book.sheetnames:
        if not title.startswith("Rep - "):
            continue
        rows = list(book[title].iter_rows(values_only=True))
        day, revenue = rows[0].index("Date"), rows[0].index("Revenue")
        for row in rows[1:]:
            when, value = row[day], row[revenue]
            if isinstance(when, datetime) and when.date() <= AS_OF and when.month == 11:
                totals[title[6:]] = totals.get(title[6:], 0.0) + float(value or 0)
    return totals


def test_the_fixtures_are_there() -> None:
    assert len(FIXTURES) >= 9, FIXTURES


@pytest.mark.parametrize("name", FIXTURES)
def test_two_refreshes_change_only_what_sheetsync_owns(tmp_path: Path, name: str) -> None:
    original, path, first, second = refreshed(tmp_path, name)
    assert untouched_parts_differing(original, path, OUTPUT_TABS) == []
    old, new = parts(original), parts(path)
    book_xml = new["xl/workbook.xml"].decode()
    before = old["xl/workbook.xml"].decode()
    assert without_sheets(book_xml, OUTPUT_TABS, before) == before
    assert set(sheet_parts(path)) == set(sheet_parts(original)) | OUTPUT_TABS
    pd.testing.assert_frame_equal(first.rep_kpis, second.rep_kpis)
    month = second.rep_kpis[(second.rep_kpis["period"] == "2026-11")
                            & (second.rep_kpis["level"] == "rep")
                            & (second.rep_kpis["kpi"] == "revenue")]  # fmt: skip
    computed = dict(zip(month["name"], month["actual"], strict=True))
    by_hand = revenue_by_hand(original)
    assert by_hand and all(v > 0 for v in by_hand.values())
    assert {rep: computed[rep] for rep in by_hand} == pytest.approx(by_hand)
    assert revenue_by_hand(path) == by_hand  # cached formula results survive the refreshes


def soffice() -> str | None:
    found = shutil.which("soffice")
    if found is None and os.environ.get("CI"):
        pytest.fail("LibreOffice (soffice) is missing: .ci/run installs libreoffice-calc-nogui")
    return found


def test_libreoffice_opens_every_refreshed_fixture_and_recalculates_it(tmp_path: Path) -> None:
    program = soffice()
    if program is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    written = []
    for name in FIXTURES:
        folder = tmp_path / Path(name).stem
        folder.mkdir()
        _original, path, _first, second = refreshed(folder, name)
        written.append((path, second))
    out = tmp_path / "csv"
    # comma, double quote, UTF-8 (76), ..., -1: every sheet into a file of its own
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    subprocess.run([program, profile, "--headless", "--convert-to", csv_filter, "--outdir",
                    str(out), *(str(p) for p, _ in written)], check=True, timeout=300,
                   capture_output=True)  # fmt: skip
    for path, report in written:
        rep_kpis = out / f"{path.stem}-Rep KPIs.csv"
        assert rep_kpis.exists(), sorted(p.name for p in out.iterdir())
        with open(rep_kpis, encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert rows[0][:5] == ["Period", "Level", "Name", "KPI", "Actual"]
        assert len(rows) == len(report.rep_kpis) + 1
