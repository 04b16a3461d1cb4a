"""Request-body validation against the Sheets v4 discovery document.

The document ships in google-api-python-client
(``googleapiclient/discovery_cache/documents/sheets.v4.json``); an explicit path can be given
instead. Errors use the real API's wording, e.g.
``Invalid JSON payload received. Unknown name "foo" at 'requests[0].add_sheet': Cannot find
field.`` and ``Invalid value at 'requests[0].add_sheet.properties.sheet_id' (TYPE_INT32),
"abc"``.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

from ._common import ApiError, JsonDict, camel_to_snake

_PROTO_PACKAGE = "type.googleapis.com/google.apps.sheets.v4."
_INT_LIMITS = {"int32": 2**31, "uint32": 2**32, "int64": 2**63, "uint64": 2**64}


def load_discovery(path: str | Path | None = None) -> JsonDict:
    """The Sheets discovery document, from ``path`` or from google-api-python-client."""
    if path is not None:
        data: JsonDict = json.loads(Path(path).read_text(encoding="utf-8"))
        return data
    try:
        package = resources.files("googleapiclient.discovery_cache") / "documents"
        text = (package / "sheets.v4.json").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise RuntimeError(
            "The Sheets discovery document was not found: install google-api-python-client "
            "or pass discovery_path= to FakeSheetsApi."
        ) from exc
    loaded: JsonDict = json.loads(text)
    return loaded


class SchemaValidator:
    """Checks JSON bodies against the discovery document's schemas."""

    def __init__(self, discovery: JsonDict) -> None:
        self.schemas: dict[str, JsonDict] = discovery["schemas"]

    def validate(self, body: Any, schema_name: str, prefix: str = "") -> None:
        """Raise ApiError(400) listing every problem of ``body`` as a ``schema_name``."""
        problems: list[tuple[str, str]] = []
        self._object(body, schema_name, prefix, problems)
        if problems:
            raise ApiError(
                400,
                "\n".join(message for _, message in problems),
                details=[
                    {
                        "@type": "type.googleapis.com/google.rpc.BadRequest",
                        "fieldViolations": [
                            {"field": field, "description": message} for field, message in problems
                        ],
                    }
                ],
            )

    # ----------------------------------------------------------------- walkers
    def _object(self, value: Any, name: str, path: str, problems: list[tuple[str, str]]) -> None:
        if not isinstance(value, dict):
            problems.append((path, _invalid(path, _PROTO_PACKAGE + name, value)))
            return
        properties = self.schemas[name].get("properties", {})
        for key, item in value.items():
            spec = properties.get(key)
            if spec is None:
                spec = _by_snake(properties, key)
            if spec is None:
                where = f" at '{path}'" if path else ""
                message = (
                    f'Invalid JSON payload received. Unknown name "{key}"{where}: '
                    "Cannot find field."
                )
                problems.append((path, message))
                continue
            if item is None:
                continue
            child = f"{path}.{camel_to_snake(key)}" if path else camel_to_snake(key)
            self._value(item, spec, child, key, problems)

    def _value(
        self, value: Any, spec: JsonDict, path: str, key: str, problems: list[tuple[str, str]]
    ) -> None:
        if "$ref" in spec:
            self._object(value, spec["$ref"], path, problems)
            return
        kind = spec.get("type")
        if kind == "array":
            if not isinstance(value, list):
                problems.append((path, _invalid(path, _item_type(spec["items"], key), value)))
                return
            for index, item in enumerate(value):
                if item is not None:
                    self._value(item, spec["items"], f"{path}[{index}]", key, problems)
            return
        if kind == "object":
            if not isinstance(value, dict):
                problems.append((path, _invalid(path, "google.protobuf.Struct", value)))
                return
            extra = spec.get("additionalProperties")
            if extra:
                for sub_key, item in value.items():
                    self._value(item, extra, f"{path}[{sub_key}]", sub_key, problems)
            return
        if kind == "any":
            if isinstance(value, dict | list) and spec is not None and key == "values":
                problems.append((path, _invalid(path, "google.protobuf.Value", value)))
            return
        message = _scalar_problem(value, spec, path, key)
        if message:
            problems.append((path, message))


def _by_snake(properties: JsonDict, key: str) -> JsonDict | None:
    # Google also accepts the proto (snake_case) spelling of a field name.
    for name, spec in properties.items():
        if camel_to_snake(name) == key:
            result: JsonDict = spec
            return result
    return None


def _item_type(items: JsonDict, key: str) -> str:
    if "$ref" in items:
        return _PROTO_PACKAGE + str(items["$ref"])
    if items.get("type") in {"array", "any"}:
        return "type.googleapis.com/google.protobuf.ListValue"
    return _scalar_name(items, key)


def _scalar_name(spec: JsonDict, key: str) -> str:
    kind, fmt = spec.get("type"), spec.get("format")
    if "enum" in spec:
        return _PROTO_PACKAGE + key[:1].upper() + key[1:]
    if kind == "integer":
        return "TYPE_" + str(fmt or "int32").upper()
    if kind == "number":
        return "TYPE_DOUBLE" if fmt != "float" else "TYPE_FLOAT"
    if kind == "boolean":
        return "TYPE_BOOL"
    if fmt == "int64":
        return "TYPE_INT64"
    return "TYPE_STRING"


def _invalid(path: str, type_name: str, value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else _show(value)
    if not type_name.startswith(("TYPE_", "type.googleapis.com")):
        type_name = "type.googleapis.com/" + type_name
    return f"Invalid value at '{path}' ({type_name}), {shown}"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _scalar_problem(value: Any, spec: JsonDict, path: str, key: str) -> str | None:
    kind, fmt = spec.get("type"), spec.get("format")
    name = _scalar_name(spec, key)
    bad = False
    if "enum" in spec:
        bad = not isinstance(value, str) or value not in spec["enum"]
        if isinstance(value, int) and not isinstance(value, bool):
            bad = not 0 <= value < len(spec["enum"])
    elif kind == "integer" or (kind == "string" and fmt in _INT_LIMITS):
        bad = not _is_int(value, _INT_LIMITS.get(str(fmt), 2**31), str(fmt).startswith("u"))
    elif kind == "number":
        bad = isinstance(value, bool) or not (
            isinstance(value, int | float) or (isinstance(value, str) and _float_text(value))
        )
    elif kind == "boolean":
        bad = not isinstance(value, bool)
    elif kind == "string":
        bad = not isinstance(value, str)
    return _invalid(path, name, value) if bad else None


def _is_int(value: Any, limit: int, unsigned: bool) -> bool:
    if isinstance(value, bool):
        return False
    number: float
    if isinstance(value, str):
        try:
            number = int(value)
        except ValueError:
            return False
    elif isinstance(value, int | float):
        number = value
    else:
        return False
    if isinstance(number, float) and (not math.isfinite(number) or not number.is_integer()):
        return False
    low = 0 if unsigned else -limit
    return low <= number < limit


def _float_text(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
