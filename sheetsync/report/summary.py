"""The Summary tab (pure): one screen of KPIs against goals, and its chart.

KPIs are rows; the current month, quarter and year stand side by side (the week too, but only
when a total or team goal exists for it), each with actual, target, attainment, expected and
status. The total comes first, then each team in its own block. Below, a small table feeds the
chart: the total's month to date against what was expected by today, as shares of the goal,
for each weighted KPI (or, without weights, each KPI with a month goal). The long table of
every number is Rep KPIs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from sheetsync.config.values import DEFAULT_TOTAL_LABEL, Config, KpiDef
from sheetsync.i18n import Language
from sheetsync.kpi.finite import quotient
from sheetsync.periods import Period
from sheetsync.plan import PERCENT, Box, Cell, ChartPlan, ColourRule, Series, TabPlan, value
from sheetsync.report.look import band_rule, fit_widths, kpi_cells, status_rules

PERIOD_COLUMNS = ("actual", "target", "attainment", "expected", "status")
"""Each period's columns: their catalog keys (`col.<key>`) and Rep KPIs columns."""
SHOWN_ORDER = ("month", "quarter", "year", "week")
HEADER_ROWS = 3


@dataclass(frozen=True)
class _Layout:
    """Which periods the Summary shows, in order, and the scopes' blocks."""

    periods: tuple[Period, ...]
    scopes: tuple[tuple[str, str], ...]  # (level, name)

    def column(self, period_index: int, name: str) -> int:
        return 1 + period_index * len(PERIOD_COLUMNS) + PERIOD_COLUMNS.index(name)

    @property
    def width(self) -> int:
        return 1 + len(self.periods) * len(PERIOD_COLUMNS)


def summary_tab(
    config: Config,
    lang: Language,
    title: str,
    rep_kpis: pd.DataFrame,
    periods: Sequence[Period],
    as_of: date,
) -> TabPlan:
    """The Summary tab in `lang`: title, header rows, the scopes' blocks, the chart's table
    and chart."""
    wanted = rep_kpis[rep_kpis["level"].isin(["total", "team"])]
    layout = _layout(config, wanted, periods)
    kpis = list(config.kpis)
    by_key = _index(wanted)
    rows: list[tuple[Cell, ...]] = [*_head(layout, lang, as_of)]
    for level, name in layout.scopes:
        rows.append((Cell(_shown(config, lang, level, name), bold=True),))
        rows += [_kpi_row(layout, lang, kpi, by_key, level, name) for kpi in kpis]
    data_end = len(rows)
    chart_rows, chart = _chart(config, lang, layout, by_key, len(rows) + 1)
    if chart_rows:
        rows += [(), *chart_rows]
    return TabPlan(
        "summary",
        title,
        tuple(rows),
        HEADER_ROWS,
        _widths(rows, lang),
        frozen_columns=1,
        rules=tuple(_rules(lang, layout, data_end)),
        charts=(chart,) if chart else (),
    )


def _layout(config: Config, wanted: pd.DataFrame, periods: Sequence[Period]) -> _Layout:
    with_goals = set(wanted.loc[wanted["target"].notna(), "period_kind"])
    by_kind = {p.kind: p for p in periods}
    shown = tuple(
        by_kind[kind]
        for kind in SHOWN_ORDER
        if kind in by_kind and (kind != "week" or "week" in with_goals)
    )
    names = {str(n) for n in wanted.loc[wanted["level"] == "team", "name"]}
    teams = sorted(names, key=str.casefold)
    return _Layout(shown, (("total", config.total_label), *(("team", t) for t in teams)))


Key = tuple[str, str, str, str]


def _shown(config: Config, lang: Language, level: str, name: str) -> str:
    """A block's heading: the total's is the language's word for it ("Razem") unless the
    config names the total itself (`total_label`, which the Goals tab's scopes are matched
    against, so it is kept as it is written there)."""
    default = level == "total" and name == DEFAULT_TOTAL_LABEL
    return lang.text("label.total") if default else name


def _index(wanted: pd.DataFrame) -> dict[Key, Mapping[Any, Any]]:
    """Rows by (period label, level, name, kpi)."""
    return {
        (r["period"], r["level"], str(r["name"]), r["kpi"]): r for r in wanted.to_dict("records")
    }


def _head(layout: _Layout, lang: Language, as_of: date) -> list[tuple[Cell, ...]]:
    title = (Cell(lang.text("summary.title", date=lang.date(as_of)), bold=True),)
    names: list[Cell] = [Cell(None)]
    columns: list[Cell] = [Cell(lang.text("col.kpi"), bold=True)]
    for period in layout.periods:
        kind = lang.text(f"period.{period.kind}")
        heading = lang.text("summary.period", period=kind, label=period.label)
        names += [Cell(heading, bold=True)] + [Cell(None)] * (len(PERIOD_COLUMNS) - 1)
        columns += [Cell(lang.text(f"col.{name}"), bold=True) for name in PERIOD_COLUMNS]
    return [title, tuple(names), tuple(columns)]


def _kpi_row(
    layout: _Layout,
    lang: Language,
    kpi: KpiDef,
    by_key: Mapping[Key, Mapping[Any, Any]],
    level: str,
    name: str,
) -> tuple[Cell, ...]:
    cells = [Cell(kpi.label)]
    for period in layout.periods:
        record = by_key.get((period.label, level, name, kpi.key))
        if record is None:
            cells += [Cell(None)] * len(PERIOD_COLUMNS)
            continue
        numbers = kpi_cells(kpi, record, PERIOD_COLUMNS[:-1])
        cells += [*numbers, Cell(lang.status(record["status"]) or None)]
    return tuple(cells)


def _rules(lang: Language, layout: _Layout, data_end: int) -> list[ColourRule]:
    """Statuses coloured, attainment in its status's colour, long tables banded."""
    data = Box(HEADER_ROWS, 1, data_end, layout.width)
    offset = PERIOD_COLUMNS.index("status") - PERIOD_COLUMNS.index("attainment")
    shown = lang.statuses()
    return [
        *status_rules(data, shown),
        *status_rules(data, shown, offset=offset),
        *band_rule(Box(HEADER_ROWS, 0, data_end, layout.width)),
    ]


def _chart_kpis(
    config: Config, by_key: Mapping[Key, Mapping[Any, Any]], month: Period
) -> list[KpiDef]:
    """The weighted KPIs (all KPIs without weights) that have a total month goal above 0."""
    keys = list(config.ranking.weights) or [k.key for k in config.kpis]
    found = []
    for key in keys:
        record = by_key.get((month.label, "total", config.total_label, key))
        if record is None or _number(record["expected"]) is None:
            continue
        if _number(record["target"]):
            found.append(config.kpi(key))
    return found


def _number(raw: Any) -> float | None:
    """A finite number, or None (blank)."""
    number = value(raw)
    if isinstance(number, bool) or not isinstance(number, int | float):
        return None
    return float(number)


def _share(part: Any, whole: float) -> float | None:
    """part / whole for the chart; None (a blank cell) when no finite number (a goal of 5e-324)."""
    shared = float(quotient(float(part), whole))
    return None if math.isnan(shared) else shared


def _chart(
    config: Config,
    lang: Language,
    layout: _Layout,
    by_key: Mapping[Key, Mapping[Any, Any]],
    top: int,
) -> tuple[list[tuple[Cell, ...]], ChartPlan | None]:
    """The chart's table (from row `top`, 0-based) and the chart beside it."""
    month = next((p for p in layout.periods if p.kind == "month"), None)
    kpis = _chart_kpis(config, by_key, month) if month else []
    if month is None or not kpis:
        return [], None
    names = (lang.text("summary.chart.month_to_date"), lang.text("summary.chart.expected"))
    total = _shown(config, lang, "total", config.total_label)
    header = (Cell(f"{month.label}: {total}", bold=True),
              *(Cell(name, bold=True) for name in names))  # fmt: skip
    rows: list[tuple[Cell, ...]] = [header]
    for kpi in kpis:
        record = by_key[(month.label, "total", config.total_label, kpi.key)]
        target = float(record["target"])
        rows.append((Cell(kpi.label), Cell(_share(record["actual"], target), PERCENT),
                     Cell(_share(record["expected"], target), PERCENT)))  # fmt: skip
    first, last = top + 1, top + 1 + len(kpis)
    chart = ChartPlan(
        title=f"{lang.text('summary.chart.title')} ({month.label})",
        categories=Box(first, 0, last, 1),
        series=(
            Series(names[0], Box(first, 1, last, 2)),
            Series(names[1], Box(first, 2, last, 3), line=True),
        ),
        anchor_row=top,
        anchor_column=4,
    )
    return rows, chart


def _widths(rows: Sequence[tuple[Cell, ...]], lang: Language) -> tuple[int, ...]:
    """Every column as wide as its widest cell as shown, at least 12 characters; the title
    and the period headings are left out (they run on over the cells beside them)."""
    return tuple(max(12, width) for width in fit_widths(rows[2:], lang))
