"""The report stage (pure): KPI tables, data issues and run facts -> a backend-neutral plan.

Numbers stay numbers with number formats; text that came from input cells is plain text (the
backends write it as text, never as a formula). Switched-off outputs are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from sheetsync.config.values import Config, KpiDef
from sheetsync.context import RunContext
from sheetsync.i18n import Language, language
from sheetsync.issues import Issue
from sheetsync.kpi.actions import FollowUp
from sheetsync.kpi.next_goals import NextGoals
from sheetsync.kpi.trends import Trends
from sheetsync.plan import Box, Cell, CellValue, HistorySnapshot, OutputPlan, TabPlan, Tone, value
from sheetsync.report.brief import brief_rows
from sheetsync.report.brief_facts import BriefInput
from sheetsync.report.look import band_rule, fit_widths, kpi_cells, status_rules, text_rules
from sheetsync.report.ranking_tab import ranking_tab
from sheetsync.report.summary import summary_tab

REP_KPI_HEADERS = (
    "Period", "Level", "Name", "KPI", "Actual", "Target", "Target source", "Attainment",
    "Expected", "Pace", "Status", "Projection",
)  # fmt: skip
ISSUE_HEADERS = ("Severity", "Tab", "Cell", "Problem", "Value", "What was done")
ISSUE_KEYS = ("severity", "tab", "cell", "problem", "value", "action")
"""The catalog keys (`col.<key>`) of ISSUE_HEADERS, the Data issues headers in English."""
MACHINE = language("en")
"""Rep KPIs and History are machine-readable tables in every language: English headers and
values, and column widths measured as English shows their numbers."""
REFRESH_LABEL = "Refresh now"
REFRESH_CELL = "B1"
"""Where Sync status holds the "Refresh now" checkbox: tick it, and the daemon refreshes."""


@dataclass(frozen=True)
class RunFacts:
    """What the Sync status tab tells about the run, besides its time and as-of day (in the
    run context)."""

    source: str
    rows_read: int
    rows_counted: int
    rows_rejected: int
    api_calls: int
    seconds: float
    version: str
    destination: str | None = None
    last_error: tuple[str, datetime] | None = None
    """The daemon's last failed run of this spreadsheet (message, when), if it had one."""

    @property
    def written_to(self) -> str:
        """Where the output tabs go: the source itself unless the output goes elsewhere."""
        return self.destination or self.source


@dataclass(frozen=True)
class Computed:
    """The tables one refresh computed, which the output tabs are made from. `issues` are
    every data issue (goal coverage warnings included); `snapshot` is the History table to add
    (kpi.history.snapshot_table), or None."""

    rep_kpis: pd.DataFrame
    ranking: pd.DataFrame
    trends: Trends
    issues: tuple[Issue, ...]
    coverage: tuple[Issue, ...]
    snapshot: pd.DataFrame | None = None
    actions: tuple[FollowUp, ...] | None = None
    next_goals: NextGoals | None = None


def build_plan(config: Config, ctx: RunContext, computed: Computed, facts: RunFacts) -> OutputPlan:
    """Every switched-on output tab, in the configured order, and the History snapshot."""
    tabs = []
    for key, title in config.output.tabs.items():
        tab = _tab(config, ctx, computed, facts, key, title)
        if tab is not None:
            tabs.append(tab)
    snapshot = _history(config, computed.snapshot, ctx.as_of)
    return OutputPlan(tuple(tabs), snapshot, ctx.lang.number_locale)


def _tab(
    config: Config, ctx: RunContext, computed: Computed, facts: RunFacts, key: str, title: str
) -> TabPlan | None:
    """The output tab `key` (None for History, which is a snapshot, not a whole tab)."""
    rep_kpis, issues, lang = computed.rep_kpis, computed.issues, ctx.lang
    if key == "summary":
        return summary_tab(config, lang, title, rep_kpis, ctx.periods, ctx.as_of)
    if key == "ranking":
        return ranking_tab(config, lang, title, computed.ranking, rep_kpis)
    if key == "meeting_brief":
        rows = meeting_brief_rows(config, ctx, computed)
        return TabPlan(key, title, rows, 0, fit_widths([r for r in rows if len(r) > 1], lang))
    if key == "rep_kpis":
        rows = rep_kpi_rows(config, rep_kpis)
        status = Box(
            1, REP_KPI_HEADERS.index("Status"), len(rows), REP_KPI_HEADERS.index("Status") + 1
        )
        rules = (*status_rules(status), *band_rule(Box(1, 0, len(rows), len(REP_KPI_HEADERS))))
        return TabPlan(key, title, rows, 1, fit_widths(rows, MACHINE), rules=rules)
    if key == "data_issues":
        rows = issue_rows(issues, lang)
        tones: dict[str, Tone] = {lang.severity("error"): "bad", lang.severity("warning"): "warn"}
        severity = text_rules(Box(1, 0, len(rows), 1), tones)
        rules = (*severity, *band_rule(Box(1, 0, len(rows), len(ISSUE_HEADERS))))
        return TabPlan(key, title, rows, 1, fit_widths(rows, lang), rules=rules)
    if key == "sync_status":
        rows = status_rows(ctx, facts, issues)
        return TabPlan(key, title, rows, 0, fit_widths(rows, lang))
    return None


def _history(config: Config, table: pd.DataFrame | None, day: date) -> HistorySnapshot | None:
    title = config.output.title("history")
    if table is None or title is None:
        return None
    rows = history_rows(config, table)
    return HistorySnapshot("history", title, day, rows[0], rows[1:],
                           config.output.history_max_rows, fit_widths(rows, MACHINE))  # fmt: skip


def header(names: Sequence[str]) -> tuple[Cell, ...]:
    return tuple(Cell(name, bold=True) for name in names)


def _kpi_formats(config: Config) -> Mapping[str, KpiDef]:
    return {kpi.key: kpi for kpi in config.kpis}


def rep_kpi_rows(config: Config, rep_kpis: pd.DataFrame) -> tuple[tuple[Cell, ...], ...]:
    kpis = _kpi_formats(config)
    rows = [header(REP_KPI_HEADERS)]
    for record in rep_kpis.to_dict("records"):
        kpi = kpis[record["kpi"]]
        numbers = kpi_cells(kpi, record, ("actual", "target"))
        rates = kpi_cells(kpi, record, ("attainment", "expected", "pace"))
        rows.append((
            Cell(record["period"]), Cell(record["level"]), Cell(value(record["name"])),
            Cell(kpi.label), *numbers, Cell(value(record["target_source"])), *rates,
            Cell(value(record["status"])), *kpi_cells(kpi, record, ("projection",)),
        ))  # fmt: skip
    return tuple(rows)


HISTORY_HEADERS = (
    "Date", "Period", "Level", "Name", "KPI", "Actual", "Target", "Attainment", "Pace", "Status",
    "Rank",
)  # fmt: skip


def history_rows(config: Config, table: pd.DataFrame) -> tuple[tuple[Cell, ...], ...]:
    """History's header and one row per snapshot row (kpi.history.HISTORY_COLUMNS order)."""
    kpis = _kpi_formats(config)
    rows = [header(HISTORY_HEADERS)]
    for record in table.to_dict("records"):
        kpi = kpis[record["kpi"]]
        rows.append((
            Cell(record["date"], "yyyy-mm-dd"), Cell(record["period"]), Cell(record["level"]),
            Cell(value(record["name"])), Cell(kpi.key),
            *kpi_cells(kpi, record, ("actual", "target", "attainment", "pace")),
            Cell(value(record["status"])), Cell(value(record["rank"]), "0"),
        ))  # fmt: skip
    return tuple(rows)


def meeting_brief_rows(
    config: Config, ctx: RunContext, computed: Computed
) -> tuple[tuple[Cell, ...], ...]:
    """The Meeting brief tab (report.brief)."""
    coverage = set(computed.coverage)  # a set: thousands of reps give thousands of each
    data_issues = tuple(i for i in computed.issues if i not in coverage)
    return brief_rows(BriefInput(config, ctx, computed.rep_kpis, computed.ranking,
                                 computed.trends, computed.coverage, data_issues,
                                 computed.actions, computed.next_goals))  # fmt: skip


def issue_rows(issues: Sequence[Issue], lang: Language) -> tuple[tuple[Cell, ...], ...]:
    """The Data issues tab, errors first: headers and severities in `lang`; the problem and
    what was done are the sync stage's words, in English."""
    rows = [header([lang.text(f"col.{key}") for key in ISSUE_KEYS])]
    order = sorted(issues, key=lambda i: (i.severity != "error", i.tab, _cell_order(i.cell)))
    for issue in order:
        rows.append(tuple(Cell(text) for text in (
            lang.severity(issue.severity), issue.tab, issue.cell, issue.problem, issue.value,
            issue.action,
        )))  # fmt: skip
    return tuple(rows)


def _cell_order(cell: str) -> tuple[int, str]:
    digits = "".join(ch for ch in cell if ch.isdigit())
    return (int(digits) if digits else 0, cell)


def status_rows(
    ctx: RunContext, facts: RunFacts, issues: Sequence[Issue]
) -> tuple[tuple[Cell, ...], ...]:
    """The Sync status tab: first the "Refresh now" checkbox (at REFRESH_CELL, always written
    unticked, so a refresh clears a tick in the same write), then the facts of the run; labels
    and date formats in the team's language. The checkbox is found by its place, never by its
    label, so the daemon reads it in every language."""
    lang = ctx.lang
    errors = sum(1 for i in issues if i.severity == "error")
    counts = lang.text("sync.issue_counts", errors=lang.plural(errors, "error"),
                       warnings=lang.plural(len(issues) - errors, "warning"))  # fmt: skip
    pairs: list[tuple[str, CellValue, str | None]] = [
        ("last_run", ctx.ran_at.replace(tzinfo=None, microsecond=0), lang.datetime_format),
        ("as_of", ctx.as_of, lang.date_format),
        ("source", facts.source, None),
        ("rows_read", facts.rows_read, "#,##0"),
        ("rows_counted", facts.rows_counted, "#,##0"),
        ("rows_rejected", facts.rows_rejected, "#,##0"),
        ("data_issues", counts, None),
        ("api_calls", facts.api_calls, "0"),
        ("duration", round(facts.seconds, 3), "0.000"),
        ("version", facts.version, None),
    ]
    if facts.last_error is not None:
        message, when = facts.last_error
        pairs += [("last_error", message, None),
                  ("last_error_at", when.replace(tzinfo=None, microsecond=0),
                   lang.datetime_format)]  # fmt: skip
    refresh = (Cell(lang.text("sync.refresh_now"), bold=True), Cell(False, checkbox=True))
    return (refresh, *((Cell(lang.text(f"sync.{key}"), bold=True), Cell(val, fmt))
                       for key, val, fmt in pairs))  # fmt: skip
