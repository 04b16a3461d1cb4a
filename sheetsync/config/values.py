"""The validated, immutable configuration. Loading and validation live in `configload`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

KpiKind = Literal["sum", "count", "count_distinct", "ratio"]
PeriodKind = Literal["week", "month", "quarter", "year"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("week", "month", "quarter", "year")
OUTPUT_KEYS = (
    "summary", "ranking", "rep_kpis", "meeting_brief", "data_issues", "sync_status", "history",
)  # fmt: skip


@dataclass(frozen=True)
class KpiDef:
    """One KPI. `column` names an activity field (sum, count_distinct); ratios name two KPIs."""

    key: str
    kind: KpiKind
    label: str
    column: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    number_format: str = "#,##0"

    @property
    def additive(self) -> bool:
        """Sum and count KPIs add up over periods and people; ratios and distinct counts do not."""
        return self.kind in ("sum", "count")


@dataclass(frozen=True)
class CalendarConfig:
    """Time zone, fiscal year and working days. Weekdays are numbered Monday=0 .. Sunday=6."""

    timezone: str = "UTC"
    fiscal_year_start: int = 1
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[date] = frozenset()
    holidays_tab: str | None = None

    @property
    def fiscal(self) -> bool:
        return self.fiscal_year_start != 1


@dataclass(frozen=True)
class LocaleConfig:
    """How text typed into numeric and date cells is read."""

    decimal_separator: str = "."
    thousands_separator: str = ","
    date_formats: tuple[str, ...] = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
    currency_format: str = '"$"#,##0'


@dataclass(frozen=True)
class StatusThresholds:
    """pace >= on_track is On track; at_risk <= pace < on_track is At risk; below is Behind."""

    on_track: float = 1.0
    at_risk: float = 0.85


@dataclass(frozen=True)
class RankingConfig:
    """Weighted attainment score (weights, capped at `cap`), or plain ranking `by` one KPI."""

    period: PeriodKind = "month"
    weights: Mapping[str, float] = field(default_factory=dict)
    cap: float = 1.5
    by: str | None = None


@dataclass(frozen=True)
class ActivityConfig:
    """Where activity lives and how its columns are named (field key -> header)."""

    rep_tabs: str | None = "Rep - *"
    log_tab: str | None = None
    date_column: str = "Date"
    rep_column: str = "Rep"
    numbers: Mapping[str, str] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GoalsConfig:
    tab: str = "Goals"
    period_column: str = "Period"
    scope_column: str = "Scope"


@dataclass(frozen=True)
class RosterConfig:
    tab: str | None = "Roster"
    rep_column: str = "Rep"
    email_column: str = "Email"
    team_column: str = "Team"
    active_column: str = "Active"


@dataclass(frozen=True)
class XlsxLimits:
    """How big an .xlsx may be before it is refused unread (`source.limits`).

    Sizes are those the package declares, checked before anything is inflated: the whole
    package unpacked, any one part, and a part's unpacked size over its stored size (a zip
    bomb packs gigabytes of one repeated byte into kilobytes; real sheets pack about 5 to 20
    times). `cells_per_tab`: above this many cells from a tab's first to its last cell, the tab
    is read cell by cell (slower, never a dense block of the empty cells in between).
    """

    unpacked_mb: int = 2048
    part_mb: int = 512
    ratio: int = 200
    cells_per_tab: int = 50_000_000


@dataclass(frozen=True)
class SourceConfig:
    """xlsx: `path` (and optional `output_path`); google: `spreadsheet` id or URL + credentials."""

    type: Literal["xlsx", "google"]
    path: Path | None = None
    output_path: Path | None = None
    spreadsheet: str | None = None
    credentials_file: Path | None = None
    limits: XlsxLimits = XlsxLimits()


@dataclass(frozen=True)
class OutputConfig:
    """Output tab names by key; a key missing from `tabs` is switched off."""

    tabs: Mapping[str, str]

    def title(self, key: str) -> str | None:
        return self.tabs.get(key)


@dataclass(frozen=True)
class Config:
    source: SourceConfig
    activity: ActivityConfig
    goals: GoalsConfig
    roster: RosterConfig
    kpis: tuple[KpiDef, ...]
    calendar: CalendarConfig = CalendarConfig()
    locale: LocaleConfig = LocaleConfig()
    status: StatusThresholds = StatusThresholds()
    ranking: RankingConfig = RankingConfig()
    output: OutputConfig = OutputConfig(tabs={})
    total_label: str = "Total"
    path: Path | None = None

    def kpi(self, key: str) -> KpiDef:
        return next(k for k in self.kpis if k.key == key)
