"""A1 notation: parsing ranges such as ``'Rep - Anna'!A1:C``, ``2:5`` or ``Sheet1`` and writing
them back the way Google echoes them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sheetsync.spreadsheet import column_letter

from ._common import bad_request

_ENDPOINT = re.compile(r"^\$?([A-Za-z]{0,3})\$?(\d*)$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}\d+$|^[Rr]\d*[Cc]\d*$")


@dataclass(frozen=True)
class A1:
    """A parsed A1 reference. Indexes are zero based, ends exclusive, None when unbounded.

    ``title`` is None when the text named no sheet (the first sheet is meant), ``cells`` is
    False when only a sheet title (or named range) was given.
    """

    title: str | None
    start_row: int | None = None
    end_row: int | None = None
    start_col: int | None = None
    end_col: int | None = None
    cells: bool = True


column_letters = column_letter  # 0 -> A, 25 -> Z, 26 -> AA


def column_index(letters: str) -> int:
    """``A`` -> 0, ``AA`` -> 26."""
    value = 0
    for char in letters.upper():
        value = value * 26 + (ord(char) - 64)
    return value - 1


def quote_title(title: str) -> str:
    """Quote a sheet title the way Google does in echoed ranges."""
    if _PLAIN_TITLE.match(title) and not _CELL_LIKE.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def split_title(text: str) -> tuple[str | None, str | None]:
    """Split ``'It''s'!A1`` into (``It's``, ``A1``); a part is None when absent."""
    if text.startswith("'"):
        pos = 1
        chars: list[str] = []
        while pos < len(text):
            char = text[pos]
            if char == "'":
                if text[pos + 1 : pos + 2] == "'":
                    chars.append("'")
                    pos += 2
                    continue
                rest = text[pos + 1 :]
                if rest == "":
                    return "".join(chars), None
                if rest.startswith("!"):
                    return "".join(chars), rest[1:]
                raise bad_request(f"Unable to parse range: {text}")
            chars.append(char)
            pos += 1
        raise bad_request(f"Unable to parse range: {text}")
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    return None, text


def parse_cells(text: str) -> tuple[int | None, int | None, int | None, int | None] | None:
    """Parse ``A1:B2`` / ``A:C`` / ``2:5`` / ``A1`` / ``A2:2`` into
    (start_row, end_row, start_col, end_col); None when it is not a cell reference."""
    parts = text.split(":")
    if len(parts) > 2 or not text:
        return None
    ends: list[tuple[int | None, int | None]] = []
    for part in parts:
        match = _ENDPOINT.match(part.strip())
        if match is None or not (match.group(1) or match.group(2)):
            return None
        col = column_index(match.group(1)) if match.group(1) else None
        row = int(match.group(2)) - 1 if match.group(2) else None
        if row is not None and row < 0:
            return None
        ends.append((col, row))
    if len(ends) == 1:
        col, row = ends[0]
        if col is None or row is None:
            return None
        return row, row + 1, col, col + 1
    (c0, r0), (c1, r1) = ends
    if c0 is not None and c1 is not None and c0 > c1:
        c0, c1 = c1, c0
    if r0 is not None and r1 is not None and r0 > r1:
        r0, r1 = r1, r0
    # "A:C" -> rows unbounded, "2:5" -> columns unbounded, "A1:C" -> rows to the end.
    start_row = r0 if r0 is not None else 0
    start_col = c0 if c0 is not None else 0
    end_row = r1 + 1 if r1 is not None else None
    end_col = c1 + 1 if c1 is not None else None
    return start_row, end_row, start_col, end_col


def parse_a1(text: str) -> A1:
    """Parse an A1 reference; the caller resolves titles and named ranges."""
    title, cells = split_title(text)
    if cells is None:
        return A1(title=title, cells=False)
    bounds = parse_cells(cells)
    if bounds is None:
        if title is None:
            # A bare word: a sheet title or a named range, resolved by the caller.
            return A1(title=cells, cells=False)
        raise bad_request(f"Unable to parse range: {text}")
    return A1(title, *bounds)


def format_range(title: str, start_row: int, end_row: int, start_col: int, end_col: int) -> str:
    """``Sheet1!A1:B2`` (``Sheet1!A1`` for a single cell), title quoted when needed."""
    first = f"{column_letters(start_col)}{start_row + 1}"
    if end_row - start_row == 1 and end_col - start_col == 1:
        return f"{quote_title(title)}!{first}"
    last = f"{column_letters(end_col - 1)}{end_row}"
    return f"{quote_title(title)}!{first}:{last}"
