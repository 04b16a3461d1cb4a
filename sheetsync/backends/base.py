"""The one narrow seam between the pipeline and a workbook (local xlsx or Google Sheets)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sheetsync.errors import OwnershipError
from sheetsync.report.plan import OutputPlan, TabPlan

RawValue = str | float | int | bool | None
Grid = list[list[RawValue]]
TabSelector = Callable[[Sequence[str]], Sequence[str]]

OWNER_KEY = "sheetsync.owned"


@dataclass(frozen=True)
class HistoryQuery:
    """What a refresh wants from the owned History tab (whose title is `title`).

    `before`: the rows of the latest snapshot day before this date (the last snapshot);
    `days`: the rows of these snapshot days, where History has them. With `locate`, a
    snapshot is about to be written, and the backend also reads what it needs to find the
    rows by their date (Google: the Date column); otherwise it reads no more of a long
    History than the wanted days' rows.
    """

    title: str
    before: date
    days: tuple[date, ...] = ()
    locate: bool = False


@dataclass(frozen=True)
class HistoryRead:
    """What was read of History: every snapshot day it holds (ascending), and the data rows
    (no header; columns in History's order) of the wanted days. `note` says why wanted rows
    could not be read (for example History sorted by hand since the last snapshot, on Google)."""

    days: tuple[date, ...]
    rows: Grid
    note: str | None = None


@dataclass(frozen=True)
class RawWorkbook:
    """Every tab title in order, the grids of the tabs that were asked for, and the owned tabs.

    Grid values are unformatted: numbers as numbers, dates as serial numbers (days since
    1899-12-30), text as text, empty cells as None. Rows may be ragged. When the output goes
    to another workbook (xlsx `output_path`), `output_titles` lists that workbook's tabs and
    `owned` the ones sheetsync owns there; otherwise `output_titles` is None. `history` is
    what was read of the History tab when one was asked for and sheetsync owns it.
    """

    titles: tuple[str, ...]
    grids: Mapping[str, Grid]
    owned: frozenset[str]
    output_titles: tuple[str, ...] | None = None
    history: HistoryRead | None = None

    @property
    def titles_written(self) -> tuple[str, ...]:
        """The tabs of the workbook the output goes into."""
        return self.titles if self.output_titles is None else self.output_titles


class Backend(Protocol):
    """Read in one pass; write everything in one atomic step.

    Optional, not a member of the protocol (check with `hasattr`): a cheap read of one cell,
    which the daemon polls to see whether someone ticked Sync status's "Refresh now" box:

        def read_cell(self, title: str, cell: str) -> RawValue:
            The value of `cell` (A1, like "B1") of the tab `title` in the workbook the output
            goes to, unformatted like the grids of `read` (a ticked checkbox is True); None
            when the cell is empty or the tab (or the xlsx file) does not exist. ValueError
            when `cell` is not one cell's reference. Google: one values.get call, counted
            in `api_calls`; xlsx: only that tab's part is read; memory: from its tabs.
    """

    @property
    def description(self) -> str:
        """Where the data lives, for messages (a path or a spreadsheet id, never a secret)."""
        ...

    @property
    def api_calls(self) -> int:
        """Remote API calls made so far (0 for local files)."""
        ...

    @property
    def write_calls(self) -> int:
        """Remote API calls that one `apply` costs (0 for local files)."""
        ...

    def read(
        self, select: TabSelector, history: HistoryQuery | None = None, *, outputs: bool = False
    ) -> RawWorkbook:
        """List the tabs, then read the grids of the titles `select` picks from them, and what
        `history` asks for of the History tab (only when sheetsync owns that tab). With
        `outputs` (a write follows), also what the backend needs to write only what changed
        (Google: the values of its big output tabs); the grids returned are the same."""
        ...

    def apply(self, plan: OutputPlan) -> None:
        """Write every tab of `plan` at once, replacing the owned tabs of the same titles.

        Either all of it lands or nothing changes. Raises OwnershipError for a tab that has
        one of the plan's titles but is not owned by sheetsync. `plan.history`, when set, is
        added to the History tab in the same step (see HistorySnapshot).
        """
        ...

    def add_input_tabs(self, tabs: Sequence[TabPlan]) -> None:
        """Add tabs for people to type into (never owned by sheetsync), cells and all, at once.

        Used by `sheetsync init` and the demo. A title that exists already stops the whole
        write (WorkbookError, or the API's refusal): an existing tab is never overwritten.
        """
        ...


def check_ownership(
    plan: OutputPlan, titles: Sequence[str], owned: frozenset[str], where: str
) -> None:
    """Stop before writing when an output tab's title is taken by a tab sheetsync does not own."""
    lowered = {t.casefold(): t for t in titles}
    outputs = [(tab.key, tab.title) for tab in plan.tabs]
    if plan.history is not None:
        outputs.append((plan.history.key, plan.history.title))
    for key, title in outputs:
        existing = lowered.get(title.casefold())
        if existing is not None and existing not in owned:
            raise OwnershipError(
                f"{where}: tab {existing!r} already exists and was not made by sheetsync, so it "
                f"is left untouched and nothing was written. Rename that tab, or choose another "
                f"name for this output with the config key output.{key}"
            )
