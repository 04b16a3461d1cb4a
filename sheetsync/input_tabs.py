"""`sheetsync init`: the empty input tabs a config expects, laid out with their headers.

The templates come from the config alone (tab names, column headers, KPI labels), so a
Polish or any other sheet gets its own names:

* activity: an example rep tab named from the `rep_tabs` pattern (`Rep - *` -> `Rep - Example`,
  only when no tab matches the pattern yet) and/or the shared log tab with its rep column;
* Goals: `Period | Scope | <one column per KPI label>`;
* Roster: `Rep | Email | Team | Active | Start` (when a roster tab is configured);
* Holidays: `Date | Holiday` (when a holidays tab is configured);
* Actions: `Agreed on | Rep or team | KPI | Action | Owner | Due | Done` in the team's language
  (unless `actions: false`).

Existing tabs are never touched: only the missing ones are added, in one step (Google: one
metadata read and one batchUpdate that only adds sheets; xlsx: the new tabs spliced into the
workbook, every other part kept byte for byte, or a new workbook when there is none yet).

`init --example` writes the packaged example config instead (`write_example_config`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from sheetsync.config import EXAMPLE_CONFIG
from sheetsync.config.values import Config
from sheetsync.errors import UsageError
from sheetsync.pipeline import make_backend
from sheetsync.plan import Cell, TabPlan
from sheetsync.sync.stage import find_tab, rep_tabs

EXAMPLE_REP = "Example"
HOLIDAY_HEADERS = ("Date", "Holiday")


@dataclass(frozen=True)
class InputTab:
    """One input tab to lay out: its title, header row and what it is for."""

    title: str
    headers: tuple[str, ...]
    purpose: str


@dataclass(frozen=True)
class InitResult:
    """What `init` did: tabs added (with their headers) and tabs left as they were."""

    where: str
    created: tuple[InputTab, ...]
    existing: tuple[str, ...]


def input_layout(config: Config, titles: Sequence[str] = ()) -> tuple[InputTab, ...]:
    """Every input tab the config reads, as a template (pure: no I/O)."""
    activity = config.activity
    columns = (activity.date_column, *activity.numbers.values(), *activity.texts.values())
    tabs: list[InputTab] = []
    if activity.rep_tabs:
        found = rep_tabs(titles, config)
        title = next(iter(found), None) or example_rep_tab(activity.rep_tabs)
        tabs.append(InputTab(title, columns, "one rep's activity: copy it once per rep"))
    if activity.log_tab:
        tabs.append(InputTab(activity.log_tab, (activity.rep_column, *columns),
                             "shared activity log, one row per entry"))  # fmt: skip
    goals = config.goals
    labels = tuple(kpi.label for kpi in config.kpis)
    tabs.append(InputTab(goals.tab, (goals.period_column, goals.scope_column, *labels),
                         "goals: a period, a rep/team/total and a target per KPI"))  # fmt: skip
    roster = config.roster
    if roster.tab:
        headers = (roster.rep_column, roster.email_column, roster.team_column,
                   roster.active_column, roster.start_column)  # fmt: skip
        tabs.append(InputTab(roster.tab, headers, "who is who: team, e-mail, active, start"))
    if config.calendar.holidays_tab:
        tabs.append(InputTab(config.calendar.holidays_tab, HOLIDAY_HEADERS, "days off"))
    if config.actions.tab:
        tabs.append(InputTab(config.actions.tab, config.actions.headers(),
                             "what meetings agreed: who, which KPI, owner, due, done"))  # fmt: skip
    return tuple(tabs)


def example_rep_tab(pattern: str) -> str:
    """A title the pattern matches: `Rep - *` -> `Rep - Example`, `[Rr]ep ?? *` -> `Rep xx
    Example` (the first `*` named, any other `*` or `?` as `x`, a set as one of its
    characters), so the tab `init` makes is read as a rep tab."""
    title = re.sub(r"\[(!?)([^\]]+)\]", _one_of_set, pattern)
    title = title.replace("*", EXAMPLE_REP, 1).replace("*", "x").replace("?", "x")
    return re.sub(r"\s+", " ", title).strip() or EXAMPLE_REP


def _one_of_set(match: re.Match[str]) -> str:
    """A character a glob set `[abc]` (or `[!abc]`) matches."""
    negated, members = match.group(1), match.group(2)
    return next(c for c in "xyzabc" if c not in members) if negated else members[0]


def split_missing(
    layout: Sequence[InputTab], titles: Sequence[str]
) -> tuple[tuple[InputTab, ...], tuple[str, ...]]:
    """(tabs to create, titles that exist already), matching names loosely like the reader."""
    missing, existing = [], []
    for tab in layout:
        found = find_tab(titles, tab.title)
        if found is None:
            missing.append(tab)
        else:
            existing.append(found)
    return tuple(missing), tuple(existing)


def init_inputs(config: Config) -> InitResult:
    """Add the missing input tabs of `config`'s source; leave every existing tab alone."""
    backend = make_backend(config, create=True)
    titles = backend.read(lambda _titles: ()).titles  # the tab list only, no values read
    missing, existing = split_missing(input_layout(config, titles), titles)
    if missing:
        with backend.locked():
            backend.add_input_tabs([template_tab(tab) for tab in missing])
    return InitResult(backend.description, missing, existing)


def template_tab(tab: InputTab) -> TabPlan:
    """An input tab as written: its bold header row, columns wide enough for the headers."""
    widths = tuple(max(10, len(header) + 2) for header in tab.headers)
    return TabPlan("input", tab.title, (tuple(Cell(h, bold=True) for h in tab.headers),), 1, widths)


def write_example_config(path: Path) -> Path:
    """Write the packaged example config (every key, commented) to `path`, or to
    `path/sheetsync.yaml` for a folder; an existing file is never overwritten (UsageError).
    Returns the file written."""
    if path.is_dir():
        path = path / EXAMPLE_CONFIG
    text = files("sheetsync").joinpath("data/example.yaml").read_bytes()
    try:
        with path.open("xb") as file:  # "x": fails rather than replace an existing file
            file.write(text)
    except FileExistsError:
        raise UsageError(
            f"{path} exists already and was left as it is; to get the example "
            "config, give another file: sheetsync init --example PATH"
        ) from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the example config ({exc.strerror})") from None
    return path
