"""Properties of the KPI math that must hold for any activity, checked with hypothesis.

These need no oracle: actuals never shrink as the as-of date moves on, status is blank exactly
when attainment is, and the total's target rolls up from the active reps. The actuals, targets
and attainment themselves are checked against a brute-force oracle in test_kpi_oracle.py.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetsync.config.values import KpiDef, StatusThresholds
from sheetsync.kpi.evaluate import STATUSES, evaluate
from sheetsync.periods import WorkCalendar, parse_period

KPIS = (
    KpiDef("calls", "sum", "Calls", column="calls"),
    KpiDef("meetings", "sum", "Meetings", column="meetings"),
    KpiDef("rate", "ratio", "Calls per meeting", numerator="calls", denominator="meetings"),
    KpiDef("customers", "count_distinct", "Customers", column="customer"),
    KpiDef("entries", "count", "Entries"),
)
ADDITIVE = ("calls", "meetings", "entries")
TEAMS = {"Anna": "East", "Ben": "East", "Cleo": "East", "Dan": "West"}
ROSTER = pd.DataFrame(
    {
        "rep": pd.Series(list(TEAMS), dtype=object),
        "email": pd.Series([None] * 4, dtype=object),
        "team": pd.Series(list(TEAMS.values()), dtype=object),
        "active": pd.Series([True, True, False, True], dtype=bool),
    }
)
NO_GOALS = pd.DataFrame(
    {
        "period": pd.Series([], dtype=object),
        "level": pd.Series([], dtype=object),
        "scope": pd.Series([], dtype=object),
        "kpi": pd.Series([], dtype=object),
        "target": pd.Series([], dtype="float64"),
    }
)
PERIODS = (parse_period("2026-W46"), parse_period("2026-11"), parse_period("2026-Q4"))
FIRST = date(2026, 9, 25)
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

numbers = st.one_of(st.just(float("nan")), st.integers(0, 40).map(float))
rows = st.lists(
    st.tuples(
        st.sampled_from(["Anna", "Ben", "Cleo", "Dan", "Zed"]),
        st.integers(0, 110),
        numbers,
        numbers,
        st.sampled_from(["Acme", "Beta", "Gamma", None]),
    ),
    max_size=40,
)
Rows = list[tuple[str, int, float, float, str | None]]
days = st.integers(0, 110).map(lambda n: FIRST + timedelta(days=n))


def activity(data: Rows) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep": pd.Series([r[0] for r in data], dtype=object),
            "date": pd.Series(
                pd.to_datetime([FIRST + timedelta(days=r[1]) for r in data]), dtype="datetime64[ns]"
            ),
            "calls": pd.Series([r[2] for r in data], dtype="float64"),
            "meetings": pd.Series([r[3] for r in data], dtype="float64"),
            "customer": pd.Series([r[4] for r in data], dtype=object),
        }
    )


def run(data: Rows, as_of: date) -> pd.DataFrame:
    return evaluate(
        activity(data),
        NO_GOALS,
        ROSTER,
        KPIS,
        WorkCalendar(),
        StatusThresholds(),
        PERIODS,
        as_of,
        "Total",
    )


@SETTINGS
@given(rows, days, days)
def test_actuals_never_shrink_as_time_goes_on(data: Rows, one: date, two: date) -> None:
    early, late = sorted((one, two))
    before, after = run(data, early), run(data, late)
    for kpi in (*ADDITIVE, "customers"):
        mask = before["kpi"] == kpi
        assert (before.loc[mask, "actual"] <= after.loc[mask, "actual"] + 1e-9).all()


@SETTINGS
@given(rows, days, st.lists(st.integers(0, 60).map(float), min_size=4, max_size=4))
def test_status_is_blank_exactly_when_attainment_is(
    data: Rows, as_of: date, aims: list[float]
) -> None:
    goal_rows = pd.DataFrame(
        {
            "period": pd.Series(["2026-11"] * 4, dtype=object),
            "level": pd.Series(["rep"] * 4, dtype=object),
            "scope": pd.Series(["Anna", "Ben", "Dan", "Zed"], dtype=object),
            "kpi": pd.Series(["calls", "calls", "calls", "rate"], dtype=object),
            "target": pd.Series(aims, dtype="float64"),
        }
    )
    out = evaluate(
        activity(data),
        goal_rows,
        ROSTER,
        KPIS,
        WorkCalendar(),
        StatusThresholds(),
        PERIODS,
        as_of,
        "Total",
    )
    blank = out["attainment"].isna()
    assert (out.loc[blank, "status"].map(lambda s: s is None)).all()
    assert out.loc[~blank, "status"].isin(STATUSES).all()
    # Anna, Ben and Dan are the active roster: the total's November target is their sum.
    total = out[(out["name"] == "Total") & (out["kpi"] == "calls") & (out["period"] == "2026-11")]
    assert total["target"].iloc[0] == pytest.approx(sum(aims[:3]))
    assert total["target_source"].iloc[0] == "rolled up"
