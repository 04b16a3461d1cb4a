"""Shared test helpers: a small config, an in-memory backend and grid builders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sheetsync.backends.memory import MemoryBackend
from sheetsync.config.loading import parse_config
from sheetsync.config.values import Config
from sheetsync.grids import Grid
from sheetsync.spreadsheet import date_to_serial

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


def with_extra(extra: str, base: str = BASE_CONFIG) -> str:
    """`base` with the top-level sections of `extra` in place of its own (a config file may
    not repeat a key, so appending `extra` would be refused)."""
    replaced = {line.split(":")[0] for line in extra.splitlines() if line[:1].strip()}
    kept, skipping = [], False
    for line in base.splitlines():
        if line[:1].strip():
            skipping = line.split(":")[0] in replaced
        if not skipping:
            kept.append(line)
    return "\n".join(kept) + "\n" + extra


def config(extra: str = "", folder: Path = Path(".")) -> Config:
    """The base test config, with the top-level sections of `extra` replacing its own."""
    return parse_config(with_extra(extra), folder / "sheetsync.yaml")


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


__all__ = [
    "ACTIVITY_HEADER", "BASE_CONFIG", "MemoryBackend", "activity", "config", "serial", "with_extra",
]  # fmt: skip
