"""Where a snapshot goes in the History tab: one plan, shared by every backend.

History's data rows are found by the date in their first column (a serial number), never by
their position. Given that column as read, `plan_edit` says what to do, in this order:

1. sort the data rows by date, only when they are out of date order (sorted by hand) and every
   date cell holds a date: this keeps each day's rows together, so a later refresh can read
   just the days it needs;
2. delete the rows dated the snapshot's day (a second snapshot the same day replaces the
   first) and, when more than `max_rows` data rows would remain, the oldest days whole;
3. insert the new rows after the last row of an earlier day when the dates are in order,
   else at the end.

Rows whose date cell holds no date (a person typed there) are kept and never moved. Indexes
count data rows from 0 (the row under the header).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from sheetsync.grids import RawValue
from sheetsync.spreadsheet import day_of

__all__ = ["HistoryEdit", "day_of", "day_runs", "plan_edit"]


@dataclass(frozen=True)
class HistoryEdit:
    """What to do to History's data rows; see the module docstring.

    `deletions` are half-open runs [start, end) of data-row indexes after the sort, from the
    bottom up (so each deletion leaves the indexes of the next one valid). `insert_at` is a
    data-row index after the deletions. `dropped` are the oldest days removed to stay within
    `max_rows`. `after` is the date column once everything is done (None for rows without a
    date), from which the backends describe where each day now is. `insert_before` is the same
    place as `insert_at` counted before the deletions (after the sort), for a backend that
    inserts first and deletes after (Google cannot delete every row under a frozen header).
    """

    sort_first: bool
    deletions: tuple[tuple[int, int], ...]
    insert_at: int
    dropped: tuple[date, ...]
    after: tuple[date | None, ...]
    insert_before: int = 0


def plan_edit(column: Sequence[RawValue], day: date, new_rows: int, max_rows: int) -> HistoryEdit:
    """The edit that puts `new_rows` rows dated `day` into History; `column` is the date column
    of its data rows as read. `new_rows` must not exceed `max_rows`."""
    if new_rows > max_rows:
        raise ValueError(f"a snapshot of {new_rows} rows cannot fit in {max_rows} rows")
    dates = [day_of(value) for value in column]
    sort_first = None not in dates and not _in_order(dates)
    if sort_first:
        dates.sort()  # type: ignore[type-var,unused-ignore]  # no None here
    remaining = [d for d in dates if d != day]
    dropped = _oldest_to_drop(remaining, max_rows - new_rows)
    gone = set(dropped) | {day}
    deletions = _runs_where(dates, gone)
    kept = [d for d in dates if d not in gone]
    insert_at = _insert_index(kept, day)
    after = (*kept[:insert_at], *([day] * new_rows), *kept[insert_at:])
    kept_indexes = [index for index, d in enumerate(dates) if d not in gone]
    before = kept_indexes[insert_at] if insert_at < len(kept_indexes) else len(dates)
    return HistoryEdit(sort_first, deletions, insert_at, dropped, after, before)


def day_runs(column: Sequence[date | None]) -> list[tuple[date | None, int, int]]:
    """(day, start, end) for each run of equal dates in a date column, top to bottom."""
    runs: list[tuple[date | None, int, int]] = []
    for index, day in enumerate(column):
        if runs and runs[-1][0] == day:
            runs[-1] = (day, runs[-1][1], index + 1)
        else:
            runs.append((day, index, index + 1))
    return runs


def _in_order(dates: Sequence[date | None]) -> bool:
    known = [d for d in dates if d is not None]
    return all(a <= b for a, b in pairwise(known))


def _oldest_to_drop(dates: Sequence[date | None], room: int) -> tuple[date, ...]:
    """The oldest days to remove, whole, so that at most `room` rows remain."""
    excess = len(dates) - room
    counts: dict[date, int] = {}
    for d in dates:
        if d is not None:
            counts[d] = counts.get(d, 0) + 1
    dropped = []
    for oldest in sorted(counts):
        if excess <= 0:
            break
        dropped.append(oldest)
        excess -= counts[oldest]
    return tuple(dropped)


def _runs_where(dates: Sequence[date | None], gone: set[date]) -> tuple[tuple[int, int], ...]:
    runs = [(start, end) for day, start, end in day_runs(dates) if day in gone]
    merged: list[tuple[int, int]] = []
    for start, end in runs:
        if merged and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(reversed(merged))


def _insert_index(kept: Sequence[date | None], day: date) -> int:
    """After the last row of an earlier day when the dates are in order; else at the end."""
    if None in kept or not _in_order(kept):
        return len(kept)
    return sum(1 for d in kept if d is not None and d < day)
