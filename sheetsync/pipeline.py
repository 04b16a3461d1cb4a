"""refresh(): the one place where the stages meet.

    backend.read -> sync -> kpi -> report -> backend.apply

Lower stages never import this module; the CLI and the daemon only call it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from sheetsync import __version__
from sheetsync.backends.base import Backend, place_outputs
from sheetsync.config.values import Config
from sheetsync.context import RunContext, run_context, same_point_days
from sheetsync.errors import ConfigError, DataError
from sheetsync.fingerprint import DaemonRun, fingerprint
from sheetsync.grids import HistoryQuery, HistoryRead
from sheetsync.issues import Issue
from sheetsync.kpi.actions import FollowUp, follow_ups, pace_periods, tied_paces
from sheetsync.kpi.coverage import CoverageInput, coverage_issues
from sheetsync.kpi.evaluate import evaluate
from sheetsync.kpi.next_goals import next_goals
from sheetsync.kpi.ranking import rank
from sheetsync.kpi.snapshots import history_table, snapshot_table
from sheetsync.kpi.trends import (
    TrendInput,
    Trends,
    build_trends,
    held_period,
    held_rows,
    last_snapshot_day,
    same_points_to_compute,
)
from sheetsync.periods import Period, check_as_of, current_period, current_periods, work_calendar
from sheetsync.plan import OutputPlan
from sheetsync.report.tabs import Computed, RunFacts, build_plan
from sheetsync.sync.stage import SyncResult, input_tabs, sync


@dataclass
class Report:
    """Everything one refresh computed, whether or not it was written."""

    context: RunContext
    rep_kpis: pd.DataFrame
    ranking: pd.DataFrame
    issues: list[Issue]
    plan: OutputPlan
    facts: RunFacts
    written: bool
    timings: dict[str, float] = field(default_factory=dict)
    trends: Trends = field(default_factory=Trends)
    fingerprint: str | None = None
    """The inputs' fingerprint (sheetsync.fingerprint), computed for the daemon only."""
    unchanged: bool = False
    """True when the write was skipped because the inputs had not changed."""
    roster: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The roster as read (rep, email, team, active): who gets a scorecard."""
    actions: tuple[FollowUp, ...] | None = None
    """The Actions tab's open actions and those done since the last snapshot (kpi.actions);
    None when the workbook has no Actions tab."""

    @property
    def as_of(self) -> date:
        return self.context.as_of

    @property
    def periods(self) -> tuple[Period, ...]:
        return self.context.periods

    @property
    def api_calls(self) -> int:
        return self.facts.api_calls

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


def make_backend(
    config: Config, *, force: bool = False, create: bool = False, **google: Any
) -> Backend:
    """The backend the config's `source` names (`force`: write an xlsx open in Excel;
    `create`: a missing xlsx workbook reads as one with no tabs, for `init`). `google` are
    options of GoogleBackend (the daemon's shared `pacer`; `sleep` and `clock` in tests);
    a local workbook ignores them."""
    source = config.source
    if source.type == "xlsx":
        from sheetsync.backends.xlsx import XlsxBackend

        assert source.path is not None
        return XlsxBackend(source.path, source.output_path, force=force, limits=source.limits,
                           create=create)  # fmt: skip
    if source.type == "google":
        from sheetsync.backends.google import GoogleBackend

        return GoogleBackend.from_config(source, str(config.path or "config"), **google)
    raise ConfigError(str(config.path), "source.type", f"unknown source type {source.type!r}")


def today(config: Config, now: datetime | None = None) -> date:
    """Today in the configured time zone (or the date of `now` there)."""
    zone = ZoneInfo(config.calendar.timezone)
    return (now.astimezone(zone) if now else datetime.now(zone)).date()


def run_time(config: Config, as_of: date | None, now: datetime | None) -> tuple[datetime, date]:
    """When a run happens, in the team's time zone (`now`, else the clock), and the day its
    figures are as of (`as_of`, else that day there; checked to be a day sheetsync can use)."""
    zone = ZoneInfo(config.calendar.timezone)
    ran_at = now.astimezone(zone) if now and now.tzinfo else now or datetime.now(zone)
    as_of = as_of or today(config, ran_at)
    check_as_of(as_of)
    return ran_at, as_of


def refresh(
    config: Config,
    as_of: date | None = None,
    dry_run: bool = False,
    *,
    strict: bool = False,
    backend: Backend | None = None,
    now: datetime | None = None,
    force: bool = False,
    snapshot: bool = False,
    daemon: DaemonRun | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Read the workbook, compute every KPI table and write the output tabs in one step.

    `as_of` defaults to today in the configured time zone. With `dry_run` nothing is written.
    With `snapshot`, the KPI table is also added to the History tab as the as-of day's snapshot
    (replacing an earlier snapshot of that day), in the same write.
    With `strict`, any data issue stops the refresh before writing (DataError). With `force`,
    an xlsx workbook is written even when a lock file says it is open in Excel (a stale lock).
    The backend's `locked()` is held from the read to the write, so two refreshes of one
    workbook never interleave. `daemon` (sheetsync.fingerprint.DaemonRun): the write is
    skipped when the inputs' fingerprint equals `daemon.unchanged_since` (never for a
    snapshot), and Sync status shows the daemon's last error. `progress` is called with each
    stage's name (read, sync, kpi, report, write) as it starts.
    """
    if snapshot and config.output.title("history") is None:
        raise ConfigError(str(config.path or "config"), "output.history",
                          "--snapshot needs the History tab, which is switched off")  # fmt: skip
    backend = backend or make_backend(config, force=force)
    run = _Run(config, dry_run, strict, snapshot, backend, daemon, progress)
    with nullcontext() if dry_run else backend.locked():
        return _refresh(run, as_of, now)


@dataclass(frozen=True)
class _Run:
    config: Config
    dry_run: bool
    strict: bool
    snapshot: bool
    backend: Backend
    daemon: DaemonRun | None = None
    progress: Callable[[str], None] | None = None


def _refresh(run: _Run, as_of: date | None, now: datetime | None) -> Report:
    config, backend = run.config, run.backend
    timings: dict[str, float] = {}
    started = time.perf_counter()
    ran_at, as_of = run_time(config, as_of, now)
    zone = ZoneInfo(config.calendar.timezone)
    with _timed(timings, "read", run.progress):
        query = history_query(config, as_of, run.snapshot)
        raw = backend.read(lambda titles: input_tabs(titles, config), query,
                           outputs=not run.dry_run)  # fmt: skip
    print_ = fingerprint(raw, config, as_of) if run.daemon is not None else None
    with _timed(timings, "sync", run.progress):
        # the grids go to sync, which frees each tab's once parsed (a fresh dict: a backend
        # may keep its own); only the titles, owned tabs and History stay in `raw`
        grids, raw = dict(raw.grids), dataclasses.replace(raw, grids={})
        synced = sync(dataclasses.replace(raw, grids=grids), config, release=True)
        del grids
    ctx = run_context(config, as_of, ran_at, synced.holidays)
    with _timed(timings, "kpi", run.progress):
        history = history_table(raw.history.rows if raw.history else [])
        rep_kpis, past = compute(config, synced, ctx, history)
        trends = history_trends(config, synced, ctx, raw.history, history, (rep_kpis, past))
        ranking = ranking_of(config, synced, rep_kpis, ctx, trends)
        coverage = goal_coverage(config, synced, rep_kpis, ctx)
        actions = followed_actions(config, synced, ctx, history, (rep_kpis, trends))
        upcoming = next_goals(synced.goals, synced.roster, ctx)
        issues = synced.issues + history_issues(config, raw.history) + coverage
    if run.strict and synced.issues:
        raise DataError(_strict_message(synced.issues))
    unchanged = (print_ is not None and not run.snapshot and run.daemon is not None
                 and print_ == run.daemon.unchanged_since)  # fmt: skip
    writes = not (run.dry_run or unchanged)
    facts = RunFacts(
        source=backend.description,
        rows_read=synced.rows_read, rows_counted=synced.rows_counted,
        rows_rejected=synced.rows_rejected,
        api_calls=backend.api_calls + (backend.write_calls if writes else 0),
        seconds=time.perf_counter() - started, version=__version__,
        destination=backend.destination,
        last_error=_local(run.daemon.last_error, zone) if run.daemon else None,
    )  # fmt: skip
    with _timed(timings, "report", run.progress):
        snap = snapshot_of(config, rep_kpis, ranking, ctx) if run.snapshot else None
        computed = Computed(rep_kpis, ranking, trends, tuple(issues), tuple(coverage), snap,
                            actions, upcoming)  # fmt: skip
        plan = build_plan(config, ctx, computed, facts)
    plan = place_outputs(plan, raw.titles_written, raw.owned, backend.destination)
    if writes:
        with _timed(timings, "write", run.progress):
            backend.apply(plan)
    timings["total"] = time.perf_counter() - started
    return Report(ctx, rep_kpis, ranking, issues, plan, facts, written=writes,
                  timings=timings, trends=trends, fingerprint=print_,
                  unchanged=unchanged, roster=synced.roster, actions=actions)  # fmt: skip


def compute(
    config: Config, synced: SyncResult, ctx: RunContext, history: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The pure middle of a refresh: the Rep KPIs table of the current periods and, for the
    brief, the previous periods at today's working day that History does not hold, computed
    in the same pass over the activity (None when the brief is switched off)."""
    if config.output.title("meeting_brief") is None:
        return evaluate_at(config, synced, ctx, ctx.as_of, ctx.periods), None
    held = history if history is not None else history_table([])
    extra = same_points_to_compute(ctx, held)
    table = evaluate_at(config, synced, ctx, ctx.as_of, (*ctx.periods, *extra))
    now = table["period"].isin([period.label for period in ctx.periods])
    return table[now].reset_index(drop=True), table[~now].reset_index(drop=True)


def evaluate_at(
    config: Config, synced: SyncResult, ctx: RunContext, as_of: date,
    periods: tuple[Period | tuple[Period, date], ...],
) -> pd.DataFrame:  # fmt: skip
    """The Rep KPIs table for `periods` as of a day (today's, or a past one for trends)."""
    return evaluate(
        synced.activity, synced.goals, synced.roster, config.kpis, ctx.calendar, config.status,
        periods, as_of, config.total_label,
    )  # fmt: skip


def ranking_of(
    config: Config, synced: SyncResult, rep_kpis: pd.DataFrame, ctx: RunContext, trends: Trends
) -> pd.DataFrame:
    """The ranking of the configured period, with movement when there is an earlier snapshot."""
    previous = trends.previous_ranks if trends.last_day is not None else None
    return rank(rep_kpis, synced.roster, config.ranking, config.kpis, ctx.ranked.label, previous)


def history_query(config: Config, as_of: date, snapshot: bool) -> HistoryQuery | None:
    """What to read of History: the last snapshot before today and the previous period's day
    at today's working day. The query goes with the read, before the Holidays tab is read, so
    its days are chosen with the configured holidays alone; a day the synced holidays move is
    then not held, and is recomputed from the activity (`compute`)."""
    title = config.output.title("history")
    if title is None:
        return None
    calendar = work_calendar(config.calendar)
    ranked = current_period(config.ranking.period, as_of, calendar.fiscal_year_start)
    days = same_point_days((ranked,), as_of, calendar)
    return HistoryQuery(title, as_of, tuple(sorted({day for _, day in days.values()})), snapshot)


def history_trends(
    config: Config, synced: SyncResult, ctx: RunContext, held: HistoryRead | None,
    history: pd.DataFrame, tables: tuple[pd.DataFrame, pd.DataFrame | None],
) -> Trends:  # fmt: skip
    """Trends from what History holds, or recomputed from the activity where it does not.
    `tables` are the Rep KPIs table and the recomputed previous periods (see `compute`)."""
    rep_kpis, past = tables
    days = held.days if held else ()
    last_day = last_snapshot_day(days, ctx.as_of)
    recomputed = None
    if last_day is not None and held_rows(history, last_day).empty:
        recomputed = recomputed_snapshot(config, synced, ctx, last_day)
    return build_trends(TrendInput(rep_kpis, ctx, days, history, recomputed, past))


def recomputed_snapshot(
    config: Config, synced: SyncResult, ctx: RunContext, day: date
) -> pd.DataFrame:
    """The snapshot History would hold for `day`, recomputed from the activity."""
    periods = current_periods(day, ctx.calendar.fiscal_year_start)
    rep_kpis = evaluate_at(config, synced, ctx, day, periods)
    ranked = current_period(config.ranking.period, day, ctx.calendar.fiscal_year_start)
    ranking = rank(rep_kpis, synced.roster, config.ranking, config.kpis, ranked.label, None)
    return snapshot_table(rep_kpis, ranking, ranked.label, day)


def followed_actions(
    config: Config, synced: SyncResult, ctx: RunContext, history: pd.DataFrame,
    now: tuple[pd.DataFrame, Trends],
) -> tuple[FollowUp, ...] | None:  # fmt: skip
    """The actions to follow up, each tied KPI's pace on its Agreed on day (from History when
    it holds that day, else recomputed from the activity) beside its pace now; None without
    an Actions tab."""
    if synced.actions_tab is None:
        return None
    rep_kpis, trends = now
    chosen = [f.action for f in follow_ups(synced.actions, ctx.as_of, trends.last_day,
                                           ctx.ranked)]  # fmt: skip
    # one pass over the activity per Agreed on day History does not hold, for shown actions
    days = pace_periods(chosen, ctx.ranked.kind, ctx.calendar.fiscal_year_start, ctx.as_of)
    then = {day: (period.label, _table_on(config, synced, ctx, history, (period, day)))
            for day, period in days.items()}  # fmt: skip
    paces = tied_paces(chosen, rep_kpis, ctx.ranked.label, then)
    return follow_ups(chosen, ctx.as_of, trends.last_day, ctx.ranked, paces)


def _table_on(
    config: Config, synced: SyncResult, ctx: RunContext, history: pd.DataFrame,
    when: tuple[Period, date],
) -> pd.DataFrame:  # fmt: skip
    """The KPI table of a period as of a day: History's rows of that day, else recomputed."""
    period, day = when
    held = held_period(history, period, day)
    return held if not held.empty else evaluate_at(config, synced, ctx, day, (period,))


def history_issues(config: Config, held: HistoryRead | None) -> list[Issue]:
    """A warning when History's rows could not all be read where they were expected."""
    title = config.output.title("history")
    if held is None or held.note is None or title is None:
        return []
    return [Issue("warning", title, "", held.note, "", "recomputed from the activity")]


def snapshot_of(
    config: Config, rep_kpis: pd.DataFrame, ranking: pd.DataFrame, ctx: RunContext
) -> pd.DataFrame:
    """The snapshot table for History; a ConfigError when it cannot fit in History at all."""
    table = snapshot_table(rep_kpis, ranking, ctx.ranked.label, ctx.as_of)
    limit = config.output.history_max_rows
    if len(table) > limit:
        raise ConfigError(str(config.path or "config"), "output.history_max_rows",
                          f"a snapshot has {len(table):,} rows, more than the {limit:,} History "
                          f"may keep; raise it to at least {len(table):,}")  # fmt: skip
    return table


def goal_coverage(
    config: Config, synced: SyncResult, rep_kpis: pd.DataFrame, ctx: RunContext
) -> list[Issue]:
    """The goal coverage warnings; none without a Goals tab (already reported as missing)."""
    if synced.goals_tab is None:
        return []
    data = CoverageInput(config, synced.goals, synced.roster, synced.activity, rep_kpis,
                         ctx.periods, ctx.as_of, synced.goals_tab,
                         synced.goal_kpi_cells)  # fmt: skip
    return coverage_issues(data)


def _local(error: tuple[str, datetime] | None, zone: ZoneInfo) -> tuple[str, datetime] | None:
    """The daemon's last error with its time in the config's time zone (Sync status shows
    wall-clock times there)."""
    if error is None:
        return None
    message, when = error
    return message, when.astimezone(zone) if when.tzinfo else when


def _strict_message(issues: list[Issue]) -> str:
    shown = "\n".join(f"  {issue}" for issue in issues[:20])
    more = f"\n  ... and {len(issues) - 20} more" if len(issues) > 20 else ""
    return f"--strict: {len(issues)} data issues, nothing was written:\n{shown}{more}"


@contextmanager
def _timed(
    timings: dict[str, float], stage: str, progress: Callable[[str], None] | None
) -> Iterator[None]:
    if progress is not None:
        progress(stage)
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = time.perf_counter() - start
