"""The Meeting brief's words and number rendering (pure).

`MESSAGES` holds every fixed phrase of the brief, English for now: a later language adds its own
mapping with the same keys and `brief` picks it, without touching the logic. Plural forms are
two keys, `<key>.one` and `<key>.other` (a language with more forms adds keys and a rule to
`plural`).

`render_number` writes a number the way a spreadsheet shows it under a number format (the
subset KPI formats use: `#,##0`, `#,##0.00`, `0.0%`, `"$"#,##0`, `#,##0 "zł"`, `[$€-407]
#,##0.00`, a second `;` section for negatives), so a number inside a sentence reads exactly
like the same number in a formatted cell. Rounding is half away from zero, as in Excel and
Google Sheets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

from sheetsync.config.values import KpiDef
from sheetsync.report.plan import PERCENT, value

__all__ = [
    "MESSAGES",
    "PERCENT",
    "gap_text",
    "is_plain",
    "message",
    "number",
    "percent",
    "plural",
    "projected_text",
    "render_number",
    "shown",
    "unit_label",
]

"""Attainment and pace, as in the other output tabs."""

MESSAGES: Mapping[str, str] = MappingProxyType({
    # number rendering
    "number.thousands": ",",
    "number.decimal": ".",
    # periods
    "when.week": "this week",
    "when.month": "this month",
    "when.quarter": "this quarter",
    "when.year": "this year",
    "last.week": "last week",
    "last.month": "last month",
    "last.quarter": "last quarter",
    "last.year": "last year",
    "source.history": "from History",
    "source.activity": "recomputed from the activity",
    # title and headline
    "title": "Team meeting brief, as of {day}",
    "headline.heading": "Headline: {total}",
    "headline.heading_cut": "Headline: {total} ({shown} of {count} weighted KPIs; all in {tab})",
    "headline.row": "{kpi}, {period}",
    "headline.empty": "No KPI has a target yet: set goals in the {tab} tab.",
    "col.actual": "Actual",
    "col.target": "Target",
    "col.attainment": "Attainment",
    "col.pace": "Pace",
    "col.status": "Status",
    "col.projection": "Projection",
    # top performers and most improved
    "top.heading": "Top performers {when}",
    "col.rep": "Rep",
    "col.team": "Team",
    "col.score": "Score",
    "col.movement": "Movement",
    "top.empty": "Nobody is ranked {when}.",
    "improved.line": "Most improved since {day}: {names}",
    "improved.name": "{rep} ({movement})",
    "improved.empty": "Nobody moved up since {day}.",
    # behind or at risk
    "behind.heading": "Behind or at risk {when}",
    "col.lowest_pace": "Lowest pace",
    "col.behind_on": "Behind expected on",
    "behind.empty": "Nobody is behind {when}.",
    "gap.units": "{amount} {unit} behind expected",
    "gap.units_ahead": "{amount} {unit} ahead of expected",
    "gap.amount": "{kpi}: {amount} behind expected",
    "gap.amount_ahead": "{kpi}: {amount} ahead of expected",
    "list.separator": "; ",
    "names.separator": ", ",
    "list.more": "and {count} more",
    # team goals at risk
    "goals.heading": "Team goals at risk",
    "col.kpi": "KPI",
    "col.period": "Period",
    "col.projected": "Projected",
    "goals.projected": "projected {projection} of {target}",
    "goals.no_projection": "target {target}",
    "goals.empty": "No team goal is behind or at risk.",
    # change since the last meeting
    "change.heading": "Change since {day} ({source})",
    "change.heading_none": "Change since the last meeting",
    "col.then": "Then",
    "col.now": "Now",
    "col.change": "Change",
    "col.pace_then": "Pace then",
    "col.pace_now": "Pace now",
    "change.none": "No earlier snapshot yet: `sheetsync refresh --snapshot` takes one.",
    "change.empty": "Nothing to compare with the snapshot of {day}.",
    "same_point.line": "{total} pace {when} vs {last} at this working day ({day}, {source}): "
    "{pairs}",
    "same_point.pair": "{kpi} {now} vs {then}",
    # goal coverage and data issues
    "coverage.heading": "Goal coverage gaps",
    "col.problem": "Problem",
    "coverage.empty": "No goal coverage gaps.",
    "data.heading": "Data issues to fix",
    "col.errors": "Errors",
    "col.warnings": "Warnings",
    "col.cells": "Cells",
    "col.first_problem": "First problem",
    "data.empty": "No data issues.",
    "more": "... and {count} more: see {tab}",
    "tab.rep_kpis": "Rep KPIs",
    "tab.ranking": "Ranking",
    "tab.data_issues": "Data issues",
    "tab.history": "KPI history",
    "tab.goals": "Goals",
    # suggested discussion points (docs/brief.md numbers the rules)
    "points.heading": "Suggested discussion points",
    "points.item": "{number}. {text}",
    "points.empty": "Nothing to discuss from the numbers yet.",
    "rule.team_goal": "Team goal: {scope} {kpi} at {pace} of expected {when}, {projected}",
    "rule.coaching": "Coaching: {rep} is behind on {kpis} {when} (lowest: {pace} of expected)",
    "rule.improved": "Recognition: {rep} moved up {places} since {day} (now rank {rank})",
    "rule.leader": "Recognition: {rep} leads the ranking {when} (score {score})",
    "rule.pace_drop": "Pace: {total} {kpi} at {now} of expected {when}, against {then} at this "
    "working day {last}",
    "rule.data": "Data: fix {issues} in {tab} ({counts})",
    "rule.data_owner": "Data: fix {issues} in {tab} ({counts}; owner: {owner})",
    "rule.coverage": "Goals: {problem}",
    "rule.coverage_more": "Goals: {problem} (and {count} more gaps: see {tab})",
    "rule.review": "Review: {total} {kpi} {when}: {status}, {attainment} of target, {projected}",
    # plural forms
    "place.one": "{n} place",
    "place.other": "{n} places",
    "issue.one": "{n} issue",
    "issue.other": "{n} issues",
    "error.one": "{n} error",
    "error.other": "{n} errors",
    "warning.one": "{n} warning",
    "warning.other": "{n} warnings",
})  # fmt: skip


def message(key: str, **fields: object) -> str:
    """The phrase `key` with its fields filled in (field values are never parsed as templates)."""
    return MESSAGES[key].format(**fields)


def plural(count: int, key: str) -> str:
    """ "1 issue", "3 issues": the English rule (one for exactly 1, else other)."""
    return message(f"{key}.one" if count == 1 else f"{key}.other", n=count)


def unit_label(label: str) -> str:
    """A KPI label as a unit inside a sentence: lower case, acronyms kept ("NPS", "B2B")."""
    return " ".join(w if len(w) > 1 and w.isupper() else w.lower() for w in label.split())


def number(raw: object) -> float | None:
    """A finite number from a table cell, or None for a blank (NaN, NA, None, text)."""
    plain = value(raw)
    if isinstance(plain, bool) or not isinstance(plain, int | float) or not math.isfinite(plain):
        return None
    return float(plain)


def shown(raw: object, number_format: str | None) -> str:
    """A table value as its cell shows it ("" for a blank)."""
    found = number(raw)
    return "" if found is None else render_number(found, number_format)


def percent(raw: object) -> str:
    return shown(raw, PERCENT)


def gap_text(kpi: KpiDef, record: Mapping[Any, Any]) -> str:
    """Expected - actual of a Rep KPIs row in the KPI's own format: "12 meetings behind
    expected" for a count-like KPI with a plain number format (the label as the unit), else
    "Revenue: $1,200 behind expected"; "ahead of" when the actual is above expected."""
    expected, actual = number(record["expected"]), number(record["actual"])
    if expected is None or actual is None:
        return kpi.label
    gap = expected - actual
    amount = render_number(abs(gap), kpi.number_format)
    ahead = "_ahead" if gap < 0 else ""
    if kpi.kind != "ratio" and is_plain(kpi.number_format):
        return message(f"gap.units{ahead}", amount=amount, unit=unit_label(kpi.label))
    return message(f"gap.amount{ahead}", kpi=kpi.label, amount=amount)


def projected_text(kpi: KpiDef, record: Mapping[Any, Any]) -> str:
    """ "projected 41,000 of 50,000" (or "target 25.0%" for a KPI without a projection)."""
    target = shown(record["target"], kpi.number_format)
    projection = shown(record["projection"], kpi.number_format)
    if projection:
        return message("goals.projected", projection=projection, target=target)
    return message("goals.no_projection", target=target) if target else ""


# ---------------------------------------------------------------------------------------------
# Number formats


@dataclass(frozen=True)
class _Section:
    """One `;` section of a number format: literal text around one run of digit placeholders."""

    prefix: str
    suffix: str
    integer: str  # the placeholders before the decimal point, scaling commas removed
    fraction: str  # the placeholders after it
    percent: int  # how many `%` (each multiplies by 100)
    scale: int  # how many trailing commas (each divides by 1000)

    @property
    def has_digits(self) -> bool:
        return bool(self.integer or self.fraction)


_PLACEHOLDERS = "0#?.,"


def _sections(number_format: str) -> list[str]:
    """Split at `;` outside quotes and brackets."""
    parts: list[str] = []
    current: list[str] = []
    quoted = bracket = False
    for char in number_format:
        if char == '"':
            quoted = not quoted
        elif char == "[" and not quoted:
            bracket = True
        elif char == "]" and not quoted:
            bracket = False
        if char == ";" and not quoted and not bracket:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _parse(section: str) -> _Section:
    """Literal text (quoted, escaped, `[$€-407]`, other characters) and the placeholders."""
    before: list[str] = []
    after: list[str] = []
    digits: list[str] = []
    percent, index = 0, 0
    while index < len(section):
        char = section[index]
        text = ""
        if char == '"':
            end = section.find('"', index + 1)
            end = len(section) if end < 0 else end
            text, index = section[index + 1 : end], end + 1
        elif char == "\\":
            text, index = section[index + 1 : index + 2], index + 2
        elif char == "[":
            end = section.find("]", index)
            end = len(section) if end < 0 else end
            inner = section[index + 1 : end]
            text = inner[1:].split("-")[0] if inner.startswith("$") else ""
            index = end + 1
        elif char in "_*":  # padding and fill characters: no visible text
            index += 2
        elif char in _PLACEHOLDERS and not (char == "," and not digits):
            digits.append(char)
            index += 1
        else:
            percent += char == "%"
            text, index = char, index + 1
        (after if digits else before).append(text)
    return _number_section("".join(before), "".join(after), "".join(digits), percent)


def _number_section(prefix: str, suffix: str, digits: str, percent: int) -> _Section:
    integer, _, fraction = digits.partition(".")
    stripped = integer.rstrip(",")
    scale = len(integer) - len(stripped)
    fraction = "".join(ch for ch in fraction if ch in "0#?")
    return _Section(prefix, suffix, stripped, fraction, percent, scale)


def _digits(amount: Decimal, section: _Section) -> str:
    """The absolute value's digits, rounded half away from zero, grouped and padded."""
    places = len(section.fraction)
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, decimals = f"{rounded:f}".partition(".")
    minimum = section.integer.count("0")
    whole = whole.lstrip("0").rjust(minimum, "0")
    if "," in section.integer:
        groups: list[str] = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = MESSAGES["number.thousands"].join([whole, *groups] if whole else groups)
    keep = section.fraction.rfind("0") + 1
    decimals = decimals.rstrip("0").ljust(keep, "0") if places else ""
    return whole + (MESSAGES["number.decimal"] + decimals if decimals else "")


def _general(number: float) -> str:
    if number.is_integer():
        return str(int(number))
    return format(number, ".10g").replace(".", MESSAGES["number.decimal"])


def render_number(number: float, number_format: str | None) -> str:
    """`number` as a cell with `number_format` shows it ("" for a blank: NaN or infinite)."""
    if not math.isfinite(number):
        return ""
    sections = _sections(number_format or "General")
    if sections[0].strip().casefold() == "general":
        return _general(number)
    negative = number < 0
    own_negative = negative and len(sections) > 1
    section = _parse(sections[1] if own_negative else sections[0])
    if not section.has_digits:
        return section.prefix + section.suffix or _general(number)
    amount = Decimal(repr(abs(float(number))))
    amount = amount * Decimal(100) ** section.percent / Decimal(1000) ** section.scale
    sign = "-" if negative and not own_negative else ""
    return sign + section.prefix + _digits(amount, section) + section.suffix


def is_plain(number_format: str | None) -> bool:
    """A format that shows only a number (no currency or other text, no percent)."""
    first = _sections(number_format or "General")[0]
    if first.strip().casefold() == "general":
        return True
    section = _parse(first)
    return not (section.prefix.strip() or section.suffix.strip() or section.percent)
