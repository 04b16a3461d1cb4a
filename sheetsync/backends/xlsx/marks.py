"""sheetsync's mark on the tabs it owns in an .xlsx workbook: a defined name scoped to the tab.

    <definedName name="sheetsync.output" localSheetId="3" hidden="1">"summary"</definedName>

in workbook.xml says that the fourth `<sheet>` holds the Summary output (the output's config
key, as a text constant). A name scoped to a sheet (`localSheetId`) lives with the sheet, not
with its name: LibreOffice (7.4, seen by tests/fixtures/workbooks/make_ownership.py) keeps it
when the file is saved and when the tab is renamed, drops it when the tab is deleted, and
copies it with a copied tab; it saves it with hidden="false", which changes nothing here.
Excel does the same with sheet-level names (they are renamed, deleted and copied with their
sheet). A tab of an output's name made by a person therefore has no mark, and is never
written (`base.holder`); a copy carries the mark, and `base.holder` settles which of the two is
the output.

Workbooks written before marks list the owned tabs by title in a custom document property
(`sheetsync.owned`); that list is read only when no tab carries a mark, so an old workbook is
taken over once: its next write marks every tab it lists, those it does not write with an
empty key (`""`: owned, the output known by the tab's name, as before marks).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sheetsync.backends.xlsx import xmltext

MARK_NAME = "sheetsync.output"
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# CT_Workbook's children that come before definedNames, which goes right after the last
# of them that is present (ECMA-376 Part 1, 18.2.27).
_BEFORE_NAMES = ("sheets", "functionGroups", "externalReferences")


def marks_of(workbook: Any) -> dict[int, str]:
    """The output each marked tab holds, by the tab's position among workbook.xml's `<sheet>`
    elements (a parsed workbook.xml); "" for a mark that does not name its output. A mark
    whose value is not a text constant is ignored."""
    marks = (_mark(name) for name in workbook.iter(f"{MAIN_NS}definedName"))
    return dict(mark for mark in marks if mark is not None)


def _mark(name: Any) -> tuple[int, str] | None:
    """(tab position, output) of a parsed definedName when it is sheetsync's mark."""
    position = name.get("localSheetId", "")
    output = _text_constant("".join(name.itertext()))
    if (name.get("name") or "").casefold() != MARK_NAME or not position.isdigit():
        return None
    return None if output is None else (int(position), output)


def with_marks(text: str, marks: Mapping[int, str]) -> str:
    """workbook.xml's text with sheetsync's mark for output `key` on each tab position in
    `marks`, replacing the marks those tabs had; every other byte is kept."""
    prefix = xmltext.prefix_of(text, "workbook")
    tag = prefix + "definedName"
    snippet = "".join(f'<{tag} name="{MARK_NAME}" localSheetId="{position}" hidden="1">'
                      f'"{_constant(key)}"</{tag}>'
                      for position, key in sorted(marks.items()))  # fmt: skip
    names = xmltext.find(text, prefix + "definedNames")
    if names is None:
        after = max(span.close_end for child in _BEFORE_NAMES
                    if (span := xmltext.find(text, prefix + child)) is not None)  # fmt: skip
        block = f"<{prefix}definedNames>{snippet}</{prefix}definedNames>"
        return text[:after] + block + text[after:]
    for span in reversed(xmltext.find_all(text, tag, names)):
        name = (xmltext.attribute(text, span, "name") or "").casefold()
        position = xmltext.attribute(text, span, "localSheetId") or ""
        if name == MARK_NAME and position.isdigit() and int(position) in marks:
            text = xmltext.remove(text, span)
    kept = xmltext.find(text, prefix + "definedNames")
    assert kept is not None
    return xmltext.append_child(text, kept, prefix + "definedNames", snippet)


def _constant(key: str) -> str:
    """An output key as the inside of a formula's string constant, escaped for XML."""
    return key.replace("&", "&amp;").replace("<", "&lt;").replace('"', '""')


def _text_constant(formula: str) -> str | None:
    """The text of a formula that is one string constant (`"summary"`), else None."""
    formula = formula.strip()
    if len(formula) < 2 or formula[0] != '"' or formula[-1] != '"':
        return None
    return formula[1:-1].replace('""', '"')
