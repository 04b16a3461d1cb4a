"""History on Google Sheets, through the real gspread against the fake API: the snapshot goes
into the one batchUpdate (3 calls), a refresh reads only the days it needs, and a History
sorted by hand with gspread's own sort still works."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import gspread
import pytest

from sheetsync.backends.google import GoogleBackend
from sheetsync.config.values import Config
from sheetsync.errors import OwnershipError
from sheetsync.pipeline import Report, refresh
from sheetsync.spreadsheet import day_of
from sheetsync.testing import FakeSheetsApi
from tests.helpers import config, serial, team_workbook
from tests.test_google_backend import google_config

HISTORY = "KPI history"


def setup(fake: FakeSheetsApi, tmp_path: Path, extra: str = "") -> tuple[Config, str, Path]:
    sid = fake.create_spreadsheet("Team", team_workbook())
    key = fake.service_account_file(tmp_path)
    return google_config(key, sid, config(extra)), sid, key


def run(cfg: Config, day: int, snapshot: bool = True) -> Report:
    backend = GoogleBackend.from_config(cfg.source)
    return refresh(cfg, date(2026, 11, day), backend=backend, snapshot=snapshot)


def day_counts(fake: FakeSheetsApi, sid: str) -> Counter[date | None]:
    return Counter(day_of(row[0]) for row in fake.values(sid, HISTORY)[1:])


def day_runs(fake: FakeSheetsApi, sid: str) -> list[date | None]:
    found: list[date | None] = []
    for row in fake.values(sid, HISTORY)[1:]:
        if not found or found[-1] != day_of(row[0]):
            found.append(day_of(row[0]))
    return found


def test_snapshots_cost_no_extra_call_and_one_day_is_kept_once(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    cfg, sid, _ = setup(fake, tmp_path)
    for day in (24, 24, 24):
        assert run(cfg, day).api_calls == 3
    assert day_counts(fake, sid) == Counter({date(2026, 11, 24): 140})
    for day in (25, 26):
        run(cfg, day)
    assert day_runs(fake, sid) == [date(2026, 11, d) for d in (24, 25, 26)]
    assert day_counts(fake, sid) == Counter({date(2026, 11, d): 140 for d in (24, 25, 26)})
    later = run(cfg, 27, snapshot=False)
    assert later.api_calls == 3
    assert later.trends.last_day == date(2026, 11, 26) and later.trends.source == "history"


def test_a_refresh_reads_only_the_rows_of_the_days_it_needs(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    cfg, _, _ = setup(fake, tmp_path)
    for day in (23, 24, 25, 26):
        run(cfg, day)
    fake.reset_log()
    run(cfg, 27, snapshot=False)
    ranges = [r for call in fake.requests for r in call.params.get("ranges", [])
              if HISTORY in r]  # fmt: skip
    # the last snapshot day (Nov 26) only: rows 422 to 561 (3 x 140 rows + header before it)
    assert ranges == [f"'{HISTORY}'!A422:K561"]


def test_history_sorted_by_hand_with_gspread_still_works(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    cfg, sid, key = setup(fake, tmp_path)
    for day in (24, 25, 26):
        run(cfg, day)
    before = sorted(map(json.dumps, fake.values(sid, HISTORY)[1:]))
    sheet = gspread.service_account(filename=str(key)).open_by_key(sid).worksheet(HISTORY)
    sheet.sort((4, "asc"), range=f"A2:K{sheet.row_count}")  # by Name
    assert len(day_runs(fake, sid)) > 3
    report = run(cfg, 27, snapshot=False)
    assert report.trends.last_day == date(2026, 11, 26)
    assert report.trends.source == "activity"  # rows moved: recomputed, and said so
    assert any(i.tab == HISTORY and "sorted or edited by hand" in i.problem for i in report.issues)
    assert sorted(map(json.dumps, fake.values(sid, HISTORY)[1:])) == before  # nothing written
    run(cfg, 26)  # a snapshot finds the day's rows by date and puts History back in order
    assert day_runs(fake, sid) == [date(2026, 11, d) for d in (24, 25, 26)]
    assert run(cfg, 27, snapshot=False).trends.source == "history"
    kept = [r for r in fake.values(sid, HISTORY)[1:] if day_of(r[0]) != date(2026, 11, 26)]
    assert sorted(map(json.dumps, kept)) == [
        row for row in before if json.loads(row)[0] != serial("2026-11-26")
    ]


def test_history_drops_its_oldest_days_past_max_rows(fake: FakeSheetsApi, tmp_path: Path) -> None:
    cfg, sid, _ = setup(fake, tmp_path, "output: {history_max_rows: 1000}\n")
    for day in range(2, 11):
        run(cfg, day)
    counts = day_counts(fake, sid)
    assert sorted(d for d in counts if d is not None) == [date(2026, 11, d) for d in range(4, 11)]
    assert None not in counts
    assert sum(counts.values()) == 980


def test_a_history_tab_sheetsync_does_not_own_stops_a_snapshot(
    fake: FakeSheetsApi, tmp_path: Path
) -> None:
    sid = fake.create_spreadsheet("Team", {**team_workbook(), HISTORY: [["Mine"]]})
    cfg = google_config(fake.service_account_file(tmp_path), sid, config())
    assert run(cfg, 24, snapshot=False).trends.last_day is None
    with pytest.raises(OwnershipError, match=r"output\.history"):
        run(cfg, 24)
    assert fake.values(sid, HISTORY) == [["Mine"]]
