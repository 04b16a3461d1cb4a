"""Writing only what changed (google/partial_write.py): after a refresh that wrote only the changed
values of a big tab, every cell holds exactly the value and format it would have written alone
(the oracle of test_google_payload: cells.cell_data), whatever changed, edits by hand included;
and the write is a full one whenever the layout, the grid or the charts and rules moved."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import gspread
import pytest
from gspread.utils import ValueInputOption

from sheetsync.backends.google import GoogleBackend
from sheetsync.backends.google.layout import CELL_FIELDS
from sheetsync.backends.google.partial_write import MIN_READ_CELLS
from sheetsync.backends.google.payload import encode
from sheetsync.backends.google.read import LAYOUT_KEY
from sheetsync.pipeline import refresh
from sheetsync.plan import Cell, OutputPlan, TabPlan
from sheetsync.testing import FakeSheetsApi
from tests.test_google_backend import google_config, synthetic_workbook
from tests.test_google_payload import assert_cells_as_alone, grids_of

PCT, MONEY, COUNT, DAY = "0.0%", '"$"#,##0.00', "#,##0", "yyyy-mm-dd"
FORMATS = (COUNT, MONEY, PCT)
ROWS = 1_200
WIDTH = 9
Rows = list[list[Cell]]


def base_rows(rng: random.Random) -> Rows:
    """Rows like Rep KPIs' (a name, a KPI, numbers in the KPI's format, a percent, a date, a
    flag, a status), some cells empty: ROWS x WIDTH cells, past MIN_READ_CELLS."""
    rows: Rows = [[Cell(f"Column {c}", bold=True) for c in range(WIDTH)]]
    for n in range(ROWS):
        fmt = FORMATS[n % 3]
        actual = None if n % 7 == 0 else round(rng.uniform(0, 5000), 2)
        rows.append([Cell(f"Rep {n // 3}"), Cell(f"KPI {n % 3}"), Cell(actual, fmt),
                     Cell(float(n * 10), fmt), Cell(rng.random(), PCT),
                     Cell(date(2026, 11, 1) + timedelta(days=n % 30), DAY),
                     Cell(n % 2 == 0), Cell("On track" if n % 4 else "Behind"),
                     Cell(rng.random() * 100, fmt)])  # fmt: skip
    return rows


def plan_of(rows: Rows) -> OutputPlan:
    return OutputPlan((TabPlan("rep_kpis", "Rep KPIs", tuple(map(tuple, rows)), 1),))


def mutate(rows: Rows, rng: random.Random, changes: int) -> Rows:
    """`changes` random cells of the body given a new value of any kind (another number, none,
    text where a number was, a number where text was, a boolean, another date), each cell
    keeping its declared number format, as a new day's plan would."""
    out = [list(row) for row in rows]
    for _ in range(changes):
        r, c = rng.randrange(1, len(out)), rng.randrange(WIDTH)
        cell = out[r][c]
        choice = rng.randrange(6)
        if isinstance(cell.value, date):
            value: Any = cell.value + timedelta(days=rng.randrange(1, 9))
        elif choice == 0:
            value = None
        elif choice == 1:
            value = "n/a"
        elif choice == 2:
            value = rng.random() < 0.5
        else:
            value = round(rng.uniform(-100, 100_000), rng.randrange(4))
        out[r][c] = cell._replace(value=value)
    return out


@pytest.fixture
def backend(tmp_path: Path, fake: FakeSheetsApi) -> GoogleBackend:
    sid = fake.create_spreadsheet("Team", {"Input": [["x"]]})
    return GoogleBackend(sid, fake.service_account_file(tmp_path))


def write(backend: GoogleBackend, fake: FakeSheetsApi, rows: Rows) -> list[dict[str, Any]]:
    """Refresh as the pipeline does (read, then apply) and return the write's requests."""
    fake.reset_log()
    backend.read(lambda titles: ["Input"], outputs=True)
    backend.apply(plan_of(rows))
    return list(last_write(fake)["requests"])


def last_write(fake: FakeSheetsApi) -> dict[str, Any]:
    body: dict[str, Any] = [r.json for r in fake.requests if r.path.endswith(":batchUpdate")][-1]
    return body


def full_write(requests: list[dict[str, Any]]) -> bool:
    """Whether the tab was rewritten whole (the updateCells over the grid with every field)."""
    return any(r.get("updateCells", {}).get("fields") == CELL_FIELDS for r in requests)


def check(fake: FakeSheetsApi, backend: GoogleBackend, rows: Rows) -> None:
    assert_cells_as_alone(grids_of(fake, backend.spreadsheet_id)["Rep KPIs"], plan_of(rows).tabs[0])


def test_random_changes_write_only_them_and_leave_every_cell_as_alone(
    backend: GoogleBackend, fake: FakeSheetsApi
) -> None:
    rng = random.Random(20261127)
    rows = base_rows(rng)
    assert len(rows) * WIDTH >= MIN_READ_CELLS
    first = write(backend, fake, rows)
    assert full_write(first)
    check(fake, backend, rows)
    full_bytes = backend.write_bytes
    for changes in (1, 40, 400, 40, 3000):
        rows = mutate(rows, rng, changes)
        requests = write(backend, fake, rows)
        check(fake, backend, rows)
        if changes <= 400:
            assert not full_write(requests), changes
            assert backend.write_bytes < full_bytes / 3, changes


def test_the_same_plan_again_writes_no_cell(backend: GoogleBackend, fake: FakeSheetsApi) -> None:
    rows = base_rows(random.Random(1))
    write(backend, fake, rows)
    requests = write(backend, fake, rows)
    assert not [r for r in requests if "updateCells" in r or "repeatCell" in r]
    check(fake, backend, rows)


def test_a_cell_that_gets_a_value_gets_its_format(
    backend: GoogleBackend, fake: FakeSheetsApi
) -> None:
    rows = base_rows(random.Random(2))
    empty = next(r for r in range(1, len(rows)) if rows[r][2].value is None)
    rows[8][8] = rows[8][8]._replace(value=1)
    write(backend, fake, rows)
    rows[8][8] = rows[8][8]._replace(value=True)  # equal in Python, not in a cell
    rows[9][6] = rows[9][6]._replace(value=1)  # True before
    rows[empty][2] = rows[empty][2]._replace(value=1234.5)  # empty -> a number in its format
    rows[5][7] = rows[5][7]._replace(value=17.25)  # text -> a number: another kind
    rows[6][2] = rows[6][2]._replace(value="late")  # a number -> text: no number format
    requests = write(backend, fake, rows)
    assert not full_write(requests)
    assert any(r.get("repeatCell", {}).get("fields") == "userEnteredFormat" for r in requests)
    check(fake, backend, rows)


def test_edits_by_hand_are_put_right(
    backend: GoogleBackend, fake: FakeSheetsApi, client: gspread.Client
) -> None:
    rows = base_rows(random.Random(3))
    write(backend, fake, rows)
    sheet = client.open_by_key(backend.spreadsheet_id).worksheet("Rep KPIs")
    sheet.update([["typed over", 5]], "C10:D10")  # over our values
    sheet.update([["stray"]], "B1100", value_input_option=ValueInputOption.user_entered)
    sheet.update([["=1+1"]], "E20", value_input_option=ValueInputOption.user_entered)  # a formula
    requests = write(backend, fake, rows)
    assert not full_write(requests)
    check(fake, backend, rows)
    assert fake.values(backend.spreadsheet_id, "Rep KPIs")[19][4] == rows[19][4].value


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: rows[2].__setitem__(2, rows[2][2]._replace(number_format=PCT)),
        lambda rows: rows.append([Cell("one more row")]),
        lambda rows: rows.pop(),
        lambda rows: rows[4].__setitem__(5, Cell(7.5, COUNT)),  # a date becomes a number
    ],
    ids=["a format", "a row more", "a row less", "a date no more"],
)
def test_a_new_layout_is_a_full_write(
    backend: GoogleBackend, fake: FakeSheetsApi, change: Callable[[Rows], None]
) -> None:
    rows = base_rows(random.Random(4))
    write(backend, fake, rows)
    change(rows)
    assert full_write(write(backend, fake, rows))
    check(fake, backend, rows)
    assert not full_write(write(backend, fake, mutate(rows, random.Random(5), 3)))


def test_rows_added_by_hand_mean_a_full_write(
    backend: GoogleBackend, fake: FakeSheetsApi, client: gspread.Client
) -> None:
    rows = base_rows(random.Random(6))
    write(backend, fake, rows)
    sheet = client.open_by_key(backend.spreadsheet_id).worksheet("Rep KPIs")
    sheet.insert_rows([["inserted by hand"]], 3)
    rows = mutate(rows, random.Random(7), 5)
    assert full_write(write(backend, fake, rows))
    check(fake, backend, rows)


def test_a_tab_from_an_older_version_is_written_whole_once(
    backend: GoogleBackend, fake: FakeSheetsApi, client: gspread.Client
) -> None:
    rows = base_rows(random.Random(8))
    write(backend, fake, rows)
    book = client.open_by_key(backend.spreadsheet_id)
    sheets = fake.spreadsheet_json(backend.spreadsheet_id)["sheets"]
    marks = [m for s in sheets for m in s.get("developerMetadata", ())]
    assert [m["metadataKey"] for m in marks].count(LAYOUT_KEY) == 1
    book.batch_update({"requests": [{"deleteDeveloperMetadata": {"dataFilter": {
        "developerMetadataLookup": {"metadataKey": LAYOUT_KEY}}}}]})  # fmt: skip
    fake.reset_log()
    backend.read(lambda titles: ["Input"], outputs=True)
    read = next(r for r in fake.requests if "values" in r.path)
    assert read.params["ranges"] == ["'Input'"]  # no layout: nothing to compare with
    backend.apply(plan_of(rows))
    assert full_write(last_write(fake)["requests"])
    rows = mutate(rows, random.Random(9), 3)
    assert not full_write(write(backend, fake, rows))  # the layout is back: changes only
    check(fake, backend, rows)


def test_a_small_tab_is_not_read_back(backend: GoogleBackend, fake: FakeSheetsApi) -> None:
    small = OutputPlan((TabPlan("summary", "Summary", ((Cell("Total"), Cell(3, COUNT)),)),))
    backend.apply(small)
    fake.reset_log()
    backend.read(lambda titles: ["Input"], outputs=True)
    backend.apply(small)
    read = next(r for r in fake.requests if "values" in r.path)
    assert read.params["ranges"] == ["'Input'"]
    assert full_write(last_write(fake)["requests"])


def test_refreshes_of_a_team_write_what_changed(tmp_path: Path, fake: FakeSheetsApi) -> None:
    """The pipeline end to end: the second refresh of a day and the next day's write less
    than the first, and every output tab holds what it would hold written alone."""
    sid = fake.create_spreadsheet("Team", synthetic_workbook(30))
    config = google_config(fake.service_account_file(tmp_path), sid)
    sizes = []
    for as_of in (date(2026, 11, 26), date(2026, 11, 26), date(2026, 11, 27)):
        report = refresh(config, as_of)
        sizes.append(len(encode(last_write(fake))))
        grids = grids_of(fake, sid)
        for tab in report.plan.tabs:
            assert_cells_as_alone(grids[tab.title], tab)
    assert sizes[1] < sizes[0] / 3 and sizes[2] < sizes[0] / 2


def test_a_read_with_no_write_after_it_reads_no_output(tmp_path: Path, fake: FakeSheetsApi) -> None:
    """`--dry-run`, `check` and `init` read no output tab back: only a refresh that writes
    (pipeline: `outputs=not dry_run`) does."""
    sid = fake.create_spreadsheet("Team", synthetic_workbook(30))
    config = google_config(fake.service_account_file(tmp_path), sid)
    refresh(config, date(2026, 11, 26))

    def ranges_read() -> list[str]:
        read = [r for r in fake.requests if r.path.endswith("values:batchGet")]
        return [a1 for r in read for a1 in r.params["ranges"]]

    fake.reset_log()
    refresh(config, date(2026, 11, 26), dry_run=True)
    assert "'Rep KPIs'" not in ranges_read()
    fake.reset_log()
    refresh(config, date(2026, 11, 26))
    assert "'Rep KPIs'" in ranges_read()


def test_a_full_write_leaves_one_layout_on_the_tab(
    backend: GoogleBackend, fake: FakeSheetsApi, client: gspread.Client
) -> None:
    """Should two writers each have left a layout, the next full write replaces both."""
    rows = base_rows(random.Random(10))
    write(backend, fake, rows)
    sheet_id = client.open_by_key(backend.spreadsheet_id).worksheet("Rep KPIs").id
    stray = {"metadataKey": LAYOUT_KEY, "metadataValue": "0" * 32 + " 1",
             "location": {"sheetId": sheet_id}, "visibility": "DOCUMENT"}  # fmt: skip
    client.open_by_key(backend.spreadsheet_id).batch_update(
        {"requests": [{"createDeveloperMetadata": {"developerMetadata": stray}}]}
    )
    rows[2][2] = rows[2][2]._replace(number_format=PCT)  # a new layout: a full write
    assert full_write(write(backend, fake, rows))
    sheets = fake.spreadsheet_json(backend.spreadsheet_id)["sheets"]
    layouts = [m for s in sheets for m in s.get("developerMetadata", ())
               if m["metadataKey"] == LAYOUT_KEY]  # fmt: skip
    assert len(layouts) == 1 and not layouts[0]["metadataValue"].startswith("0" * 32)
    check(fake, backend, rows)
    assert not full_write(write(backend, fake, mutate(rows, random.Random(11), 3)))
