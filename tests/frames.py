"""The sync stage's frames, built by hand for the KPI engine's tests."""

from __future__ import annotations

import pandas as pd

Goal = tuple[str, str, str, str, float]


def goals(*rows: Goal) -> pd.DataFrame:
    """The long goals frame: period, level, scope, kpi, target."""
    return pd.DataFrame(
        {
            "period": pd.Series([r[0] for r in rows], dtype=object),
            "level": pd.Series([r[1] for r in rows], dtype=object),
            "scope": pd.Series([r[2] for r in rows], dtype=object),
            "kpi": pd.Series([r[3] for r in rows], dtype=object),
            "target": pd.Series([r[4] for r in rows], dtype="float64"),
        }
    )


def roster(*rows: tuple[str, str | None, bool]) -> pd.DataFrame:
    """The roster frame: rep, email, team, active."""
    return pd.DataFrame(
        {
            "rep": pd.Series([r[0] for r in rows], dtype=object),
            "email": pd.Series([None] * len(rows), dtype=object),
            "team": pd.Series([r[1] for r in rows], dtype=object),
            "active": pd.Series([r[2] for r in rows], dtype=bool),
        }
    )
