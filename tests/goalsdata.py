"""A small hand-made team for the goal suggestions' tests: fourteen months of activity
(2025-01 to 2026-02), one row per rep and working day, with a different, fixed pattern for
each rep and month, so every figure can be worked out by hand (tests/test_goals_oracle.py
does it with pandas from the rows below, never through sheetsync).

    North: Anna Nowak, Ben Carter, Chloe Martin, Gosia Wójcik (new: starts 2026-02-16)
    South: Dawid Lis, Ewa Kot
    Fred Baker: inactive (North); Hanna Zięba: active, no activity, no start date
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sheetsync.config.loading import parse_config
from sheetsync.config.values import Config
from sheetsync.grids import Grid
from sheetsync.spreadsheet import date_to_serial
from tests.helpers import with_extra

FIRST = date(2025, 1, 1)
LAST = date(2026, 2, 28)
AS_OF = LAST
HOLIDAYS = (date(2025, 12, 25), date(2026, 1, 1))
# rep, team, active, base calls a day, start date in the Roster
REPS: tuple[tuple[str, str, bool, int, date | None], ...] = (
    ("Anna Nowak", "North", True, 12, None),
    ("Ben Carter", "North", True, 9, None),
    ("Chloe Martin", "North", True, 7, None),
    ("Dawid Lis", "South", True, 10, None),
    ("Ewa Kot", "South", True, 8, None),
    ("Fred Baker", "North", False, 6, None),
    ("Gosia Wójcik", "North", True, 8, date(2026, 2, 16)),
    ("Hanna Zięba", "South", True, 0, None),
)
GOAL_HEADERS = ["Period", "Scope", "Calls", "Deals", "Win rate", "Entries"]

CONFIG = """
source: {type: xlsx, path: team.xlsx}
calendar: {timezone: UTC, holidays_tab: Holidays}
activity:
  rep_tabs: "Rep - *"
  numbers: {calls: Calls, meetings: Meetings, deals: Deals}
kpis:
  calls: {kind: sum, column: calls, label: Calls}
  meetings: {kind: sum, column: meetings, label: Meetings}
  deals: {kind: sum, column: deals, label: Deals}
  win_rate: {kind: ratio, numerator: deals, denominator: meetings, label: Win rate}
  entries: {kind: count, label: Entries}
"""


def team_config(folder: Path = Path("."), extra: str = "") -> Config:
    return parse_config(with_extra(extra, CONFIG), folder / "sheetsync.yaml")


def _working_days() -> list[date]:
    days, day = [], FIRST
    while day <= LAST:
        if day.weekday() < 5 and day not in HOLIDAYS:
            days.append(day)
        day += timedelta(days=1)
    return days


def month_factor(rep: int, day: date) -> float:
    """How busy rep number `rep` is in `day`'s month: 0.85 to 1.15, a fixed pattern."""
    return 1 + 0.15 * (((day.month * 5 + day.year + rep * 3) % 7) - 3) / 3


def activity_rows() -> list[tuple[str, date, int, int, int]]:
    """(rep, day, calls, meetings, deals) for every rep with activity."""
    rows = []
    for number, (rep, _team, _active, base, start) in enumerate(REPS):
        if base == 0:
            continue
        for day in _working_days():
            if start is not None and day < start:
                continue
            calls = round(base * month_factor(number, day)) + day.toordinal() % 3
            meetings = 1 + (day.toordinal() + number) % 3
            deals = int((day.toordinal() + number) % 4 == 0)
            rows.append((rep, day, calls, meetings, deals))
    return rows


def grids(goals: list[list[Any]] | None = None) -> dict[str, Grid]:
    """The workbook: Roster (with Start), Goals, Holidays and one tab per rep."""
    roster: Grid = [["Rep", "Email", "Team", "Active", "Start"]]
    for rep, team, active, _base, start in REPS:
        roster.append([rep, None, team, "yes" if active else "no",
                       date_to_serial(start) if start else None])  # fmt: skip
    holidays: Grid = [["Date"]]
    holidays += [[float(date_to_serial(day))] for day in HOLIDAYS]
    found: dict[str, Grid] = {
        "Roster": roster,
        "Goals": [list(GOAL_HEADERS), *(goals if goals is not None else default_goals())],
        "Holidays": holidays,
    }
    for rep, day, calls, meetings, deals in activity_rows():
        tab = found.setdefault(f"Rep - {rep}", [["Date", "Calls", "Meetings", "Deals"]])
        tab.append([date_to_serial(day), calls, meetings, deals])
    return found


def default_goals() -> list[list[Any]]:
    """Each active rep's February goals (so every KPI has goals somewhere), a North goal for
    March's calls and a total goal for March's deals."""
    rows: list[list[Any]] = [["2026-02", rep, 200, 5, 0.3, 19] for rep, *_ in REPS[:5]]
    return [*rows, ["2026-03", "North", 900, None, None, None],
            ["2026-03", "Total", None, 40, None, None]]  # fmt: skip
