"""The backend-neutral output plan: what the report stage asks a backend to write.

A plan holds whole tabs of typed cells. Numbers stay numbers and carry a number format; text
from input cells is plain text that backends must write as text, never as a formula.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, NamedTuple

import pandas as pd

from sheetsync.spreadsheet import column_letter

CellValue = str | float | int | bool | date | datetime | None
PERCENT = "0.0%"
CELL_TEXT_LIMIT = 32_767
"""The most characters (UTF-16 code units, as Excel counts them) a cell's text may have: Excel's
limit (Google Sheets takes 50,000). Every backend writes longer text cut to fit (`fit_text`)."""
CUT_MARK = "\u2026"


def fit_text(text: str) -> str:
    """`text` as a cell can hold it: longer than CELL_TEXT_LIMIT, it is cut to end in "…"."""
    if len(text) <= CELL_TEXT_LIMIT // 2:  # fits whatever its characters
        return text
    units = text.encode("utf-16-le")
    if len(units) <= 2 * CELL_TEXT_LIMIT:
        return text
    # a character cut in half (an emoji's first surrogate) is dropped whole
    kept = units[: 2 * (CELL_TEXT_LIMIT - 1)].decode("utf-16-le", errors="ignore")
    return kept + CUT_MARK


def value(raw: Any) -> CellValue:
    """A plain Python value for a cell: NaN and NA become empty, numpy scalars plain numbers."""
    if raw is None or raw is pd.NA or raw is pd.NaT:
        return None
    if isinstance(raw, float) and math.isnan(raw):
        return None
    if hasattr(raw, "item"):
        return value(raw.item())
    if isinstance(raw, str | int | float | bool | date):
        return raw
    return str(raw)


class Cell(NamedTuple):
    """One typed cell (a tuple: there are many of them, and tuples are cheap to make).

    `checkbox`: a boolean cell people can tick (Google: a checkbox, a BOOLEAN data validation;
    xlsx: a TRUE/FALSE drop-down list, Excel having no classic checkbox). Its value is a bool.
    """

    value: CellValue
    number_format: str | None = None
    bold: bool = False
    checkbox: bool = False


@dataclass(frozen=True)
class Box:
    """A rectangle of a tab's grid: 0-based rows and columns, `bottom` and `right` exclusive
    (the Sheets API's GridRange convention). `a1()` gives it in A1 notation."""

    top: int
    left: int
    bottom: int
    right: int

    def a1(self) -> str:
        first = f"{column_letter(self.left)}{self.top + 1}"
        return f"{first}:{column_letter(self.right - 1)}{self.bottom}"

    @property
    def corner(self) -> str:
        """The top-left cell in relative A1 notation (what a rule's formula is relative to)."""
        return f"{column_letter(self.left)}{self.top + 1}"


Tone = Literal["good", "warn", "bad", "band"]
"""What a colour means: good (green: on track, achieved), warn (amber: at risk), bad (red:
behind, missed) and band (the light grey of every other row of a long table)."""


@dataclass(frozen=True)
class ColourRule:
    """A conditional format: the cells of `box` for which `formula` is true get `tone`.

    `formula` is written without the leading "=", relative to `box.corner` (as Excel, LibreOffice
    and Google Sheets read a rule's custom formula), in the syntax all three share: function
    names in English, no argument separator (",", ";") and no decimal point, so a workbook in
    any locale reads it the same. Rules are in priority order: the first rule whose formula is
    true decides a cell's colour.
    """

    box: Box
    tone: Tone
    formula: str


@dataclass(frozen=True)
class Series:
    """One data series of a chart: `values` is one column of the tab, its header not included;
    `line` draws it as a line over the bars (the 100% line, what was expected by today)."""

    title: str
    values: Box
    line: bool = False


@dataclass(frozen=True)
class ChartPlan:
    """A native chart the spreadsheet draws from the tab's own cells.

    `categories` is one column of labels (header not included) and each series one column of
    the same rows. `horizontal` bars run left to right (a ranking reads best that way), else
    they stand as columns. `percent` formats the value axis as percent. The chart's top-left
    corner sits on cell (`anchor_row`, `anchor_column`), 0-based; its size is in pixels.
    """

    title: str
    categories: Box
    series: tuple[Series, ...]
    anchor_row: int
    anchor_column: int
    horizontal: bool = False
    percent: bool = True
    width: int = 600
    height: int = 320


@dataclass(frozen=True)
class TabPlan:
    """One output tab, written whole. `key` is the output's config key (summary, ranking...).

    The first `header_rows` rows and `frozen_columns` columns are frozen; `rules` colour cells
    by their values (conditional formats, so colours follow the numbers when people sort or
    filter); `charts` are drawn by the spreadsheet from the tab's cells. A refresh replaces a
    tab's rules and charts, it never adds to those of the last refresh.
    """

    key: str
    title: str
    rows: tuple[tuple[Cell, ...], ...]
    header_rows: int = 1
    column_widths: tuple[int, ...] = ()
    frozen_columns: int = 0
    rules: tuple[ColourRule, ...] = ()
    charts: tuple[ChartPlan, ...] = ()

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass(frozen=True)
class HistorySnapshot:
    """A snapshot for the History tab, which is appended to, never rewritten whole.

    The backend keeps every data row of History except those dated `day` (a second snapshot
    the same day replaces the first), puts `rows` in (after the last row of an earlier day
    when History is in date order, else at the end) and, when more than `max_rows` data rows
    would remain, drops the oldest days whole. A missing History tab is made with `header`.
    Every row's first cell is `day`. Rows are found by the date in their first column, never
    by their position, so a History sorted or edited by hand still works.
    """

    key: str
    title: str
    day: date
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    max_rows: int
    column_widths: tuple[int, ...] = ()


@dataclass(frozen=True)
class OutputPlan:
    """The tabs to write whole, the History snapshot to add, and `number_locale`: the Windows
    locale id (hex, `415` for Polish) whose separators numbers are shown with, or "" for the
    reader's own. Excel and LibreOffice take it as a `[$-415]` tag on each number format;
    Google Sheets always shows a spreadsheet's numbers in its own locale (File > Settings)."""

    tabs: tuple[TabPlan, ...]
    history: HistorySnapshot | None = None
    number_locale: str = ""

    def titles(self) -> tuple[str, ...]:
        """Every tab title the plan writes, History included."""
        extra = (self.history.title,) if self.history is not None else ()
        return tuple(t.title for t in self.tabs) + extra

    def tab(self, key: str) -> TabPlan | None:
        return next((t for t in self.tabs if t.key == key), None)
