"""Ownership by mark on Google, through the fake Sheets API with real gspread: each output tab
carries developer metadata naming its id and its output; a tab a person made under an output's
name is never written; a renamed output tab is found by its marker and keeps its name and id;
a copy (its marker names another tab's id) is left alone; an older marker that names no output
is taken over and made to name it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import gspread
import pytest

from sheetsync.errors import OwnershipError
from sheetsync.pipeline import refresh
from sheetsync.testing import FakeSheetsApi
from tests.helpers import team_workbook
from tests.test_google_backend import google_config

AS_OF = date(2026, 11, 26)
TYPED = [[f"my own line {n}"] for n in range(1, 21)]


def refreshed(tmp_path: Path, fake: FakeSheetsApi) -> tuple[str, Any]:
    """A spreadsheet refreshed once, and its config."""
    sid = fake.create_spreadsheet("Team", team_workbook())
    cfg = google_config(fake.service_account_file(tmp_path), sid)
    refresh(cfg, AS_OF)
    return sid, cfg


def sheet_ids(fake: FakeSheetsApi, sid: str) -> dict[str, int]:
    sheets = fake.spreadsheet_json(sid)["sheets"]
    return {s["properties"]["title"]: s["properties"]["sheetId"] for s in sheets}


def markers(fake: FakeSheetsApi, sid: str) -> dict[int, str]:
    """{sheet id: value} of every sheetsync.owned marker."""
    return {m["location"]["sheetId"]: m["metadataValue"] for m in fake.developer_metadata(sid)
            if m["metadataKey"] == "sheetsync.owned"}  # fmt: skip


def batch_updates(fake: FakeSheetsApi) -> int:
    return sum(1 for r in fake.requests if r.method == "POST" and ":batchUpdate" in r.url)


def test_each_marker_names_its_tab_and_its_output(tmp_path: Path, fake: FakeSheetsApi) -> None:
    sid, _ = refreshed(tmp_path, fake)
    ids = sheet_ids(fake, sid)
    assert markers(fake, sid) == {
        ids["Summary"]: f"{ids['Summary']} summary",
        ids["Ranking"]: f"{ids['Ranking']} ranking",
        ids["Meeting brief"]: f"{ids['Meeting brief']} meeting_brief",
        ids["Rep KPIs"]: f"{ids['Rep KPIs']} rep_kpis",
        ids["Data issues"]: f"{ids['Data issues']} data_issues",
        ids["Sync status"]: f"{ids['Sync status']} sync_status",
    }


def test_a_tab_made_in_place_of_a_deleted_output_is_never_written(
    tmp_path: Path, fake: FakeSheetsApi, client: gspread.Client
) -> None:
    sid, cfg = refreshed(tmp_path, fake)
    book = client.open_by_key(sid)
    book.del_worksheet(book.worksheet("Summary"))
    book.add_worksheet("Summary", rows=30, cols=3).update(TYPED, "A1")
    fake.reset_log()
    with pytest.raises(OwnershipError) as error:
        refresh(cfg, AS_OF)
    assert "tab 'Summary' already exists and does not carry sheetsync's mark" in str(error.value)
    assert "output.summary" in str(error.value)
    assert batch_updates(fake) == 0
    assert fake.values(sid, "Summary") == TYPED


def test_a_renamed_output_tab_is_found_by_its_marker_and_keeps_name_and_id(
    tmp_path: Path, fake: FakeSheetsApi, client: gspread.Client
) -> None:
    sid, cfg = refreshed(tmp_path, fake)
    ranking = fake.values(sid, "Ranking")
    before = sheet_ids(fake, sid)
    client.open_by_key(sid).worksheet("Ranking").update_title("Ranking (old)")
    refresh(cfg, AS_OF)
    after = sheet_ids(fake, sid)
    assert "Ranking" not in after
    assert after["Ranking (old)"] == before["Ranking"]
    assert fake.values(sid, "Ranking (old)") == ranking


def test_a_tab_made_under_a_renamed_outputs_old_name_is_left_alone(
    tmp_path: Path, fake: FakeSheetsApi, client: gspread.Client
) -> None:
    sid, cfg = refreshed(tmp_path, fake)
    ranking = fake.values(sid, "Ranking")
    book = client.open_by_key(sid)
    book.worksheet("Ranking").update_title("Ranking (old)")
    book.add_worksheet("Ranking", rows=30, cols=3).update(TYPED, "A1")
    refresh(cfg, AS_OF)
    assert fake.values(sid, "Ranking") == TYPED
    assert fake.values(sid, "Ranking (old)") == ranking


def test_a_copys_marker_names_the_original_so_the_copy_is_left_alone(
    tmp_path: Path, fake: FakeSheetsApi, client: gspread.Client
) -> None:
    sid, cfg = refreshed(tmp_path, fake)
    ids = sheet_ids(fake, sid)
    book = client.open_by_key(sid)
    book.del_worksheet(book.worksheet("Summary"))
    copy = book.add_worksheet("Summary", rows=30, cols=3)
    copy.update(TYPED, "A1")
    # what a copy of the original carries along: the original's marker, on the copy
    marker = {"metadataKey": "sheetsync.owned", "metadataValue": f"{ids['Summary']} summary",
              "location": {"sheetId": copy.id}, "visibility": "DOCUMENT"}  # fmt: skip
    book.batch_update({"requests": [{"createDeveloperMetadata": {"developerMetadata": marker}}]})
    with pytest.raises(OwnershipError, match="tab 'Summary' already exists"):
        refresh(cfg, AS_OF)
    assert fake.values(sid, "Summary") == TYPED


def test_a_marker_that_names_no_output_is_taken_over_and_made_to_name_it(
    tmp_path: Path, fake: FakeSheetsApi, client: gspread.Client
) -> None:
    sid, cfg = refreshed(tmp_path, fake)
    ids = sheet_ids(fake, sid)
    lookup = {"metadataKey": "sheetsync.owned", "metadataLocation": {"sheetId": ids["Summary"]},
              "locationMatchingStrategy": "EXACT_LOCATION"}  # fmt: skip
    older = {"dataFilters": [{"developerMetadataLookup": lookup}],
             "developerMetadata": {"metadataValue": str(ids["Summary"])},
             "fields": "metadataValue"}  # fmt: skip
    client.open_by_key(sid).batch_update({"requests": [{"updateDeveloperMetadata": older}]})
    assert markers(fake, sid)[ids["Summary"]] == str(ids["Summary"])
    refresh(cfg, AS_OF)
    assert markers(fake, sid)[ids["Summary"]] == f"{ids['Summary']} summary"
    assert sheet_ids(fake, sid) == ids
