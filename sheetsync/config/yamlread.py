"""Reading the config file: bytes to text, and text to YAML (validating it is `model`'s job).

* Text: UTF-8 (a UTF-8 byte order mark is dropped), or UTF-16 / UTF-32 when the file starts with
  their byte order mark. Anything else names the line, column and value of the first bad byte.
* YAML: the safe loader, with dates left as text (so a bad date gets our message, not a crash) and
  each key allowed once per mapping (a repeated key is an error naming both lines, never "the
  last one wins"). Merge keys (`<<: *anchor`) work as in YAML 1.1: explicit keys override merged.
"""

from __future__ import annotations

import codecs
from collections import deque
from collections.abc import Hashable
from typing import Any

import yaml

from sheetsync.config.rules import ROTATE, key_material
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
        kind = key_material(text)
        if kind is not None:  # PyYAML quotes the lines around the problem: never show a key
            problem = getattr(exc, "problem", None) or "cannot be parsed"
            raise ConfigError(file, where, f"not valid YAML: {problem}; the text is not shown: "
                              f"the file holds what looks like {kind}. A key never goes into "
                              "the config: save it in a file and give that file's path as "
                              f"source.credentials_file. {ROTATE}") from None  # fmt: skip
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
