"""pydantic validates the config; every problem reaches the user as our `ConfigError`: the file,
the key path in dotted form and what is allowed, written out here by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from sheetsync.config.loading import parse_config
from sheetsync.config.values import Config
from sheetsync.errors import ConfigError
from tests.helpers import with_extra

BASE = """\
source: {type: xlsx, path: team.xlsx}
activity: {numbers: {calls: Calls, meetings: Meetings}, texts: {customer: Customer}}
kpis: {calls: {kind: sum, column: calls}, meetings: {kind: sum, column: meetings}}
"""


def load(text: str) -> Config:
    return parse_config(text, Path("team.yaml"))


def error_of(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load(text)
    return caught.value


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("source: {path: a.xlsx}", "source.type: is required; allowed: xlsx, google"),
        ("source: {type: xlsx}", "source.path: is required (text)"),
        ("source: {type: xlsx, path: null}", "source.path: is required (text)"),
        ("source: {type: xlsx, path: '  '}", "source.path: must not be empty"),
        ("source: {type: xlsx, path: [a.xlsx]}", "source.path: expected text, got a list"),
        ("source: {type: xlsx, path: true}", "source.path: expected text, got True"),
        ("source: [xlsx]", "source: expected a mapping of keys to values, got a list"),
        ("source: null", "source: is required (a mapping)"),
        (
            "source: {type: xlsx, path: a.xlsx, limits: {ratio: '5'}}",
            "source.limits.ratio: expected a number from 1 to 10000, got '5'",
        ),
        (
            "source: {type: xlsx, path: a.xlsx, limits: {ratio: 0}}",
            "source.limits.ratio: must be from 1 to 10000, got 0",
        ),
        ("status: {on_track: true}", "status.on_track: expected a number from 0 to 10, got True"),
        ("status: {on_track: null}", "status.on_track: expected a number from 0 to 10, got None"),
        (
            "ranking: {period: null}",
            "ranking.period: is required; allowed: week, month, quarter, year",
        ),
        ("ranking: {weights: {}}", "ranking.weights: at least one weight must be above 0"),
        (
            "ranking: {weights: {calls: x}}",
            "ranking.weights.calls: expected a number from 0 to 1000, got 'x'",
        ),
        (
            "ranking: {weights: {profit: 1}}",
            "ranking.weights.profit: is not a KPI; allowed: calls, meetings",
        ),
        ("kpis: {}", "kpis: define at least one KPI"),
        (
            "kpis: {x-y: {kind: count}}",
            "kpis.x-y: a KPI key must be letters, digits and underscores",
        ),
        ("kpis: {x: null}", "kpis.x.kind: is required; allowed: sum, count, count_distinct, ratio"),
        ("kpis: {x: 5}", "kpis.x: expected a mapping of keys to values, got 5"),
        ("kpis: {x: {kind: sum}}", "kpis.x.column: is required (text)"),
        (
            "kpis: {x: {kind: count}, r: {kind: ratio, numerator: x}}",
            "kpis.r.denominator: is required (text)",
        ),
        (
            "kpis: {x: {kind: count}, r: {kind: ratio, numerator: x, denominator: r}}",
            "kpis.r.denominator: names no other KPI; KPIs: x, r",
        ),
        (
            "kpis: {x: {kind: count_distinct, column: notes}}",
            "kpis.x.column: 'notes' is not an activity field; allowed: calls, meetings, customer",
        ),
        (
            "calendar: {holidays: 2026-01-01}",
            "calendar.holidays: expected a list of dates (YYYY-MM-DD), got '2026-01-01'",
        ),
        (
            "calendar: {holidays: [2026-01-01, soon]}",
            "calendar.holidays[1]: expected a date as YYYY-MM-DD, got 'soon'",
        ),
        ("calendar: {working_days: []}", "calendar.working_days: needs at least one weekday"),
        (
            "calendar: {working_days: [Mon, {a: 1}]}",
            "calendar.working_days[1]: expected text, got a mapping",
        ),
        (
            "locale: {decimal_separator: ',', thousands_separator: ','}",
            "locale.thousands_separator: must differ from decimal_separator",
        ),
        (
            "locale: {date_formats: ['%d.%m.%Y', dd.mm]}",
            "locale.date_formats: 'dd.mm' is not a strftime pattern like %d.%m.%Y",
        ),
        (
            "activity: {numbers: {calls: Calls}, texts: {calls: C}}",
            "activity.texts: field 'calls' is also listed under numbers",
        ),
        ("activity: {numbers: {calls: ''}}", "activity.numbers.calls: must not be empty"),
        (
            "roster: {email: Mail}",
            "roster.email: unknown key; allowed here: tab, rep_column, email_column, team_column, "
            "active_column, start_column",
        ),
        (
            "1: one",
            "1: unknown key; allowed here: source, calendar, locale, activity, goals, roster, "
            "actions, kpis, status, ranking, output, daemon, email, total_label",
        ),
    ],
)
def test_each_kind_of_problem_names_the_key_path_and_what_is_allowed(
    extra: str, message: str
) -> None:
    assert str(error_of(with_extra(extra + "\n", BASE))) == f"team.yaml: {message}"


def test_the_pydantic_error_is_the_cause_and_the_exit_code_is_2() -> None:
    error = error_of(with_extra("ranking: {period: decade}\n", BASE))
    assert isinstance(error.__cause__, ValidationError)
    assert (error.file, error.key, error.exit_code) == ("team.yaml", "ranking.period", 2)


def test_null_means_the_default_and_false_or_null_switches_off() -> None:
    cfg = load(with_extra(
        "calendar: {timezone: null, working_days: null, holidays: null}\nlocale: null\n"
        "goals: {tab: null}\nroster: false\nranking: {weights: null}\n"
        "output: {summary: null, ranking: false, rep_kpis: 2026}\n", BASE,
    ))  # fmt: skip
    assert (cfg.calendar.timezone, cfg.calendar.working_days) == ("UTC", frozenset(range(5)))
    assert (cfg.calendar.holidays, cfg.locale.thousands_separator) == (frozenset(), ",")
    assert (cfg.goals.tab, cfg.roster.tab) == ("Goals", None)
    assert dict(cfg.ranking.weights) == {"calls": 1.0, "meetings": 1.0}
    assert dict(cfg.output.tabs) == {
        "meeting_brief": "Meeting brief", "rep_kpis": "2026", "data_issues": "Data issues",
        "sync_status": "Sync status", "history": "KPI history",
        "goal_suggestions": "Goal suggestions",
    }  # fmt: skip


def test_names_become_numbers_and_formats_become_patterns() -> None:
    cfg = load(with_extra(
        "calendar: {fiscal_year_start: ' sept ', working_days: Sunday, holidays: [2026-12-24]}\n"
        "locale: {decimal_separator: ',', currency_format: '#,##0 \"zł\"'}\n"
        "kpis: {calls: {kind: sum, column: calls, format: currency},\n"
        "       meetings: {kind: sum, column: meetings, format: decimal, label: ' Spotkania '},\n"
        "       rate: {kind: ratio, numerator: meetings, denominator: calls}}\n", BASE,
    ))  # fmt: skip
    assert (cfg.calendar.fiscal_year_start, cfg.calendar.working_days) == (9, frozenset({6}))
    assert cfg.locale.thousands_separator == " "
    assert [(k.key, k.label, k.number_format) for k in cfg.kpis] == [
        ("calls", "Calls", '#,##0 "zł"'),
        ("meetings", "Spotkania", "#,##0.0"),
        ("rate", "Rate", "0.0%"),
    ]
