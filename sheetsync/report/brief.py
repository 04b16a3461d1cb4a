"""The Meeting brief tab (pure): an agenda for the team meeting, on one screen.

Built from tables the pipeline already has (Rep KPIs, Ranking, Trends, goal coverage and data
issues); it computes nothing new but differences (gap to expected, change since the last
snapshot), so every number in it is a number of Rep KPIs (or of the snapshot it is compared
with). After the title, eight sections, each a bold heading row that doubles as the column
headers of its table, with a blank row between sections:

1. headline: the total, month / quarter / year, the weighted KPIs; 2. top performers and most
improved; 3. reps behind or at risk; 4. team goals at risk; 5. change since the last snapshot
and the pace at the same point of the previous period; 6. goal coverage gaps; 7. data issues
by tab; 8. suggested discussion points from numbered rules.

Every list is capped (`CAPS`; a list longer than its cap ends with "... and N more: see <tab>"),
so the tab never grows past `MAX_ROWS` rows and 7 columns whatever the team's size. An empty
section says so in one line. The findings the sections read (and `CAPS`) live in `brief_facts`,
the phrases in `brief_text.MESSAGES`; docs/brief.md describes the sections, where each number
comes from and the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from sheetsync.config.values import Config, KpiDef
from sheetsync.kpi.trends import Trends
from sheetsync.periods import Period
from sheetsync.report.brief_facts import (
    BEHIND,
    CAPS,
    TEAM_PERIODS,
    BriefFacts,
    Record,
    error_count,
)
from sheetsync.report.brief_text import (
    PERCENT,
    gap_text,
    message,
    number,
    percent,
    plural,
    projected_text,
    shown,
)
from sheetsync.report.plan import Cell, value
from sheetsync.sync.issues import Issue
from sheetsync.sync.stage import rep_tabs

__all__ = ["CAPS", "MAX_ROWS", "PACE_DROP", "BriefInput", "brief_rows"]

Row = tuple[Cell, ...]

MAX_ROWS = (
    1 + 1 + 3 * CAPS["headline_kpis"]  # title, headline heading, KPIs x 3 periods
    + 7 * 2  # a blank row and a heading for each of the other seven sections
    + CAPS["top"] + 1 + CAPS["behind"] + CAPS["goals"] + CAPS["change"] + 1
    + CAPS["coverage"] + CAPS["data"] + CAPS["points"]
)  # fmt: skip
"""The most rows the brief can have (50): the +1s are the most-improved and same-point lines."""

PACE_DROP = 0.10
"""Rule 4: the total's pace fell by more than this since the same point of the last period."""
MIN_POINTS = 3


@dataclass(frozen=True)
class BriefInput:
    """What the brief reads; all of it is computed by the sync and kpi stages."""

    config: Config
    as_of: date
    periods: tuple[Period, ...]
    """The current week, month, quarter and year (`periods.current_periods`)."""
    rep_kpis: pd.DataFrame
    """The Rep KPIs table (`kpi.evaluate`), columns `REP_KPI_COLUMNS`."""
    ranking: pd.DataFrame
    """`kpi.ranking.rank`'s table; `movement` filled when History had an earlier snapshot."""
    trends: Trends
    coverage: Sequence[Issue]
    data_issues: Sequence[Issue]


def brief_rows(data: BriefInput) -> tuple[Row, ...]:
    """The title, then the eight sections with a blank row between them (same input, same
    rows: every list has a full sort order)."""
    brief = _Brief(data)
    sections = (
        brief.headline(), brief.performers(), brief.behind(), brief.goals_at_risk(),
        brief.changes(), brief.coverage(), brief.data_issues(), brief.discussion(),
    )  # fmt: skip
    rows: list[Row] = [(Cell(message("title", day=data.as_of.isoformat()), bold=True),)]
    for index, section in enumerate(sections):
        rows += [(), *section] if index else section
    return tuple(rows)


def _heading(title: str, *columns: str) -> Row:
    return (Cell(title, bold=True), *(Cell(message(f"col.{c}"), bold=True) for c in columns))


def _line(text: str) -> list[Row]:
    return [(Cell(text),)]


def _capped(rows: Sequence[Row], cap: int, tab: str, empty: str) -> list[Row]:
    """The rows, cut to `cap` with a "... and N more: see <tab>" line; `empty` when none."""
    if not rows:
        return _line(empty)
    if len(rows) <= cap:
        return list(rows)
    return [*rows[: cap - 1], *_line(message("more", count=len(rows) - cap + 1, tab=tab))]


def _listed(texts: Sequence[str], separator: str) -> str:
    """Texts joined, the first CAPS["in_text"] of them, then "and N more"."""
    cap = CAPS["in_text"]
    more = [message("list.more", count=len(texts) - cap)] if len(texts) > cap else []
    return message(separator).join([*texts[:cap], *more])


def _measures(kpi: KpiDef, record: Record, *names: str) -> list[Cell]:
    """Numbers of a Rep KPIs row as they are there: the KPI's format, percent for rates."""
    return [Cell(value(record[n]), PERCENT if n in ("attainment", "pace") else kpi.number_format)
            for n in names]  # fmt: skip


class _Brief(BriefFacts):
    """The sections and discussion points, built from the findings of `BriefFacts`."""

    def __init__(self, data: BriefInput) -> None:
        super().__init__(data)
        self.when = message(f"when.{self.kind}")

    def tab(self, key: str) -> str:
        return self.config.output.title(key) or message(f"tab.{key}")

    # -- sections ---------------------------------------------------------------------------

    def headline(self) -> list[Row]:
        total = self.config.total_label
        kpis = self.headline_kpis
        if not kpis:
            return [_heading(message("headline.heading", total=total)),
                    *_line(message("headline.empty", tab=self.config.goals.tab))]  # fmt: skip
        title = message("headline.heading", total=total)
        if len(self.focus) > len(kpis):
            title = message("headline.heading_cut", total=total, shown=len(kpis),
                            count=len(self.focus), tab=self.tab("rep_kpis"))  # fmt: skip
        rows = [_heading(title, "actual", "target", "attainment", "pace", "status", "projection")]
        for kind in TEAM_PERIODS:
            for kpi in kpis if kind in self.periods else ():
                record = self.totals.get((self.periods[kind].label, kpi.key))
                if record is not None:
                    name = Cell(message("headline.row", kpi=kpi.label, period=record["period"]))
                    rows.append((name, *_measures(kpi, record, "actual", "target", "attainment",
                                 "pace"), Cell(value(record["status"])),
                                 *_measures(kpi, record, "projection")))  # fmt: skip
        return rows

    def performers(self) -> list[Row]:
        rows = [_heading(message("top.heading", when=self.when), "rep", "team", "score",
                         "movement")]  # fmt: skip
        top = [(Cell(value(r["rank"]), "0"), Cell(value(r["rep"])), Cell(value(r["team"])),
                Cell(value(r["score"]), self.score_format), Cell(value(r["movement"])))
               for r in self.top]  # fmt: skip
        rows += _capped(top, CAPS["top"], self.tab("ranking"), message("top.empty", when=self.when))
        day = self.data.trends.last_day
        if day is not None:
            names = message("names.separator").join(
                message("improved.name", rep=r["rep"], movement=r["movement"])
                for _, r in self.risers[: CAPS["improved"]]
            )
            key = "improved.line" if names else "improved.empty"
            rows += _line(message(key, day=day.isoformat(), names=names))
        return rows

    def behind(self) -> list[Row]:
        heading = _heading(message("behind.heading", when=self.when), "team", "status",
                           "lowest_pace", "behind_on")  # fmt: skip
        rows = [(Cell(r.rep), Cell(r.team), Cell(r.status), Cell(r.lags[0].pace, PERCENT),
                 Cell(_listed([gap_text(g.kpi, g.record) for g in r.lags], "list.separator")))
                for r in self.rep_lags]  # fmt: skip
        empty = message("behind.empty", when=self.when)
        return [heading, *_capped(rows, CAPS["behind"], self.tab("rep_kpis"), empty)]

    def goals_at_risk(self) -> list[Row]:
        heading = _heading(message("goals.heading"), "kpi", "period", "attainment", "pace",
                           "status", "projected")  # fmt: skip
        rows = [(Cell(value(g.record["name"])), Cell(g.kpi.label), Cell(g.record["period"]),
                 *_measures(g.kpi, g.record, "attainment", "pace"),
                 Cell(value(g.record["status"])), Cell(projected_text(g.kpi, g.record)))
                for g in self.goal_lags]  # fmt: skip
        empty = message("goals.empty")
        return [heading, *_capped(rows, CAPS["goals"], self.tab("rep_kpis"), empty)]

    def changes(self) -> list[Row]:
        trends = self.data.trends
        if trends.last_day is None:
            rows = [_heading(message("change.heading_none")), *_line(message("change.none"))]
        else:
            day = trends.last_day.isoformat()
            rows = [_heading(message("change.heading", day=day, source=_source(trends.source)),
                             "kpi", "then", "now", "change", "pace_then", "pace_now")]  # fmt: skip
            rows += _capped(self._change_rows(), CAPS["change"], self.tab("history"),
                            message("change.empty", day=day))  # fmt: skip
        day, source, pairs = self.same_point
        if pairs:
            texts = [message("same_point.pair", kpi=kpi.label, now=percent(now), then=percent(was))
                     for kpi, now, was in pairs]  # fmt: skip
            rows += _line(message("same_point.line", total=self.config.total_label,
                                  when=self.when, last=message(f"last.{self.kind}"),
                                  day=day, source=_source(source),
                                  pairs=message("list.separator").join(texts)))  # fmt: skip
        return rows

    def _change_rows(self) -> list[Row]:
        """The total, then each team: the focus KPIs of the ranking period, then and now."""
        label = self.ranked.label if self.ranked else None
        before = {(r["level"], r["name"], r["kpi"]): r for r in
                  self.data.trends.change.to_dict("records") if r["period"] == label}  # fmt: skip
        focus = {kpi.key: kpi for kpi in self.focus}
        records = sorted((r for r in self.records if r["period"] == label
                          and r["level"] in ("total", "team") and r["kpi"] in focus),
                         key=lambda r: (self.scope_order(r), self.order(r["kpi"])))  # fmt: skip
        rows: list[Row] = []
        for record in records:
            then = before.get((record["level"], record["name"], record["kpi"]))
            kpi = focus[record["kpi"]]
            if then is None:
                continue
            now, was = number(record["actual"]), number(then["actual_then"])
            change = None if now is None or was is None else now - was
            rows.append((Cell(value(record["name"])), Cell(kpi.label),
                         Cell(value(then["actual_then"]), kpi.number_format),
                         *_measures(kpi, record, "actual"), Cell(change, kpi.number_format),
                         Cell(value(then["pace_then"]), PERCENT),
                         *_measures(kpi, record, "pace")))  # fmt: skip
        return rows

    def coverage(self) -> list[Row]:
        rows = [(Cell(_where(i)), Cell(i.problem)) for i in self.data.coverage]
        return [_heading(message("coverage.heading"), "problem"),
                *_capped(rows, CAPS["coverage"], self.tab("data_issues"),
                         message("coverage.empty"))]  # fmt: skip

    def data_issues(self) -> list[Row]:
        rows = []
        for tab, issues in self.issue_tabs:
            cells = message("names.separator").join([i.cell for i in issues if i.cell][:2])
            errors = error_count(issues)
            rows.append((Cell(tab), Cell(errors, "0"), Cell(len(issues) - errors, "0"),
                         Cell(cells), Cell(issues[0].problem)))  # fmt: skip
        return [
            _heading(message("data.heading"), "errors", "warnings", "cells", "first_problem"),
            *_capped(rows, CAPS["data"], self.tab("data_issues"), message("data.empty")),
        ]

    def discussion(self) -> list[Row]:
        rows = [_line(message("points.item", number=n, text=text))[0]
                for n, text in enumerate(self.points(), 1)]  # fmt: skip
        return [_heading(message("points.heading")), *(rows or _line(message("points.empty")))]

    # -- discussion points: the rules of docs/brief.md ----------------------------------------

    def points(self) -> list[str]:
        """Rules 1 to 6 in priority order, then rule 2's other reps, at most CAPS["points"];
        rule 7 (review the headline KPIs) only fills up to MIN_POINTS."""
        coaching = self.rule_coaching()
        ranked = (self.rule_team_goal(), coaching[:1], self.rule_recognition(),
                  self.rule_pace_drop(), self.rule_data(), self.rule_coverage(),
                  coaching[1:])  # fmt: skip
        points = [text for texts in ranked for text in texts][: CAPS["points"]]
        return points + self.rule_review()[: max(0, MIN_POINTS - len(points))]

    def rule_team_goal(self) -> list[str]:
        """1. The total or team KPI furthest behind expected in the ranking period."""
        label = self.ranked.label if self.ranked else None
        return [message("rule.team_goal", scope=g.record["name"], kpi=g.kpi.label,
                        when=self.when, pace=percent(g.pace),
                        projected=projected_text(g.kpi, g.record))
                for g in self.goal_lags if g.record["period"] == label][:1]  # fmt: skip

    def rule_coaching(self) -> list[str]:
        """2. Each rep Behind on two or more weighted KPIs, worst first."""
        focus = {kpi.key for kpi in self.focus}
        points = []
        for rep in self.rep_lags:
            behind = [g for g in rep.lags if g.kpi.key in focus and g.record["status"] == BEHIND]
            if len(behind) >= 2:
                kpis = _listed([g.kpi.label for g in behind], "names.separator")
                points.append(message("rule.coaching", rep=rep.rep, kpis=kpis, when=self.when,
                                      pace=percent(behind[0].pace)))  # fmt: skip
        return points

    def rule_recognition(self) -> list[str]:
        """3. The most improved rep; without a snapshot or a riser, the rep ranked first."""
        day = self.data.trends.last_day
        if day is not None and self.risers:
            places, record = self.risers[0]
            return [message("rule.improved", rep=record["rep"], places=plural(places, "place"),
                            day=day.isoformat(), rank=shown(record["rank"], "0"))]  # fmt: skip
        return [message("rule.leader", rep=r["rep"], when=self.when,
                        score=shown(r["score"], self.score_format))
                for r in self.top[:1]]  # fmt: skip

    def rule_pace_drop(self) -> list[str]:
        """4. The total's pace fell by more than PACE_DROP against the same point of the last
        period: the headline KPI with the largest fall."""
        drops = [(was - now, kpi, now, was) for kpi, now, was in self.same_point[2]
                 if was - now > PACE_DROP + 1e-9]  # fmt: skip
        drops.sort(key=lambda d: -d[0])  # stable: equal falls keep config order
        return [message("rule.pace_drop", total=self.config.total_label, kpi=kpi.label,
                        when=self.when, now=percent(now), then=percent(was),
                        last=message(f"last.{self.kind}"))
                for _, kpi, now, was in drops[:1]]  # fmt: skip

    def rule_data(self) -> list[str]:
        """5. The tab with the most data issues (most errors first); its rep when it is a rep's
        activity tab."""
        for tab, issues in self.issue_tabs[:1]:
            errors, warnings = error_count(issues), len(issues) - error_count(issues)
            counts = message("names.separator").join(
                plural(n, key) for n, key in ((errors, "error"), (warnings, "warning")) if n
            )
            owner = rep_tabs([tab], self.config).get(tab)
            return [message("rule.data_owner" if owner else "rule.data", owner=owner, tab=tab,
                            issues=plural(len(issues), "issue"), counts=counts)]  # fmt: skip
        return []

    def rule_coverage(self) -> list[str]:
        """6. The first goal coverage gap, and how many more there are."""
        gaps = self.data.coverage
        if len(gaps) > 1:
            return [message("rule.coverage_more", problem=gaps[0].problem, count=len(gaps) - 1,
                            tab=self.tab("data_issues"))]  # fmt: skip
        return [message("rule.coverage", problem=gap.problem) for gap in gaps]

    def rule_review(self) -> list[str]:
        """7. (fill-in) Each headline KPI of the total with a status in the ranking period."""
        records = [(kpi, self.current(kpi)) for kpi in self.headline_kpis]
        return [message("rule.review", total=self.config.total_label, kpi=kpi.label,
                        when=self.when, status=r["status"], attainment=percent(r["attainment"]),
                        projected=projected_text(kpi, r))
                for kpi, r in records if r is not None and value(r["status"])]  # fmt: skip


def _source(source: str | None) -> str:
    return message(f"source.{source}") if source in ("history", "activity") else str(source or "")


def _where(issue: Issue) -> str:
    return f"{issue.tab}!{issue.cell}" if issue.cell else issue.tab
