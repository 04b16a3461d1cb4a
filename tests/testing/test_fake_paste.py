"""copyPaste and cutPaste in the fake share what they paste with the source cells instead of
copying it (cells are never changed in place, see sheetsync/testing/_sheet.py): a later write
to a pasted cell, a failed batch, or a write to the source, never shows in the other cells."""

from __future__ import annotations

from typing import Any

import gspread
import pytest

from sheetsync.testing import FakeSheetsApi


def box(r0: int, r1: int, c0: int, c1: int) -> dict[str, int]:
    return {"sheetId": 0, "startRowIndex": r0, "endRowIndex": r1,
            "startColumnIndex": c0, "endColumnIndex": c1}  # fmt: skip


def paste(source: dict[str, int], destination: dict[str, int], kind: str) -> dict[str, Any]:
    return {"copyPaste": {"source": source, "destination": destination, "pasteType": kind}}


MONEY = {"numberFormat": {"type": "CURRENCY", "pattern": '"$"#,##0'}, "textFormat": {"bold": True}}
ITALIC = {"userEnteredFormat": {"textFormat": {"italic": True}}}


def italic(rng: dict[str, int]) -> dict[str, Any]:
    return {"repeatCell": {"range": rng, "cell": ITALIC,
                           "fields": "userEnteredFormat.textFormat.italic"}}  # fmt: skip


@pytest.mark.parametrize("kind", ["PASTE_NORMAL", "PASTE_FORMAT", "PASTE_VALUES"])
def test_pasted_cells_change_apart_from_their_source(
    fake: FakeSheetsApi, client: gspread.Client, kind: str
) -> None:
    sid = fake.create_spreadsheet("S", {"Sheet1": [[1.5, "a"], [2, "b"], [None, "c"]]})
    sheet = client.open_by_key(sid)
    formats = {"repeatCell": {"range": box(0, 2, 0, 1), "cell": {"userEnteredFormat": MONEY},
                              "fields": "userEnteredFormat"}}  # fmt: skip
    sheet.batch_update({"requests": [formats, paste(box(0, 2, 0, 2), box(4, 10, 0, 2), kind)]})
    source = [fake.cell(sid, "Sheet1", a1) for a1 in ("A1", "A2", "B1")]
    pasted = [fake.cell(sid, "Sheet1", f"{col}{row}") for row in range(5, 11) for col in "AB"]
    sheet.batch_update({"requests": [italic(box(4, 5, 0, 2)), italic(box(0, 1, 1, 2))]})
    sheet.values_update("Sheet1!A6", {"valueInputOption": "RAW"}, {"values": [[7]]})
    assert [fake.cell(sid, "Sheet1", a1) for a1 in ("A1", "A2")] == source[:2]
    assert fake.cell(sid, "Sheet1", "B1")["userEnteredFormat"] == ITALIC["userEnteredFormat"]
    assert "userEnteredFormat" not in source[2]
    after = [fake.cell(sid, "Sheet1", f"{col}{row}") for row in range(5, 11) for col in "AB"]
    changed = [i for i, (was, now) in enumerate(zip(pasted, after, strict=True)) if was != now]
    assert changed == [0, 1, 2]  # A5 and B5 made italic, A6 given a value: no other cell
    if kind != "PASTE_VALUES":
        assert after[4]["userEnteredFormat"] == {**MONEY}  # A7 still as pasted (a copy of A1)
        assert after[0]["userEnteredFormat"]["textFormat"] == {"bold": True, "italic": True}
    pasted_values = [[1.5, "a"], [7, "b"], [1.5, "a"], [2, "b"], [1.5, "a"], [2, "b"]]
    expected = [[], [7]] if kind == "PASTE_FORMAT" else pasted_values
    assert fake.values(sid, "Sheet1")[4:] == expected
    assert fake.values(sid, "Sheet1")[:3] == [[1.5, "a"], [2, "b"], ["", "c"]]


def test_a_failed_batch_leaves_pasted_and_source_cells_as_they_were(
    fake: FakeSheetsApi, client: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("S", {"Sheet1": [[1, "x"], [2, "y"]]})
    sheet = client.open_by_key(sid)
    money = {"repeatCell": {"range": box(2, 4, 0, 2), "cell": {"userEnteredFormat": MONEY},
                            "fields": "userEnteredFormat"}}  # fmt: skip
    sheet.batch_update({"requests": [paste(box(0, 2, 0, 2), box(2, 6, 0, 2), "PASTE_NORMAL"),
                                     money]})  # fmt: skip
    before = fake.spreadsheet_json(sid, include_grid_data=True)
    changes = [
        paste(box(2, 4, 0, 2), box(0, 2, 0, 2), "PASTE_FORMAT"),  # onto cells with values
        paste(box(0, 2, 1, 2), box(2, 4, 0, 1), "PASTE_VALUES"),  # onto cells with formats
        {"cutPaste": {"source": box(4, 6, 0, 2), "destination": {"sheetId": 0, "rowIndex": 8}}},
        italic(box(0, 10, 0, 2)),
        {"deleteSheet": {"sheetId": 999}},  # fails: nothing above may stay
    ]
    with pytest.raises(gspread.exceptions.APIError):
        sheet.batch_update({"requests": changes})
    assert fake.spreadsheet_json(sid, include_grid_data=True) == before
    sheet.batch_update({"requests": changes[:3]})
    assert fake.values(sid, "Sheet1") == [[1, "x"], [2, "y"], ["x", "x"], ["y", "y"],
                                          [], [], [], [], [1, "x"], [2, "y"]]  # fmt: skip
    assert fake.cell(sid, "Sheet1", "A1")["userEnteredFormat"] == MONEY
    assert fake.cell(sid, "Sheet1", "A3")["userEnteredFormat"] == MONEY
    assert "userEnteredFormat" not in fake.cell(sid, "Sheet1", "A9")


def test_a_transposed_paste_turns_rows_into_columns(
    fake: FakeSheetsApi, client: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("S", {"Sheet1": [[1, 2, 3], [4, 5, 6]]})
    request = paste(box(0, 2, 0, 3), box(3, 6, 0, 2), "PASTE_VALUES")
    request["copyPaste"]["pasteOrientation"] = "TRANSPOSE"
    client.open_by_key(sid).batch_update({"requests": [request]})
    unformatted = gspread.utils.ValueRenderOption.unformatted
    values = client.open_by_key(sid).sheet1.get("A4:B6", value_render_option=unformatted)
    assert values == [[1, 4], [2, 5], [3, 6]]
