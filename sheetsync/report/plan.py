"""The backend-neutral output plan: what the report stage asks a backend to write.

A plan holds whole tabs of typed cells. Numbers stay numbers and carry a number format; text
from input cells is plain text that backends must write as text, never as a formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

CellValue = str | float | int | bool | date | datetime | None


class Cell(NamedTuple):
    """One typed cell (a tuple: there are many of them, and tuples are cheap to make)."""

    value: CellValue
    number_format: str | None = None
    bold: bool = False


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
class OutputPlan:
    tabs: tuple[TabPlan, ...]

    def titles(self) -> tuple[str, ...]:
        return tuple(t.title for t in self.tabs)

    def tab(self, key: str) -> TabPlan | None:
        return next((t for t in self.tabs if t.key == key), None)
