"""`sheetsync init`: the missing input tabs laid out with their headers, existing tabs left
alone, on a fake Google spreadsheet and on an xlsx workbook."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from sheetsync.cli import main
from sheetsync.input_tabs import example_rep_tab, init_inputs, input_layout
from sheetsync.pipeline import refresh
from sheetsync.sync.stage import rep_tabs
from sheetsync.testing import FakeSheetsApi
from tests.helpers import config, with_extra
from tests.test_google_backend import google_config

GOALS = ["Period", "Scope", "Calls", "Meetings", "Deals", "Revenue", "Win rate", "Customers",
         "Entries"]  # fmt: skip
ACTIVITY = ["Date", "Calls", "Meetings", "Deals", "Revenue", "Customer"]


def test_the_layout_comes_from_the_config() -> None:
    layout = {tab.title: list(tab.headers) for tab in input_layout(config())}
    assert layout == {
        "Rep - Example": ACTIVITY,
        "Log": ["Rep", *ACTIVITY],
        "Goals": GOALS,
        "Roster": ["Rep", "Email", "Team", "Active", "Start"],
        "Actions": ["Agreed on", "Rep or team", "KPI", "Action", "Owner", "Due", "Done"],
    }
    assert example_rep_tab("Aktywność: *") == "Aktywność: Example"
    existing = input_layout(config(), ["Rep - Anna"])
    assert existing[0].title == "Rep - Anna"  # a rep tab exists: no example tab is needed


def test_init_adds_missing_tabs_in_two_calls_and_leaves_existing_ones_alone(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    sid = fake.create_spreadsheet("Team", {"goals": [["my", "own", "goals"], [1, 2]]})
    cfg = google_config(fake.service_account_file(tmp_path), sid)
    result = init_inputs(cfg)
    assert [tab.title for tab in result.created] == ["Rep - Example", "Log", "Roster", "Actions"]
    assert result.existing == ("goals",)
    assert fake.api_calls == 2
    assert fake.values(sid, "goals") == [["my", "own", "goals"], [1, 2]]
    assert fake.values(sid, "Log") == [["Rep", *ACTIVITY]]
    assert fake.cell(sid, "Roster", "A1")["userEnteredFormat"]["textFormat"]["bold"] is True
    # input tabs belong to the users: no owner marker, only the write's run marker
    assert [m["location"] for m in fake.developer_metadata(sid)] == [
        {"locationType": "SPREADSHEET", "spreadsheet": True}
    ]
    fake.reset_log()
    again = init_inputs(cfg)
    assert again.created == () and len(again.existing) == 5
    assert fake.api_calls == 1  # nothing to add: no write at all


def test_a_spreadsheet_laid_out_by_init_refreshes_cleanly(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    sid = fake.create_spreadsheet("Team")
    cfg = google_config(fake.service_account_file(tmp_path), sid)
    init_inputs(cfg)
    report = refresh(cfg, date(2026, 11, 3))
    assert report.written and report.facts.rows_read == 0
    assert "Example" not in set(report.ranking.get("rep", []))


def test_init_makes_a_new_xlsx_workbook_or_adds_to_one(tmp_path: Path) -> None:
    cfg = config(folder=tmp_path)
    assert cfg.source.path is not None and not cfg.source.path.exists()
    created = init_inputs(cfg)
    assert len(created.created) == 5
    book = openpyxl.load_workbook(cfg.source.path)
    assert book.sheetnames == ["Rep - Example", "Log", "Goals", "Roster", "Actions"]
    assert [c.value for c in book["Goals"][1]] == GOALS and book["Goals"]["A1"].font.bold
    del book["Log"]
    book["Goals"]["A2"] = "2026-11"
    book.save(cfg.source.path)
    again = init_inputs(cfg)
    assert [tab.title for tab in again.created] == ["Log"]
    book = openpyxl.load_workbook(cfg.source.path)
    assert book["Goals"]["A2"].value == "2026-11"


def test_cli_init_prints_what_it_made_and_what_it_left(
    tmp_path: Path, fake: FakeSheetsApi, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = fake.create_spreadsheet("Team", {"Roster": [["Rep"]]})
    key = fake.service_account_file(tmp_path)
    path = tmp_path / "sheetsync.yaml"
    path.write_text(with_extra(f"source: {{type: google, spreadsheet: '{sid}', "
                               f"credentials_file: {key.name}}}\n"))  # fmt: skip
    assert main(["init", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "created     Goals: Period | Scope | Calls" in out
    assert "left alone  Roster (it exists)" in out
    assert f"added 4 tabs in Google spreadsheet {sid}" in out
    assert fake.values(sid, "Roster") == [["Rep"]]


@pytest.mark.parametrize(
    "pattern", ["Rep - *", "* - Activity", "*", "[Rr]ep ?? *", "Sales [!x]* team *"]
)
def test_the_example_rep_tab_is_matched_by_its_own_pattern(pattern: str) -> None:
    cfg = config(f'activity: {{rep_tabs: "{pattern}", log_tab: Log, numbers: {{calls: Calls}}}}\n'
                 "kpis: {calls: {kind: sum, column: calls}}\n"
                 "ranking: {weights: {calls: 1}}\n")  # fmt: skip
    title = example_rep_tab(pattern)
    assert title in rep_tabs([title, "Goals", "Roster", "Log"], cfg)
    assert not set("[]*?") & set(title)
