"""The one narrow seam between the pipeline and a workbook (local xlsx or Google Sheets)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Protocol

from sheetsync.errors import OwnershipError
from sheetsync.grids import HistoryQuery, Owned, RawValue, RawWorkbook, TabSelector
from sheetsync.plan import OutputPlan, TabPlan

OWNER_KEY = "sheetsync.owned"
HISTORY_KEY = "history"


class Backend(Protocol):
    """Read in one pass; write everything in one atomic step. Every member below is used by the
    pipeline or the daemon; `MemoryBackend` is the smallest complete example."""

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
        """List the tabs, then read the grids of the titles `select` picks from them (a tab
        that carries sheetsync's mark is never offered: it is output, whatever its name), and
        what `history` asks for of the History tab (the one marked as History's). With
        `outputs` (a write follows), also what the backend needs to write only what changed
        (Google: the values of its big output tabs); the grids returned are the same."""
        ...

    def apply(self, plan: OutputPlan) -> None:
        """Write every tab of `plan` at once, each into the tab that carries sheetsync's mark
        for its output (`place_outputs`; a new tab, marked, when there is none).

        Either all of it lands or nothing changes. Raises OwnershipError for a tab that has
        one of the plan's titles but not sheetsync's mark for that output. `plan.history`,
        when set, is added to the History tab in the same step (see HistorySnapshot).
        """
        ...

    @property
    def destination(self) -> str:
        """Where the output tabs go, for messages: `description`, unless the output goes to
        another workbook (xlsx `output_path`)."""
        ...

    def locked(self) -> AbstractContextManager[None]:
        """Held from a refresh's read to its write, so two refreshes of one workbook never
        interleave (xlsx: a lock file beside the output workbook; Google and memory: nothing
        to hold, the write is one atomic call)."""
        ...

    def read_cell(self, title: str, cell: str) -> RawValue:
        """The value of `cell` (A1, like "B1") of the tab `title` in the workbook the output
        goes to, unformatted like the grids of `read` (a ticked checkbox is True); None when
        the cell is empty or the tab (or the xlsx file) does not exist. ValueError when `cell`
        is not one cell's reference. The daemon polls Sync status's "Refresh now" box with
        it. Google: one values.get call, counted in `api_calls`; xlsx: only that tab's part is
        read; memory: from its tabs."""
        ...

    def add_input_tabs(self, tabs: Sequence[TabPlan]) -> None:
        """Add tabs for people to type into (never owned by sheetsync), cells and all, at once.

        Used by `sheetsync init` and the demo. A title that exists already stops the whole
        write (WorkbookError, or the API's refusal): an existing tab is never overwritten.
        """
        ...


def place_outputs(plan: OutputPlan, titles: Sequence[str], owned: Owned, where: str) -> OutputPlan:
    """The plan with each output titled as the tab that holds it, found by sheetsync's mark.

    A renamed output tab keeps its new name; a tab that has an output's name but not its mark
    stops the write (OwnershipError), whoever made it. See `holder`."""
    tabs = tuple(replace(tab, title=holder(tab.key, tab.title, titles, owned, where))
                 for tab in plan.tabs)  # fmt: skip
    history = plan.history
    if history is not None:
        history = replace(history, title=holder(history.key, history.title, titles, owned, where))
    return replace(plan, tabs=tabs, history=history)


def holder(key: str, title: str, titles: Sequence[str], owned: Owned, where: str) -> str:
    """The title of the tab that output `key` (configured title `title`) goes into.

    The tab marked for `key`: the one named `title` (in any case) when there are several (a
    copy of an output tab carries the mark along), else the only one, whatever its name now.
    Without one, `title` itself: a new tab, or the tab of that name when it carries a mark
    that does not name its output. Raises OwnershipError when `title` is taken by a tab
    without sheetsync's mark for `key`, or when several marked tabs are named otherwise."""
    marked = [name for name, output in owned.items() if output == key]
    wanted = title.casefold()
    named = [name for name in marked if name.casefold() == wanted]
    if named or len(marked) == 1:
        return (named or marked)[0]
    if marked:
        raise OwnershipError(
            f"{where}: tabs {_listed(marked)} all carry sheetsync's mark for output.{key} (a "
            f"copy of an output tab carries it too) and none is named {title!r}, so nothing "
            f"was written. Rename the one sheetsync should refresh to {title!r}, or delete the "
            "others"
        )
    existing = next((name for name in titles if name.casefold() == wanted), None)
    if existing is None or (existing in owned and owned[existing] is None):
        return existing or title
    if existing in owned:
        raise OwnershipError(
            f"{where}: tab {existing!r} holds sheetsync's output.{owned[existing]} (renamed "
            f"to this name), so output.{key} cannot go there and nothing was written. Rename "
            f"that tab back, or choose another name for this output with the config key "
            f"output.{key}"
        )
    raise OwnershipError(
        f"{where}: tab {existing!r} already exists and does not carry sheetsync's mark (it "
        "was not made by sheetsync, or was deleted and made again), so it is left untouched "
        "and nothing was written. Rename that tab, or choose another name for this output "
        f"with the config key output.{key}"
    )


def find_holder(key: str, title: str, titles: Sequence[str], owned: Owned) -> str | None:
    """The title of the owned tab that holds output `key` now, if any (`holder` without the
    errors: None when no owned tab holds it or the marks are ambiguous)."""
    try:
        found = holder(key, title, titles, owned, "")
    except OwnershipError:
        return None
    return found if found in owned else None


def _listed(names: Sequence[str]) -> str:
    return ", ".join(repr(name) for name in names)
