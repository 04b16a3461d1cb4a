"""The "Refresh now" checkbox at Sync status!B1: every refresh writes it unticked, a person
ticks it (Google: a checkbox; Excel: TRUE from a drop-down), and `read_cell` sees the tick
cheaply (one API call on Google; one tab's part of an .xlsx) on every backend."""

from __future__ import annotations

import csv
import dataclasses
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import gspread
import openpyxl
import pytest
from gspread.utils import ValidationConditionType

from sheetsync.backends.google import GoogleBackend
from sheetsync.backends.memory import MemoryBackend
from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.config.loading import load_config
from sheetsync.config.values import Config
from sheetsync.demo import make_demo
from sheetsync.pipeline import refresh
from sheetsync.plan import Cell
from sheetsync.report.tabs import REFRESH_CELL
from sheetsync.spreadsheet import cell_position
from sheetsync.testing import FakeSheetsApi
from tests.helpers import config, team_workbook

AS_OF = date(2026, 11, 26)
STATUS = "Sync status"
CHECKBOX = {"condition": {"type": "BOOLEAN"}, "strict": True}


def test_the_checkbox_is_the_first_row_of_sync_status_at_b1() -> None:
    backend = MemoryBackend(team_workbook())
    report = refresh(config(), as_of=AS_OF, backend=backend)
    status = report.plan.tab("sync_status")
    assert status is not None and status.title == STATUS
    assert REFRESH_CELL == "B1" and cell_position(REFRESH_CELL) == (0, 1)
    assert status.rows[0] == (Cell("Refresh now", bold=True), Cell(False, checkbox=True))
    assert [cell.checkbox for row in status.rows for cell in row].count(True) == 1
    assert backend.tabs[STATUS][1][0] == "Last run"


def test_memory_reads_the_tick_and_a_refresh_clears_it() -> None:
    backend = MemoryBackend(team_workbook())
    assert backend.read_cell(STATUS, REFRESH_CELL) is None  # no Sync status yet
    refresh(config(), as_of=AS_OF, backend=backend)
    assert backend.read_cell(STATUS, REFRESH_CELL) is False
    backend.tabs[STATUS][0][1] = True  # a person ticks it
    assert backend.read_cell(STATUS, REFRESH_CELL) is True
    assert backend.read_cell("sync STATUS", "b1") is True  # titles and letters in any case
    refresh(config(), as_of=AS_OF, backend=backend)
    assert backend.read_cell(STATUS, REFRESH_CELL) is False
    assert backend.read_cell(STATUS, "Z99") is None
    with pytest.raises(ValueError, match="not a cell reference"):
        backend.read_cell(STATUS, "B1:C2")


# ---------------------------------------------------------------- Google


def google_setup(fake: FakeSheetsApi, tmp_path: Path) -> tuple[Config, str, Path]:
    sid = fake.create_spreadsheet("Team", team_workbook())
    key = fake.service_account_file(tmp_path)
    base = config()
    source = dataclasses.replace(
        base.source, type="google", spreadsheet=sid, credentials_file=key, path=None
    )
    return dataclasses.replace(base, source=source), sid, key


def validations_sent(fake: FakeSheetsApi) -> list[dict[str, Any]]:
    """The setDataValidation requests of the batchUpdates sent so far."""
    return [
        request["setDataValidation"]
        for call in fake.requests
        if call.path.endswith(":batchUpdate")
        for request in call.json["requests"]
        if "setDataValidation" in request
    ]


def sheet_id(fake: FakeSheetsApi, sid: str, title: str) -> int:
    properties = [sheet["properties"] for sheet in fake.spreadsheet_json(sid)["sheets"]]
    return int(next(p["sheetId"] for p in properties if p["title"] == title))


def test_google_writes_a_checkbox_and_reads_a_tick_in_one_call(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    cfg, sid, key = google_setup(fake, tmp_path)
    report = refresh(cfg, AS_OF)
    b1 = {"sheetId": sheet_id(fake, sid, STATUS), "startRowIndex": 0, "endRowIndex": 1,
          "startColumnIndex": 1, "endColumnIndex": 2}  # fmt: skip
    assert validations_sent(fake) == [{"range": b1, "rule": CHECKBOX}]
    assert report.api_calls == 3
    written = fake.cell(sid, STATUS, "B1")
    assert written["userEnteredValue"] == {"boolValue": False}
    assert written["dataValidation"] == CHECKBOX

    backend = GoogleBackend(sid, key)
    before = fake.api_calls
    assert backend.read_cell(STATUS, REFRESH_CELL) is False
    assert fake.api_calls - before == 1 == backend.api_calls
    (call,) = fake.requests[-1:]
    assert call.method == "GET" and call.params["valueRenderOption"] == ["UNFORMATTED_VALUE"]

    sheet = gspread.service_account(filename=str(key)).open_by_key(sid).worksheet(STATUS)
    sheet.update_acell(REFRESH_CELL, True)  # what a person's tick amounts to
    assert backend.read_cell(STATUS, REFRESH_CELL) is True
    assert backend.api_calls == 2
    assert fake.cell(sid, STATUS, "B1")["dataValidation"] == CHECKBOX

    fake.reset_log()
    assert refresh(cfg, AS_OF).api_calls == 3
    assert validations_sent(fake) == [{"range": b1, "rule": CHECKBOX}]  # on the owned tab too
    assert backend.read_cell(STATUS, REFRESH_CELL) is False
    assert fake.values(sid, STATUS)[0] == ["Refresh now", False]


def test_google_reads_a_missing_tab_as_empty_in_one_call(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    _cfg, sid, key = google_setup(fake, tmp_path)
    backend = GoogleBackend(sid, key)
    assert backend.read_cell(STATUS, REFRESH_CELL) is None
    assert backend.read_cell("Roster", "A1") == "Rep"
    assert backend.read_cell("Roster", "Z900") is None
    assert backend.api_calls == fake.api_calls == 3


def test_google_drops_a_validation_the_plan_no_longer_has(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    cfg, sid, key = google_setup(fake, tmp_path)
    refresh(cfg, AS_OF)
    sheet = gspread.service_account(filename=str(key)).open_by_key(sid).worksheet(STATUS)
    sheet.add_validation("B3", ValidationConditionType.one_of_list, ["x"])
    assert "dataValidation" in fake.cell(sid, STATUS, "B3")
    refresh(cfg, AS_OF)
    assert "dataValidation" not in fake.cell(sid, STATUS, "B3")
    assert fake.cell(sid, STATUS, "B1")["dataValidation"] == CHECKBOX


# ---------------------------------------------------------------- xlsx


def refreshed_demo(tmp_path: Path) -> tuple[Config, Path]:
    cfg = load_config(make_demo(tmp_path / "demo", AS_OF))
    assert cfg.source.path is not None and cfg.source.output_path is None
    refresh(cfg, AS_OF)
    return cfg, cfg.source.path


def validations(path: Path) -> list[tuple[str, str, str]]:
    sheet = openpyxl.load_workbook(path)[STATUS]
    return [(v.type, v.formula1, str(v.sqref)) for v in sheet.data_validations.dataValidation]


def test_xlsx_has_a_true_false_list_and_reads_a_tick_saved_by_another_program(
    tmp_path: Path,
) -> None:
    cfg, path = refreshed_demo(tmp_path)
    backend = XlsxBackend(path)
    assert backend.read_cell(STATUS, REFRESH_CELL) is False
    assert validations(path) == [("list", '"TRUE,FALSE"', "B1")]
    status_xml = status_part(path)
    assert status_xml.index(b"</sheetData>") < status_xml.index(b"<dataValidations")
    assert status_xml.index(b"</dataValidations>") < status_xml.index(b"<pageMargins")

    book = openpyxl.load_workbook(path)
    book[STATUS][REFRESH_CELL] = True  # a person picks TRUE in Excel and saves
    book.save(path)
    assert backend.read_cell(STATUS, REFRESH_CELL) is True
    assert backend.read_cell("sync status", REFRESH_CELL) is True
    assert backend.read_cell(STATUS, "A1") == "Refresh now"  # a shared string once saved

    refresh(cfg, AS_OF)
    assert backend.read_cell(STATUS, REFRESH_CELL) is False
    assert validations(path) == [("list", '"TRUE,FALSE"', "B1")]


def status_part(path: Path) -> bytes:
    """The XML of the one worksheet part that holds the Refresh now row."""
    with zipfile.ZipFile(path) as archive:
        parts = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        found = [archive.read(n) for n in parts if b"Refresh now" in archive.read(n)]
    assert len(found) == 1
    return found[0]


def test_xlsx_reads_the_output_workbook_and_nothing_missing(tmp_path: Path) -> None:
    cfg, path = refreshed_demo(tmp_path)
    out = tmp_path / "out.xlsx"
    backend = XlsxBackend(path, output_path=out)
    assert backend.read_cell(STATUS, REFRESH_CELL) is None  # no output workbook yet
    refresh(cfg, AS_OF, backend=backend)
    assert backend.read_cell(STATUS, REFRESH_CELL) is False
    assert backend.read_cell("No such tab", REFRESH_CELL) is None
    assert backend.read_cell(STATUS, "A2") == "Last run"
    assert backend.read_cell(STATUS, "C1") is None
    assert backend.read_cell(STATUS, "B999") is None
    assert XlsxBackend(tmp_path / "missing.xlsx").read_cell(STATUS, REFRESH_CELL) is None


def test_xlsx_reads_cells_as_the_grid_reader_does(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Data"
    sheet.append(["text", 2.5, True, None, 7, False])
    sheet["A3"] = "  spaced  "
    sheet["C3"] = date(2026, 11, 26)
    sheet["B4"] = "=1+1"  # saved without a cached result: empty, as for the grid reader
    book.create_sheet("Other")["A1"] = "elsewhere"
    book.save(path)
    backend = XlsxBackend(path)
    grid = backend.read(lambda titles: ["Data"]).grids["Data"]  # calamine's reading
    for row in range(4):
        for column in range(6):
            ref = f"{'ABCDEF'[column]}{row + 1}"
            cells = grid[row] if row < len(grid) else []
            expected = cells[column] if column < len(cells) else None
            assert backend.read_cell("Data", ref) == expected, ref
            assert type(backend.read_cell("Data", ref)) is type(expected), ref
    assert backend.read_cell("Data", "A1") == "text" and backend.read_cell("Data", "F1") is False
    assert backend.read_cell("Other", "A1") == "elsewhere"


def test_libreoffice_opens_the_workbook_and_keeps_the_drop_down(tmp_path: Path) -> None:
    program = shutil.which("soffice")
    if program is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    _cfg, path = refreshed_demo(tmp_path)
    copy = tmp_path / "copy" / "team.xlsx"  # a copy: LibreOffice may leave lock files
    copy.parent.mkdir()
    shutil.copy(path, copy)
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"

    def convert(target: str, folder: Path) -> None:
        subprocess.run([program, profile, "--headless", "--convert-to", target, "--outdir",
                        str(folder), str(copy)], check=True, timeout=300,
                       capture_output=True)  # fmt: skip

    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    convert(csv_filter, tmp_path / "csv")
    with open(tmp_path / "csv" / f"team-{STATUS}.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Refresh now", "FALSE"] and rows[1][0] == "Last run"
    convert("xlsx", tmp_path / "saved")
    saved = tmp_path / "saved" / "team.xlsx"
    assert validations(saved) == [("list", '"TRUE,FALSE"', "B1")]
    assert XlsxBackend(saved).read_cell(STATUS, REFRESH_CELL) is False
    assert XlsxBackend(saved).read_cell(STATUS, "A1") == "Refresh now"


def test_the_daemon_reads_the_checkbox_of_a_renamed_sync_status(tmp_path: Path) -> None:
    """Renamed, Sync status keeps its mark: the refresh writes it under its new name, and the
    daemon polls the checkbox there (the tab the last refresh wrote)."""
    from sheetsync.daemon.runner import Sheet

    cfg, path = refreshed_demo(tmp_path)
    sheet = Sheet(cfg)
    assert sheet.run("scheduled").result == "written"
    book = openpyxl.load_workbook(path)
    book[STATUS].title = "Status (ours)"  # a person renames it in Excel and ticks the box
    book["Status (ours)"][REFRESH_CELL] = True
    book.save(path)
    assert sheet.checkbox_ticked() is False  # not read yet: the daemon knows the old name
    assert sheet.run("checkbox").result == "written"
    assert STATUS not in openpyxl.load_workbook(path).sheetnames  # written under the new name
    book = openpyxl.load_workbook(path)
    book["Status (ours)"][REFRESH_CELL] = True
    book.save(path)
    assert sheet.checkbox_ticked() is True
