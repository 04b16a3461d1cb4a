"""What the managers' team digest says (pure): the variables of `team_digest.*`.

- `headline`: the total's rows for the current month, quarter and year (the KPIs with a target
  for the total in that period; when none has one, every KPI's actual).
- `ranking`: the Ranking table (rank, rep, team, score, movement; unranked reps with the reason).
- `behind`: the ranking period's rep rows whose status is Behind or At risk, for the reps the
  ranking lists (the active ones), with the gap to expected; lowest pace first.
- `goals`: team and total rows Behind or At risk in any current period, with the projection;
  lowest pace first.
- `issues`: the data issues counted by tab, and the first few (errors first).
- `actions`: the open actions of earlier meetings, overdue first (`notify.actions`);
  `has_actions`: the workbook has an Actions tab.
- `link`: `email.link`, else the Google spreadsheet's URL, else the workbook's path.

Numbers, dates, statuses, movements and severities are written in the output language
(`output.language`); KPI labels, names and the data issues' own texts are as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sheetsync.config.values import Config, KpiDef
from sheetsync.i18n import Language
from sheetsync.issues import Issue
from sheetsync.kpi.evaluate import AT_RISK, BEHIND
from sheetsync.notify.actions import ActionLine, action_lines
from sheetsync.notify.figures import (
    KpiLine,
    PeriodTable,
    Record,
    gap,
    kpi_line,
    period_table,
    rows_of,
    score_format,
    text,
)
from sheetsync.report.brief_text import number, shown

if TYPE_CHECKING:
    from sheetsync.pipeline import Report

__all__ = [
    "FIRST_ISSUES", "GoalLine", "IssueLine", "IssueTab", "Issues", "LagLine", "Link", "RankLine",
    "TeamDigest", "team_digest",
]  # fmt: skip

FIRST_ISSUES = 5
"""How many data issues the digest lists one by one (all are counted)."""
LAGGING = (BEHIND, AT_RISK)
HEADLINE_KINDS = ("month", "quarter", "year")
PERIOD_ORDER = ("week", "month", "quarter", "year")


@dataclass(frozen=True)
class RankLine:
    rank: str
    rep: str
    team: str
    score: str
    movement: str
    reason: str


@dataclass(frozen=True)
class LagLine:
    """A rep's KPI behind or at risk; `gap` is expected minus actual."""

    rep: str
    team: str
    line: KpiLine
    gap: str


@dataclass(frozen=True)
class GoalLine:
    """A team's or the total's KPI behind or at risk in one period."""

    level: str
    scope: str
    kind: str
    period: str
    line: KpiLine


@dataclass(frozen=True)
class IssueTab:
    tab: str
    errors: int
    warnings: int


@dataclass(frozen=True)
class IssueLine:
    """A data issue as the Data issues tab shows it: the severity in the output language,
    the rest as the sync stage wrote it."""

    severity: str
    tab: str
    cell: str
    problem: str
    value: str
    action: str


@dataclass(frozen=True)
class Issues:
    """The data issues: counts (all, errors, warnings), by tab, and the first few."""

    count: int
    errors: int
    warnings: int
    tabs: tuple[IssueTab, ...]
    first: tuple[IssueLine, ...]

    @property
    def more(self) -> int:
        return self.count - len(self.first)


@dataclass(frozen=True)
class Link:
    """Where the sheet is: `url` for a link (None for a local workbook), `text` to show."""

    url: str | None
    text: str


@dataclass(frozen=True)
class TeamDigest:
    """The team digest's template variables (see the module doc and docs/email.md)."""

    as_of: str
    total: str
    headline: tuple[PeriodTable, ...]
    ranking_kind: str
    ranking_period: str
    ranking: tuple[RankLine, ...]
    behind: tuple[LagLine, ...]
    goals: tuple[GoalLine, ...]
    issues: Issues
    issues_tab: str
    link: Link
    actions: tuple[ActionLine, ...] = ()
    has_actions: bool = False


def team_digest(config: Config, report: Report, link: Link) -> TeamDigest:
    """The team digest's variables from one refresh's report."""
    lang = report.context.lang
    records = rows_of(report.rep_kpis)
    ranked = report.context.ranked
    return TeamDigest(
        as_of=lang.date(report.as_of),
        total=config.total_label,
        headline=headline(config, report, records, lang),
        ranking_kind=config.ranking.period,
        ranking_period=ranked.label,
        ranking=ranking_lines(config, rows_of(report.ranking), lang),
        behind=behind(config, report, records, ranked.label, lang),
        goals=goals_at_risk(config, report, records, lang),
        issues=issue_summary(report.issues, lang),
        issues_tab=config.output.title("data_issues") or lang.tab("data_issues"),
        link=link,
        actions=action_lines(config, report.actions, lang),
        has_actions=report.actions is not None,
    )


def headline(
    config: Config, report: Report, records: Sequence[Record], lang: Language
) -> tuple[PeriodTable, ...]:
    """The total's rows for the month, quarter and year."""
    totals = [r for r in records if r["level"] == "total"]
    tables = []
    for period in (p for p in report.periods if p.kind in HEADLINE_KINDS):
        table = period_table(period, totals, config, lang, targeted=True)
        tables.append(table if table.rows else period_table(period, totals, config, lang,
                                                            targeted=False))  # fmt: skip
    return tuple(tables)


def ranking_lines(
    config: Config, ranking: Sequence[Record], lang: Language
) -> tuple[RankLine, ...]:
    """The Ranking table's rows, the score in its own format."""
    fmt = score_format(config)
    return tuple(RankLine(rank=shown(r["rank"], "0", lang), rep=text(r["rep"]),
                          team=text(r["team"]), score=shown(r["score"], fmt, lang),
                          movement=lang.movement(text(r["movement"])),
                          reason=text(r["reason"])) for r in ranking)  # fmt: skip


def _lagging(record: Record, kpis: dict[str, KpiDef]) -> bool:
    return (record["status"] in LAGGING and number(record["pace"]) is not None
            and str(record["kpi"]) in kpis)  # fmt: skip


def _kpi_order(config: Config) -> dict[str, int]:
    return {kpi.key: index for index, kpi in enumerate(config.kpis)}


def behind(
    config: Config, report: Report, records: Sequence[Record], period: str, lang: Language
) -> tuple[LagLine, ...]:
    """Ranked reps' rows Behind or At risk in the ranking period: lowest pace, then name."""
    kpis, order = {k.key: k for k in config.kpis}, _kpi_order(config)
    listed = {text(rep) for rep in report.ranking["rep"]} if len(report.ranking) else None
    found = [r for r in records if r["level"] == "rep" and r["period"] == period
             and _lagging(r, kpis) and (listed is None or text(r["name"]) in listed)]  # fmt: skip
    found.sort(key=lambda r: (float(r["pace"]), text(r["name"]).casefold(), order[r["kpi"]]))
    return tuple(LagLine(text(r["name"]), text(r["team"]), kpi_line(r, kpis[r["kpi"]], lang),
                         gap(r, kpis[r["kpi"]], lang)) for r in found)  # fmt: skip


def goals_at_risk(
    config: Config, report: Report, records: Sequence[Record], lang: Language
) -> tuple[GoalLine, ...]:
    """Team and total rows Behind or At risk in the current periods: lowest pace first, then
    period (week first), the total before teams, teams by name, KPI order."""
    kpis, order = {k.key: k for k in config.kpis}, _kpi_order(config)
    kinds = {p.label: p.kind for p in report.periods}
    found = [r for r in records if r["level"] in ("team", "total") and r["period"] in kinds
             and _lagging(r, kpis)]  # fmt: skip
    found.sort(key=lambda r: (float(r["pace"]), PERIOD_ORDER.index(kinds[r["period"]]),
                              r["level"] != "total", text(r["name"]).casefold(),
                              order[r["kpi"]]))  # fmt: skip
    return tuple(GoalLine(text(r["level"]), text(r["name"]), kinds[r["period"]], text(r["period"]),
                          kpi_line(r, kpis[r["kpi"]], lang)) for r in found)  # fmt: skip


def issue_summary(issues: Sequence[Issue], lang: Language) -> Issues:
    """Counts by tab (most errors first, then most issues, then the tab's name), and the first
    FIRST_ISSUES issues, errors first, in the order the report lists them (the severity in
    `lang`)."""
    tabs: dict[str, list[Issue]] = {}
    for issue in issues:
        tabs.setdefault(issue.tab, []).append(issue)
    counted = [IssueTab(tab, _errors(found), len(found) - _errors(found))
               for tab, found in tabs.items()]  # fmt: skip
    counted.sort(key=lambda t: (-t.errors, -(t.errors + t.warnings), t.tab.casefold()))
    first = sorted(issues, key=lambda issue: issue.severity != "error")[:FIRST_ISSUES]
    lines = tuple(IssueLine(lang.severity(i.severity), i.tab, i.cell, i.problem, i.value,
                            i.action) for i in first)  # fmt: skip
    errors = _errors(issues)
    return Issues(len(issues), errors, len(issues) - errors, tuple(counted), lines)


def _errors(issues: Sequence[Issue]) -> int:
    return sum(1 for issue in issues if issue.severity == "error")
