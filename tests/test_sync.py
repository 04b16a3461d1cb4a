import pandas as pd
import pytest

from sheetsync.config.values import Config
from sheetsync.errors import DataError
from sheetsync.grids import Grid, RawWorkbook
from sheetsync.sync.stage import SyncResult, input_tabs, rep_tab_pattern, rep_tabs, sync
from tests.helpers import activity, config, serial, team_workbook

ACTIVITY_FIELDS = (
    "  numbers: {calls: Calls, meetings: Meetings, deals: Deals, revenue: Revenue}\n"
    "  texts: {customer: Customer}\n"
)


def run(tabs: dict[str, Grid], extra: str = "") -> SyncResult:
    return sync(RawWorkbook(tuple(tabs), tabs, {}), config(extra))


def problems(result: SyncResult) -> list[str]:
    """Cell-level issues (tab-level ones like a missing Goals tab left out)."""
    return [str(i) for i in result.issues if i.cell]


def test_rep_tabs_log_tab_and_reference_tabs_are_selected_never_outputs() -> None:
    titles = ["Roster", "Goals", "rep - anna", "Rep - Ben", "Summary", "Notes", "LOG"]
    assert input_tabs(titles, config()) == ["Roster", "Goals", "rep - anna", "Rep - Ben", "LOG"]
    assert rep_tab_pattern("Rep - *").fullmatch("rep - anna nowak")


def with_rep_tabs(pattern: str, extra: str = "") -> Config:
    """The base config with another `activity.rep_tabs` (and the same log tab and fields)."""
    return config(f"activity:\n  rep_tabs: {pattern!r}\n  log_tab: Log\n{ACTIVITY_FIELDS}{extra}")


@pytest.mark.parametrize(
    ("pattern", "titles", "expected"),
    [
        ("* - Activity", ["Anna Nowak - Activity", "ben  carter -  ACTIVITY", "Activity",
                          "Anna - Notes"],
         {"Anna Nowak - Activity": "Anna Nowak", "ben  carter -  ACTIVITY": "ben carter"}),
        ("Rep ?? *", ["Rep 01 Anna Nowak", "Rep 1 Anna", "rep AB  Ben"],
         {"Rep 01 Anna Nowak": "Anna Nowak", "rep AB  Ben": "Ben"}),
        ("[Rr]ep - *", ["rep - Ben", "Rep - Anna", "Xep - Carl", "Rep - "],
         {"rep - Ben": "Ben", "Rep - Anna": "Anna"}),
        ("[!x]ep - *", ["Rep - Anna", "Xep - Carl"], {"Rep - Anna": "Anna"}),
        ("* - * - Activity", ["Anna - North - Activity"], {"Anna - North - Activity": "Anna"}),
        ("Rep*", ["Rep", "Report"], {"Report": "ort"}),  # an empty name is no rep
    ],
)  # fmt: skip
def test_rep_tab_patterns_take_the_rep_from_the_first_star(
    pattern: str, titles: list[str], expected: dict[str, str]
) -> None:
    assert rep_tabs(titles, with_rep_tabs(pattern)) == expected


def test_a_lone_star_never_takes_the_other_input_tabs_or_the_outputs() -> None:
    cfg = with_rep_tabs("*", "calendar: {holidays_tab: Days off}\n")
    titles = ["Goals", "Roster", "LOG", "days off", "Summary", "Ranking", "Rep KPIs",
              "Data issues", "Sync status", "Anna Nowak", "Ben"]  # fmt: skip
    assert rep_tabs(titles, cfg) == {"Anna Nowak": "Anna Nowak", "Ben": "Ben"}
    assert input_tabs(titles, cfg) == ["Goals", "Roster", "LOG", "days off", "Anna Nowak", "Ben"]


def test_a_lone_star_reads_only_the_rep_tabs_of_a_workbook_with_outputs() -> None:
    tabs = team_workbook()
    tabs["Anna Nowak"] = tabs.pop("Rep - Anna Nowak")
    tabs["Ben Carter"] = tabs.pop("Rep - Ben Carter")
    tabs["Summary"] = [["Sales KPIs as of 2026-11-02"], ["Period", "Level"]]
    result = run(tabs, f"activity:\n  rep_tabs: '*'\n  log_tab: Log\n{ACTIVITY_FIELDS}")
    assert result.activity_tabs == ("Anna Nowak", "Ben Carter", "Log")
    assert (result.rows_read, result.rows_counted, result.rows_rejected) == (3, 3, 0)
    assert result.issues == []


def test_an_output_named_like_the_rep_pattern_is_not_a_rep_tab() -> None:
    cfg = config("output: {summary: Rep - Summary}\n")
    assert rep_tabs(["Rep - Summary", "Rep - Anna"], cfg) == {"Rep - Anna": "Anna"}


def test_typed_frames_from_a_clean_workbook() -> None:
    result = run(team_workbook())
    act = result.activity
    assert sorted(act["rep"].unique()) == ["Anna Nowak", "Ben Carter"]
    assert act["date"].dtype == "datetime64[ns]"
    assert act["calls"].sum() == 35
    assert act.loc[0, "date"] == pd.Timestamp("2026-11-02")
    assert result.goals.to_dict("records")[0] == {
        "period": "2026-11", "level": "rep", "scope": "Anna Nowak", "kpi": "calls", "target": 100.0,
        "cell": "C2",
    }  # fmt: skip
    assert list(result.roster["team"]) == ["North", "South"]
    assert (result.rows_read, result.rows_counted, result.rows_rejected) == (3, 3, 0)
    assert result.issues == []


def test_a_roster_cell_that_is_not_exactly_one_address_is_a_data_issue() -> None:
    tabs = team_workbook()
    cells = [
        "walter@example.com,victim",
        "Anna <anna@example.com>",
        "a@x.com; b@y.com",
        "zoë@example.com",
        "=?utf-8?q?x?=@example.com",
        "no address",
        " ok@example.com ",
    ]
    tabs["Roster"] += [[f"Rep {n}", cell, "North", "yes"] for n, cell in enumerate(cells)]
    result = run(tabs)
    assert [str(issue) for issue in result.issues if issue.tab == "Roster"] == [
        "Roster!B4: more than one e-mail address, or an address with other text: "
        "'walter@example.com,victim'",
        "Roster!B5: more than one e-mail address, or an address with other text: "
        "'Anna <anna@example.com>'",
        "Roster!B6: more than one e-mail address, or an address with other text: "
        "'a@x.com; b@y.com'",
        "Roster!B7: only ASCII addresses are supported: 'zoë@example.com'",
        "Roster!B8: not an e-mail address: '=?utf-8?q?x?=@example.com'",
        "Roster!B9: not an e-mail address: 'no address'",
    ]
    assert {issue.action for issue in result.issues} == {"no e-mail is sent to this rep"}
    assert list(result.roster["email"])[-1] == "ok@example.com"


def test_headers_match_loosely_and_may_sit_below_a_title_row() -> None:
    grid: Grid = [["Anna's activity"], [], ["  DATE ", "calls", "MEETINGS  ", "Deals", "revenue"],
            [serial("2026-11-02"), 3, 1, 0, 0]]  # fmt: skip
    result = run({"Rep - Anna": grid})
    assert result.activity["calls"].tolist() == [3.0]
    assert result.activity["_row"].tolist() == [4]


def test_every_kind_of_bad_cell_is_reported_with_its_cell_and_rows_add_up() -> None:
    grid = activity(
        ["2026-11-02", "n/a", 1, 0, 100, "Acme"],  # bad number: cell left out, row counted
        ["2026-11-03", "12", "1,5", 0, "1,200.50", None],  # text numbers by the locale
        ["not a date", 1, 1, 0, 0, None],  # bad date: row rejected
        [None, 4, 0, 0, 0, "Acme"],  # missing date: row rejected
        [None, None, None, None, None, None],  # blank row: not read at all
        ["04.11.2026", True, 0, 0, 0, None],  # a typed date; a bool is not a number
        [serial("2026-11-05") + 0.75, -2, 0, 0, "=1+1", None],  # date-time serial; formula text
    )
    result = run({"Rep - Anna": grid})
    assert sorted(problems(result)) == [
        "Rep - Anna!A4: expected a date, got 'not a date'",
        "Rep - Anna!A5: the date is missing",
        "Rep - Anna!B2: expected a number, got 'n/a'",
        "Rep - Anna!B7: expected a number, got 'True'",
        "Rep - Anna!C3: expected a number, got '1,5'",
        "Rep - Anna!E8: expected a number, got '=1+1'",
    ]
    assert (result.rows_read, result.rows_counted, result.rows_rejected) == (6, 4, 2)
    act = result.activity
    assert act["revenue"].tolist()[:2] == [100.0, 1200.5]
    assert act["calls"].isna().tolist() == [True, False, True, False]
    assert act["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]  # fmt: skip
    severities = {i.cell: (i.severity, i.action) for i in result.issues}
    assert severities["A4"] == ("error", "row not counted")
    assert severities["B2"] == ("warning", "cell left out; the rest of the row counted")


def test_comma_decimal_locale_reads_text_numbers_and_dates() -> None:
    extra = "locale: {decimal_separator: ',', date_formats: ['%d.%m.%Y']}\n"
    grid = activity(["03.11.2026", "1 234", "1,5", 0, "2.500", None])
    result = run({"Rep - Anna": grid}, extra)
    assert result.activity[["calls", "meetings"]].iloc[0].tolist() == [1234.0, 1.5]
    assert problems(result) == ["Rep - Anna!E2: expected a number, got '2.500'"]


def test_names_differing_in_case_or_spacing_are_one_rep_and_unknown_reps_are_flagged() -> None:
    tabs = team_workbook()
    tabs["Log"] = [["Rep", *activity()[0]],
                   ["  anna   NOWAK ", serial("2026-11-04"), 1, 0, 0, 0],
                   ["Ann Nowak", serial("2026-11-04"), 2, 0, 0, 0],
                   [None, serial("2026-11-04"), 2, 0, 0, 0]]  # fmt: skip
    result = run(tabs)
    reps = result.activity.groupby("rep", observed=True)["calls"].sum().to_dict()
    assert reps == {"Anna Nowak": 31.0, "Ann Nowak": 2.0, "Ben Carter": 5.0}
    assert problems(result) == [
        "Log!A4: the rep is missing",
        "Log!A3: rep 'Ann Nowak' is not in the roster; did you mean 'Anna Nowak'?",
    ]
    assert result.rows_read == result.rows_counted + result.rows_rejected == 6


def test_rep_column_on_a_rep_tab_overrides_the_title_when_filled() -> None:
    grid: Grid = [["Date", "Rep", "Calls"], [serial("2026-11-02"), "Ben Carter", 1],
            [serial("2026-11-02"), None, 2]]  # fmt: skip
    result = run({"Rep - Anna": grid})
    assert result.activity["rep"].tolist() == ["Ben Carter", "Anna"]


def test_goals_wide_to_long_with_conflicts_bad_cells_and_unknown_scopes() -> None:
    tabs = team_workbook()
    tabs["Goals"] = [
        ["Period", "Scope", "calls", "Revenue", "Mood"],
        ["2026-11", "anna nowak", 100, None],
        ["2026-q4", "North", None, 30000],
        ["2026", "total", 2000, "lots"],
        ["2026-11", "Anna Nowak", 120],
        ["2026-13", "Ben Carter", 1],
        ["2026-11", "Bern Carter", 1],
        ["2026-11", "Ben Carter", 50, 5000],
        ["2026-11", "Ben Carter", 50],
    ]
    result = run(tabs)
    goals = result.goals.sort_values(["scope", "kpi"]).to_dict("records")
    assert [(g["period"], g["level"], g["scope"], g["kpi"], g["target"]) for g in goals] == [
        ("2026-11", "rep", "Ben Carter", "calls", 50.0),
        ("2026-11", "rep", "Ben Carter", "revenue", 5000.0),
        ("2026-Q4", "team", "North", "revenue", 30000.0),
        ("2026", "total", "Total", "calls", 2000.0),
    ]
    text = problems(result)
    assert "Goals!E1: column 'Mood' matches no KPI" in text
    assert "Goals!D4: expected a number, got 'lots'" in text
    assert "Goals!C2: conflicting goals for Anna Nowak 2026-11 calls: 100 in C2, 120 in C5" in text
    assert "Goals!C5: conflicting goals for Anna Nowak 2026-11 calls: 100 in C2, 120 in C5" in text
    assert any(t.startswith("Goals!A6: not a period: '2026-13'") for t in text)
    assert ("Goals!B7: scope 'Bern Carter' is not a rep, team or 'Total'; "
            "did you mean 'Ben Carter'?") in text  # fmt: skip


def test_holidays_from_a_tab_and_from_the_config() -> None:
    tabs = team_workbook()
    tabs["Days off"] = [["Date"], [serial("2026-11-11")], ["2026-12-24"], ["someday"]]
    extra = "calendar: {holidays_tab: Days off, holidays: [2026-11-30]}\n"
    result = run(tabs, extra)
    assert sorted(d.isoformat() for d in result.holidays) == [
        "2026-11-11", "2026-11-30", "2026-12-24"]  # fmt: skip
    assert problems(result) == ["Days off!A4: expected a date, got 'someday'"]


def test_missing_tabs_and_headers() -> None:
    with pytest.raises(DataError, match=r"no activity tab found"):
        run({"Goals": [["Period"]]})
    result = run({"Rep - Anna": [["When", "Calls"], [1, 2], [3, 4]]})
    assert problems(result)[0] == "Rep - Anna!A1: no 'Date' column header in the first 10 rows"
    assert (result.rows_read, result.rows_rejected) == (3, 3)  # no header: every row rejected
    assert "Goals: goals tab not found" in [str(i) for i in result.issues]


def test_a_log_tab_without_rep_column_is_rejected_whole() -> None:
    result = run({"Log": activity(["2026-11-02", 1, 0, 0, 0])})
    assert problems(result)[0] == "Log!A1: no 'Rep' column in this log tab"
    assert (result.rows_read, result.rows_counted, result.rows_rejected) == (1, 0, 1)


def test_sync_releasing_the_grids_frees_each_activity_tab_and_computes_the_same() -> None:
    kept, released = team_workbook(), team_workbook()
    raw = RawWorkbook(tuple(released), released, {})
    expected = run(kept)
    result = sync(raw, config(), release=True)
    pd.testing.assert_frame_equal(result.activity, expected.activity)
    pd.testing.assert_frame_equal(result.goals, expected.goals)
    assert [str(i) for i in result.issues] == [str(i) for i in expected.issues]
    assert (result.rows_read, result.rows_counted) == (expected.rows_read, expected.rows_counted)
    # the activity tabs' cells are gone; the roster, goals and the caller's own dicts are not
    assert sorted(released) == ["Goals", "Roster"]
    assert kept == team_workbook()
