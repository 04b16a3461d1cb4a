"""The leaderboard: scores, ties, cap, unranked reps, by-KPI ranking and movement."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from sheetsync.config.values import KpiDef, RankingConfig, StatusThresholds
from sheetsync.kpi.evaluate import evaluate
from sheetsync.kpi.ranking import RANKING_COLUMNS, rank
from sheetsync.periods import WorkCalendar, parse_period
from tests.frames import roster

NAN = float("nan")
KPIS = (
    KpiDef("calls", "sum", "Calls", column="calls"),
    KpiDef("revenue", "sum", "Revenue", column="revenue"),
    KpiDef("rate", "ratio", "Revenue per call", numerator="revenue", denominator="calls"),
)
CALLS_ONLY = RankingConfig(weights={"calls": 1})
CALLS_2_REVENUE_1 = RankingConfig(weights={"revenue": 1, "calls": 2})


def rep_kpis(*rows: tuple[str, str, float, float], period: str = "2026-11") -> pd.DataFrame:
    """Rep rows of the Rep KPIs table: (rep, kpi, attainment, actual)."""
    n = len(rows)
    return pd.DataFrame(
        {
            "period": pd.Series([period] * n, dtype=object),
            "period_kind": pd.Series(["month"] * n, dtype=object),
            "level": pd.Series(["rep"] * n, dtype=object),
            "name": pd.Series([r[0] for r in rows], dtype=object),
            "kpi": pd.Series([r[1] for r in rows], dtype=object),
            "attainment": pd.Series([r[2] for r in rows], dtype="float64"),
            "actual": pd.Series([r[3] for r in rows], dtype="float64"),
        }
    )


NO_ROSTER = roster()


def ranks(table: pd.DataFrame) -> list[tuple[object, str]]:
    return [
        (None if pd.isna(r) else int(r), str(n))
        for r, n in zip(table["rank"], table["rep"], strict=True)
    ]


def calls_attainments(**by_rep: float) -> pd.DataFrame:
    return rep_kpis(*[(rep, "calls", att, 0.0) for rep, att in by_rep.items()])


# --- scores and ties ----------------------------------------------------------------------------


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    table = rank(
        calls_attainments(Dan=0.5, Ben=0.9, Anna=1.2, bea=0.9),
        NO_ROSTER,
        CALLS_ONLY,
        KPIS,
        "2026-11",
    )
    assert ranks(table) == [(1, "Anna"), (2, "bea"), (2, "Ben"), (4, "Dan")]


def test_scores_are_compared_to_four_decimals() -> None:
    frame = calls_attainments(Ben=0.9, Cid=0.90004, Eve=0.90006, Anna=0.9)
    table = rank(frame, NO_ROSTER, CALLS_ONLY, KPIS, "2026-11")
    assert ranks(table) == [(1, "Eve"), (2, "Anna"), (2, "Ben"), (2, "Cid")]
    assert table["score"].tolist() == pytest.approx([0.90006, 0.9, 0.9, 0.90004])


def test_weighted_score_with_cap() -> None:
    frame = rep_kpis(
        ("Anna", "calls", 3.0, 0),  # capped at 1.5
        ("Anna", "revenue", 0.5, 0),
        ("Ben", "calls", 1.2, 0),
        ("Ben", "revenue", 1.2, 0),
    )
    table = rank(frame, NO_ROSTER, CALLS_2_REVENUE_1, KPIS, "2026-11")
    assert ranks(table) == [(1, "Ben"), (2, "Anna")]
    assert table["score"].tolist() == pytest.approx([1.2, 3.5 / 3])  # (2 x 1.5 + 0.5) / 3
    assert table["attainment:calls"].tolist() == [1.2, 3.0]  # shown uncapped
    wide_open = RankingConfig(weights={"calls": 2, "revenue": 1}, cap=10)
    table = rank(frame, NO_ROSTER, wide_open, KPIS, "2026-11")
    assert ranks(table) == [(1, "Anna"), (2, "Ben")]
    assert table["score"].iloc[0] == pytest.approx(6.5 / 3)


def test_score_uses_only_kpis_with_a_target() -> None:
    frame = rep_kpis(("Cleo", "calls", 0.8, 0), ("Cleo", "revenue", NAN, 0))
    table = rank(frame, NO_ROSTER, CALLS_2_REVENUE_1, KPIS, "2026-11")
    assert table["score"].iloc[0] == pytest.approx(0.8)  # not (2 x 0.8 + 0) / 3
    assert table["rank"].iloc[0] == 1
    assert table["reason"].iloc[0] == "no goal for Revenue this month; scored on the other KPIs"


def test_rep_without_any_target_is_unranked_with_the_reason() -> None:
    frame = rep_kpis(
        ("Dan", "calls", NAN, 5),
        ("Dan", "revenue", NAN, 5),
        ("Anna", "calls", 1.0, 5),
        ("Anna", "revenue", 1.0, 5),
        ("Abe", "calls", NAN, 0),
    )
    table = rank(frame, NO_ROSTER, CALLS_2_REVENUE_1, KPIS, "2026-11")
    assert ranks(table) == [(1, "Anna"), (None, "Abe"), (None, "Dan")]
    assert table["reason"].tolist() == [
        None,
        "no goal for Calls, Revenue this month",
        "no goal for Calls, Revenue this month",
    ]
    assert math.isnan(table["score"].iloc[2])


def test_reason_names_the_configured_period() -> None:
    config = RankingConfig(period="quarter", weights={"calls": 1})
    table = rank(calls_attainments(Dan=NAN), NO_ROSTER, config, KPIS, "2026-11")
    assert table["reason"].iloc[0] == "no goal for Calls this quarter"


def test_zero_weight_kpis_are_left_out() -> None:
    config = RankingConfig(weights={"calls": 1, "revenue": 0})
    table = rank(calls_attainments(Anna=0.5), NO_ROSTER, config, KPIS, "2026-11")
    assert [c for c in table.columns if c.startswith("attainment:")] == ["attainment:calls"]


def test_unknown_kpi_in_the_ranking_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown KPI"):
        rank(calls_attainments(Anna=1), NO_ROSTER, RankingConfig(weights={"x": 1}), KPIS, "2026-11")


# --- who is ranked ------------------------------------------------------------------------------


def test_only_active_roster_reps_are_listed() -> None:
    frame = calls_attainments(Anna=1.0, Cleo=2.0, Zed=3.0, Ben=NAN)
    ro = roster(("Anna", "East", True), ("Cleo", "East", False), ("Ben", None, True))
    table = rank(frame, ro, CALLS_ONLY, KPIS, "2026-11")
    assert ranks(table) == [(1, "Anna"), (None, "Ben")]  # inactive Cleo, unknown Zed: not listed
    assert table["team"].tolist() == ["East", None]


def test_active_rep_missing_from_the_table_is_unranked() -> None:
    ro = roster(("Anna", "East", True), ("Fay", "West", True))
    table = rank(calls_attainments(Anna=1.0), ro, CALLS_ONLY, KPIS, "2026-11")
    assert ranks(table) == [(1, "Anna"), (None, "Fay")]
    assert table["team"].tolist() == ["East", "West"]


def test_only_the_requested_period_and_rep_rows_count() -> None:
    frame = pd.concat(
        [
            calls_attainments(Anna=1.0, Ben=0.5),
            rep_kpis(("Ben", "calls", 9.0, 0), period="2026-10"),
            rep_kpis(("Anna", "calls", 0.1, 0)).assign(level="team"),
        ],
        ignore_index=True,
    )
    table = rank(frame, NO_ROSTER, CALLS_ONLY, KPIS, "2026-11")
    assert ranks(table) == [(1, "Anna"), (2, "Ben")]
    assert table["score"].tolist() == [1.0, 0.5]


# --- by one KPI ---------------------------------------------------------------------------------


def test_by_kpi_ranks_by_actual() -> None:
    frame = rep_kpis(
        ("Anna", "revenue", NAN, 100),
        ("Ben", "revenue", 2.0, 300),
        ("bea", "revenue", NAN, 100),
        ("Cid", "revenue", NAN, 0),
    )
    table = rank(frame, NO_ROSTER, RankingConfig(by="revenue"), KPIS, "2026-11")
    assert ranks(table) == [(1, "Ben"), (2, "Anna"), (2, "bea"), (4, "Cid")]
    assert list(table.columns) == [*RANKING_COLUMNS, "actual:revenue"]
    assert table["actual:revenue"].tolist() == [300, 100, 100, 0]
    assert table["score"].tolist() == [300, 100, 100, 0]
    assert table["reason"].isna().all()


def test_by_ratio_kpi_with_a_blank_actual_is_unranked() -> None:
    frame = rep_kpis(("Anna", "rate", NAN, 12.5), ("Ben", "rate", NAN, NAN))
    table = rank(frame, NO_ROSTER, RankingConfig(by="rate"), KPIS, "2026-11")
    assert ranks(table) == [(1, "Anna"), (None, "Ben")]
    assert table["reason"].tolist() == [None, "no Revenue per call figure this month"]


# --- movement -----------------------------------------------------------------------------------


def test_movement_against_the_previous_snapshot() -> None:
    frame = calls_attainments(Anna=1.3, Ben=1.2, Cid=1.1, Dan=1.0, Eve=NAN)
    previous = {"Anna": 3, "Ben": 1, "Cid": 3, "Eve": 1}
    table = rank(frame, NO_ROSTER, CALLS_ONLY, KPIS, "2026-11", previous)
    assert table["movement"].tolist() == ["up 2", "down 1", "same", "new", None]


def test_no_snapshot_means_no_movement() -> None:
    table = rank(calls_attainments(Anna=1.0, Ben=0.5), NO_ROSTER, CALLS_ONLY, KPIS, "2026-11")
    assert table["movement"].tolist() == [None, None]


# --- shape and integration --------------------------------------------------------------------


def test_columns_and_types() -> None:
    frame = rep_kpis(
        ("Anna", "calls", 1.0, 0), ("Anna", "revenue", 1.0, 0), ("Ben", "calls", NAN, 0)
    )
    table = rank(frame, NO_ROSTER, CALLS_2_REVENUE_1, KPIS, "2026-11")
    assert list(table.columns) == [*RANKING_COLUMNS, "attainment:calls", "attainment:revenue"]
    assert str(table["rank"].dtype) == "Int64"
    assert table["rank"].isna().tolist() == [False, True]
    assert table["score"].dtype == "float64"


def test_empty_table() -> None:
    table = rank(rep_kpis(), NO_ROSTER, CALLS_ONLY, KPIS, "2026-11")
    assert table.empty
    assert list(table.columns) == [*RANKING_COLUMNS, "attainment:calls"]


def test_ranking_from_evaluated_kpis() -> None:
    activity = pd.DataFrame(
        {
            "rep": pd.Series(["Anna", "Ben", "Cleo", "Zed"], dtype=object),
            "date": pd.Series(pd.to_datetime(["2026-11-02"] * 4), dtype="datetime64[ns]"),
            "calls": pd.Series([30.0, 10.0, 50.0, 90.0]),
            "revenue": pd.Series([100.0, 400.0, 0.0, 0.0]),
        }
    )
    goals = pd.DataFrame(
        {
            "period": pd.Series(["2026-11"] * 5, dtype=object),
            "level": pd.Series(["rep"] * 5, dtype=object),
            "scope": pd.Series(["Anna", "Anna", "Ben", "Ben", "Cleo"], dtype=object),
            "kpi": pd.Series(["calls", "revenue", "calls", "revenue", "calls"], dtype=object),
            "target": pd.Series([20.0, 200.0, 40.0, 0.0, 10.0]),
        }
    )
    ro = roster(("Anna", "East", True), ("Ben", "East", True), ("Cleo", "East", False))
    out = evaluate(
        activity,
        goals,
        ro,
        KPIS,
        WorkCalendar(),
        StatusThresholds(),
        (parse_period("2026-11"),),
        date(2026, 11, 30),
        "Total",
    )
    table = rank(out, ro, CALLS_2_REVENUE_1, KPIS, "2026-11", {"Anna": 1})
    # Anna: calls 30/20 = 1.5, revenue 100/200 = 0.5 -> (2 x 1.5 + 0.5) / 3.
    # Ben: revenue target 0 counts as no target -> calls 10/40 = 0.25 alone.
    assert ranks(table) == [(1, "Anna"), (2, "Ben")]
    assert table["score"].tolist() == pytest.approx([3.5 / 3, 0.25])
    assert table["movement"].tolist() == ["same", "new"]
    assert table["reason"].iloc[1] == "no goal for Revenue this month; scored on the other KPIs"
