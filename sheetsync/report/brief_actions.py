"""The Meeting brief's follow-up of earlier meetings (pure): the section "Actions from earlier
meetings", the discussion points on overdue actions, and the line on next period's goals.

The section lists `kpi.actions.follow_ups`: open actions (overdue first), then those done since
the last snapshot, at most CAPS["actions"] rows. Each row: the action, its rep or team, owner,
due day, state, agreed day, and for an action tied to a KPI that KPI's pace then and now in
plain words ("Revenue pace 74.0% -> 91.0% since 2026-11-02, up 17.0 points").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sheetsync.config.values import Config
from sheetsync.i18n import Language
from sheetsync.kpi.actions import FollowUp
from sheetsync.kpi.next_goals import NextGoals
from sheetsync.plan import Cell
from sheetsync.report.brief_text import percent

__all__ = ["OVERDUE_POINTS", "action_rows", "next_goals_line", "overdue_points", "pace_text"]

Row = tuple[Cell, ...]

OVERDUE_POINTS = 2
"""Discussion points given to overdue actions (the first ones); more are counted in the last."""
STEADY = 0.0005
"""A pace change under this (0.05 points) reads "unchanged"."""


class _Wording(Protocol):
    @property
    def lang(self) -> Language: ...
    @property
    def config(self) -> Config: ...

    def say(self, key: str, **fields: object) -> str: ...


def pace_text(follow: FollowUp, brief: _Wording) -> str:
    """The tied KPI's pace then and now with the movement in words; "" without a KPI."""
    action, lang = follow.action, brief.lang
    if action.kpi is None or action.level is None:
        return ""
    label = next((k.label for k in brief.config.kpis if k.key == action.kpi), action.kpi)
    day = lang.date(action.agreed) if action.agreed else ""
    now, then = follow.pace_now, follow.pace_then
    if now is None:
        return brief.say("action.no_pace", kpi=label)
    if then is None or not day:
        return brief.say("action.pace_now", kpi=label, now=percent(now, lang))
    change = now - then
    move = "up" if change >= STEADY else "down" if change <= -STEADY else "same"
    points = lang.render(abs(change) * 100, "0.0")
    return brief.say(f"action.pace_{move}", kpi=label, then=percent(then, lang),
                     now=percent(now, lang), day=day, points=points)  # fmt: skip


def action_rows(follows: Sequence[FollowUp], brief: _Wording) -> list[Row]:
    """One row per action: action, rep or team, owner, due, state, agreed on, KPI pace (the
    long text last, in the brief's last column, so that it widens no other table's column)."""
    lang = brief.lang
    return [(Cell(f.action.text), Cell(f.action.scope or None), Cell(f.action.owner or None),
             Cell(lang.date(f.action.due) if f.action.due else None),
             Cell(brief.say(f"action.state.{f.state}")),
             Cell(lang.date(f.action.agreed) if f.action.agreed else None),
             Cell(pace_text(f, brief) or None))
            for f in follows]  # fmt: skip


def overdue_points(follows: Sequence[FollowUp], brief: _Wording, tab: str) -> list[str]:
    """The first discussion points: each overdue action, at most OVERDUE_POINTS; past that
    the last point counts the others."""
    overdue = [f.action for f in follows if f.state == "overdue"]
    points = []
    for index, action in enumerate(overdue[:OVERDUE_POINTS]):
        words = {"action": action.text, "scope": action.scope or "-", "owner": action.owner or "-",
                 "day": brief.lang.date(action.due) if action.due else "-"}  # fmt: skip
        more = len(overdue) - OVERDUE_POINTS
        if index == OVERDUE_POINTS - 1 and more > 0:
            points.append(brief.say("rule.overdue_more", count=more, tab=tab, **words))
        else:
            points.append(brief.say("rule.overdue", **words))
    return points


def next_goals_line(upcoming: NextGoals | None, brief: _Wording) -> list[str]:
    """ "Goals for 2027-01 are missing for 3 reps: ..." in a period's last two weeks."""
    if upcoming is None:
        return []
    label = upcoming.period.label
    reps = brief.lang.plural(len(upcoming.missing), "rep_count")
    return [brief.say("next_goals.line", period=label, reps=reps)]
