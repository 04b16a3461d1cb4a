"""pydantic's ValidationError in our words: a `ConfigError` naming the file, the key path in our
dotted form (`kpis.calls.kind`, `calendar.holidays[0]`) and what is allowed there.

The model is walked along the error's location to learn what the key holds (a mapping, text, a
choice, a number in a range), which is what the message says is allowed. Of several problems the
first is reported, in the order of the keys in the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sheetsync.config.rules import show
from sheetsync.errors import ConfigError

_MAPPING_ERRORS = {"model_type", "model_attributes_type", "dict_type"}
_NUMBER_ERRORS = {"float_type", "int_type", "float_parsing", "int_parsing", "finite_number"}
_NULL_IS_MISSING = {"literal_error", "string_type", *_MAPPING_ERRORS}
_RANGE_ERRORS = {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}


@dataclass
class _Place:
    """Where an error is: its key path, the model holding the key, and what the key holds."""

    path: str = ""
    parent: type[BaseModel] | None = None
    annotation: Any = None
    metadata: tuple[Any, ...] = ()


def config_error(exc: ValidationError, file: str, model: type[BaseModel]) -> ConfigError:
    """The first of `exc`'s errors as a ConfigError about `file`, validated against `model`."""
    error = exc.errors(include_url=False)[0]
    place = _walk(model, error["loc"])
    at = str(error.get("ctx", {}).get("at", ""))
    path = ".".join(part for part in (place.path, at) if part)
    return ConfigError(file, path, _problem(error, place))


def _walk(model: type[BaseModel], loc: tuple[int | str, ...]) -> _Place:
    place = _Place(annotation=model)
    for part in loc:
        if part == "[key]":  # a mapping's key: the key path stays the mapping entry's
            continue
        core, metadata = _unwrap(place.annotation)
        if isinstance(core, type) and issubclass(core, BaseModel):
            field = core.model_fields.get(str(part))
            annotation = field.annotation if field else None
            metadata = tuple(field.metadata) if field else ()
            place = _Place(_join(place.path, part), core, annotation, metadata)
        elif get_origin(core) in (dict, Mapping):
            annotation, metadata = _unwrap(get_args(core)[1])
            place = _Place(_join(place.path, part), None, annotation, metadata)
        elif get_origin(core) in (list, tuple):
            annotation, metadata = _unwrap(get_args(core)[0])
            place = _Place(f"{place.path}[{part}]", None, annotation, metadata)
    return place


def _unwrap(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    """The type under `Annotated[...]` and `X | None`, and the Annotated metadata."""
    metadata: tuple[Any, ...] = ()
    while True:
        if hasattr(annotation, "__metadata__"):
            metadata += annotation.__metadata__
            annotation = annotation.__origin__
        elif get_origin(annotation) in (Union, type(int | None)):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            annotation = members[0] if len(members) == 1 else annotation
            if len(members) != 1:
                return annotation, metadata
        else:
            return annotation, metadata


def _join(path: str, key: int | str) -> str:
    return f"{path}.{key}" if path else str(key)


def _problem(error: ErrorDetails, place: _Place) -> str:
    kind, value = error["type"], error["input"]
    core, metadata = _unwrap(place.annotation)
    metadata += place.metadata
    if kind == "sheetsync":
        return str(error["msg"])
    if kind == "extra_forbidden" and place.parent is not None:
        return f"unknown key; allowed here: {', '.join(place.parent.model_fields)}"
    if kind == "missing" or (value is None and kind in _NULL_IS_MISSING):
        return _required(core)
    if kind == "literal_error":
        return f"got {show(value)}; allowed: {', '.join(str(a) for a in get_args(core))}"
    if kind == "string_type":
        return f"expected text, got {show(value)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        return f"a text of {len(str(value)):,} characters; at most {limit:,} are allowed"
    if kind in _MAPPING_ERRORS:
        return f"expected a mapping of keys to values, got {show(value)}"
    allowed = _range(metadata)
    if kind in _NUMBER_ERRORS and allowed:
        return f"expected a number {allowed}, got {show(value)}"
    if kind in _RANGE_ERRORS and allowed:
        return f"must be {allowed}, got {value!r}"
    return str(error["msg"])


def _required(core: Any) -> str:
    if get_origin(core) is Literal:
        return f"is required; allowed: {', '.join(str(a) for a in get_args(core))}"
    if get_origin(core) in (dict, Mapping) or (isinstance(core, type)
                                               and issubclass(core, BaseModel)):  # fmt: skip
        return "is required (a mapping)"
    return "is required (text)"


def _range(metadata: tuple[Any, ...]) -> str:
    """`from 1 to 4096`, `above 0 and at most 1`: the range of a number's metadata, or ""."""
    low = next((f"from {_number(m.ge)}" for m in metadata if isinstance(m, Ge)), None)
    low = low or next((f"above {_number(m.gt)}" for m in metadata if isinstance(m, Gt)), None)
    high = next((_number(m.le) for m in metadata if isinstance(m, Le)), None)
    below = next((_number(m.lt) for m in metadata if isinstance(m, Lt)), None)
    if low is None or (high is None and below is None):
        return ""
    if high is not None:
        return f"{low} to {high}" if low.startswith("from") else f"{low} and at most {high}"
    return f"{low} and below {below}"


def _number(value: Any) -> str:
    """A bound as the YAML would hold it: whole numbers without an exponent."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
