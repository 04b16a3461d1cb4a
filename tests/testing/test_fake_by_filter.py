"""values:batchGetByDataFilter on the fake: batchGet's ranges in a POST body, through the real
gspread client's authorized session."""

from __future__ import annotations

from datetime import date
from typing import Any

import gspread
import pytest
import requests

from sheetsync.testing import FakeSheetsApi

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
SERIAL_2026_11_02 = 46328  # days from 1899-12-30 to 2026-11-02


@pytest.fixture
def sid(fake: FakeSheetsApi) -> str:
    return fake.create_spreadsheet(
        "Team",
        {
            "Rep - O'Brien": [["Date", "Calls"], [date(2026, 11, 2), 3], [None, "n/a"]],
            "Goals": [["Period", "Calls"], ["2026-11", 1200.5]],
        },
    )


def by_filter(client: gspread.Client, sid: str, body: dict[str, Any]) -> Any:
    url = f"{SHEETS}/{sid}/values:batchGetByDataFilter"
    return client.http_client.request("post", url, json=body).json()


def test_a1_ranges_answer_matched_value_ranges_in_order(
    fake: FakeSheetsApi, client: gspread.Client, sid: str
) -> None:
    filters = [{"a1Range": "'Rep - O''Brien'"}, {"a1Range": "Goals!B1:B2"}]
    body = {
        "dataFilters": filters,
        "valueRenderOption": "UNFORMATTED_VALUE",
        "dateTimeRenderOption": "SERIAL_NUMBER",
        "majorDimension": "ROWS",
    }
    answer = by_filter(client, sid, body)
    assert answer == {
        "spreadsheetId": sid,
        "valueRanges": [
            {
                "valueRange": {
                    "range": "'Rep - O''Brien'!A1:Z1000",
                    "majorDimension": "ROWS",
                    "values": [["Date", "Calls"], [SERIAL_2026_11_02, 3], ["", "n/a"]],
                },
                "dataFilters": [filters[0]],
            },
            {
                "valueRange": {
                    "range": "Goals!B1:B2",
                    "majorDimension": "ROWS",
                    "values": [["Calls"], [1200.5]],
                },
                "dataFilters": [filters[1]],
            },
        ],
    }
    assert [r.method for r in fake.requests if r.api == "sheets"][-1] == "POST"


def test_the_same_values_as_batch_get_under_every_render_option(
    client: gspread.Client, sid: str
) -> None:
    ranges = ["'Rep - O''Brien'!A1:B3", "Goals"]
    spreadsheet = client.open_by_key(sid)
    all_options: list[dict[str, Any]] = [
        {"valueRenderOption": "FORMATTED_VALUE"},
        {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "FORMATTED_STRING"},
        {"valueRenderOption": "FORMULA", "majorDimension": "COLUMNS"},
    ]
    for options in all_options:
        got = spreadsheet.values_batch_get(ranges, params=dict(options))  # gspread adds to it
        filters = {"dataFilters": [{"a1Range": text} for text in ranges], **options}
        matched = by_filter(client, sid, filters)["valueRanges"]
        assert [m["valueRange"] for m in matched] == got["valueRanges"], options
    formatted = by_filter(client, sid, {"dataFilters": [{"a1Range": ranges[0]}]})
    assert formatted["valueRanges"][0]["valueRange"]["values"] == [
        ["Date", "Calls"],
        ["2026-11-02", "3"],
        ["", "n/a"],
    ]
    columns = by_filter(
        client,
        sid,
        {"dataFilters": [{"a1Range": ranges[0]}], "majorDimension": "COLUMNS"},
    )["valueRanges"][0]["valueRange"]
    assert columns["majorDimension"] == "COLUMNS"
    assert columns["values"] == [["Date", "2026-11-02"], ["Calls", "3", "n/a"]]


def test_a_grid_range_reads_its_box_and_is_echoed(
    fake: FakeSheetsApi, client: gspread.Client, sid: str
) -> None:
    goals = next(
        s["properties"]["sheetId"]
        for s in fake.spreadsheet_json(sid)["sheets"]
        if s["properties"]["title"] == "Goals"
    )
    grid = {"sheetId": goals, "startRowIndex": 1, "endRowIndex": 2, "startColumnIndex": 0}
    body = {"dataFilters": [{"gridRange": grid}], "valueRenderOption": "UNFORMATTED_VALUE"}
    answer = by_filter(client, sid, body)
    assert answer["valueRanges"] == [
        {
            "valueRange": {
                "range": "Goals!A2:Z2",
                "majorDimension": "ROWS",
                "values": [["2026-11", 1200.5]],
            },
            "dataFilters": [{"gridRange": grid}],
        }
    ]
    empty = {"sheetId": goals, "startRowIndex": 1, "endRowIndex": 1}
    assert by_filter(client, sid, {"dataFilters": [{"gridRange": empty}]}) == {"spreadsheetId": sid}
    assert by_filter(client, sid, {"dataFilters": []}) == {"spreadsheetId": sid}


def error_of(client: gspread.Client, sid: str, body: Any) -> dict[str, Any]:
    with pytest.raises(gspread.exceptions.APIError) as exc:
        by_filter(client, sid, body)
    assert exc.value.response.status_code == 400
    error: dict[str, Any] = exc.value.response.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    return error


def test_the_body_is_checked_against_the_discovery_document(
    client: gspread.Client, sid: str
) -> None:
    unknown = error_of(client, sid, {"dataFilters": [{"a1Range": "Goals", "range": "x"}]})
    assert unknown["message"] == (
        "Invalid JSON payload received. Unknown name \"range\" at 'data_filters[0]': "
        "Cannot find field."
    )
    enum = error_of(client, sid, {"dataFilters": [], "valueRenderOption": "RAW"})
    assert enum["message"] == (
        "Invalid value at 'value_render_option' "
        '(type.googleapis.com/google.apps.sheets.v4.ValueRenderOption), "RAW"'
    )
    typed = error_of(client, sid, {"dataFilters": [{"gridRange": {"sheetId": "Goals"}}]})
    assert typed["message"] == (
        "Invalid value at 'data_filters[0].grid_range.sheet_id' (TYPE_INT32), \"Goals\""
    )


def test_filters_the_fake_cannot_serve_are_clear_400s(client: gspread.Client, sid: str) -> None:
    lookup = {"developerMetadataLookup": {"metadataKey": "sheetsync.owner"}}
    assert error_of(client, sid, {"dataFilters": [lookup]})["message"] == (
        "Invalid dataFilters[0].developerMetadataLookup: the sheetsync fake does not "
        "implement developer-metadata lookups in values:batchGetByDataFilter; use a1Range "
        "or gridRange."
    )
    both = {"a1Range": "Goals", "gridRange": {"sheetId": 0}}
    assert "exactly one of a1Range" in error_of(client, sid, {"dataFilters": [both]})["message"]
    missing = error_of(client, sid, {"dataFilters": [{"a1Range": "Nope!A1"}]})
    assert missing["message"] == "Unable to parse range: Nope!A1"
    past = error_of(client, sid, {"dataFilters": [{"a1Range": "Goals!A1:A2000"}]})
    assert past["message"].startswith("Range (Goals!A1:A2000) exceeds grid limits.")


def test_a_read_by_post_needs_a_write_scope_like_google(
    fake: FakeSheetsApi, client: gspread.Client, sid: str
) -> None:
    read_only = fake.issue_token(["https://www.googleapis.com/auth/spreadsheets.readonly"])
    answer = requests.post(
        f"{SHEETS}/{sid}/values:batchGetByDataFilter",
        json={"dataFilters": [{"a1Range": "Goals"}]},
        headers={"Authorization": f"Bearer {read_only}"},
        timeout=5,
    )
    assert answer.status_code == 403
    missing = client.http_client.session.post(
        f"{SHEETS}/nope/values:batchGetByDataFilter", json={"dataFilters": []}, timeout=5
    )
    assert missing.status_code == 404
