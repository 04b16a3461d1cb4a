"""`sheetsync demo`: a realistic sample team workbook and its config, made locally.

Ten reps in two teams log a year of activity on their own tabs; a shared log tab holds a few
entries; Goals hold monthly rep goals, team and total goals for the month, a quarter and the
year. A handful of deliberate data problems show what the Data issues tab reports.
`run_demo` also takes a History snapshot a week before the demo's day, as the last team meeting
would have, so the Ranking's movement and the brief's changes have something to compare with.
"""

from __future__ import annotations

from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.config.loading import load_config
from sheetsync.pipeline import Report, refresh
from sheetsync.plan import Cell, TabPlan

WORKBOOK = "demo-team.xlsx"
CONFIG = "sheetsync.yaml"
ACTIVITY_HEADERS = ("Date", "Calls", "Meetings", "Lead value", "Deals won", "Revenue",
                    "New customers", "Repeat revenue", "Customer", "Notes")  # fmt: skip
# name, team, active, skill (how busy and how good the rep is)
REPS = (
    ("Anna Nowak", "North", True, 1.25), ("Ben Carter", "North", True, 1.0),
    ("Chloe Martin", "North", True, 0.8), ("Dawid Wiśniewski", "North", True, 1.1),
    ("Emma Schulz", "North", False, 0.6), ("Farid Haddad", "South", True, 0.95),
    ("Grace Liu", "South", True, 1.3), ("Hugo Silva", "South", True, 0.7),
    ("Ines Costa", "South", True, 1.0), ("Jon Smith", "South", True, 0.9),
)  # fmt: skip
CUSTOMERS = tuple(
    f"{a} {b}"
    for a in ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay")
    for b in ("Ltd", "Group", "Inc")
)
GOAL_HEADERS = ("Period", "Scope", "Calls", "Meetings", "Revenue", "Deals won", "New customers")
MONTHLY_GOALS = {"Calls": 220, "Meetings": 28, "Revenue": 30000}


LAST_MEETING = timedelta(days=7)


def run_demo(folder: Path, as_of: date) -> tuple[Path, Report]:
    """Make the demo in `folder`, snapshot the week before `as_of`, then refresh and snapshot
    `as_of`; return the config's path and the last refresh's report."""
    path = make_demo(folder, as_of)
    config = load_config(path)
    refresh(config, as_of - LAST_MEETING, snapshot=True)
    return path, refresh(config, as_of, snapshot=True)


def make_demo(folder: Path, as_of: date) -> Path:
    """Write the demo workbook and config into `folder` (remaking a previous demo's workbook);
    return the config's path. The workbook is written by the xlsx backend, like any output."""
    folder.mkdir(parents=True, exist_ok=True)
    workbook = folder / WORKBOOK
    workbook.unlink(missing_ok=True)
    XlsxBackend(workbook, create=True).add_input_tabs(_tabs(as_of))
    config = folder / CONFIG
    config.write_text(files("sheetsync").joinpath("data/demo.yaml").read_text("utf-8"), "utf-8")
    return config


def _tabs(as_of: date) -> list[TabPlan]:
    rng = np.random.default_rng(2026)
    holidays = [(date(as_of.year, 1, 1),), (date(as_of.year, 5, 1),), (date(as_of.year, 12, 25),)]
    sheets = {
        "Roster": _grid(("Rep", "Email", "Team", "Active"), _roster_rows()),
        "Goals": _grid(GOAL_HEADERS, _goal_rows(as_of)),
        "Holidays": _grid(("Date",), holidays),
    }
    for name, _team, _active, skill in REPS:
        sheets[f"Rep - {name}"] = _grid(ACTIVITY_HEADERS, _activity_rows(rng, skill, as_of))
    sheets["Activity log"] = _grid(("Rep", *ACTIVITY_HEADERS), _log_rows(as_of))
    _plant_problems(sheets, as_of)
    return [_tab(title, rows) for title, rows in sheets.items()]


def _grid(headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    return [list(headers), *(list(row) for row in rows)]


def _tab(title: str, rows: list[list[Any]]) -> TabPlan:
    """A tab as a person would lay it out: a bold, frozen header row; dates as dates."""
    header = tuple(Cell(value, bold=True) for value in rows[0])
    body = tuple(
        tuple(Cell(v, "yyyy-mm-dd") if isinstance(v, date) else Cell(v) for v in row)
        for row in rows[1:]
    )
    widths = tuple(max(10, len(str(h.value)) + 2) for h in header)
    return TabPlan("input", title, (header, *body), 1, widths)


def _roster_rows() -> list[tuple[Any, ...]]:
    rows = []
    for name, team, active, _skill in REPS:
        email = name.lower().replace(" ", ".").replace("ś", "s") + "@example.com"
        rows.append((name, email, team, "yes" if active else "no"))
    return rows


def _working_days(start: date, end: date) -> list[date]:
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _activity_rows(rng: np.random.Generator, skill: float, as_of: date) -> list[tuple[Any, ...]]:
    rows = []
    for day in _working_days(date(as_of.year, 1, 2), as_of):
        calls = int(rng.poisson(10 * skill))
        meetings = int(rng.binomial(calls, 0.13))
        deals = int(rng.binomial(meetings, 0.3))
        revenue = float(deals * rng.integers(3, 12) * 500)
        new = int(rng.binomial(deals, 0.5))
        customer = CUSTOMERS[int(rng.integers(len(CUSTOMERS)))] if meetings else None
        lead_value = float(meetings * rng.integers(2, 10) * 1000)
        repeat = float(revenue - new * 2000) if revenue > new * 2000 else 0.0
        rows.append((day, calls, meetings, lead_value, deals, revenue, new, repeat, customer, None))
    return rows


def _log_rows(as_of: date) -> list[tuple[Any, ...]]:
    first = as_of.replace(day=1)
    return [
        ("anna  nowak", first, 5, 2, 4000.0, 1, 6000.0, 1, 0.0, "Hooli Inc", "trade fair"),
        ("Ben Carter", first, 3, 1, 2000.0, 0, 0.0, 0, 0.0, "Acme Ltd", '=HYPERLINK("x")'),
        ("Jon Smyth", first, 4, 1, 1000.0, 1, 3500.0, 1, 0.0, "Wayne Inc", "typo in rep name"),
    ]


def _goal_rows(as_of: date) -> list[tuple[Any, ...]]:
    year = as_of.year
    quarter = (as_of.month - 1) // 3 + 1
    rows: list[tuple[Any, ...]] = []
    for name, _team, _active, skill in REPS:
        if name == "Hugo Silva":
            continue  # no goals at all: listed unranked, a coverage gap
        scale = 1.0 if skill >= 1 else 0.8
        for month in range(1, 13):
            rows.append(
                (
                    f"{year}-{month:02d}",
                    name,
                    *(round(v * scale) for v in MONTHLY_GOALS.values()),
                    None,
                    None,
                )
            )
    rows.append((f"{year}-{as_of.month:02d}", "North", None, None, None, None, 12))
    rows.append((f"{year}-{as_of.month:02d}", "South", None, None, None, None, 10))
    rows.append((f"{year}-{as_of.month:02d}", "Total", 2000, 260, 280_000, None, None))
    last_month = as_of.replace(day=1) - timedelta(days=1)  # for "last month at this point"
    rows.append((f"{last_month:%Y-%m}", "Total", 2000, 260, 280_000, None, None))
    rows.append((f"{year}-Q{quarter}", "Total", None, None, None, 160, None))
    rows.append((str(year), "Total", None, None, 4_600_000, None, None))
    rows.append((f"{year}-01", "Ben Carter", 250, None, None, None, None))  # conflicts
    return rows


def _plant_problems(sheets: dict[str, list[list[Any]]], as_of: date) -> None:
    """Deliberate mistakes a real team makes, each reported in the Data issues tab."""
    anna = sheets["Rep - Anna Nowak"]
    anna[4][1] = "n/a"  # B5
    anna[8][5] = "1 200,50"  # F9
    grace = sheets["Rep - Grace Liu"]
    grace.append(["31.02." + str(as_of.year), 12, 2, 3000, 0, 0, 0, 0, "Acme Ltd", None])
    grace.append([None, 7, 1, 1000, 0, 0, 0, 0, None, "forgot the date"])
    sheets["Goals"].append([f"{as_of.year}-13", "Grace Liu", 100, None, None, None, None])
