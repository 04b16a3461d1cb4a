"""Load a YAML config file into validated, immutable `Config` values.

Every error is a `ConfigError` naming the file, the key path and what is allowed. Secrets never
live in the config text: Google credentials are given as a file path (or come from the
environment, see `backends.google`). Reading the file's bytes and its YAML is `configread`'s job.

Tab names are checked here: output tab names against Excel's rules (`check_tab_name`), outputs
against each other and against the named input tabs (names match ignoring case and spacing, as
the reader matches tabs), and `activity.rep_tabs` must be a glob with a `*` for the rep's name.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sheetsync.config.values import (
    OUTPUT_KEYS,
    PERIOD_KINDS,
    ActivityConfig,
    CalendarConfig,
    Config,
    GoalsConfig,
    KpiDef,
    KpiKind,
    LocaleConfig,
    OutputConfig,
    PeriodKind,
    RankingConfig,
    RosterConfig,
    SourceConfig,
    StatusThresholds,
    XlsxLimits,
)
from sheetsync.config.yamlread import Node, decode_config, load_yaml
from sheetsync.errors import ConfigError
from sheetsync.spreadsheet import norm, title_pattern

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DEFAULT_OUTPUT_TABS = {
    "summary": "Summary",
    "ranking": "Ranking",
    "rep_kpis": "Rep KPIs",
    "meeting_brief": "Meeting brief",
    "data_issues": "Data issues",
    "sync_status": "Sync status",
    "history": "History",
}
NAMED_FORMATS = {
    "integer": "#,##0",
    "number": "#,##0.00",
    "decimal": "#,##0.0",
    "percent": "0.0%",
}
TAB_NAME_MAX = 31  # Excel's limit on a tab name's length
TAB_NAME_FORBIDDEN = "[]:*?/\\"  # characters Excel refuses in a tab name
TOP_KEYS = (
    "source", "calendar", "locale", "activity", "goals", "roster", "kpis", "status",
    "ranking", "output", "total_label",
)  # fmt: skip


def load_config(path: str | Path) -> Config:
    """Read and validate the config file at `path`."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError(str(file), "", "file not found") from None
    except OSError as exc:
        raise ConfigError(str(file), "", f"cannot be read: {exc.strerror}") from exc
    return parse_config(decode_config(data, str(file)), file)


def parse_config(text: str, file: Path) -> Config:
    """Validate config `text`; relative paths in it are taken from `file`'s folder."""
    data = load_yaml(text, str(file))
    if not isinstance(data, dict):
        raise ConfigError(str(file), "", "expected a YAML mapping at the top level")
    root = Node(str(file), "", data)
    root.check_keys(TOP_KEYS)
    locale = _locale(root.node("locale"))
    activity = _activity(root.node("activity", required=True))
    kpis = _kpis(root.node("kpis", required=True), activity, locale)
    config = Config(
        source=_source(root.node("source", required=True), file.parent),
        activity=activity,
        goals=_goals(root.node("goals")),
        roster=_roster(root),
        kpis=kpis,
        calendar=_calendar(root.node("calendar")),
        locale=locale,
        status=_status(root.node("status")),
        ranking=_ranking(root.node("ranking"), kpis),
        output=_output(root.node("output")),
        total_label=root.text("total_label", "Total"),
        path=file,
    )
    _check_inputs_are_not_outputs(root, config)
    return config


def _source(node: Node, base: Path) -> SourceConfig:
    node.check_keys(("type", "path", "output_path", "spreadsheet", "credentials_file", "limits"))
    kind = node.choice("type", ("xlsx", "google"))
    if kind == "xlsx":
        output = node.optional_text("output_path")
        return SourceConfig(
            type="xlsx",
            path=base / node.text("path", required=True),
            output_path=base / output if output else None,
            limits=_limits(node.node("limits")),
        )
    credentials = node.optional_text("credentials_file")
    return SourceConfig(
        type="google",
        spreadsheet=node.text("spreadsheet", required=True),
        credentials_file=base / credentials if credentials else None,
    )


def _limits(node: Node) -> XlsxLimits:
    defaults = XlsxLimits()
    node.check_keys(tuple(f.name for f in dataclasses.fields(XlsxLimits)))
    values = {
        f.name: int(node.number(f.name, getattr(defaults, f.name), low=1, high=10**12))
        for f in dataclasses.fields(XlsxLimits)
    }
    return XlsxLimits(**values)


def _calendar(node: Node) -> CalendarConfig:
    node.check_keys(("timezone", "fiscal_year_start", "working_days", "holidays", "holidays_tab"))
    zone = node.text("timezone", "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        node.fail("timezone", f"unknown time zone {zone!r}; use an IANA name like Europe/Warsaw")
    return CalendarConfig(
        timezone=zone,
        fiscal_year_start=_month(node),
        working_days=_weekdays(node),
        holidays=frozenset(node.date_list("holidays")),
        holidays_tab=node.optional_text("holidays_tab"),
    )


def _month(node: Node) -> int:
    value = node.raw("fiscal_year_start")
    if value is None:
        return 1
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
        return value
    name = str(value).strip().lower()[:3]
    if name in MONTHS:
        return MONTHS.index(name) + 1
    node.fail("fiscal_year_start", f"expected a month 1-12 or a name like April, got {value!r}")


def _weekdays(node: Node) -> frozenset[int]:
    names = node.text_list("working_days", ("Mon", "Tue", "Wed", "Thu", "Fri"))
    days = set()
    for name in names:
        short = name.lower()[:3]
        if short not in WEEKDAYS:
            node.fail("working_days", f"unknown weekday {name!r}; allowed: Mon, Tue, ... Sun")
        days.add(WEEKDAYS.index(short))
    if not days:
        node.fail("working_days", "needs at least one weekday")
    return frozenset(days)


def _locale(node: Node) -> LocaleConfig:
    node.check_keys(("decimal_separator", "thousands_separator", "date_formats", "currency_format"))
    decimal = node.choice("decimal_separator", (".", ","), ".")
    default_thousands = "," if decimal == "." else " "
    thousands = str(node.raw("thousands_separator") or default_thousands)
    if thousands == decimal:
        node.fail("thousands_separator", "must differ from decimal_separator")
    formats = node.text_list("date_formats", LocaleConfig().date_formats)
    for fmt in formats:
        if "%" not in fmt:
            node.fail("date_formats", f"{fmt!r} is not a strftime pattern like %d.%m.%Y")
    return LocaleConfig(decimal, thousands, formats, node.text("currency_format", '"$"#,##0'))


def _activity(node: Node) -> ActivityConfig:
    node.check_keys(("rep_tabs", "log_tab", "date_column", "rep_column", "numbers", "texts"))
    activity = ActivityConfig(
        rep_tabs=node.optional_text("rep_tabs", "Rep - *"),
        log_tab=node.optional_text("log_tab"),
        date_column=node.text("date_column", "Date"),
        rep_column=node.text("rep_column", "Rep"),
        numbers=node.text_map("numbers"),
        texts=node.text_map("texts"),
    )
    if not activity.rep_tabs and not activity.log_tab:
        node.fail("rep_tabs", "set rep_tabs (a tab title pattern) or log_tab, or both")
    if activity.rep_tabs:
        _check_rep_tabs(node, activity.rep_tabs)
    clash = set(activity.numbers) & set(activity.texts)
    if clash:
        node.fail("texts", f"field {sorted(clash)[0]!r} is also listed under numbers")
    return activity


def _check_rep_tabs(node: Node, pattern: str) -> None:
    """A glob (`*`, `?`, `[seq]`, `[!seq]`) with a `*` outside [...] for the rep's name."""
    try:
        regex = title_pattern(pattern)
    except re.error as exc:
        rules = "use * for the rep's name, ? for one character, [abc] for one of a set"
        node.fail("rep_tabs", f"{pattern!r} is not a valid pattern ({exc}); {rules}")
    if not regex.groups:
        where = "to mark where the rep's name is in the tab title"
        node.fail("rep_tabs", f"{pattern!r} has no '*' {where}; use a pattern like 'Rep - *'")


def _kpis(node: Node, activity: ActivityConfig, locale: LocaleConfig) -> tuple[KpiDef, ...]:
    if not node.data:
        node.fail("", "define at least one KPI")
    kpis = [_kpi(node.node(key), key, activity, locale) for key, _ in node.items()]
    keys = {k.key for k in kpis}
    for kpi in kpis:
        for part in ("numerator", "denominator"):
            ref = getattr(kpi, part)
            if kpi.kind == "ratio" and ref not in keys - {kpi.key}:
                node.fail(f"{kpi.key}.{part}", f"names no other KPI; KPIs: {', '.join(keys)}")
    return tuple(kpis)


def _kpi(node: Node, key: str, activity: ActivityConfig, locale: LocaleConfig) -> KpiDef:
    node.check_keys(("kind", "label", "column", "numerator", "denominator", "format"))
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        node.fail("", "a KPI key must be letters, digits and underscores")
    kind: KpiKind = node.choice("kind", get_args(KpiKind))  # type: ignore[assignment]
    column = numerator = denominator = None
    if kind == "sum":
        column = _field(node, activity.numbers)
    elif kind == "count_distinct":
        column = _field(node, {**activity.numbers, **activity.texts})
    elif kind == "ratio":
        numerator, denominator = node.text("numerator"), node.text("denominator")
    default_format = "percent" if kind == "ratio" else "integer"
    return KpiDef(
        key=key,
        kind=kind,
        label=node.text("label", key.replace("_", " ").capitalize()),
        column=column,
        numerator=numerator,
        denominator=denominator,
        number_format=_format(node, default_format, locale),
    )


def _field(node: Node, fields: Mapping[str, str]) -> str:
    column = node.text("column", required=True)
    if column not in fields:
        allowed = ", ".join(fields) or "(none defined under activity)"
        node.fail("column", f"{column!r} is not an activity field; allowed: {allowed}")
    return column


def _format(node: Node, default: str, locale: LocaleConfig) -> str:
    name = node.text("format", default)
    if name == "currency":
        return locale.currency_format
    if name in NAMED_FORMATS:
        return NAMED_FORMATS[name]
    if "0" in name or "#" in name:
        return name
    allowed = ", ".join(("currency", *NAMED_FORMATS))
    node.fail("format", f"got {name!r}; allowed: {allowed}, or a number format pattern")


def _goals(node: Node) -> GoalsConfig:
    node.check_keys(("tab", "period_column", "scope_column"))
    return GoalsConfig(
        node.text("tab", "Goals"), node.text("period_column", "Period"),
        node.text("scope_column", "Scope"),
    )  # fmt: skip


def _roster(root: Node) -> RosterConfig:
    if "roster" in root.data and root.data["roster"] in (None, False):
        return RosterConfig(tab=None)
    node = root.node("roster")
    node.check_keys(("tab", "rep_column", "email_column", "team_column", "active_column"))
    return RosterConfig(
        tab=node.text("tab", "Roster"),
        rep_column=node.text("rep_column", "Rep"),
        email_column=node.text("email_column", "Email"),
        team_column=node.text("team_column", "Team"),
        active_column=node.text("active_column", "Active"),
    )


def _status(node: Node) -> StatusThresholds:
    node.check_keys(("on_track", "at_risk"))
    on_track = node.number("on_track", 1.0, low=0.0, high=10.0)
    at_risk = node.number("at_risk", 0.85, low=0.0, high=10.0)
    if at_risk > on_track:
        node.fail("at_risk", f"must not exceed on_track ({on_track:g})")
    return StatusThresholds(on_track, at_risk)


def _ranking(node: Node, kpis: tuple[KpiDef, ...]) -> RankingConfig:
    node.check_keys(("period", "weights", "cap", "by"))
    keys = [k.key for k in kpis]
    period: PeriodKind = node.choice("period", PERIOD_KINDS, "month")  # type: ignore[assignment]
    by = node.optional_text("by")
    if by is not None and by not in keys:
        node.fail("by", f"{by!r} is not a KPI; allowed: {', '.join(keys)}")
    weights = _weights(node.node("weights"), keys) if node.has("weights") else {}
    if by is None and not weights:
        weights = {key: 1.0 for key in keys}
    return RankingConfig(period, weights, node.number("cap", 1.5, low=0.01, high=100.0), by)


def _weights(node: Node, keys: list[str]) -> dict[str, float]:
    weights = {}
    for key, _ in node.items():
        if key not in keys:
            node.fail(key, f"is not a KPI; allowed: {', '.join(keys)}")
        weights[key] = node.number(key, 1.0, low=0.0, high=1000.0)
    if not any(weights.values()):
        node.fail("", "at least one weight must be above 0")
    return weights


def _output(node: Node) -> OutputConfig:
    node.check_keys(OUTPUT_KEYS)
    tabs = {}
    for key in OUTPUT_KEYS:
        value = node.raw(key)
        if isinstance(value, str) and not value.strip():
            node.fail(key, "a tab name must not be empty; use false to switch this output off")
        title = node.optional_text(key, DEFAULT_OUTPUT_TABS[key])
        if title is not None:
            check_tab_name(node, key, title)
            tabs[key] = title
    for key, title in tabs.items():
        other = next((k for k, t in tabs.items() if k != key and norm(t) == norm(title)), None)
        if other is not None:
            node.fail(key, f"tab name {title!r} is used for two outputs, also by "
                           f"{node.key_path(other)}; give each output its own tab name "
                           "(case and spacing are ignored)")  # fmt: skip
    return OutputConfig(tabs=tabs)


def check_tab_name(node: Node, key: str, title: str) -> None:
    """Excel's rules for a tab name: at most 31 characters, none of [ ] : * ? / \\, and no
    apostrophe first or last.

    Excel's own rename box also refuses `History` (reserved for its change-tracking sheet), but a
    file may hold a tab of that name; it is not refused here because it is the default name of
    the planned History output.
    """
    if len(title) > TAB_NAME_MAX:
        node.fail(key, f"tab name {title!r} has {len(title)} characters; a tab name may have at "
                       f"most {TAB_NAME_MAX}")  # fmt: skip
    bad = next((char for char in title if char in TAB_NAME_FORBIDDEN), None)
    if bad is not None:
        node.fail(key, f"tab name {title!r} contains {bad!r}; a tab name cannot contain any of "
                       f"{' '.join(TAB_NAME_FORBIDDEN)}")  # fmt: skip
    if title.startswith("'") or title.endswith("'"):
        node.fail(key, f"tab name {title!r} starts or ends with an apostrophe ('); "
                       "one is allowed only inside the name")  # fmt: skip


def _check_inputs_are_not_outputs(root: Node, config: Config) -> None:
    """No input tab named in the config may be an output tab (they would overwrite it)."""
    inputs = {
        "goals.tab": config.goals.tab, "roster.tab": config.roster.tab,
        "activity.log_tab": config.activity.log_tab,
        "calendar.holidays_tab": config.calendar.holidays_tab,
    }  # fmt: skip
    outputs = {norm(title): f"output.{key}" for key, title in config.output.tabs.items()}
    for key, title in inputs.items():
        if title is not None and norm(title) in outputs:
            raise ConfigError(root.file, key, f"tab {title!r} is also the output tab of "
                              f"{outputs[norm(title)]}; an input tab cannot be an output tab, "
                              "so rename one of them (case and spacing are ignored)")  # fmt: skip
