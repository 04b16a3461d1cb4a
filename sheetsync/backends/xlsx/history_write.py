"""Write a snapshot into the History tab: its old rows kept exactly, the snapshot's day replaced.

History is the one owned tab that is not rewritten from the plan alone. Its new part is made
from the old one, row by row, as `sheetsync.backends.snapshot_place.plan_edit` says from the date
column (sort when sorted by hand, delete the snapshot's day and the oldest days beyond
`max_rows`, insert the new rows):

- row 1 stays as it is (the snapshot's header is only written when the tab is new, or lost
  its row 1);
- every other old row is copied as the bytes it was, with only its row number and the row
  part of its cells' refs changed, so values, styles (whose indexes never move: styles are
  only appended) and shared-string indexes (the shared strings part is never touched) stay;
- the new rows are written like every other output tab's cells (`sheetxml`).

Everything else in the part is sheetsync's, as in the other owned tabs: the frozen header
row, the column widths of the snapshot, the dimension (from A1 to the last row and the
rightmost cell). Rows that the file does not hold (empty rows between others) are not kept.
The old root element's namespace declarations are carried over, so copied rows that use
them (Excel's `x14ac:dyDescent`) stay valid.

The part is made while the package is written (`zippackage.Streamed`): the old rows pass
through in order, so only a hand-sorted History, whose rows must be put in date order, is
first copied out to a temporary file.
"""

from __future__ import annotations

import tempfile
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sheetsync.backends.snapshot_place import HistoryEdit, plan_edit
from sheetsync.backends.xlsx import rowscan
from sheetsync.backends.xlsx.history_read import HistoryScan, numbered_rows, scan_history
from sheetsync.backends.xlsx.package import Package, SheetEntry
from sheetsync.backends.xlsx.sheetxml import (
    HEAD,
    MARGINS,
    StyleIndex,
    columns_xml,
    is_written,
    row_xml,
    views_xml,
)
from sheetsync.backends.xlsx.zippackage import Streamed
from sheetsync.errors import WorkbookError
from sheetsync.plan import Cell, HistorySnapshot
from sheetsync.spreadsheet import column_letter

BATCH = 1024 * 1024
OURS = (b"xmlns=", b"xmlns:r=")  # declared by HEAD already


@dataclass(frozen=True)
class _Layout:
    """Where every row of the new part comes from."""

    order: list[int]  # old data rows, by index, in their new order
    insert_at: int  # where the new rows go among them
    new_rows: bytes  # the snapshot's rows, numbered for that place
    new_count: int
    header: bytes | None  # the snapshot's header, when the old row 1 is not kept
    sort_first: bool


def history_part(
    package: Package,
    entry: SheetEntry | None,
    snapshot: HistorySnapshot,
    style: StyleIndex,
    scan: HistoryScan | None = None,
) -> Streamed:
    """History's new part: `entry`'s rows (None: a new tab) with `snapshot` put in.

    `scan` is the scan of `entry`'s part made when it was read, if any. New cells are styled
    through `style` here and now; the old rows are copied when the part is written."""
    if entry is None:
        scan = HistoryScan("")
    elif scan is None or scan.part != entry.part:
        scan = scan_history(package, entry.part)
    edit = plan_edit(scan.dates, snapshot.day, len(snapshot.rows), snapshot.max_rows)
    layout = _layout(scan, edit, snapshot, style)
    head = _head(package, entry, scan, layout, snapshot)
    return Streamed(lambda: _chunks(package, entry, scan, layout, head))


def _layout(
    scan: HistoryScan, edit: HistoryEdit, snapshot: HistorySnapshot, style: StyleIndex
) -> _Layout:
    order = list(range(len(scan.dates)))
    if edit.sort_first:
        order.sort(key=scan.dates.__getitem__)
    for start, end in edit.deletions:
        del order[start:end]
    letters = [column_letter(c) for c in range(max(_width(snapshot), 1))]
    first = 2 + edit.insert_at
    new_rows = "".join(
        row_xml(first + n, row, letters, style, header=False) for n, row in enumerate(snapshot.rows)
    )
    header = None if scan.header else row_xml(1, snapshot.header, letters, style, header=True)
    return _Layout(order, edit.insert_at, new_rows.encode(), len(snapshot.rows),
                   header.encode() if header else None, edit.sort_first)  # fmt: skip


def _width(snapshot: HistorySnapshot) -> int:
    """Columns up to the last cell the snapshot writes."""
    return max((_last_written(row) for row in (snapshot.header, *snapshot.rows)), default=0)


def _last_written(row: tuple[Cell, ...]) -> int:
    return max((c + 1 for c, cell in enumerate(row) if is_written(cell)), default=0)


def _head(
    package: Package,
    entry: SheetEntry | None,
    scan: HistoryScan,
    layout: _Layout,
    snapshot: HistorySnapshot,
) -> bytes:
    """Everything before the first row: root, dimension, frozen header, column widths."""
    carried = b""
    if entry is not None:
        found = rowscan.declarations(package.zip, entry.part)
        carried = b"".join(d for d in found if not d.strip().startswith(OURS))
    header_width = scan.header_width if scan.header else _last_written(snapshot.header)
    width = max(header_width, _width(snapshot), max(map(scan.widths.__getitem__, layout.order),
                                                     default=0), 1)  # fmt: skip
    last_row = 1 + len(layout.order) + len(snapshot.rows)
    dimension = f'<dimension ref="A1:{column_letter(width - 1)}{last_row}"/>'
    frame = (dimension + views_xml(1) + '<sheetFormatPr defaultRowHeight="15"/>'
             + columns_xml(snapshot.column_widths) + "<sheetData>")  # fmt: skip
    return HEAD.encode()[:-1] + carried + b">" + frame.encode()


def _chunks(
    package: Package, entry: SheetEntry | None, scan: HistoryScan, layout: _Layout, head: bytes
) -> Iterator[bytes]:
    """The part: head, header, the old rows renumbered with the new ones among them, tail."""
    yield head
    if layout.header is not None:
        yield layout.header
    old = _old_rows(package, entry, scan, layout) if entry is not None else iter(())
    yield from _batched(_data_rows(old, layout))
    yield b"</sheetData>" + MARGINS.encode() + b"</worksheet>"


def _data_rows(old: Iterator[tuple[bool, bytes]], layout: _Layout) -> Iterator[bytes]:
    shift = layout.new_count
    placed = False
    position = 0
    for header, row in old:
        if header:
            yield row
            continue
        if position == layout.insert_at:
            yield layout.new_rows
            placed = True
        yield _numbered(row, 2 + position + (shift if placed else 0))
        position += 1
    if not placed:
        yield layout.new_rows


def _numbered(row: bytes, number: int) -> bytes:
    same = rowscan.written_number(row) == str(number).encode()
    return row if same else rowscan.renumber(row, number)


def _old_rows(
    package: Package, entry: SheetEntry, scan: HistoryScan, layout: _Layout
) -> Iterator[tuple[bool, bytes]]:
    """The old header (if any), then the old data rows kept, in their new order."""
    rows = numbered_rows(package, entry.part)
    if layout.sort_first:
        yield from _sorted(rows, scan, layout.order)
        return
    keep = bytearray(len(scan.dates))
    for index in layout.order:
        keep[index] = 1
    index = 0
    for header, row in rows:
        if not header:
            _check(index < len(keep), package, entry)
            index += 1
            if not keep[index - 1]:
                continue
        yield header, row
    _check(index == len(keep), package, entry)


def _sorted(
    rows: Iterator[tuple[bool, bytes]], scan: HistoryScan, order: list[int]
) -> Iterator[tuple[bool, bytes]]:
    """The rows in `order`, by way of a temporary file (a hand-sorted History only)."""
    with tempfile.TemporaryFile() as spool:
        offsets = array("Q", [0])
        for header, row in rows:
            if header:
                yield header, row
                continue
            spool.write(row)
            offsets.append(offsets[-1] + len(row))
        if len(offsets) - 1 != len(scan.dates):
            raise WorkbookError(f"History's part {scan.part} changed while it was written")
        for index in order:
            spool.seek(offsets[index])
            yield False, spool.read(offsets[index + 1] - offsets[index])


def _check(holds: bool, package: Package, entry: SheetEntry) -> None:
    if not holds:
        raise WorkbookError(
            f"{package.path}: the rows of tab {entry.title!r} ({entry.part}) changed while "
            "sheetsync wrote them; nothing was written"
        )


def _batched(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The pieces joined into chunks of about BATCH bytes (fewer, larger writes)."""
    batch: list[bytes] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= BATCH:
            yield b"".join(batch)
            batch, size = [], 0
    if batch:
        yield b"".join(batch)
