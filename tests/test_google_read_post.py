"""The read by POST: when the values:batchGet URL would be too long (hundreds of rep tabs), the
same ranges go to values:batchGetByDataFilter in a POST body, still in three API calls, with
the same numbers as the GET."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sheetsync.backends.google import GoogleBackend
from sheetsync.backends.google.read import (
    MAX_GET_URL,
    VALUE_PARAMS,
    batch_get_url,
    matched_in_order,
    value_ranges,
)
from sheetsync.grids import Grid
from sheetsync.pipeline import refresh
from sheetsync.testing import FakeSheetsApi
from tests.helpers import activity, team_workbook
from tests.test_google_backend import google_config

AS_OF = date(2026, 11, 26)
LONG = "Representative of the Northern Region, key accounts"


def sheets_calls(fake: FakeSheetsApi) -> list[tuple[str, str]]:
    """(method, last part of the path) of each Sheets API request, in order."""
    return [(r.method, r.path.rsplit("/", 1)[-1]) for r in fake.requests if r.api == "sheets"]


def long_named_team(reps: int) -> dict[str, Grid]:
    """`reps` rep tabs with long titles (each over 60 characters), a roster and goals."""
    tabs: dict[str, Grid] = {"Roster": [["Rep", "Email", "Team", "Active"]],
                             "Goals": [["Period", "Scope", "Calls", "Revenue"]]}  # fmt: skip
    for n in range(reps):
        name = f"{LONG} {n:03d}"
        tabs["Roster"].append([name, f"rep{n}@example.com", ("North", "South")[n % 2], "yes"])
        tabs["Goals"].append(["2026-11", name, 100, 10000])
        tabs[f"Rep - {name}"] = activity(["2026-11-02", 10 + n % 7, 2, 1, 1000 + n, "Acme"])
    return tabs


def test_three_hundred_long_tab_names_are_read_by_post_in_three_calls(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    tabs = long_named_team(300)
    sid = fake.create_spreadsheet("Team", tabs)
    cfg = google_config(fake.service_account_file(tmp_path), sid)
    ranges = value_ranges([t for t in tabs if t.startswith("Rep - ")])
    assert len(batch_get_url(sid, ranges)) > 10 * MAX_GET_URL  # the GET would be ~30 KB
    report = refresh(cfg, AS_OF)
    assert report.api_calls == fake.api_calls == 3
    assert sheets_calls(fake) == [("GET", sid), ("POST", "values:batchGetByDataFilter"),
                                  ("POST", f"{sid}:batchUpdate")]  # fmt: skip
    body = next(r.json for r in fake.requests if r.path.endswith("batchGetByDataFilter"))
    assert {key: body[key] for key in VALUE_PARAMS} == VALUE_PARAMS
    asked = [f["a1Range"] for f in body["dataFilters"]]
    assert set(ranges) <= set(asked) and len(asked) == len(set(asked))
    assert len(report.ranking) == 300
    first = f"{LONG} 000"
    row = report.rep_kpis[(report.rep_kpis["name"] == first) & (report.rep_kpis["kpi"] == "calls")
                          & (report.rep_kpis["period"] == "2026-11")]  # fmt: skip
    assert row["actual"].tolist() == [10]


@pytest.mark.parametrize("snapshot", [False, True])
def test_the_post_gives_the_same_tables_as_the_get(
    tmp_path: Path, fake: FakeSheetsApi, monkeypatch: pytest.MonkeyPatch, snapshot: bool
) -> None:
    key = fake.service_account_file(tmp_path)
    by_get = google_config(key, fake.create_spreadsheet("Team", team_workbook()))
    by_post = google_config(key, fake.create_spreadsheet("Team", team_workbook()))
    days = [date(2026, 11, 25), AS_OF]  # the second snapshot run also reads History's rows
    got = [refresh(by_get, day, snapshot=snapshot) for day in days][-1]
    assert ("GET", "values:batchGet") in sheets_calls(fake)
    fake.reset_log()
    monkeypatch.setattr(GoogleBackend, "max_get_url", 0)
    posted = [refresh(by_post, day, snapshot=snapshot) for day in days][-1]
    assert ("POST", "values:batchGetByDataFilter") in sheets_calls(fake)
    assert ("GET", "values:batchGet") not in sheets_calls(fake)
    assert posted.api_calls == got.api_calls == 3
    pd.testing.assert_frame_equal(got.rep_kpis, posted.rep_kpis)
    pd.testing.assert_frame_equal(got.ranking, posted.ranking)
    assert got.issues == posted.issues
    assert got.facts.rows_read == posted.facts.rows_read
    if snapshot:
        history = [r for r in fake.requests if r.path.endswith("batchGetByDataFilter")][-1]
        asked = [f["a1Range"] for f in history.json["dataFilters"]]
        assert any(a1.startswith("'KPI history'!A2:") for a1 in asked)  # the last snapshot


def test_a_small_workbook_still_reads_by_get_with_the_url_measured_right(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    tabs = team_workbook()
    tabs["Rep - Zoë O'Brien & Co"] = activity(["2026-11-02", 1, 0, 0, 0, "X"])
    sid = fake.create_spreadsheet("Team", tabs)
    refresh(google_config(fake.service_account_file(tmp_path), sid), AS_OF)
    values = next(r for r in fake.requests if r.path.endswith("values:batchGet"))
    ranges = values.params["ranges"]
    assert "'Rep - Zoë O''Brien & Co'" in ranges
    assert batch_get_url(sid, ranges) == values.url  # what gspread sent, to the character
    assert len(values.url) <= MAX_GET_URL


def test_a_post_read_is_retried_like_any_call(tmp_path: Path, fake: FakeSheetsApi) -> None:
    sid = fake.create_spreadsheet("Team", team_workbook())
    backend = GoogleBackend(sid, fake.service_account_file(tmp_path), sleep=lambda _: None)
    backend.max_get_url = 0
    fake.fail_next(1, status=503, path_contains="batchGetByDataFilter")
    raw = backend.read(lambda titles: [t for t in titles if t.startswith("Rep - ")])
    assert backend.api_calls == 2 and backend.requests_sent == 3
    assert raw.grids["Rep - Anna Nowak"][0][:2] == ["Date", "Calls"]
    posts = [r.status for r in fake.requests if r.path.endswith("batchGetByDataFilter")]
    assert posts == [503, 200]


def test_answers_are_put_back_in_request_order() -> None:
    ranges = ["'A'", "'B'", "'A'", "'C'", "'D'"]
    answer = {"valueRanges": [
        {"valueRange": {"range": "C!A1", "values": [[3]]}, "dataFilters": [{"a1Range": "'C'"}]},
        {"valueRange": {"range": "A!A1", "values": [[1]]},
         "dataFilters": [{"a1Range": "'A'"}, {"a1Range": "'A'"}]},
        {"valueRange": {"range": "B!A1", "values": [[2]]}},  # names no filter: first open
    ]}  # fmt: skip
    found = matched_in_order(ranges, answer)
    assert [r.get("values") for r in found] == [[[1]], [[2]], [[1]], [[3]], None]
    assert matched_in_order(["'A'"], {}) == [{}]
