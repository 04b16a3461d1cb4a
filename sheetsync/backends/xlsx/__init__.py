"""The local Excel backend: read the input tabs fast, write only the tabs sheetsync owns.

    read:  the file's bytes once (size, mtime, hash) -> package checks and limits (`package`)
           -> the selected tabs by calamine, or openpyxl's streaming reader where unsafe (`read`)
    apply: the output tabs as new worksheet parts spliced into the same package (`splice`),
           every other part copied byte for byte (`zippackage`), and the file replaced only
           if nobody saved it meanwhile, keeping its mode and owner (`filesafety`).
    read_cell: one cell of one tab, streamed from that tab's part alone (`cellread`).
    History: read in one streaming pass that keeps only the wanted days' rows
           (`history_read`, finding rows with `rowscan`); a snapshot is put in by copying the old
           rows and splicing the new ones in (`history_write`), in the same single write as the
           other tabs.
    the parts written: a tab's worksheet XML (`sheetxml`), its cell formats (`styles`), colour
           rules (`conditional`), charts (`charts`), small edits of shared parts (`xmltext`),
           and sheetsync's mark on the tabs it owns (`marks`).

Output goes into the workbook itself, or into `output_path` when given (the source is then
only read). A refresh holds a lock beside the output workbook (`locked`), so two sheetsync
refreshes of one workbook never run at once.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sheetsync.backends.base import place_outputs
from sheetsync.backends.xlsx.cellread import read_cell as read_one_cell
from sheetsync.backends.xlsx.filesafety import (
    Snapshot,
    check_not_open,
    check_writable,
    exclusive,
    replace_file,
    snapshot,
)
from sheetsync.backends.xlsx.history_read import HistoryScan, read_history
from sheetsync.backends.xlsx.package import MIB, Package, check_declared, open_package
from sheetsync.backends.xlsx.read import read_tabs
from sheetsync.backends.xlsx.splice import Splice, empty_package
from sheetsync.backends.xlsx.zippackage import write_package
from sheetsync.config.values import XlsxLimits
from sheetsync.errors import WorkbookError
from sheetsync.grids import HistoryQuery, RawValue, RawWorkbook, TabSelector
from sheetsync.plan import OutputPlan, TabPlan


@dataclass(frozen=True)
class _Opened:
    """A workbook as it was read: the snapshot the write is checked against, its package,
    and the scans of History's part made while reading it (by part)."""

    snap: Snapshot | None
    package: Package
    scans: dict[str, HistoryScan] = field(default_factory=dict)


class XlsxBackend:
    """A workbook on disk. Output goes into the same file, or into `output_path` when given."""

    def __init__(
        self,
        path: Path,
        output_path: Path | None = None,
        *,
        force: bool = False,
        limits: XlsxLimits | None = None,
        create: bool = False,
    ) -> None:
        self.path = path
        self.output_path = output_path
        self.force = force
        self.create = create
        self.limits = limits or XlsxLimits()
        self._target: _Opened | None = None

    @property
    def description(self) -> str:
        return str(self.path)

    @property
    def destination(self) -> str:
        return str(self.target)

    @property
    def api_calls(self) -> int:
        return 0

    @property
    def write_calls(self) -> int:
        return 0

    @property
    def target(self) -> Path:
        return self.output_path or self.path

    def locked(self) -> AbstractContextManager[None]:
        """Hold the output workbook for one refresh: no other sheetsync refresh writes it.

        The folder and the file are checked first (the lock file lives beside the workbook,
        and a missing folder must be an error, not made for it)."""
        check_writable(self.target)
        return exclusive(self.target)

    def read(
        self, select: TabSelector, history: HistoryQuery | None = None, *, outputs: bool = False
    ) -> RawWorkbook:
        """Read the source (with `create`, a missing one reads as a workbook with no tabs),
        and what `history` asks of the owned History tab of the output workbook.

        Reading History always records where its rows' days are (a scan), so a snapshot
        written next by `apply` does not go over History again: `history.locate` costs
        nothing more here."""
        missing = self.create and not self.path.exists()
        source = self._empty(self.path) if missing else self._open(self.path)
        target = source if self.output_path is None else self._open_target()
        self._target = target
        titles = source.package.titles
        ours = target.package.owned if target is source else {}
        inputs = [title for title in titles if title not in ours]
        grids = read_tabs(source.package, select(inputs), self.limits)
        found = read_history(target.package, history) if history is not None else None
        if found is not None:
            target.scans[found[1].part] = found[1]
        return RawWorkbook(titles=titles, grids=grids, owned=target.package.owned,
                           output_titles=target.package.titles,
                           history=found[0] if found else None)  # fmt: skip

    def apply(self, plan: OutputPlan) -> None:
        """Splice the plan's tabs into the output workbook, each into the tab marked for its
        output (marks.py), and replace the file, all or nothing."""
        self._check_target()
        target = self._target or self._open_target()
        base = target.package
        plan = place_outputs(plan, base.titles, base.owned, str(self.target))
        splice = Splice(base)
        written = splice.write_tabs(plan.tabs, plan.history, target.scans, plan.number_locale)
        keys = [tab.key for tab in plan.tabs] + ([plan.history.key] if plan.history else [])
        marks = {title: "" for title, key in base.owned.items() if key is None}
        splice.mark(marks | dict(zip(written, keys, strict=True)))
        self._replace(target, splice)

    def read_cell(self, title: str, cell: str) -> RawValue:
        """One cell of one tab of the output workbook (`output_path`'s when set), reading
        nothing else of it (`cellread`); None when empty, or the tab or the file is missing."""
        return read_one_cell(self.target, title, cell, self.limits)

    def add_input_tabs(self, tabs: Sequence[TabPlan]) -> None:
        """Add input tabs to the source workbook (made when missing), never replacing a tab."""
        self.output_path = None
        self._check_target()
        target = self._open_target()
        taken = {t.casefold() for t in target.package.titles}
        clash = [tab.title for tab in tabs if tab.title.casefold() in taken]
        if clash:
            raise WorkbookError(f"{self.path}: tab {clash[0]!r} exists already; nothing was added")
        splice = Splice(target.package)
        splice.write_tabs(tabs)
        self._replace(target, splice)

    def _check_target(self) -> None:
        check_writable(self.target)
        check_not_open(self.target, force=self.force)

    def _replace(self, target: _Opened, splice: Splice) -> None:
        changes = splice.result()
        data = target.package.data

        def write(out: BinaryIO) -> None:
            write_package(io.BytesIO(data), out, changes, name=str(self.target))

        replace_file(self.target, write, target.snap)
        self._target = None

    def _open(self, path: Path) -> _Opened:
        check_declared(path, self.limits)
        snap = snapshot(path, self.limits.unpacked_mb * MIB)
        return _Opened(snap, open_package(path, snap.data, self.limits))

    def _open_target(self) -> _Opened:
        """The output workbook as it is now; a new, empty package when it does not exist."""
        return self._open(self.target) if self.target.exists() else self._empty(self.target)

    def _empty(self, path: Path) -> _Opened:
        return _Opened(None, open_package(path, empty_package(), self.limits))
