"""The actions of earlier meetings in the e-mails (pure): the lines of `team_digest.*` and
`scorecard.*`.

- The team digest lists every open action, overdue first (done ones are the meeting's
  business: the brief shows them).
- A rep's scorecard lists only that rep's own open actions: those agreed for the rep, or owned
  by the rep. Their team's actions are left out: they belong to the team's manager, who gets
  the digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sheetsync.config.values import Config
from sheetsync.i18n import Language
from sheetsync.kpi.actions import FollowUp
from sheetsync.report.brief_actions import pace_text

__all__ = ["ActionLine", "action_lines"]


@dataclass(frozen=True)
class ActionLine:
    """One open action: `state` in words (Overdue, Open), the rest as shown in the brief."""

    state: str
    overdue: bool
    action: str
    scope: str
    owner: str
    due: str
    pace: str


@dataclass(frozen=True)
class _Words:
    lang: Language
    config: Config

    def say(self, key: str, **fields: object) -> str:
        return self.lang.text(key, **fields)


def action_lines(
    config: Config, follows: Sequence[FollowUp] | None, lang: Language, rep: str | None = None
) -> tuple[ActionLine, ...]:
    """The open actions (overdue first), only `rep`'s own when a rep is given."""
    words = _Words(lang, config)
    chosen = [f for f in follows or () if f.state != "done" and (rep is None or f.concerns(rep))]
    return tuple(ActionLine(
        state=lang.text(f"action.state.{f.state}"), overdue=f.state == "overdue",
        action=f.action.text, scope=f.action.scope or "-", owner=f.action.owner or "-",
        due=lang.date(f.action.due) if f.action.due else "-", pace=pace_text(f, words),
    ) for f in chosen)  # fmt: skip
