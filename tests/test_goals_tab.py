"""The Goal suggestions tab end to end: top-down scaling, the Goals-layout round trip, English
and Polish, both backends (xlsx and the fake Google API), and the `goals` commands."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from sheetsync.backends.base import OWNER_KEY
from sheetsync.backends.memory import MemoryBackend
from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.cli import main
from sheetsync.errors import ConfigError
from sheetsync.goals import SuggestReport, suggest_goals
from sheetsync.grids import Grid
from sheetsync.kpi.topdown import apportioned
from sheetsync.pipeline import refresh
from sheetsync.plan import Cell, TabPlan
from sheetsync.sync.stage import sync
from sheetsync.testing import FakeSheetsApi
from tests import goalsdata as data
from tests.test_goals_oracle import actual, oracle_expected

AS_OF = "2026-02-28"


def run(period: str = "2026-03", extra: str = "", goals: list[list[Any]] | None = None,
        backend: MemoryBackend | None = None) -> SuggestReport:  # fmt: skip
    backend = backend or MemoryBackend(data.grids(goals), {})
    return suggest_goals(data.team_config(extra=extra), period, as_of=data.AS_OF,
                         backend=backend)  # fmt: skip


def rows_of(report: SuggestReport) -> list[list[Any]]:
    return [[cell.value for cell in row] for row in report.plan.tabs[0].rows]


def block(rows: list[list[Any]]) -> list[list[Any]]:
    """The first block: the Goals layout, up to the first blank row."""
    return rows[: rows.index([])]


def lines(rows: list[list[Any]]) -> list[str]:
    """The notes: the one-cell rows after the last blank row."""
    last = len(rows) - rows[::-1].index([])
    return [row[0] for row in rows[last:]]


# ---------------------------------------------------------------------------------------------
# Top-down


def test_reps_are_scaled_to_the_team_and_total_goals_exactly() -> None:
    plain = {s.rep: s.targets for s in run(goals=data.default_goals()[:5]).found.reps}
    report = run()
    found = {s.rep: s.targets for s in report.found.reps}
    north = ["Anna Nowak", "Ben Carter", "Chloe Martin", "Gosia Wójcik"]
    assert sum(found[rep]["calls"] for rep in north) == 900
    assert sum(t.get("deals", 0) for t in found.values()) == 40
    assert found["Dawid Lis"]["calls"] == plain["Dawid Lis"]["calls"]  # South: no goal
    factor = 900 / sum(plain[rep]["calls"] for rep in north)
    assert factor == pytest.approx(1.1920529801)
    assert lines(rows_of(report)) == [
        "Aim: 65% of reps reach their suggestion for 2026-03; each KPI calibrated on at least "
        "66 past rep-months (docs/goals.md). Paste the rows you accept into the Goals tab.",
        "North, Calls, 2026-03: the goal 900 is +16% against what the history makes likely "
        "(775); the reps' suggestions are scaled +19.2% to sum to it. Estimated chance the "
        "team reaches it: 4%.",
        "North, Calls, 2026-03: the goal 900 is far above anything the history supports: even "
        "the team's best month of the last year, at this pace, gives 869.",
        "Total, Deals, 2026-03: the goal 40 is +39% against what the history makes likely "
        "(29); the reps' suggestions are scaled +25.0% to sum to it. Estimated chance the "
        "team reaches it: 4%.",
        "Total, Deals, 2026-03: the goal 40 is far above anything the history supports: even "
        "the team's best month of the last year, at this pace, gives 30.",
        "No suggestion for Win rate: not a sum or a count (set them by hand).",
    ]


def test_scaled_suggestions_are_rounded_to_sum_to_the_goal() -> None:
    small = {"a": 4 * 10 / 18, "b": 4 * 10 / 18, "c": 4 * 10 / 18, "d": 3 * 10 / 18,
             "e": 3 * 10 / 18}  # fmt: skip
    assert apportioned(small, 10) == {"a": 2, "b": 2, "c": 2, "d": 2, "e": 2}
    big = {"a": 35_912.4, "b": 29_087.1, "c": 215_000.5}
    assert apportioned(big, 280_000) == {"a": 35_900, "b": 29_100, "c": 215_000}
    assert apportioned({"a": 101.4, "b": 202.3}, 303.7) == {"a": 101, "b": 202.7}


def test_a_goal_within_reach_is_not_called_far_above() -> None:
    goals = [*data.default_goals()[:5], ["2026-03", "North", 800, None, None, None]]
    report = run(goals=goals)
    north = next(f for f in report.figures if f.group.name == "North" and f.kpi == "calls")
    assert (north.goal, north.value, north.far_above) == (800.0, 800.0, False)
    # the oracle's North months (its established reps, each month predicted from before it)
    cutoff = pd.Period("2026-03", "M")
    trio = ("Anna Nowak", "Ben Carter", "Chloe Martin")
    expected = sum(oracle_expected(rep, "calls", cutoff, [cutoff]) for rep in trio)
    plain = run(goals=data.default_goals()[:5]).found.reps
    expected += next(s for s in plain if s.rep == "Gosia Wójcik").targets["calls"]
    assert north.expected == pytest.approx(expected)
    months = [cutoff - i for i in range(1, 13) if cutoff - i >= pd.Period("2025-04", "M")]
    ratios = [sum(actual(r, m, "calls") for r in trio)
              / sum(oracle_expected(r, "calls", m, [m]) for r in trio) for m in months]  # fmt: skip
    reached = sum(ratio >= 800 / expected for ratio in ratios)
    assert north.chance == pytest.approx((reached + 0.5) / (len(months) + 1)) == 4.5 / 12
    assert lines(rows_of(report))[1] == (
        "North, Calls, 2026-03: the goal 800 is +3% against what the history makes likely "
        "(775); the reps' suggestions are scaled +6.0% to sum to it. Estimated chance the team "
        "reaches it: 38%."
    )


def test_team_and_total_rows_are_the_sums() -> None:
    rows = block(rows_of(run(goals=data.default_goals()[:5])))
    reps = {row[1]: row for row in rows[1:]}
    for column in (2, 3, 5):  # Calls, Deals, Entries (Win rate, column 4, is left blank)
        north = sum(reps[r][column] for r in ("Anna Nowak", "Ben Carter", "Chloe Martin",
                                              "Gosia Wójcik"))  # fmt: skip
        south = sum(reps[r][column] for r in ("Dawid Lis", "Ewa Kot"))
        assert (reps["North"][column], reps["South"][column]) == (north, south)
        assert reps["Total"][column] == north + south
    assert {row[4] for row in rows[1:]} == {None}
    assert [row[1] for row in rows[1:]] == [
        "Anna Nowak", "Ben Carter", "Chloe Martin", "Dawid Lis", "Ewa Kot", "Gosia Wójcik",
        "North", "South", "Total",
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The Goals layout round trip


def test_rows_pasted_into_goals_read_back_as_exactly_those_goals() -> None:
    report = run(goals=data.default_goals()[:5])
    pasted = block(rows_of(report))
    assert pasted[0] == data.GOAL_HEADERS  # the Goals tab's own header row
    grids = data.grids(data.default_goals()[:5])
    grids["Goals"] = [*grids["Goals"], *pasted[1:]]
    raw = MemoryBackend(grids, {}).read(lambda titles: titles)
    goals = sync(raw, data.team_config()).goals
    read = goals[goals["period"] == "2026-03"]
    back = {(scope, kpi): target for scope, kpi, target in
            zip(read["scope"], read["kpi"], read["target"], strict=True)}  # fmt: skip
    wanted = {(s.rep, kpi): t for s in report.found.reps for kpi, t in s.targets.items()}
    wanted |= {(f.group.name, f.kpi): f.value for f in report.figures}
    assert back == wanted


def test_the_layout_follows_the_goals_tab_columns_as_they_are() -> None:
    grids = data.grids()
    grids["Goals"] = [
        ["Notes", "Scope", "Period", "deals", "CALLS"],
        [None, "Anna Nowak", "2026-02", 5, 200],
    ]
    report = run(backend=MemoryBackend(grids, {}))
    rows = block(rows_of(report))
    assert rows[0] == ["Notes", "Scope", "Period", "deals", "CALLS"]
    anna = next(row for row in rows if row[1] == "Anna Nowak")
    assert anna[:3] == [None, "Anna Nowak", "2026-03"]
    # only the KPIs with goals (deals, calls) are suggested
    assert set(report.found.calibration.middle) == {"calls", "deals"}


# ---------------------------------------------------------------------------------------------
# The tab in English and Polish


def test_english_tab() -> None:
    report = run()
    tab = report.plan.tabs[0]
    rows = rows_of(report)
    assert (tab.key, tab.title, tab.header_rows, tab.frozen_columns) == (
        "goal_suggestions", "Goal suggestions", 1, 2)  # fmt: skip
    rests = rows[rows.index(["What each suggestion rests on"]) + 1 :]
    assert rests[0] == ["Scope", "Team", "KPI", "Basis", "Suggested", "Same period last year",
                        "Per working day", "Working days", "Trend", "Season", "Expected",
                        "Chance", "Note"]  # fmt: skip
    hanna = next(row for row in rests if row[0] == "Hanna Zięba")
    assert hanna[3:] == [
        "none",
        *[None] * 8,
        "no activity before 2026-03 and no start date in the Roster tab",
    ]
    gosia = next(row for row in rests if row[0] == "Gosia Wójcik")
    assert gosia[3] == "ramp (new rep)"
    assert gosia[12] == "the team's median per working day, ramped over the first 3 months"
    anna = next(row for row in rests if row[0] == "Anna Nowak" and row[2] == "Calls")
    assert anna[7] == 22  # the working days of March 2026
    assert anna[5] == actual("Anna Nowak", pd.Period("2025-03", "M"), "calls") == 272


def test_polish_tab() -> None:
    report = run(extra="output: {language: pl}\n")
    rows = rows_of(report)
    assert report.plan.tabs[0].title == "Propozycje celów"
    assert ["Na czym opiera się każda propozycja"] in rows
    rests = rows[rows.index(["Na czym opiera się każda propozycja"]) + 1 :]
    assert rests[0][:5] == ["Zakres", "Zespół", "KPI", "Podstawa", "Propozycja"]
    hanna = next(row for row in rests if row[0] == "Hanna Zięba")
    assert hanna[3] == "brak"
    assert hanna[12] == "brak aktywności przed 2026-03 i brak daty rozpoczęcia w zakładce Roster"
    assert lines(rows)[1] == (
        "North, Calls, 2026-03: cel 900 to +16% względem tego, co historia czyni "
        "prawdopodobnym (775); propozycje handlowców przeskalowano o +19,2%, by sumowały się "
        "do niego. Szacowana szansa, że zespół go osiągnie: 4%."
    )
    assert report.plan.number_locale == "415"


# ---------------------------------------------------------------------------------------------
# Both backends


def make_xlsx(path: Path, grids: dict[str, Grid]) -> None:
    tabs = [TabPlan("input", title, tuple(tuple(Cell(v) for v in row) for row in grid))
            for title, grid in grids.items()]  # fmt: skip
    XlsxBackend(path, create=True).add_input_tabs(tabs)


@pytest.fixture
def team_file(tmp_path: Path) -> Path:
    make_xlsx(tmp_path / "team.xlsx", data.grids())
    config = tmp_path / "sheetsync.yaml"
    config.write_text(data.CONFIG, "utf-8")
    return config


def inputs_of(path: Path) -> dict[str, Grid]:
    raw = XlsxBackend(path).read(lambda titles: titles)
    return dict(raw.grids)


def test_xlsx_writes_only_its_own_tab_and_a_refresh_keeps_it(team_file: Path) -> None:
    book = team_file.parent / "team.xlsx"
    before = inputs_of(book)
    config = data.team_config(team_file.parent)
    report = suggest_goals(config, "2026-03", as_of=data.AS_OF)
    assert report.written
    assert inputs_of(book) == before  # every input tab as it was (owned tabs are not offered)
    sheet = openpyxl.load_workbook(book)["Goal suggestions"]
    assert trimmed([c.value for c in sheet[1]]) == data.GOAL_HEADERS
    written = [[c.value for c in row] for row in sheet.iter_rows(max_row=10)]
    assert written[1][:3] == ["2026-03", "Anna Nowak", 348]
    refresh(config, data.AS_OF)
    again = openpyxl.load_workbook(book)
    assert "Goal suggestions" in again.sheetnames and "Summary" in again.sheetnames
    kept = [[c.value for c in row] for row in again["Goal suggestions"].iter_rows(max_row=10)]
    assert kept == written


def test_a_tab_of_that_name_without_the_mark_is_never_touched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grids = data.grids()
    grids["Goal suggestions"] = [["mine"]]
    make_xlsx(tmp_path / "team.xlsx", grids)
    config = tmp_path / "sheetsync.yaml"
    config.write_text(data.CONFIG, "utf-8")
    before = (tmp_path / "team.xlsx").read_bytes()
    code = main(["goals", "suggest", "--config", str(config), "--period", "2026-03",
                 "--as-of", AS_OF])  # fmt: skip
    assert code == 4 and (tmp_path / "team.xlsx").read_bytes() == before
    assert "output.goal_suggestions" in capsys.readouterr().err


def test_google_writes_the_tab_in_one_batch_and_marks_it(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    grids = data.grids()
    sid = fake.create_spreadsheet("Team", grids)
    base = data.team_config(tmp_path, "output: {language: pl}\n")
    source = dataclasses.replace(base.source, type="google", spreadsheet=sid, path=None,
                                 credentials_file=fake.service_account_file(tmp_path))  # fmt: skip
    config = dataclasses.replace(base, source=source)
    report = suggest_goals(config, "2026-03", as_of=data.AS_OF)
    assert report.written
    values = [trimmed(row) for row in fake.values(sid, "Propozycje celów")]
    assert values[0] == data.GOAL_HEADERS
    assert values[1][:3] == ["2026-03", "Anna Nowak", 348]
    markers = [m for m in fake.developer_metadata(sid) if m["metadataKey"] == OWNER_KEY]
    assert [m["metadataValue"].split()[-1] for m in markers] == ["goal_suggestions"]
    assert fake.sheet_titles(sid) == [*grids, "Propozycje celów"]
    assert fake.api_calls == 3  # the metadata, the values, one batchUpdate
    assert fake.values(sid, "Goals")[1][:3] == ["2026-02", "Anna Nowak", 200]


def test_a_fiscal_quarter_and_a_switched_off_tab(tmp_path: Path) -> None:
    fiscal = "calendar: {timezone: UTC, holidays_tab: Holidays, fiscal_year_start: April}\n"
    report = run("FY2026-Q4", extra=fiscal)  # January to March 2026
    assert report.found.months == (2026 * 12 + 0, 2026 * 12 + 1, 2026 * 12 + 2)
    assert block(rows_of(report))[1][:2] == ["FY2026-Q4", "Anna Nowak"]
    with pytest.raises(ConfigError) as error:
        run(extra="output: {goal_suggestions: false}\n")
    assert str(error.value) == (
        "sheetsync.yaml: output.goal_suggestions: the Goal suggestions tab is switched off; give "
        "it a name"
    )


def trimmed(row: list[Any]) -> list[Any]:
    while row and row[-1] in (None, ""):
        row = row[:-1]
    return row


# ---------------------------------------------------------------------------------------------
# The commands


def test_suggest_command_json_and_dry_run(
    team_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = team_file.parent / "team.xlsx"
    before = book.read_bytes()
    args = ["goals", "suggest", "--config", str(team_file), "--period", "2026-03",
            "--as-of", AS_OF]  # fmt: skip
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Period  Scope  Calls  Deals  Win rate  Entries"
    assert out[1] == "2026-03  Anna Nowak  348  8  -  22"
    assert out[-1] == "Goal suggestions for 2026-03 (aim 65%): dry run: nothing was written"
    assert book.read_bytes() == before
    assert main([*args, "--dry-run", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["period"], shown["aim"], shown["written"]) == ("2026-03", 0.65, False)
    hanna = next(rep for rep in shown["reps"] if rep["rep"] == "Hanna Zięba")
    assert hanna == {"rep": "Hanna Zięba", "team": "South", "basis": "none", "targets": {},
                     "chance": {}, "why": "no activity and no start date"}  # fmt: skip
    assert book.read_bytes() == before
    assert main(args) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"Goal suggestions for 2026-03 (aim 65%): written to tab 'Goal suggestions' of {book}"
    )


@pytest.mark.parametrize(("extra", "message"), [
    (["--period", "2026-03", "--aim", "0.2"],
     "sheetsync: --aim 0.2 is out of range; use a share from 0.3 to 0.95 (0.65: about two "
     "reps in three reach their goal)"),
    (["--period", "2026-W10"],
     "sheetsync: --period 2026-W10: suggestions are for a month, a quarter or a year, not a "
     "week"),
    (["--period", "March"],
     "sheetsync: --period: not a period: 'March'; expected 2026-11 (month), 2026-Q4, 2026, "
     "2026-W48, FY2027 or FY2027-Q1"),
])  # fmt: skip
def test_suggest_usage_errors(
    team_file: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert main(["goals", "suggest", "--config", str(team_file), *extra]) == 2
    assert capsys.readouterr().err.strip() == message


def test_backtest_command(team_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["goals", "backtest", "--config", str(team_file), "--as-of", AS_OF]
    assert main([*args, "--periods", "2025-10..2026-02"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "Backtest 2025-10..2026-02: share of reps who reached their target",
        "KPI       aim         suggested    last year +10%         goals set",
    ]
    assert out[2].startswith("Calls     65%  ")
    assert main([*args, "--periods", "2026-02", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [row["kpi"] for row in shown] == ["calls", "deals", "entries"]
    assert shown[0]["set_goals"]["count"] == 5  # the five February goals
    assert main([*args, "--periods", "2025-01"]) == 2
    assert capsys.readouterr().err.strip() == (
        "sheetsync: --periods: 2025-01 has no full month of activity before it to suggest from"
    )
    assert main([*args, "--periods", "2026-02..2026-03"]) == 2
    assert capsys.readouterr().err.strip() == (
        "sheetsync: --periods: 2026-03 is not over by the as-of date 2026-02-28; a backtest "
        "needs what happened"
    )
