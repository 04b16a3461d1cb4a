"""The rules that tie the config's sections together, each raising with the full key path.

* a KPI's `column` is an activity field, a ratio's numerator and denominator are other KPIs;
* `ranking.by` and the keys of `ranking.weights` are KPIs;
* each output has its own tab, and no input tab is an output tab. Tab names match ignoring case
  and spacing, as the reader matches tabs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sheetsync.config.rules import problem
from sheetsync.spreadsheet import norm

if TYPE_CHECKING:
    from sheetsync.config.model import ConfigFile, KpiFile


def check(config: ConfigFile) -> None:
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


def outputs_differ(tabs: Mapping[str, str]) -> None:
    """Each output its own tab (called from the output section: `at` is below `output`)."""
    for key, title in tabs.items():
        other = next((k for k, t in tabs.items() if k != key and norm(t) == norm(title)), None)
        if other is not None:
            raise problem(f"tab name {title!r} is used for two outputs, also by output.{other}; "
                          "give each output its own tab name (case and spacing are ignored)",
                          at=key)  # fmt: skip


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
