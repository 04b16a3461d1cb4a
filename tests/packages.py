"""Look inside .xlsx packages the way a byte-for-byte promise is checked: part by part."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

# The shared parts a write may edit (append-only, checked separately), besides owned tabs.
SHARED_PARTS = frozenset({
    "[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
    "docProps/custom.xml", "_rels/.rels",
})  # fmt: skip


def parts(path: Path) -> dict[str, bytes]:
    """Every part of the package, decompressed (CRC-checked by zipfile)."""
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
        return {name: package.read(name) for name in package.namelist()}


def sheet_parts(path: Path) -> dict[str, str]:
    """Tab title -> its worksheet part, read from workbook.xml and its relationships."""
    with zipfile.ZipFile(path) as package:
        book = package.read("xl/workbook.xml").decode()
        rels = package.read("xl/_rels/workbook.xml.rels").decode()
    targets = {}
    for rel in re.findall(r"<Relationship [^>]*>", rels):
        rid = re.search(r'Id="([^"]+)"', rel)
        target = re.search(r'Target="([^"]+)"', rel)
        assert rid and target
        name = target.group(1)
        targets[rid.group(1)] = name.lstrip("/") if name.startswith("/") else "xl/" + name
    found = {}
    for sheet in re.findall(r"<sheet [^>]*>", book):
        title = re.search(r'name="([^"]*)"', sheet)
        rid = re.search(r'r:id="([^"]+)"', sheet)
        assert title and rid
        found[title.group(1).replace("&amp;", "&")] = targets[rid.group(1)]
    return found


def untouched_parts_differing(before: Path, after: Path, owned: set[str]) -> list[str]:
    """Parts of `before` that sheetsync does not own but changed or vanished in `after`."""
    old, new = parts(before), parts(after)
    owned_parts = {part for title, part in sheet_parts(after).items() if title in owned}
    mine = owned_parts | SHARED_PARTS
    return sorted(name for name, data in old.items() if name not in mine and new.get(name) != data)


def without_sheets(workbook_xml: str, titles: set[str], original: str) -> str:
    """workbook.xml without the `<sheet>` elements of `titles` and sheetsync's marks (the
    `<definedName name="sheetsync.output">` elements, and the `<definedNames>` holding them
    when the `original` workbook.xml had none, or had it empty), to compare with `original`."""
    for title in titles:
        workbook_xml = re.sub(rf'<sheet name="{re.escape(title)}"[^>]*/>', "", workbook_xml)
    workbook_xml = re.sub(r'<definedName name="sheetsync\.output"[^>]*>[^<]*</definedName>', "",
                          workbook_xml)  # fmt: skip
    held = re.search(r"<definedNames\s*/>|<definedNames>", original)
    emptied = "<definedNames></definedNames>"
    return workbook_xml.replace(emptied, held.group(0) if held and "/" in held.group(0) else "")
