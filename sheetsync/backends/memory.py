"""A workbook held in memory: the Backend protocol with no I/O, for tests, benchmarks and
scripts that build their grids themselves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date

from sheetsync.backends.base import HISTORY_KEY, find_holder, place_outputs
from sheetsync.backends.snapshot_place import plan_edit
from sheetsync.errors import WorkbookError
from sheetsync.grids import (
    Grid,
    HistoryQuery,
    HistoryRead,
    Owned,
    RawValue,
    RawWorkbook,
    TabSelector,
)
from sheetsync.plan import CellValue, HistorySnapshot, OutputPlan, TabPlan, fit_text
from sheetsync.spreadsheet import cell_position, date_to_serial, day_of


class MemoryBackend:
    """Tabs of raw grids in memory. `apply` stores each output tab's values as a grid.
    `owned`: the tabs that carry sheetsync's mark, with the output each holds."""

    def __init__(self, tabs: Mapping[str, Grid], owned: Owned | None = None) -> None:
        self.tabs: dict[str, Grid] = dict(tabs)
        self.owned: dict[str, str | None] = dict(owned or {})
        self.written: list[OutputPlan] = []

    @property
    def description(self) -> str:
        return "memory"

    @property
    def destination(self) -> str:
        return self.description

    def locked(self) -> AbstractContextManager[None]:
        return nullcontext()

    @property
    def api_calls(self) -> int:
        return 0

    @property
    def write_calls(self) -> int:
        return 0

    def read(
        self, select: TabSelector, history: HistoryQuery | None = None, *, outputs: bool = False
    ) -> RawWorkbook:
        titles = tuple(self.tabs)
        inputs = [title for title in titles if title not in self.owned]
        grids = {title: self.tabs[title] for title in select(inputs)}
        held = self._history(history) if history is not None else None
        return RawWorkbook(titles, grids, dict(self.owned), history=held)

    def apply(self, plan: OutputPlan) -> None:
        plan = place_outputs(plan, tuple(self.tabs), self.owned, self.description)
        for tab in plan.tabs:
            self.tabs[tab.title] = [[_raw(cell.value) for cell in row] for row in tab.rows]
            self.owned[tab.title] = tab.key
        if plan.history is not None:
            self._snapshot(plan.history)
        self.written.append(plan)

    def read_cell(self, title: str, cell: str) -> RawValue:
        """The value of one cell (A1, like "B1") of tab `title`; None when empty or missing."""
        row, column = cell_position(cell)
        found = title if title in self.tabs else self._title(title, self.tabs)
        grid = self.tabs.get(found) if found is not None else None
        if grid is None or row >= len(grid) or column >= len(grid[row]):
            return None
        return grid[row][column]

    def _history(self, query: HistoryQuery) -> HistoryRead | None:
        title = find_holder(HISTORY_KEY, query.title, tuple(self.tabs), self.owned)
        if title is None:
            return None
        rows = self.tabs[title][1:]
        dated = [(day_of(row[0] if row else None), row) for row in rows]
        days = tuple(sorted({day for day, _ in dated if day is not None}))
        earlier = [day for day in days if day < query.before]
        wanted = set(query.days) | ({max(earlier)} if earlier else set())
        return HistoryRead(days, [row for day, row in dated if day in wanted])

    def _snapshot(self, snapshot: HistorySnapshot) -> None:
        title = snapshot.title
        grid = self.tabs.get(title) or [[_raw(cell.value) for cell in snapshot.header]]
        head, rows = grid[:1], grid[1:]
        edit = plan_edit([row[0] if row else None for row in rows], snapshot.day,
                         len(snapshot.rows), snapshot.max_rows)  # fmt: skip
        if edit.sort_first:
            rows = sorted(rows, key=lambda row: day_of(row[0]) or snapshot.day)
        for start, end in edit.deletions:
            del rows[start:end]
        new = [[_raw(cell.value) for cell in row] for row in snapshot.rows]
        rows[edit.insert_at : edit.insert_at] = new
        self.tabs[title] = head + rows
        self.owned[title] = snapshot.key

    @staticmethod
    def _title(title: str, titles: Iterable[str]) -> str | None:
        return next((t for t in titles if t.casefold() == title.casefold()), None)

    def add_input_tabs(self, tabs: Sequence[TabPlan]) -> None:
        clash = [t.title for t in tabs if t.title in self.tabs]
        if clash:
            raise WorkbookError(f"memory: tab {clash[0]!r} exists already; nothing was added")
        for tab in tabs:
            self.tabs[tab.title] = [[_raw(cell.value) for cell in row] for row in tab.rows]


def _raw(value: CellValue) -> RawValue:
    """A written value as a spreadsheet gives it back: dates as serial numbers, text cut to fit
    a cell."""
    if isinstance(value, str):
        return fit_text(value)
    return date_to_serial(value) if isinstance(value, date) else value
