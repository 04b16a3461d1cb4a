"""The Meeting brief's number rendering and the phrases built from numbers (pure).

The brief's fixed phrases are the output language's (`sheetsync.i18n`, `output.language`);
the functions here put numbers into them. `render_number` writes a number the way a
spreadsheet shows it under a number format (`sheetsync.i18n.numfmt`), so a number inside a
sentence reads exactly like the same number in a formatted cell: with the language's
separators when a `Language` is given (`1 234,50 zł` in Polish), else English (the e-mails).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sheetsync.config.values import KpiDef
from sheetsync.i18n import Language, is_plain
from sheetsync.plan import PERCENT, value

__all__ = [
    "PERCENT",
    "gap_text",
    "is_plain",
    "number",
    "percent",
    "projected_text",
    "shown",
    "unit_label",
]

"""Attainment and pace, as in the other output tabs."""


def unit_label(label: str) -> str:
    """A KPI label as a unit inside a sentence: lower case, acronyms kept ("NPS", "B2B")."""
    return " ".join(w if len(w) > 1 and w.isupper() else w.lower() for w in label.split())


def number(raw: object) -> float | None:
    """A finite number from a table cell, or None for a blank (NaN, NA, None, text)."""
    plain = value(raw)
    if isinstance(plain, bool) or not isinstance(plain, int | float) or not math.isfinite(plain):
        return None
    return float(plain)


def shown(raw: object, number_format: str | None, lang: Language) -> str:
    """A table value as its cell shows it ("" for a blank), in `lang`'s locale."""
    found = number(raw)
    return "" if found is None else lang.render(found, number_format)


def percent(raw: object, lang: Language) -> str:
    return shown(raw, PERCENT, lang)


def gap_text(kpi: KpiDef, record: Mapping[Any, Any], lang: Language) -> str:
    """Expected - actual of a Rep KPIs row in the KPI's own format: "12 meetings behind
    expected" for a count-like KPI with a plain number format (the label as the unit), else
    "Revenue: $1,200 behind expected"; "ahead of" when the actual is above expected. Every
    phrase gets `amount`, `unit` (the label in lower case) and `kpi` (the label as it is)."""
    expected, actual = number(record["expected"]), number(record["actual"])
    if expected is None or actual is None:
        return kpi.label
    gap = expected - actual
    amount = lang.render(abs(gap), kpi.number_format)
    ahead = "_ahead" if gap < 0 else ""
    words = {"amount": amount, "unit": unit_label(kpi.label), "kpi": kpi.label}
    if kpi.kind != "ratio" and is_plain(kpi.number_format):
        return lang.text(f"gap.units{ahead}", **words)
    return lang.text(f"gap.amount{ahead}", **words)


def projected_text(kpi: KpiDef, record: Mapping[Any, Any], lang: Language) -> str:
    """ "projected 41,000 of 50,000" (or "target 25.0%" for a KPI without a projection)."""
    target = shown(record["target"], kpi.number_format, lang)
    projection = shown(record["projection"], kpi.number_format, lang)
    if projection:
        return lang.text("goals.projected", projection=projection, target=target)
    return lang.text("goals.no_projection", target=target) if target else ""
