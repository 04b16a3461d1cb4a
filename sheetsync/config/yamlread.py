"""Reading the config file: bytes to text, and text to YAML (validating it is `model`'s job).

* Text: UTF-8 (a UTF-8 byte order mark is dropped), or UTF-16 / UTF-32 when the file starts with
  their byte order mark. Anything else names the line, column and value of the first bad byte.
* YAML: the safe loader, with dates left as text (so a bad date gets our message, not a crash) and
  each key allowed once per mapping (a repeated key is an error naming both lines, never "the
  last one wins"). Merge keys (`<<: *anchor`) work as in YAML 1.1: explicit keys override merged.
* Bounds (`bounds`), checked while the YAML is read, before anything is built from it: at most
  `MAX_VALUES` values, where each use of an alias (`*name`) counts as a copy of all it names (so
  an alias bomb, which names lists of lists of copies, stops at once), no alias inside what it
  names, lists and mappings nested at most `MAX_DEPTH` deep, and no text (a value or a key)
  longer than `MAX_TEXT` characters.
"""

from __future__ import annotations

import codecs
from collections import deque
from collections.abc import Hashable
from typing import Any, NoReturn

import yaml

from sheetsync.config.bounds import MAX_DEPTH, MAX_TEXT, MAX_VALUES
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
    """Safe YAML with dates left as text, each key allowed once per mapping, and the bounds of
    the module docstring."""

    def __init__(self, text: str, file: str) -> None:
        super().__init__(text)
        self.file = file
        self.paths: dict[int, str] = {}
        self.spent = 0  # values composed so far, each alias counted as a copy of its node
        self.weights: dict[int, int] = {}  # a finished node's values (itself and all below)
        self.where: list[str] = [""]  # the key path of each node being composed, innermost last

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        """PyYAML's node, within the bounds: counted, its depth and its text's length checked."""
        path = _child_path(self.where[-1], parent, index)
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self._spend_alias(path, event)
            return super().compose_node(parent, index)
        if len(self.where) > MAX_DEPTH:
            self._refuse(path, event, f"lists and mappings nested more than {MAX_DEPTH} deep; "
                         "a config needs 4 at most")  # fmt: skip
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_TEXT:
            self._refuse(path, event, f"a text of {len(event.value):,} characters; at most "
                         f"{MAX_TEXT:,} are allowed")  # fmt: skip
        start = self.spent
        self._spend(path, event, 1)
        self.where.append(path)
        try:
            node = super().compose_node(parent, index)
        finally:
            self.where.pop()
        self.weights[id(node)] = self.spent - start
        return node

    def _spend_alias(self, path: str, event: yaml.Event) -> None:
        anchor = getattr(event, "anchor", None)
        node = self.anchors.get(anchor)
        if node is None:  # an undefined alias: PyYAML's own error
            return
        weight = self.weights.get(id(node))
        if weight is None:
            self._refuse(path, event, f"the alias *{anchor} is inside what &{anchor} names, "
                         "so it would hold itself without end")  # fmt: skip
        self._spend(path, event, weight)

    def _spend(self, path: str, event: yaml.Event, values: int) -> None:
        self.spent += values
        if self.spent > MAX_VALUES:
            self._refuse(path, event, f"the config holds more than {MAX_VALUES:,} values, "
                         "counting each use of an alias (*name) as a copy of what it names; "
                         "a config needs far fewer")  # fmt: skip

    def _refuse(self, path: str, event: yaml.Event, problem: str) -> NoReturn:
        mark = event.start_mark
        line = f"line {mark.line + 1}" if mark else "the YAML"
        if path:
            raise ConfigError(self.file, path, f"{problem} ({line})")
        raise ConfigError(self.file, line, problem)

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


def _child_path(path: str, parent: yaml.Node | None, index: Any) -> str:
    """The key path of the node PyYAML composes as `parent`'s `index`: a mapping's value has
    its key node as index, a list's item its position; a key (index None) gets the mapping's."""
    if isinstance(parent, yaml.SequenceNode) and isinstance(index, int):
        return f"{path}[{index}]"
    if isinstance(parent, yaml.MappingNode) and isinstance(index, yaml.Node):
        return path if index.tag == _MERGE_TAG else _join(path, index)
    return path


def _join(path: str, key: yaml.Node) -> str:
    name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
    return f"{path}.{name}" if path else name
