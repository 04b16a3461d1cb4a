"""CLDR plural rules, for counts (whole numbers).

A language's catalog gives each plural category's condition in the syntax of the Unicode CLDR
plural rules (https://unicode.org/reports/tr35/tr35-numbers.html#Language_Plural_Rules), copied
from CLDR's `plurals.xml` for that language; `other` is what no condition matches. Polish:

    one:  i = 1 and v = 0                                         1 zgłoszenie
    few:  v = 0 and i % 10 = 2..4 and i % 100 != 12..14           2-4, 22-24 ... zgłoszenia
    many: v = 0 and i != 1 and i % 10 = 0..1 or v = 0 and i % 10 = 5..9
          or v = 0 and i % 100 = 12..14                           0, 5-21, 25 ... zgłoszeń

Only counts are ever put in a plural phrase, so the operands are those of a whole number:
n = i = its absolute value, and v = w = f = t = c = e = 0. The syntax supported is the current
CLDR one: conditions joined by `or` (weaker) and `and`, each relation `operand [% m] = list` or
`!=`, a list of values and `a..b` ranges separated by commas; `@integer`/`@decimal` samples
are ignored. Anything else is refused when the catalog is loaded, never when a phrase is made.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["PluralRule"]

_OPERANDS = frozenset("nivwftce")
_RANGE = r"\d+(?:\.\.\d+)?"
_RELATION = re.compile(rf"([a-z])\s*(?:%\s*(\d+))?\s*(!=|=)\s*({_RANGE}(?:\s*,\s*{_RANGE})*)")


@dataclass(frozen=True)
class _Relation:
    operand: str
    modulus: int | None
    negated: bool
    ranges: tuple[tuple[int, int], ...]

    def holds(self, count: int) -> bool:
        value = abs(count) if self.operand in "ni" else 0
        if self.modulus is not None:
            value %= self.modulus
        inside = any(low <= value <= high for low, high in self.ranges)
        return inside != self.negated


Condition = tuple[tuple[_Relation, ...], ...]
"""`or` of `and`s of relations."""


def _relation(text: str) -> _Relation:
    match = _RELATION.fullmatch(text.strip())
    if match is None or match[1] not in _OPERANDS:
        raise ValueError(f"not a CLDR plural relation: {text.strip()!r}")
    ranges = []
    for part in match[4].split(","):
        low, _, high = part.strip().partition("..")
        ranges.append((int(low), int(high or low)))
    modulus = int(match[2]) if match[2] else None
    return _Relation(match[1], modulus, match[3] == "!=", tuple(ranges))


def _condition(text: str) -> Condition:
    rule = text.split("@", 1)[0]
    if not rule.strip():
        raise ValueError("an empty plural condition")
    return tuple(
        tuple(_relation(relation) for relation in re.split(r"\band\b", alternative))
        for alternative in re.split(r"\bor\b", rule)
    )


@dataclass(frozen=True)
class PluralRule:
    """The categories of a language's plural forms, in CLDR order, and which one a count takes."""

    conditions: tuple[tuple[str, Condition], ...]

    @classmethod
    def parse(cls, rules: Mapping[str, str]) -> PluralRule:
        """A rule from CLDR conditions by category (`other` is implied); ValueError if one is
        not valid CLDR syntax of the supported subset."""
        return cls(tuple((category, _condition(text)) for category, text in rules.items()
                         if category != "other"))  # fmt: skip

    @property
    def categories(self) -> tuple[str, ...]:
        """Every category a phrase needs a form for: the rule's, then `other`."""
        return (*(category for category, _ in self.conditions), "other")

    def category(self, count: int) -> str:
        """The category of the whole number `count` (the first condition that holds)."""
        for category, condition in self.conditions:
            if any(all(r.holds(count) for r in relations) for relations in condition):
                return category
        return "other"
