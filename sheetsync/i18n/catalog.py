"""The output languages: one JSON catalog per language beside this module, read into a
`Language` that words and formats everything a person reads in the output.

A catalog (`en.json`, `pl.json`; the file name is the language's code) holds:

* `name`: the language's own name;
* `plural`: the CLDR plural rule, each category's condition (`plural.PluralRule`);
* `numbers`: the `group` (thousands) and `decimal` separators numbers are written with in
  text, and optionally `locale`, the Windows locale id (hex) xlsx number formats are tagged
  with so that Excel and LibreOffice show those separators in cells; `currency`: the number
  format `format: currency` stands for by default;
* `dates`: `text`, a strftime pattern for dates in text; `cell` and `cell_time`, the number
  formats of date and date-time cells;
* `weekdays`: `short` and `long` names, Monday first, and `also`, more spellings per day that
  `calendar.working_days` accepts;
* `messages`: every phrase by key. A phrase is `str.format` text (`{date}`, `{n}`); a plural
  phrase is an object with one form per category of the plural rule.

Every catalog has the same message keys as `en.json` (the tests check it). Loading checks the
whole file, so a broken catalog fails at once with its file and key, never halfway through a
refresh.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any

from sheetsync.errors import UsageError
from sheetsync.i18n.numfmt import Separators, render_number
from sheetsync.i18n.plural import PluralRule

__all__ = ["LANGUAGES", "Language", "language", "read_catalog"]

_PACKAGE = "sheetsync.i18n"
_MOVEMENT = re.compile(r"(up|down) (\d+)")
Phrase = str | Mapping[str, str]


LANGUAGES: tuple[str, ...] = tuple(
    sorted(
        entry.name.removesuffix(".json")
        for entry in files(_PACKAGE).iterdir()
        if entry.name.endswith(".json")
    )
)
"""The codes of the shipped catalogs (`en`, `pl`)."""


@dataclass(frozen=True)
class Language:
    """A language's phrases and formats; `language(code)` gives the shipped ones."""

    code: str
    name: str
    plural_rule: PluralRule
    separators: Separators
    currency_format: str
    number_locale: str
    """The Windows locale id (hex) an xlsx number format is tagged with so that Excel and
    LibreOffice show this language's separators (`415`, Polish), or "" (the reader's own)."""
    date_pattern: str
    date_format: str
    datetime_format: str
    weekdays_short: tuple[str, ...]
    weekdays_long: tuple[str, ...]
    weekdays_also: tuple[tuple[str, ...], ...]
    messages: Mapping[str, Phrase]

    # -- words ------------------------------------------------------------------------------

    def text(self, key: str, **fields: object) -> str:
        """The phrase `key` with its fields filled in (field values are never templates)."""
        phrase = self.messages[key]
        if not isinstance(phrase, str):
            raise TypeError(f"{self.code}: {key} is a plural phrase: use plural()")
        return phrase.format(**fields)

    def plural(self, count: int, key: str, **fields: object) -> str:
        """The form of plural phrase `key` for `count`, `{n}` being the count as a number in
        this language ("1 issue", "5 issues"; "1 problem", "2 problemy", "5 problemów")."""
        forms = self.messages[key]
        if isinstance(forms, str):
            raise TypeError(f"{self.code}: {key} is not a plural phrase: use text()")
        form = forms[self.plural_rule.category(count)]
        return form.format(n=self.number(count), **fields)

    def phrase(self, key: str, count: int | None = None) -> str:
        """The phrase `key` with its fields unfilled; of a plural phrase, the form for `count`
        (a TypeError without one). The e-mail templates fill it themselves (escaped in HTML)."""
        found = self.messages[key]
        if isinstance(found, str):
            return found
        if count is None:
            raise TypeError(f"{self.code}: {key} is a plural phrase: give a count")
        return found[self.plural_rule.category(count)]

    def status(self, name: object) -> str:
        """A KPI status as this language shows it ("" for a blank); the Rep KPIs table keeps
        the English names (`On track`, `At risk`...), which are its machine keys."""
        if not isinstance(name, str) or not name:
            return ""
        return self._word("status", name)

    def statuses(self) -> dict[str, str]:
        """Every KPI status (its English machine name) -> as this language shows it."""
        return self._words("status")

    def severity(self, name: str) -> str:
        """`error` or `warning` as this language shows it."""
        return self._word("severity", name)

    def severities(self) -> dict[str, str]:
        """`error` and `warning` -> as this language shows them."""
        return {name.lower(): shown for name, shown in self._words("severity").items()}

    def movement(self, text: object) -> str:
        """A ranking movement ("up 2", "down 1", "same", "new": the KPI stage's machine form)
        as this language shows it ("" for a blank)."""
        if not isinstance(text, str) or not text:
            return ""
        found = _MOVEMENT.fullmatch(text)
        if found is not None:
            return self.text(f"movement.{found[1]}", n=self.number(int(found[2])))
        key = f"movement.{text}"
        return self.text(key) if key in self.messages else text

    def weekday(self, day: int, short: bool = True) -> str:
        """The name of weekday `day` (Monday is 0)."""
        return (self.weekdays_short if short else self.weekdays_long)[day]

    def tab(self, key: str) -> str:
        """The default name of the output tab `key` (`summary`, `data_issues`...)."""
        return self.text(f"tab.{key}")

    # -- numbers and dates ------------------------------------------------------------------

    def render(self, number: float, number_format: str | None) -> str:
        """`number` as a cell with `number_format` shows it in this language's locale."""
        return render_number(number, number_format, self.separators)

    def number(self, number: float, decimals: int = 0) -> str:
        """Grouped, with `decimals` places: `1,234.50` (en), `1 234,50` (pl, U+00A0)."""
        return self.render(number, "#,##0" + ("." + "0" * decimals if decimals > 0 else ""))

    def percent(self, share: float, decimals: int = 1) -> str:
        """0.9087 -> `90.9%` (en), `90,9%` (pl)."""
        return self.render(share, "0" + ("." + "0" * decimals if decimals > 0 else "") + "%")

    def money(self, amount: float, number_format: str | None = None) -> str:
        """An amount under `number_format`, default this language's currency format:
        `$1,235` (en), `1 234,50 zł` (pl)."""
        return self.render(amount, number_format or self.currency_format)

    def date(self, day: date) -> str:
        """`2026-11-27` (en), `27.11.2026` (pl)."""
        return day.strftime(self.date_pattern)

    # -- helpers ----------------------------------------------------------------------------

    def _word(self, group: str, name: str) -> str:
        key = f"{group}.{name.strip().lower().replace(' ', '_')}"
        phrase = self.messages.get(key)
        return phrase if isinstance(phrase, str) else name

    def _words(self, group: str) -> dict[str, str]:
        """The phrases `<group>.<name>` by name, as the KPI stage spells it (`On track`)."""
        prefix = f"{group}."
        return {key[len(prefix):].replace("_", " ").capitalize(): phrase
                for key, phrase in self.messages.items()
                if key.startswith(prefix) and isinstance(phrase, str)}  # fmt: skip


@cache
def language(code: str = "en") -> Language:
    """The shipped language `code` (see `LANGUAGES`); a UsageError for any other code."""
    if code not in LANGUAGES:
        raise UsageError(f"no output language {code!r}; available: {', '.join(LANGUAGES)}")
    name = f"{code}.json"
    raw = json.loads(files(_PACKAGE).joinpath(name).read_text(encoding="utf-8"))
    return read_catalog(code, raw, name)


def read_catalog(code: str, raw: Mapping[str, Any], name: str = "catalog") -> Language:
    """The language of a catalog's parsed JSON; a ValueError naming `name` and the key when
    a part is missing or malformed (a plural phrase without one of the rule's forms...)."""
    try:
        return _build(code, raw)
    except KeyError as exc:
        raise ValueError(f"{name}: {exc.args[0]} is missing") from exc
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: {exc}") from exc


def _build(code: str, raw: Mapping[str, Any]) -> Language:
    rule = PluralRule.parse(_texts(raw["plural"], "plural"))
    weekdays = raw["weekdays"]
    return Language(
        code=code,
        name=_text(raw["name"], "name"),
        plural_rule=rule,
        separators=Separators(_text(raw["numbers"]["group"], "numbers.group"),
                              _text(raw["numbers"]["decimal"], "numbers.decimal")),
        currency_format=_text(raw["currency"], "currency"),
        number_locale=_locale_id(raw["numbers"].get("locale", "")),
        date_pattern=_text(raw["dates"]["text"], "dates.text"),
        date_format=_text(raw["dates"]["cell"], "dates.cell"),
        datetime_format=_text(raw["dates"]["cell_time"], "dates.cell_time"),
        weekdays_short=_seven(weekdays["short"], "weekdays.short"),
        weekdays_long=_seven(weekdays["long"], "weekdays.long"),
        weekdays_also=tuple(tuple(_texts_list(day, "weekdays.also"))
                            for day in _seven_lists(weekdays.get("also", [[]] * 7))),
        messages=MappingProxyType(_messages(raw["messages"], rule)),
    )  # fmt: skip


def _messages(raw: Mapping[str, Any], rule: PluralRule) -> dict[str, Phrase]:
    messages: dict[str, Phrase] = {}
    for key, phrase in raw.items():
        if isinstance(phrase, dict):
            forms = _texts(phrase, f"messages.{key}")
            if set(forms) != set(rule.categories):
                raise ValueError(f"messages.{key}: needs the forms {', '.join(rule.categories)}")
            messages[key] = MappingProxyType(forms)
        else:
            messages[key] = _text(phrase, f"messages.{key}")
    return messages


def _locale_id(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9A-Fa-f]{0,8}", value):
        raise ValueError("numbers.locale: expected a hexadecimal Windows locale id ('415')")
    return value.upper()


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: expected text")
    return value


def _texts(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected an object of texts")
    return {str(key): _text(text, f"{where}.{key}") for key, text in value.items()}


def _texts_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a list of texts")
    return [_text(text, where) for text in value]


def _seven(value: Any, where: str) -> tuple[str, ...]:
    names = _texts_list(value, where)
    if len(names) != 7:
        raise ValueError(f"{where}: expected 7 names, Monday first")
    return tuple(names)


def _seven_lists(value: Any) -> list[Any]:
    if not isinstance(value, list) or len(value) != 7:
        raise ValueError("weekdays.also: expected 7 lists, Monday first")
    return value
