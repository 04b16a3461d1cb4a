"""No text written to an output tab is longer than Excel's cell limit, 32,767 characters: a
longer one (a Data issues row quoting a huge cell) is cut to end in "…", on both backends."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl

from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.pipeline import refresh
from sheetsync.plan import fit_text
from sheetsync.testing import FakeSheetsApi
from tests.helpers import activity, config, team_workbook
from tests.test_google_backend import google_config

LIMIT = 32_767  # Excel: "Total number of characters that a cell can contain: 32,767"
HUGE = "x" * 40_000
OUTPUT_TABS = ("Summary", "Ranking", "Meeting brief", "Rep KPIs", "Data issues", "Sync status")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_text_that_fits_is_kept_and_longer_text_is_cut_to_end_in_an_ellipsis() -> None:
    assert fit_text("a" * LIMIT) == "a" * LIMIT
    assert fit_text("a" * (LIMIT + 1)) == "a" * (LIMIT - 1) + "…"
    assert fit_text(HUGE) == "x" * (LIMIT - 1) + "…"


def test_characters_outside_the_basic_plane_count_twice_and_are_never_cut_in_half() -> None:
    emoji = "\U0001f600"  # two UTF-16 code units, as Excel counts it
    fitting = emoji * (LIMIT // 2)  # 32,766 units
    assert fit_text(fitting) == fitting
    cut = fit_text("a" + emoji * 20_000)  # 40,001 units; 32,766 kept are "a" + 16,382 emoji + half
    assert cut == "a" + emoji * 16_382 + "…"
    assert utf16_length(cut) == LIMIT - 1
    cut.encode("utf-8")  # no lone surrogate left


def workbook_with_a_huge_cell() -> dict[str, Any]:
    tabs: dict[str, Any] = team_workbook()
    tabs["Rep - Anna Nowak"] = activity(
        ["2026-11-02", HUGE, 2, 1, 1000, "Acme"],  # B2: 40,000 characters, no number
        ["2026-11-03", 20, 2, 0, 0, "Globex"],
    )
    return tabs


def check_data_issues(rows: list[list[Any]], value_shown: str) -> None:
    header, *body = rows
    problem, value = header.index("Problem"), header.index("Value")
    row = next(r for r in body if r[2] == "B2")
    assert row[value] == value_shown
    assert row[problem].startswith("expected a number, got 'xxx")
    assert row[problem].endswith("x…")
    assert len(row[problem]) == LIMIT


def check_all_texts_fit(tabs: dict[str, list[list[Any]]]) -> None:
    for title, rows in tabs.items():
        for row in rows:
            for cell in row:
                assert not isinstance(cell, str) or utf16_length(cell) <= LIMIT, title


def test_xlsx_output_cells_hold_at_most_32767_characters(tmp_path: Path) -> None:
    path = tmp_path / "team.xlsx"
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in workbook_with_a_huge_cell().items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    refresh(config(folder=tmp_path), as_of=date(2026, 11, 3), backend=XlsxBackend(path))
    written = openpyxl.load_workbook(path)
    tabs = {t: [[c.value for c in r] for r in written[t].iter_rows()] for t in OUTPUT_TABS}
    check_all_texts_fit(tabs)
    # an xlsx cell holds 32,767 characters (openpyxl saved the first 32,767 of HUGE): the value
    # fits as it is, the problem quoting it does not
    assert written["Rep - Anna Nowak"]["B2"].value == "x" * LIMIT
    check_data_issues(tabs["Data issues"], "x" * LIMIT)


def test_google_output_cells_hold_at_most_32767_characters(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    sid = fake.create_spreadsheet("Team", workbook_with_a_huge_cell())
    key = fake.service_account_file(tmp_path)
    refresh(google_config(key, sid), as_of=date(2026, 11, 3))
    tabs = {title: fake.values(sid, title) for title in OUTPUT_TABS}
    check_all_texts_fit(tabs)
    check_data_issues(tabs["Data issues"], "x" * (LIMIT - 1) + "…")  # Google holds 50,000
