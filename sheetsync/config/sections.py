"""The sections of the config file as pydantic models: source, calendar, locale, activity,
goals, roster, actions, KPIs, status, ranking and output (the daemon's and e-mail's are in
`daemon` and `email`). What each key may hold, its default and what it means; the attribute
docstrings are the JSON Schema's descriptions. `model.ConfigFile` puts them together and checks
the rules that tie them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from annotated_types import Ge, Le
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    model_validator,
)

from sheetsync.config import rules
from sheetsync.config.bounds import DEADLINE
from sheetsync.config.fields import (
    Cap,
    CellsPerTab,
    CountryCode,
    DateFormats,
    Dates,
    HistoryRows,
    LanguageCode,
    Month,
    OptionalText,
    OutputTab,
    PartMb,
    Ratio,
    Text,
    Threshold,
    UnpackedMb,
    Weekdays,
    Weight,
)
from sheetsync.config.rules import problem
from sheetsync.config.section import Section
from sheetsync.config.values import OUTPUT_KEYS, KpiKind, PeriodKind
from sheetsync.i18n import language
from sheetsync.spreadsheet import norm

SpreadsheetRef = Annotated[
    Text | None, BeforeValidator(rules.not_a_key(rules.SPREADSHEET, rules.SPREADSHEET_HINT))
]
KeyFilePath = Annotated[
    OptionalText, BeforeValidator(rules.not_a_key(rules.KEY_FILE, rules.KEY_FILE_HINT))
]
DeadlineSeconds = Annotated[float, Strict(), Ge(DEADLINE[0]), Le(DEADLINE[1])]


def false_too(schema: dict[str, Any]) -> None:
    """The JSON Schema of a section that `false` switches off, as `null` does."""
    schema["anyOf"].append({"const": False, "type": "boolean"})


class XlsxLimitsFile(Section):
    """xlsx: a workbook past these limits is refused before it is read."""

    unpacked_mb: UnpackedMb = 2048
    """Refuse a package unpacking to more MB than this, or a workbook file larger than this
    (1 to 16384)."""
    part_mb: PartMb = 512
    """Refuse a package with one part (a tab, the shared strings) over this many MB (1 to
    4096)."""
    ratio: Ratio = 200
    """Refuse a part over 1 MB unpacking to more than this many times its packed size (zip
    bombs; real tabs pack 5 to 20 times; 1 to 10000)."""
    cells_per_tab: CellsPerTab = 50_000_000
    """Read a tab cell by cell when its first-to-last-cell area is larger than this (1 to
    250000000)."""


class SourceFile(Section):
    """Where the activity is read and the output tabs are written."""

    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"type": {"const": "xlsx"}}},
        "then": {"required": ["path"]},
        "else": {"required": ["spreadsheet"]},
    })  # fmt: skip

    type: Literal["xlsx", "google"]
    """xlsx (a local workbook) or google (a Google Sheets spreadsheet)."""
    path: Text | None = None
    """xlsx (required): the workbook to read and, by default, to write into; relative to the
    config file."""
    output_path: OptionalText = None
    """xlsx: write the output tabs into this workbook instead (the source is then only read)."""
    spreadsheet: SpreadsheetRef = None
    """google (required): the spreadsheet id or its full URL."""
    credentials_file: KeyFilePath = None
    """google: the path of a service-account key file (never the key itself); default:
    Application Default Credentials."""
    deadline_seconds: DeadlineSeconds = 120
    """google: the most seconds a refresh may take, from its first read to the answer of its
    write, retries and their waits included (10-3600). Each request also has a 10 s connect
    and a 60 s read timeout."""
    limits: XlsxLimitsFile = Field(default_factory=XlsxLimitsFile)
    """xlsx: size limits past which a workbook is refused unread (zip bombs, huge tabs)."""

    @model_validator(mode="after")
    def _required_by_type(self) -> SourceFile:
        needed = "path" if self.type == "xlsx" else "spreadsheet"
        if getattr(self, needed) is None:
            raise rules.problem("is required (text)", at=needed)
        return self


class CalendarFile(Section):
    """Time zone, fiscal year and the days that count for pace."""

    timezone: Annotated[Text, AfterValidator(rules.timezone)] = "UTC"
    """An IANA time zone name like Europe/Warsaw; "today" is taken there."""
    fiscal_year_start: Month = 1
    """The month the fiscal year starts: 1-12 or a name (April). Not 1: quarters and years are
    fiscal, labelled FY2027 and FY2027-Q1."""
    working_days: Weekdays = ("Mon", "Tue", "Wed", "Thu", "Fri")
    """The weekdays that count for pace: Mon, Tue, ... Sun, Polish Pon, Wt, Śr, Czw, Pt, Sob,
    Nd, or full names, in any case."""
    holidays: Dates = ()
    """Dates (YYYY-MM-DD) that are not working days."""
    holidays_tab: OptionalText = None
    """A tab with one holiday date per row in column A."""
    holidays_country: CountryCode = None
    """A country code (PL, DE, US...): its public holidays are not working days either, with
    the dates above and the holidays tab (the `holidays` package's calendar)."""


class LocaleFile(Section):
    """How text typed into number and date cells is read."""

    decimal_separator: Literal[".", ","] = "."
    """The decimal separator of numbers typed as text."""
    thousands_separator: Annotated[str | None, BeforeValidator(rules.empty_is_none)] = None
    """The thousands separator; default "," (or a space when the decimal separator is ",")."""
    date_formats: DateFormats = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
    """strftime patterns for dates typed as text, tried in order."""
    currency_format: Text | None = None
    """The number format pattern that `format: currency` stands for; default: the output
    language's ('"$"#,##0' for en, '#,##0.00 "zł"' for pl)."""

    @property
    def thousands(self) -> str:
        return self.thousands_separator or ("," if self.decimal_separator == "." else " ")

    @model_validator(mode="after")
    def _separators_differ(self) -> LocaleFile:
        if self.thousands == self.decimal_separator:
            raise rules.problem("must differ from decimal_separator", at="thousands_separator")
        return self


class ActivityFile(Section):
    """Where activity lives and how its columns are named."""

    rep_tabs: Annotated[OptionalText, AfterValidator(rules.rep_tabs)] = "Rep - *"
    """Rep tabs: a tab title pattern with a `*` where the rep's name is (glob: * any text, ? one
    character, [abc] one of a set, [!abc] none of it), or null for none."""
    log_tab: OptionalText = None
    """A shared activity tab with a rep column."""
    date_column: Text = "Date"
    """The header of the date column."""
    rep_column: Text = "Rep"
    """The header of the rep column (needed in the log tab; optional in rep tabs)."""
    numbers: dict[str, Text] = Field(default_factory=dict)
    """Numeric fields: field key -> column header (headers match ignoring case and spaces)."""
    texts: dict[str, Text] = Field(default_factory=dict)
    """Text fields, carried and never required, usable by count_distinct: field key -> header."""

    @model_validator(mode="after")
    def _tabs_and_fields(self) -> ActivityFile:
        if not self.rep_tabs and not self.log_tab:
            raise rules.problem(
                "set rep_tabs (a tab title pattern) or log_tab, or both", "rep_tabs"
            )
        clash = set(self.numbers) & set(self.texts)
        if clash:
            raise rules.problem(f"field {sorted(clash)[0]!r} is also listed under numbers", "texts")
        return self


class GoalsFile(Section):
    """The goals tab, wide: Period | Scope | one column per KPI (its label or key)."""

    tab: Text = "Goals"
    """The goals tab's name."""
    period_column: Text = "Period"
    """Periods like 2026-11, 2026-Q4, 2026, 2026-W48, FY2027, FY2027-Q1."""
    scope_column: Text = "Scope"
    """A rep, a team from the roster, or the total label."""


class RosterFile(Section):
    """The roster tab: reps, their e-mails, teams and whether they are active."""

    tab: Text = "Roster"
    """The roster tab's name."""
    rep_column: Text = "Rep"
    """The header of the reps' names."""
    email_column: Text = "Email"
    """The header of the reps' e-mail addresses."""
    team_column: Text = "Team"
    """The header of the reps' teams."""
    active_column: Text = "Active"
    """yes/no; inactive reps count in team totals but are not ranked."""
    start_column: Text = "Start"
    """Optional: the day the rep started (goal suggestions ramp new reps up from it)."""


class ActionsFile(Section):
    """The optional Actions tab: what a meeting agreed, followed up in the brief and e-mails.
    A name left out is the output language's (`Actions`, `Działania`; see the README)."""

    tab: OptionalText = None
    """The actions tab's name."""
    agreed_column: OptionalText = None
    """The day the meeting agreed the action (a date)."""
    scope_column: OptionalText = None
    """The rep or team the action is for."""
    kpi_column: OptionalText = None
    """Optional: the KPI (label or key) the action should move."""
    action_column: OptionalText = None
    """What is to be done (text)."""
    owner_column: OptionalText = None
    """Who does it."""
    due_column: OptionalText = None
    """When it is due (a date)."""
    done_column: OptionalText = None
    """A checkbox: TRUE/FALSE, yes/no, x."""


class KpiFile(Section):
    """One KPI: its kind, its label, and the field (sum, count_distinct) or the two KPIs (ratio)
    it is computed from."""

    model_config = ConfigDict(json_schema_extra={"allOf": [
        {"if": {"properties": {"kind": {"enum": ["sum", "count_distinct"]}}},
         "then": {"required": ["column"]}},
        {"if": {"properties": {"kind": {"const": "ratio"}}},
         "then": {"required": ["numerator", "denominator"]}},
    ]})  # fmt: skip

    @model_validator(mode="before")
    @classmethod
    def _null_is_empty(cls, data: Any) -> Any:
        return {} if data is None else data

    kind: KpiKind
    """sum (of an activity field), count (of entries), count_distinct (of a field's values) or
    ratio (of two KPIs)."""
    label: Text | None = None
    """The name shown and matched in the goals tab; default: the key, capitalised."""
    column: Text | None = None
    """sum, count_distinct (required): an activity field key."""
    numerator: Text | None = None
    """ratio (required): another KPI's key."""
    denominator: Text | None = None
    """ratio (required): another KPI's key."""
    format: Annotated[Text, AfterValidator(rules.number_format)] | None = None
    """integer (default), number, decimal, percent (default for ratios), currency, or a number
    format pattern such as '#,##0.0 "h"'."""

    @model_validator(mode="after")
    def _inputs_of_kind(self) -> KpiFile:
        needed = {"sum": ("column",), "count_distinct": ("column",),
                  "ratio": ("numerator", "denominator")}.get(self.kind, ())  # fmt: skip
        missing = next((key for key in needed if getattr(self, key) is None), None)
        if missing is not None:
            raise rules.problem("is required (text)", at=missing)
        return self


class StatusFile(Section):
    """Thresholds on pace (actual / expected so far)."""

    on_track: Threshold = 1.0
    """pace >= on_track: On track."""
    at_risk: Threshold = 0.85
    """at_risk <= pace < on_track: At risk; below: Behind."""

    @model_validator(mode="after")
    def _at_risk_below_on_track(self) -> StatusFile:
        if self.at_risk > self.on_track:
            raise rules.problem(f"must not exceed on_track ({self.on_track:g})", at="at_risk")
        return self


class RankingFile(Section):
    """The leaderboard: a weighted attainment score, or one KPI's actual (`by`)."""

    period: PeriodKind = "month"
    """The period ranked."""
    weights: dict[str, Weight] | None = None
    """KPI key: weight >= 0; default: every KPI weighs 1."""
    cap: Cap = 1.5
    """Attainment above this counts as this."""
    by: OptionalText = None
    """A KPI key: rank by its actual instead of the weighted score."""

    @model_validator(mode="after")
    def _some_weight(self) -> RankingFile:
        if self.weights is not None and not any(self.weights.values()):
            raise rules.problem("at least one weight must be above 0", at="weights")
        return self


class OutputFile(Section):
    """Output tab names: at most 31 characters, none of [ ] : * ? / \\, no apostrophe first or
    last, one output each; false switches an output off. A name not given here is the output
    language's (the defaults below are English)."""

    language: LanguageCode = "en"
    """The language of headers, statuses, the brief's phrases, the e-mails, number and date
    formats and the default tab names: en or pl (docs/languages.md). Rep KPIs and History keep
    English headers and values, their machine keys."""

    summary: OutputTab = "Summary"
    """The total and each team for the current week, month, quarter and year."""
    ranking: OutputTab = "Ranking"
    """The leaderboard."""
    meeting_brief: OutputTab = "Meeting brief"
    """The agenda for the team meeting: headlines, who is behind, changes, discussion points."""
    rep_kpis: OutputTab = "Rep KPIs"
    """The long table of every rep, team and the total, every KPI and period."""
    data_issues: OutputTab = "Data issues"
    """Every cell that could not be used, and what was done."""
    sync_status: OutputTab = "Sync status"
    """When the last refresh ran, what it read and how long it took."""
    history: OutputTab = "KPI history"
    """Snapshots of the KPI table, added by `refresh --snapshot` (one per day; Excel reserves
    the name "History")."""
    goal_suggestions: OutputTab = "Goal suggestions"
    """Suggested goals for a coming period, written by `sheetsync goals suggest` only."""
    history_max_rows: HistoryRows = 250_000
    """The most data rows History keeps; past it, a snapshot drops the oldest days whole."""

    @model_validator(mode="after")
    def _one_tab_each(self) -> OutputFile:
        outputs_differ(self.tabs())
        return self

    def tabs(self) -> dict[str, str]:
        """The switched-on outputs' tab names by key, in order: the configured name, or the
        language's default for a key not given."""
        lang = language(self.language)
        titles = {key: title if key in self.model_fields_set else lang.tab(key)
                  for key, title in self if key in OUTPUT_KEYS}  # fmt: skip
        return {key: title for key, title in titles.items() if title is not None}


def outputs_differ(tabs: Mapping[str, str]) -> None:
    """Each output its own tab (called from the output section: `at` is below `output`)."""
    for key, title in tabs.items():
        other = next((k for k, t in tabs.items() if k != key and norm(t) == norm(title)), None)
        if other is not None:
            raise problem(f"tab name {title!r} is used for two outputs, also by output.{other}; "
                          "give each output its own tab name (case and spacing are ignored)",
                          at=key)  # fmt: skip
