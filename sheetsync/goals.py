"""`sheetsync goals suggest` and `goals backtest`: where the stages meet for goal suggestions.

    backend.read -> sync -> run context -> kpi (monthly, suggest, topdown | backtest)
        -> report (the Goal suggestions tab) -> backend.apply (that one tab, owned, at once)

The Goals tab and every input tab are only read; the one tab written is the owned output
`output.goal_suggestions`. docs/goals.md explains the method.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from sheetsync.backends.base import Backend, place_outputs
from sheetsync.config.values import Config, KpiDef
from sheetsync.context import RunContext, run_context
from sheetsync.errors import ConfigError, UsageError
from sheetsync.grids import RawWorkbook
from sheetsync.kpi.backtest import KpiBacktest, backtest
from sheetsync.kpi.evaluate import evaluate
from sheetsync.kpi.monthly import MonthGrid, month_grid, month_index, months_of
from sheetsync.kpi.suggest import Suggestions, suggest
from sheetsync.kpi.topdown import Group, GroupFigure, group_figures, scaled
from sheetsync.periods import Period, current_period, parse_period
from sheetsync.pipeline import make_backend, run_time
from sheetsync.plan import OutputPlan
from sheetsync.report.suggestions import GoalsLayout, SuggestionTab, suggestion_tab
from sheetsync.spreadsheet import norm
from sheetsync.sync.activity import find_header
from sheetsync.sync.stage import SyncResult, find_tab, input_tabs, sync

AIM = 0.65
AIM_RANGE = (0.3, 0.95)


@dataclass(frozen=True)
class Inputs:
    """What suggestions and backtests are computed from: the synced frames, the run
    context, the additive KPIs with goals, the active reps' teams and the month grid."""

    synced: SyncResult
    ctx: RunContext
    kpis: tuple[KpiDef, ...]
    skipped: tuple[str, ...]
    teams: dict[str, str | None]
    grid: MonthGrid
    layout: GoalsLayout


@dataclass(frozen=True)
class SuggestReport:
    """One `goals suggest`: the period, the suggestions (scaled to any goal set), the team
    rows, the plan of the one tab and whether it was written."""

    period: Period
    found: Suggestions
    figures: tuple[GroupFigure, ...]
    plan: OutputPlan
    written: bool
    context: RunContext
    kpis: tuple[KpiDef, ...]
    destination: str


def check_aim(aim: float) -> float:
    """`aim` when it is within AIM_RANGE; a UsageError otherwise."""
    low, high = AIM_RANGE
    if not low <= aim <= high:
        raise UsageError(f"--aim {aim:g} is out of range; use a share from {low:g} to {high:g} "
                         "(0.65: about two reps in three reach their goal)")  # fmt: skip
    return aim


def goal_period(text: str, config: Config) -> Period:
    """A month, quarter or year in goal notation; a UsageError for anything else."""
    try:
        period = parse_period(text, config.calendar.fiscal_year_start)
    except ValueError as exc:
        raise UsageError(f"--period: {exc}") from None
    if period.kind == "week":
        raise UsageError(f"--period {text}: suggestions are for a month, a quarter or a year, "
                         "not a week")  # fmt: skip
    return period


def suggest_goals(
    config: Config, period: str, aim: float = AIM, as_of: date | None = None,
    dry_run: bool = False, *, backend: Backend | None = None, now: datetime | None = None,
) -> SuggestReport:  # fmt: skip
    """Suggest every active rep's goals for `period` and write the Goal suggestions tab
    (nothing with `dry_run`). Only full months up to `as_of` (default today) and before the
    period are used."""
    title = config.output.title("goal_suggestions")
    if title is None:
        raise ConfigError(str(config.path or "config"), "output.goal_suggestions",
                          "the Goal suggestions tab is switched off; give it a name")  # fmt: skip
    check_aim(aim)
    target = goal_period(period, config)
    backend = backend or make_backend(config)
    with backend.locked() if not dry_run else nullcontext():
        raw, data = _inputs(config, backend, as_of, now)
        cutoff = min(month_index(target.start), data.grid.end)
        found = suggest(data.grid, months_of(target), cutoff, aim, data.teams)
        groups = _groups(data, config.total_label)
        goals = _group_goals(data.synced.goals, target)
        found, factors = scaled(found, data.grid, groups, goals)
        figures = tuple(group_figures(found, data.grid, groups, goals, factors))
        roster = config.roster.tab or "Roster"
        tab = SuggestionTab(title, target.label, found, figures, data.kpis, data.layout,
                            data.skipped, config.goals.tab, roster)  # fmt: skip
        plan = OutputPlan((suggestion_tab(tab, data.ctx.lang),), None, data.ctx.lang.number_locale)
        plan = place_outputs(plan, raw.titles_written, raw.owned, backend.destination)
        if not dry_run:
            backend.apply(plan)
    return SuggestReport(target, found, figures, plan, not dry_run, data.ctx, data.kpis,
                         backend.destination)  # fmt: skip


def backtest_goals(
    config: Config, periods: str, aim: float = AIM, as_of: date | None = None, *,
    backend: Backend | None = None, now: datetime | None = None,
) -> list[KpiBacktest]:  # fmt: skip
    """Suggest each of `periods` (`2026-01..2026-10`, or one period) from only the months
    before it and count who reached the suggestion, the naive target and the goal set.
    Reads, never writes."""
    check_aim(aim)
    _, data = _inputs(config, backend or make_backend(config), as_of, now)
    chosen = period_range(periods, config)
    early = [p.label for p in chosen if month_index(p.start) <= data.grid.first]
    if early:
        raise UsageError(f"--periods: {', '.join(early)} has no full month of activity before "
                         "it to suggest from")  # fmt: skip
    late = [p.label for p in chosen if month_index(p.end) >= data.grid.end]
    if late:
        day = data.ctx.as_of.isoformat()
        raise UsageError(f"--periods: {', '.join(late)} is not over by the as-of date {day}; "
                         "a backtest needs what happened")  # fmt: skip
    return backtest(data.grid, chosen, aim, data.teams, _set_goals(config, data, chosen))


def period_range(text: str, config: Config) -> list[Period]:
    """`2026-01..2026-10`: the months (or quarters, or years) from the first to the last."""
    first_text, _, last_text = text.partition("..")
    first = goal_period(first_text, config)
    last = goal_period(last_text, config) if last_text else first
    if last.kind != first.kind or last.start < first.start:
        raise UsageError(f"--periods {text}: give two periods of one kind, the first first, "
                         "like 2026-01..2026-10")  # fmt: skip
    found, day = [], first.start
    while day <= last.start:
        period = current_period(first.kind, day, config.calendar.fiscal_year_start)
        found.append(period)
        day = period.end + timedelta(days=1)
    return found


def _inputs(
    config: Config, backend: Backend, as_of: date | None, now: datetime | None
) -> tuple[RawWorkbook, Inputs]:
    ran_at, as_of = run_time(config, as_of, now)
    raw = backend.read(lambda titles: input_tabs(titles, config))
    layout = goals_layout(config, raw)
    synced = sync(raw, config)
    ctx = run_context(config, as_of, ran_at, synced.holidays)
    kpis, skipped = _kpis(config, synced.goals)
    teams = _active_teams(synced)
    reps = sorted({*teams, *(str(r) for r in synced.activity["rep"].dropna().unique())})
    starts = _starts(synced.roster)
    grid = month_grid(synced.activity, reps, kpis, starts, ctx.calendar, as_of)
    return raw, Inputs(synced, ctx, kpis, skipped, teams, grid, layout)


def _kpis(config: Config, goals: pd.DataFrame) -> tuple[tuple[KpiDef, ...], tuple[str, ...]]:
    """The KPIs with a goal anywhere in Goals (every KPI when Goals holds none): the sums and
    counts are suggested; the others are named as skipped."""
    with_goals = set(goals["kpi"]) if not goals.empty else {kpi.key for kpi in config.kpis}
    wanted = [kpi for kpi in config.kpis if kpi.key in with_goals]
    return (tuple(kpi for kpi in wanted if kpi.additive),
            tuple(kpi.label for kpi in wanted if not kpi.additive))  # fmt: skip


def _active_teams(synced: SyncResult) -> dict[str, str | None]:
    """Active roster reps and their teams; every rep of the activity without a roster."""
    roster = synced.roster
    if roster.empty:
        return {str(rep): None for rep in synced.activity["rep"].dropna().unique()}
    active = roster[roster["active"]]
    return {str(rep): (str(team) if isinstance(team, str) else None)
            for rep, team in zip(active["rep"], active["team"], strict=True)}  # fmt: skip


def _starts(roster: pd.DataFrame) -> dict[str, date]:
    if roster.empty or "start" not in roster.columns:
        return {}
    return {str(rep): day for rep, day in zip(roster["rep"], roster["start"], strict=True)
            if isinstance(day, date)}  # fmt: skip


def _groups(data: Inputs, total_label: str) -> list[Group]:
    """Each roster team (its active reps), then the total (every active rep)."""
    teams = sorted({team for team in data.teams.values() if team is not None})
    groups = [Group("team", team, frozenset(r for r, t in data.teams.items() if t == team))
              for team in teams]  # fmt: skip
    return [*groups, Group("total", total_label, frozenset(data.teams))]


def _group_goals(goals: pd.DataFrame, period: Period) -> dict[tuple[str, str, str], float]:
    """The team and total goals set for `period`: (level, name, KPI) -> goal."""
    if goals.empty:
        return {}
    rows = goals[(goals["period"] == period.label) & goals["level"].isin(["team", "total"])]
    columns = (rows["level"], rows["scope"], rows["kpi"], rows["target"])
    return {(str(level), str(scope), str(kpi)): float(target)
            for level, scope, kpi, target in zip(*columns, strict=True)}  # fmt: skip


def _set_goals(
    config: Config, data: Inputs, periods: Sequence[Period]
) -> dict[tuple[str, str, str], float]:
    """The reps' targets as the Goals tab set them (roll-ups included) for `periods`."""
    table = evaluate(data.synced.activity, data.synced.goals, data.synced.roster, data.kpis,
                     data.ctx.calendar, config.status, periods, data.ctx.as_of,
                     config.total_label)  # fmt: skip
    reps = table[(table["level"] == "rep") & table["target"].notna()]
    columns = (reps["period"], reps["name"], reps["kpi"], reps["target"])
    return {(str(p), str(n), str(k)): float(t) for p, n, k, t in zip(*columns, strict=True)}


def goals_layout(config: Config, raw: RawWorkbook) -> GoalsLayout:
    """The Goals tab's header row and what each column holds; without a Goals tab (or its
    header), Period | Scope | every KPI's label."""
    by_name = {norm(k.key): k.key for k in config.kpis} | {norm(k.label): k.key
                                                            for k in config.kpis}  # fmt: skip
    cfg = config.goals
    title = find_tab([t for t in raw.titles if t in raw.grids], cfg.tab)
    grid = raw.grids.get(title or "")
    header = find_header(grid, cfg.period_column) if grid else None
    if grid is None or header is None:
        headers = (cfg.period_column, cfg.scope_column, *(k.label for k in config.kpis))
        return GoalsLayout(headers, ("period", "scope", *(k.key for k in config.kpis)))
    row = grid[header]
    last = max((i for i, cell in enumerate(row) if cell is not None and str(cell).strip()),
               default=-1)  # fmt: skip
    headers = tuple("" if cell is None else str(cell) for cell in row[: last + 1])
    roles = tuple(_role(text, config, by_name) for text in headers)
    return GoalsLayout(headers, roles)


def _role(text: str, config: Config, by_name: dict[str, str]) -> str | None:
    key = norm(text)
    if key == norm(config.goals.period_column):
        return "period"
    if key == norm(config.goals.scope_column):
        return "scope"
    return by_name.get(key)
