"""The two baselines `bench_refresh.py` measures sheetsync against, each run in a child process.

- the floors, the least any tool must do to get the data: python-calamine reading every cell
  of the .xlsx (`child_xlsx_floor`); `json.loads` of the fake's answer to sheetsync's values
  read and one DataFrame per tab (`child_google_floor`);
- the usual script (`usual_script`, run against the fake by `child_script`): what one writes
  with gspread to get month and year totals per rep and team against the month goals.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import gspread
import pandas as pd

from benchmarks.bench_xlsx import read_floor
from benchmarks.refresh_processes import RESULT, FakeHandle, Forwarder, with_peak
from benchmarks.synthetic import AS_OF
from sheetsync.spreadsheet import date_to_serial

# -- the floors ---------------------------------------------------------------------------------


def _best_of(repeat: int, read: Callable[[], int]) -> RESULT:
    """The best time of `repeat` runs of `read`, and the rows it got."""
    times, rows = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = read()
        times.append(time.perf_counter() - start)
    return {"seconds": min(times), "rows": rows}


def child_xlsx_floor(path: str, repeat: int) -> RESULT:
    """python-calamine reading every cell of every sheet; best of `repeat`."""
    return with_peak(lambda: _best_of(repeat, lambda: read_floor(Path(path))))


def child_google_floor(path: str, repeat: int) -> RESULT:
    """json.loads of the values answer and one DataFrame per tab; best of `repeat`. The
    answer's bytes are read before the clock starts (a client has received them)."""

    def run() -> RESULT:
        data = Path(path).read_bytes()
        return {**_best_of(repeat, lambda: _frames(json.loads(data))), "bytes": len(data)}

    return with_peak(run)


def _frames(answer: dict[str, Any]) -> int:
    """One DataFrame per tab of a values:batchGet (or ...ByDataFilter) answer; rows in all.

    pandas warns that ragged rows will raise in pandas 4 (bench_pipeline.py does the same)."""
    rows = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for item in answer.get("valueRanges") or []:
            values = (item.get("valueRange") or item).get("values") or []
            rows += len(pd.DataFrame(values[1:], columns=None))
    return rows


# -- the usual script ---------------------------------------------------------------------------

SCRIPT_KPIS = ("Calls", "Meetings", "Lead value", "Deals won", "Revenue", "New customers",
               "Repeat revenue")  # fmt: skip
SCRIPT_TABS = ("Script summary", "Script ranking", "Script rep KPIs")


def usual_script(client: gspread.Client, spreadsheet: str, as_of: date) -> None:
    """What a sales-ops person writes with gspread to get month and year totals per rep and
    team against the month goals: every tab read with get_all_records, Python loops, one
    update per output tab (created first when missing). Bad cells are skipped, not reported."""
    book = client.open_by_key(spreadsheet)
    tabs = book.worksheets()
    month_label = f"{as_of.year}-{as_of.month:02d}"
    month_start = date_to_serial(as_of.replace(day=1))
    year_start, today = date_to_serial(as_of.replace(month=1, day=1)), date_to_serial(as_of)
    teams: dict[str, str] = {}
    goals: dict[str, dict[str, Any]] = {}
    sums: dict[str, dict[str, dict[str, float]]] = {}
    for tab in tabs:
        if tab.title == "Roster":
            teams = {str(r["Rep"]): str(r["Team"]) for r in tab.get_all_records()}
        elif tab.title == "Goals":
            goals = {str(r["Scope"]): r for r in tab.get_all_records()
                     if str(r["Period"]) == month_label}  # fmt: skip
        elif tab.title.startswith("Rep - "):
            rep = {period: dict.fromkeys(SCRIPT_KPIS, 0.0) for period in ("month", "year")}
            for row in tab.get_all_records():
                day = row["Date"]
                if not isinstance(day, int | float) or not year_start <= day <= today:
                    continue
                periods = ("month", "year") if day >= month_start else ("year",)
                for kpi in SCRIPT_KPIS:
                    value = row.get(kpi)
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        for period in periods:
                            rep[period][kpi] += value
            sums[tab.title[len("Rep - ") :]] = rep
    existing = {tab.title: tab for tab in tabs}
    for title, rows in zip(SCRIPT_TABS, _script_outputs(sums, teams, goals), strict=True):
        tab = existing.get(title) or book.add_worksheet(title, rows=len(rows),
                                                        cols=len(rows[0]))  # fmt: skip
        tab.update(rows, "A1")


def _script_outputs(
    sums: dict[str, dict[str, dict[str, float]]], teams: dict[str, str],
    goals: dict[str, dict[str, Any]],
) -> tuple[list[list[Any]], ...]:  # fmt: skip
    rep_rows: list[list[Any]] = [["Period", "Rep", "Team", "KPI", "Actual", "Goal", "Attainment"]]
    team_sums: dict[str, dict[str, float]] = {}
    scores = []
    for rep, periods in sorted(sums.items()):
        team = teams.get(rep, "")
        goal = goals.get(rep, {})
        for period, values in periods.items():
            for kpi, actual in values.items():
                target = goal.get(kpi) if period == "month" else None
                ratio = actual / target if isinstance(target, int | float) and target else ""
                rep_rows.append([period, rep, team, kpi, actual, target or "", ratio])
        month = team_sums.setdefault(team, dict.fromkeys(SCRIPT_KPIS, 0.0))
        for kpi, actual in periods["month"].items():
            month[kpi] += actual
        target = goal.get("Revenue")
        if isinstance(target, int | float) and target:
            scores.append((periods["month"]["Revenue"] / target, rep, team))
    summary: list[list[Any]] = [["Team", *SCRIPT_KPIS]]
    summary += [[team, *values.values()] for team, values in sorted(team_sums.items())]
    ranking: list[list[Any]] = [["Rank", "Rep", "Team", "Revenue attainment"]]
    ranking += [[i, rep, team, score] for i, (score, rep, team) in
                enumerate(sorted(scores, reverse=True), start=1)]  # fmt: skip
    return summary, ranking, rep_rows


def child_script(handle: FakeHandle) -> RESULT:
    """The usual gspread script against the fake."""

    def run() -> RESULT:
        forward = Forwarder(handle)
        with forward.serving():
            client = gspread.service_account(filename=handle.key_file)
            start = time.perf_counter()
            usual_script(client, handle.spreadsheet, AS_OF)
            wall = time.perf_counter() - start
        return {**forward.figures(), "wall": wall}

    return with_peak(run)
