"""Tab names in the config: Excel's rules for output tabs, no input tab that is an output tab,
and a rep-tab pattern that says where the rep's name is."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheetsync.config.loading import parse_config
from sheetsync.config.values import Config
from sheetsync.errors import ConfigError
from tests.helpers import with_extra

BASE = """\
source: {type: xlsx, path: team.xlsx}
activity: {numbers: {calls: Calls}}
kpis: {calls: {kind: sum, column: calls}}
"""


def load(extra: str) -> Config:
    return parse_config(with_extra(extra, BASE), Path("team.yaml"))


def error_of(extra: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(extra)
    return str(caught.value)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("''", "a tab name must not be empty; use false to switch this output off"),
        ("'   '", "a tab name must not be empty; use false to switch this output off"),
        ("S" * 32, f"tab name '{'S' * 32}' has 32 characters; a tab name may have at most 31"),
        (
            "'Q4 [draft]'",
            "tab name 'Q4 [draft]' contains '['; a tab name cannot contain any of [ ] : * ? / \\",
        ),
        ("'Q4 draft]'", "tab name 'Q4 draft]' contains ']'"),
        ("'Q4: summary'", "tab name 'Q4: summary' contains ':'"),
        ("'Top*'", "tab name 'Top*' contains '*'"),
        ("'Why?'", "tab name 'Why?' contains '?'"),
        ("'Q4/2026'", "tab name 'Q4/2026' contains '/'"),
        ("'Q4\\2026'", "tab name 'Q4\\\\2026' contains '\\\\'"),
        (
            '"\'Summary"',
            "tab name \"'Summary\" starts or ends with an apostrophe ('); one is "
            "allowed only inside the name",
        ),
        ('"Summary\'"', 'tab name "Summary\'" starts or ends with an apostrophe'),
    ],
)
def test_output_tab_names_follow_excels_rules(name: str, problem: str) -> None:
    message = error_of(f"output: {{summary: {name}}}\n")
    assert message.startswith(f"team.yaml: output.summary: {problem}")


def test_names_at_the_limits_are_fine() -> None:
    config = load("output: {summary: " + "S" * 31 + ", ranking: Anna's ranking, rep_kpis: Łódź}\n")
    assert config.output.title("summary") == "S" * 31
    assert config.output.title("ranking") == "Anna's ranking"
    assert config.output.title("rep_kpis") == "Łódź"


def test_two_outputs_may_not_share_a_tab_ignoring_case_and_spacing() -> None:
    assert error_of("output: {summary: KPIs, ranking: kpis}\n") == (
        "team.yaml: output.summary: tab name 'KPIs' is used for two outputs, also by "
        "output.ranking; give each output its own tab name (case and spacing are ignored)"
    )
    assert error_of("output: {summary: 'rep   kpis'}\n").startswith(
        "team.yaml: output.summary: tab name 'rep   kpis' is used for two outputs, also by "
        "output.rep_kpis;"
    )


def test_a_switched_off_output_frees_its_name() -> None:
    config = load("output: {summary: false, ranking: Summary}\n")
    assert (config.output.title("summary"), config.output.title("ranking")) == (None, "Summary")


@pytest.mark.parametrize(
    ("extra", "key", "title", "output"),
    [
        ("goals: {tab: summary}\n", "goals.tab", "summary", "output.summary"),
        ("roster: {tab: RANKING}\n", "roster.tab", "RANKING", "output.ranking"),
        (
            "activity: {log_tab: Data  issues, numbers: {calls: Calls}}\n",
            "activity.log_tab",
            "Data  issues",
            "output.data_issues",
        ),
        (
            "calendar: {holidays_tab: sync status}\n",
            "calendar.holidays_tab",
            "sync status",
            "output.sync_status",
        ),
    ],
)
def test_an_input_tab_may_not_be_an_output_tab(
    extra: str, key: str, title: str, output: str
) -> None:
    assert error_of(extra) == (
        f"team.yaml: {key}: tab {title!r} is also the output tab of {output}; an input tab "
        "cannot be an output tab, so rename one of them (case and spacing are ignored)"
    )


def test_renaming_the_output_resolves_the_clash() -> None:
    config = load("goals: {tab: Summary}\noutput: {summary: Podsumowanie}\n")
    assert (config.goals.tab, config.output.title("summary")) == ("Summary", "Podsumowanie")


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (
            "Rep - Anna",
            "'Rep - Anna' has no '*' to mark where the rep's name is in the tab "
            "title; use a pattern like 'Rep - *'",
        ),
        ("'Rep [*]'", "'Rep [*]' has no '*' to mark where"),
        ("'Rep ?'", "'Rep ?' has no '*' to mark where"),
        (
            "'[z-a] *'",
            "'[z-a] *' is not a valid pattern (bad character range z-a at position 1); "
            "use * for the rep's name, ? for one character, [abc] for one of a set",
        ),
    ],
)
def test_a_rep_tab_pattern_needs_a_star_for_the_rep(pattern: str, problem: str) -> None:
    extra = f"activity: {{rep_tabs: {pattern}, numbers: {{calls: Calls}}}}\n"
    assert error_of(extra).startswith(f"team.yaml: activity.rep_tabs: {problem}")


@pytest.mark.parametrize(
    "pattern", ["'*'", "'* - Activity'", "'Rep ?? *'", "'[Rr]ep - *'", "'Sales [*'"]
)
def test_rep_tab_patterns_with_a_star_anywhere_load(pattern: str) -> None:
    extra = f"activity: {{rep_tabs: {pattern}, numbers: {{calls: Calls}}}}\n"
    assert load(extra).activity.rep_tabs == pattern.strip("'")
