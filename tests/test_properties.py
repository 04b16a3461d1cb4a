"""Property-based guarantees: every row is accounted for; input text never becomes a formula."""

import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.grids import RawWorkbook
from sheetsync.pipeline import refresh
from sheetsync.sync.cell_text import is_blank
from sheetsync.sync.stage import sync
from tests.helpers import ACTIVITY_HEADER, activity, config, serial

junk_text = st.one_of(
    st.sampled_from(["n/a", "", "  ", "=1+1", "+SUM(A1)", "-", "@x", "12", "1,5", "2026-11-03",
                     "03.11.2026", "=HYPERLINK(\"http://x\")", "1e400", "NaN"]),
    st.text(max_size=8),
)  # fmt: skip
cell = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**6),
    st.floats(allow_nan=True, allow_infinity=True), junk_text,
    st.floats(min_value=serial("2026-01-01"), max_value=serial("2026-12-31")),
)  # fmt: skip
row = st.lists(cell, min_size=0, max_size=len(ACTIVITY_HEADER) + 1)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(row, max_size=30), log_rows=st.lists(row, max_size=10))
def test_every_non_empty_row_is_counted_or_rejected_with_an_issue(
    rows: list[list[Any]], log_rows: list[list[Any]]
) -> None:
    tabs = {
        "Rep - Anna": activity(*rows),
        "Log": [["Rep", *ACTIVITY_HEADER], *[["Ben", *r] for r in log_rows]],
    }
    result = sync(RawWorkbook(tuple(tabs), tabs, {}), config())
    non_empty = sum(1 for r in rows if any(not is_blank(v) for v in r)) + len(log_rows)
    assert result.rows_read == non_empty
    assert result.rows_read == result.rows_counted + result.rows_rejected
    rejected_cells = {(i.tab, i.cell) for i in result.issues if i.action == "row not counted"}
    assert len(rejected_cells) == result.rows_rejected
    assert len(result.activity) == result.rows_counted


printable = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF), min_size=1, max_size=10)
formula_like = st.builds(lambda p, s: p + s, st.sampled_from(["=", "+", "-", "@"]), printable)
# Formula-like text that is no number in any form (`+0`, `-1,000`, `+5%` are numbers, read as such
# without an issue): it holds a character no number has.
not_a_number = formula_like.filter(
    lambda text: re.search(r"[^\d\s.,%$€£zł+\-eE]", text) is not None
)


def typed_text(sheet: Any, rows: list[list[Any]]) -> None:
    """Append rows the way a person types text: as text, even when it starts with '='."""
    for values in rows:
        sheet.append(values)
        for out in sheet[sheet.max_row]:
            if isinstance(out.value, str):
                out.data_type = "s"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=formula_like, bad=not_a_number, customer=formula_like)
def test_text_from_input_cells_is_never_written_back_as_a_formula(
    name: str, bad: str, customer: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "team.xlsx"
        book = openpyxl.Workbook()
        book.active.title = "Log"
        typed_text(
            book["Log"],
            [
                ["Rep", *ACTIVITY_HEADER],
                [name, date(2026, 11, 2), bad, 1, 0, 0, customer],
                ["Anna", date(2026, 11, 2), 1, bad, 0, 0, customer],
            ],
        )
        typed_text(book.create_sheet("Goals"), [["Period", "Scope", "Calls"],
                                                ["2026-11", name, bad]])  # fmt: skip
        book.save(path)
        refresh(config(folder=Path(folder)), as_of=date(2026, 11, 3),
                backend=XlsxBackend(path))  # fmt: skip
        written = openpyxl.load_workbook(path)
        for title in ("Summary", "Ranking", "Rep KPIs", "Data issues", "Sync status"):
            for cells in written[title].iter_rows():
                for out in cells:
                    assert out.data_type != "f", (title, out.coordinate, out.value)
        texts = {c.value for r in written["Data issues"].iter_rows() for c in r}
        assert bad in texts
        names = {c.value for r in written["Rep KPIs"].iter_rows() for c in r}
        assert name.strip() in names or " ".join(name.split()) in names
