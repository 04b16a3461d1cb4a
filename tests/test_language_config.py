"""The config keys of the team's language and calendar: `output.language` (and the tab names
and currency format that follow it), Polish weekday names in `calendar.working_days`, and a
country's public holidays by name (`calendar.holidays_country`), with the working days and pace
they change, counted by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from sheetsync.config.countries import LIST_COMMAND
from sheetsync.config.loading import parse_config
from sheetsync.config.schema import json_schema
from sheetsync.config.values import Config
from sheetsync.errors import ConfigError
from sheetsync.periods import WorkCalendar, work_calendar, working_days
from sheetsync.pipeline import refresh
from tests.helpers import MemoryBackend, config, team_workbook, with_extra

POLISH_TABS = {
    "summary": "Podsumowanie", "ranking": "Ranking", "meeting_brief": "Odprawa zespołu",
    "rep_kpis": "KPI handlowców", "data_issues": "Problemy z danymi",
    "sync_status": "Stan synchronizacji", "history": "Historia KPI",
    "goal_suggestions": "Propozycje celów",
}  # fmt: skip


def error_of(extra: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(with_extra(extra), Path("team.yaml"))
    return str(caught.value)


def schema_problems(extra: str) -> list[str]:
    from sheetsync.config.yamlread import load_yaml

    data: Any = load_yaml(with_extra(extra), "team.yaml")
    return [error.message for error in Draft202012Validator(json_schema()).iter_errors(data)]


# -- output.language -------------------------------------------------------------------------


def test_english_is_the_default_and_keeps_the_english_tab_names() -> None:
    cfg = config()
    assert cfg.output.language == "en"
    assert cfg.output.tabs["summary"] == "Summary" and cfg.output.tabs["history"] == "KPI history"
    assert cfg.locale.currency_format == '"$"#,##0'


def test_polish_gives_polish_tab_names_and_currency() -> None:
    cfg = config("output: {language: pl}\n")
    assert dict(cfg.output.tabs) == POLISH_TABS
    assert cfg.locale.currency_format == '#,##0.00 "zł"'
    assert cfg.kpi("revenue").number_format == '#,##0.00 "zł"'  # format: currency


def test_configured_names_and_formats_win_over_the_language() -> None:
    cfg = config('output: {language: PL, summary: KPIs, ranking: false, history: KPI history}\n'
                 'locale: {currency_format: \'"€"#,##0\'}\n')  # fmt: skip
    assert cfg.output.language == "pl"
    assert cfg.output.tabs["summary"] == "KPIs" and "ranking" not in cfg.output.tabs
    assert cfg.output.tabs["history"] == "KPI history"  # kept: its snapshots stay in one tab
    assert cfg.output.tabs["rep_kpis"] == "KPI handlowców"
    assert cfg.locale.currency_format == '"€"#,##0'


def test_an_unknown_language_names_the_key_and_the_allowed_codes() -> None:
    assert error_of("output: {language: de}\n") == (
        "team.yaml: output.language: got 'de'; allowed: en, pl (docs/languages.md tells how to "
        "add a language)"
    )
    assert any("'de' is not one of ['en', 'pl']" in p for p in
               schema_problems("output: {language: de}\n"))  # fmt: skip
    assert schema_problems("output: {language: pl}\n") == []


def test_a_polish_default_name_clashing_with_an_input_tab_is_caught() -> None:
    assert error_of("output: {language: pl}\ngoals: {tab: Podsumowanie}\n").startswith(
        "team.yaml: goals.tab: tab 'Podsumowanie' is also the output tab of output.summary"
    )


# -- calendar.working_days -------------------------------------------------------------------


@pytest.mark.parametrize(
    "days",
    ["[Pon, Wt, Śr, Czw, Pt]", "[pon, WT, sr, czw, pt]", "[Poniedziałek, wtorek, środa, "
     "czwartek, piątek]", "[poniedzialek, Wtorek, SRODA, Czwartek, PIATEK]",
     "[Mon, Tue, Wed, Thu, Fri]", "[Pn, Wt, Śr, Cz, Pt]"],
)  # fmt: skip
def test_polish_weekday_names_are_working_days(days: str) -> None:
    extra = f"calendar: {{timezone: UTC, working_days: {days}}}\n"
    assert config(extra).calendar.working_days == frozenset({0, 1, 2, 3, 4})
    assert schema_problems(extra) == []


def test_weekends_in_polish_and_an_unknown_name() -> None:
    cfg = config("calendar: {working_days: [Sob, niedziela]}\n")
    assert cfg.calendar.working_days == frozenset({5, 6})
    assert error_of("calendar: {working_days: [Pon, Foo]}\n") == (
        "team.yaml: calendar.working_days: unknown weekday 'Foo'; allowed: Mon, Tue, ... Sun, "
        "or Polish Pon, Wt, Śr, Czw, Pt, Sob, Nd, or full names"
    )
    assert schema_problems("calendar: {working_days: [Pon, Foo]}\n") != []


# -- calendar.holidays_country ---------------------------------------------------------------

PL_HOLIDAYS_2026 = {
    date(2026, 1, 1), date(2026, 1, 6), date(2026, 4, 5), date(2026, 4, 6), date(2026, 5, 1),
    date(2026, 5, 3), date(2026, 5, 24), date(2026, 6, 4), date(2026, 8, 15), date(2026, 11, 1),
    date(2026, 11, 11), date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26),
}  # fmt: skip
"""Poland's public holidays in 2026, from the law (Ustawa o dniach wolnych od pracy): Easter
is 5 April, so Easter Monday is 6 April and Corpus Christi (Easter + 60) 4 June; Christmas Eve
is a holiday from 2025 on."""


def polish(extra: str = "") -> Config:
    return config("calendar: {timezone: UTC, holidays_country: PL}\n" + extra)


def test_the_country_holidays_are_days_off_with_the_configured_ones() -> None:
    cal = config("calendar: {holidays_country: pl, holidays: [2026-11-02]}\n").calendar
    assert cal.holidays_country == "PL"
    days = work_calendar(cal).days_off(date(2026, 1, 1), date(2026, 12, 31))
    assert days == PL_HOLIDAYS_2026 | {date(2026, 11, 2)}
    assert date(2027, 11, 11) in work_calendar(cal).days_off(date(2026, 12, 1), date(2027, 12, 31))
    plain = work_calendar(config().calendar)
    assert plain.days_off(date(2026, 1, 1), date(2026, 12, 31)) == frozenset()


@pytest.mark.parametrize(
    ("start", "end", "plain", "with_pl"),
    [
        # Nov 2026 starts on a Sunday: 30 days - 5 Sundays - 4 Saturdays = 21 weekdays; All
        # Saints (1 Nov) is a Sunday anyway, Independence Day (11 Nov) a Wednesday: 20.
        ("2026-11-01", "2026-11-30", 21, 20),
        # to Friday 27 Nov: the weekdays of 2-27 Nov are four full weeks, 20, less 11 Nov.
        ("2026-11-01", "2026-11-27", 20, 19),
        # Dec 2026 starts on a Tuesday: 31 - 8 weekend days = 23; Christmas Eve (Thu) and
        # Christmas (Fri) are off, the Second Day of Christmas is a Saturday: 21.
        ("2026-12-01", "2026-12-31", 23, 21),
        # Apr 2026 starts on a Wednesday: 30 - 8 = 22, less Easter Monday (6 Apr): 21.
        ("2026-04-01", "2026-04-30", 22, 21),
        # Jun 2026 starts on a Monday: 30 - 8 = 22, less Corpus Christi (Thu 4 Jun): 21.
        ("2026-06-01", "2026-06-30", 22, 21),
        # Q4: Oct 22 (no holiday), Nov 21 -> 20, Dec 23 -> 21.
        ("2026-10-01", "2026-12-31", 66, 63),
    ],
)
def test_working_days_lose_the_holidays_that_fall_on_weekdays(
    start: str, end: str, plain: int, with_pl: int
) -> None:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    assert working_days(first, last, WorkCalendar()) == plain
    assert working_days(first, last, WorkCalendar(country="PL")) == with_pl


def test_pace_follows_the_country_holidays() -> None:
    def month_total(cfg: Config) -> dict[str, Any]:
        report = refresh(cfg, as_of=date(2026, 11, 27), dry_run=True,
                         backend=MemoryBackend(team_workbook()))  # fmt: skip
        rows = report.rep_kpis
        wanted = rows[(rows["period"] == "2026-11") & (rows["level"] == "total")
                      & (rows["kpi"] == "calls")]  # fmt: skip
        return {str(key): value for key, value in wanted.iloc[0].to_dict().items()}

    plain, with_pl = month_total(config()), month_total(polish())
    assert (plain["elapsed_days"], plain["total_days"]) == (20, 21)
    assert (with_pl["elapsed_days"], with_pl["total_days"]) == (19, 20)
    # the goals roll up to 150 calls for the month: expected = 150 x elapsed / total
    assert plain["expected"] == pytest.approx(150 * 20 / 21)
    assert with_pl["expected"] == pytest.approx(150 * 19 / 20)
    assert with_pl["pace"] == pytest.approx(35 / (150 * 19 / 20))


def test_an_unknown_country_names_the_key_and_how_to_list_the_codes() -> None:
    assert error_of("calendar: {holidays_country: XX}\n") == (
        "team.yaml: calendar.holidays_country: unknown country code 'XX'; use an ISO 3166 code "
        f"like PL, DE or US that the holidays package knows (list them: {LIST_COMMAND})"
    )
    assert schema_problems("calendar: {holidays_country: PL}\n") == []
    assert schema_problems("calendar: {holidays_country: Poland}\n") != []
