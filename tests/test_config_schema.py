"""`sheetsync config-schema`: the config file's JSON Schema, for completion and checking in an
editor. It is a valid schema, the shipped configs pass it, and what the loader refuses for a key,
a type, a choice or a range, it refuses too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, Draft202012Validator

from sheetsync.cli import main
from sheetsync.config.loading import parse_config
from sheetsync.config.schema import json_schema, schema_text
from sheetsync.config.yamlread import load_yaml
from sheetsync.errors import ConfigError
from tests.helpers import BASE_CONFIG, with_extra

ROOT = Path(__file__).parent.parent
SHIPPED = [ROOT / "sheetsync" / "data" / "example.yaml", ROOT / "sheetsync" / "data" / "demo.yaml"]
VALIDATORS = [Draft202012Validator, Draft7Validator]  # 7: what the YAML language server reads


def printed_schema(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["config-schema"]) == 0
    schema: dict[str, Any] = json.loads(capsys.readouterr().out)
    return schema


def problems(data: Any, validator: type[Draft202012Validator] = Draft202012Validator) -> list[str]:
    """What the schema says against `data`, with the reasons inside each anyOf."""
    found: list[str] = []
    todo = list(validator(json_schema()).iter_errors(data))
    while todo:
        error = todo.pop(0)
        found.append(f"{error.message} ({error.validator})")
        todo += error.context or []
    return found


def yaml_of(text: str) -> Any:
    return load_yaml(text, "team.yaml")


def test_the_command_prints_the_library_schema_as_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    schema = printed_schema(capsys)
    assert schema == json_schema()
    assert schema["title"] == "sheetsync config"
    assert schema["required"] == ["source", "activity", "kpis"]
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("validator", VALIDATORS)
def test_it_is_a_valid_schema_and_the_shipped_configs_pass_it(
    validator: type[Draft202012Validator],
) -> None:
    validator.check_schema(json_schema())
    for path in SHIPPED:
        assert problems(yaml_of(path.read_text(encoding="utf-8")), validator) == [], path


def test_every_key_has_a_description() -> None:
    schema = json_schema()
    sections = [schema, *schema["$defs"].values()]
    undescribed = [
        f"{section['title']}.{key}"
        for section in sections
        for key, spec in section["properties"].items()
        if not spec.get("description")
    ]
    assert undescribed == []
    assert schema["$defs"]["CalendarFile"]["properties"]["timezone"]["description"] == (
        'An IANA time zone name like Europe/Warsaw; "today" is taken there.'
    )


@pytest.mark.parametrize(
    ("extra", "schema_says"),
    [
        ("calendar: {timezone: UTC, fiscal_start: 4}", "'fiscal_start' was unexpected"),
        ("output: {history_max_rows: 5}", "less than the minimum of 1000"),
        ("kpis: {x: {kind: avg}}", "'avg' is not one of ['sum', 'count', 'count_distinct', 'rat"),
        ("ranking: {period: decade}", "'decade' is not one of ['week', 'month', 'quarter', 'yea"),
        ("source: {type: ftp}", "'ftp' is not one of ['xlsx', 'google']"),
        ("source: {type: google}", "'spreadsheet' is a required property"),
        ("kpis: {x: {kind: sum}}", "'column' is a required property"),
        ("ranking: {weights: {calls: -1}}", "-1 is less than the minimum of 0.0"),
        ("status: {on_track: '1'}", "'1' is not of type 'number'"),
        ("output: {summary: 'Q4: all'}", "does not match"),
        ("output: {summary: SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS}", "is too long"),
        ("kpis: {}", "(minProperties)"),
    ],
)
def test_what_the_loader_refuses_the_schema_refuses(extra: str, schema_says: str) -> None:
    text = with_extra(extra + "\n", BASE_CONFIG)
    with pytest.raises(ConfigError):
        parse_config(text, Path("team.yaml"))
    found = problems(yaml_of(text))
    assert any(schema_says in problem for problem in found), found


def test_the_readme_shows_how_to_use_it_in_an_editor() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "sheetsync config-schema > sheetsync.schema.json" in readme
    assert "# yaml-language-server: $schema=./sheetsync.schema.json" in readme


def test_the_shipped_schema_is_the_models_schema() -> None:
    """`config-schema` prints a copy shipped in the package (it starts without pydantic); it
    must be exactly what the models give. To update it: python -m sheetsync.config.schema"""
    shipped = (ROOT / "sheetsync" / "data" / "config-schema.json").read_text("utf-8")
    assert shipped == schema_text(), "run: python -m sheetsync.config.schema"
