"""The config file as pydantic models: what each key may hold, its default and what it means.

pydantic checks types, choices, ranges and unknown keys (`extra="forbid"`); the rules beyond a
type are `rules` functions, called by the value types (`fields`) and by each section's model
validator. The sections are the models of `sections` (and `daemon`, `email`); the rules that
tie sections together are functions of this module, called by `ConfigFile`'s validators. Every
failure becomes a `ConfigError` naming the file, the key path and what is allowed
(`translate`). These models are also the config's JSON Schema (`schema`): the attribute
docstrings are its descriptions.

A key set to `null` takes its default, except where `null` (or `false`) switches something off
(`activity.rep_tabs`, `activity.log_tab`, `calendar.holidays_tab`, `roster`, `ranking.by`, the
`output` tabs, `source.output_path`, `source.credentials_file`) and for a choice or a number,
which must be given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from sheetsync.config import rules
from sheetsync.config.daemon import DaemonFile
from sheetsync.config.email import EmailFile
from sheetsync.config.fields import (
    KpiKey,
    Text,
)
from sheetsync.config.rules import problem
from sheetsync.config.section import Section
from sheetsync.config.sections import (
    ActionsFile,
    ActivityFile,
    CalendarFile,
    GoalsFile,
    KpiFile,
    LocaleFile,
    OutputFile,
    RankingFile,
    RosterFile,
    SourceFile,
    StatusFile,
    false_too,
)
from sheetsync.config.values import DEFAULT_TOTAL_LABEL
from sheetsync.spreadsheet import norm

# The rules that tie the sections together, called by `ConfigFile`'s validators (and
# `sections.outputs_differ` by the output section's), each raising with the full key path:
# * a KPI's `column` is an activity field, a ratio's numerator and denominator are other KPIs;
# * `ranking.by` and the keys of `ranking.weights` are KPIs;
# * each output has its own tab, and no input tab is an output tab. Tab names match ignoring
#   case and spacing, as the reader matches tabs.


def cross_check(config: ConfigFile) -> None:
    """Every rule above that spans sections, in the order the sections are read."""
    kpi_fields(config)
    ratio_parts(config.kpis)
    ranking_kpis(config)
    inputs_are_not_outputs(config)


def some_kpi(kpis: dict[str, KpiFile]) -> dict[str, KpiFile]:
    if not kpis:
        raise problem("define at least one KPI")
    return kpis


def kpi_fields(config: ConfigFile) -> None:
    numbers, texts = config.activity.numbers, config.activity.texts
    for key, kpi in config.kpis.items():
        fields = {"sum": numbers, "count_distinct": {**numbers, **texts}}.get(kpi.kind)
        if fields is not None and kpi.column not in fields:
            allowed = ", ".join(fields) or "(none defined under activity)"
            raise problem(f"{kpi.column!r} is not an activity field; allowed: {allowed}",
                          at=f"kpis.{key}.column")  # fmt: skip


def ratio_parts(kpis: Mapping[str, KpiFile]) -> None:
    for key, kpi in kpis.items():
        for part in ("numerator", "denominator"):
            if kpi.kind == "ratio" and (
                getattr(kpi, part) == key or getattr(kpi, part) not in kpis
            ):
                raise problem(f"names no other KPI; KPIs: {', '.join(kpis)}", f"kpis.{key}.{part}")


def ranking_kpis(config: ConfigFile) -> None:
    keys, ranking = ", ".join(config.kpis), config.ranking
    if ranking.by is not None and ranking.by not in config.kpis:
        raise problem(f"{ranking.by!r} is not a KPI; allowed: {keys}", at="ranking.by")
    for key in ranking.weights or {}:
        if key not in config.kpis:
            raise problem(f"is not a KPI; allowed: {keys}", at=f"ranking.weights.{key}")


def inputs_are_not_outputs(config: ConfigFile) -> None:
    """No input tab named in the config may be an output tab (they would overwrite it)."""
    inputs = {
        "goals.tab": config.goals.tab,
        "roster.tab": config.roster.tab if config.roster else None,
        "activity.log_tab": config.activity.log_tab,
        "calendar.holidays_tab": config.calendar.holidays_tab,
        "actions.tab": config.actions.tab if config.actions else None,
    }
    outputs = {norm(title): f"output.{key}" for key, title in config.output.tabs().items()}
    for key, title in inputs.items():
        if title is not None and norm(title) in outputs:
            raise problem(f"tab {title!r} is also the output tab of {outputs[norm(title)]}; an "
                          "input tab cannot be an output tab, so rename one of them (case and "
                          "spacing are ignored)", at=key)  # fmt: skip


class ConfigFile(Section):
    """A sheetsync config file (YAML): where the sales activity is, the KPIs computed from it,
    and the output tabs written back. See the README's config reference."""

    # pydantic's own text of an error quotes the value (a pasted key): keep it out of the
    # exception chain; the loader words every error itself and never shows key material
    model_config = ConfigDict(title="sheetsync config", hide_input_in_errors=True)

    source: SourceFile
    """The workbook (xlsx) or spreadsheet (google) to read and write."""
    calendar: CalendarFile = Field(default_factory=CalendarFile)
    """Time zone, fiscal year, working days and holidays."""
    locale: LocaleFile = Field(default_factory=LocaleFile)
    """How numbers and dates typed as text are read."""
    activity: ActivityFile
    """The activity tabs and their columns."""
    goals: GoalsFile = Field(default_factory=GoalsFile)
    """The goals tab."""
    roster: Annotated[RosterFile | None, BeforeValidator(rules.off_if_false)] = Field(
        default_factory=RosterFile, json_schema_extra=false_too
    )
    """The roster tab; null (or false) for no roster."""
    actions: Annotated[ActionsFile | None, BeforeValidator(rules.off_if_false)] = Field(
        default_factory=ActionsFile, json_schema_extra=false_too
    )
    """The optional Actions tab (what meetings agreed); null (or false) to ignore it."""
    kpis: Annotated[dict[KpiKey, KpiFile], AfterValidator(some_kpi)] = Field(
        json_schema_extra={"minProperties": 1, "additionalProperties": False}
    )
    """The KPIs by key (letters, digits and underscores), in the order they are shown."""
    status: StatusFile = Field(default_factory=StatusFile)
    """The pace thresholds of On track, At risk and Behind."""
    ranking: RankingFile = Field(default_factory=RankingFile)
    """How reps are ranked."""
    output: OutputFile = Field(default_factory=OutputFile)
    """The output tabs' names, or false to switch one off."""
    daemon: DaemonFile = Field(default_factory=DaemonFile)
    """`sheetsync daemon`: refresh interval, snapshot schedule, HTTP trigger, API quota."""
    email: Annotated[EmailFile | None, BeforeValidator(rules.off_if_false)] = None
    """E-mail digests and scorecards (`sheetsync digest`); default: none."""
    total_label: Text = DEFAULT_TOTAL_LABEL
    """The Scope that means the whole team in the goals tab."""

    @model_validator(mode="after")
    def _sections_agree(self) -> ConfigFile:
        cross_check(self)
        return self
