"""The sync stage: raw grids -> typed activity, goals and roster frames, plus data issues.

Every non-empty activity row is either counted or rejected with an issue, so that
rows read = rows counted + rows rejected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from sheetsync.config.values import Config
from sheetsync.errors import DataError
from sheetsync.grids import RawWorkbook
from sheetsync.issues import Issue
from sheetsync.spreadsheet import a1, norm, tidy, title_pattern
from sheetsync.sync.actions import Action, read_actions
from sheetsync.sync.activity import TabRows, activity_frame, read_activity_tab
from sheetsync.sync.roster_goals import closest, read_goals, read_holidays, read_roster


@dataclass
class SyncResult:
    activity: pd.DataFrame
    goals: pd.DataFrame
    roster: pd.DataFrame
    holidays: frozenset[date]
    issues: list[Issue] = field(default_factory=list)
    rows_read: int = 0
    rows_counted: int = 0
    rows_rejected: int = 0
    activity_tabs: tuple[str, ...] = ()
    goals_tab: str | None = None
    goal_kpi_cells: dict[str, str] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()
    """The Actions tab's rows (none without the tab: it is optional)."""
    actions_tab: str | None = None


def find_tab(titles: Sequence[str], name: str | None) -> str | None:
    """The title matching `name` loosely (case and spacing ignored), if any."""
    if name is None:
        return None
    return next((t for t in titles if norm(t) == norm(name)), None)


def rep_tab_pattern(pattern: str) -> re.Pattern[str]:
    """`Rep - *` -> a regex for `fullmatch` on a tidied title whose group 1 is the rep's name.

    The glob rules of `cells.title_pattern` (fnmatch's `*`, `?`, `[seq]`, `[!seq]`; case and
    spacing loose); the rep is the text under the first `*`. Raises re.error for a bad set.
    """
    return title_pattern(pattern)


def rep_tabs(titles: Sequence[str], config: Config) -> dict[str, str]:
    """Tab title -> rep name taken from the title, for every tab matching the rep pattern.

    Never one of the config's other input tabs (goals, roster, log, holidays) nor an output
    tab, even when the pattern (like `*` alone) would match it; never a title whose `*` part is
    empty. A pattern without `*` (only possible in a Config built in code: loading refuses it)
    takes the whole title as the rep's name.
    """
    if not config.activity.rep_tabs:
        return {}
    pattern = rep_tab_pattern(config.activity.rep_tabs)
    named = [config.goals.tab, config.roster.tab, config.activity.log_tab,
             config.calendar.holidays_tab, config.actions.tab]  # fmt: skip
    taken = output_titles(config) | {norm(name) for name in named if name}
    found = {}
    for title in titles:
        match = pattern.fullmatch(tidy(title)) if norm(title) not in taken else None
        rep = tidy(match[1] if pattern.groups else match[0]) if match else ""
        if rep:
            found[title] = rep
    return found


def output_titles(config: Config) -> set[str]:
    return {norm(t) for t in config.output.tabs.values()}


def input_tabs(titles: Sequence[str], config: Config) -> list[str]:
    """Every tab the sync stage needs, never an output tab."""
    outputs = output_titles(config)
    inputs = [t for t in titles if norm(t) not in outputs]
    names = [config.activity.log_tab, config.goals.tab, config.roster.tab,
             config.calendar.holidays_tab, config.actions.tab]  # fmt: skip
    wanted = {find_tab(inputs, n) for n in names} | set(rep_tabs(inputs, config))
    return [t for t in inputs if t in wanted]


def sync(raw: RawWorkbook, config: Config, *, release: bool = False) -> SyncResult:
    """Turn the raw grids into typed frames and data issues.

    With `release`, each activity tab's grid is taken out of `raw.grids` (a dict the caller
    gives up) as soon as it is parsed, so that its cells are freed before the next tab is
    parsed: at a million rows the grids hold several hundred MB, more than the frames that
    replace them. Without it (or when `raw.grids` is not a dict), `raw` is left as it was.
    """
    titles = [t for t in raw.titles if t in raw.grids]
    roster_tab = find_tab(titles, config.roster.tab)
    roster = read_roster(roster_tab, raw.grids.get(roster_tab or ""), config)
    tabs = _activity_tabs(titles, config)
    later = {
        find_tab(titles, config.goals.tab),
        find_tab(titles, config.calendar.holidays_tab),
        find_tab(titles, config.actions.tab),
    }
    grids = raw.grids
    take = grids.pop if release and isinstance(grids, dict) else grids.__getitem__
    results = [read_activity_tab(t, grids[t] if t in later else take(t), config, rep)
               for t, rep in tabs.items()]  # fmt: skip
    result = SyncResult(
        activity=activity_frame(results, config), goals=pd.DataFrame(), roster=roster.frame,
        holidays=frozenset(), issues=list(roster.issues), activity_tabs=tuple(tabs),
    )  # fmt: skip
    for tab_rows in results:
        result.issues += tab_rows.issues
        result.rows_read += tab_rows.read
        result.rows_rejected += tab_rows.rejected
    result.rows_counted = len(result.activity)
    _canonical_reps(result, results, roster.names, roster.frame.empty)
    goals_tab = find_tab(titles, config.goals.tab)
    goals = read_goals(goals_tab, raw.grids.get(goals_tab or ""), config, roster,
                       set(result.activity["rep"].unique()))  # fmt: skip
    result.goals, result.issues = goals.frame, result.issues + goals.issues
    result.goals_tab, result.goal_kpi_cells = goals_tab, goals.kpi_cells
    holidays_tab = find_tab(titles, config.calendar.holidays_tab)
    days, issues = read_holidays(holidays_tab, raw.grids.get(holidays_tab or ""), config)
    result.holidays, result.issues = days | config.calendar.holidays, result.issues + issues
    result.issues += _missing_tab_issues(raw.titles, config, goals_tab, roster_tab)
    actions_tab = find_tab(titles, config.actions.tab)
    actions = read_actions(actions_tab, raw.grids.get(actions_tab or ""), config, roster,
                           set(result.activity["rep"].unique()))  # fmt: skip
    result.actions, result.issues = actions.actions, result.issues + actions.issues
    result.actions_tab = actions_tab
    return result


def _activity_tabs(titles: Sequence[str], config: Config) -> dict[str, str | None]:
    tabs: dict[str, str | None] = dict(rep_tabs(titles, config))
    log = find_tab(titles, config.activity.log_tab)
    if log is not None:
        tabs[log] = None
    if not tabs:
        wanted = " or ".join(
            repr(x) for x in (config.activity.rep_tabs, config.activity.log_tab) if x
        )
        raise DataError(f"no activity tab found: no tab is named {wanted}; "
                        "check activity.rep_tabs and activity.log_tab in the config")  # fmt: skip
    return tabs


def _canonical_reps(
    result: SyncResult, tabs: list[TabRows], roster_names: dict[str, str], no_roster: bool
) -> None:
    """Give every rep its roster spelling; flag reps the roster does not know."""
    spelling: dict[str, str] = dict(roster_names)
    unknown: list[str] = []
    reps = result.activity["rep"].cat.remove_unused_categories().cat
    codes, names = reps.codes.to_numpy(), reps.categories
    for name in names:
        key = norm(name)
        if key not in spelling:
            spelling[key] = tidy(str(name))
            unknown.append(key)
    canonical = [spelling[norm(name)] for name in names]
    categories = list(dict.fromkeys(canonical))
    position = np.array([categories.index(name) for name in canonical], dtype=np.intp)
    new_codes = np.where(codes >= 0, np.append(position, -1)[codes], -1).astype(np.intp)
    # categorical: the KPI engine reads rep codes from it without hashing a million names
    result.activity["rep"] = pd.Categorical.from_codes(
        new_codes, categories=pd.Index(categories, dtype=object)
    )
    if no_roster:
        return
    columns = {r.title: r.rep_column for r in tabs}
    for key in unknown:
        result.issues.append(_unknown_rep_issue(result.activity, spelling[key], roster_names,
                                                columns))  # fmt: skip


def _unknown_rep_issue(
    activity: pd.DataFrame, name: str, roster_names: dict[str, str],
    columns: dict[str, int | None],
) -> Issue:  # fmt: skip
    rows = activity[activity["rep"] == name]
    tab, row = str(rows["_tab"].iat[0]), int(rows["_row"].to_numpy()[0])
    column = columns.get(tab)
    hint = closest(name, roster_names.values())
    problem = f"rep {name!r} is not in the roster" + (f"; did you mean {hint!r}?" if hint else "")
    cell = a1(column, row) if column is not None else ""
    return Issue("warning", tab, cell, problem, name,
                 f"counted as a rep of no team ({_rows(len(rows))})")  # fmt: skip


def _missing_tab_issues(
    titles: Sequence[str], config: Config, goals_tab: str | None, roster_tab: str | None
) -> list[Issue]:
    issues = []
    if goals_tab is None:
        issues.append(Issue("warning", config.goals.tab, "", "goals tab not found", "",
                            "no targets: attainment, pace and status are blank"))  # fmt: skip
    if config.roster.tab and roster_tab is None:
        issues.append(Issue("warning", config.roster.tab, "", "roster tab not found", "",
                            "no teams; every rep in the activity is ranked"))  # fmt: skip
    if config.activity.log_tab and find_tab(titles, config.activity.log_tab) is None:
        issues.append(Issue("warning", config.activity.log_tab, "", "log tab not found", "",
                            "only the rep tabs were read"))  # fmt: skip
    return issues


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"
