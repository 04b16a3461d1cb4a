"""The Actions tab end to end: read on xlsx and Google in one read (no extra API call), bad
cells as data issues with their cell and closest names, the brief's "Actions from earlier
meetings" with a KPI's pace then (from History or recomputed) and now worked out by hand, in
English and Polish, and what each recipient of the e-mails sees.

The figures, by hand (November 2026 has 21 working days, Monday to Friday; Nov 1 is a Sunday):

* Anna Nowak, Calls, goal 100: 10 + 20 calls on 2 and 3 Nov, 40 on 12 Nov.
  On 3 Nov: 2 working days gone, expected 100 x 2 / 21 = 9.5238, pace 30 / 9.5238 = 315.0%.
  On 20 Nov: 15 gone, expected 100 x 15 / 21 = 71.4286, pace 70 / 71.4286 = 98.0%.
* North (Anna alone), Revenue, rolled up from Anna's 10,000: 1,000 on 2 Nov, 5,000 on 12 Nov.
  On 10 Nov: 7 gone, expected 3,333.33, pace 1,000 / 3,333.33 = 30.0%.
  On 20 Nov: expected 7,142.86, pace 6,000 / 7,142.86 = 84.0%.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pandas as pd
import pytest

from sheetsync.backends.google import GoogleBackend
from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.config.values import Config
from sheetsync.context import RunContext, run_context
from sheetsync.daemon.runner import Sheet
from sheetsync.grids import Grid
from sheetsync.i18n import language
from sheetsync.input_tabs import input_layout
from sheetsync.kpi.actions import MAX_PACE_DAYS, FollowUp, follow_ups, pace_periods
from sheetsync.kpi.next_goals import next_goals
from sheetsync.notify import run_digest
from sheetsync.periods import current_periods
from sheetsync.pipeline import Report, refresh
from sheetsync.report.brief_actions import pace_text
from sheetsync.sync.actions import Action
from sheetsync.testing import FakeSheetsApi
from tests.helpers import MemoryBackend, activity, config, serial, team_workbook
from tests.test_goals_tab import make_xlsx
from tests.test_google_backend import google_config
from tests.test_notify_content import Page, parse, parts

AS_OF = date(2026, 11, 20)
SNAPSHOTS = (date(2026, 11, 3), date(2026, 11, 10))
EN_HEADERS = ["Agreed on", "Rep or team", "KPI", "Action", "Owner", "Due", "Done"]
PL_HEADERS = ["Uzgodniono", "Handlowiec lub zespół", "KPI", "Działanie", "Odpowiedzialny",
              "Termin", "Zrobione"]  # fmt: skip


def action_rows() -> list[list[Any]]:
    """Rows 2 to 7 of the Actions tab."""
    d = serial
    return [
        [d("2026-11-03"), "Anna Nowak", "Calls", "Double the calls", "Anna Nowak",
         d("2026-11-13"), False],  # overdue on 20 Nov
        [d("2026-11-10"), "North", "Revenue", "Push the Acme deal", "Manager",
         d("2026-11-27"), None],  # open
        [d("2026-11-10"), "Ben Carter", None, "Clean up the pipeline", "Ben Carter",
         d("2026-11-17"), True],  # done since the last snapshot
        [d("2026-10-01"), "Ben Carter", None, "Old thing", "Ben Carter", d("2026-10-05"), "x"],
        ["soon", "Ben Carter", None, "Send the proposal", "Ben Carter", d("2026-11-30"), "FALSE"],
        [d("2026-10-20"), "Anna Nowk", "Revnue", "Visit Globex", "Anna Nowak",
         d("2026-10-30"), "yes"],  # done long ago: not shown
    ]  # fmt: skip


def workbook(headers: list[str], tab: str = "Actions") -> dict[str, Grid]:
    grids = team_workbook()
    grids["Rep - Anna Nowak"] = activity(
        ["2026-11-02", 10, 2, 1, 1000, "Acme"],
        ["2026-11-03", 20, 2, 0, 0, "Globex"],
        ["2026-11-12", 40, 1, 1, 5000, "Acme"],
    )
    grids[tab] = [list(headers), *action_rows()]
    return grids


POLISH = "output: {language: pl}\n"


def with_history(cfg: Config, backend: Any) -> Report:
    """Two snapshots (3 and 10 Nov), then the refresh of 20 Nov."""
    for day in SNAPSHOTS:
        refresh(cfg, day, backend=backend(), snapshot=True)
    return refresh(cfg, AS_OF, backend=backend())


def on_xlsx(tmp_path: Path, extra: str = "", polish: bool = False) -> Report:
    headers, tab = (PL_HEADERS, "Działania") if polish else (EN_HEADERS, "Actions")
    tmp_path.mkdir(exist_ok=True)
    make_xlsx(tmp_path / "team.xlsx", workbook(headers, tab))
    cfg = config(extra + (POLISH if polish else ""), tmp_path)
    assert cfg.source.path is not None
    path = cfg.source.path
    return with_history(cfg, lambda: XlsxBackend(path))


def on_google(fake: FakeSheetsApi, tmp_path: Path, polish: bool = False) -> Report:
    headers, tab = (PL_HEADERS, "Działania") if polish else (EN_HEADERS, "Actions")
    sid = fake.create_spreadsheet("Team", workbook(headers, tab))
    key = fake.service_account_file(tmp_path)
    cfg = google_config(key, sid, config(POLISH if polish else ""))
    return with_history(cfg, lambda: GoogleBackend.from_config(cfg.source))


def brief(report: Report) -> list[tuple[Any, ...]]:
    tab = next(t for t in report.plan.tabs if t.key == "meeting_brief")
    return [tuple(cell.value for cell in row) for row in tab.rows]


def section(rows: list[tuple[Any, ...]], title: str) -> list[tuple[Any, ...]]:
    start = next((i for i, row in enumerate(rows) if row and str(row[0]).startswith(title)), None)
    if start is None:
        return []
    end = next((i for i in range(start, len(rows)) if not rows[i]), len(rows))
    return rows[start:end]


EN_SECTION = [
    ("Actions from earlier meetings", "Scope", "Owner", "Due", "State", "Agreed on", "KPI pace"),
    ("Double the calls", "Anna Nowak", "Anna Nowak", "2026-11-13", "Overdue", "2026-11-03",
     "Calls pace 315.0% -> 98.0% since 2026-11-03, down 217.0 points"),
    ("Push the Acme deal", "North", "Manager", "2026-11-27", "Open", "2026-11-10",
     "Revenue pace 30.0% -> 84.0% since 2026-11-10, up 54.0 points"),
    ("Send the proposal", "Ben Carter", "Ben Carter", "2026-11-30", "Open", None, None),
    ("Clean up the pipeline", "Ben Carter", "Ben Carter", "2026-11-17", "Done", "2026-11-10",
     None),
]  # fmt: skip

PL_SECTION = [
    ("Działania z poprzednich spotkań", "Zakres", "Odpowiedzialny", "Termin", "Stan",
     "Uzgodniono", "Tempo KPI"),
    ("Double the calls", "Anna Nowak", "Anna Nowak", "13.11.2026", "Po terminie", "03.11.2026",
     "Calls: tempo 315,0% -> 98,0% od 03.11.2026, spadek o 217,0 pkt proc."),
    ("Push the Acme deal", "North", "Manager", "27.11.2026", "Otwarte", "10.11.2026",
     "Revenue: tempo 30,0% -> 84,0% od 10.11.2026, wzrost o 54,0 pkt proc."),
    ("Send the proposal", "Ben Carter", "Ben Carter", "30.11.2026", "Otwarte", None, None),
    ("Clean up the pipeline", "Ben Carter", "Ben Carter", "17.11.2026", "Zrobione", "10.11.2026",
     None),
]  # fmt: skip

EN_ISSUES = [
    "Actions!A6: expected a date, got 'soon'",
    "Actions!B7: 'Anna Nowk' is not a rep or team; did you mean 'Anna Nowak'?",
    "Actions!C7: 'Revnue' is not a KPI; did you mean 'Revenue'?",
]


def action_issues(report: Report, tab: str = "Actions") -> list[str]:
    return [str(i) for i in report.issues if i.tab == tab]


def test_xlsx_end_to_end_in_english(tmp_path: Path) -> None:
    report = on_xlsx(tmp_path)
    rows = brief(report)
    assert section(rows, "Actions from earlier meetings") == EN_SECTION
    assert action_issues(report) == EN_ISSUES
    points = section(rows, "Suggested discussion points")
    assert points[1] == ("1. Overdue: Double the calls (Anna Nowak; owner Anna Nowak, "
                         "due 2026-11-13)",)  # fmt: skip
    assert len(rows) <= 57


def test_google_end_to_end_in_english_costs_no_extra_call(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    report = on_google(fake, tmp_path)
    assert section(brief(report), "Actions from earlier meetings") == EN_SECTION
    assert action_issues(report) == EN_ISSUES
    assert report.api_calls == 3  # metadata, one values batchGet, one batchUpdate
    reads = [r for r in fake.requests if r.api == "sheets" and "ranges" in r.params]
    assert "'Actions'" in reads[-1].params["ranges"]  # in the same values call as the inputs


def test_google_call_count_is_the_same_without_the_actions_tab(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    grids = workbook(EN_HEADERS)
    del grids["Actions"]
    sid = fake.create_spreadsheet("Team", grids)
    cfg = google_config(fake.service_account_file(tmp_path), sid, config())
    report = with_history(cfg, lambda: GoogleBackend.from_config(cfg.source))
    assert report.api_calls == 3
    assert report.actions is None
    assert section(brief(report), "Actions from earlier meetings") == []  # left out


def test_xlsx_in_polish(tmp_path: Path) -> None:
    report = on_xlsx(tmp_path, polish=True)
    assert section(brief(report), "Działania z poprzednich spotkań") == PL_SECTION
    assert action_issues(report, "Działania")[0] == ("Działania!A6: expected a date, got 'soon'")


def test_google_in_polish(fake: FakeSheetsApi, tmp_path: Path) -> None:
    report = on_google(fake, tmp_path, polish=True)
    assert section(brief(report), "Działania z poprzednich spotkań") == PL_SECTION
    assert report.api_calls == 3


def test_pace_then_comes_from_history_when_it_holds_the_day() -> None:
    """10 Nov is the last snapshot (History's rows of it are read); 3 Nov is recomputed from
    the activity. Doubling the entries of 2 Nov after the snapshots moves the recomputed pace
    and the pace now, never the one History holds."""
    backend = MemoryBackend(workbook(EN_HEADERS))
    cfg = config()
    for day in SNAPSHOTS:
        refresh(cfg, day, backend=backend, snapshot=True)
    anna = backend.tabs["Rep - Anna Nowak"]
    anna[1] = [anna[1][0], 20, 2, 1, 2000, "Acme"]  # was 10 calls, 1,000
    report = refresh(cfg, AS_OF, backend=backend, dry_run=True)
    paces = {f.action.text: (f.pace_then, f.pace_now) for f in report.actions or ()}
    assert paces["Double the calls"] == pytest.approx((40 / (100 * 2 / 21),
                                                       80 / (100 * 15 / 21)))  # fmt: skip
    assert paces["Push the Acme deal"] == pytest.approx((1000 / (10000 * 7 / 21),  # History
                                                         7000 / (10000 * 15 / 21)))  # fmt: skip


def test_init_lays_the_tab_out_in_the_teams_language() -> None:
    tabs = {tab.title: tab.headers for tab in input_layout(config(POLISH))}
    assert tabs["Działania"] == tuple(PL_HEADERS)
    english = {tab.title: tab.headers for tab in input_layout(config())}
    assert english["Actions"] == tuple(EN_HEADERS)
    assert "Actions" not in {t.title for t in input_layout(config("actions: false\n"))}


def test_configured_names_are_read() -> None:
    cfg = config("actions: {tab: Follow-ups, due_column: Deadline}\n")
    assert cfg.actions.tab == "Follow-ups"
    assert cfg.actions.headers()[5] == "Deadline" and cfg.actions.headers()[0] == "Agreed on"


# ---------------------------------------------------------------------------------------------
# The e-mails: the manager sees every open action, a rep only their own

MANAGER = "boss@example.com"
EMAIL = """email:
  sender: kpi@example.com
  managers: [boss@example.com]
  smtp: {host: 127.0.0.1, port: 2525, security: starttls, username: mailer,
         password_env: TEST_SMTP_PASSWORD}
"""


def digest(tmp_path: Path, polish: bool = False) -> dict[str, tuple[str, str]]:
    report = on_xlsx(tmp_path, EMAIL, polish)
    cfg = config(EMAIL + (POLISH if polish else ""), tmp_path)
    result = run_digest(cfg, report, report.roster, now=datetime(2026, 11, 20, 7, tzinfo=UTC),
                        preview=tmp_path / "out")  # fmt: skip
    found = {}
    for path in result.previews:
        address = path.stem.removeprefix(f"{result.period}-").split("-", 1)[1]
        found[address] = parts(parse(path))
    return found


def test_each_recipient_sees_the_actions_meant_for_them(tmp_path: Path) -> None:
    mails = digest(tmp_path)
    manager = mails[MANAGER][0]
    assert (
        "  - Overdue: Double the calls (Anna Nowak; owner Anna Nowak, due 2026-11-13); "
        "Calls pace 315.0% -> 98.0% since 2026-11-03, down 217.0 points"
    ) in manager
    assert (
        "  - Open: Push the Acme deal (North; owner Manager, due 2026-11-27); "
        "Revenue pace 30.0% -> 84.0% since 2026-11-10, up 54.0 points"
    ) in manager
    assert "  - Open: Send the proposal (Ben Carter; owner Ben Carter, due 2026-11-30)" in manager
    assert "Clean up the pipeline" not in manager  # done: the brief's business
    anna, ben = mails["anna@x.com"][0], mails["ben@x.com"][0]
    assert "Your actions" in anna and "Double the calls" in anna
    assert "Push the Acme deal" not in anna and "Send the proposal" not in anna
    assert "Send the proposal" in ben and "Double the calls" not in ben
    assert "Push the Acme deal" not in ben  # the team's action goes to the manager
    html = Page(mails[MANAGER][1]).rows("actions")
    assert [row[:5] for row in html] == [
        ["Overdue", "Double the calls", "Anna Nowak", "Anna Nowak", "2026-11-13"],
        ["Open", "Push the Acme deal", "North", "Manager", "2026-11-27"],
        ["Open", "Send the proposal", "Ben Carter", "Ben Carter", "2026-11-30"],
    ]
    assert Page(mails["ben@x.com"][1]).rows("actions") == [
        ["Open", "Send the proposal", "Ben Carter", "Ben Carter", "2026-11-30", ""]
    ]


# ---------------------------------------------------------------------------------------------
# Next period's goals (item 6) and odd cells


def test_the_brief_says_next_months_goals_are_missing_in_the_last_two_weeks(
    tmp_path: Path,
) -> None:
    english = brief(on_xlsx(tmp_path / "en"))
    line = ("Goals for 2026-12 are missing for 2 reps: sheetsync goals suggest --period 2026-12",)
    assert line in section(english, "Goal coverage gaps")
    polish = brief(on_xlsx(tmp_path / "pl", polish=True))
    assert ("Brak celów na 2026-12 dla 2 handlowców: sheetsync goals suggest --period 2026-12",
            ) in polish  # fmt: skip


def context_on(day: date, extra: str = "") -> RunContext:
    return run_context(config(extra), day, datetime(2026, 1, 1, tzinfo=UTC))


def goals_frame(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"period": p, "level": "rep", "scope": s, "kpi": "calls",
                          "target": 1.0, "cell": "C2"} for p, s in rows])  # fmt: skip


def roster_frame(*reps: tuple[str, bool]) -> pd.DataFrame:
    return pd.DataFrame([{"rep": r, "email": None, "team": None, "active": a, "start": None}
                         for r, a in reps])  # fmt: skip


def test_next_goals_window_and_who_counts() -> None:
    roster = roster_frame(("Anna", True), ("Ben", True), ("Old", False))
    goals = goals_frame(("2026-12", "Anna"))
    assert next_goals(goals, roster, context_on(date(2026, 11, 16))) is None  # 15 days left
    found = next_goals(goals, roster, context_on(date(2026, 11, 17)))  # the last 14 days
    assert found is not None and found.period.label == "2026-12" and found.missing == ("Ben",)
    everyone = goals_frame(("2026-12", "Anna"), ("2026-12", "Ben"))
    assert next_goals(everyone, roster, context_on(date(2026, 11, 30))) is None
    # a quarter: the last two weeks of December look at 2027-Q1; a month of it counts
    quarter = "ranking: {period: quarter}\n"
    monthly = goals_frame(("2027-02", "Anna"))
    assert next_goals(monthly, roster, context_on(date(2026, 12, 1), quarter)) is None
    found = next_goals(monthly, roster, context_on(date(2026, 12, 18), quarter))
    assert found is not None and found.period.label == "2027-Q1" and found.missing == ("Ben",)
    # a year: 2027's months count for it
    year = next_goals(monthly, roster, context_on(date(2026, 12, 18), "ranking: {period: year}\n"))
    assert year is not None and year.period.label == "2027" and year.missing == ("Ben",)


def test_odd_cells_of_the_actions_tab() -> None:
    grids = workbook(EN_HEADERS)
    grids["Actions"] += [
        [serial("2026-11-10"), "ben carter", "calls", "Lower case names", "", None, "maybe"],
        [serial("2026-11-10"), "Ben Carter", None, None, "Ben Carter", None, None],
    ]
    report = refresh(config(), AS_OF, backend=MemoryBackend(grids), dry_run=True)
    assert action_issues(report)[3:] == [
        "Actions!G8: expected a checkbox (TRUE or FALSE), got 'maybe'",
        "Actions!D9: the action is missing",
    ]
    lower = next(f for f in report.actions or () if f.action.row == 8)
    assert (lower.action.level, lower.action.scope, lower.action.kpi) == ("rep", "Ben Carter",
                                                                          "calls")  # fmt: skip
    assert lower.state == "open" and lower.action.owner == ""


# ---------------------------------------------------------------------------------------------
# The selection (kpi.actions), pure


def act(row: int, due: str | None, done: bool = False, agreed: str = "2026-11-02") -> Action:
    return Action(row, f"a{row}", "rep", "Anna Nowak", None, "", date.fromisoformat(agreed),
                  date.fromisoformat(due) if due else None, done)  # fmt: skip


def test_overdue_first_then_open_then_done_since_the_last_snapshot() -> None:
    month = current_periods(AS_OF)[1]
    actions = [act(2, None), act(3, "2026-11-25"), act(4, "2026-11-19"), act(5, "2026-11-10"),
               act(6, "2026-11-12", done=True), act(7, "2026-11-05", done=True),
               act(8, "2026-11-20")]  # fmt: skip
    chosen = follow_ups(actions, AS_OF, date(2026, 11, 10), month)
    assert [(f.action.row, f.state) for f in chosen] == [
        (5, "overdue"),
        (4, "overdue"),
        (8, "open"),
        (3, "open"),
        (2, "open"),
        (6, "done"),
    ]  # due on the as-of day is not overdue yet; done before the snapshot is left out
    without = follow_ups(actions, AS_OF, None, month)  # no snapshot: done in the ranked period
    assert [f.action.row for f in without if f.state == "done"] == [7, 6]


def test_pace_words_for_every_movement() -> None:
    cfg = config()
    words = SimpleNamespace(lang=language("en"), config=cfg,
                            say=lambda key, **f: language("en").text(key, **f))  # fmt: skip
    tied = dataclasses.replace(act(2, None), kpi="revenue")
    assert pace_text(FollowUp(tied, "open", 0.9, 0.9002), words) == (
        "Revenue pace 90.0% -> 90.0% since 2026-11-02, unchanged"
    )
    assert pace_text(FollowUp(tied, "open", 0.9, 0.8), words) == (
        "Revenue pace 90.0% -> 80.0% since 2026-11-02, down 10.0 points"
    )
    assert pace_text(FollowUp(tied, "open", None, 0.8), words) == (
        "Revenue pace now 80.0% (not known on the day it was agreed)"
    )
    assert pace_text(FollowUp(tied, "open", 0.5, None), words) == "Revenue: no pace (no target)"
    assert pace_text(FollowUp(act(2, None), "open", 0.5, 0.6), words) == ""  # no KPI


ODD = [1e308, -1.0, 0, 3e9, True, False, "", "   ", "=1+1", "x" * 5000, "2026-02-30", "31.12.2026"]


def test_no_cell_value_crashes_the_read_and_formulas_stay_text() -> None:
    """Every odd value in every column: a refresh, each value used or reported."""
    grids = workbook(EN_HEADERS)
    for column in range(7):
        for value in ODD:
            row: list[Any] = [serial("2026-11-10"), "Anna Nowak", "Calls", "odd", "", None, None]
            row[column] = value
            grids["Actions"].append(row)
    report = refresh(config(), AS_OF, backend=MemoryBackend(grids), dry_run=True)
    assert report.actions is not None
    assert "Actions!A8: expected a date, got '1e+308'" in action_issues(report)
    assert "Actions!F78: expected a date, got '2026-02-30'" in action_issues(report)
    assert "=1+1" in {f.action.text for f in report.actions}  # kept as text, never a formula
    # reported: 7 Agreed on, 10 scopes, 10 KPIs, 2 missing actions, 7 Due, 7 Done (-1 and 0
    # are serial numbers, so dates; blanks are blanks; 31.12.2026 is a date of the locale)
    assert len(action_issues(report)) == 3 + 43


def test_the_daemon_writes_the_section_too(tmp_path: Path) -> None:
    """A scheduled daemon run (Saturday 21 Nov: no working day more, so the same paces)."""
    on_xlsx(tmp_path)
    cfg = config("", tmp_path)
    cfg = dataclasses.replace(cfg, daemon=dataclasses.replace(cfg.daemon, name="team"))
    clock = datetime(2026, 11, 21, 9, tzinfo=UTC)
    assert Sheet(cfg, now=lambda: clock).run("scheduled").result == "written"
    assert cfg.source.path is not None
    rows = [[c for c in row] for row in openpyxl.load_workbook(cfg.source.path)["Meeting brief"]
            .iter_rows(values_only=True)]  # fmt: skip
    assert [
        "Double the calls",
        "Anna Nowak",
        "Anna Nowak",
        "2026-11-13",
        "Overdue",
        "2026-11-03",
        "Calls pace 315.0% -> 98.0% since 2026-11-03, down 217.0 points",
    ] in rows


def test_the_polish_digest_and_scorecard(tmp_path: Path) -> None:
    mails = digest(tmp_path, polish=True)
    assert ("  - Po terminie: Double the calls (Anna Nowak; odpowiedzialny: Anna Nowak, termin "
            "13.11.2026); Calls: tempo 315,0% -> 98,0% od 03.11.2026, spadek o 217,0 pkt proc."
            ) in mails[MANAGER][0]  # fmt: skip
    assert "Twoje działania" in mails["ben@x.com"][0]
    assert (
        "  - Otwarte: Send the proposal (Ben Carter; odpowiedzialny: Ben Carter, termin "
        "30.11.2026)" in mails["ben@x.com"][0]
    )


def test_pace_then_is_bounded_to_the_first_days() -> None:
    tied = [dataclasses.replace(act(n, None, agreed=f"2026-{1 + n // 28:02d}-{1 + n % 28:02d}"),
                                kpi="calls") for n in range(40)]  # fmt: skip
    days = pace_periods(tied, "month", 1, AS_OF)
    assert len(days) == MAX_PACE_DAYS == 31
    assert list(days)[-1] == date(2026, 2, 3)  # n = 30, the 31st action, in the actions' order
