"""A small typed reader over parsed YAML that names the file and key path in every error."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, NoReturn

from sheetsync.errors import ConfigError


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
