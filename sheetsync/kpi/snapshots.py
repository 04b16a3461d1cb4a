"""History (pure): the snapshot table a refresh appends, and the table back from History's rows.

History columns, in this order (their machine keys): date, period, level, name, kpi, actual,
target, attainment, pace, status, rank. `kpi` holds the KPI's key from the config (stable when
a label changes); `rank` is set on the rep rows of the ranked period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from sheetsync.spreadsheet import day_of, finite_number

__all__ = ["HISTORY_COLUMNS", "history_table", "snapshot_table"]

HISTORY_COLUMNS = (
    "date", "period", "level", "name", "kpi", "actual", "target", "attainment", "pace", "status",
    "rank",
)  # fmt: skip
_NUMBERS = ("actual", "target", "attainment", "pace")
_TEXTS = ("period", "level", "name", "kpi", "status")


def snapshot_table(
    rep_kpis: pd.DataFrame, ranking: pd.DataFrame, ranked_period: str, day: date
) -> pd.DataFrame:
    """The rows a snapshot on `day` adds: every Rep KPIs row, with each ranked rep's rank on
    the rows of the ranked period."""
    table = rep_kpis.loc[:, ["period", "level", "name", "kpi", *_NUMBERS, "status"]].copy()
    ranks = {
        str(rep): int(place)
        for rep, place in zip(ranking["rep"], ranking["rank"], strict=True)
        if not pd.isna(place)
    }
    ranked = (table["level"] == "rep") & (table["period"] == ranked_period)
    table["rank"] = pd.array(
        [
            ranks.get(str(name)) if on else None
            for name, on in zip(table["name"], ranked, strict=True)
        ],
        dtype="Int64",
    )
    table.insert(0, "date", day)
    return table.reset_index(drop=True)


def history_table(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """History's data rows (raw values, columns in History's order) as a typed table: `date`
    a date, numbers float (NaN when blank or not a number), `rank` Int64, text str or None.
    Rows without a date in the first column are left out."""
    records = [_record(row) for row in rows]
    kept = [record for record in records if record["date"] is not None]
    table = pd.DataFrame(kept, columns=list(HISTORY_COLUMNS))
    for column in _NUMBERS:
        table[column] = pd.to_numeric(table[column], errors="coerce").astype(float)
    table["rank"] = pd.to_numeric(table["rank"], errors="coerce").round().astype("Int64")
    return table


def _record(row: Sequence[Any]) -> dict[str, Any]:
    cells = list(row[: len(HISTORY_COLUMNS)]) + [None] * (len(HISTORY_COLUMNS) - len(row))
    record = dict(zip(HISTORY_COLUMNS, cells, strict=True))
    record["date"] = day_of(record["date"])
    for column in _TEXTS:
        text = record[column]
        record[column] = None if text is None or text == "" else str(text).strip()
    for column in (*_NUMBERS, "rank"):
        record[column] = finite_number(record[column])
    return record
