import dataclasses
from pathlib import Path

import pytest
from pydantic import ValidationError

from sheetsync.config.loading import load_config, parse_config
from sheetsync.config.values import RankingConfig
from sheetsync.errors import ConfigError
from tests.helpers import BASE_CONFIG, config, with_extra


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("team.yaml"))
    return str(caught.value)


def test_base_config_loads_into_immutable_values() -> None:
    cfg = config()
    assert [k.key for k in cfg.kpis][:2] == ["calls", "meetings"]
    assert cfg.kpi("revenue").number_format == '"$"#,##0'
    assert cfg.kpi("win_rate").number_format == "0.0%"
    assert cfg.calendar.working_days == frozenset({0, 1, 2, 3, 4})
    assert cfg.output.title("rep_kpis") == "Rep KPIs"
    assert cfg.source.path == Path("team.xlsx")
    with pytest.raises(AttributeError):
        cfg.total_label = "All"  # type: ignore[misc]


def test_values_are_immutable_all_the_way_down() -> None:
    cfg = config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.ranking = RankingConfig()  # type: ignore[misc]
    with pytest.raises(TypeError):
        cfg.ranking.weights["calls"] = 99  # type: ignore[index]
    with pytest.raises(TypeError):
        cfg.activity.numbers["calls"] = "Anrufe"  # type: ignore[index]
    with pytest.raises(TypeError):
        cfg.output.tabs["summary"] = "Mine"  # type: ignore[index]
    assert dict(cfg.ranking.weights) == {"revenue": 2.0, "calls": 1.0}


def test_a_mapping_given_to_a_value_is_copied_and_read_only() -> None:
    weights = {"calls": 1.0}
    ranking = RankingConfig(weights=weights)
    weights["calls"] = 5.0
    assert ranking.weights == {"calls": 1.0}
    assert RankingConfig().weights == {}
    with pytest.raises(TypeError):
        RankingConfig().weights["calls"] = 1.0  # type: ignore[index]


def test_values_are_validated_when_built_and_replaced() -> None:
    cfg = config()
    with pytest.raises(ValidationError):
        dataclasses.replace(cfg.source, type="ftp")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        RankingConfig(period="decade")  # type: ignore[arg-type]
    assert dataclasses.replace(cfg.ranking, cap=2).cap == 2.0


def test_an_unknown_kpi_is_a_config_error_naming_the_kpis() -> None:
    with pytest.raises(ConfigError) as caught:
        config().kpi("profit")
    assert str(caught.value) == (
        "sheetsync.yaml: kpis: no KPI 'profit'; KPIs: calls, meetings, deals, revenue, win_rate, "
        "customers, entries"
    )
    assert caught.value.exit_code == 2


def test_unknown_key_names_file_key_path_and_allowed_keys() -> None:
    message = error_of(with_extra("calendar: {timezone: UTC, fiscal_start: 4}\n"))
    assert message.startswith("team.yaml: calendar.fiscal_start: unknown key")
    assert "fiscal_year_start" in message


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("kpis: {x: {kind: avg}}", "kpis.x.kind: got 'avg'; allowed: sum, count, count_distinct"),
        ("kpis: {x: {kind: sum, column: nope}}", "kpis.x.column: 'nope' is not an activity field"),
        ("kpis: {r: {kind: ratio, numerator: r, denominator: q}}", "kpis.r.numerator"),
        ("calendar: {timezone: Mars/Base}", "calendar.timezone: unknown time zone"),
        ("calendar: {fiscal_year_start: 13}", "calendar.fiscal_year_start: expected a month"),
        ("calendar: {working_days: [Mon, Fun]}", "unknown weekday 'Fun'"),
        ("calendar: {holidays: [2026-02-30]}", "calendar.holidays[0]: expected a date"),
        ("status: {on_track: 0.8, at_risk: 0.9}", "status.at_risk: must not exceed on_track"),
        ("ranking: {by: profit}", "ranking.by: 'profit' is not a KPI"),
        ("ranking: {weights: {calls: -1}}", "ranking.weights.calls: must be from 0 to 1000"),
        ("ranking: {period: decade}", "ranking.period: got 'decade'; allowed: week, month"),
        (
            "output: {summary: Ranking}",
            "output.summary: tab name 'Ranking' is used for two outputs, also by output.ranking",
        ),
        ("locale: {decimal_separator: ';'}", "locale.decimal_separator: got ';'"),
        ("source: {type: ftp}", "source.type: got 'ftp'; allowed: xlsx, google"),
        ("source: {type: google}", "source.spreadsheet: is required"),
        ("activity: {rep_tabs: null}", "activity.rep_tabs: set rep_tabs"),
        ("kpis: {calls: {kind: sum, column: calls, format: fancy}}", "kpis.calls.format"),
    ],
)
def test_bad_values_get_clear_errors(extra: str, expected: str) -> None:
    assert expected in error_of(with_extra(extra + "\n"))


def test_with_extra_replaces_whole_top_level_sections() -> None:
    base = "a: 1\nb:\n  c: 2\n  d: 3\ne: 4\n"
    assert with_extra("b: {c: 5}\n", base) == "a: 1\ne: 4\nb: {c: 5}\n"


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    assert "not valid YAML" in error_of("source: [unclosed\n")
    assert "expected a YAML mapping" in error_of("- a list\n")
    with pytest.raises(ConfigError, match=r"file not found"):
        load_config(tmp_path / "missing.yaml")


def test_switches_names_and_defaults() -> None:
    cfg = config(
        "output: {data_issues: false, summary: Podsumowanie}\n"
        "calendar: {fiscal_year_start: April, working_days: [Sun, Mon, Tue, Wed, Thu]}\n"
        "ranking: {by: revenue}\n"
    )
    assert cfg.output.title("data_issues") is None
    assert cfg.output.title("summary") == "Podsumowanie"
    assert cfg.calendar.fiscal_year_start == 4
    assert cfg.calendar.working_days == frozenset({6, 0, 1, 2, 3})
    assert cfg.ranking.by == "revenue"


def test_relative_paths_are_taken_from_the_config_folder(tmp_path: Path) -> None:
    file = tmp_path / "cfg.yaml"
    file.write_text(BASE_CONFIG.replace("path: team.xlsx", "path: data/team.xlsx"))
    assert load_config(file).source.path == tmp_path / "data" / "team.xlsx"


def test_the_shipped_example_configs_load() -> None:
    root = Path(__file__).parent.parent
    paths = sorted(root.joinpath("sheetsync", "data").glob("*.yaml"))
    assert [path.name for path in paths] == ["demo.yaml", "example.yaml"]
    for path in [*root.joinpath("config").glob("*.yaml"), *paths]:
        assert load_config(path).kpis, path


def test_the_brief_and_history_are_on_by_default_and_can_be_switched_off() -> None:
    assert error_of(with_extra("output: {colours: true}\n")) == (
        "team.yaml: output.colours: unknown key; allowed here: language, summary, ranking, "
        "meeting_brief, rep_kpis, data_issues, sync_status, history, goal_suggestions, "
        "history_max_rows"
    )
    problem = error_of(with_extra("output: {history_max_rows: 10}\n"))
    assert problem.startswith("team.yaml: output.history_max_rows: ")
    assert "1000" in problem
