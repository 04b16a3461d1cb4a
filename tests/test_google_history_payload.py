"""History's snapshot rows written as compactly as an output tab's cells (google/layout.py):
every History cell still holds the value and format it would have written on its own
(`cell_data`), on a new History and on each kind of edit, and a snapshot of a few hundred reps
weighs a fraction of what the per-cell rows did."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import gspread

from sheetsync.backends.google.cell_data import cell_data
from sheetsync.backends.google.payload import ADVISED_BYTES, encode
from sheetsync.backends.google.read import SheetInfo
from sheetsync.backends.google.reuse import MIN_VALUES, pasted_bands
from sheetsync.backends.google.write import history_requests
from sheetsync.pipeline import refresh
from sheetsync.plan import Cell, HistorySnapshot, TabPlan
from sheetsync.spreadsheet import date_to_serial
from sheetsync.testing import FakeSheetsApi
from tests.helpers import MemoryBackend, config, team_workbook
from tests.test_google_backend import google_config, synthetic_workbook
from tests.test_google_history import HISTORY, run
from tests.test_google_payload import assert_cells_as_alone, grids_of

Rows = tuple[tuple[Cell, ...], ...]


def history_id(fake: FakeSheetsApi, sid: str) -> int:
    sheets = fake.spreadsheet_json(sid)["sheets"]
    return next(int(s["properties"]["sheetId"]) for s in sheets
                if s["properties"]["title"] == HISTORY)  # fmt: skip


def history_part(fake: FakeSheetsApi, sid: str) -> list[dict[str, Any]]:
    """The requests of the last batchUpdate that act on History."""
    write = [r.json for r in fake.requests if r.path.endswith(":batchUpdate")][-1]
    mark = re.compile(rf'"sheetId": {history_id(fake, sid)}\b')
    return [request for request in write["requests"] if mark.search(json.dumps(request))]


def expected_history(header: tuple[Cell, ...], days: dict[date, Rows]) -> TabPlan:
    """History as it should be: the header, then each snapshot's rows in date order."""
    rows = [row for day in sorted(days) for row in days[day]]
    return TabPlan("history", HISTORY, (header, *rows), header_rows=1)


def test_every_history_cell_holds_what_it_would_alone_on_a_new_tab_and_each_edit(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    sid = fake.create_spreadsheet("Team", synthetic_workbook(12))
    key = fake.service_account_file(tmp_path)
    cfg = google_config(key, sid, config())
    days: dict[date, Rows] = {}
    # a new History; appended at its end; inserted between two days; the same day again
    # (inserted before the old rows are deleted) after the activity changed
    for day, edit in ((24, None), (26, "appendDimension"), (25, "insertDimension"),
                      (25, "insertDimension")):  # fmt: skip
        if len(days) == 3:
            tab = gspread.service_account(filename=str(key)).open_by_key(sid)
            tab.worksheet("Rep - Rep 003").append_row([46330, 99, 9, 9, 99999, "Initech"])
        report = run(cfg, day)
        snapshot = report.plan.history
        assert snapshot is not None and report.api_calls == 3
        days[snapshot.day] = snapshot.rows
        part = history_part(fake, sid)
        kinds = {next(iter(request)) for request in part}
        assert {"updateCells", "repeatCell", "copyPaste"} <= kinds
        assert edit is None or edit in kinds
        stored = grids_of(fake, sid)[HISTORY]
        filled = assert_cells_as_alone(stored, expected_history(snapshot.header, days))
        assert filled > 5 * sum(map(len, days.values()))  # 11 columns, some blank
        assert len(stored) == 1 + sum(map(len, days.values()))
    assert days[date(2026, 11, 25)] != days[date(2026, 11, 24)]


def test_a_history_with_conditional_formats_gets_its_formats_without_format_copies(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    sid = fake.create_spreadsheet("Team", team_workbook())
    key = fake.service_account_file(tmp_path)
    cfg = google_config(key, sid, config())
    first = run(cfg, 24).plan.history
    assert first is not None
    assert "copyPaste" in {next(iter(request)) for request in history_part(fake, sid)}
    rule = {"ranges": [{"sheetId": history_id(fake, sid), "startRowIndex": 1,
                        "startColumnIndex": 7, "endColumnIndex": 8}],
            "booleanRule": {"condition": {"type": "NUMBER_LESS",
                                          "values": [{"userEnteredValue": "0.5"}]},
                            "format": {"textFormat": {"italic": True}}}}  # fmt: skip
    spreadsheet = gspread.service_account(filename=str(key)).open_by_key(sid)
    spreadsheet.batch_update({"requests": [{"addConditionalFormatRule": {"rule": rule}}]})
    second = run(cfg, 25).plan.history
    assert second is not None
    requests = history_part(fake, sid)
    kinds = {next(iter(request)) for request in requests}
    pastes = {r["copyPaste"]["pasteType"] for r in requests if "copyPaste" in r}
    assert pastes <= {"PASTE_VALUES"} and "repeatCell" in kinds  # values from Rep KPIs only
    days = {first.day: first.rows, second.day: second.rows}
    assert_cells_as_alone(grids_of(fake, sid)[HISTORY], expected_history(first.header, days))
    history = next(s for s in fake.spreadsheet_json(sid)["sheets"]
                   if s["properties"]["title"] == HISTORY)  # fmt: skip
    assert len(history["conditionalFormats"]) == 1


def test_a_snapshot_of_hundreds_of_reps_weighs_a_fraction_of_its_cells_one_by_one() -> None:
    workbook = synthetic_workbook(300)
    report = refresh(config(), date(2026, 11, 26), backend=MemoryBackend(workbook), snapshot=True)
    snapshot = report.plan.history
    assert snapshot is not None and len(snapshot.rows) > 8000
    rows = len(snapshot.rows)
    yesterday = date_to_serial(date(2026, 11, 25))
    sheet = SheetInfo(sheet_id=77, title=HISTORY, index=5, rows=rows + 1, columns=11,
                      owned=True, output="history",
                      history_index=f"v1;{int(yesterday)}x{rows}")  # fmt: skip
    edit = history_requests(snapshot, [sheet], [yesterday] * rows)
    new_tab = history_requests(snapshot, [], None)
    size, per_cell = len(encode(edit)), len(encode(_one_by_one(snapshot, edit)))
    assert size * 3 < per_cell  # about a quarter
    assert size < ADVISED_BYTES / 2 and size <= len(encode(new_tab))
    assert next(iter(edit[0])) == "appendDimension"
    assert next(iter(edit[-1])) == "updateDeveloperMetadata"


CELL_KINDS = ("updateCells", "repeatCell", "copyPaste")


def _one_by_one(snapshot: HistorySnapshot, edit: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same edit with the snapshot's cells written as they were before: one updateCells
    at the first inserted row, each cell with its own format."""
    cells_at = next(r["updateCells"] for r in edit if "updateCells" in r)
    first = cells_at.get("range") or {"startRowIndex": cells_at["start"]["rowIndex"]}
    start = {"sheetId": 77, "rowIndex": first["startRowIndex"], "columnIndex": 0}
    cells = [{"values": [cell_data(cell) for cell in row]} for row in snapshot.rows]
    alone = {"updateCells": {"start": start, "rows": cells,
                             "fields": "userEnteredValue,userEnteredFormat"}}  # fmt: skip
    return [alone, *(r for r in edit if next(iter(r)) not in CELL_KINDS)]


def test_a_snapshot_pastes_the_values_it_shares_with_rep_kpis(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    """Period, level, name, actual, target, attainment, pace and status come from Rep KPIs,
    written earlier in the same batchUpdate, by copyPaste; every History cell still holds what
    it would hold written alone; without Rep KPIs, the same History cell by cell."""
    sid = fake.create_spreadsheet("Team", synthetic_workbook(40))
    key = fake.service_account_file(tmp_path)
    cfg = google_config(key, sid, config())
    first = run(cfg, 25).plan.history
    second = run(cfg, 26).plan.history
    assert first is not None and second is not None
    pasted = [r["copyPaste"] for r in history_part(fake, sid) if "copyPaste" in r]
    kpis = next(int(s["properties"]["sheetId"]) for s in fake.spreadsheet_json(sid)["sheets"]
                if s["properties"]["title"] == "Rep KPIs")  # fmt: skip
    across = [(p["source"]["startColumnIndex"], p["destination"]["startColumnIndex"],
               p["destination"]["endColumnIndex"]) for p in pasted
              if p["source"]["sheetId"] == kpis]  # fmt: skip
    assert across == [(0, 1, 4), (4, 5, 7), (7, 7, 8), (9, 8, 10)]  # Rep KPIs A:C, E:F, H, J:K
    with_paste = len(encode(history_part(fake, sid)))
    days = {first.day: first.rows, second.day: second.rows}
    assert_cells_as_alone(grids_of(fake, sid)[HISTORY], expected_history(first.header, days))

    tabs = {key: title for key, title in cfg.output.tabs.items() if key != "rep_kpis"}
    alone = dataclasses.replace(cfg, output=dataclasses.replace(cfg.output, tabs=tabs))
    third = run(alone, 27).plan.history
    assert third is not None
    own = history_id(fake, sid)
    assert all(r["copyPaste"]["source"]["sheetId"] == own
               for r in history_part(fake, sid) if "copyPaste" in r)  # fmt: skip
    assert len(encode(history_part(fake, sid))) > 4 * with_paste
    days[third.day] = third.rows
    assert_cells_as_alone(grids_of(fake, sid)[HISTORY], expected_history(first.header, days))


def test_a_column_is_pasted_only_where_every_value_is_the_same_kind() -> None:
    source = [(Cell(f"Rep {n}"), Cell(n % 2), Cell(n * 1.5), Cell(n % 2 == 0)) for n in range(40)]
    rows = [(Cell("x"), Cell(f"Rep {n}"), Cell(n % 2 == 1), Cell(n * 1.5), Cell(n % 2 == 0))
            for n in range(40)]  # fmt: skip
    # the booleans of column 2 equal source column 1 in Python (True == 1), not in a cell
    assert pasted_bands(rows, source) == [(1, 2, 0), (3, 5, 2)]
    assert pasted_bands(rows[:39], source) == []  # not row for row
    few = [(Cell(n), Cell(None)) for n in range(MIN_VALUES - 1)]
    assert pasted_bands(few, few) == []
