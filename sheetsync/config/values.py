"""The validated, immutable configuration the rest of sheetsync reads.

Each class is a frozen pydantic dataclass: building one validates its fields' types (a KPI kind
outside `KpiKind` raises), assigning an attribute raises `dataclasses.FrozenInstanceError`, and
every mapping in it is read-only (a `types.MappingProxyType` over a private copy). Being real
dataclasses, they work with `dataclasses.replace`, which validates the new values too.

What a config *file* may hold, and the messages for what it may not, is `config.model`'s job; the
loader turns a validated file into these values (`config.build`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Literal

from annotated_types import Ge, Le
from pydantic import AfterValidator, ConfigDict
from pydantic.dataclasses import dataclass

from sheetsync.config.bounds import (
    CELLS_PER_TAB_MAX,
    PART_MB_MAX,
    RATIO_MAX,
    UNPACKED_MB_MAX,
    Deadline,
    Every,
    PerMinute,
    Poll,
    Port,
    Seconds,
    Share,
    SmtpTimeout,
)
from sheetsync.errors import ConfigError

KpiKind = Literal["sum", "count", "count_distinct", "ratio"]
PeriodKind = Literal["week", "month", "quarter", "year"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("week", "month", "quarter", "year")
OUTPUT_KEYS = (
    "summary", "ranking", "meeting_brief", "rep_kpis", "data_issues", "sync_status", "history",
    "goal_suggestions",
)  # fmt: skip
DEFAULT_TOTAL_LABEL = "Total"
"""The Goals tab's scope for the whole team unless `total_label` says otherwise."""
HISTORY_MAX_ROWS = 1_048_575
"""Data rows one History tab can hold: an xlsx sheet's 1,048,576 rows less the header."""

_VALUES = ConfigDict(extra="forbid", validate_default=True)


def _read_only(mapping: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping))


FloatMap = Annotated[Mapping[str, float], AfterValidator(_read_only)]
TextMap = Annotated[Mapping[str, str], AfterValidator(_read_only)]


@dataclass(frozen=True, config=_VALUES)
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


@dataclass(frozen=True, config=_VALUES)
class CalendarConfig:
    """Time zone, fiscal year and working days. Weekdays are numbered Monday=0 .. Sunday=6.

    `holidays` are the configured dates; `holidays_country` adds that country's public
    holidays. A run's working days, with the Holidays tab's dates, are a
    `periods.WorkCalendar` (`periods.work_calendar`)."""

    timezone: str = "UTC"
    fiscal_year_start: int = 1
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[date] = frozenset()
    holidays_tab: str | None = None
    holidays_country: str | None = None

    @property
    def fiscal(self) -> bool:
        return self.fiscal_year_start != 1


@dataclass(frozen=True, config=_VALUES)
class LocaleConfig:
    """How text typed into numeric and date cells is read."""

    decimal_separator: str = "."
    thousands_separator: str = ","
    date_formats: tuple[str, ...] = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
    currency_format: str = '"$"#,##0'


@dataclass(frozen=True, config=_VALUES)
class StatusThresholds:
    """pace >= on_track is On track; at_risk <= pace < on_track is At risk; below is Behind."""

    on_track: float = 1.0
    at_risk: float = 0.85


@dataclass(frozen=True, config=_VALUES)
class RankingConfig:
    """Weighted attainment score (weights, capped at `cap`), or plain ranking `by` one KPI."""

    period: PeriodKind = "month"
    weights: FloatMap = field(default_factory=dict)
    cap: float = 1.5
    by: str | None = None


@dataclass(frozen=True, config=_VALUES)
class ActivityConfig:
    """Where activity lives and how its columns are named (field key -> header)."""

    rep_tabs: str | None = "Rep - *"
    log_tab: str | None = None
    date_column: str = "Date"
    rep_column: str = "Rep"
    numbers: TextMap = field(default_factory=dict)
    texts: TextMap = field(default_factory=dict)


@dataclass(frozen=True, config=_VALUES)
class GoalsConfig:
    tab: str = "Goals"
    period_column: str = "Period"
    scope_column: str = "Scope"


@dataclass(frozen=True, config=_VALUES)
class RosterConfig:
    tab: str | None = "Roster"
    rep_column: str = "Rep"
    email_column: str = "Email"
    team_column: str = "Team"
    active_column: str = "Active"
    start_column: str = "Start"


@dataclass(frozen=True, config=_VALUES)
class ActionsConfig:
    """The Actions tab and its headers (defaults: the output language's names)."""

    tab: str | None = "Actions"
    agreed_column: str = "Agreed on"
    scope_column: str = "Rep or team"
    kpi_column: str = "KPI"
    action_column: str = "Action"
    owner_column: str = "Owner"
    due_column: str = "Due"
    done_column: str = "Done"

    def headers(self) -> tuple[str, ...]:
        """The headers in the tab's order."""
        return (self.agreed_column, self.scope_column, self.kpi_column, self.action_column,
                self.owner_column, self.due_column, self.done_column)  # fmt: skip


@dataclass(frozen=True, config=_VALUES)
class XlsxLimits:
    """How big an .xlsx may be before it is refused unread (`source.limits`).

    Sizes are those the package declares, checked before anything is inflated: the whole
    package unpacked, any one part, and a part's unpacked size over its stored size (a zip
    bomb packs gigabytes of one repeated byte into kilobytes; real sheets pack about 5 to 20
    times). `cells_per_tab`: above this many cells from a tab's first to its last cell, the tab
    is read cell by cell (slower, never a dense block of the empty cells in between).
    """

    unpacked_mb: Annotated[int, Ge(1), Le(UNPACKED_MB_MAX)] = 2048
    part_mb: Annotated[int, Ge(1), Le(PART_MB_MAX)] = 512
    ratio: Annotated[int, Ge(1), Le(RATIO_MAX)] = 200
    cells_per_tab: Annotated[int, Ge(1), Le(CELLS_PER_TAB_MAX)] = 50_000_000


@dataclass(frozen=True, config=_VALUES)
class SourceConfig:
    """xlsx: `path` (and optional `output_path`); google: `spreadsheet` id or URL + credentials."""

    type: Literal["xlsx", "google"]
    path: Path | None = None
    output_path: Path | None = None
    spreadsheet: str | None = None
    credentials_file: Path | None = None
    limits: XlsxLimits = XlsxLimits()
    deadline_seconds: Deadline = 120.0
    """google: the seconds a whole refresh may take, retries and their waits included."""


@dataclass(frozen=True, config=_VALUES)
class OutputConfig:
    """Output tab names by key (a key missing from `tabs` is switched off) and the language of
    what people read in them (a code of `sheetsync.i18n.LANGUAGES`)."""

    tabs: TextMap
    history_max_rows: Annotated[int, Ge(1), Le(HISTORY_MAX_ROWS)] = 250_000
    language: str = "en"

    def title(self, key: str) -> str | None:
        return self.tabs.get(key)


@dataclass(frozen=True, config=_VALUES)
class SnapshotSchedule:
    """When History snapshots are taken: `every` day, a weekday (0 is Monday) or a day of the
    month, at `hour`:`minute` in the config's time zone."""

    every: Literal["day", "week", "month"]
    hour: int
    minute: int
    weekday: int | None = None
    day: int | None = None

    def at(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


@dataclass(frozen=True, config=_VALUES)
class QuotaConfig:
    reads_per_minute: PerMinute = 60
    writes_per_minute: PerMinute = 60
    margin: Share = 0.9


@dataclass(frozen=True, config=_VALUES)
class DaemonConfig:
    """The `daemon:` section's values (see DaemonFile for each key; the ranges are `bounds`')."""

    name: str = "sheetsync"
    every: Every = 300
    snapshot: SnapshotSchedule | None = SnapshotSchedule("day", 18, 0)
    poll: Poll | None = 60
    retry_first: Seconds = 60
    retry_max: Seconds = 3600
    stale_after: Seconds = 1800
    state_file: str | None = None
    http: tuple[str, Port] | None = None
    token_env: str = "SHEETSYNC_TOKEN"
    quota: QuotaConfig = QuotaConfig()


@dataclass(frozen=True, config=_VALUES)
class SmtpConfig:
    host: str
    port: Port
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password_env: str = "SHEETSYNC_SMTP_PASSWORD"
    timeout: SmtpTimeout = 30.0


@dataclass(frozen=True, config=_VALUES)
class EmailConfig:
    """The `email:` section's values (see config/email.py for each key)."""

    sender: str
    smtp: SmtpConfig
    sender_name: str = "sheetsync"
    managers: tuple[str, ...] = ()
    scorecards: bool = True
    reps_see_ranking: bool = True
    schedule: SnapshotSchedule | None = SnapshotSchedule("week", 7, 0, weekday=0)
    link: str | None = None
    templates: str | None = None
    sent_log: str | None = None


@dataclass(frozen=True, config=_VALUES)
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
    daemon: DaemonConfig = DaemonConfig()
    email: EmailConfig | None = None
    total_label: str = DEFAULT_TOTAL_LABEL
    path: Path | None = None
    actions: ActionsConfig = ActionsConfig(tab=None)

    def kpi(self, key: str) -> KpiDef:
        """The KPI `key`; a key the config does not define is a `ConfigError` (exit code 2) that
        names the config file, the key path `kpis` and the KPIs it has."""
        found = next((kpi for kpi in self.kpis if kpi.key == key), None)
        if found is None:
            known = ", ".join(kpi.key for kpi in self.kpis) or "(none)"
            raise ConfigError(str(self.path or "config"), "kpis", f"no KPI {key!r}; KPIs: {known}")
        return found
