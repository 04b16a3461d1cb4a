"""End-to-end tests of sheetsync.testing.FakeSheetsApi with the real gspread and google-auth."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import gspread
import pytest
import requests
from gspread.utils import ValueInputOption, ValueRenderOption

from sheetsync.testing import SPREADSHEETS_SCOPE, FakeSheetsApi

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"


def _error(exc: pytest.ExceptionInfo[gspread.exceptions.APIError]) -> dict[str, Any]:
    body: dict[str, Any] = exc.value.response.json()["error"]
    return body


def test_service_account_auth_and_values(fake: FakeSheetsApi, client: gspread.Client) -> None:
    sid = fake.create_spreadsheet(
        "Sales", {"Sheet1": [["Rep", "Calls"], ["Anna", 3]], "Rep - Anna": [[dt.date(2020, 1, 1)]]}
    )
    sheet = client.open_by_key(sid)
    assert sheet.sheet1.get_all_values() == [["Rep", "Calls"], ["Anna", "3"]]
    anna = sheet.worksheet("Rep - Anna")
    assert anna.get("A1", value_render_option=ValueRenderOption.unformatted) == [[43831]]
    assert anna.acell("A1").value == "2020-01-01"
    # gspread asks for spreadsheets + drive; the token endpoint recorded it.
    assert SPREADSHEETS_SCOPE in fake.granted_scopes[-1]


def test_update_and_batch_get(fake: FakeSheetsApi, client: gspread.Client) -> None:
    sid = fake.create_spreadsheet("S", {"Data": []})
    ws = client.open_by_key(sid).worksheet("Data")
    ws.update(
        [["a", "", "=1+2"], [], ["x"]], "A1", value_input_option=ValueInputOption.user_entered
    )
    assert fake.values(sid, "Data") == [["a", "", 3], [], ["x"]]
    assert fake.values(sid, "Data", render="FORMULA") == [["a", "", "=1+2"], [], ["x"]]
    got = client.open_by_key(sid).values_batch_get(["Data!A:A", "'Data'!C1", "Data!Z5"])
    ranges = got["valueRanges"]
    assert [r["range"] for r in ranges] == ["Data!A1:A1000", "Data!C1", "Data!Z5"]
    assert ranges[0]["values"] == [["a"], [], ["x"]]
    assert "values" not in ranges[2]


def test_batch_update_is_all_or_nothing(fake: FakeSheetsApi, client: gspread.Client) -> None:
    sid = fake.create_spreadsheet("S", {"Sheet1": [["keep"]]})
    sheet = client.open_by_key(sid)
    requests_ = [
        {"addSheet": {"properties": {"title": "New", "sheetId": 7}}},
        {
            "updateCells": {
                "rows": [{"values": [{"userEnteredValue": {"stringValue": "changed"}}]}],
                "fields": "userEnteredValue",
                "start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 0},
            }
        },
        {"deleteSheet": {"sheetId": 12345}},
    ]
    with pytest.raises(gspread.exceptions.APIError) as exc:
        sheet.batch_update({"requests": requests_})
    assert _error(exc) == {
        "code": 400,
        "message": "Invalid requests[2].deleteSheet: No grid with id: 12345",
        "status": "INVALID_ARGUMENT",
    }
    assert fake.sheet_titles(sid) == ["Sheet1"]
    assert fake.values(sid, "Sheet1") == [["keep"]]
    reply = sheet.batch_update({"requests": requests_[:2]})
    assert reply["replies"][0]["addSheet"]["properties"]["sheetId"] == 7
    assert reply["replies"][1] == {}
    assert fake.sheet_titles(sid) == ["Sheet1", "New"]
    with pytest.raises(gspread.exceptions.APIError) as exc:
        sheet.batch_update({"requests": [{"addSheet": {"properties": {"title": "new"}}}]})
    assert _error(exc)["message"] == (
        'Invalid requests[0].addSheet: A sheet with the name "new" already exists. '
        "Please enter another name."
    )


def test_discovery_validation(fake: FakeSheetsApi, client: gspread.Client) -> None:
    sheet = client.open_by_key(fake.create_spreadsheet("S"))
    with pytest.raises(gspread.exceptions.APIError) as exc:
        sheet.batch_update({"requests": [{"addSheet": {"foo": 1}}]})
    message = (
        "Invalid JSON payload received. Unknown name \"foo\" at 'requests[0].add_sheet': "
        "Cannot find field."
    )
    assert _error(exc)["message"] == message
    assert _error(exc)["details"][0]["fieldViolations"] == [
        {"field": "requests[0].add_sheet", "description": message}
    ]
    with pytest.raises(gspread.exceptions.APIError) as exc:
        sheet.batch_update({"requests": [{"addSheet": {"properties": {"sheetId": "abc"}}}]})
    assert _error(exc)["message"] == (
        "Invalid value at 'requests[0].add_sheet.properties.sheet_id' (TYPE_INT32), \"abc\""
    )
    with pytest.raises(gspread.exceptions.APIError) as exc:
        sheet.batch_update({"requests": [{"fooBar": {}}]})
    assert "Unknown name \"fooBar\" at 'requests[0]'" in _error(exc)["message"]
    bad_enum = {"appendDimension": {"sheetId": 0, "dimension": "DIAGONAL", "length": 1}}
    with pytest.raises(gspread.exceptions.APIError) as exc:
        sheet.batch_update({"requests": [bad_enum]})
    assert (
        '(type.googleapis.com/google.apps.sheets.v4.Dimension), "DIAGONAL"'
        in (_error(exc)["message"])
    )


def test_not_found_forbidden_and_unauthenticated(
    fake: FakeSheetsApi, client: gspread.Client
) -> None:
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound) as missing:
        client.open_by_key("missing")
    assert missing.value.args[0].json()["error"] == {
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
    }
    private = fake.create_spreadsheet("P", shared=False)
    with pytest.raises(PermissionError) as denied:
        client.open_by_key(private)
    cause = denied.value.__cause__
    assert isinstance(cause, gspread.exceptions.APIError)
    assert cause.response.json()["error"] == {
        "code": 403,
        "message": "The caller does not have permission",
        "status": "PERMISSION_DENIED",
    }
    answer = requests.get(f"{SHEETS}/{private}", timeout=5)
    assert answer.status_code == 401
    assert answer.json()["error"]["status"] == "UNAUTHENTICATED"
    read_only = fake.issue_token(["https://www.googleapis.com/auth/spreadsheets.readonly"])
    fake.set_shared(private, True)
    headers = {"Authorization": f"Bearer {read_only}"}
    assert requests.get(f"{SHEETS}/{private}", headers=headers, timeout=5).status_code == 200
    write = requests.post(
        f"{SHEETS}/{private}/values:batchClear",
        json={"ranges": ["A1"]},
        headers=headers,
        timeout=5,
    )
    assert write.status_code == 403


def test_fault_injection_and_request_log(fake: FakeSheetsApi, client: gspread.Client) -> None:
    sid = fake.create_spreadsheet("S", {"Sheet1": [[1]]})
    ws = client.open_by_key(sid).sheet1
    fake.reset_log()
    fake.fail_next(1, 429, retry_after=2)
    with pytest.raises(gspread.exceptions.APIError) as exc:
        ws.get_all_values()
    assert exc.value.response.status_code == 429
    assert exc.value.response.headers["Retry-After"] == "2"
    assert _error(exc)["message"].startswith("Quota exceeded for quota metric 'Read requests'")
    assert ws.get_all_values() == [["1"]]
    assert fake.api_calls == 2
    assert [r.status for r in fake.requests] == [429, 200]
    assert fake.requests[1].path.endswith("/values/'Sheet1'")
    fake.fail_next(1, 0)
    with pytest.raises(requests.exceptions.ConnectionError):
        ws.get_all_values()
    fake.fail_always(503, method="PUT")
    with pytest.raises(gspread.exceptions.APIError):
        ws.update_acell("A1", "x")
    assert ws.get_all_values() == [["1"]]
    fake.clear_faults()
    slept: list[float] = []
    fake.sleep = slept.append
    fake.delay(0.25)
    ws.get_all_values()
    assert slept == [0.25]


def test_formula_text_written_as_string_stays_text(
    fake: FakeSheetsApi, client: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("S")
    client.open_by_key(sid).batch_update(
        {
            "requests": [
                {
                    "updateCells": {
                        "rows": [
                            {
                                "values": [
                                    {"userEnteredValue": {"stringValue": '=HYPERLINK("x")'}},
                                    {
                                        "userEnteredValue": {"numberValue": 0.5},
                                        "userEnteredFormat": {
                                            "numberFormat": {"type": "PERCENT", "pattern": "0.0%"},
                                            "textFormat": {"bold": True},
                                        },
                                    },
                                ]
                            }
                        ],
                        "fields": "userEnteredValue,userEnteredFormat",
                        "start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 0},
                    }
                }
            ]
        }
    )
    assert fake.values(sid, "Sheet1") == [['=HYPERLINK("x")', 0.5]]
    assert fake.values(sid, "Sheet1", render="FORMATTED_VALUE") == [['=HYPERLINK("x")', "50.0%"]]
    cell = fake.cell(sid, "Sheet1", "A1")
    assert cell["userEnteredValue"] == {"stringValue": '=HYPERLINK("x")'}
    assert fake.cell(sid, "Sheet1", "B1")["userEnteredFormat"]["textFormat"] == {"bold": True}


def test_developer_metadata_round_trip(fake: FakeSheetsApi, client: gspread.Client) -> None:
    sid = fake.create_spreadsheet("S", {"Summary": [], "Input": []})
    sheet = client.open_by_key(sid)
    summary_id = sheet.worksheet("Summary").id
    reply = sheet.batch_update(
        {
            "requests": [
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataKey": "sheetsync.owned",
                            "metadataValue": "summary",
                            "location": {"sheetId": summary_id},
                            "visibility": "DOCUMENT",
                        }
                    }
                }
            ]
        }
    )
    created = reply["replies"][0]["createDeveloperMetadata"]["developerMetadata"]
    assert created["location"] == {"locationType": "SHEET", "sheetId": summary_id}
    got = sheet.fetch_sheet_metadata({"fields": "sheets(properties(title),developerMetadata)"})
    assert got == {
        "sheets": [
            {"properties": {"title": "Summary"}, "developerMetadata": [created]},
            {"properties": {"title": "Input"}},
        ]
    }
    assert fake.developer_metadata(sid) == [created]
    lookup = {"developerMetadataLookup": {"metadataKey": "sheetsync.owned"}}
    reply = sheet.batch_update({"requests": [{"deleteDeveloperMetadata": {"dataFilter": lookup}}]})
    assert reply["replies"][0]["deleteDeveloperMetadata"]["deletedDeveloperMetadata"] == [created]
    assert fake.developer_metadata(sid) == []


def test_grid_data_and_field_masks(fake: FakeSheetsApi, client: gspread.Client) -> None:
    sid = fake.create_spreadsheet("S", {"Sheet1": [["a", 1.5, True]]})
    sheet = client.open_by_key(sid)
    got = sheet.fetch_sheet_metadata(
        {
            "ranges": "Sheet1!A1:C2",
            "fields": "sheets.data.rowData.values(effectiveValue,formattedValue)",
        }
    )
    assert got["sheets"][0]["data"][0]["rowData"] == [
        {
            "values": [
                {"effectiveValue": {"stringValue": "a"}, "formattedValue": "a"},
                {"effectiveValue": {"numberValue": 1.5}, "formattedValue": "1.5"},
                {"effectiveValue": {"boolValue": True}, "formattedValue": "TRUE"},
            ]
        }
    ]
    assert sheet.fetch_sheet_metadata({"fields": "spreadsheetId"}) == {"spreadsheetId": sid}


def test_drive_create_open_by_name_and_delete(fake: FakeSheetsApi, client: gspread.Client) -> None:
    made = client.create("Made here")
    assert [ws.title for ws in made.worksheets()] == ["Sheet1"]
    assert client.open("Made here").id == made.id
    client.del_spreadsheet(made.id)
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        client.open("Made here")


def test_own_requests_mock(tmp_path: Path) -> None:
    import responses

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = FakeSheetsApi(mock=mock).start()
        token = fake.issue_token()
        sid = fake.create_spreadsheet("S", {"Sheet1": [["x"]]})
        answer = requests.get(
            f"{SHEETS}/{sid}/values/Sheet1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert answer.json() == {
            "range": "Sheet1!A1:Z1000",
            "majorDimension": "ROWS",
            "values": [["x"]],
        }
