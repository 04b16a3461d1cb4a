"""Writes stay all or nothing while the fake copies only what a write changes (cells are shared
copy-on-write between the state and a write's working copy)."""

from __future__ import annotations

from typing import Any

import gspread
import pytest

from sheetsync.testing import FakeSheetsApi


def box(r0: int, r1: int, c0: int, c1: int, sheet_id: int = 0) -> dict[str, int]:
    return {
        "sheetId": sheet_id,
        "startRowIndex": r0,
        "endRowIndex": r1,
        "startColumnIndex": c0,
        "endColumnIndex": c1,
    }


def repeat(rng: dict[str, int], cell: dict[str, Any], fields: str) -> dict[str, Any]:
    return {"repeatCell": {"range": rng, "cell": cell, "fields": fields}}


BOLD = {"userEnteredFormat": {"textFormat": {"bold": True}}}
CHECKBOX = {"condition": {"type": "BOOLEAN"}}
TWO_ROWS = {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 2}


def test_a_failed_batch_leaves_every_cell_format_and_size_as_it_was(
    fake: FakeSheetsApi, client: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("S", {"Sheet1": [["b", 2, "x"], ["a", 1], ["c", 3, "y"]]})
    sheet = client.open_by_key(sid)
    sheet.batch_update({"requests": [repeat(box(0, 3, 0, 2), BOLD, "userEnteredFormat")]})
    before = fake.spreadsheet_json(sid, include_grid_data=True)
    changes: list[dict[str, Any]] = [
        {
            "updateCells": {
                "range": box(0, 2, 0, 3),
                "rows": [{"values": [{"userEnteredValue": {"stringValue": "new"}}]}],
                "fields": "userEnteredValue,userEnteredFormat",
            }
        },
        repeat(
            box(0, 3, 0, 3),
            {"userEnteredFormat": {"textFormat": {"italic": True}}},
            "userEnteredFormat.textFormat.italic",
        ),
        {"setDataValidation": {"range": box(2, 3, 0, 1), "rule": CHECKBOX}},
        {"sortRange": {"range": box(0, 3, 0, 3), "sortSpecs": [{"dimensionIndex": 1}]}},
        {"cutPaste": {"source": box(0, 1, 0, 3), "destination": {"sheetId": 0, "rowIndex": 5}}},
        {"mergeCells": {"range": box(2, 3, 0, 2), "mergeType": "MERGE_ALL"}},
        {"insertDimension": {"range": TWO_ROWS}},
        {"deleteSheet": {"sheetId": 999}},  # fails: nothing above may stay
    ]
    with pytest.raises(gspread.exceptions.APIError):
        sheet.batch_update({"requests": changes})
    assert fake.spreadsheet_json(sid, include_grid_data=True) == before
    assert fake.values(sid, "Sheet1") == [["b", 2, "x"], ["a", 1], ["c", 3, "y"]]
    sheet.batch_update({"requests": changes[:-1]})  # the same changes, kept this time
    assert fake.spreadsheet_json(sid, include_grid_data=True) != before
    # By hand: "new" in A1 and rows 1-2 cleared; sorted by B (blanks last): c 3 y, new,
    # blank; row 1 cut to row 6; two rows inserted on top.
    assert fake.values(sid, "Sheet1") == [[], [], [], ["new"], [], [], [], ["c", 3, "y"]]


def test_cells_written_from_one_format_do_not_change_together(
    fake: FakeSheetsApi, client: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("S", {"Sheet1": [[1], [2]]})
    sheet = client.open_by_key(sid)
    sheet.batch_update({"requests": [repeat(box(0, 2, 0, 1), BOLD, "userEnteredFormat")]})
    italic = {"userEnteredFormat": {"textFormat": {"italic": True}}}
    sheet.batch_update(
        {"requests": [repeat(box(0, 1, 0, 1), italic, "userEnteredFormat.textFormat.italic")]}
    )
    assert fake.cell(sid, "Sheet1", "A1")["userEnteredFormat"] == {
        "textFormat": {"bold": True, "italic": True}
    }
    assert fake.cell(sid, "Sheet1", "A2")["userEnteredFormat"] == {"textFormat": {"bold": True}}
    sheet.values_update("Sheet1!A2", {"valueInputOption": "RAW"}, {"values": [["two"]]})
    assert fake.cell(sid, "Sheet1", "A1")["userEnteredValue"] == {"numberValue": 1}
    assert fake.values(sid, "Sheet1") == [[1], ["two"]]
