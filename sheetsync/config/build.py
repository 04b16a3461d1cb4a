"""A validated config file (`model.ConfigFile`) as the immutable values the rest of sheetsync
reads (`values.Config`): defaults that depend on other keys filled in, names turned into numbers,
format names into patterns, and relative paths taken from the config file's folder."""

from __future__ import annotations

from pathlib import Path

from sheetsync.config.daemon import daemon_config
from sheetsync.config.email import email_config
from sheetsync.config.model import ConfigFile
from sheetsync.config.rules import NAMED_FORMATS, weekday
from sheetsync.config.sections import (
    ActionsFile,
    ActivityFile,
    CalendarFile,
    KpiFile,
    LocaleFile,
    RankingFile,
    SourceFile,
)
from sheetsync.config.values import (
    ActionsConfig,
    ActivityConfig,
    CalendarConfig,
    Config,
    GoalsConfig,
    KpiDef,
    LocaleConfig,
    OutputConfig,
    RankingConfig,
    RosterConfig,
    SourceConfig,
    StatusThresholds,
    XlsxLimits,
)
from sheetsync.i18n import language


def build_config(doc: ConfigFile, file: Path) -> Config:
    locale = _locale(doc.locale, doc.output.language)
    kpis = tuple(_kpi(key, kpi, locale) for key, kpi in doc.kpis.items())
    roster = RosterConfig(**doc.roster.model_dump()) if doc.roster else RosterConfig(tab=None)
    return Config(
        source=_source(doc.source, file.parent),
        activity=_activity(doc.activity),
        goals=GoalsConfig(**doc.goals.model_dump()),
        roster=roster,
        kpis=kpis,
        calendar=_calendar(doc.calendar),
        locale=locale,
        status=StatusThresholds(**doc.status.model_dump()),
        ranking=_ranking(doc.ranking, kpis),
        output=_output(doc),
        total_label=doc.total_label,
        daemon=daemon_config(doc.daemon, file.stem),
        email=email_config(doc.email),
        path=file,
        actions=_actions(doc.actions, doc.output.language),
    )


def _actions(actions: ActionsFile | None, code: str) -> ActionsConfig:
    """The Actions tab's names: each one given, else the output language's."""
    if actions is None:
        return ActionsConfig(tab=None)
    lang = language(code)
    names = {key: given if given is not None else lang.text(f"actions.{key}")
             for key, given in actions.model_dump().items()}  # fmt: skip
    return ActionsConfig(**names)


def _output(doc: ConfigFile) -> OutputConfig:
    output = doc.output
    return OutputConfig(tabs=output.tabs(), history_max_rows=output.history_max_rows,
                        language=output.language)  # fmt: skip


def _source(source: SourceFile, base: Path) -> SourceConfig:
    if source.type == "xlsx":
        limits = {key: int(value) for key, value in source.limits.model_dump().items()}
        return SourceConfig(
            type="xlsx",
            path=base / source.path if source.path else None,
            output_path=base / source.output_path if source.output_path else None,
            limits=XlsxLimits(**limits),
        )
    return SourceConfig(
        type="google",
        spreadsheet=source.spreadsheet,
        credentials_file=base / source.credentials_file if source.credentials_file else None,
        deadline_seconds=float(source.deadline_seconds),
    )


def _calendar(calendar: CalendarFile) -> CalendarConfig:
    return CalendarConfig(
        timezone=calendar.timezone,
        fiscal_year_start=calendar.fiscal_year_start,
        working_days=frozenset(d for d in map(weekday, calendar.working_days) if d is not None),
        holidays=frozenset(calendar.holidays),
        holidays_tab=calendar.holidays_tab,
        holidays_country=calendar.holidays_country,
    )


def _locale(locale: LocaleFile, code: str) -> LocaleConfig:
    """How input text is read; `format: currency` defaults to the output language's."""
    return LocaleConfig(
        decimal_separator=locale.decimal_separator,
        thousands_separator=locale.thousands,
        date_formats=locale.date_formats,
        currency_format=locale.currency_format or language(code).currency_format,
    )


def _activity(activity: ActivityFile) -> ActivityConfig:
    return ActivityConfig(**activity.model_dump())


def _kpi(key: str, kpi: KpiFile, locale: LocaleConfig) -> KpiDef:
    number_format = kpi.format or ("percent" if kpi.kind == "ratio" else "integer")
    if number_format == "currency":
        number_format = locale.currency_format
    return KpiDef(
        key=key,
        kind=kpi.kind,
        label=kpi.label or key.replace("_", " ").capitalize(),
        column=kpi.column if kpi.kind in ("sum", "count_distinct") else None,
        numerator=kpi.numerator if kpi.kind == "ratio" else None,
        denominator=kpi.denominator if kpi.kind == "ratio" else None,
        number_format=NAMED_FORMATS.get(number_format, number_format),
    )


def _ranking(ranking: RankingFile, kpis: tuple[KpiDef, ...]) -> RankingConfig:
    weights = ranking.weights or {}
    if ranking.by is None and not weights:
        weights = {kpi.key: 1.0 for kpi in kpis}
    return RankingConfig(period=ranking.period, weights=weights, cap=ranking.cap, by=ranking.by)
