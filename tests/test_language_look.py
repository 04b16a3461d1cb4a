"""A Polish Summary and Ranking: Polish headers, statuses coloured by their Polish words, and
LibreOffice showing the money as `1 234,50 zł` in a real workbook."""

from __future__ import annotations

import csv
import re
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from sheetsync.backends.xlsx.styles import localised
from sheetsync.cli import main
from sheetsync.demo import make_demo
from sheetsync.pipeline import refresh
from sheetsync.plan import TabPlan
from tests.helpers import MemoryBackend, config, team_workbook
from tests.lookrules import tone
from tests.test_xlsx_fixtures import soffice

AS_OF = date(2026, 11, 10)
POLISH = "output: {language: pl}\n"


def _polish_tab(key: str) -> TabPlan:
    backend = MemoryBackend(team_workbook())
    refresh(config(POLISH), as_of=AS_OF, backend=backend, now=datetime(2026, 11, 10, 9))
    tab = backend.written[-1].tab(key)
    assert tab is not None
    return tab


def test_the_polish_summary_has_polish_headers_and_coloured_polish_statuses() -> None:
    summary = _polish_tab("summary")
    assert summary.title == "Podsumowanie"
    assert summary.rows[0][0].value == "KPI sprzedaży, stan na 10.11.2026"
    headings = [c.value for c in summary.rows[1] if c.value]
    assert headings == ["Miesiąc 2026-11", "Kwartał 2026-Q4", "Rok 2026"]
    assert [c.value for c in summary.rows[2][:6]] == [
        "KPI", "Wykonanie", "Plan", "Realizacja", "Oczekiwane", "Status",
    ]  # fmt: skip
    total = next(r for r, row in enumerate(summary.rows) if row and row[0].value == "Razem")
    calls = summary.rows[total + 1]
    assert (calls[0].value, calls[1].value, calls[5].value) == ("Calls", 35, "Poniżej planu")
    assert tone(summary, total + 1, 5) == "bad" and tone(summary, total + 1, 3) == "bad"
    south = next(r for r, row in enumerate(summary.rows) if row and row[0].value == "South")
    assert summary.rows[south + 4][5].value == "Zgodnie z planem"  # revenue, on track
    assert tone(summary, south + 4, 5) == "good"
    assert summary.rows[south + 4][1].number_format == '#,##0.00 "zł"'


def test_the_polish_ranking_and_its_chart() -> None:
    ranking = _polish_tab("ranking")
    header = [c.value for c in ranking.rows[0]]
    assert header[:4] == ["Miejsce", "Handlowiec", "Zespół", "Wynik"]
    assert header[-2:] == ["100% celu", "Uwagi"]
    (chart,) = ranking.charts
    assert chart.title == "Wynik handlowców"
    assert [s.title for s in chart.series] == ["Wynik", "100% celu"]


def test_libreoffice_shows_the_polish_summary_with_polish_money(tmp_path: Path) -> None:
    """The demo refreshed in Polish, opened by LibreOffice (on this machine's locale, whatever
    it is) and saved as shown: money reads `313 000,00 zł`, counts `1 921`, percentages
    `96,1%` (the xlsx's number formats carry the Polish locale tag), statuses are Polish."""
    program = soffice()
    if program is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    path = make_demo(tmp_path / "demo", date(2026, 11, 26))
    text = path.read_text("utf-8")
    block = text[text.index("output:\n") : text.index("history: KPI history\n") + 21]
    text = text.replace(block, "output:\n  language: pl\n")
    text = re.sub(r"\n  currency_format: .*\n", "\n", text)  # the language's currency
    path.write_text(text, "utf-8")
    assert main(["refresh", "--config", str(path), "--as-of", "2026-11-26", "--quiet"]) == 0
    workbook = tmp_path / "demo" / "demo-team.xlsx"
    sheet = openpyxl.load_workbook(workbook, read_only=True).sheetnames.index("Podsumowanie") + 1
    # comma, double quote, UTF-8 (76), first line 1, ..., save cell contents as shown, one sheet
    shown = f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,{sheet}"
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    out = tmp_path / "csv"
    subprocess.run([program, profile, "--headless", "--convert-to", shown, "--outdir", str(out),
                    str(workbook)], check=True, timeout=300, capture_output=True)  # fmt: skip
    (written,) = out.glob("*.csv")
    rows = list(csv.reader(written.read_text(encoding="utf-8").splitlines()))
    assert rows[0][0] == "KPI sprzedaży, stan na 26.11.2026"
    revenue = next(row for row in rows if row and row[0] == "Revenue")
    assert re.fullmatch(r"\d{1,3}(\u00a0\d{3})+,00 zł", revenue[1]), revenue[1]
    calls = next(row for row in rows if row and row[0] == "Calls")
    assert re.fullmatch(r"\d\u00a0\d{3}", calls[1]), calls[1]  # 1 921: grouped the Polish way
    assert re.fullmatch(r"\d+,\d%", calls[3]), calls[3]  # attainment: a decimal comma
    statuses = {cell for row in rows for cell in row}
    assert "Zgodnie z planem" in statuses


def test_number_formats_get_the_locale_tag_unless_they_have_one() -> None:
    assert localised('#,##0.00 "zł"', "415") == '[$-415]#,##0.00 "zł"'
    assert localised("0.0%", "415") == "[$-415]0.0%"
    assert localised("[$€-407] #,##0.00", "415") == "[$€-407] #,##0.00"
    assert localised("General", "415") == "General"
    assert localised("#,##0", "") == "#,##0"
