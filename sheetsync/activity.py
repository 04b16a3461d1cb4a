"""Activity tabs -> one typed frame per tab, every rejected row and bad cell reported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from sheetsync.backends.base import Grid
from sheetsync.cells import (
    BoolArray,
    a1,
    blank_mask,
    frame_of,
    norm,
    parse_dates,
    parse_numbers,
    tidy,
)
from sheetsync.config import Config
from sheetsync.dataissues import Issue, Severity, shown

HEADER_SEARCH_ROWS = 10


@dataclass
class TabRows:
    """What one activity tab gave: counted rows, issues, and the row accounting."""

    frame: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    read: int = 0
    rejected: int = 0
    rep_column: int | None = None


@dataclass
class _Tab:
    """The body of one tab being parsed: its cells, header columns and sheet row numbers."""

    title: str
    body: pd.DataFrame
    columns: dict[str, int]
    rows: npt.NDArray[np.int64]
    result: TabRows

    def column(self, header: str) -> pd.Series | None:
        index = self.columns.get(norm(header))
        if index is None or index not in self.body.columns:
            return None
        return self.body[index]

    def report(
        self, severity: Severity, header: str, mask: BoolArray, values: pd.Series | None,
        problem: Callable[[str], str], action: str,
    ) -> None:  # fmt: skip
        col = self.columns.get(norm(header), 0)
        raw = values.to_numpy(dtype=object) if values is not None else None
        for i in np.flatnonzero(mask):
            value = shown(raw[i]) if raw is not None else ""
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


def nonblank_rows(body: pd.DataFrame) -> BoolArray:
    """True for each row with at least one non-empty cell."""
    nonblank = np.zeros(len(body), dtype=bool)
    for column in body.columns:
        nonblank |= ~blank_mask(body[column])
    return nonblank


def read_activity_tab(title: str, grid: Grid, config: Config, tab_rep: str | None) -> TabRows:
    """Parse one activity tab. `tab_rep` is the rep named by the tab title (None for a log)."""
    act = config.activity
    header = find_header(grid, act.date_column)
    if header is None:
        return _tab_without_header(title, grid, config)
    body = frame_of(grid[header + 1 :])
    nonblank = nonblank_rows(body)
    result = TabRows(frame=empty_activity(config), read=int(nonblank.sum()))
    if result.read == 0:
        return result
    rows = header + 2 + np.flatnonzero(nonblank)
    tab = _Tab(title, body[nonblank], header_columns(grid[header]), rows, result)
    frame = pd.DataFrame({"_row": rows})
    keep = _parse_dates(tab, frame, config)
    keep &= _parse_reps(tab, frame, act.rep_column, tab_rep)
    _parse_numbers(tab, frame, keep, config, header)
    _take_texts(tab, frame, config)
    frame["_tab"] = title
    result.rejected = int((~keep).sum())
    result.frame = frame[keep].reset_index(drop=True)
    return result


def empty_activity(config: Config) -> pd.DataFrame:
    """A frame with no rows and the activity columns, typed."""
    act = config.activity
    columns: dict[str, pd.Series] = {
        "rep": pd.Series([], dtype=object),
        "date": pd.Series([], dtype="datetime64[ns]"),
        **{key: pd.Series([], dtype=np.float64) for key in act.numbers},
        **{key: pd.Series([], dtype=object) for key in act.texts},
        "_row": pd.Series([], dtype=np.int64),
        "_tab": pd.Series([], dtype=object),
    }
    return pd.DataFrame(columns)


def _tab_without_header(title: str, grid: Grid, config: Config) -> TabRows:
    read = int(nonblank_rows(frame_of(grid)).sum()) if grid else 0
    header = config.activity.date_column
    issue = Issue(
        "error", title, "A1", f"no {header!r} column header in the first {HEADER_SEARCH_ROWS} rows",
        "", f"tab not counted ({read} rows rejected)",
    )  # fmt: skip
    return TabRows(frame=empty_activity(config), issues=[issue], read=read, rejected=read)


def _parse_dates(tab: _Tab, frame: pd.DataFrame, config: Config) -> BoolArray:
    header = config.activity.date_column
    values = tab.column(header)
    if values is None:
        values = pd.Series([None] * len(tab.body), dtype=object)
    dates, bad = parse_dates(values, config.locale)
    missing = np.isnat(dates) & ~bad
    tab.report("error", header, bad, values, lambda v: f"expected a date, got {v!r}",
               "row not counted")  # fmt: skip
    tab.report("error", header, missing, None, lambda _: "the date is missing", "row not counted")
    frame["date"] = dates.astype("datetime64[ns]")
    return ~(bad | missing)


def _parse_reps(tab: _Tab, frame: pd.DataFrame, header: str, tab_rep: str | None) -> BoolArray:
    values = tab.column(header)
    if values is None:
        if tab_rep is None:
            tab.result.issues.append(Issue(
                "error", tab.title, "A1", f"no {header!r} column in this log tab", "",
                f"tab not counted ({len(tab.body)} rows rejected)",
            ))  # fmt: skip
            return np.zeros(len(tab.body), dtype=bool)
        frame["rep"] = tab_rep
        return np.ones(len(tab.body), dtype=bool)
    tab.result.rep_column = tab.columns[norm(header)]
    blank = blank_mask(values)
    names = values.where(~blank, tab_rep or "").astype(str).map(tidy)
    frame["rep"] = names.to_numpy(dtype=object)
    if tab_rep is not None:
        return np.ones(len(tab.body), dtype=bool)
    tab.report("error", header, blank, None, lambda _: "the rep is missing", "row not counted")
    return ~blank


def _parse_numbers(
    tab: _Tab, frame: pd.DataFrame, keep: BoolArray, config: Config, header_index: int
) -> None:
    for key, header in config.activity.numbers.items():
        values = tab.column(header)
        if values is None:
            frame[key] = np.nan
            tab.result.issues.append(Issue(
                "warning", tab.title, a1(0, header_index + 1), f"no {header!r} column", "",
                f"{header} counts nothing from this tab",
            ))  # fmt: skip
            continue
        numbers, bad = parse_numbers(values, config.locale)
        frame[key] = numbers
        tab.report("warning", header, bad & keep, values,
                   lambda v: f"expected a number, got {v!r}",
                   "cell left out; the rest of the row counted")  # fmt: skip


def _take_texts(tab: _Tab, frame: pd.DataFrame, config: Config) -> None:
    for key, header in config.activity.texts.items():
        values = tab.column(header)
        if values is None:
            frame[key] = None
            continue
        blank = blank_mask(values)
        frame[key] = values.astype(object).where(~blank, None).to_numpy(dtype=object)
