"""The config file's JSON Schema, for completion and checking in an editor
(`sheetsync config-schema > sheetsync.schema.json`, then `# yaml-language-server:
$schema=./sheetsync.schema.json` as the YAML's first line).

It is `model.ConfigFile`'s schema, made by pydantic: Draft 2020-12, using only keywords that mean
the same in draft 7, which the YAML language server (the VS Code YAML extension) reads. It checks
keys, types, choices and ranges; the rules that span keys (a KPI's column is an activity
field...) are the loader's, so `sheetsync check` has the final word.

The command prints a copy shipped in the package (`data/config-schema.json`), so that it
starts without importing pydantic; `python -m sheetsync.config.schema` writes that copy anew,
and tests/test_config_schema.py fails when it differs from this module's schema.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

from sheetsync.config.model import ConfigFile

SHIPPED = "data/config-schema.json"
"""The shipped copy, inside the `sheetsync` package."""


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a sheetsync config file, as a JSON-ready dict."""
    schema: dict[str, Any] = _one_line_descriptions(ConfigFile.model_json_schema())
    return schema


def _one_line_descriptions(node: Any) -> Any:
    """The schema with each description's line breaks (from the docstrings) made spaces."""
    if isinstance(node, dict):
        return {
            key: " ".join(value.split()) if key == "description" and isinstance(value, str)
            else _one_line_descriptions(value)
            for key, value in node.items()
        }  # fmt: skip
    if isinstance(node, list):
        return [_one_line_descriptions(item) for item in node]
    return node


def schema_text() -> str:
    """The schema as `sheetsync config-schema` prints it and the package ships it."""
    return json.dumps(json_schema(), indent=2) + "\n"


if __name__ == "__main__":
    target = Path(str(files("sheetsync").joinpath(SHIPPED)))
    target.write_text(schema_text(), "utf-8")
    print(f"wrote {target}")
