"""Activity tabs -> typed column arrays per tab, every rejected row and bad cell reported.

Each tab is parsed column by column (see `columns`); the sync stage joins the tabs' arrays into
one frame at the end, so no frame is built per tab.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from sheetsync.config.values import Config
from sheetsync.grids import Grid
from sheetsync.issues import Issue, Severity, shown
from sheetsync.spreadsheet import a1, norm, tidy
from sheetsync.sync.cell_text import LARGEST, TOO_LARGE
from sheetsync.sync.columns import BoolArray, Column, ObjectArray, columns_of

HEADER_SEARCH_ROWS = 10


@dataclass
class TabRows:
    """What one activity tab gave: counted rows as arrays, issues, and the row accounting."""

    title: str
    arrays: dict[str, npt.NDArray[Any]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    read: int = 0
    rejected: int = 0
    rep_column: int | None = None
    rep_names: list[str] = field(default_factory=list)  # arrays["rep"] holds codes into these

    @property
    def counted(self) -> int:
        return self.read - self.rejected


@dataclass
class _Tab:
    """The body of one tab being parsed: its columns, sheet row numbers and non-blank rows.

    Blank rows are not read: no issue is ever reported on one, and none is counted.
    """

    title: str
    columns: list[Column]
    where: dict[str, int]
    rows: npt.NDArray[np.int64]
    nonblank: BoolArray
    result: TabRows

    def column(self, header: str) -> Column | None:
        index = self.where.get(norm(header))
        return self.columns[index] if index is not None and index < len(self.columns) else None

    def report(
        self, severity: Severity, header: str, mask: BoolArray, cells: ObjectArray | None,
        problem: Callable[[str], str], action: str,
    ) -> None:  # fmt: skip
        col = self.where.get(norm(header), 0)
        for i in np.flatnonzero(mask & self.nonblank):
            value = shown(cells[i]) if cells is not None else ""
            cell = a1(col, int(self.rows[i]))
            self.result.issues.append(
                Issue(severity, self.title, cell, problem(value), value, action)
            )


def find_header(grid: Grid, required: str) -> int | None:
    """Index of the first of the top rows holding the `required` header (matched loosely)."""
    wanted = norm(required)
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if any(cell is not None and norm(cell) == wanted for cell in row):
            return index
    return None


def header_columns(row: list[Any]) -> dict[str, int]:
    """Loose header -> first column index holding it."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        key = norm(cell) if cell is not None else ""
        if key and key not in columns:
            columns[key] = index
    return columns


def nonblank_rows(columns: list[Column], count: int) -> BoolArray:
    """True for each row with at least one non-empty cell."""
    nonblank = np.zeros(count, dtype=bool)
    for column in columns:
        nonblank |= ~column.blank
    return nonblank


def within_header(body: Grid, width: int) -> tuple[Grid, BoolArray]:
    """Rows cut to the header's width, and which rows had a value beyond it.

    A value past the last header (a stray cell at XFD1048576, say) still makes its row
    non-empty, so the row is accounted for, but no column is built for the empty space
    in between. Rows come with trailing empty cells trimmed, so a longer row has a value there.
    """
    beyond = np.fromiter((len(row) > width for row in body), dtype=bool, count=len(body))
    if not beyond.any():
        return body, beyond
    return [row[:width] for row in body], beyond


def read_activity_tab(title: str, grid: Grid, config: Config, tab_rep: str | None) -> TabRows:
    """Parse one activity tab. `tab_rep` is the rep named by the tab title (None for a log)."""
    header = find_header(grid, config.activity.date_column)
    if header is None:
        return _tab_without_header(title, grid, config)
    body, beyond = within_header(grid[header + 1 :], len(grid[header]))
    columns = columns_of(body)
    nonblank = nonblank_rows(columns, len(body)) | beyond
    result = TabRows(title, read=int(nonblank.sum()))
    if result.read == 0:
        return result
    rows = header + 2 + np.arange(len(body))
    tab = _Tab(title, columns, header_columns(grid[header]), rows, nonblank, result)
    arrays: dict[str, npt.NDArray[Any]] = {"_row": rows}
    keep = nonblank & _parse_dates(tab, arrays, config)
    keep &= _parse_reps(tab, arrays, config.activity.rep_column, tab_rep)
    _parse_numbers(tab, arrays, keep, config, header)
    _take_texts(tab, arrays, config)
    result.rejected = result.read - int(keep.sum())
    result.arrays = arrays if keep.all() else {k: v[keep] for k, v in arrays.items()}
    return result


def activity_frame(tabs: list[TabRows], config: Config) -> pd.DataFrame:
    """One frame of every counted row: rep, date, number and text fields, _row and _tab."""
    act = config.activity
    keys = ["date", *act.numbers, *act.texts, "_row"]
    dtypes: dict[str, Any] = {"date": "datetime64[ns]", "_row": np.int64}
    dtypes |= {key: np.float64 for key in act.numbers} | {key: object for key in act.texts}
    filled = [t for t in tabs if t.counted]
    data: dict[str, Any] = {"rep": _rep_column(filled)}
    for key in keys:
        parts = [t.arrays[key] for t in filled] or [np.array([], dtype=dtypes[key])]
        data[key] = np.concatenate(parts).astype(dtypes[key], copy=False)
    tab_names = np.array([t.title for t in filled], dtype=object)
    data["_tab"] = np.repeat(tab_names, [t.counted for t in filled])
    # object columns stay object (pandas would otherwise infer its string dtype, slowly)
    return pd.DataFrame({k: pd.Series(v, dtype=v.dtype, copy=False) for k, v in data.items()})


def _rep_column(tabs: list[TabRows]) -> pd.Categorical:
    """The tabs' rep codes joined into one categorical column (names as typed, tidied)."""
    names: dict[str, int] = {}
    parts = []
    for tab in tabs:
        local = np.array([names.setdefault(n, len(names)) for n in tab.rep_names], dtype=np.intp)
        parts.append(local[tab.arrays["rep"]])
    codes = np.concatenate(parts) if parts else np.array([], dtype=np.intp)
    return pd.Categorical.from_codes(codes, categories=pd.Index(list(names), dtype=object))


def _tab_without_header(title: str, grid: Grid, config: Config) -> TabRows:
    read = int(nonblank_rows(columns_of(grid), len(grid)).sum())
    header = config.activity.date_column
    issue = Issue(
        "error", title, "A1", f"no {header!r} column header in the first {HEADER_SEARCH_ROWS} rows",
        "", f"tab not counted ({read} rows rejected)",
    )  # fmt: skip
    return TabRows(title, issues=[issue], read=read, rejected=read)


def _parse_dates(tab: _Tab, arrays: dict[str, npt.NDArray[Any]], config: Config) -> BoolArray:
    header = config.activity.date_column
    column = tab.column(header) or Column([None] * len(tab.rows))
    dates, bad = column.dates(config.locale)
    missing = np.isnat(dates) & ~bad
    tab.report("error", header, bad, column.raw, lambda v: f"expected a date, got {v!r}",
               "row not counted")  # fmt: skip
    tab.report("error", header, missing, None, lambda _: "the date is missing", "row not counted")
    arrays["date"] = dates.astype("datetime64[ns]")
    return ~(bad | missing)


def _parse_reps(
    tab: _Tab, arrays: dict[str, npt.NDArray[Any]], header: str, tab_rep: str | None
) -> BoolArray:
    column = tab.column(header)
    count = len(tab.rows)
    if column is None:
        if tab_rep is None:
            tab.result.issues.append(Issue(
                "error", tab.title, "A1", f"no {header!r} column in this log tab", "",
                f"tab not counted ({tab.result.read} rows rejected)",
            ))  # fmt: skip
            return np.zeros(count, dtype=bool)
        tab.result.rep_names = [tab_rep]
        arrays["rep"] = np.zeros(count, dtype=np.intp)
        return np.ones(count, dtype=bool)
    tab.result.rep_column = tab.where[norm(header)]
    arrays["rep"], tab.result.rep_names = _rep_codes(column, tab_rep or "")
    if tab_rep is not None:
        return np.ones(count, dtype=bool)
    tab.report("error", header, column.blank, None, lambda _: "the rep is missing",
               "row not counted")  # fmt: skip
    return ~column.blank


def _rep_codes(column: Column, fallback: str) -> tuple[npt.NDArray[np.intp], list[str]]:
    """Each row's code into a list of tidied names (blanks get `fallback`)."""
    codes, uniques = pd.factorize(column.texts())
    names = [tidy(str(u)) for u in uniques] + [tidy(fallback)]
    return np.where(codes < 0, len(uniques), codes).astype(np.intp), names


def _parse_numbers(
    tab: _Tab, arrays: dict[str, npt.NDArray[Any]], keep: BoolArray, config: Config,
    header_index: int,
) -> None:  # fmt: skip
    for key, header in config.activity.numbers.items():
        column = tab.column(header)
        if column is None:
            arrays[key] = np.full(len(tab.rows), np.nan)
            tab.result.issues.append(Issue(
                "warning", tab.title, a1(0, header_index + 1), f"no {header!r} column", "",
                f"{header} counts nothing from this tab",
            ))  # fmt: skip
            continue
        numbers, bad = column.numbers(config.locale)
        huge = np.abs(numbers) > LARGEST  # NaN (blank or bad) is not
        arrays[key] = np.where(huge, np.nan, numbers) if huge.any() else numbers
        _report_numbers(tab, header, bad & keep, column, "expected a number")
        _report_numbers(tab, header, huge & keep, column, TOO_LARGE)


def _report_numbers(tab: _Tab, header: str, mask: BoolArray, column: Column, problem: str) -> None:
    tab.report("warning", header, mask, column.raw, lambda v: f"{problem}, got {v!r}",
               "cell left out; the rest of the row counted")  # fmt: skip


def _take_texts(tab: _Tab, arrays: dict[str, npt.NDArray[Any]], config: Config) -> None:
    for key, header in config.activity.texts.items():
        column = tab.column(header)
        arrays[key] = column.texts() if column else np.full(len(tab.rows), None, dtype=object)
