"""The Google backend end to end against the fake Sheets API, with real gspread and google-auth:
the same numbers as the xlsx path, at most 3 API calls, typed cells, owned tabs only."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from google.oauth2.service_account import Credentials
from gspread.http_client import HTTPClient

from sheetsync.backends.base import OWNER_KEY
from sheetsync.backends.google import GoogleBackend, spreadsheet_id
from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.cli import main
from sheetsync.config.loading import load_config
from sheetsync.config.values import Config
from sheetsync.demo import make_demo
from sheetsync.errors import ConfigError, OwnershipError
from sheetsync.grids import Grid
from sheetsync.pipeline import Report, refresh
from sheetsync.plan import Cell, OutputPlan, TabPlan
from sheetsync.report.tabs import ISSUE_HEADERS
from sheetsync.testing import SPREADSHEETS_SCOPE, FakeSheetsApi
from tests.helpers import activity, config, team_workbook, with_extra

AS_OF = date(2026, 11, 26)
COMPARED_TABS = ("Summary", "Ranking", "Rep KPIs", "Data issues")


def google_config(key: Path, sid: str, base: Config | None = None) -> Config:
    """`base` (default: the test config) with its source pointed at a fake spreadsheet."""
    base = base or config()
    source = dataclasses.replace(
        base.source, type="google", spreadsheet=sid, credentials_file=key, path=None
    )
    return dataclasses.replace(base, source=source)


def owner_markers(fake: FakeSheetsApi, sid: str) -> list[dict[str, Any]]:
    """The developer metadata that marks the tabs sheetsync owns (not its run marker)."""
    return [m for m in fake.developer_metadata(sid) if m["metadataKey"] == OWNER_KEY]


def normalised(grid: list[list[Any]]) -> list[list[Any]]:
    """Values compared across backends: "" as None, numbers to 12 digits (xlsx keeps 15-17),
    trailing blanks cut."""
    rows = []
    for row in grid:
        values = [None if v == "" else float(f"{v:.12g}") if _number(v) else v for v in row]
        while values and values[-1] is None:
            values.pop()
        rows.append(values)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def demo_in_both(tmp_path: Path, fake: FakeSheetsApi) -> tuple[Config, Config, str]:
    """The demo workbook on disk, and the same tabs in a fake Google spreadsheet."""
    xlsx_config = load_config(make_demo(tmp_path / "demo", AS_OF))
    assert xlsx_config.source.path is not None
    raw = XlsxBackend(xlsx_config.source.path).read(lambda titles: titles)
    sid = fake.create_spreadsheet("Team", {title: raw.grids[title] for title in raw.titles})
    key = fake.service_account_file(tmp_path)
    return xlsx_config, google_config(key, sid, xlsx_config), sid


def test_demo_data_gives_the_same_tables_and_cells_on_both_backends(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    xlsx_config, gconfig, sid = demo_in_both(tmp_path, fake)
    on_disk = refresh(xlsx_config, AS_OF)
    on_google = refresh(gconfig, AS_OF)
    pd.testing.assert_frame_equal(on_disk.rep_kpis, on_google.rep_kpis)
    pd.testing.assert_frame_equal(on_disk.ranking, on_google.ranking)
    assert on_disk.issues == on_google.issues
    planted = [i for i in on_google.issues if i.action != "reported only"]  # not coverage
    assert len(planted) == 8
    assert on_google.facts.rows_read == on_disk.facts.rows_read
    assert on_google.api_calls == fake.api_calls == 3
    assert xlsx_config.source.path is not None
    written = XlsxBackend(xlsx_config.source.path).read(lambda titles: COMPARED_TABS)
    for title in COMPARED_TABS:
        assert normalised(fake.values(sid, title)) == normalised(written.grids[title]), title
    status = dict((row[0], row[1]) for row in fake.values(sid, "Sync status"))
    assert status["API calls"] == 3 and status["Source"] == f"Google spreadsheet {sid}"


def synthetic_workbook(reps: int) -> dict[str, Grid]:
    """`reps` rep tabs with a few entries each, a roster in two teams, goals for half."""
    tabs: dict[str, Grid] = {"Roster": [["Rep", "Email", "Team", "Active"]], "Goals": [
        ["Period", "Scope", "Calls", "Revenue"]]}  # fmt: skip
    for n in range(reps):
        name = f"Rep {n:03d}"
        tabs["Roster"].append([name, f"rep{n}@example.com", ("North", "South")[n % 2], "yes"])
        if n % 2:
            tabs["Goals"].append(["2026-11", name, 100, 10000])
        tabs[f"Rep - {name}"] = activity(
            ["2026-11-02", 10 + n % 7, 2, 1, 1000 + n, "Acme"],
            ["2026-11-03", 5, 1, 0, 0, "Globex"],
        )
    return tabs


@pytest.mark.parametrize("reps", [3, 30, 300])
def test_a_refresh_costs_at_most_three_calls_at_every_size(
    reps: int, tmp_path: Path, fake: FakeSheetsApi
) -> None:
    sid = fake.create_spreadsheet("Team", synthetic_workbook(reps))
    cfg = google_config(fake.service_account_file(tmp_path), sid)
    first = refresh(cfg, AS_OF)
    assert fake.api_calls == first.api_calls == 3
    assert len(first.ranking) == reps
    fake.reset_log()
    second = refresh(cfg, AS_OF)
    assert fake.api_calls == second.api_calls == 3
    methods = [(r.method, r.path.rsplit("/", 1)[-1]) for r in fake.requests if r.api == "sheets"]
    read = ("GET", "values:batchGet") if reps < 300 else ("POST", "values:batchGetByDataFilter")
    assert methods == [("GET", sid), read, ("POST", f"{sid}:batchUpdate")]  # 300: a long URL
    rep_kpis = second.plan.tab("rep_kpis")
    assert rep_kpis is not None
    assert len(fake.values(sid, "Rep KPIs")) == len(rep_kpis.rows)


def test_read_is_one_narrow_metadata_call_and_one_unformatted_batch_get(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    tabs: dict[str, Grid] = {
        "Notes": [["private"]],
        "Rep - O'Brien": activity(["2026-11-02", 3, 1, 0, 0, "X"]),
    }
    sid = fake.create_spreadsheet("Team", tabs)
    backend = GoogleBackend(sid, fake.service_account_file(tmp_path))
    raw = backend.read(lambda titles: [t for t in titles if t.startswith("Rep")])
    assert raw.titles == ("Notes", "Rep - O'Brien") and list(raw.grids) == ["Rep - O'Brien"]
    assert raw.grids["Rep - O'Brien"][1] == [46328, 3, 1, 0, 0, "X"]
    meta, values = [r for r in fake.requests if r.api == "sheets"]
    fields = meta.params["fields"][0]
    assert fields.startswith("sheets(properties(") and "developerMetadata(" in fields
    assert "rowData" not in fields and meta.params["includeGridData"] == ["false"]
    assert values.params["ranges"] == ["'Rep - O''Brien'"]
    assert values.params["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert values.params["dateTimeRenderOption"] == ["SERIAL_NUMBER"]
    fake.reset_log()
    assert backend.read(lambda titles: []).grids == {}
    assert fake.api_calls == 1  # nothing selected: no batchGet


def test_output_tabs_are_created_owned_protected_then_replaced_whole(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    tabs = team_workbook()
    tabs["Rep - Ben Carter"].append(["yesterday", 1])
    sid = fake.create_spreadsheet("Team", tabs)
    key = fake.service_account_file(tmp_path)
    cfg = google_config(key, sid)
    refresh(cfg, date(2026, 11, 3))
    made = {s["properties"]["title"]: s for s in fake.spreadsheet_json(sid)["sheets"]}
    sheet_id = made["Summary"]["properties"]["sheetId"]
    assert made["Summary"]["protectedRanges"][0]["warningOnly"] is True
    assert made["Summary"]["properties"]["gridProperties"]["frozenRowCount"] == 3
    markers = owner_markers(fake, sid)
    outputs = {made[t]["properties"]["sheetId"] for t in cfg.output.tabs.values() if t in made}
    assert {m["location"]["sheetId"] for m in markers} == outputs and len(outputs) == 6
    assert all(m["metadataKey"] == OWNER_KEY for m in markers)
    issue_rows = fake.values(sid, "Data issues")[1:]
    assert [row[0] for row in issue_rows if row[-1] != "reported only"] == ["error"]
    # google-auth leaves this classmethod unannotated
    user = Credentials.from_service_account_file(str(key), scopes=[SPREADSHEETS_SCOPE])  # type: ignore[no-untyped-call]
    http = HTTPClient(user)
    http.values_clear(sid, "'Rep - Ben Carter'!A3:Z3")  # the user fixes the bad row
    refresh(cfg, date(2026, 11, 3))
    again = {s["properties"]["title"]: s for s in fake.spreadsheet_json(sid)["sheets"]}
    assert again["Summary"]["properties"]["sheetId"] == sheet_id
    assert len(again["Summary"]["protectedRanges"]) == 1  # not added twice
    assert owner_markers(fake, sid) == markers
    runs = [m for m in fake.developer_metadata(sid) if m["metadataKey"] == "sheetsync.run"]
    assert len(runs) == 1 and runs[0]["location"] == {"locationType": "SPREADSHEET",
                                                      "spreadsheet": True}  # fmt: skip
    rows_now = fake.values(sid, "Data issues")
    assert rows_now[0] == list(ISSUE_HEADERS)
    assert [r for r in rows_now[1:] if r[-1] != "reported only"] == []  # the old row is gone
    assert again["Data issues"]["properties"]["gridProperties"]["rowCount"] == len(rows_now)
    assert fake.cell(sid, "Summary", "A1")["userEnteredFormat"]["textFormat"]["bold"] is True


def test_numbers_keep_their_formats_and_dates_are_serials_with_a_date_format(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    sid = fake.create_spreadsheet("Team", team_workbook())
    refresh(google_config(fake.service_account_file(tmp_path), sid), date(2026, 11, 3))
    header = fake.values(sid, "Rep KPIs")[0]
    row = next(r for r in fake.values(sid, "Rep KPIs") if r[3] == "Revenue" and r[1] == "total")
    revenue = fake.cell(sid, "Rep KPIs", f"E{fake.values(sid, 'Rep KPIs').index(row) + 1}")
    assert header[4] == "Actual" and "numberValue" in revenue["userEnteredValue"]
    assert revenue["userEnteredFormat"]["numberFormat"] == {
        "type": "CURRENCY",
        "pattern": '"$"#,##0',
    }
    labels = [row[0] for row in fake.values(sid, "Sync status")]
    as_of = fake.cell(sid, "Sync status", f"B{labels.index('As-of date') + 1}")
    assert as_of["userEnteredValue"] == {"numberValue": 46329}
    assert as_of["userEnteredFormat"]["numberFormat"]["type"] == "DATE"


def test_formula_looking_text_is_written_as_text(tmp_path: Path, fake: FakeSheetsApi) -> None:
    tabs = team_workbook()
    tabs['Rep - =HYPERLINK("http://evil")'] = activity(["2026-11-02", 1, 0, 0, 0, "=1+1"])
    sid = fake.create_spreadsheet("Team", tabs)
    refresh(google_config(fake.service_account_file(tmp_path), sid), date(2026, 11, 3))
    kpis = fake.values(sid, "Rep KPIs")
    index = next(i for i, r in enumerate(kpis) if str(r[2]).startswith("=HYPERLINK"))
    cell = fake.cell(sid, "Rep KPIs", f"C{index + 1}")
    assert cell["userEnteredValue"] == {"stringValue": '=HYPERLINK("http://evil")'}
    assert "formulaValue" not in cell["userEnteredValue"]
    assert cell["effectiveValue"] == {"stringValue": '=HYPERLINK("http://evil")'}


def test_a_tab_the_user_made_with_an_output_name_is_left_untouched(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    tabs = team_workbook()
    tabs["ranking"] = [["my own leaderboard", 1]]
    sid = fake.create_spreadsheet("Team", tabs)
    cfg = google_config(fake.service_account_file(tmp_path), sid)
    with pytest.raises(OwnershipError, match=r"tab 'ranking' already exists.*output\.ranking"):
        refresh(cfg, date(2026, 11, 3))
    clash = OutputPlan((TabPlan("ranking", "Ranking", ((Cell("x"),),)),))
    with pytest.raises(OwnershipError, match=r"output\.ranking"):
        GoogleBackend(sid, cfg.source.credentials_file).apply(clash)
    assert fake.values(sid, "ranking") == [["my own leaderboard", 1]]
    assert fake.developer_metadata(sid) == []
    assert not any(r.method == "POST" for r in fake.requests if r.api == "sheets")


def test_only_the_spreadsheets_scope_is_asked_for(tmp_path: Path, fake: FakeSheetsApi) -> None:
    sid = fake.create_spreadsheet("Team", team_workbook())
    refresh(google_config(fake.service_account_file(tmp_path), sid), date(2026, 11, 3))
    assert fake.granted_scopes == [frozenset({SPREADSHEETS_SCOPE})]
    assert not any(r.api == "drive" for r in fake.requests)


def test_a_dry_run_reads_in_two_calls_and_writes_nothing(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    sid = fake.create_spreadsheet("Team", team_workbook())
    report: Report = refresh(
        google_config(fake.service_account_file(tmp_path), sid), date(2026, 11, 3), dry_run=True
    )
    assert not report.written and report.api_calls == fake.api_calls == 2
    assert all(r.method == "GET" for r in fake.requests if r.api == "sheets")
    assert fake.sheet_titles(sid) == list(team_workbook())


def test_the_constructor_does_no_io_and_ids_come_from_urls(fake: FakeSheetsApi) -> None:
    sid = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd"
    backend = GoogleBackend(f"https://docs.google.com/spreadsheets/d/{sid}/edit#gid=0")
    assert backend.spreadsheet_id == sid == spreadsheet_id(sid)
    assert backend.api_calls == 0 and fake.requests == []
    with pytest.raises(ConfigError, match=r"source\.spreadsheet: 'not an id!' is not"):
        GoogleBackend("not an id!", config_file="my.yaml")


def test_cli_refresh_and_check_on_a_google_config(
    tmp_path: Path, fake: FakeSheetsApi, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = fake.create_spreadsheet("Team", team_workbook())
    key = fake.service_account_file(tmp_path)
    path = tmp_path / "sheetsync.yaml"
    path.write_text(with_extra(f"source: {{type: google, spreadsheet: '{sid}', "
                               f"credentials_file: {key.name}}}\n"))  # fmt: skip
    assert main(["refresh", "--config", str(path), "--as-of", "2026-11-03", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would write 6 tabs to Google spreadsheet {sid}" in out and "2 API calls" in out
    assert "   1 | Ben Carter | South | 43.3% |" in out  # the preview shows percents as such
    assert "Summary" not in fake.sheet_titles(sid)
    assert main(["refresh", "--config", str(path), "--as-of", "2026-11-03"]) == 0
    assert f"wrote 6 tabs to Google spreadsheet {sid}" in capsys.readouterr().out
    assert "Summary" in fake.sheet_titles(sid)
    assert main(["check", "--config", str(path), "--as-of", "2026-11-03"]) == 0
    assert "config ok" in capsys.readouterr().out
