"""Period labels, fiscal calendars and working days, against dates worked out by hand."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from sheetsync.errors import UsageError
from sheetsync.periods import (
    FIRST_AS_OF,
    LAST_AS_OF,
    Period,
    WorkCalendar,
    check_as_of,
    components,
    current_period,
    current_periods,
    elapsed_working_days,
    parse_period,
    working_days,
)

MON_FRI = WorkCalendar()


# --- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "kind", "start", "end"),
    [
        ("2026-11", "month", date(2026, 11, 1), date(2026, 11, 30)),
        ("2028-02", "month", date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-Q4", "quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026", "year", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-W48", "week", date(2026, 11, 23), date(2026, 11, 29)),
    ],
)
def test_parse_calendar_labels(label: str, kind: str, start: date, end: date) -> None:
    assert dataclasses.astuple(parse_period(label)) == (kind, label, start, end, False)


@pytest.mark.parametrize(
    ("sloppy", "canonical"),
    [
        (" 2026-11 ", "2026-11"),
        ("2026-1", "2026-01"),
        ("2026/3", "2026-03"),
        ("2026-q4", "2026-Q4"),
        ("2026Q4", "2026-Q4"),
        ("2026 q4", "2026-Q4"),
        ("2026-w1", "2026-W01"),
        ("2026W48", "2026-W48"),
        ("2026.0", "2026"),
        (" 2026 ", "2026"),
    ],
)
def test_parse_is_lenient_where_unambiguous(sloppy: str, canonical: str) -> None:
    assert parse_period(sloppy).label == canonical


@pytest.mark.parametrize(
    "bad", ["", "abc", "2026-13", "2026-0", "2026-Q5", "2026-Q0", "2025-W53", "2026-W00", "26-11"]
)
def test_parse_rejects_bad_labels_with_the_label_in_the_message(bad: str) -> None:
    with pytest.raises(ValueError, match=f"not a period: {bad!r}"):
        parse_period(bad)


def test_parse_error_says_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="2025 has no ISO week 53"):
        parse_period("2025-W53")
    with pytest.raises(ValueError, match="month 13 is not between 1 and 12"):
        parse_period("2026-13")


def test_parse_error_explains_the_notation() -> None:
    with pytest.raises(ValueError, match=r"'Nov 2026'.*2026-Q4"):
        parse_period("Nov 2026")


def test_iso_week_53_spans_the_year_boundary() -> None:
    assert parse_period("2020-W53") == Period(
        "week", "2020-W53", date(2020, 12, 28), date(2021, 1, 3)
    )
    assert parse_period("2021-W01").start == date(2021, 1, 4)
    assert parse_period("2026-W53") == Period(
        "week", "2026-W53", date(2026, 12, 28), date(2027, 1, 3)
    )


def test_fiscal_year_is_named_after_the_year_it_ends_in() -> None:
    assert parse_period("FY2027", 4) == Period(
        "year", "FY2027", date(2026, 4, 1), date(2027, 3, 31), fiscal=True
    )
    assert parse_period("FY2027", 2) == Period(
        "year", "FY2027", date(2026, 2, 1), date(2027, 1, 31), fiscal=True
    )


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("FY2027-Q1", date(2026, 4, 1), date(2026, 6, 30)),
        ("FY2027-Q2", date(2026, 7, 1), date(2026, 9, 30)),
        ("FY2027-Q3", date(2026, 10, 1), date(2026, 12, 31)),
        ("FY2027-Q4", date(2027, 1, 1), date(2027, 3, 31)),
    ],
)
def test_fiscal_quarters_starting_in_april(label: str, start: date, end: date) -> None:
    assert parse_period(label, 4) == Period("quarter", label, start, end, fiscal=True)


def test_fiscal_labels_are_lenient() -> None:
    assert parse_period(" fy2027-q1", 4).label == "FY2027-Q1"
    assert parse_period("FY 2027 Q1", 4).label == "FY2027-Q1"
    assert parse_period("fy2027", 4).label == "FY2027"


def test_fiscal_labels_with_a_january_fiscal_year_are_calendar_periods() -> None:
    assert parse_period("FY2027", 1) == Period("year", "2027", date(2027, 1, 1), date(2027, 12, 31))
    assert parse_period("FY2027-Q2", 1).label == "2027-Q2"


def test_calendar_quarters_stay_calendar_quarters_with_a_fiscal_year() -> None:
    assert parse_period("2026-Q4", 4) == Period(
        "quarter", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)
    )


def test_period_contains_its_days_only() -> None:
    november = parse_period("2026-11")
    assert date(2026, 11, 30) in november
    assert date(2026, 12, 1) not in november
    assert "2026-11-05" not in november


# --- current periods --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "week"),
    [
        (date(2021, 1, 3), "2020-W53"),
        (date(2021, 1, 4), "2021-W01"),
        (date(2026, 12, 31), "2026-W53"),
        (date(2027, 1, 3), "2026-W53"),
        (date(2024, 12, 30), "2025-W01"),
        (date(2026, 11, 25), "2026-W48"),
    ],
)
def test_current_week_is_the_iso_week(as_of: date, week: str) -> None:
    assert current_period("week", as_of).label == week


def test_current_calendar_periods() -> None:
    labels = [p.label for p in current_periods(date(2026, 11, 25))]
    assert labels == ["2026-W48", "2026-11", "2026-Q4", "2026"]


@pytest.mark.parametrize(
    ("as_of", "quarter", "year"),
    [
        (date(2026, 3, 31), "FY2026-Q4", "FY2026"),
        (date(2026, 4, 1), "FY2027-Q1", "FY2027"),
        (date(2026, 11, 25), "FY2027-Q3", "FY2027"),
        (date(2027, 1, 15), "FY2027-Q4", "FY2027"),
    ],
)
def test_current_fiscal_quarter_and_year(as_of: date, quarter: str, year: str) -> None:
    assert current_period("quarter", as_of, 4).label == quarter
    assert current_period("year", as_of, 4).label == year
    assert current_period("month", as_of, 4).label == f"{as_of.year}-{as_of.month:02d}"


def test_current_fiscal_quarter_with_a_february_start() -> None:
    q4 = current_period("quarter", date(2027, 1, 31), 2)
    assert q4 == Period("quarter", "FY2027-Q4", date(2026, 11, 1), date(2027, 1, 31), fiscal=True)


# --- components ---------------------------------------------------------------------------------


def labels(periods: tuple[Period, ...] | None) -> list[str] | None:
    return None if periods is None else [p.label for p in periods]


def test_components() -> None:
    assert labels(components(parse_period("2026-Q4"))) == ["2026-10", "2026-11", "2026-12"]
    assert labels(components(parse_period("2026"))) == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert components(parse_period("2026-11")) is None
    assert components(parse_period("2026-W48")) is None


def test_fiscal_components() -> None:
    fy = parse_period("FY2027", 4)
    assert labels(components(fy)) == ["FY2027-Q1", "FY2027-Q2", "FY2027-Q3", "FY2027-Q4"]
    assert components(fy) == tuple(parse_period(f"FY2027-Q{q}", 4) for q in range(1, 5))
    q4 = parse_period("FY2027-Q4", 2)  # November 2026 to January 2027
    assert labels(components(q4)) == ["2026-11", "2026-12", "2027-01"]


# --- working days -----------------------------------------------------------------------------


def test_working_days_in_a_month() -> None:
    # November 2026 starts on a Sunday: weekdays 2-6, 9-13, 16-20, 23-27 and 30.
    assert working_days(date(2026, 11, 1), date(2026, 11, 30), MON_FRI) == 21


def test_holidays_reduce_working_days_only_on_working_weekdays() -> None:
    holidays = frozenset({date(2026, 11, 11), date(2026, 11, 14)})  # a Wednesday and a Saturday
    calendar = WorkCalendar(holidays=holidays)
    assert working_days(date(2026, 11, 1), date(2026, 11, 30), calendar) == 20


def test_custom_working_weekdays() -> None:
    sunday_to_thursday = WorkCalendar(working_days=frozenset({6, 0, 1, 2, 3}))
    # November 2026: Sundays 1, 8, 15, 22, 29 plus Mon-Thu 2-5, 9-12, 16-19, 23-26, 30.
    assert working_days(date(2026, 11, 1), date(2026, 11, 30), sunday_to_thursday) == 22


def test_working_days_are_inclusive_and_empty_when_reversed() -> None:
    assert working_days(date(2026, 11, 2), date(2026, 11, 2), MON_FRI) == 1
    assert working_days(date(2026, 11, 7), date(2026, 11, 8), MON_FRI) == 0
    assert working_days(date(2026, 11, 3), date(2026, 11, 2), MON_FRI) == 0
    assert (
        working_days(date(2026, 11, 2), date(2026, 11, 8), WorkCalendar(working_days=frozenset()))
        == 0
    )


def test_elapsed_working_days() -> None:
    november = parse_period("2026-11")
    assert elapsed_working_days(november, date(2026, 10, 31), MON_FRI) == 0
    assert elapsed_working_days(november, date(2026, 11, 1), MON_FRI) == 0
    assert elapsed_working_days(november, date(2026, 11, 10), MON_FRI) == 7
    assert elapsed_working_days(november, date(2027, 2, 1), MON_FRI) == 21


def test_working_days_of_a_quarter_and_a_fiscal_year() -> None:
    # October 22 + November 21 + December 23.
    assert working_days(date(2026, 10, 1), date(2026, 12, 31), MON_FRI) == 66
    q = parse_period("FY2027-Q4", 2)
    # November 21 + December 23 + January 2027 (Fri 1st, then 4-8, 11-15, 18-22, 25-29) 21.
    assert working_days(q.start, q.end, MON_FRI) == 65


# --- the as-of range ----------------------------------------------------------------------------


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1899, 12, 31), date(9999, 1, 1)])
def test_check_as_of_refuses_days_outside_the_range(day: date) -> None:
    with pytest.raises(UsageError) as caught:
        check_as_of(day)
    assert str(caught.value) == (
        f"as-of date {day.isoformat()} is out of range; use a date from 1900-01-01 to 9998-12-31"
    )
    assert caught.value.exit_code == 2


def test_check_as_of_accepts_both_ends() -> None:
    check_as_of(date(1900, 1, 1))
    check_as_of(date(9998, 12, 31))


@pytest.mark.parametrize("start", range(1, 13))
def test_every_fiscal_start_works_at_both_ends(start: int) -> None:
    for day in (FIRST_AS_OF, LAST_AS_OF):
        for period in current_periods(day, start):
            assert period.start <= day <= period.end
            assert 0 <= elapsed_working_days(period, day, MON_FRI) <= 262


def test_the_periods_at_the_ends_by_hand() -> None:
    # 9998 repeats 1998 (the calendar repeats every 400 years): 9998-12-31 is a Thursday, in
    # ISO week 53 (Monday 28 December to Sunday 3 January)
    week, month, quarter, year = current_periods(LAST_AS_OF, 2)
    assert (week.label, week.start, week.end) == ("9998-W53", date(9998, 12, 28), date(9999, 1, 3))
    assert (month.label, quarter.label) == ("9998-12", "FY9999-Q4")
    assert (year.label, year.start, year.end) == ("FY9999", date(9998, 2, 1), date(9999, 1, 31))
    # 1998 began on a Thursday: 52 weeks and one weekday, 52 x 5 + 1 = 261 working days
    assert working_days(date(9998, 1, 1), LAST_AS_OF, MON_FRI) == 261
    # 1900-01-01 was a Monday; 1900 is no leap year; a December fiscal year holds it in its Q1
    week, _, quarter, year = current_periods(FIRST_AS_OF, 12)
    assert (week.label, week.start, week.end) == ("1900-W01", date(1900, 1, 1), date(1900, 1, 7))
    assert (quarter.label, quarter.start, quarter.end) == (
        "FY1900-Q1", date(1899, 12, 1), date(1900, 2, 28))  # fmt: skip
    assert (year.start, year.end) == (date(1899, 12, 1), date(1900, 11, 30))


@pytest.mark.parametrize(("day", "start"), [(date(9999, 12, 31), 1), (date(9999, 2, 1), 2)])
def test_just_past_the_last_day_the_periods_leave_the_calendar(day: date, start: int) -> None:
    with pytest.raises((ValueError, OverflowError)):
        current_periods(day, start)
