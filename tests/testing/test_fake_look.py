"""The fake refuses the conditional format rules, charts and frozen panes Google refuses
(as the discovery document's descriptions state them), and echoes what it keeps as Google
does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gspread
import pytest

from sheetsync.testing import FakeSheetsApi


@pytest.fixture
def sheet(fake: FakeSheetsApi, tmp_path: Path) -> gspread.Spreadsheet:
    client = gspread.service_account(filename=fake.service_account_file(tmp_path))
    sid = fake.create_spreadsheet("S", {"Data": [["Rep", "Score"], ["Anna", 1], ["Ben", 2]]})
    return client.open_by_key(sid)


def cells(top: int = 1, bottom: int = 3, left: int = 1, right: int = 2) -> dict[str, int]:
    return {
        "sheetId": 0,
        "startRowIndex": top,
        "endRowIndex": bottom,
        "startColumnIndex": left,
        "endColumnIndex": right,
    }


def rule(fmt: dict[str, Any], formula: str = "=B2>1", kind: str = "CUSTOM_FORMULA") -> Any:
    condition = {"type": kind, "values": [{"userEnteredValue": formula}]}
    return {
        "addConditionalFormatRule": {
            "index": 0,
            "rule": {"ranges": [cells()], "booleanRule": {"condition": condition, "format": fmt}},
        }
    }


def chart(kind: str, *series: dict[str, Any], domain: dict[str, int] | None = None) -> Any:
    basic: dict[str, Any] = {"chartType": kind, "series": list(series)}
    if domain is not None:
        basic["domains"] = [{"domain": {"sourceRange": {"sources": [domain]}}}]
    anchor = {"sheetId": 0, "rowIndex": 0, "columnIndex": 3}
    return {
        "addChart": {
            "chart": {
                "spec": {"basicChart": basic},
                "position": {"overlayPosition": {"anchorCell": anchor}},
            }
        }
    }


def series(kind: str | None = None, axis: str | None = None, **box: int) -> dict[str, Any]:
    data: dict[str, Any] = {"series": {"sourceRange": {"sources": [cells(**box)]}}}
    if kind:
        data["type"] = kind
    if axis:
        data["targetAxis"] = axis
    return data


def refused(sheet: gspread.Spreadsheet, request: Any) -> str:
    with pytest.raises(gspread.exceptions.APIError) as exc:
        sheet.batch_update({"requests": [request]})
    message: str = exc.value.response.json()["error"]["message"]
    return message


RED = {"red": 1}


def test_a_rule_is_kept_with_its_colour_styles(
    fake: FakeSheetsApi, sheet: gspread.Spreadsheet
) -> None:
    sheet.batch_update(
        {"requests": [rule({"backgroundColor": RED, "textFormat": {"foregroundColor": RED}})]}
    )
    (stored,) = fake.spreadsheet_json(sheet.id)["sheets"][0]["conditionalFormats"]
    fmt = stored["booleanRule"]["format"]
    assert fmt["backgroundColorStyle"] == {"rgbColor": RED}
    assert fmt["textFormat"]["foregroundColorStyle"] == {"rgbColor": RED}


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"addConditionalFormatRule": {"rule": {"ranges": [cells()]}}}, "exactly one of"),
        (rule({"numberFormat": {"type": "PERCENT"}}), "can only apply"),
        (rule({"textFormat": {"fontSize": 20}}), "can only apply"),
        (rule({"backgroundColor": RED}, formula="B2>1"), "CUSTOM_FORMULA"),
        (rule({"backgroundColor": RED}, kind="CONDITION_TYPE_UNSPECIFIED"), "must be specified"),
        (chart("COLUMN", series("LINE")), "valid only in a COMBO chart"),
        (chart("COMBO", series("BAR")), "LINE, AREA or COLUMN"),
        (chart("BAR", series(axis="LEFT_AXIS")), "not a valid minor axis"),
        (chart("COLUMN", series(axis="BOTTOM_AXIS")), "not a valid minor axis"),
        (chart("COLUMN", series(right=3)), "all rows or all columns"),
    ],
)
def test_what_google_refuses_is_refused(
    sheet: gspread.Spreadsheet, request_: Any, message: str
) -> None:
    assert message in refused(sheet, request_)


def test_combo_charts_of_columns_and_a_line_and_single_cell_sources_are_accepted(
    fake: FakeSheetsApi, sheet: gspread.Spreadsheet
) -> None:
    combo = chart(
        "COMBO",
        series("COLUMN", "LEFT_AXIS"),
        series("LINE", "LEFT_AXIS"),
        domain=cells(left=0, right=1),
    )
    one = chart("BAR", series(axis="BOTTOM_AXIS", bottom=2), domain=cells(1, 2, 0, 1))
    sheet.batch_update({"requests": [combo, one]})
    assert len(fake.spreadsheet_json(sheet.id)["sheets"][0]["charts"]) == 2


def test_a_domain_and_series_with_different_numbers_of_sources_are_refused(
    sheet: gspread.Spreadsheet,
) -> None:
    two = series()
    two["series"]["sourceRange"]["sources"].append(cells(left=2, right=3))
    assert "same number of source ranges" in refused(
        sheet, chart("COLUMN", two, domain=cells(left=0, right=1))
    )


@pytest.mark.parametrize("grid", [{"frozenRowCount": 3}, {"frozenColumnCount": 26}])
def test_freezing_every_row_or_column_is_refused(
    sheet: gspread.Spreadsheet, grid: dict[str, int]
) -> None:
    props = {"sheetId": 0, "gridProperties": {"rowCount": 3, "columnCount": 26, **grid}}
    request = {"updateSheetProperties": {"properties": props, "fields": "gridProperties"}}
    assert "You can't freeze all visible" in refused(sheet, request)
