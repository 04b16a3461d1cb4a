"""The grids a backend reads, as sync takes them: the raw workbook, a tab's grid of unformatted
values, and what a refresh asks of History and gets back. Shared by sync (which reads them) and
the backends (which make them), below both."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

RawValue = str | float | int | bool | None
Grid = list[list[RawValue]]
TabSelector = Callable[[Sequence[str]], Sequence[str]]

Owned = Mapping[str, str | None]
"""The tabs that carry sheetsync's mark, by title: the output each holds (its config key,
like `summary`), or None for a mark that does not name its output (Google tabs marked before
marks named their output; the xlsx tabs of a workbook from before marks, listed by title in
its document properties)."""


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
    """Every tab title in order, the grids of the tabs that were asked for, and the owned tabs
    (the tabs that carry sheetsync's mark, with the output each holds).

        Grid values are unformatted: numbers as numbers, dates as serial numbers (days since
        1899-12-30), text as text, empty cells as None. Rows may be ragged. When the output goes
        to another workbook (xlsx `output_path`), `output_titles` lists that workbook's tabs and
        `owned` the ones sheetsync owns there; otherwise `output_titles` is None. `history` is
        what was read of the History tab when one was asked for and sheetsync owns it.
    """

    titles: tuple[str, ...]
    grids: Mapping[str, Grid]
    owned: Owned
    output_titles: tuple[str, ...] | None = None
    history: HistoryRead | None = None

    @property
    def titles_written(self) -> tuple[str, ...]:
        """The tabs of the workbook the output goes into."""
        return self.titles if self.output_titles is None else self.output_titles
