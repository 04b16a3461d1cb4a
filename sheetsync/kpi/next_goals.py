"""Next period's goals (pure): in the last two weeks of a period, who has none yet.

The period looked at is the ranked one (`ranking.period`), and a ranked week looks at the
month instead (a week is never longer than the notice). In its last `NOTICE_DAYS` calendar
days (month, quarter or year alike), the next period of that kind is checked: an active
roster rep (without a roster, every rep with a goal anywhere) has goals for it when the Goals
tab has a row for that rep and that period, or for one of the periods it is made of (a
quarter's months, a year's quarters and their months), for any KPI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from sheetsync.context import RunContext
from sheetsync.periods import Period, components, current_period

__all__ = ["NOTICE_DAYS", "NextGoals", "next_goals"]

NOTICE_DAYS = 14


@dataclass(frozen=True)
class NextGoals:
    """The next period and the reps without any goal for it (sorted by name)."""

    period: Period
    missing: tuple[str, ...]


def next_goals(goals: pd.DataFrame, roster: pd.DataFrame, ctx: RunContext) -> NextGoals | None:
    """The reps without goals for the next period, in its notice window; None outside it
    or when every rep has goals."""
    kind = "month" if ctx.ranked.kind == "week" else ctx.ranked.kind
    current = ctx.period(kind)
    if ctx.as_of < current.end - timedelta(days=NOTICE_DAYS - 1):
        return None
    following = current_period(kind, current.end + timedelta(days=1),
                               ctx.calendar.fiscal_year_start)  # fmt: skip
    labels = {period.label for period in _within(following)}
    reps_goals = goals[goals["level"] == "rep"] if not goals.empty else goals
    covered = set(reps_goals[reps_goals["period"].isin(labels)]["scope"]) if labels else set()
    missing = tuple(sorted((rep for rep in _reps(roster, reps_goals) if rep not in covered),
                           key=lambda r: (r.casefold(), r)))  # fmt: skip
    return NextGoals(following, missing) if missing else None


def _within(period: Period) -> list[Period]:
    """The period and everything it is made of, down to months."""
    parts = components(period) or ()
    return [period, *(inner for part in parts for inner in _within(part))]


def _reps(roster: pd.DataFrame, goals: pd.DataFrame) -> set[str]:
    if not roster.empty:
        return {str(rep) for rep, active in zip(roster["rep"], roster["active"], strict=True)
                if active}  # fmt: skip
    return {str(scope) for scope in goals["scope"]} if not goals.empty else set()
