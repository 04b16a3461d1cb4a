"""The reference tabs: Roster (who is who), Goals (wide -> long targets) and Holidays."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from sheetsync.addresses import one_address
from sheetsync.config.values import Config
from sheetsync.grids import Grid
from sheetsync.issues import Issue, shown
from sheetsync.periods import parse_period
from sheetsync.spreadsheet import a1, day_of, finite_number, norm, tidy
from sheetsync.sync.activity import find_header, header_columns
from sheetsync.sync.cell_text import (
    LARGEST,
    TOO_LARGE,
    is_blank,
    parse_date_text,
    parse_number_text,
)
from sheetsync.sync.columns import Column

ROSTER_COLUMNS = ("rep", "email", "team", "active", "start")
GOAL_COLUMNS = ("period", "level", "scope", "kpi", "target", "cell")
TRUE_WORDS = {"yes", "y", "true", "1", "x", "active", "tak", "ja", "oui", "si", "sí"}
FALSE_WORDS = {"no", "n", "false", "0", "inactive", "nie", "nein", "non"}


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like `name`, if any is reasonably close."""
    options = {norm(c): c for c in candidates}
    found = difflib.get_close_matches(norm(name), list(options), n=1, cutoff=0.6)
    return options[found[0]] if found else None


def _cell(row: list[Any], index: int | None) -> Any:
    return row[index] if index is not None and index < len(row) else None


@dataclass
class Roster:
    frame: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)

    @property
    def names(self) -> dict[str, str]:
        """Loose name -> canonical spelling."""
        return {norm(rep): rep for rep in self.frame["rep"]}

    @property
    def teams(self) -> dict[str, str]:
        teams = self.frame["team"].dropna().unique()
        return {norm(team): str(team) for team in teams}


def read_roster(title: str | None, grid: Grid | None, config: Config) -> Roster:
    """The roster, or an empty one when the config names no roster tab or the tab is absent."""
    empty = pd.DataFrame({c: pd.Series([], dtype=bool if c == "active" else object)
                          for c in ROSTER_COLUMNS})  # fmt: skip
    if title is None or grid is None:
        return Roster(empty)
    cfg = config.roster
    header = find_header(grid, cfg.rep_column)
    if header is None:
        issue = Issue("error", title, "A1", f"no {cfg.rep_column!r} column header", "",
                      "roster not used: no teams")  # fmt: skip
        return Roster(empty, [issue])
    columns = header_columns(grid[header])
    index = {key: columns.get(norm(h)) for key, h in (
        ("rep", cfg.rep_column), ("email", cfg.email_column),
        ("team", cfg.team_column), ("active", cfg.active_column),
        ("start", cfg.start_column))}  # fmt: skip
    roster = Roster(empty)
    records: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(grid[header + 1 :], start=header + 2):
        record = _roster_row(title, row, number, index, roster.issues, config)
        if record is None:
            continue
        key = norm(record["rep"])
        if key in records:
            roster.issues.append(Issue(
                "warning", title, a1(index["rep"] or 0, number),
                f"rep {record['rep']!r} is listed twice", record["rep"], "later row ignored",
            ))  # fmt: skip
            continue
        records[key] = record
    if records:
        roster.frame = pd.DataFrame(list(records.values()), columns=list(ROSTER_COLUMNS))
        roster.frame["active"] = roster.frame["active"].astype(bool)
    return roster


def _roster_row(
    title: str, row: list[Any], number: int, index: dict[str, int | None], issues: list[Issue],
    config: Config,
) -> dict[str, Any] | None:  # fmt: skip
    rep = _cell(row, index["rep"])
    if is_blank(rep):
        if any(not is_blank(v) for v in row):
            issues.append(Issue("warning", title, a1(index["rep"] or 0, number),
                                "the rep is missing", "", "row ignored"))  # fmt: skip
        return None
    team = _cell(row, index["team"])
    email = _cell(row, index["email"])
    return {
        "rep": tidy(str(rep)),
        "email": _email(title, email, a1(index["email"] or 0, number), issues),
        "team": None if is_blank(team) else tidy(str(team)),
        "active": _active(title, _cell(row, index["active"]), number, index, issues),
        "start": _start(
            title, _cell(row, index["start"]), a1(index["start"] or 0, number), issues, config
        ),
    }


def _email(title: str, value: Any, cell: str, issues: list[Issue]) -> str | None:
    """The cell's text (None when blank); a data issue when it is not exactly one plain
    e-mail address (the rep then gets no e-mail: notify refuses the address)."""
    if is_blank(value):
        return None
    text = shown(value).strip()
    try:
        one_address(text)
    except ValueError as exc:
        issues.append(Issue("warning", title, cell, f"{exc}: {text!r}", text,
                            "no e-mail is sent to this rep"))  # fmt: skip
    return text


def _start(title: str, value: Any, cell: str, issues: list[Issue], config: Config) -> Any:
    """The rep's start date (None when blank); a data issue when the cell is not a date."""
    if is_blank(value):
        return None
    day = day_of(value) if not isinstance(value, str) else parse_date_text(value, config.locale)
    if day is None:
        issues.append(Issue("warning", title, cell, f"expected a date, got {shown(value)!r}",
                            shown(value), "start date not used"))  # fmt: skip
    return day


def _active(
    title: str, value: Any, number: int, index: dict[str, int | None], issues: list[Issue]
) -> bool:
    if is_blank(value) or value is True:
        return True
    if value is False:
        return False
    word = norm(shown(value))
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    issues.append(Issue(
        "warning", title, a1(index["active"] or 0, number),
        f"expected yes or no, got {shown(value)!r}", shown(value), "rep taken as active",
    ))  # fmt: skip
    return True


@dataclass
class Goals:
    """The long goals frame (each goal with the A1 cell it came from), the issues, and the
    header cell of each KPI's column."""

    frame: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    kpi_cells: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Scopes:
    total: str
    teams: dict[str, str]
    reps: dict[str, str]
    any_rep: bool

    def resolve(self, scope: str) -> tuple[str, str] | None:
        key = norm(scope)
        if key == norm(self.total):
            return "total", self.total
        if key in self.teams:
            return "team", self.teams[key]
        if key in self.reps:
            return "rep", self.reps[key]
        return ("rep", tidy(scope)) if self.any_rep else None


def read_goals(
    title: str | None, grid: Grid | None, config: Config, roster: Roster, seen_reps: set[str]
) -> Goals:
    """Goals in the wide layout -> long rows; conflicting duplicates dropped and reported."""
    empty = pd.DataFrame({c: pd.Series([], dtype=float if c == "target" else object)
                          for c in GOAL_COLUMNS})  # fmt: skip
    if title is None or grid is None:
        return Goals(empty)
    cfg = config.goals
    header = find_header(grid, cfg.period_column)
    if header is None:
        return Goals(empty, [Issue("error", title, "A1", f"no {cfg.period_column!r} column header",
                                   "", "no goals used")])  # fmt: skip
    goals = Goals(empty)
    columns = header_columns(grid[header])
    kpi_columns = _kpi_columns(title, grid[header], header, config, goals.issues)
    goals.kpi_cells = {kpi: a1(col, header + 1) for col, kpi in reversed(kpi_columns.items())}
    reps = {**{norm(r): r for r in seen_reps}, **roster.names}
    scopes = _Scopes(config.total_label, roster.teams, reps, roster.frame.empty)
    period_col = columns[norm(cfg.period_column)]
    scope_col = columns.get(norm(cfg.scope_column))
    records = []
    for number, row in enumerate(grid[header + 1 :], start=header + 2):
        head = _goal_head(title, row, number, period_col, scope_col, scopes, config, goals)
        if head is not None:
            records += _goal_targets(title, row, number, head, kpi_columns, config, goals)
    if records:
        goals.frame = _without_conflicts(title, pd.DataFrame(records), goals.issues)
    return goals


def _kpi_columns(
    title: str, header: list[Any], index: int, config: Config, issues: list[Issue]
) -> dict[int, str]:
    by_name = {norm(k.key): k.key for k in config.kpis}
    by_name |= {norm(k.label): k.key for k in config.kpis}
    fixed = {norm(config.goals.period_column), norm(config.goals.scope_column)}
    found: dict[int, str] = {}
    for col, cell in enumerate(header):
        key = norm(cell) if cell is not None else ""
        if not key or key in fixed:
            continue
        if key in by_name:
            found[col] = by_name[key]
        else:
            issues.append(Issue("warning", title, a1(col, index + 1),
                                f"column {shown(cell)!r} matches no KPI", shown(cell),
                                "column ignored"))  # fmt: skip
    return found


def _goal_head(
    title: str, row: list[Any], number: int, period_col: int, scope_col: int | None,
    scopes: _Scopes, config: Config, goals: Goals,
) -> tuple[str, str, str] | None:  # fmt: skip
    period_raw, scope_raw = _cell(row, period_col), _cell(row, scope_col)
    if is_blank(period_raw) and is_blank(scope_raw):
        if any(not is_blank(v) for v in row):
            goals.issues.append(Issue("error", title, a1(period_col, number),
                                      "the period is missing", "", "goal row ignored"))  # fmt: skip
        return None
    try:
        label = parse_period(shown(period_raw), config.calendar.fiscal_year_start).label
    except ValueError as exc:
        goals.issues.append(Issue("error", title, a1(period_col, number), str(exc),
                                  shown(period_raw), "goal row ignored"))  # fmt: skip
        return None
    resolved = None if is_blank(scope_raw) else scopes.resolve(shown(scope_raw))
    if resolved is None:
        hint = closest(shown(scope_raw), [*scopes.reps.values(), *scopes.teams.values()])
        problem = f"scope {shown(scope_raw)!r} is not a rep, team or {config.total_label!r}"
        goals.issues.append(Issue(
            "error", title, a1(scope_col or 0, number),
            problem + (f"; did you mean {hint!r}?" if hint else ""), shown(scope_raw),
            "goal row ignored",
        ))  # fmt: skip
        return None
    return label, resolved[0], resolved[1]


def _goal_targets(
    title: str, row: list[Any], number: int, head: tuple[str, str, str],
    kpi_columns: dict[int, str], config: Config, goals: Goals,
) -> list[dict[str, Any]]:  # fmt: skip
    records = []
    for col, kpi in kpi_columns.items():
        value = _cell(row, col)
        if is_blank(value):
            continue
        target = _goal_number(value, config)
        if target is None or abs(target) > LARGEST:
            problem = "expected a number" if target is None else TOO_LARGE
            goals.issues.append(Issue("error", title, a1(col, number),
                                      f"{problem}, got {shown(value)!r}", shown(value),
                                      "goal ignored"))  # fmt: skip
            continue
        period, level, scope = head
        records.append({"period": period, "level": level, "scope": scope, "kpi": kpi,
                        "target": target, "cell": a1(col, number)})  # fmt: skip
    return records


def _goal_number(value: Any, config: Config) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):  # an int past the largest double is no number
        return finite_number(value)
    return parse_number_text(str(value), config.locale)


def _without_conflicts(title: str, frame: pd.DataFrame, issues: list[Issue]) -> pd.DataFrame:
    keys = ["period", "level", "scope", "kpi"]
    distinct = frame.groupby(keys)["target"].transform("nunique")
    clash = frame[distinct > 1]
    for _, group in clash.groupby(keys):
        cells = ", ".join(f"{shown(t)} in {c}" for t, c in zip(group["target"], group["cell"],
                                                             strict=True))  # fmt: skip
        first = group.iloc[0]
        for cell, target in zip(group["cell"], group["target"], strict=True):
            issues.append(Issue(
                "error", title, cell,
                f"conflicting goals for {first['scope']} {first['period']} {first['kpi']}: {cells}",
                shown(target), "neither goal used",
            ))  # fmt: skip
    kept = frame[distinct <= 1].drop_duplicates(keys)
    return kept[list(GOAL_COLUMNS)].reset_index(drop=True)


def read_holidays(
    title: str | None, grid: Grid | None, config: Config
) -> tuple[frozenset[date], list[Issue]]:
    """Dates in the first column of the holidays tab (below a header, if there is one)."""
    if title is None or grid is None:
        return frozenset(), []
    column = Column([row[0] if row else None for row in grid])
    dates, bad = column.dates(config.locale)
    issues = []
    for i in np.flatnonzero(bad[1:]) + 1:
        value = shown(column.raw[i])
        issues.append(Issue("warning", title, a1(0, int(i) + 1), f"expected a date, got {value!r}",
                            value, "not taken as a holiday"))  # fmt: skip
    days = {pd.Timestamp(d).date() for d in dates if not pd.isna(d)}
    return frozenset(days), issues
