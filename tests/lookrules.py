"""A reader of the output plan's colour rules, for tests: it knows only the formula shapes the
plan promises (a text comparison, a number against a threshold over 10,000, every other row)
and shifts relative references the way spreadsheets do, independent of sheetsync.report.look."""

from __future__ import annotations

import re

from sheetsync.plan import ColourRule, TabPlan

REFERENCE = re.compile(r"\b([A-Z]{1,3})(\d+)\b")


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def cell_value(tab: TabPlan, row: int, column: int) -> object:
    if row >= len(tab.rows) or column >= len(tab.rows[row]):
        return None
    return tab.rows[row][column].value


def _holds(rule: ColourRule, tab: TabPlan, row: int, column: int) -> bool:
    """Whether `rule`'s formula is true at (row, column), 0-based."""
    down, right = row - rule.box.top, column - rule.box.left

    def at(match: re.Match[str]) -> str:
        target_row = int(match.group(2)) - 1 + down
        target_column = _column_index(match.group(1)) + right
        return repr(cell_value(tab, target_row, target_column))

    formula = rule.formula
    if formula == "ISEVEN(ROW())":
        return (row + 1) % 2 == 0
    text = re.fullmatch(r'([A-Z]+\d+)="(.*)"', formula)
    if text:
        value = cell_value(tab, *_shifted(text.group(1), down, right))
        return isinstance(value, str) and value.casefold() == text.group(2).casefold()
    number = re.fullmatch(r"ISNUMBER\(([A-Z]+\d+)\)\*\(\1\*10000(>=|<)(\d+)\)", formula)
    assert number, f"a formula the plan does not promise: {formula}"
    value = cell_value(tab, *_shifted(number.group(1), down, right))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    scaled, threshold = value * 10000, int(number.group(3))
    return scaled >= threshold if number.group(2) == ">=" else scaled < threshold


def _shifted(reference: str, down: int, right: int) -> tuple[int, int]:
    match = REFERENCE.fullmatch(reference)
    assert match
    return int(match.group(2)) - 1 + down, _column_index(match.group(1)) + right


def tone(tab: TabPlan, row: int, column: int) -> str | None:
    """The colour the first matching rule gives the cell (rules are in priority order)."""
    for rule in tab.rules:
        box = rule.box
        inside = box.top <= row < box.bottom and box.left <= column < box.right
        if inside and _holds(rule, tab, row, column):
            return rule.tone
    return None
