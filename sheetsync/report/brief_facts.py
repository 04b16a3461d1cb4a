"""What the Meeting brief's sections read (pure): its input, and the findings, each computed once.

`BriefInput` is everything the brief reads (computed by the sync and kpi stages). `BriefFacts` picks
out of it the rows the sections and discussion points talk about: the focus and headline KPIs, the
top performers and the risers, the reps and the team goals behind or at risk (`_RepLag`, `_Lag`),
the pace at the same point of the previous period, and the data issues by tab. Every list has a full
sort order (same input, same findings). It renders nothing: `brief` turns the findings into rows and
phrases.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from types import MappingProxyType
from typing import Any

import pandas as pd

from sheetsync.config.values import Config, KpiDef
from sheetsync.context import RunContext
from sheetsync.issues import Issue
from sheetsync.kpi.actions import FollowUp
from sheetsync.kpi.evaluate import AT_RISK, BEHIND
from sheetsync.kpi.next_goals import NextGoals
from sheetsync.kpi.ranking import places_up
from sheetsync.kpi.trends import Trends
from sheetsync.periods import Period
from sheetsync.plan import CellValue, value
from sheetsync.report.brief_text import PERCENT, number

Record = Mapping[Any, Any]

CAPS: Mapping[str, int] = MappingProxyType({
    "actions": 4,  # actions from earlier meetings
    "headline_kpis": 3,  # weighted KPIs in the headline (each x month, quarter, year)
    "top": 3,  # top performers
    "improved": 3,  # names on the most-improved line
    "behind": 4,  # reps behind or at risk
    "goals": 3,  # team goals at risk
    "change": 4,  # rows of change since the last snapshot
    "coverage": 2,  # goal coverage gaps
    "data": 2,  # tabs with data issues
    "points": 5,  # discussion points
    "in_text": 3,  # KPIs named in one cell of text (a rep's gaps, a coaching point)
})  # fmt: skip
"""Rows per list (a cut list shows cap - 1 items and the "... and N more" line); `in_text`:
items named in one sentence (more are counted: "and 6 more")."""

TEAM_PERIODS = ("month", "quarter", "year")
_CELL = re.compile(r"([A-Za-z]+)(\d+)")


@dataclass(frozen=True)
class _Lag:
    """A Rep KPIs row whose status is Behind or At risk (and whose pace is a number)."""

    kpi: KpiDef
    record: Record

    @property
    def pace(self) -> float:
        return float(self.record["pace"])


@dataclass(frozen=True)
class _RepLag:
    """A rep behind or at risk in the ranking period, their KPIs by lowest pace first."""

    rep: str
    team: CellValue
    lags: tuple[_Lag, ...]

    @property
    def status(self) -> str:
        return BEHIND if any(g.record["status"] == BEHIND for g in self.lags) else AT_RISK


@dataclass(frozen=True)
class BriefInput:
    """What the brief reads; all of it is computed by the sync and kpi stages."""

    config: Config
    context: RunContext
    """The run's as-of day, its current periods (week, month, quarter, year), its language."""
    rep_kpis: pd.DataFrame
    """The Rep KPIs table (`kpi.evaluate`), columns `REP_KPI_COLUMNS`."""
    ranking: pd.DataFrame
    """`kpi.ranking.rank`'s table; `movement` filled when History had an earlier snapshot."""
    trends: Trends
    coverage: Sequence[Issue]
    data_issues: Sequence[Issue]
    actions: Sequence[FollowUp] | None = None
    """The Actions tab's actions to follow up (`kpi.actions.follow_ups`); None without an
    Actions tab (then the section is left out)."""
    next_goals: NextGoals | None = None
    """Reps without goals for the next period, in a period's last two weeks."""


def error_count(issues: Sequence[Issue]) -> int:
    """How many of the issues are errors (the rest are warnings)."""
    return sum(1 for issue in issues if issue.severity == "error")


def _cell_key(cell: str) -> tuple[int, int, str]:
    match = _CELL.fullmatch(cell)
    return (int(match[2]), len(match[1]), match[1].upper()) if match else (0, 0, cell)


def _name_key(name: object) -> tuple[str, str]:
    return (str(name).casefold(), str(name))


class BriefFacts:
    """The findings of the brief (each computed once) and the orders they are listed in."""

    def __init__(self, data: BriefInput) -> None:
        self.data, self.config = data, data.config
        self.kpis = {kpi.key: kpi for kpi in data.config.kpis}
        periods = data.context.periods
        self.periods: dict[str, Period] = {period.kind: period for period in periods}
        self.kind = self.config.ranking.period
        self.ranked = self.periods.get(self.kind)
        wanted = [p.label for p in periods if p.kind in (*TEAM_PERIODS, self.kind)]
        table = data.rep_kpis[data.rep_kpis["period"].isin(wanted)]
        self.records: Sequence[Record] = table.to_dict("records")
        self.ranking: Sequence[Record] = data.ranking.to_dict("records")
        self.totals = {(r["period"], r["kpi"]): r for r in self.records if r["level"] == "total"}
        # the total, then the teams by name (as `evaluate` orders them)
        levels = ("total", "team")
        scopes = {(r["level"], str(r["name"])) for r in self.records if r["level"] in levels}
        ordered = sorted(scopes, key=lambda s: (s[0] != "total", s[1].casefold(), s[1]))
        self.scopes = {scope: index for index, scope in enumerate(ordered)}

    def order(self, key: str) -> int:
        return list(self.kpis).index(key) if key in self.kpis else len(self.kpis)

    def scope_order(self, record: Record) -> int:
        return self.scopes.get((record["level"], str(record["name"])), len(self.scopes))

    def current(self, kpi: KpiDef) -> Record | None:
        """The total's row of `kpi` in the ranking period."""
        return self.totals.get((self.ranked.label, kpi.key)) if self.ranked else None

    @cached_property
    def focus(self) -> tuple[KpiDef, ...]:
        """The weighted KPIs in config order (or the `by` KPI; without either, the KPIs with a
        target for the total)."""
        ranking = self.config.ranking
        if ranking.by:
            return tuple(kpi for kpi in self.config.kpis if kpi.key == ranking.by)
        weighted = tuple(k for k in self.config.kpis if ranking.weights.get(k.key, 0.0) > 0)
        targeted = {key for (_, key), r in self.totals.items() if number(r["target"]) is not None}
        return weighted or tuple(kpi for kpi in self.config.kpis if kpi.key in targeted)

    @cached_property
    def headline_kpis(self) -> tuple[KpiDef, ...]:
        """At most CAPS["headline_kpis"] focus KPIs: the heaviest weights, in config order."""
        weights = self.config.ranking.weights
        heaviest = sorted(self.focus, key=lambda k: (-weights.get(k.key, 0.0), self.order(k.key)))
        return tuple(sorted(heaviest[: CAPS["headline_kpis"]], key=lambda k: self.order(k.key)))

    @cached_property
    def score_format(self) -> str:
        by = self.config.ranking.by
        return self.kpis[by].number_format if by and by in self.kpis else PERCENT

    @cached_property
    def top(self) -> list[Record]:
        """Ranked reps with rank <= CAPS["top"], by rank then name (Ranking's order)."""
        top = [r for r in self.ranking if (n := number(r["rank"])) is not None and n <= CAPS["top"]]
        return sorted(top, key=lambda r: (number(r["rank"]), *_name_key(r["rep"])))

    @cached_property
    def risers(self) -> list[tuple[int, Record]]:
        """Reps whose movement is "up N": largest N first, then higher score, then name."""
        found = [(up, r) for r in self.ranking
                 if (up := places_up(value(r["movement"]))) is not None]  # fmt: skip
        return sorted(found, key=lambda f: (
            -f[0], -(number(f[1]["score"]) or 0.0), *_name_key(f[1]["rep"])
        ))  # fmt: skip

    def _lag(self, record: Record) -> _Lag | None:
        kpi = self.kpis.get(str(record["kpi"]))
        lagging = record["status"] in (BEHIND, AT_RISK) and number(record["pace"]) is not None
        return _Lag(kpi, record) if kpi is not None and lagging else None

    @cached_property
    def rep_lags(self) -> list[_RepLag]:
        """Reps Ranking lists (the active ones) behind or at risk in the ranking period, on any
        KPI with a goal; lowest pace first, then name."""
        listed = {str(r["rep"]) for r in self.ranking}
        found: dict[str, list[_Lag]] = {}
        teams: dict[str, CellValue] = {}
        for record in self.records:
            name, lag = str(record["name"]), self._lag(record)
            if (lag is None or record["level"] != "rep" or not self.ranked
                    or record["period"] != self.ranked.label
                    or (listed and name not in listed)):  # fmt: skip
                continue
            found.setdefault(name, []).append(lag)
            teams.setdefault(name, value(record["team"]))
        reps = [_RepLag(rep, teams[rep], tuple(sorted(lags, key=lambda g: (
            g.pace, self.order(g.kpi.key))))) for rep, lags in found.items()]  # fmt: skip
        return sorted(reps, key=lambda r: (r.lags[0].pace, *_name_key(r.rep)))

    @cached_property
    def goal_lags(self) -> list[_Lag]:
        """Total and team rows Behind or At risk for the month, quarter or year: lowest pace
        first, then period (month first), scope (the total, then teams in table order), KPI."""
        periods = [self.periods[k].label for k in TEAM_PERIODS if k in self.periods]
        lags = [lag for r in self.records if r["level"] in ("total", "team")
                and r["period"] in periods and (lag := self._lag(r)) is not None]  # fmt: skip
        return sorted(lags, key=lambda g: (g.pace, periods.index(g.record["period"]),
                                           self.scope_order(g.record),
                                           self.order(g.kpi.key)))  # fmt: skip

    @cached_property
    def same_point(self) -> tuple[date | None, str, list[tuple[KpiDef, float, float]]]:
        """The same point's day and source ("history" or "activity"), and (KPI, pace now,
        pace then) of the total for each headline KPI with both numbers."""
        kind = self.ranked.kind if self.ranked else None
        point = next((p for p in self.data.trends.same_point if p.kind == kind), None)
        if point is None:
            return None, "", []
        then = {r["kpi"]: r for r in point.table.to_dict("records") if r["level"] == "total"}
        pairs = []
        for kpi in self.headline_kpis:
            record, before = self.current(kpi), then.get(kpi.key)
            now = number(record["pace"]) if record is not None else None
            was = number(before["pace"]) if before is not None else None
            if now is not None and was is not None:
                pairs.append((kpi, now, was))
        return point.day, point.source, pairs

    @cached_property
    def issue_tabs(self) -> list[tuple[str, list[Issue]]]:
        """Data issues by tab (each errors first, then by cell); most errors, then most
        issues, then the tab's name first."""
        tabs: dict[str, list[Issue]] = {}
        for issue in self.data.data_issues:
            tabs.setdefault(issue.tab, []).append(issue)
        for issues in tabs.values():
            issues.sort(key=lambda i: (i.severity != "error", _cell_key(i.cell)))
        return sorted(tabs.items(), key=lambda t: (-error_count(t[1]), -len(t[1]),
                                                   t[0].casefold(), t[0]))  # fmt: skip
