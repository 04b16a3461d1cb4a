"""A key may appear once per mapping, at any depth; merge keys still work."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheetsync.config.loading import load_config, parse_config
from sheetsync.config.yamlread import load_yaml
from sheetsync.errors import ConfigError

KPIS_TWICE = """\
source: {type: xlsx, path: team.xlsx}
activity:
  numbers:
    calls: Calls
    meetings: Meetings
kpis:
  calls: {kind: sum, column: calls}
  meetings:
    kind: sum
    column: meetings
  # the same KPI again, further down
  calls: {kind: count}
"""


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("team.yaml"))
    return str(caught.value)


def test_a_repeated_kpi_names_its_key_path_and_both_lines() -> None:
    assert error_of(KPIS_TWICE) == (
        "team.yaml: kpis.calls: duplicate key 'calls' on lines 7 and 12; each key may appear once"
    )


def test_a_repeated_top_level_section_is_refused_not_last_one_wins() -> None:
    text = KPIS_TWICE.replace("  calls: {kind: count}\n", "kpis: {calls: {kind: count}}\n")
    assert error_of(text) == (
        "team.yaml: kpis: duplicate key 'kpis' on lines 6 and 12; each key may appear once"
    )


def test_a_key_repeated_on_one_line_and_quoted_keys_are_the_same_key() -> None:
    text = KPIS_TWICE.replace("  calls: {kind: count}", "  entries: {kind: count}")
    text += "calendar: {timezone: UTC, 'timezone': Europe/Warsaw}\n"
    assert error_of(text).startswith(
        "team.yaml: calendar.timezone: duplicate key 'timezone' twice on line 13;"
    )


def test_the_key_path_goes_through_lists() -> None:
    with pytest.raises(
        ConfigError, match=r"^t\.yaml: a\[1\]\.b: duplicate key 'b' on lines 4 and 5"
    ):
        load_yaml("a:\n  - {b: 1}\n  - c: 1\n    b: 1\n    b: 2\n", "t.yaml")


def test_keys_of_different_types_are_different_keys() -> None:
    assert load_yaml("a: {1: x, '1': y}\n", "t.yaml") == {"a": {1: "x", "1": "y"}}


def test_merge_keys_work_and_an_explicit_key_overrides_a_merged_one() -> None:
    text = KPIS_TWICE.replace(
        "  calls: {kind: count}\n",
        "  calls_again:\n    <<: *calls\n    label: Calls again\n",
    ).replace("  calls: {kind", "  calls: &calls {kind")
    kpi = parse_config(text, Path("team.yaml")).kpi("calls_again")
    assert (kpi.kind, kpi.column, kpi.label) == ("sum", "calls", "Calls again")


def test_an_explicit_key_repeated_next_to_a_merge_is_still_refused() -> None:
    text = KPIS_TWICE.replace(
        "  calls: {kind: count}\n",
        "  calls_again:\n    <<: *calls\n    label: A\n    label: B\n",
    ).replace("  calls: {kind", "  calls: &calls {kind")
    assert error_of(text).startswith(
        "team.yaml: kpis.calls_again.label: duplicate key 'label' on lines 14 and 15;"
    )


def test_load_config_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(KPIS_TWICE, encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate key 'calls' on lines 7 and 12") as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: kpis.calls: ")
