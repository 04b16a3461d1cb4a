"""Numbers must be finite and dates must fit the activity frame: anything else is a data issue
on its cell, never an infinite or NaN total and never a date moved to another century."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pytest

from sheetsync.config.values import LocaleConfig
from sheetsync.grids import Grid, RawWorkbook
from sheetsync.pipeline import refresh
from sheetsync.sync.cell_text import parse_number_text
from sheetsync.sync.stage import SyncResult, sync
from tests.helpers import MemoryBackend, activity, config, serial, team_workbook

TAB = "Rep - Anna Nowak"
INF = float("inf")


def run(grid: Grid) -> SyncResult:
    tabs = {TAB: grid}
    return sync(RawWorkbook(tuple(tabs), tabs, {}), config())


def problems(result: SyncResult) -> list[str]:
    return [str(i) for i in result.issues if i.cell]


def cell(problem: str) -> str:
    """The problem without the value (a 401-digit number here)."""
    return problem.split(", got ")[0]


def test_infinite_floats_in_a_column_of_numbers_are_bad_cells() -> None:
    result = run(activity(
        ["2026-11-02", 10, 1, 0, 100, None],
        ["2026-11-03", INF, 1, 0, 200, None],  # calls: B3
        ["2026-11-04", 5, 1, 0, -INF, None],  # revenue: E4
        ["2026-11-05", math.nan, 1, 0, 0, None],  # a NaN float is an empty cell
    ))  # fmt: skip
    assert problems(result) == [
        f"{TAB}!B3: expected a number, got 'inf'",
        f"{TAB}!E4: expected a number, got '-inf'",
    ]
    assert result.rows_counted == 4  # a bad number leaves the cell out, not the row
    assert result.activity["calls"].sum() == 10 + 5
    assert result.activity["revenue"].sum() == 100 + 200 + 0


@pytest.mark.parametrize("text", ["1e400", "-1e999", "inf", "-inf", "nan", "NaN", "Infinity"])
def test_text_that_is_not_a_finite_number_is_a_bad_cell(text: str) -> None:
    result = run(activity(["2026-11-02", text, 1, 0, 0, None], ["2026-11-03", "12", 1, 0, 0, None]))
    assert problems(result) == [f"{TAB}!B2: expected a number, got {text!r}"]
    assert result.activity["calls"].sum() == 12


def test_an_int_too_big_for_a_float_is_a_bad_cell_in_both_conversion_paths() -> None:
    big = 10**400
    numbers_only = run(
        activity(["2026-11-02", big, 1, 0, 0, None], ["2026-11-03", 3, 1, 0, 0, None])
    )
    assert [cell(p) for p in problems(numbers_only)] == [f"{TAB}!B2: expected a number"]
    assert numbers_only.activity["calls"].sum() == 3
    with_text = run(activity(
        ["2026-11-02", big, 1, 0, 0, None],
        ["2026-11-03", "n/a", 1, 0, 0, None],
        ["2026-11-04", 4, 1, 0, 0, None],
    ))  # fmt: skip
    assert [cell(p) for p in problems(with_text)] == [f"{TAB}!B{row}: expected a number"
                                                      for row in (2, 3)]  # fmt: skip
    assert with_text.activity["calls"].sum() == 4


def test_non_finite_cells_among_many_clean_ones_are_found_in_every_block() -> None:
    rows: list[list[Any]] = [["2026-11-02", 1, 0, 0, 0, None] for _ in range(600)]
    rows[1][1] = INF  # sheet row 3, in a block of plain numbers
    rows[589][1] = "1e400"  # sheet row 591, in a block with text
    result = run(activity(*rows))
    assert problems(result) == [
        f"{TAB}!B3: expected a number, got 'inf'",
        f"{TAB}!B591: expected a number, got '1e400'",
    ]
    assert result.activity["calls"].sum() == 598


def test_the_kpi_totals_stay_finite() -> None:
    tabs = team_workbook()
    tabs["Rep - Anna Nowak"] = activity(
        ["2026-11-02", 10, 2, 1, 1000, "Acme"],
        ["2026-11-03", INF, 2, 0, "1e400", "Globex"],  # B3 and E3 are left out
    )
    report = refresh(config(), as_of=date(2026, 11, 3), dry_run=True, backend=MemoryBackend(tabs))
    kpis = report.rep_kpis.set_index(["period", "level", "name", "kpi"])
    # Anna 10 calls + Ben 5; revenue Anna 1000 + Ben 3000
    assert kpis.loc[("2026-11", "total", "Total", "calls"), "actual"] == 15
    assert kpis.loc[("2026-11", "total", "Total", "revenue"), "actual"] == 4000
    actual = report.rep_kpis["actual"].to_numpy(dtype=float)
    assert not np.isinf(actual).any()
    cells = {f"{i.tab}!{i.cell}" for i in report.issues if i.cell}
    assert {"Rep - Anna Nowak!B3", "Rep - Anna Nowak!E3"} <= cells


def test_dates_after_what_the_activity_frame_holds_are_bad_cells() -> None:
    result = run(activity(
        [serial("2262-04-11"), 1, 0, 0, 0, None],  # the last day datetime64[ns] holds
        ["12.04.2262", 2, 0, 0, 0, None],  # typed: read by locale.date_formats
        [datetime(3000, 1, 1), 4, 0, 0, 0, None],
        [INF, 8, 0, 0, 0, None],
    ))  # fmt: skip
    assert problems(result) == [
        f"{TAB}!A3: expected a date, got '12.04.2262'",
        f"{TAB}!A4: expected a date, got '3000-01-01 00:00:00'",
        f"{TAB}!A5: expected a date, got 'inf'",
    ]
    assert result.activity["date"].dt.strftime("%Y-%m-%d").tolist() == ["2262-04-11"]
    assert (result.rows_counted, result.rows_rejected) == (1, 3)


@pytest.mark.parametrize(
    ("text", "number"),
    [("1e308", 1e308), ("-1,234.5", -1234.5), ("12%", 0.12), ("1e400", None), ("-1e999", None),
     ("1e400%", None), ("inf", None), ("nan", None)],
)  # fmt: skip
def test_parse_number_text_gives_only_finite_numbers(text: str, number: float | None) -> None:
    assert parse_number_text(text, LocaleConfig()) == number


def test_an_infinite_goal_is_a_bad_goal_not_a_target() -> None:
    tabs = team_workbook()
    tabs["Goals"][1] = ["2026-11", "Anna Nowak", math.inf, 10000]
    report = refresh(config(), as_of=date(2026, 11, 3), backend=MemoryBackend(tabs), dry_run=True)
    goal_issues = [i for i in report.issues if i.tab == "Goals" and i.severity == "error"]
    assert [(i.cell, i.severity) for i in goal_issues] == [("C2", "error")]
    targets = report.rep_kpis.set_index(["period", "level", "name", "kpi"])["target"]
    assert math.isnan(float(targets[("2026-11", "rep", "Anna Nowak", "calls")]))
    assert float(targets[("2026-11", "rep", "Anna Nowak", "revenue")]) == 10000
