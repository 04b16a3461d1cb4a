"""What the fake answers for what it does not serve, and for bodies over Google's 10 MiB limit:
errors in Google's JSON shape that no client retries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gspread
import pytest
import requests
from gspread.http_client import BackOffHTTPClient

from sheetsync.testing import (
    DRIVE_SCOPE,
    MAX_PAYLOAD,
    SPREADSHEETS_SCOPE,
    FakeSheetsApi,
)

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE = "https://www.googleapis.com/drive/v3/files"
LIMIT_MESSAGE = "Request payload size exceeds the limit: 10485760 bytes."


@pytest.fixture
def retrying_client(
    fake: FakeSheetsApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> gspread.Client:
    """gspread's own retrying client, whose every wait fails the test (it would retry a 5xx
    for ever, with waits of up to two minutes)."""

    def no_retry(seconds: float) -> None:
        raise AssertionError(f"gspread retried (it would have slept {seconds} s)")

    monkeypatch.setattr("gspread.http_client.time.sleep", no_retry)
    BackOffHTTPClient._NR_BACKOFF = 0
    key = fake.service_account_file(tmp_path)
    return gspread.service_account(filename=key, http_client=BackOffHTTPClient)


def _headers(fake: FakeSheetsApi) -> dict[str, str]:
    return {"Authorization": f"Bearer {fake.issue_token([SPREADSHEETS_SCOPE, DRIVE_SCOPE])}"}


def _error(answer: requests.Response) -> dict[str, Any]:
    body: dict[str, Any] = answer.json()["error"]
    return body


def test_gspread_csv_import_an_unknown_route_fails_at_once_with_a_404(
    fake: FakeSheetsApi, retrying_client: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("S")
    fake.reset_log()
    with pytest.raises(gspread.exceptions.APIError) as exc:
        retrying_client.import_csv(sid, "Rep,Calls\nAnna,3\n")
    error = exc.value.response.json()["error"]
    assert error == {
        "code": 404,
        "message": "The sheetsync fake does not serve PUT "
        f"https://www.googleapis.com/upload/drive/v2/files/{sid}: no such route.",
        "status": "NOT_FOUND",
    }
    uploads = [r for r in fake.requests if "/upload/" in r.url]
    assert [(r.method, r.status) for r in uploads] == [("PUT", 404)]


def test_gspread_copy_to_an_unimplemented_method_names_it_and_is_not_retried(
    fake: FakeSheetsApi, retrying_client: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("S", {"Data": [[1]]})
    worksheet = retrying_client.open_by_key(sid).worksheet("Data")
    fake.reset_log()
    with pytest.raises(gspread.exceptions.APIError) as exc:
        worksheet.copy_to(sid)
    assert exc.value.response.status_code == 404
    assert exc.value.response.json()["error"]["message"] == (
        "The sheetsync fake does not implement sheets.spreadsheets.sheets.copyTo "
        "(POST /v4/spreadsheets/{spreadsheetId}/sheets/{sheetId}:copyTo)."
    )
    assert len(fake.requests) == 1
    assert fake.sheet_titles(sid) == ["Data"]


def test_unimplemented_drive_calls_and_unknown_paths_are_404s_in_googles_shape(
    fake: FakeSheetsApi,
) -> None:
    sid = fake.create_spreadsheet("S")
    headers = _headers(fake)
    copy = requests.post(f"{DRIVE}/{sid}/copy", json={}, headers=headers, timeout=5)
    assert copy.status_code == 404
    assert _error(copy) == {
        "code": 404,
        "message": f"The sheetsync fake does not implement Drive POST /drive/v3/files/{sid}/"
        "copy: it serves files.create, files.list, files.get and files.delete of "
        "spreadsheets only.",
        "status": "NOT_FOUND",
    }
    nonsense = requests.get(f"{SHEETS}/{sid}/nonsense", headers=headers, timeout=5)
    assert nonsense.status_code == 404
    assert _error(nonsense)["message"] == (
        f"The sheetsync fake does not serve GET https://sheets.googleapis.com/v4/spreadsheets/"
        f"{sid}/nonsense: no such route."
    )
    url = f"{SHEETS}/{sid}:getByDataFilter"
    by_filter = requests.post(url, json={}, headers=headers, timeout=5)
    assert _error(by_filter)["message"].startswith(
        "The sheetsync fake does not implement sheets.spreadsheets.getByDataFilter"
    )
    other_api = requests.get("https://www.googleapis.com/calendar/v3/users/me", timeout=5)
    assert other_api.status_code == 404 and _error(other_api)["status"] == "NOT_FOUND"
    token_get = requests.get("https://oauth2.googleapis.com/token", timeout=5)
    assert token_get.status_code == 404
    assert [r.status for r in fake.requests] == [404, 404, 404, 404, 404]


def test_an_unimplemented_batch_update_request_is_a_400_and_changes_nothing(
    fake: FakeSheetsApi,
) -> None:
    sid = fake.create_spreadsheet("S", {"Sheet1": [["keep"]]})
    body = {
        "requests": [
            {"updateSpreadsheetProperties": {"properties": {"title": "T"}, "fields": "title"}},
            {"findReplace": {"find": "keep", "replacement": "gone", "allSheets": True}},
        ]
    }
    url = f"{SHEETS}/{sid}:batchUpdate"
    answer = requests.post(url, json=body, headers=_headers(fake), timeout=5)
    assert answer.status_code == 400
    assert _error(answer) == {
        "code": 400,
        "message": "Invalid requests[1].findReplace: the sheetsync fake does not implement "
        "findReplace requests.",
        "status": "INVALID_ARGUMENT",
    }
    assert fake.spreadsheet_json(sid)["properties"]["title"] == "S"
    assert fake.values(sid, "Sheet1") == [["keep"]]


def _padded(body: dict[str, Any], size: int) -> bytes:
    """``body`` as JSON followed by spaces up to exactly ``size`` bytes (still valid JSON)."""
    text = json.dumps(body).encode()
    return text + b" " * (size - len(text))


def test_a_body_over_10_mib_is_refused_with_googles_message_before_it_is_parsed(
    fake: FakeSheetsApi,
) -> None:
    sid = fake.create_spreadsheet("S")

    def rename(title: str) -> dict[str, Any]:
        props = {"properties": {"title": title}, "fields": "title"}
        return {"requests": [{"updateSpreadsheetProperties": props}]}

    headers = {**_headers(fake), "Content-Type": "application/json"}
    url = f"{SHEETS}/{sid}:batchUpdate"
    at_limit_body = _padded(rename("T"), MAX_PAYLOAD)
    at_limit = requests.post(url, data=at_limit_body, headers=headers, timeout=30)
    assert at_limit.status_code == 200
    assert fake.spreadsheet_json(sid)["properties"]["title"] == "T"
    too_big = _padded(rename("Too big"), MAX_PAYLOAD + 1)
    over = requests.post(url, data=too_big, headers=headers, timeout=30)
    assert over.status_code == 400
    assert over.json() == {
        "error": {
            "code": 400,
            "message": LIMIT_MESSAGE,
            "errors": [{"message": LIMIT_MESSAGE, "domain": "global", "reason": "badRequest"}],
            "status": "INVALID_ARGUMENT",
        }
    }
    assert fake.spreadsheet_json(sid)["properties"]["title"] == "T"
    garbage = requests.post(url, data=b"{" * (MAX_PAYLOAD + 1), headers=headers, timeout=30)
    assert _error(garbage)["message"] == LIMIT_MESSAGE  # not "Invalid JSON payload"
    assert fake.requests[-1].json is None  # refused unread


def test_gspread_gets_the_size_error_at_once(
    fake: FakeSheetsApi, retrying_client: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("S", {"Data": []})
    worksheet = retrying_client.open_by_key(sid).worksheet("Data")
    rows = [["x" * 1000] * 10 for _ in range(1100)]  # about 11 MB of JSON
    fake.reset_log()
    with pytest.raises(gspread.exceptions.APIError) as exc:
        worksheet.update(rows, "A1")
    assert exc.value.response.status_code == 400
    assert exc.value.response.json()["error"]["message"] == LIMIT_MESSAGE
    assert len(fake.requests) == 1
    assert fake.values(sid, "Data") == []
