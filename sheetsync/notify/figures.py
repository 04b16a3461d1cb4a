"""Numbers of the report's tables as the messages show them (pure).

Every number is a value of one of the report's tables (Rep KPIs, Ranking, the trends' change
table) shown under its KPI's number format (`report.brief_text.shown`, the renderer of the
Meeting brief), so "$12,340" in an e-mail is the same number as the Revenue cell of the tab.
Attainment and pace are shown as percentages (`0.0%`), as in the output tabs. The only number
computed here is a gap to expected: expected minus actual of the same row.

Numbers, statuses and movements are written in the output language (`output.language`):
`1 234,50 zł`, `96,1%` and `Zgodnie z planem` in Polish; `tone` keeps the status's colour
family whatever its word. Rows are small frozen dataclasses of text: the templates print them
and never format numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sheetsync.config.values import Config, KpiDef
from sheetsync.i18n import Language
from sheetsync.kpi.evaluate import ACHIEVED, AT_RISK, BEHIND, MISSED, NOT_STARTED, ON_TRACK
from sheetsync.periods import Period
from sheetsync.plan import PERCENT, value
from sheetsync.report.brief_text import number, percent, shown

__all__ = [
    "TONES", "KpiLine", "PeriodTable", "Record", "gap", "has_target", "kpi_line", "period_table",
    "rows_of", "score_format", "text",
]  # fmt: skip

Record = Mapping[Any, Any]

TONES: Mapping[str, str] = {
    ACHIEVED: "good", ON_TRACK: "good", AT_RISK: "warn", BEHIND: "bad", MISSED: "bad",
    NOT_STARTED: "none",
}  # fmt: skip
"""Each status's colour family (good: green, warn: amber, bad: red); the templates pick the
colours, and always print the status word beside them."""


@dataclass(frozen=True)
class KpiLine:
    """One Rep KPIs row as shown: the KPI's key and label, its figures as text ("" for a
    blank), the status in the language, and its colour family (`tone`: good, warn, bad or
    none)."""

    key: str
    kpi: str
    actual: str
    target: str
    attainment: str
    expected: str
    pace: str
    projection: str
    status: str
    tone: str


@dataclass(frozen=True)
class PeriodTable:
    """A period's rows: `kind` is week, month, quarter or year; `label` is `2026-11`."""

    kind: str
    label: str
    rows: tuple[KpiLine, ...]


def text(raw: object) -> str:
    """A table cell as plain text ("" for a blank)."""
    plain = value(raw)
    return "" if plain is None else str(plain)


def kpi_line(record: Record, kpi: KpiDef, lang: Language) -> KpiLine:
    """A Rep KPIs row of `kpi`, every number in the KPI's format (attainment, pace: percent)
    and `lang`'s locale, the status in `lang`."""
    status, fmt = text(record["status"]), kpi.number_format
    return KpiLine(
        key=kpi.key,
        kpi=kpi.label,
        actual=shown(record["actual"], fmt, lang),
        target=shown(record["target"], fmt, lang),
        attainment=percent(record["attainment"], lang),
        expected=shown(record["expected"], fmt, lang),
        pace=percent(record["pace"], lang),
        projection=shown(record["projection"], fmt, lang),
        status=lang.status(status),
        tone=TONES.get(status, "none"),
    )


def gap(record: Record, kpi: KpiDef, lang: Language) -> str:
    """Expected minus actual of a row, in the KPI's format ("" when either is blank)."""
    expected, actual = number(record["expected"]), number(record["actual"])
    if expected is None or actual is None:
        return ""
    return lang.render(expected - actual, kpi.number_format)


def rows_of(table: pd.DataFrame) -> Sequence[Record]:
    """A table's rows as records, in the table's order."""
    return table.to_dict("records")


def has_target(record: Record) -> bool:
    return number(record["target"]) is not None


def period_table(
    period: Period, records: Sequence[Record], config: Config, lang: Language, *, targeted: bool
) -> PeriodTable:
    """The rows of `period` among `records` in the config's KPI order; with `targeted`, only
    the rows with a target."""
    by_kpi = {str(r["kpi"]): r for r in records if r["period"] == period.label}
    lines = [kpi_line(by_kpi[kpi.key], kpi, lang) for kpi in config.kpis if kpi.key in by_kpi
             and (has_target(by_kpi[kpi.key]) or not targeted)]  # fmt: skip
    return PeriodTable(period.kind, period.label, tuple(lines))


def score_format(config: Config) -> str:
    """How the ranking's score is shown: attainment (percent), or the `by` KPI's format."""
    by = config.ranking.by
    if by is None:
        return PERCENT
    return next((kpi.number_format for kpi in config.kpis if kpi.key == by), PERCENT)
