"""The Meeting brief tab (pure): an agenda for the team meeting, on one screen.

Built from tables the pipeline already has (Rep KPIs, Ranking, Trends, goal coverage and data
issues); it computes nothing new but differences (gap to expected, change since the last
snapshot), so every number in it is a number of Rep KPIs (or of the snapshot it is compared
with) or a pace then and now of an action's KPI. After the title, nine sections, each a bold
heading row that doubles as the column headers of its table, with a blank row between sections:

1. headline: the total, month / quarter / year, the weighted KPIs; 2. actions from earlier
meetings (`brief_actions`); 3. top performers and most improved; 4. reps behind or at risk;
5. team goals at risk; 6. change since the last snapshot and the pace at the same point of the
previous period; 7. goal coverage gaps, and next period's missing goals; 8. data issues by tab;
9. suggested discussion points from numbered rules, overdue actions first.

Every list is capped (`CAPS`; a list longer than its cap ends with "... and N more: see <tab>"),
so the tab never grows past `MAX_ROWS` rows and 7 columns whatever the team's size. An empty
section says so in one line. Its input (`BriefInput`), the findings the sections read and `CAPS`
live in `brief_facts`, the phrases in the output language's catalog (`sheetsync.i18n`);
docs/brief.md describes the sections, where each number comes from and the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sheetsync.config.values import KpiDef
from sheetsync.i18n import Language
from sheetsync.issues import Issue
from sheetsync.kpi.evaluate import BEHIND
from sheetsync.plan import Cell, value
from sheetsync.report.brief_actions import action_rows, next_goals_line, overdue_points
from sheetsync.report.brief_facts import (
    CAPS,
    TEAM_PERIODS,
    BriefFacts,
    BriefInput,
    Record,
    error_count,
)
from sheetsync.report.brief_text import PERCENT, gap_text, number, percent, projected_text, shown
from sheetsync.sync.stage import rep_tabs

__all__ = ["CAPS", "MAX_ROWS", "PACE_DROP", "brief_rows"]

Row = tuple[Cell, ...]

MAX_ROWS = (
    1 + 1 + 3 * CAPS["headline_kpis"]  # title, headline heading, KPIs x 3 periods
    + 8 * 2  # a blank row and a heading for each of the other eight sections
    + CAPS["actions"] + CAPS["top"] + 1 + CAPS["behind"] + CAPS["goals"] + CAPS["change"] + 1
    + CAPS["coverage"] + 1 + CAPS["data"] + CAPS["points"]
)  # fmt: skip
"""The most rows the brief can have (57): the +1s are the most-improved, same-point and next
period's goals lines."""

PACE_DROP = 0.10
"""Rule 4: the total's pace fell by more than this since the same point of the last period."""
MIN_POINTS = 3


def brief_rows(data: BriefInput) -> tuple[Row, ...]:
    """The title, then the nine sections with a blank row between them (same input, same
    rows: every list has a full sort order)."""
    brief = _Brief(data)
    lang = brief.lang
    sections = (
        brief.headline(), brief.followed_actions(), brief.performers(), brief.behind(),
        brief.goals_at_risk(), brief.changes(), brief.coverage(), brief.data_issues(),
        brief.discussion(),
    )  # fmt: skip
    day = lang.date(data.context.as_of)
    rows: list[Row] = [(Cell(lang.text("brief.title", day=day), bold=True),)]
    for index, section in enumerate(filter(None, sections)):
        rows += [(), *section] if index else section
    return tuple(rows)


def _line(text: str) -> list[Row]:
    return [(Cell(text),)]


def _measures(kpi: KpiDef, record: Record, *names: str) -> list[Cell]:
    """Numbers of a Rep KPIs row as they are there: the KPI's format, percent for rates."""
    return [Cell(value(record[n]), PERCENT if n in ("attainment", "pace") else kpi.number_format)
            for n in names]  # fmt: skip


class _Brief(BriefFacts):
    """The sections and discussion points, built from the findings of `BriefFacts`."""

    def __init__(self, data: BriefInput) -> None:
        super().__init__(data)
        self.lang: Language = data.context.lang
        self.when = self.lang.text(f"when.{self.kind}")

    def tab(self, key: str) -> str:
        return self.config.output.title(key) or self.lang.tab(key)

    @property
    def actions_tab(self) -> str:
        return self.config.actions.tab or self.say("actions.tab")

    # -- wording ----------------------------------------------------------------------------

    def say(self, key: str, **fields: object) -> str:
        return self.lang.text(key, **fields)

    def heading(self, title: str, *columns: str) -> Row:
        names = (Cell(self.say(f"col.{c}"), bold=True) for c in columns)
        return (Cell(title, bold=True), *names)

    def capped(self, rows: Sequence[Row], cap: int, tab: str, empty: str) -> list[Row]:
        """The rows, cut to `cap` with a "... and N more: see <tab>" line; `empty` when none."""
        if not rows:
            return _line(empty)
        if len(rows) <= cap:
            return list(rows)
        more = self.say("brief.more", count=self.lang.number(len(rows) - cap + 1), tab=tab)
        return [*rows[: cap - 1], *_line(more)]

    def listed(self, texts: Sequence[str], separator: str) -> str:
        """Texts joined, the first CAPS["in_text"] of them, then "and N more"."""
        cap = CAPS["in_text"]
        more = [self.say("list.more", count=len(texts) - cap)] if len(texts) > cap else []
        return self.say(separator).join([*texts[:cap], *more])

    def status(self, raw: object) -> Cell:
        """A status cell in the output language (empty for a blank)."""
        return Cell(self.lang.status(value(raw)) or None)

    def movement(self, raw: object) -> Cell:
        """A ranking movement cell ("up 2") in the output language (empty for a blank)."""
        return Cell(self.lang.movement(value(raw)) or None)

    def day(self, day: date) -> str:
        return self.lang.date(day)

    def percent(self, raw: object) -> str:
        return percent(raw, self.lang)

    def source(self, source: str | None) -> str:
        """Where the snapshot compared with came from, in words."""
        if source in ("history", "activity"):
            return self.say(f"source.{source}")
        return str(source or "")

    # -- sections ---------------------------------------------------------------------------

    def headline(self) -> list[Row]:
        total = self.config.total_label
        kpis = self.headline_kpis
        if not kpis:
            return [self.heading(self.say("headline.heading", total=total)),
                    *_line(self.say("headline.empty", tab=self.config.goals.tab))]  # fmt: skip
        title = self.say("headline.heading", total=total)
        if len(self.focus) > len(kpis):
            title = self.say("headline.heading_cut", total=total, shown=len(kpis),
                             count=len(self.focus), tab=self.tab("rep_kpis"))  # fmt: skip
        columns = ("actual", "target", "attainment", "pace", "status", "projection")
        rows = [self.heading(title, *columns)]
        for kind in TEAM_PERIODS:
            for kpi in kpis if kind in self.periods else ():
                record = self.totals.get((self.periods[kind].label, kpi.key))
                if record is not None:
                    name = Cell(self.say("headline.row", kpi=kpi.label, period=record["period"]))
                    rows.append((name, *_measures(kpi, record, "actual", "target", "attainment",
                                 "pace"), self.status(record["status"]),
                                 *_measures(kpi, record, "projection")))  # fmt: skip
        return rows

    def performers(self) -> list[Row]:
        title = self.say("top.heading", when=self.when)
        rows = [self.heading(title, "rep", "team", "score", "movement")]
        top = [(Cell(value(r["rank"]), "0"), Cell(value(r["rep"])), Cell(value(r["team"])),
                Cell(value(r["score"]), self.score_format), self.movement(r["movement"]))
               for r in self.top]  # fmt: skip
        empty = self.say("top.empty", when=self.when)
        rows += self.capped(top, CAPS["top"], self.tab("ranking"), empty)
        day = self.data.trends.last_day
        if day is not None:
            risers = self.risers[: CAPS["improved"]]
            names = self.say("names.separator").join(
                self.say("improved.name", rep=r["rep"], movement=self.lang.movement(r["movement"]))
                for _, r in risers
            )
            key = "improved.line" if names else "improved.empty"
            rows += _line(self.say(key, day=self.day(day), names=names))
        return rows

    def behind(self) -> list[Row]:
        title = self.say("behind.heading", when=self.when)
        heading = self.heading(title, "team", "status", "lowest_pace", "behind_on")
        rows = [(Cell(r.rep), Cell(r.team), self.status(r.status), Cell(r.lags[0].pace, PERCENT),
                 Cell(self.listed([gap_text(g.kpi, g.record, self.lang) for g in r.lags],
                                  "list.separator")))
                for r in self.rep_lags]  # fmt: skip
        empty = self.say("behind.empty", when=self.when)
        return [heading, *self.capped(rows, CAPS["behind"], self.tab("rep_kpis"), empty)]

    def goals_at_risk(self) -> list[Row]:
        heading = self.heading(self.say("goals.heading"), "kpi", "period", "attainment", "pace",
                               "status", "projected")  # fmt: skip
        rows = [(Cell(value(g.record["name"])), Cell(g.kpi.label), Cell(g.record["period"]),
                 *_measures(g.kpi, g.record, "attainment", "pace"),
                 self.status(g.record["status"]), Cell(projected_text(g.kpi, g.record, self.lang)))
                for g in self.goal_lags]  # fmt: skip
        empty = self.say("goals.empty")
        return [heading, *self.capped(rows, CAPS["goals"], self.tab("rep_kpis"), empty)]

    def changes(self) -> list[Row]:
        trends = self.data.trends
        if trends.last_day is None:
            rows = [self.heading(self.say("change.heading_none")), *_line(self.say("change.none"))]
        else:
            day = self.day(trends.last_day)
            title = self.say("change.heading", day=day, source=self.source(trends.source))
            rows = [self.heading(title, "kpi", "then", "now", "change", "pace_then", "pace_now")]
            rows += self.capped(self._change_rows(), CAPS["change"], self.tab("history"),
                                self.say("change.empty", day=day))  # fmt: skip
        point, source, pairs = self.same_point
        if point is not None and pairs:
            texts = [self.say("same_point.pair", kpi=kpi.label, now=self.percent(now),
                              then=self.percent(was)) for kpi, now, was in pairs]  # fmt: skip
            rows += _line(self.say("same_point.line", total=self.config.total_label,
                                   when=self.when, last=self.say(f"last.{self.kind}"),
                                   day=self.day(point), source=self.source(source),
                                   pairs=self.say("list.separator").join(texts)))  # fmt: skip
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
            change = None if now is None or was is None else number(now - was)  # finite or blank
            rows.append((Cell(value(record["name"])), Cell(kpi.label),
                         Cell(value(then["actual_then"]), kpi.number_format),
                         *_measures(kpi, record, "actual"), Cell(change, kpi.number_format),
                         Cell(value(then["pace_then"]), PERCENT),
                         *_measures(kpi, record, "pace")))  # fmt: skip
        return rows

    def followed_actions(self) -> list[Row]:
        """Open actions (overdue first), then done since the last snapshot (brief_actions)."""
        if self.data.actions is None:
            return []
        rows = action_rows(self.data.actions, self)
        heading = self.heading(self.say("actions.heading"), "scope", "owner", "due", "state",
                               "agreed", "kpi_pace")  # fmt: skip
        empty = self.say("actions.empty")
        return [heading, *self.capped(rows, CAPS["actions"], self.actions_tab, empty)]

    def coverage(self) -> list[Row]:
        rows = [(Cell(_where(i)), Cell(i.problem)) for i in self.data.coverage]
        upcoming = [(Cell(text),) for text in next_goals_line(self.data.next_goals, self)]
        return [self.heading(self.say("coverage.heading"), "problem"),
                *self.capped(rows, CAPS["coverage"], self.tab("data_issues"),
                             self.say("coverage.empty")), *upcoming]  # fmt: skip

    def data_issues(self) -> list[Row]:
        rows = []
        for tab, issues in self.issue_tabs:
            cells = self.say("names.separator").join([i.cell for i in issues if i.cell][:2])
            errors = error_count(issues)
            rows.append((Cell(tab), Cell(errors, "0"), Cell(len(issues) - errors, "0"),
                         Cell(cells), Cell(issues[0].problem)))  # fmt: skip
        return [
            self.heading(self.say("data.heading"), "errors", "warnings", "cells", "first_problem"),
            *self.capped(rows, CAPS["data"], self.tab("data_issues"), self.say("data.empty")),
        ]

    def discussion(self) -> list[Row]:
        rows = [_line(self.say("points.item", number=n, text=text))[0]
                for n, text in enumerate(self.points(), 1)]  # fmt: skip
        empty = _line(self.say("points.empty"))
        return [self.heading(self.say("points.heading")), *(rows or empty)]

    # -- discussion points: the rules of docs/brief.md ----------------------------------------

    def points(self) -> list[str]:
        """Overdue actions, rules 1 to 6 in priority order, rule 2's other reps, at most
        CAPS["points"]; rule 7 (review the headline KPIs) only fills up to MIN_POINTS."""
        coaching = self.rule_coaching()
        overdue = overdue_points(self.data.actions or (), self, self.actions_tab)
        ranked = (overdue, self.rule_team_goal(), coaching[:1], self.rule_recognition(),
                  self.rule_pace_drop(), self.rule_data(), self.rule_coverage(),
                  coaching[1:])  # fmt: skip
        points = [text for texts in ranked for text in texts][: CAPS["points"]]
        return points + self.rule_review()[: max(0, MIN_POINTS - len(points))]

    def rule_team_goal(self) -> list[str]:
        """1. The total or team KPI furthest behind expected in the ranking period."""
        label = self.ranked.label if self.ranked else None
        return [self.say("rule.team_goal", scope=g.record["name"], kpi=g.kpi.label,
                         when=self.when, pace=self.percent(g.pace),
                         projected=projected_text(g.kpi, g.record, self.lang))
                for g in self.goal_lags if g.record["period"] == label][:1]  # fmt: skip

    def rule_coaching(self) -> list[str]:
        """2. Each rep Behind on two or more weighted KPIs, worst first."""
        focus = {kpi.key for kpi in self.focus}
        points = []
        for rep in self.rep_lags:
            behind = [g for g in rep.lags if g.kpi.key in focus and g.record["status"] == BEHIND]
            if len(behind) >= 2:
                kpis = self.listed([g.kpi.label for g in behind], "names.separator")
                points.append(self.say("rule.coaching", rep=rep.rep, kpis=kpis, when=self.when,
                                       pace=self.percent(behind[0].pace)))  # fmt: skip
        return points

    def rule_recognition(self) -> list[str]:
        """3. The most improved rep; without a snapshot or a riser, the rep ranked first."""
        day = self.data.trends.last_day
        if day is not None and self.risers:
            places, record = self.risers[0]
            return [self.say("rule.improved", rep=record["rep"],
                             places=self.lang.plural(places, "place"), day=self.day(day),
                             rank=shown(record["rank"], "0", self.lang))]  # fmt: skip
        return [self.say("rule.leader", rep=r["rep"], when=self.when,
                         score=shown(r["score"], self.score_format, self.lang))
                for r in self.top[:1]]  # fmt: skip

    def rule_pace_drop(self) -> list[str]:
        """4. The total's pace fell by more than PACE_DROP against the same point of the last
        period: the headline KPI with the largest fall."""
        drops = [(was - now, kpi, now, was) for kpi, now, was in self.same_point[2]
                 if was - now > PACE_DROP + 1e-9]  # fmt: skip
        drops.sort(key=lambda d: -d[0])  # stable: equal falls keep config order
        return [self.say("rule.pace_drop", total=self.config.total_label, kpi=kpi.label,
                         when=self.when, now=self.percent(now), then=self.percent(was),
                         last=self.say(f"last.{self.kind}"))
                for _, kpi, now, was in drops[:1]]  # fmt: skip

    def rule_data(self) -> list[str]:
        """5. The tab with the most data issues (most errors first); its rep when it is a rep's
        activity tab."""
        for tab, issues in self.issue_tabs[:1]:
            errors, warnings = error_count(issues), len(issues) - error_count(issues)
            counts = self.say("names.separator").join(
                self.lang.plural(n, key)
                for n, key in ((errors, "error"), (warnings, "warning"))
                if n
            )
            owner = rep_tabs([tab], self.config).get(tab)
            issues_text = self.lang.plural(len(issues), "issue")
            return [self.say("rule.data_owner" if owner else "rule.data", owner=owner, tab=tab,
                             issues=issues_text, counts=counts)]  # fmt: skip
        return []

    def rule_coverage(self) -> list[str]:
        """6. The first goal coverage gap, and how many more there are."""
        gaps = self.data.coverage
        if len(gaps) > 1:
            return [self.say("rule.coverage_more", problem=gaps[0].problem, count=len(gaps) - 1,
                             tab=self.tab("data_issues"))]  # fmt: skip
        return [self.say("rule.coverage", problem=gap.problem) for gap in gaps]

    def rule_review(self) -> list[str]:
        """7. (fill-in) Each headline KPI of the total with a status in the ranking period."""
        records = [(kpi, self.current(kpi)) for kpi in self.headline_kpis]
        return [self.say("rule.review", total=self.config.total_label, kpi=kpi.label,
                         when=self.when, status=self.lang.status(r["status"]),
                         attainment=self.percent(r["attainment"]),
                         projected=projected_text(kpi, r, self.lang))
                for kpi, r in records if r is not None and value(r["status"])]  # fmt: skip


def _where(issue: Issue) -> str:
    return f"{issue.tab}!{issue.cell}" if issue.cell else issue.tab
