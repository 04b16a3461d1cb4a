"""Shared test helpers: a small config, an in-memory backend and grid builders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sheetsync.backends.base import Grid, RawWorkbook, TabSelector, check_ownership
from sheetsync.cells import date_to_serial
from sheetsync.config import Config
from sheetsync.configload import parse_config
from sheetsync.plan import OutputPlan

BASE_CONFIG = """
source: {type: xlsx, path: team.xlsx}
calendar: {timezone: UTC}
activity:
  rep_tabs: "Rep - *"
  log_tab: Log
  numbers: {calls: Calls, meetings: Meetings, deals: Deals, revenue: Revenue}
  texts: {customer: Customer}
kpis:
  calls: {kind: sum, column: calls, label: Calls}
  meetings: {kind: sum, column: meetings, label: Meetings}
  deals: {kind: sum, column: deals, label: Deals}
  revenue: {kind: sum, column: revenue, label: Revenue, format: currency}
  win_rate: {kind: ratio, numerator: deals, denominator: meetings, label: Win rate}
  customers: {kind: count_distinct, column: customer, label: Customers}
  entries: {kind: count, label: Entries}
ranking: {period: month, weights: {revenue: 2, calls: 1}}
"""


def config(extra: str = "", folder: Path = Path(".")) -> Config:
    """The base test config, with `extra` YAML appended (later keys win)."""
    return parse_config(BASE_CONFIG + extra, folder / "sheetsync.yaml")


def serial(day: str) -> float:
    return float(date_to_serial(date.fromisoformat(day)))


ACTIVITY_HEADER = ["Date", "Calls", "Meetings", "Deals", "Revenue", "Customer"]


def activity(*rows: Sequence[Any]) -> Grid:
    """An activity grid: header + rows; ISO date strings in column A become serial numbers."""
    grid: Grid = [list(ACTIVITY_HEADER)]
    for row in rows:
        if not row:
            grid.append([])
            continue
        first = row[0]
        if isinstance(first, str) and len(first) == 10 and first[4] == "-":
            first = serial(first)
        grid.append([first, *row[1:]])
    return grid


class MemoryBackend:
    """A workbook held in memory: the Backend protocol with no I/O."""

    def __init__(self, tabs: Mapping[str, Grid], owned: Sequence[str] = ()) -> None:
        self.tabs: dict[str, Grid] = dict(tabs)
        self.owned = set(owned)
        self.written: list[OutputPlan] = []

    @property
    def description(self) -> str:
        return "memory"

    @property
    def api_calls(self) -> int:
        return 0

    @property
    def write_calls(self) -> int:
        return 0

    def read(self, select: TabSelector) -> RawWorkbook:
        titles = tuple(self.tabs)
        grids = {t: self.tabs[t] for t in select(titles)}
        return RawWorkbook(titles, grids, frozenset(self.owned))

    def apply(self, plan: OutputPlan) -> None:
        check_ownership(plan, tuple(self.tabs), frozenset(self.owned), "memory")
        for tab in plan.tabs:
            self.tabs[tab.title] = [[c.value for c in row] for row in tab.rows]
            self.owned.add(tab.title)
        self.written.append(plan)


def team_workbook() -> dict[str, Grid]:
    """Two reps in two teams with a few entries in November 2026, goals and a roster."""
    return {
        "Roster": [["Rep", "Email", "Team", "Active"],
                   ["Anna Nowak", "anna@x.com", "North", "yes"],
                   ["Ben Carter", "ben@x.com", "South", "yes"]],
        "Goals": [["Period", "Scope", "Calls", "Revenue"],
                  ["2026-11", "Anna Nowak", 100, 10000],
                  ["2026-11", "Ben Carter", 50, 5000]],
        "Rep - Anna Nowak": activity(
            ["2026-11-02", 10, 2, 1, 1000, "Acme"],
            ["2026-11-03", 20, 2, 0, 0, "Globex"],
        ),
        "Rep - Ben Carter": activity(["2026-11-02", 5, 4, 2, 3000, "Acme"]),
        "Log": [["Rep", *ACTIVITY_HEADER]],
    }  # fmt: skip
