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
    # A path is built only when a problem is reported: walkers pass ``(parent, piece)``
    # pairs down (a 9 MB batchUpdate has 400,000 fields), and _render turns one into text.
    def _object(self, value: Any, name: str, path: _Path, problems: list[tuple[str, str]]) -> None:
        if not isinstance(value, dict):
            shown = _render(path)
            problems.append((shown, _invalid(shown, _PROTO_PACKAGE + name, value)))
            return
        properties = self.schemas[name].get("properties", {})
        for key, item in value.items():
            spec = properties.get(key)
            if spec is None:
                spec = _by_snake(properties, key)
            if spec is None:
                shown = _render(path)
                where = f" at '{shown}'" if shown else ""
                message = (
                    f'Invalid JSON payload received. Unknown name "{key}"{where}: '
                    "Cannot find field."
                )
                problems.append((shown, message))
                continue
            if item is None:
                continue
            self._value(item, spec, (path, key), key, problems)

    def _value(
        self, value: Any, spec: JsonDict, path: _Path, key: str, problems: list[tuple[str, str]]
    ) -> None:
        if "$ref" in spec:
            self._object(value, spec["$ref"], path, problems)
            return
        kind = spec.get("type")
        if kind == "array":
            if not isinstance(value, list):
                shown = _render(path)
                problems.append((shown, _invalid(shown, _item_type(spec["items"], key), value)))
                return
            items = spec["items"]
            for index, item in enumerate(value):
                if item is not None:
                    self._value(item, items, (path, index), key, problems)
            return
        if kind == "object":
            if not isinstance(value, dict):
                shown = _render(path)
                problems.append((shown, _invalid(shown, "google.protobuf.Struct", value)))
                return
            extra = spec.get("additionalProperties")
            if extra:
                for sub_key, item in value.items():
                    self._value(item, extra, (path, [sub_key]), sub_key, problems)
            return
        if kind == "any":
            if isinstance(value, dict | list) and spec is not None and key == "values":
                shown = _render(path)
                problems.append((shown, _invalid(shown, "google.protobuf.Value", value)))
            return
        if _scalar_ok(value, spec):
            return
        shown = _render(path)
        problems.append((shown, _invalid(shown, _scalar_name(spec, key), value)))


#: A field path: the root prefix, or (parent, field name | array index | [map key]).
_Path = Any


def _render(path: _Path) -> str:
    """``((("", "requests"), 0), "addSheet")`` -> ``requests[0].add_sheet``."""
    pieces: list[str] = []
    while isinstance(path, tuple):
        path, piece = path
        if isinstance(piece, str):
            pieces.append("." + camel_to_snake(piece))
        elif isinstance(piece, list):
            pieces.append(f"[{piece[0]}]")
        else:
            pieces.append(f"[{piece}]")
    text = str(path) + "".join(reversed(pieces))
    return text[1:] if not path and text.startswith(".") else text


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


def _scalar_ok(value: Any, spec: JsonDict) -> bool:
    kind, fmt = spec.get("type"), spec.get("format")
    if "enum" in spec:
        if isinstance(value, int) and not isinstance(value, bool):
            return 0 <= value < len(spec["enum"])
        return isinstance(value, str) and value in spec["enum"]
    if kind == "integer" or (kind == "string" and fmt in _INT_LIMITS):
        return _is_int(value, _INT_LIMITS.get(str(fmt), 2**31), str(fmt).startswith("u"))
    if kind == "number":
        return not isinstance(value, bool) and (
            isinstance(value, int | float) or (isinstance(value, str) and _float_text(value))
        )
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    return True


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
