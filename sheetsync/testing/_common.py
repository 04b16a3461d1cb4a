"""Shared pieces of the fake: the API error type, field masks and JSON helpers.

Field masks follow Google's syntax: comma separated paths, ``.`` or ``/`` between path
segments and parentheses for sub-selections, e.g. ``sheets(properties,developerMetadata)``
or ``sheets.data.rowData.values.note``.
"""

from __future__ import annotations

import copy
import functools
import random
import re
import struct
from typing import Any

JsonDict = dict[str, Any]
MaskTree = dict[str, "MaskTree | None"]

_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}

_DEFAULT_MESSAGE = {
    400: "Request contains an invalid argument.",
    401: (
        "Request is missing required authentication credential. Expected OAuth 2 access "
        "token, login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project."
    ),
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: (
        "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute "
        "per user' of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'."
    ),
    500: "Internal error encountered.",
    501: "Operation is not implemented, or supported, or enabled.",
    503: "The service is currently unavailable.",
}


def status_name(code: int) -> str:
    """The canonical gRPC status name Google pairs with an HTTP status code."""
    return _STATUS.get(code, "UNKNOWN")


def default_message(code: int) -> str:
    """The message Google sends for an error of this HTTP status, when nothing more specific."""
    return _DEFAULT_MESSAGE.get(code, "Unknown error.")


class ApiError(Exception):
    """An error answer of the fake API, rendered as Google's ``{"error": {...}}`` body."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        *,
        details: list[JsonDict] | None = None,
        errors: list[JsonDict] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.code = code
        self.message = message if message is not None else default_message(code)
        self.details = details
        self.errors = errors
        self.headers = headers or {}
        super().__init__(f"{code}: {self.message}")

    def body(self) -> JsonDict:
        """The JSON body of the answer."""
        error: JsonDict = {"code": self.code, "message": self.message}
        if self.errors:
            error["errors"] = self.errors
        error["status"] = status_name(self.code)
        if self.details:
            error["details"] = self.details
        return {"error": error}


def bad_request(message: str) -> ApiError:
    """A 400 INVALID_ARGUMENT error."""
    return ApiError(400, message)


def random_int32(taken: set[int] | None = None) -> int:
    """A random positive 31-bit id, like the sheet and object ids Google assigns."""
    while True:
        value = random.randint(1, 2**31 - 1)
        if not taken or value not in taken:
            return value


def f32(value: float) -> float:
    """``value`` rounded to float32 precision and printed the shortest way (Color fields)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    packed = struct.unpack("f", struct.pack("f", float(value)))[0]
    for digits in range(1, 10):
        candidate = float(f"{packed:.{digits}g}")
        if struct.pack("f", candidate) == struct.pack("f", packed):
            return int(candidate) if candidate.is_integer() else candidate
    return float(packed)


_COLOR_KEYS = frozenset({"red", "green", "blue", "alpha"})


def normalise_colors(value: Any) -> Any:
    """Round every Color component to float32 and drop zero components (proto3 JSON)."""
    if isinstance(value, dict):
        out: JsonDict = {}
        for key, item in value.items():
            if key in _COLOR_KEYS and isinstance(item, int | float):
                if item != 0:
                    out[key] = f32(item)
            elif isinstance(item, dict | list):
                out[key] = normalise_colors(item)
            else:
                out[key] = item
        return out
    if isinstance(value, list):
        return [normalise_colors(item) for item in value]
    return value


@functools.lru_cache(maxsize=4096)
def camel_to_snake(name: str) -> str:
    """``addSheet`` -> ``add_sheet`` (the proto field names Google's messages use)."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


# --------------------------------------------------------------------------- field masks

_MASK_TOKEN = re.compile(r"\s*([A-Za-z0-9_@*]+|[(),./])")


def parse_mask(text: str) -> MaskTree:
    """Parse a field mask into a tree ``{field: subtree or None for everything}``.

    Raises ApiError(400) on a syntax error.
    """
    tokens = _tokenize_mask(text)
    pos = 0

    def parse_list(closing: str | None) -> MaskTree:
        nonlocal pos
        tree: MaskTree = {}
        while True:
            path: list[str] = []
            while True:
                if pos >= len(tokens) or not _is_name(tokens[pos]):
                    raise bad_request(f"Invalid field mask: {text}")
                path.append(tokens[pos])
                pos += 1
                if pos < len(tokens) and tokens[pos] in "./":
                    pos += 1
                    continue
                break
            sub: MaskTree | None = None
            if pos < len(tokens) and tokens[pos] == "(":
                pos += 1
                sub = parse_list(")")
            _merge_path(tree, path, sub)
            if pos < len(tokens) and tokens[pos] == ",":
                pos += 1
                continue
            break
        if closing is not None:
            if pos >= len(tokens) or tokens[pos] != closing:
                raise bad_request(f"Invalid field mask: {text}")
            pos += 1
        return tree

    if not tokens:
        return {}
    result = parse_list(None)
    if pos != len(tokens):
        raise bad_request(f"Invalid field mask: {text}")
    return result


def _is_name(token: str) -> bool:
    return token not in {"(", ")", ",", ".", "/"}


def _tokenize_mask(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _MASK_TOKEN.match(text, pos)
        if match is None:
            raise bad_request(f"Invalid field mask: {text}")
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


def _merge_path(tree: MaskTree, path: list[str], sub: MaskTree | None) -> None:
    node = tree
    for i, name in enumerate(path):
        last = i == len(path) - 1
        if name in node and node[name] is None:
            return  # already selecting everything below
        if last:
            if sub is None or name not in node:
                node[name] = copy.deepcopy(sub) if sub is not None else None
            else:
                existing = node[name]
                assert existing is not None
                for key, value in sub.items():
                    _merge_path(existing, [key], value)
            return
        child = node.setdefault(name, {})
        assert child is not None
        node = child


def apply_mask(value: Any, tree: MaskTree | None) -> Any:
    """Keep only the parts of ``value`` that ``tree`` selects (lists are mapped over)."""
    if tree is None or "*" in tree:
        return copy.deepcopy(value)
    if isinstance(value, list):
        return [apply_mask(item, tree) for item in value]
    if not isinstance(value, dict):
        return copy.deepcopy(value)
    out: JsonDict = {}
    for key, sub in tree.items():
        if key in value:
            out[key] = apply_mask(value[key], sub)
    return out


def mask_update(target: JsonDict, source: JsonDict, tree: MaskTree | None) -> None:
    """Copy the fields selected by ``tree`` from ``source`` into ``target`` in place.

    A selected field absent from ``source`` is removed from ``target`` (Google's update
    semantics). ``*`` or a None tree replaces everything.
    """
    if tree is None or "*" in tree:
        target.clear()
        target.update(copy.deepcopy(source))
        return
    for key, sub in tree.items():
        if sub is None:
            if key in source and source[key] is not None:
                target[key] = copy.deepcopy(source[key])
            else:
                target.pop(key, None)
            continue
        src = source.get(key)
        if not isinstance(src, dict):
            src = {}
        dst = target.get(key)
        # A copy: ``target`` may be a shallow copy of a stored value whose nested dicts are
        # shared with it (cells are copy-on-write, see _sheet), so none is changed in place.
        dst = dict(dst) if isinstance(dst, dict) else {}
        mask_update(dst, src, sub)
        if dst:
            target[key] = dst
        else:
            target.pop(key, None)


def strip_nulls(value: Any) -> Any:
    """Drop JSON nulls from objects (Google treats ``null`` as 'not set'); objects and lists
    are new, so the result shares nothing changeable with ``value``."""
    if isinstance(value, dict):
        return {
            k: strip_nulls(v) if isinstance(v, dict | list) else v
            for k, v in value.items()
            if v is not None
        }
    if isinstance(value, list):
        return [strip_nulls(v) if isinstance(v, dict | list) else v for v in value]
    return value


class IdSource:
    """Hands out the ids Google would assign (sheet, chart, protected range, metadata ...).

    Ids queued with :meth:`queue` are used first, in order; this is how a test replays a
    recorded session with the recorded ids. Deep copies share the same source.
    """

    def __init__(self) -> None:
        self.queued: dict[str, list[Any]] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> IdSource:
        return self

    def queue(self, kind: str, *ids: Any) -> None:
        """Make the next ids of ``kind`` be ``ids``."""
        self.queued.setdefault(kind, []).extend(ids)

    def next_int(self, kind: str, taken: set[int] | None = None) -> int:
        pending = self.queued.get(kind)
        if pending:
            return int(pending.pop(0))
        return random_int32(taken)

    def next_str(self, kind: str, factory: Any) -> str:
        pending = self.queued.get(kind)
        if pending:
            return str(pending.pop(0))
        return str(factory())


def fields_mask(request: JsonDict, where: str) -> Any:
    """The parsed ``fields`` of an update request; empty fields are a 400 as for Google."""
    fields = request.get("fields")
    if not fields:
        raise bad_request(
            f"Invalid {where}: At least one field must be updated, but 'fields' is empty."
        )
    return parse_mask(str(fields))
