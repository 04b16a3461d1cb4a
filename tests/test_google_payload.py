"""The write under Google's limits: values and formats shared by many cells go by range
(repeatCell, copyPaste), every cell still ends with exactly the value and format it would have
alone, old values and formats of a replaced tab are cleared, and a write over 10 MiB is refused
before it is sent."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sheetsync.backends.google import GoogleBackend
from sheetsync.backends.google.cell_data import cell_data
from sheetsync.backends.google.payload import MAX_REQUEST_BYTES, encode
from sheetsync.errors import BackendError
from sheetsync.pipeline import refresh
from sheetsync.plan import Cell, OutputPlan, TabPlan
from sheetsync.testing import FakeSheetsApi
from tests.test_google_backend import google_config, synthetic_workbook

AS_OF = date(2026, 11, 26)
PCT, MONEY, COUNT = "0.0%", '"$"#,##0', "#,##0"


def grids_of(fake: FakeSheetsApi, sid: str) -> dict[str, list[list[dict[str, Any]]]]:
    """Every stored cell of every tab (``{}`` when empty), row by row, as includeGridData
    gives them, by tab title."""
    grids = {}
    for sheet in fake.spreadsheet_json(sid, include_grid_data=True)["sheets"]:
        rows = sheet["data"][0].get("rowData") or []
        grids[sheet["properties"]["title"]] = [row.get("values") or [] for row in rows]
    return grids


def assert_cells_as_alone(stored: list[list[dict[str, Any]]], tab: TabPlan) -> int:
    """Each cell of the tab (`stored`) holds what cell_data (the cell written on its own)
    says: the same value, the same format when it has a value, nothing when it is empty. The
    count of cells with a value."""
    filled = 0
    for r, row in enumerate(tab.rows):
        for c, cell in enumerate(row):
            alone = cell_data(cell, r < tab.header_rows)
            got = stored[r][c] if r < len(stored) and c < len(stored[r]) else {}
            where = f"{tab.title}!R{r + 1}C{c + 1}"
            assert got.get("userEnteredValue") == alone.get("userEnteredValue"), where
            if "userEnteredValue" in alone:
                filled += 1
                assert got.get("userEnteredFormat") == alone.get("userEnteredFormat"), where
    for r, line in enumerate(stored):  # nothing past the plan
        for c, there in enumerate(line):
            if r >= len(tab.rows) or c >= len(tab.rows[r]):
                assert "userEnteredValue" not in there, f"{tab.title}!R{r + 1}C{c + 1}"
    return filled


def test_every_cell_has_the_value_and_format_it_would_have_alone(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    sid = fake.create_spreadsheet("Team", synthetic_workbook(30))
    report = refresh(google_config(fake.service_account_file(tmp_path), sid), AS_OF)
    write = next(r.json for r in fake.requests if r.path.endswith(":batchUpdate"))
    kinds = {next(iter(request)) for request in write["requests"]}
    assert {"repeatCell", "copyPaste"} <= kinds  # the test covers the writes by range
    per_cell = len(encode({"requests": _per_cell_requests(report.plan)}))
    assert len(encode(write)) < per_cell / 2
    grids = grids_of(fake, sid)
    filled = sum(assert_cells_as_alone(grids[tab.title], tab) for tab in report.plan.tabs)
    assert filled > 5000


def test_a_refresh_clears_what_the_last_one_left(tmp_path: Path, fake: FakeSheetsApi) -> None:
    sid = fake.create_spreadsheet("Team", {"Input": [["x"]]})
    backend = GoogleBackend(sid, fake.service_account_file(tmp_path))
    before = TabPlan("rep_kpis", "Rep KPIs", (_header(6), *_kpi_rows(60, (MONEY, PCT, COUNT))))
    backend.apply(OutputPlan((before,)))
    texts = tuple(
        (Cell(f"row {n}"), Cell(None), Cell(n * 1.5 if n % 4 else None, COUNT), Cell("same"))
        for n in range(40)
    )
    after = TabPlan("rep_kpis", "Rep KPIs", (_header(4), *texts))
    backend.apply(OutputPlan((after,)))
    stored = grids_of(fake, sid)["Rep KPIs"]
    assert assert_cells_as_alone(stored, after) > 100
    assert all("userEnteredFormat" not in cell for row in stored[1:] for cell in row[:2])
    assert len(fake.values(sid, "Rep KPIs")) == len(after.rows)


def test_text_that_looks_like_a_formula_stays_text_by_range_and_copy(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    sid = fake.create_spreadsheet("Team", {"Input": [["x"]]})
    backend = GoogleBackend(sid, fake.service_account_file(tmp_path))
    names = ("=1+1", "+SUM(A1)", "Calls")
    rows = tuple((Cell('=HYPERLINK("http://evil")'), Cell(names[n % 3]), Cell(n, COUNT))
                 for n in range(60))  # fmt: skip
    tab = TabPlan("rep_kpis", "Rep KPIs", (_header(3), *rows))
    backend.apply(OutputPlan((tab,)))
    write = next(r.json for r in fake.requests if r.path.endswith(":batchUpdate"))
    assert "formulaValue" not in json.dumps(write)
    stored = grids_of(fake, sid)["Rep KPIs"]
    assert_cells_as_alone(stored, tab)
    assert {stored[r][0]["effectiveValue"]["stringValue"] for r in range(1, 61)} == {
        '=HYPERLINK("http://evil")'
    }
    assert stored[1][1]["effectiveValue"] == {"stringValue": "=1+1"}


def test_numbers_are_written_exactly_and_short(tmp_path: Path, fake: FakeSheetsApi) -> None:
    numbers = [0.1 + 0.2, 1 / 3, 1e-300, 2.0**53 + 2, -0.0, 1e20, 123456789.12345679,
               1162.0, -7.0, 3, 2**60]  # fmt: skip
    sid = fake.create_spreadsheet("Team", {"Input": [["x"]]})
    backend = GoogleBackend(sid, fake.service_account_file(tmp_path))
    tab = TabPlan("summary", "Summary", (_header(1), *((Cell(n, COUNT),) for n in numbers)))
    backend.apply(OutputPlan((tab,)))
    got = [row[0] for row in fake.values(sid, "Summary")[1:]]
    assert got == numbers
    write = next(r.json for r in fake.requests if r.path.endswith(":batchUpdate"))
    text = json.dumps(write)
    assert '"numberValue": 1162}' in text and '"numberValue": -0.0}' in text
    assert backend.write_bytes == len(encode(write))  # the body as measured is what was sent


def test_a_write_over_googles_limit_is_refused_before_it_is_sent(
    tmp_path: Path, fake: FakeSheetsApi
) -> None:
    sid = fake.create_spreadsheet("Team", {"Input": [["x"]]})
    backend = GoogleBackend(sid, fake.service_account_file(tmp_path))
    small = TabPlan("rep_kpis", "Rep KPIs", (_header(3), *_kpi_rows(10, (COUNT, PCT))))
    backend.apply(OutputPlan((small, TabPlan("summary", "Summary", ((Cell("ok"),),)))))
    previous = fake.values(sid, "Rep KPIs")
    fake.reset_log()
    rng = random.Random(12)
    rows = tuple(tuple(Cell(rng.random(), PCT if c % 2 else COUNT) for c in range(10))
                 for _ in range(20_000))  # fmt: skip
    big = TabPlan("rep_kpis", "Rep KPIs", (_header(10), *rows))
    plan = OutputPlan((big, TabPlan("summary", "Summary", ((Cell("new"),),))))
    with pytest.raises(BackendError) as refused:
        backend.apply(plan)
    message = str(refused.value)
    size = int(message.split(" bytes (")[0].rsplit(" ", 1)[-1].replace(",", ""))
    assert size > MAX_REQUEST_BYTES and f"{MAX_REQUEST_BYTES:,} bytes" in message
    assert "'Rep KPIs'" in message and "output.rep_kpis: false" in message
    assert "Nothing was written; the previous output is unchanged." in message
    assert "fewer reps per spreadsheet" in message and refused.value.exit_code == 5
    assert not any(r.method == "POST" for r in fake.requests if r.api == "sheets")
    assert fake.values(sid, "Rep KPIs") == previous
    assert fake.values(sid, "Summary") == [["ok"]]


def _header(width: int) -> tuple[Cell, ...]:
    return tuple(Cell(f"Column {c}", bold=True) for c in range(width))


def _kpi_rows(groups: int, formats: tuple[str, ...]) -> list[tuple[Cell, ...]]:
    """Rows like Rep KPIs': for each rep, one row per format, with some empty cells."""
    rows: list[tuple[Cell, ...]] = []
    for g in range(groups):
        for k, fmt in enumerate(formats):
            value = None if (g + k) % 5 == 0 else (g + 1) * (k + 0.25) / 3
            status = "On track" if g % 3 else None
            rows.append((Cell(f"Rep {g}"), Cell(f"KPI {k}"), Cell(value, fmt),
                         Cell(g * 1.0, fmt), Cell(0.5, PCT), Cell(status)))  # fmt: skip
    return rows


def _per_cell_requests(plan: OutputPlan) -> list[dict[str, Any]]:
    """The updateCells of each tab with every cell written on its own, as before."""
    return [
        {"updateCells": {"rows": [{"values": [cell_data(cell, r < tab.header_rows)
                                              for cell in row]}
                                  for r, row in enumerate(tab.rows)],
                         "fields": "userEnteredValue,userEnteredFormat,dataValidation"}}
        for tab in plan.tabs
    ]  # fmt: skip
