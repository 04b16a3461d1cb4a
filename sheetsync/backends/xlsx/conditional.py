"""Colour rules as Excel conditional formats, and the looks they point at.

Each `ColourRule` of a tab becomes a `<cfRule type="expression">` of the worksheet, in plan
order (the first rule has priority 1) and with `stopIfTrue`, so the first rule whose formula
is true decides a cell's colour alone, as the plan says. Rules on the same box share one
`<conditionalFormatting>` element (one conditional format with ordered entries for
LibreOffice, which reads each element as one). A rule's formula is written as the plan gives
it: relative to the box's top-left cell, which is what Excel reads it relative to.

A rule's look (font and fill colours) is a differential format, a `<dxf>` of the styles part
that the rule names by index (`dxfId`); `StyleBook.dxf` appends it there, never renumbering.
The colours are the ones Excel offers for good, neutral and bad cells, and a light grey band.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from sheetsync.plan import Box, ColourRule, Tone

DxfIndex = Callable[[Tone], int]

TONES: dict[Tone, tuple[str | None, str]] = {
    "good": ("FF006100", "FFC6EFCE"),
    "warn": ("FF9C5700", "FFFFEB9C"),
    "bad": ("FF9C0006", "FFFFC7CE"),
    "band": (None, "FFF2F2F2"),
}
"""tone -> (font colour or None to keep the cell's own, fill colour), as ARGB."""


def dxf_xml(tone: Tone, prefix: str = "") -> str:
    """The differential format of `tone`, written with the styles part's namespace prefix.

    Excel's own form: the fill colour of a conditional format is the pattern's background."""
    font, fill = TONES[tone]
    p = prefix
    font_xml = f'<{p}font><{p}color rgb="{font}"/></{p}font>' if font else ""
    fill_xml = f'<{p}fill><{p}patternFill><{p}bgColor rgb="{fill}"/></{p}patternFill></{p}fill>'
    return f"<{p}dxf>{font_xml}{fill_xml}</{p}dxf>"


def sqref(box: Box) -> str:
    """`box` as a worksheet range reference: `B2` for one cell, else `B2:D9`."""
    if box.bottom - box.top == 1 and box.right - box.left == 1:
        return box.corner
    return box.a1()


def is_empty(box: Box) -> bool:
    """A box without a single cell (say the rows of a table that has none this time)."""
    return box.bottom <= box.top or box.right <= box.left


def conditional_xml(rules: Sequence[ColourRule], dxf: DxfIndex) -> str:
    """The `<conditionalFormatting>` elements of `rules` ("" when there are none).

    Rules on an empty box are left out; priorities still follow the plan's order."""
    groups: dict[str, list[str]] = {}
    for priority, rule in enumerate(rules, start=1):
        if not is_empty(rule.box):
            groups.setdefault(sqref(rule.box), []).append(rule_xml(rule, priority, dxf))
    return "".join(
        f'<conditionalFormatting sqref="{ref}">{"".join(entries)}</conditionalFormatting>'
        for ref, entries in groups.items()
    )


def rule_xml(rule: ColourRule, priority: int, dxf: DxfIndex) -> str:
    """One expression rule; it stops lower-priority rules from colouring a cell it colours."""
    formula = escape(rule.formula.removeprefix("="))
    return (
        f'<cfRule type="expression" dxfId="{dxf(rule.tone)}" priority="{priority}" '
        f'stopIfTrue="1"><formula>{formula}</formula></cfRule>'
    )
