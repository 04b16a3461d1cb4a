"""What a rep's personal scorecard says (pure): the variables of `scorecard.*`.

Only the rep's own rows are read: the Rep KPIs rows at level `rep` with their name, the
trends' change rows with their name, and their own Ranking row. Nothing about anyone else
reaches the template, with one exception a config switch controls: with
`email.reps_see_ranking` the scorecard lists the ranked reps' ranks and names (no scores,
teams, goals or other numbers), beside the rep's own rank, score and movement. Without it,
the scorecard has no ranking at all.

- `periods`: for the current week, month, quarter and year, each KPI the rep has a target
  for: actual, target, attainment, expected, pace, projection and status.
- `trend`: when History holds an earlier snapshot, the rep's actual and pace then and now for
  the same KPIs and periods.
- `actions`: the rep's own open actions of earlier meetings (agreed for them or owned by them;
  not their team's), overdue first (`notify.actions`).

Numbers, dates, statuses and movements are written in the output language (`output.language`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sheetsync.config.values import Config
from sheetsync.i18n import Language
from sheetsync.notify.actions import ActionLine, action_lines
from sheetsync.notify.figures import PeriodTable, Record, period_table, rows_of, score_format, text
from sheetsync.notify.team import PERIOD_ORDER, Link
from sheetsync.report.brief_text import number, percent, shown

if TYPE_CHECKING:
    from sheetsync.pipeline import Report

__all__ = ["NameRank", "OwnRank", "Scorecard", "TrendLine", "scorecard"]


@dataclass(frozen=True)
class TrendLine:
    """A KPI's actual and pace at the last snapshot (`then`) and now."""

    kpi: str
    kind: str
    period: str
    actual_then: str
    actual_now: str
    pace_then: str
    pace_now: str


@dataclass(frozen=True)
class OwnRank:
    """The rep's place in the ranking: `rank` of `ranked` reps, or unranked with `reason`."""

    rank: str
    ranked: str
    score: str
    movement: str
    reason: str


@dataclass(frozen=True)
class NameRank:
    rank: str
    rep: str


@dataclass(frozen=True)
class Scorecard:
    """A scorecard's template variables (see the module doc and docs/email.md)."""

    as_of: str
    rep: str
    team: str
    periods: tuple[PeriodTable, ...]
    trend_day: str
    trend: tuple[TrendLine, ...]
    show_ranking: bool
    ranking_kind: str
    ranking_period: str
    rank: OwnRank | None
    ranking: tuple[NameRank, ...]
    actions: tuple[ActionLine, ...]
    goals_tab: str
    link: Link


def scorecard(config: Config, report: Report, rep: str, team: str, link: Link) -> Scorecard:
    """The scorecard of `rep` (their canonical roster name) from one refresh's report."""
    lang = report.context.lang
    kpis = report.rep_kpis
    own = rows_of(kpis[(kpis["level"] == "rep") & (kpis["name"] == rep)])
    tables = tuple(t for p in report.periods
                   if (t := period_table(p, own, config, lang, targeted=True)).rows)  # fmt: skip
    ranked = report.context.ranked
    show = config.email is not None and config.email.reps_see_ranking
    last = report.trends.last_day
    ranking = rows_of(report.ranking)
    return Scorecard(
        as_of=lang.date(report.as_of), rep=rep, team=team, periods=tables,
        trend_day=lang.date(last) if last else "",
        trend=trend(config, report, rep, tables, lang) if last else (),
        show_ranking=show, ranking_kind=config.ranking.period,
        ranking_period=ranked.label,
        rank=own_rank(config, ranking, rep, lang) if show else None,
        ranking=names_and_ranks(ranking, lang) if show else (),
        goals_tab=config.goals.tab, link=link,
        actions=action_lines(config, report.actions, lang, rep),
    )  # fmt: skip


def trend(
    config: Config, report: Report, rep: str, tables: Sequence[PeriodTable], lang: Language
) -> tuple[TrendLine, ...]:
    """The rep's change rows for the KPIs and periods the scorecard shows."""
    change = report.trends.change
    if change.empty:
        return ()
    mine = rows_of(change[(change["level"] == "rep") & (change["name"] == rep)])
    labels = {kpi.key: kpi for kpi in config.kpis}
    shown_rows = {(t.label, line.key) for t in tables for line in t.rows}
    kinds = {p.label: p.kind for p in report.periods}
    order = {kpi.key: index for index, kpi in enumerate(config.kpis)}
    found = [r for r in mine if r["kpi"] in labels and r["period"] in kinds
             and (r["period"], r["kpi"]) in shown_rows]  # fmt: skip
    found.sort(key=lambda r: (PERIOD_ORDER.index(kinds[r["period"]]), order[r["kpi"]]))
    return tuple(_trend_line(r, labels[r["kpi"]].number_format, labels[r["kpi"]].label,
                             kinds[r["period"]], lang) for r in found)  # fmt: skip


def _trend_line(
    record: Record, number_format: str, label: str, kind: str, lang: Language
) -> TrendLine:
    return TrendLine(
        kpi=label, kind=kind, period=text(record["period"]),
        actual_then=shown(record["actual_then"], number_format, lang),
        actual_now=shown(record["actual_now"], number_format, lang),
        pace_then=percent(record["pace_then"], lang), pace_now=percent(record["pace_now"], lang),
    )  # fmt: skip


def own_rank(config: Config, ranking: Sequence[Record], rep: str, lang: Language) -> OwnRank | None:
    """The rep's own Ranking row (None when the ranking does not list them)."""
    row = next((r for r in ranking if text(r["rep"]) == rep), None)
    if row is None:
        return None
    ranked = sum(1 for r in ranking if number(r["rank"]) is not None)
    return OwnRank(rank=shown(row["rank"], "0", lang), ranked=lang.number(ranked),
                   score=shown(row["score"], score_format(config), lang),
                   movement=lang.movement(text(row["movement"])),
                   reason=text(row["reason"]))  # fmt: skip


def names_and_ranks(ranking: Sequence[Record], lang: Language) -> tuple[NameRank, ...]:
    """The ranked reps' ranks and names only (unranked reps are left out: their reason speaks
    of their goals)."""
    return tuple(NameRank(shown(r["rank"], "0", lang), text(r["rep"]))
                 for r in ranking if number(r["rank"]) is not None)  # fmt: skip
