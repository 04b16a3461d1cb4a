"""Meeting actions followed up (pure): which to show, their state, and a tied KPI's pace.

- **State** as of D: `done` when ticked; else `overdue` when its Due day is before D; else
  `open` (an action without a Due day is never overdue).
- **Followed up**: every open action (overdue first: earliest due, then earliest agreed, then
  row), then the actions done since the last snapshot. Done carries no date, so "done since
  the last snapshot" means ticked and due or agreed on or after the last snapshot's day; without
  a snapshot, ticked and due or agreed in the current ranked period.
- **Pace then and now**, for an action tied to a KPI and a known rep or team: the pace of that
  KPI for that scope in the ranked kind's period that held the Agreed on day, as of that day
  (from History when it holds that day, else recomputed from the activity, as the trends
  are), beside its pace in the current ranked period now (Rep KPIs). At most MAX_PACE_DAYS
  days get a pace then, so a long list of actions costs a bounded number of passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from sheetsync.config.values import PeriodKind
from sheetsync.periods import Period, current_period
from sheetsync.sync.actions import Action

__all__ = [
    "MAX_PACE_DAYS", "FollowUp", "State", "follow_ups", "pace_in", "pace_periods", "state",
    "tied_paces",
]  # fmt: skip

State = Literal["overdue", "open", "done"]
STATES: tuple[State, ...] = ("overdue", "open", "done")


@dataclass(frozen=True)
class FollowUp:
    """An action as followed up: its state and, when tied to a KPI, the pace then and now
    (None where it is not known)."""

    action: Action
    state: State
    pace_then: float | None = None
    pace_now: float | None = None

    def concerns(self, rep: str) -> bool:
        """The action is this rep's own: for them, or owned by them."""
        own = self.action.level == "rep" and self.action.scope == rep
        return own or self.action.owner.casefold() == rep.casefold()


def state(action: Action, as_of: date) -> State:
    if action.done:
        return "done"
    return "overdue" if action.due is not None and action.due < as_of else "open"


def _recent(action: Action, since: date | None, ranked: Period) -> bool:
    days = [day for day in (action.due, action.agreed) if day is not None]
    if since is None:
        return any(day in ranked for day in days)
    return any(day >= since for day in days)


def _order(action: Action, found: State) -> tuple[int, date, date, int]:
    return (STATES.index(found), action.due or date.max, action.agreed or date.max, action.row)


def follow_ups(
    actions: Iterable[Action], as_of: date, last_snapshot: date | None, ranked: Period,
    paces: Mapping[int, tuple[float | None, float | None]] | None = None,
) -> tuple[FollowUp, ...]:  # fmt: skip
    """The open actions (overdue first) and those done since the last snapshot, each with
    its pace then and now from `paces` (by row)."""
    chosen = []
    for action in actions:
        found = state(action, as_of)
        if found != "done" or _recent(action, last_snapshot, ranked):
            chosen.append((action, found))
    chosen.sort(key=lambda pair: _order(*pair))
    paces = paces or {}
    return tuple(FollowUp(a, s, *paces.get(a.row, (None, None))) for a, s in chosen)


MAX_PACE_DAYS = 31
"""At most this many Agreed on days get a pace then (each may cost a pass over the activity):
those of the first actions in the followed-up order; later ones read "not known"."""


def pace_periods(
    actions: Iterable[Action], kind: PeriodKind, fiscal_year_start: int, as_of: date
) -> dict[date, Period]:
    """Each Agreed on day (before `as_of`) of an action tied to a KPI and a known scope, with
    the period of the ranked kind that held it; the first MAX_PACE_DAYS days, in order."""
    days: dict[date, Period] = {}
    for action in actions:
        day = action.agreed
        if _tied(action) and day is not None and day < as_of and day not in days:
            if len(days) == MAX_PACE_DAYS:
                break
            days[day] = current_period(kind, day, fiscal_year_start)
    return days


def _tied(action: Action) -> bool:
    return action.kpi is not None and action.level is not None


def pace_in(table: pd.DataFrame, period: str, level: str, name: str, kpi: str) -> float | None:
    """The pace of one row of a Rep KPIs or History table (None when absent or blank)."""
    rows = table[(table["period"] == period) & (table["level"] == level)
                 & (table["name"] == name) & (table["kpi"] == kpi)]  # fmt: skip
    found = pd.to_numeric(rows["pace"], errors="coerce").dropna()
    return float(found.iloc[0]) if not found.empty else None


def tied_paces(
    actions: Sequence[Action], now: pd.DataFrame, ranked: str,
    then: Mapping[date, tuple[str, pd.DataFrame]],
) -> dict[int, tuple[float | None, float | None]]:  # fmt: skip
    """For each action tied to a KPI and a known scope (by row): (pace then, pace now).
    `then` maps an Agreed on day to its period's label and the table as of that day."""
    paces = {}
    for action in actions:
        if not _tied(action):
            continue
        assert action.level is not None and action.kpi is not None
        key = (action.level, action.scope, action.kpi)
        held = then.get(action.agreed) if action.agreed is not None else None
        was = pace_in(held[1], held[0], *key) if held is not None else None
        paces[action.row] = (was, pace_in(now, ranked, *key))
    return paces
