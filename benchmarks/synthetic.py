"""Synthetic sales workbooks for benchmarks (and any test that needs a big, realistic input).

`make_workbook(rows)` builds a `RawWorkbook` in memory, shaped like what a backend's `read`
returns for a real team sheet: a Roster tab, a Goals tab, a Holidays tab and one activity tab
per rep (`Rep - <name>`), with `rows` activity rows in total. Cell values are unformatted, as
the Sheets API (valueRenderOption=UNFORMATTED_VALUE) and openpyxl give them: dates as serial
day numbers (float), counts as int, money as float, text as str, empty cells as None. With
`ragged=True` (the default) trailing empty cells are dropped from each row, as the Sheets API
does.

A small fraction of rows (`bad_fraction`, default 0.1%) carries one realistic bad cell: 'n/a',
a number typed as text ('1,200', ' 42 ', '1 200,50'), a date typed as text ('2026-03-04',
'31.02.2026'), a blank date or number, or a wholly blank row. Some of them parse under the
locale of `BENCH_CONFIG`, some are data issues.

Everything is deterministic for a given seed. `MemoryBackend` serves a workbook to
`sheetsync.pipeline.refresh` without any file or network I/O.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from sheetsync.backends.memory import MemoryBackend
from sheetsync.config.loading import parse_config
from sheetsync.config.values import Config
from sheetsync.grids import Grid, RawValue, RawWorkbook
from sheetsync.spreadsheet import date_to_serial

__all__ = [
    "ACTIVITY_HEADERS",
    "AS_OF",
    "BENCH_CONFIG",
    "MemoryBackend",
    "activity_grids",
    "add_size_arguments",
    "bench_config",
    "make_workbook",
    "memory_backend",
]

AS_OF = date(2026, 11, 18)
ACTIVITY_HEADERS = ("Date", "Calls", "Meetings", "Lead value", "Deals won", "Revenue",
                    "New customers", "Repeat revenue", "Customer", "Notes")  # fmt: skip
GOAL_HEADERS = ("Period", "Scope", "Calls", "Meetings", "Lead value", "Deals won", "Revenue",
                "New customers", "Repeat revenue", "Win rate")  # fmt: skip
TEAMS = ("North", "South", "East", "West", "Central", "Enterprise", "Public sector", "Partners")
FIRST_NAMES = (
    "Anna", "Ben", "Chloe", "Dawid", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kasia",
    "Liam", "Maja", "Nora", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tomasz", "Uma",
    "Victor", "Wiktoria", "Xavier", "Yara", "Zofia", "Ahmed", "Bianca", "Carlos", "Dorota",
)  # fmt: skip
LAST_NAMES = (
    "Nowak", "Carter", "Martin", "Wiśniewski", "Schulz", "Haddad", "Liu", "Silva", "Costa",
    "Smith", "Kowalska", "O'Brien", "Müller", "Rossi", "Dubois", "Jensen", "Tanaka", "Novák",
    "García", "Kim", "Petrov", "Andersson", "Nagy", "Fischer", "Moreau", "Lopez", "Singh",
    "Zieliński", "Horvat", "Brown",
)  # fmt: skip
MIDDLE_INITIALS = "ABCDEFGHJKLMNPRSTW"
CUSTOMER_WORDS = ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay",
                  "Soylent", "Cyberdyne", "Tyrell", "Wonka", "Oscorp", "Aperture", "Pied Piper",
                  "Dunder", "Massive", "Monarch", "Nakatomi", "Gringotts")  # fmt: skip
CUSTOMER_SUFFIXES = ("Ltd", "Group", "Inc", "GmbH", "S.A.", "sp. z o.o.", "BV", "Oy", "AB", "plc")
NOTES = ("follow up next week", "sent proposal", "asked for discount", "trade fair lead",
         "demo booked", "contract renewal", "price objection", "referred by partner")  # fmt: skip
MONTHLY_GOALS = {"Calls": 200, "Meetings": 26, "Lead value": 110_000, "Deals won": 8,
                 "Revenue": 40_000, "New customers": 4, "Repeat revenue": 24_000}  # fmt: skip

BENCH_CONFIG = """\
source:
  type: xlsx
  path: bench.xlsx
calendar:
  timezone: Europe/Warsaw
  fiscal_year_start: 1
  working_days: [Mon, Tue, Wed, Thu, Fri]
  holidays_tab: Holidays
locale:
  decimal_separator: "."
  thousands_separator: ","
  date_formats: ["%Y-%m-%d", "%d.%m.%Y"]
  currency_format: '"$"#,##0'
activity:
  rep_tabs: "Rep - *"
  date_column: Date
  rep_column: Rep
  numbers:
    calls: Calls
    meetings: Meetings
    lead_value: Lead value
    deals_won: Deals won
    revenue: Revenue
    new_customers: New customers
    repeat_revenue: Repeat revenue
  texts:
    customer: Customer
    notes: Notes
goals: {tab: Goals, period_column: Period, scope_column: Scope}
roster:
  {tab: Roster, rep_column: Rep, email_column: Email, team_column: Team, active_column: Active}
total_label: Total
kpis:
  calls: {kind: sum, column: calls, label: Calls}
  meetings: {kind: sum, column: meetings, label: Meetings}
  lead_value: {kind: sum, column: lead_value, label: Lead value, format: currency}
  deals_won: {kind: sum, column: deals_won, label: Deals won}
  revenue: {kind: sum, column: revenue, label: Revenue, format: currency}
  new_customers: {kind: sum, column: new_customers, label: New customers}
  repeat_revenue: {kind: sum, column: repeat_revenue, label: Repeat revenue, format: currency}
  win_rate: {kind: ratio, numerator: deals_won, denominator: meetings, label: Win rate}
  customers: {kind: count_distinct, column: customer, label: Customers touched}
status: {on_track: 1.0, at_risk: 0.85}
ranking:
  period: month
  weights: {revenue: 3, meetings: 1, calls: 1}
  cap: 1.5
output:
  summary: Summary
  ranking: Ranking
  rep_kpis: Rep KPIs
  data_issues: Data issues
  sync_status: Sync status
"""


def bench_config() -> Config:
    """`BENCH_CONFIG` parsed; its xlsx path is never opened when a `MemoryBackend` is used."""
    return parse_config(BENCH_CONFIG, Path("bench.yaml"))


@dataclass(frozen=True)
class _Rep:
    name: str
    team: str
    active: bool
    skill: float
    tab_name: str  # the name as typed in the tab title (case and spacing may differ)


def make_workbook(
    rows: int,
    *,
    reps: int = 150,
    teams: int = 6,
    seed: int = 2026,
    as_of: date = AS_OF,
    bad_fraction: float = 0.001,
    ragged: bool = True,
    first: date | None = None,
    drift: bool = False,
) -> RawWorkbook:
    """A workbook with `rows` activity rows over `reps` per-rep tabs, dated `first` (default
    Jan 1 of the as-of year) .. `as_of`.

    About 3% of the reps are inactive (at least one), one rep tab has a name the roster does not
    know, and one tab title spells its rep in a different case and spacing. With `drift`, the
    activity has a season (a summer and a December dip) and each rep a trend of -20% to +20% a
    year, as real teams do (for the goal suggestions' backtest, benchmarks/backtest_goals.py).
    """
    if reps < 2 or not 1 <= teams <= len(TEAMS) or rows < reps:
        raise ValueError("need reps >= 2, 1 <= teams <= 8 and rows >= reps")
    rng = np.random.default_rng(seed)
    people = _people(rng, reps, teams)
    days = _working_serials(first or date(as_of.year, 1, 1), as_of)
    per_tab = np.full(reps, rows // reps)
    per_tab[: rows % reps] += 1
    customers = [f"{w} {s}" for w in CUSTOMER_WORDS for s in CUSTOMER_SUFFIXES]
    grids: dict[str, Grid] = {
        "Roster": _roster_grid(people[:-1]),  # the last rep is missing from the roster
        "Goals": _goals_grid(rng, people[:-1], teams, as_of.year),
        "Holidays": [["Date"], *(row for year in range((first or as_of).year, as_of.year + 1)
                                 for row in _holiday_rows(year))],
    }  # fmt: skip
    bodies = [_activity_body(rng, rep, int(n), days, customers, drift) for rep, n in zip(
        people, per_tab, strict=True)]  # fmt: skip
    _plant_bad_cells(rng, bodies, bad_fraction)
    for rep, body in zip(people, bodies, strict=True):
        if ragged:
            body = [_trimmed(row) for row in body]
        grids[f"Rep - {rep.tab_name}"] = [list(ACTIVITY_HEADERS), *body]
    return RawWorkbook(titles=tuple(grids), grids=grids, owned={})


def activity_grids(workbook: RawWorkbook) -> list[Grid]:
    """The grids of the per-rep activity tabs (header row first)."""
    return [grid for title, grid in workbook.grids.items() if title.startswith("Rep - ")]


def memory_backend(workbook: RawWorkbook) -> MemoryBackend:
    """The workbook served from memory: no I/O, no API calls."""
    return MemoryBackend(workbook.grids, workbook.owned)


def _people(rng: np.random.Generator, count: int, teams: int) -> list[_Rep]:
    names = [f"{f} {last}" for last in LAST_NAMES for f in FIRST_NAMES]
    if count > len(names):  # more than 900 reps: add middle initials (up to 900 the same names)
        names += [f"{f} {i}. {last}" for i in MIDDLE_INITIALS for last in LAST_NAMES
                  for f in FIRST_NAMES]  # fmt: skip
    if count > len(names):
        raise ValueError(f"at most {len(names)} reps")
    picked = [names[i] for i in rng.choice(len(names), size=count, replace=False)]
    inactive = set(rng.choice(count, size=max(1, count * 3 // 100), replace=False).tolist())
    skills = rng.uniform(0.6, 1.4, size=count)
    people = []
    for i, name in enumerate(picked):
        tab_name = name.upper().replace(" ", "  ") if i == 1 else name  # a sloppy tab title
        people.append(_Rep(name, TEAMS[i % teams], i not in inactive, float(skills[i]), tab_name))
    return people


def _working_serials(start: date, end: date) -> np.ndarray[Any, np.dtype[np.float64]]:
    holidays = {day for year in range(start.year, end.year + 1) for day in _holidays(year)}
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return np.array([date_to_serial(d) for d in days if d.weekday() < 5 and d not in holidays],
                    dtype=np.float64)  # fmt: skip


def _holidays(year: int) -> list[date]:
    days = ((1, 1), (1, 6), (5, 1), (5, 3), (8, 15), (11, 11), (12, 25), (12, 26))
    return [date(year, month, day) for month, day in days]


def _holiday_rows(year: int) -> Grid:
    return [[float(date_to_serial(day))] for day in _holidays(year)]


def _roster_grid(people: Sequence[_Rep]) -> Grid:
    grid: Grid = [["Rep", "Email", "Team", "Active"]]
    for rep in people:
        email = rep.name.lower().replace(" ", ".").replace("'", "") + "@example.com"
        grid.append([rep.name, email, rep.team, "yes" if rep.active else "no"])
    return grid


def _goals_grid(rng: np.random.Generator, people: Sequence[_Rep], teams: int, year: int) -> Grid:
    """Monthly goals for most active reps; team quarter goals; total year goals."""
    grid: Grid = [list(GOAL_HEADERS)]
    blank: list[RawValue] = [None] * len(MONTHLY_GOALS)
    for rep in people:
        if not rep.active or rng.random() < 0.05:  # a few reps without goals: coverage gaps
            continue
        scale = round(float(rep.skill), 1)
        for month in range(1, 13):
            values: list[RawValue] = [round(v * scale) for v in MONTHLY_GOALS.values()]
            grid.append([f"{year}-{month:02d}", rep.name, *values])
    members = max(1, len(people) // teams)
    for team in TEAMS[:teams]:
        for quarter in range(1, 5):  # Revenue, New customers and Win rate goals
            revenue = 3.0 * MONTHLY_GOALS["Revenue"] * members
            grid.append([f"{year}-Q{quarter}", team, *blank[:4], revenue, 12.0 * members, None,
                         0.3])  # fmt: skip
    grid.append([str(year), "Total", *blank, 0.3])  # the total's sums roll up from its reps
    return grid


def _activity_body(
    rng: np.random.Generator, rep: _Rep, count: int, days: np.ndarray[Any, Any],
    customers: Sequence[str], drift: bool = False,
) -> list[list[RawValue]]:  # fmt: skip
    """`count` activity rows for one rep, in date order, as Python values."""
    dates = np.sort(rng.choice(days, size=count))
    rate: Any = 8 * rep.skill
    if drift:
        rate = rate * _drift(dates, rep.skill)
    calls = rng.poisson(rate, size=count)
    meetings = rng.binomial(calls, 0.13)
    deals = rng.binomial(meetings, 0.3)
    revenue = deals * rng.integers(3, 12, size=count) * 500.0
    new = rng.binomial(deals, 0.5)
    lead_value = meetings * rng.integers(2, 10, size=count) * 1000.0
    repeat = np.maximum(revenue - new * 2000.0, 0.0)
    who = rng.integers(len(customers), size=count)
    customer = [customers[i] if m else None for i, m in zip(who.tolist(), meetings.tolist(),
                                                            strict=True)]  # fmt: skip
    note_pick = rng.integers(len(NOTES), size=count)
    has_note = rng.random(count) < 0.08
    notes = [NOTES[i] if n else None for i, n in zip(note_pick.tolist(), has_note.tolist(),
                                                     strict=True)]  # fmt: skip
    columns: list[list[Any]] = [
        dates.tolist(), calls.tolist(), meetings.tolist(), lead_value.tolist(), deals.tolist(),
        revenue.tolist(), new.tolist(), repeat.tolist(), customer, notes,
    ]  # fmt: skip
    return [list(row) for row in zip(*columns, strict=True)]


SEASON = (1.0, 1.05, 1.1, 1.05, 1.0, 0.95, 0.75, 0.8, 1.1, 1.1, 1.05, 0.85)
"""With `drift`: how busy each calendar month is."""


def _drift(serials: np.ndarray[Any, Any], skill: float) -> np.ndarray[Any, Any]:
    """The season of each row's month times the rep's own trend (from -20% to +20% a year,
    set by their skill's decimals so it is fixed for a seed)."""
    days = np.asarray(serials, dtype=np.int64).astype("timedelta64[D]")
    months = (np.datetime64("1899-12-30") + days).astype("datetime64[M]").astype(np.int64) % 12
    yearly = (skill * 1000 % 1) * 0.4 - 0.2
    years = (serials - serials.min()) / 365.25 if len(serials) else serials
    return np.asarray(SEASON)[months] * (1 + yearly * years)


_BAD_DATES = ("iso", "dotted", "31.02.2026", "n/a", None, "")
_BAD_NUMBERS = ("n/a", "1,200", " 42 ", "1 200,50", "-", None, "")


def _plant_bad_cells(
    rng: np.random.Generator, bodies: list[list[list[RawValue]]], fraction: float
) -> None:
    """One bad cell in each of about `fraction` of all rows (a few rows blanked entirely)."""
    sizes = np.array([len(b) for b in bodies])
    total = int(sizes.sum())
    count = round(total * fraction)
    if count == 0:
        return
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    for flat in np.sort(rng.choice(total, size=count, replace=False)).tolist():
        tab = int(np.searchsorted(starts, flat, side="right")) - 1
        row = bodies[tab][flat - int(starts[tab])]
        roll = rng.random()
        if roll < 0.02:
            row[:] = [None] * len(row)  # a wholly blank row: not read, not counted
        elif roll < 0.3:
            row[0] = _bad_date(row[0], _BAD_DATES[int(rng.integers(len(_BAD_DATES)))])
        else:
            column = int(rng.integers(1, 8))
            row[column] = _BAD_NUMBERS[int(rng.integers(len(_BAD_NUMBERS)))]


def _bad_date(serial: RawValue, kind: str | None) -> RawValue:
    assert isinstance(serial, float)
    day = date(1899, 12, 30) + timedelta(days=int(serial))
    if kind == "iso":
        return day.isoformat()
    if kind == "dotted":
        return day.strftime("%d.%m.%Y")
    return kind


def _trimmed(row: list[RawValue]) -> list[RawValue]:
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return row[:end]


def add_size_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark shares: --sizes, --reps, --repeat."""
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="activity rows per run, comma-separated")  # fmt: skip
    parser.add_argument("--reps", type=int, default=150, help="sales reps (one tab each)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="best of K runs (default 3, and 1 from 1M rows up)")  # fmt: skip
