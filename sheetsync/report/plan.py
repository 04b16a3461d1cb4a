"""The backend-neutral output plan: what the report stage asks a backend to write.

A plan holds whole tabs of typed cells. Numbers stay numbers and carry a number format; text
from input cells is plain text that backends must write as text, never as a formula.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

import pandas as pd

CellValue = str | float | int | bool | date | datetime | None
PERCENT = "0.0%"


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
class TabPlan:
    """One output tab, written whole. `key` is the output's config key (summary, ranking...)."""

    key: str
    title: str
    rows: tuple[tuple[Cell, ...], ...]
    header_rows: int = 1
    column_widths: tuple[int, ...] = ()

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
    tabs: tuple[TabPlan, ...]
    history: HistorySnapshot | None = None

    def titles(self) -> tuple[str, ...]:
        """Every tab title the plan writes, History included."""
        extra = (self.history.title,) if self.history is not None else ()
        return tuple(t.title for t in self.tabs) + extra

    def tab(self, key: str) -> TabPlan | None:
        return next((t for t in self.tabs if t.key == key), None)
