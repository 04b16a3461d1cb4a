"""The optional Actions tab: what a meeting agreed, as typed `Action` values plus data issues.

`Agreed on | Rep or team | KPI | Action | Owner | Due | Done` (headers from the config's
`actions` section, in the team's language). A row with any cell filled is an action when its
Action cell has text; every other cell that cannot be used is a data issue naming its tab and
cell, and the action is kept without that value:

* a bad Agreed on date: no pace then; a bad Due date: never overdue;
* a rep or team the roster does not know (closest name suggested): no pace then or now;
* a KPI that is neither a KPI's label nor its key (closest label suggested): no pace;
* a Done cell that is not a checkbox value (TRUE/FALSE, yes/no, x, blank): taken as not done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sheetsync.config.values import Config
from sheetsync.grids import Grid
from sheetsync.issues import Issue, shown
from sheetsync.spreadsheet import a1, day_of, norm, tidy
from sheetsync.sync.activity import find_header, header_columns
from sheetsync.sync.cell_text import is_blank, parse_date_text
from sheetsync.sync.roster_goals import FALSE_WORDS, TRUE_WORDS, Roster, closest

__all__ = ["Action", "ActionsRead", "read_actions"]

FIELDS = ("agreed", "scope", "kpi", "action", "owner", "due", "done")
DONE_WORDS = TRUE_WORDS | {"done", "zrobione", "✓", "✔"}


@dataclass(frozen=True)
class Action:
    """One row of the Actions tab. `level` is `rep` or `team`, None when the scope is unknown
    or blank; `kpi` is the KPI's key; `row` the tab's row number; unusable dates are None."""

    row: int
    text: str
    level: str | None
    scope: str
    kpi: str | None
    owner: str
    agreed: date | None
    due: date | None
    done: bool


@dataclass
class ActionsRead:
    """The actions read (in row order) and the data issues found."""

    actions: tuple[Action, ...] = ()
    issues: list[Issue] = field(default_factory=list)


@dataclass(frozen=True)
class _Names:
    """Who and what an action may name: reps and teams (loose key -> spelling) and KPIs."""

    reps: Mapping[str, str]
    teams: Mapping[str, str]
    kpis: Mapping[str, str]
    kpi_labels: tuple[str, ...]


def read_actions(
    title: str | None, grid: Grid | None, config: Config, roster: Roster, seen_reps: set[str]
) -> ActionsRead:
    """The Actions tab's rows (none when the tab is absent: it is optional)."""
    if title is None or grid is None:
        return ActionsRead()
    cfg = config.actions
    header = find_header(grid, cfg.action_column)
    if header is None:
        problem = f"no {cfg.action_column!r} column header"
        return ActionsRead((), [Issue("error", title, "A1", problem, "", "no actions read")])
    columns = header_columns(grid[header])
    index = {key: columns.get(norm(name)) for key, name in zip(FIELDS, cfg.headers(), strict=True)}
    kpis = {norm(k.key): k.key for k in config.kpis} | {norm(k.label): k.key for k in config.kpis}
    names = _Names({**{norm(r): r for r in seen_reps}, **roster.names}, roster.teams, kpis,
                   tuple(k.label for k in config.kpis))  # fmt: skip
    read = ActionsRead()
    found = []
    for number, row in enumerate(grid[header + 1 :], start=header + 2):
        action = _action(_Row(title, row, number, index, read.issues), names, config)
        if action is not None:
            found.append(action)
    read.actions = tuple(found)
    return read


@dataclass(frozen=True)
class _Row:
    """One row of the tab, with where its cells are and the list its issues go to."""

    title: str
    cells: list[Any]
    number: int
    index: Mapping[str, int | None]
    issues: list[Issue]

    def get(self, key: str) -> Any:
        column = self.index[key]
        return self.cells[column] if column is not None and column < len(self.cells) else None

    def cell(self, key: str) -> str:
        column = self.index[key]
        return a1(column, self.number) if column is not None else ""

    def flag(self, key: str, problem: str, raw: Any, done: str) -> None:
        self.issues.append(Issue("warning", self.title, self.cell(key), problem, shown(raw), done))


def _action(row: _Row, names: _Names, config: Config) -> Action | None:
    if all(is_blank(v) for v in row.cells):
        return None
    text = row.get("action")
    if is_blank(text):
        row.flag("action", "the action is missing", "", "row ignored")
        return None
    level, scope = _scope(row, names)
    return Action(
        row=row.number, text=tidy(shown(text)), level=level, scope=scope,
        kpi=_kpi(row, names), owner=tidy(shown(row.get("owner"))),
        agreed=_date(row, "agreed", config, "no pace then"),
        due=_date(row, "due", config, "never overdue"), done=_done(row),
    )  # fmt: skip


def _date(row: _Row, key: str, config: Config, done: str) -> date | None:
    raw = row.get(key)
    if is_blank(raw):
        return None
    day = parse_date_text(raw, config.locale) if isinstance(raw, str) else day_of(raw)
    if day is None:
        row.flag(key, f"expected a date, got {shown(raw)!r}", raw, f"action kept; {done}")
    return day


def _scope(row: _Row, names: _Names) -> tuple[str | None, str]:
    raw = row.get("scope")
    if is_blank(raw):
        return None, ""
    key, text = norm(shown(raw)), tidy(shown(raw))
    if key in names.reps:
        return "rep", names.reps[key]
    if key in names.teams:
        return "team", names.teams[key]
    hint = closest(text, [*names.reps.values(), *names.teams.values()])
    problem = f"{text!r} is not a rep or team" + (f"; did you mean {hint!r}?" if hint else "")
    row.flag("scope", problem, raw, "action kept; no KPI pace")
    return None, text


def _kpi(row: _Row, names: _Names) -> str | None:
    raw = row.get("kpi")
    if is_blank(raw):
        return None
    found = names.kpis.get(norm(shown(raw)))
    if found is None:
        hint = closest(shown(raw), names.kpi_labels)
        problem = f"{shown(raw)!r} is not a KPI" + (f"; did you mean {hint!r}?" if hint else "")
        row.flag("kpi", problem, raw, "action kept; no KPI pace")
    return found


def _done(row: _Row) -> bool:
    raw = row.get("done")
    if is_blank(raw) or isinstance(raw, bool):
        return raw is True
    word = norm(shown(raw))
    if word in DONE_WORDS or word in FALSE_WORDS:
        return word in DONE_WORDS
    row.flag("done", f"expected a checkbox (TRUE or FALSE), got {shown(raw)!r}", raw,
             "taken as not done")  # fmt: skip
    return False
