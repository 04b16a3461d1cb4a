"""refresh(): the one place where the stages meet.

    backend.read -> sync -> kpi -> report -> backend.apply

Lower stages never import this module; the CLI and the daemon only call it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from sheetsync import __version__
from sheetsync.backends.base import Backend, check_ownership
from sheetsync.config.values import Config
from sheetsync.errors import ConfigError, DataError
from sheetsync.kpi.coverage import CoverageInput, coverage_issues
from sheetsync.kpi.evaluate import evaluate
from sheetsync.kpi.ranking import rank
from sheetsync.periods import Period, check_as_of, current_periods
from sheetsync.report.plan import OutputPlan
from sheetsync.report.tabs import RunFacts, build_plan
from sheetsync.sync.issues import Issue
from sheetsync.sync.stage import SyncResult, input_tabs, sync


@dataclass
class Report:
    """Everything one refresh computed, whether or not it was written."""

    as_of: date
    periods: tuple[Period, ...]
    rep_kpis: pd.DataFrame
    ranking: pd.DataFrame
    issues: list[Issue]
    plan: OutputPlan
    facts: RunFacts
    written: bool
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def api_calls(self) -> int:
        return self.facts.api_calls

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


def make_backend(config: Config, *, force: bool = False, create: bool = False) -> Backend:
    """The backend the config's `source` names (`force`: write an xlsx open in Excel;
    `create`: a missing xlsx workbook reads as one with no tabs, for `init`)."""
    source = config.source
    if source.type == "xlsx":
        from sheetsync.backends.xlsx import XlsxBackend

        assert source.path is not None
        return XlsxBackend(source.path, source.output_path, force=force, limits=source.limits,
                           create=create)  # fmt: skip
    if source.type == "google":
        from sheetsync.backends.google import GoogleBackend

        return GoogleBackend.from_config(source, str(config.path or "config"))
    raise ConfigError(str(config.path), "source.type", f"unknown source type {source.type!r}")


def today(config: Config, now: datetime | None = None) -> date:
    """Today in the configured time zone (or the date of `now` there)."""
    zone = ZoneInfo(config.calendar.timezone)
    return (now.astimezone(zone) if now else datetime.now(zone)).date()


def refresh(
    config: Config,
    as_of: date | None = None,
    dry_run: bool = False,
    *,
    strict: bool = False,
    backend: Backend | None = None,
    now: datetime | None = None,
    force: bool = False,
) -> Report:
    """Read the workbook, compute every KPI table and write the output tabs in one step.

    `as_of` defaults to today in the configured time zone. With `dry_run` nothing is written.
    With `strict`, any data issue stops the refresh before writing (DataError). With `force`,
    an xlsx workbook is written even when a lock file says it is open in Excel (a stale lock).
    A backend with a `locked()` method is held from the read to the write, so two refreshes
    of one workbook never interleave.
    """
    backend = backend or make_backend(config, force=force)
    with nullcontext() if dry_run else held(backend):
        return _refresh(config, as_of, dry_run, strict, backend, now)


def held(backend: Backend) -> AbstractContextManager[None]:
    """The backend's hold on its workbook from read to write (an optional `locked()`)."""
    locked = getattr(backend, "locked", None)
    return locked() if locked is not None else nullcontext()


def destination(backend: Backend) -> str:
    """Where the backend writes its output (an optional property; else its description)."""
    return str(getattr(backend, "destination", backend.description))


def _refresh(
    config: Config,
    as_of: date | None,
    dry_run: bool,
    strict: bool,
    backend: Backend,
    now: datetime | None,
) -> Report:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    ran_at = now or datetime.now(ZoneInfo(config.calendar.timezone))
    as_of = as_of or today(config, ran_at)
    check_as_of(as_of)
    with _timed(timings, "read"):
        raw = backend.read(lambda titles: input_tabs(titles, config))
    with _timed(timings, "sync"):
        synced = sync(raw, config)
    with _timed(timings, "kpi"):
        periods, rep_kpis, ranking = compute(config, synced, as_of)
        issues = synced.issues + goal_coverage(config, synced, rep_kpis, periods, as_of)
    if strict and synced.issues:
        raise DataError(_strict_message(synced.issues))
    facts = RunFacts(
        ran_at=ran_at, as_of=as_of, source=backend.description,
        rows_read=synced.rows_read, rows_counted=synced.rows_counted,
        rows_rejected=synced.rows_rejected,
        api_calls=backend.api_calls + (0 if dry_run else backend.write_calls),
        seconds=time.perf_counter() - started, version=__version__,
        destination=destination(backend),
    )  # fmt: skip
    with _timed(timings, "report"):
        plan = build_plan(config, rep_kpis, ranking, issues, facts)
    check_ownership(plan, raw.titles_written, raw.owned, destination(backend))
    if not dry_run:
        with _timed(timings, "write"):
            backend.apply(plan)
    timings["total"] = time.perf_counter() - started
    return Report(as_of, periods, rep_kpis, ranking, issues, plan, facts,
                  written=not dry_run, timings=timings)  # fmt: skip


def compute(
    config: Config, synced: SyncResult, as_of: date
) -> tuple[tuple[Period, ...], pd.DataFrame, pd.DataFrame]:
    """The pure middle of a refresh: the current periods, Rep KPIs and the ranking."""
    calendar = dataclasses.replace(config.calendar, holidays=synced.holidays)
    periods = current_periods(as_of, calendar.fiscal_year_start)
    rep_kpis = evaluate(
        synced.activity, synced.goals, synced.roster, config.kpis, calendar, config.status,
        periods, as_of, config.total_label,
    )  # fmt: skip
    ranked = next(p for p in periods if p.kind == config.ranking.period)
    ranking = rank(rep_kpis, synced.roster, config.ranking, config.kpis, ranked.label, None)
    return periods, rep_kpis, ranking


def goal_coverage(
    config: Config, synced: SyncResult, rep_kpis: pd.DataFrame, periods: tuple[Period, ...],
    as_of: date,
) -> list[Issue]:  # fmt: skip
    """The goal coverage warnings; none without a Goals tab (already reported as missing)."""
    if synced.goals_tab is None:
        return []
    data = CoverageInput(config, synced.goals, synced.roster, synced.activity, rep_kpis,
                         periods, as_of, synced.goals_tab, synced.goal_kpi_cells)  # fmt: skip
    return coverage_issues(data)


def _strict_message(issues: list[Issue]) -> str:
    shown = "\n".join(f"  {issue}" for issue in issues[:20])
    more = f"\n  ... and {len(issues) - 20} more" if len(issues) > 20 else ""
    return f"--strict: {len(issues)} data issues, nothing was written:\n{shown}{more}"


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = time.perf_counter() - start
