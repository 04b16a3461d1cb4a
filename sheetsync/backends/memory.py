"""A workbook held in memory: the Backend protocol with no I/O, for tests, benchmarks and
scripts that build their grids themselves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from sheetsync.backends.base import Grid, RawValue, RawWorkbook, TabSelector, check_ownership
from sheetsync.errors import WorkbookError
from sheetsync.report.plan import CellValue, OutputPlan, TabPlan
from sheetsync.spreadsheet import date_to_serial


class MemoryBackend:
    """Tabs of raw grids in memory. `apply` stores each output tab's values as a grid."""

    def __init__(self, tabs: Mapping[str, Grid], owned: Iterable[str] = ()) -> None:
        self.tabs: dict[str, Grid] = dict(tabs)
        self.owned = set(owned)
        self.written: list[OutputPlan] = []

    @property
    def description(self) -> str:
        return "memory"

    @property
    def api_calls(self) -> int:
        return 0

    @property
    def write_calls(self) -> int:
        return 0

    def read(self, select: TabSelector) -> RawWorkbook:
        titles = tuple(self.tabs)
        grids = {title: self.tabs[title] for title in select(titles)}
        return RawWorkbook(titles, grids, frozenset(self.owned))

    def apply(self, plan: OutputPlan) -> None:
        check_ownership(plan, tuple(self.tabs), frozenset(self.owned), self.description)
        for tab in plan.tabs:
            self.tabs[tab.title] = [[_raw(cell.value) for cell in row] for row in tab.rows]
            self.owned.add(tab.title)
        self.written.append(plan)

    def add_input_tabs(self, tabs: Sequence[TabPlan]) -> None:
        clash = [t.title for t in tabs if t.title in self.tabs]
        if clash:
            raise WorkbookError(f"memory: tab {clash[0]!r} exists already; nothing was added")
        for tab in tabs:
            self.tabs[tab.title] = [[_raw(cell.value) for cell in row] for row in tab.rows]


def _raw(value: CellValue) -> RawValue:
    """A written value as a spreadsheet gives it back: dates as serial numbers."""
    return date_to_serial(value) if isinstance(value, date) else value
