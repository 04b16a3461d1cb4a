"""Colours that carry meaning: the conditional-format rules of the output tabs (pure).

Every rule is a formula the spreadsheet evaluates, so a colour follows its number when people
sort or filter, and the next refresh replaces the rules with the new ones. Formulas use only
what Excel, LibreOffice and Google Sheets read alike: English function names, relative A1
references from the rule's top-left cell, no argument separators and no decimal points
(thresholds are written as whole numbers over 10,000), so a workbook in any locale reads them
the same.

- Status cells: green for On track and Achieved, amber for At risk, red for Behind and Missed.
- An attainment cell takes its status's colour (the status beside it was worked out from the
  configured thresholds), so attainment is never red merely because the month is young.
- A score (Ranking) has no status: it is green at or above the share of the period gone by
  (what on-track attainment is today), amber down to `at_risk` of that share, red below.
- Long tables get every other row shaded.

Also how numbers look: a KPI's cells in its number format (`kpi_cells`) and column widths that
fit them as they are shown (`fit_widths`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sheetsync.config.values import KpiDef, StatusThresholds
from sheetsync.i18n import Language
from sheetsync.plan import PERCENT, Box, Cell, ColourRule, Tone, value
from sheetsync.spreadsheet import column_letter

STATUS_TONES: Mapping[str, Tone] = {
    "On track": "good",
    "Achieved": "good",
    "At risk": "warn",
    "Behind": "bad",
    "Missed": "bad",
}
"""The colour of each status (the KPI stage's status names)."""
BAND_FROM_ROWS = 12
"""Tables with at least this many data rows get banded rows."""
SCALE = 10_000


def relative(box: Box, rows: int = 0, columns: int = 0) -> str:
    """The relative A1 reference `rows` down and `columns` right of the box's corner."""
    return f"{column_letter(box.left + columns)}{box.top + rows + 1}"


def quoted(text: str) -> str:
    """A formula string literal."""
    return '"' + text.replace('"', '""') + '"'


def status_rules(
    box: Box, shown: Mapping[str, str] | None = None, offset: int = 0
) -> list[ColourRule]:
    """Colour the cells of `box` whose cell `offset` columns to the right holds a status:
    offset 0 colours the status cells themselves, 2 the attainment two columns before a
    status. `shown` maps a status to the text the tab shows for it (its language)."""
    words = shown or {}
    tones = {words.get(status, status): tone for status, tone in STATUS_TONES.items()}
    return text_rules(box, tones, offset)


def text_rules(box: Box, tones: Mapping[str, Tone], offset: int = 0) -> list[ColourRule]:
    """Colour the cells of `box` whose cell `offset` columns to the right holds one of
    `tones`' keys as its text (offset 0: the cell itself)."""
    cell = relative(box, columns=offset)
    return [ColourRule(box, tone, f"{cell}={quoted(text)}") for text, tone in tones.items()]


def share_rules(box: Box, share: float, thresholds: StatusThresholds) -> list[ColourRule]:
    """Colour numbers (attainment or a score) against `share`, the part of the period gone
    by: green from `on_track` x share, amber from `at_risk` x share, red below; blanks and
    text stay uncoloured."""
    cell = box.corner
    good = round(share * thresholds.on_track * SCALE)
    warn = round(share * thresholds.at_risk * SCALE)
    number = f"ISNUMBER({cell})"
    return [
        ColourRule(box, "good", f"{number}*({cell}*{SCALE}>={good})"),
        ColourRule(box, "warn", f"{number}*({cell}*{SCALE}>={warn})"),
        ColourRule(box, "bad", f"{number}*({cell}*{SCALE}<{warn})"),
    ]


def band_rule(box: Box) -> list[ColourRule]:
    """Shade every other row of a long table (none for a short one)."""
    if box.bottom - box.top < BAND_FROM_ROWS:
        return []
    return [ColourRule(box, "band", "ISEVEN(ROW())")]


def column_boxes(top: int, bottom: int, columns: Iterable[int]) -> list[Box]:
    """One single-column box per column, rows `top` to `bottom` (exclusive)."""
    return [Box(top, column, bottom, column + 1) for column in columns]


def fit_widths(rows: Sequence[Sequence[Cell]], lang: Language) -> tuple[int, ...]:
    """Column widths (characters, at most 60) from the longest cell of the first 200 rows, a
    number as wide as `lang` shows it with its format (`16 278 000,00 zł`, `$16,278,000`)."""
    widths: list[int] = []
    for row in rows[:200]:
        for index, cell in enumerate(row):
            if index >= len(widths):
                widths.append(8)
            widths[index] = min(60, max(widths[index], shown_width(cell, lang) + 2))
    return tuple(widths)


def shown_width(cell: Cell, lang: Language) -> int:
    """How many characters the cell shows: a number with its format, a date as a date."""
    value = cell.value
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, int | float) and math.isfinite(value):
        return len(lang.render(float(value), cell.number_format))
    if isinstance(value, date):
        return 19 if isinstance(value, datetime) else 10
    return len(str(value))


def kpi_cells(kpi: KpiDef, row: Mapping[Any, Any], names: Sequence[str]) -> list[Cell]:
    """Actual, target, expected and projection in the KPI's format; ratios of it as percent."""
    cells = []
    for name in names:
        fmt = PERCENT if name in ("attainment", "pace") else kpi.number_format
        cells.append(Cell(value(row[name]), fmt))
    return cells
