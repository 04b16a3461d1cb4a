"""Reading the config file: bytes to text, text to YAML, and a typed reader over the YAML.

* Text: UTF-8 (a UTF-8 byte order mark is dropped), or UTF-16 / UTF-32 when the file starts with
  their byte order mark. Anything else names the line, column and value of the first bad byte.
* YAML: the safe loader, with dates left as text (so a bad date gets our message, not a crash) and
  each key allowed once per mapping (a repeated key is an error naming both lines, never "the
  last one wins"). Merge keys (`<<: *anchor`) work as in YAML 1.1: explicit keys override merged.
* `Node`: one mapping of the parsed YAML; every error names the file and the key path.
"""

from __future__ import annotations

import codecs
from collections import deque
from collections.abc import Hashable, Iterator, Mapping
from datetime import date
from typing import Any, NoReturn

import yaml

from sheetsync.errors import ConfigError

SAVE_AS_UTF8 = (
    "the config must be saved as UTF-8 (cp1250/Windows-1250 files, common in Polish Excel "
    "exports, must be re-saved as UTF-8)"
)
_WIDE_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"),
)  # fmt: skip
_MERGE_TAG = "tag:yaml.org,2002:merge"


def decode_config(data: bytes, file: str) -> str:
    """The text of a config file's bytes (see the module docstring for what is accepted)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    else:
        for bom, name in _WIDE_BOMS:
            if data.startswith(bom):
                return _decode_wide(data, name, file)
        if b"\x00" in data:
            raise ConfigError(file, "", "holds NUL bytes, like UTF-16 text without a byte order "
                                        f"mark; {SAVE_AS_UTF8}")  # fmt: skip
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = f"byte 0x{data[exc.start]:02X} is not valid UTF-8; {SAVE_AS_UTF8}"
        raise ConfigError(file, _line_column(data, exc.start), problem) from None


def _decode_wide(data: bytes, name: str, file: str) -> str:
    try:
        return data.decode(name.lower())  # the codec reads the byte order mark and drops it
    except UnicodeDecodeError:
        problem = f"starts with a {name} byte order mark but is not valid {name}; {SAVE_AS_UTF8}"
        raise ConfigError(file, "", problem) from None


def _line_column(data: bytes, offset: int) -> str:
    """`line 4, column 16` of the byte at `offset` (the bytes before it are valid UTF-8)."""
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    return f"line {line}, column {len(data[line_start:offset].decode('utf-8')) + 1}"


def load_yaml(text: str, file: str) -> Any:
    """Parse config `text` with `_Loader`; every problem is a ConfigError naming `file`."""
    loader = _Loader(text, file)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(file, where, f"not valid YAML: {exc}") from exc
    finally:
        loader.dispose()


class _Loader(yaml.SafeLoader):
    """Safe YAML with dates left as text and each key allowed once per mapping."""

    def __init__(self, text: str, file: str) -> None:
        super().__init__(text)
        self.file = file
        self.paths: dict[int, str] = {}

    def construct_document(self, node: yaml.Node) -> Any:
        self.paths = _key_paths(node)
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        """The safe loader's mapping, refused when a key appears twice (merged keys aside)."""
        lines: dict[tuple[str, str], int] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
                continue
            line, name = key.start_mark.line + 1, (key.tag, key.value)
            if name in lines:
                path = _join(self.paths.get(id(node), ""), key)
                raise ConfigError(self.file, path, _duplicate(key.value, lines[name], line))
            lines[name] = line
        return super().construct_mapping(node, deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _duplicate(key: str, first: int, second: int) -> str:
    lines = f"twice on line {first}" if first == second else f"on lines {first} and {second}"
    return f"duplicate key {key!r} {lines}; each key may appear once"


def _key_paths(root: yaml.Node) -> dict[int, str]:
    """The key path (`kpis.calls`, `a[0].b`) of every mapping and list node, by node id."""
    paths: dict[int, str] = {}
    todo: deque[tuple[yaml.Node, str]] = deque([(root, "")])
    while todo:
        node, path = todo.popleft()
        if id(node) in paths or not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            continue
        paths[id(node)] = path
        if isinstance(node, yaml.SequenceNode):
            todo.extend((item, f"{path}[{i}]") for i, item in enumerate(node.value))
            continue
        for key, value in node.value:
            todo.append((value, path if key.tag == _MERGE_TAG else _join(path, key)))
    return paths


def _join(path: str, key: yaml.Node) -> str:
    name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
    return f"{path}.{name}" if path else name


class Node:
    """One mapping in the config file, with the path that leads to it."""

    def __init__(self, file: str, path: str, data: Mapping[str, Any]) -> None:
        self.file = file
        self.path = path
        self.data = data

    def fail(self, key: str, problem: str) -> NoReturn:
        raise ConfigError(self.file, self.key_path(key), problem)

    def key_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def check_keys(self, allowed: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in allowed:
                self.fail(str(key), f"unknown key; allowed here: {', '.join(allowed)}")

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def raw(self, key: str) -> Any:
        return self.data.get(key)

    def node(self, key: str, *, required: bool = False) -> Node:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, "is required (a mapping)")
            value = {}
        if not isinstance(value, Mapping):
            self.fail(key, f"expected a mapping of keys to values, got {_show(value)}")
        return Node(self.file, self.key_path(key), value)

    def text(self, key: str, default: str | None = None, *, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None:
            if required or default is None:
                self.fail(key, "is required (text)")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(key, f"expected text, got {_show(value)}")
        text = str(value).strip()
        if not text:
            self.fail(key, "must not be empty")
        return text

    def optional_text(self, key: str, default: str | None = None) -> str | None:
        if key in self.data and self.data[key] in (None, False):
            return None
        if key not in self.data:
            return default
        return self.text(key)

    def number(self, key: str, default: float, *, low: float, high: float) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, f"expected a number from {low:g} to {high:g}, got {_show(value)}")
        if not low <= float(value) <= high:
            self.fail(key, f"must be from {low:g} to {high:g}, got {value!r}")
        return float(value)

    def choice(self, key: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        value = self.data.get(key, default)
        if value is None:
            self.fail(key, f"is required; allowed: {', '.join(allowed)}")
        if str(value) not in allowed:
            self.fail(key, f"got {_show(value)}; allowed: {', '.join(allowed)}")
        return str(value)

    def text_list(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            self.fail(key, f"expected a list of text values, got {_show(value)}")
        return tuple(str(v).strip() for v in value)

    def date_list(self, key: str) -> tuple[date, ...]:
        value = self.data.get(key) or []
        if not isinstance(value, list):
            self.fail(key, f"expected a list of dates (YYYY-MM-DD), got {_show(value)}")
        return tuple(self._date(key, i, v) for i, v in enumerate(value))

    def _date(self, key: str, index: int, value: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{key}[{index}]", f"expected a date as YYYY-MM-DD, got {_show(value)}")

    def text_map(self, key: str) -> dict[str, str]:
        node = self.node(key)
        return {str(k): node.text(str(k)) for k in node.data}

    def items(self) -> Iterator[tuple[str, Any]]:
        for key, value in self.data.items():
            yield str(key), value


def _show(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
