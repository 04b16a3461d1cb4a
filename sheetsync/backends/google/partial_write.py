"""Rewriting only the values that changed, on a big tab whose layout is the same as last time.

A refresh rewrites each output tab it owns whole (write.py): every value and format. For a
long table (Rep KPIs at 300 reps: 133,500 cells, about 2.7 MB of the write) most cells hold
what the last refresh wrote; what changes from one day to the next is some numbers. So:

* every full write of a tab also leaves on it its *layout*: a digest of what decides the tab's
  formats and structure apart from its values (frozen rows and columns, each cell's declared
  number format, bold, checkbox and whether it holds a date; the colour rules and charts), and
  the size of that write, as developer metadata `sheetsync.layout` (`<digest> <bytes>`);
* the read (call 2) also reads the values of each owned tab that carries a layout and is big
  enough to be worth it (MIN_READ_CELLS), unformatted, as they are now, edits included;
* when the new plan has the same layout, the grid the same size and the tab as many charts and
  rules as the plan adds, the tab's write is: its grid properties, the changed values and the
  formats the read cannot vouch for (changed_values.py), and its column widths, if that is
  shorter than the last full write was; else the full write.

A cell is skipped only when the read proves it holds what the plan would write: values are
compared by type and exactly (changed_values.py). A changed cell keeps its format only when
it held a value of the same kind (text, number, boolean; a date's format is always
written): with the same layout, the last full write gave it the format the plan gives it now.
Not seen by the read, and kept until the next full write: a format someone changed by hand;
the format of a cell someone typed a value into (over nothing, or over a value of another
kind) that the plan now fills with a value of the kind typed; a formula typed over one of our
cells that computes the very value we would write; and an edit made between this refresh's
read and its write (seconds). Two refreshes writing the same tab at once may leave a mix of
both, which the next refresh puts right, as it compares with what is there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from sheetsync.backends.google.read import LAYOUT_KEY, SheetInfo
from sheetsync.plan import TabPlan

JsonDict = dict[str, Any]
MIN_READ_CELLS = 10_000
"""Smallest owned tab (rows x columns of its grid) whose values are read back: under it, a
full write costs less than 250 KB, and the read would save little."""
DATES: dict[type, str] = {date: "date", datetime: "datetime"}
DECLARED = attrgetter("number_format", "bold", "checkbox")


def layout_digest(tab: TabPlan, look: Sequence[JsonDict], checkboxes: Sequence[JsonDict]) -> str:
    """What decides a full write of `tab` apart from its values and column widths, as a short
    digest: header rows, frozen columns, the plan's size, each cell's declared number format,
    bold and checkbox and whether its value is a date (a date gets a date format of its own),
    the data validations (`checkboxes`) and the colour rules and charts (`look`,
    rules_charts.py)."""
    digest = hashlib.sha256()
    shape = (tab.header_rows, tab.frozen_columns, len(tab.rows), tab.width, checkboxes, look)
    digest.update(repr(shape).encode("utf-8"))
    for row in tab.rows:
        dates = tuple(DATES.get(cell.value.__class__) for cell in row)
        digest.update(repr((tuple(map(DECLARED, row)), dates)).encode("utf-8"))
    return digest.hexdigest()[:32]


def layout_marker(sheet: SheetInfo | None, sheet_id: int, digest: str, size: int) -> list[JsonDict]:
    """Replace the tab's layout metadata (every one on the tab, should two writers have left
    one each) with `digest` and the `size` in bytes of the full write that leaves it."""
    deletes = []
    if sheet is not None and sheet.layout is not None:
        lookup = {"metadataKey": LAYOUT_KEY, "metadataLocation": {"sheetId": sheet_id},
                  "locationMatchingStrategy": "EXACT_LOCATION"}  # fmt: skip
        deletes.append({"deleteDeveloperMetadata": {"dataFilter": {
            "developerMetadataLookup": lookup}}})  # fmt: skip
    create = {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataKey": LAYOUT_KEY,
                "metadataValue": f"{digest} {size}",
                "location": {"sheetId": sheet_id},
                "visibility": "DOCUMENT",
            }
        }
    }
    return [*deletes, create]


def tabs_to_read(sheets: Sequence[SheetInfo], others: Sequence[str]) -> list[SheetInfo]:
    """The tabs whose values the read brings back, to write only what changed: owned tabs
    written with a layout, of at least MIN_READ_CELLS cells, none of the titles `others`
    (the inputs, and History, which is read its own way: history_tab.py)."""
    skipped = {title.casefold() for title in others}
    return [
        sheet
        for sheet in sheets
        if sheet.owned
        and sheet.layout is not None
        and sheet.rows * sheet.columns >= MIN_READ_CELLS
        and sheet.title.casefold() not in skipped
    ]


def reusable(sheet: SheetInfo, digest: str, size: tuple[int, int], looks: tuple[int, int]) -> bool:
    """Whether the tab holds what a write of this layout left: the same digest, the grid
    `size` (rows, columns) the plan needs (rows added or deleted by hand move formats), and
    as many colour rules and charts (`looks`) as the plan adds (one deleted by hand means a
    full write)."""
    rules, charts = looks
    return (
        (sheet.layout or "").split(" ")[0] == digest
        and (sheet.rows, sheet.columns) == size
        and sheet.rule_count == rules
        and len(sheet.chart_ids) == charts
    )


def last_full_bytes(sheet: SheetInfo) -> int | None:
    """The size of the full write that left the tab's layout (None when not known)."""
    parts = (sheet.layout or "").split(" ")
    return int(parts[1]) if len(parts) == 2 and parts[1].isdigit() else None
