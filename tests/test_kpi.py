"""KPI actuals, levels, pace and status, against numbers worked out by hand.

November 2026 starts on a Sunday and has 21 working days (Mon-Fri): 2-6, 9-13, 16-20, 23-27, 30.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from sheetsync.config.values import KpiDef, StatusThresholds
from sheetsync.kpi.evaluate import REP_KPI_COLUMNS, evaluate
from sheetsync.periods import Period, WorkCalendar, parse_period
from tests.frames import goals, roster

NAN = float("nan")
KPIS = (
    KpiDef("calls", "sum", "Calls", column="calls"),
    KpiDef("meetings", "sum", "Meetings", column="meetings"),
    KpiDef("won", "sum", "Deals won", column="won"),
    KpiDef("win_rate", "ratio", "Win rate", numerator="won", denominator="meetings"),
    KpiDef("customers", "count_distinct", "Customers", column="customer"),
    KpiDef("entries", "count", "Entries"),
)
NOVEMBER = parse_period("2026-11")
MON_FRI = WorkCalendar()
DEFAULT_STATUS = StatusThresholds()

Row = tuple[str, str, float, float, float, str | None]


def activity(*rows: Row) -> pd.DataFrame:
    """The sync stage's activity frame: rep, date, calls, meetings, won, customer."""
    return pd.DataFrame(
        {
            "rep": pd.Series([r[0] for r in rows], dtype=object),
            "date": pd.Series(pd.to_datetime([r[1] for r in rows]), dtype="datetime64[ns]"),
            "calls": pd.Series([r[2] for r in rows], dtype="float64"),
            "meetings": pd.Series([r[3] for r in rows], dtype="float64"),
            "won": pd.Series([r[4] for r in rows], dtype="float64"),
            "customer": pd.Series([r[5] for r in rows], dtype=object),
        }
    )


ROSTER = roster(
    ("Anna", "East", True),
    ("Ben", "East", True),
    ("Cleo", "East", False),
    ("Dan", "West", True),
)
ACTIVITY = activity(
    ("Anna", "2026-11-02", 10, 2, 1, "Acme"),
    ("Anna", "2026-11-30", 5, NAN, NAN, "Beta"),  # last day of the month: counted
    ("Ben", "2026-11-03", 20, 4, 3, "Acme"),
    ("Ben", "2026-12-01", 100, 9, 9, "Delta"),  # first day of the next month: not counted
    ("Ben", "2026-10-31", 50, 9, 9, "Delta"),  # day before the month: not counted
    ("Cleo", "2026-11-05", 7, 0, 0, None),  # inactive: still in her team and the total
    ("Dan", "2026-11-04", 8, 0, 0, "Gamma"),
    ("Zed", "2026-11-06", 9, 1, 1, "Acme"),  # not in the roster: rep of no team
)


def run(
    act: pd.DataFrame = ACTIVITY,
    gl: pd.DataFrame | None = None,
    ro: pd.DataFrame = ROSTER,
    *,
    as_of: date = date(2026, 11, 30),
    periods: tuple[Period, ...] = (NOVEMBER,),
    kpis: tuple[KpiDef, ...] = KPIS,
    calendar: WorkCalendar = MON_FRI,
    thresholds: StatusThresholds = DEFAULT_STATUS,
) -> pd.DataFrame:
    gl = goals() if gl is None else gl
    return evaluate(act, gl, ro, kpis, calendar, thresholds, periods, as_of, "Total")


def cell(frame: pd.DataFrame, name: str, kpi: str, column: str, period: str = "2026-11") -> object:
    """One value of the output, found by period, name and KPI (names are unique here)."""
    match = frame[(frame["period"] == period) & (frame["name"] == name) & (frame["kpi"] == kpi)]
    assert len(match) == 1, (name, kpi, period)
    return match[column].iloc[0]


def actual(frame: pd.DataFrame, name: str, kpi: str) -> float:
    value = cell(frame, name, kpi, "actual")
    assert isinstance(value, float)
    return value


def blank(value: object) -> bool:
    """A blank number cell: NaN."""
    return isinstance(value, float) and math.isnan(value)


# --- shape ------------------------------------------------------------------------------------


def test_columns_and_types() -> None:
    out = run()
    assert tuple(out.columns) == REP_KPI_COLUMNS
    for column in ("actual", "target", "attainment", "expected", "pace", "projection"):
        assert out[column].dtype == np.float64
    assert out["elapsed_days"].dtype == np.int64
    assert out["status"].dtype == object
    assert out["team"].dtype == object


def test_row_order_is_total_teams_reps_then_kpis_in_configured_order() -> None:
    out = run()
    names = out["name"].tolist()[:: len(KPIS)]
    assert names == ["Total", "East", "West", "Anna", "Ben", "Cleo", "Dan", "Zed"]
    assert out["level"].tolist()[:: len(KPIS)] == ["total", "team", "team"] + ["rep"] * 5
    assert out["kpi"].tolist()[: len(KPIS)] == [k.key for k in KPIS]
    assert len(out) == 8 * len(KPIS)
    assert set(out["period"]) == {"2026-11"}
    assert set(out["period_kind"]) == {"month"}


def test_periods_come_in_the_order_given() -> None:
    out = run(periods=(parse_period("2026-Q4"), NOVEMBER))
    assert out["period"].unique().tolist() == ["2026-Q4", "2026-11"]
    assert out["period_kind"].unique().tolist() == ["quarter", "month"]


def test_team_column() -> None:
    out = run()
    teams = dict(zip(out["name"], out["team"], strict=True))
    assert teams == {
        "Total": None,
        "East": "East",
        "West": "West",
        "Anna": "East",
        "Ben": "East",
        "Cleo": "East",
        "Dan": "West",
        "Zed": None,
    }


def test_names_sort_case_insensitively() -> None:
    out = run(activity(("bea", "2026-11-02", 1, 0, 0, None)), ro=roster(("Anna", None, True)))
    assert out["name"].tolist()[:: len(KPIS)] == ["Total", "Anna", "bea"]


def test_rep_scopes_in_goals_get_rows() -> None:
    out = run(gl=goals(("2026-11", "rep", "Gus", "calls", 5)))
    assert cell(out, "Gus", "calls", "actual") == 0.0
    assert cell(out, "Gus", "calls", "target") == 5.0
    assert cell(out, "Gus", "calls", "team") is None


# --- actuals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "calls", "meetings", "won", "customers", "entries"),
    [
        ("Anna", 15, 2, 1, 2, 2),
        ("Ben", 20, 4, 3, 1, 1),
        ("Cleo", 7, 0, 0, 0, 1),
        ("Dan", 8, 0, 0, 1, 1),
        ("Zed", 9, 1, 1, 1, 1),
        ("East", 42, 6, 4, 2, 4),  # Anna + Ben + inactive Cleo; customers Acme, Beta
        ("West", 8, 0, 0, 1, 1),
        ("Total", 59, 7, 5, 3, 6),  # everyone incl. Zed; customers Acme, Beta, Gamma
    ],
)
def test_actuals(
    name: str, calls: float, meetings: float, won: float, customers: float, entries: float
) -> None:
    out = run()
    assert actual(out, name, "calls") == calls
    assert actual(out, name, "meetings") == meetings
    assert actual(out, name, "won") == won
    assert actual(out, name, "customers") == customers
    assert actual(out, name, "entries") == entries


def test_ratio_of_a_team_comes_from_its_sums_not_an_average() -> None:
    out = run()
    assert actual(out, "Anna", "win_rate") == 0.5  # 1 / 2
    assert actual(out, "Ben", "win_rate") == 0.75  # 3 / 4
    assert actual(out, "East", "win_rate") == pytest.approx(4 / 6)  # not (0.5 + 0.75) / 2
    assert actual(out, "Total", "win_rate") == pytest.approx(5 / 7)
    assert actual(out, "Zed", "win_rate") == 1.0


def test_zero_denominator_gives_a_blank_ratio() -> None:
    out = run()
    assert math.isnan(actual(out, "Cleo", "win_rate"))
    assert math.isnan(actual(out, "West", "win_rate"))


def test_rep_without_rows_has_zero_actuals() -> None:
    out = run(as_of=date(2026, 11, 1))  # nobody logged anything on Sunday the 1st
    for kpi in ("calls", "meetings", "customers", "entries"):
        assert actual(out, "Anna", kpi) == 0.0
    assert math.isnan(actual(out, "Anna", "win_rate"))


def test_rows_after_as_of_are_excluded() -> None:
    out = run(as_of=date(2026, 11, 3))
    assert actual(out, "Anna", "calls") == 10  # the row of the 30th is in the future
    assert actual(out, "Ben", "calls") == 20
    assert actual(out, "Total", "calls") == 30


def test_unknown_rep_is_in_the_total_but_no_team() -> None:
    out = run()
    assert actual(out, "Zed", "calls") == 9
    east_and_west = actual(out, "East", "calls") + actual(out, "West", "calls")
    assert actual(out, "Total", "calls") == east_and_west + 9


def test_count_distinct_works_on_numeric_columns_and_ignores_blanks() -> None:
    kpis = (KpiDef("sizes", "count_distinct", "Distinct call counts", column="calls"),)
    act = activity(
        ("Anna", "2026-11-02", 3, 0, 0, None),
        ("Anna", "2026-11-03", 3, 0, 0, None),
        ("Anna", "2026-11-04", NAN, 0, 0, None),
        ("Ben", "2026-11-04", 4, 0, 0, None),
    )
    out = run(act, kpis=kpis)
    assert actual(out, "Anna", "sizes") == 1
    assert actual(out, "East", "sizes") == 2


def test_ratio_of_ratios() -> None:
    kpis = (
        *KPIS,
        KpiDef(
            "calls_per_meeting", "ratio", "Calls/meeting", numerator="calls", denominator="meetings"
        ),
        KpiDef(
            "odd",
            "ratio",
            "Win rate per call/meeting",
            numerator="win_rate",
            denominator="calls_per_meeting",
        ),
    )
    out = run(kpis=kpis)
    # Anna: win rate 1/2, calls per meeting 15/2 -> 0.5 / 7.5
    assert actual(out, "Anna", "odd") == pytest.approx(0.5 / 7.5)


def test_missing_activity_column_is_a_clear_error() -> None:
    kpis = (KpiDef("revenue", "sum", "Revenue", column="revenue"),)
    with pytest.raises(ValueError, match="'revenue' needs activity column 'revenue'"):
        run(kpis=kpis)


def test_empty_activity_and_no_periods() -> None:
    out = run(activity())
    assert actual(out, "Total", "calls") == 0.0
    assert math.isnan(actual(out, "Total", "win_rate"))
    empty = run(periods=())
    assert empty.empty
    assert tuple(empty.columns) == REP_KPI_COLUMNS
    assert (empty.dtypes == run(periods=(NOVEMBER,)).dtypes).all()


def test_without_a_roster_there_are_no_teams() -> None:
    out = run(ro=roster())
    assert out["level"].unique().tolist() == ["total", "rep"]
    assert out["team"].isna().all()
    assert actual(out, "Total", "calls") == 59


# --- pace, projection, status -----------------------------------------------------------------


def one_rep(*rows: Row) -> pd.DataFrame:
    return activity(*rows) if rows else activity()


def pace_run(
    calls: list[float],
    target: float,
    as_of: date,
    *,
    calendar: WorkCalendar = MON_FRI,
    thresholds: StatusThresholds = DEFAULT_STATUS,
) -> pd.DataFrame:
    rows: list[Row] = [("Anna", "2026-11-02", c, 0.0, 0.0, None) for c in calls]
    return run(
        one_rep(*rows),
        goals(("2026-11", "rep", "Anna", "calls", target)),
        roster(("Anna", None, True)),
        as_of=as_of,
        kpis=KPIS[:1],
        calendar=calendar,
        thresholds=thresholds,
    )


def anna(frame: pd.DataFrame) -> dict[str, object]:
    row = frame[frame["name"] == "Anna"].iloc[0]
    return {column: row[column] for column in frame.columns}


def test_pace_mid_period() -> None:
    # 7 working days elapsed by Tuesday the 10th out of 21: expected = 42 x 7 / 21 = 14.
    row = anna(pace_run([12], 42, date(2026, 11, 10)))
    assert row["elapsed_days"] == 7
    assert row["total_days"] == 21
    assert row["expected"] == pytest.approx(14)
    assert row["attainment"] == pytest.approx(12 / 42)
    assert row["pace"] == pytest.approx(12 / 14)  # 0.857: At risk
    assert row["projection"] == pytest.approx(36)  # 12 x 21 / 7
    assert row["status"] == "At risk"
    assert row["target_source"] == "goal"


@pytest.mark.parametrize(
    ("done", "status"),
    [(14, "On track"), (20, "On track"), (12, "At risk"), (11.9, "At risk"), (11.8, "Behind")],
)
def test_status_thresholds(done: float, status: str) -> None:
    # expected 14; 0.85 x 14 = 11.9 is the edge of At risk.
    assert anna(pace_run([done], 42, date(2026, 11, 10)))["status"] == status


def test_custom_thresholds() -> None:
    strict = StatusThresholds(on_track=1.1, at_risk=0.95)
    assert anna(pace_run([14], 42, date(2026, 11, 10), thresholds=strict))["status"] == "At risk"


def test_exactly_on_pace_is_on_track_despite_float_error() -> None:
    # 0.2 + 0.7 = 0.8999999999999999 against an expected 2.7 x 7 / 21 = 0.9: a naive pace is
    # 0.9999999999999999.
    row = anna(pace_run([0.2, 0.7], 2.7, date(2026, 11, 10)))
    assert row["elapsed_days"] == 7
    assert row["expected"] == pytest.approx(0.9)
    assert row["status"] == "On track"


def test_exactly_on_target_is_achieved_despite_float_error() -> None:
    # Ten entries of 0.1 sum to 0.9999999999999999.
    row = anna(pace_run([0.1] * 10, 1.0, date(2026, 11, 30)))
    assert row["status"] == "Achieved"


def test_period_over_achieved_and_missed() -> None:
    assert anna(pace_run([42], 42, date(2026, 11, 30)))["status"] == "Achieved"
    assert anna(pace_run([41], 42, date(2026, 11, 30)))["status"] == "Missed"
    late = anna(pace_run([50], 42, date(2027, 3, 1)))
    assert late["status"] == "Achieved"
    assert late["elapsed_days"] == 21
    assert late["projection"] == pytest.approx(50)
    assert late["pace"] == pytest.approx(50 / 42)


def test_before_the_period_starts() -> None:
    row = anna(pace_run([5], 42, date(2026, 10, 20)))
    assert row["status"] == "Not started"
    assert row["actual"] == 0  # the row of November 2nd is after as-of
    assert row["elapsed_days"] == 0
    assert row["expected"] == 0
    assert blank(row["pace"])
    assert blank(row["projection"])


def test_started_on_a_weekend_is_not_started() -> None:
    assert anna(pace_run([], 42, date(2026, 11, 1)))["status"] == "Not started"


def test_holidays_change_pace() -> None:
    calendar = WorkCalendar(holidays=frozenset({date(2026, 11, 4), date(2026, 11, 26)}))
    row = anna(pace_run([12], 40, date(2026, 11, 10), calendar=calendar))
    assert row["elapsed_days"] == 6
    assert row["total_days"] == 19
    assert row["expected"] == pytest.approx(40 * 6 / 19)
    assert row["projection"] == pytest.approx(12 * 19 / 6)


def test_without_a_target_status_and_pace_are_blank() -> None:
    out = run()
    row = out[(out["name"] == "Dan") & (out["kpi"] == "calls")].iloc[0]
    assert row["status"] is None
    assert row["target_source"] is None
    for column in ("target", "attainment", "expected", "pace"):
        assert math.isnan(row[column])
    assert row["projection"] == pytest.approx(8)  # the month is over: 8 x 21 / 21


def test_zero_target_gives_blank_attainment_pace_and_status() -> None:
    row = anna(pace_run([3], 0, date(2026, 11, 10)))
    assert row["target"] == 0
    assert blank(row["attainment"])
    assert blank(row["pace"])
    assert row["status"] is None


def test_ratio_pace_is_attainment_and_has_no_projection() -> None:
    out = run(
        gl=goals(
            ("2026-11", "rep", "Anna", "win_rate", 0.4), ("2026-11", "rep", "Ben", "win_rate", 1.0)
        ),
        as_of=date(2026, 11, 10),
    )
    assert cell(out, "Anna", "win_rate", "expected") == 0.4
    assert cell(out, "Anna", "win_rate", "pace") == pytest.approx(0.5 / 0.4)
    assert cell(out, "Anna", "win_rate", "status") == "On track"
    assert cell(out, "Ben", "win_rate", "pace") == 0.75
    assert cell(out, "Ben", "win_rate", "status") == "Behind"
    assert blank(cell(out, "Anna", "win_rate", "projection"))


def test_ratio_without_a_figure_has_a_blank_status() -> None:
    out = run(gl=goals(("2026-11", "team", "West", "win_rate", 0.3)), as_of=date(2026, 11, 10))
    assert blank(cell(out, "West", "win_rate", "actual"))
    assert cell(out, "West", "win_rate", "status") is None


def test_count_distinct_is_prorated_but_not_projected() -> None:
    out = run(gl=goals(("2026-11", "rep", "Anna", "customers", 21)), as_of=date(2026, 11, 10))
    assert cell(out, "Anna", "customers", "expected") == pytest.approx(7)
    assert cell(out, "Anna", "customers", "pace") == pytest.approx(1 / 7)
    assert blank(cell(out, "Anna", "customers", "projection"))


# --- weeks over a year boundary, fiscal years -------------------------------------------------


def test_iso_week_53_over_the_year_boundary() -> None:
    act = activity(
        ("Anna", "2020-12-27", 1, 0, 0, None),  # Sunday of 2020-W52
        ("Anna", "2020-12-28", 2, 0, 0, None),  # Monday of 2020-W53
        ("Anna", "2021-01-03", 4, 0, 0, None),  # Sunday of 2020-W53
        ("Anna", "2021-01-04", 8, 0, 0, None),  # Monday of 2021-W01
    )
    week = parse_period("2020-W53")
    calendar = WorkCalendar(holidays=frozenset({date(2021, 1, 1)}))
    out = run(act, ro=roster(), periods=(week,), as_of=date(2021, 1, 2), calendar=calendar)
    assert cell(out, "Anna", "calls", "actual", "2020-W53") == 2  # the Sunday is after as-of
    assert cell(out, "Anna", "calls", "elapsed_days", "2020-W53") == 4  # Dec 28-31
    assert cell(out, "Anna", "calls", "total_days", "2020-W53") == 4  # New Year's Day off
    out = run(act, ro=roster(), periods=(week,), as_of=date(2021, 1, 10))
    assert cell(out, "Anna", "calls", "actual", "2020-W53") == 6
    assert cell(out, "Anna", "calls", "total_days", "2020-W53") == 5


def test_fiscal_year_actuals_and_days() -> None:
    act = activity(
        ("Anna", "2026-03-31", 1, 0, 0, None),  # last day of FY2026
        ("Anna", "2026-04-01", 2, 0, 0, None),  # first day of FY2027
        ("Anna", "2026-11-30", 4, 0, 0, None),
    )
    fy = parse_period("FY2027", 4)
    q3 = parse_period("FY2027-Q3", 4)
    out = run(act, ro=roster(), periods=(fy, q3), calendar=WorkCalendar(fiscal_year_start=4))
    assert cell(out, "Anna", "calls", "actual", "FY2027") == 6
    assert cell(out, "Anna", "calls", "actual", "FY2027-Q3") == 4
    assert set(out["period_kind"]) == {"year", "quarter"}
    # October 22 + November 21 + December 23 working days.
    assert cell(out, "Anna", "calls", "total_days", "FY2027-Q3") == 66
