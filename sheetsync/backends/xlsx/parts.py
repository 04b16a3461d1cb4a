"""Find the parts of an .xlsx package that openpyxl would drop when it saves the workbook.

openpyxl keeps cells, styles, defined names and its own charts, but loses images, charts and
drawings it did not make, pivot tables, macros, slicers and other extensions. Parts that belong
only to tabs sheetsync owns are fine: those tabs are rewritten anyway.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterable
from pathlib import Path

from defusedxml import ElementTree

REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DOC_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

LOST_PREFIXES = {
    "xl/media/": "images",
    "xl/drawings/": "drawings",
    "xl/charts/": "charts",
    "xl/pivotTables/": "pivot tables",
    "xl/pivotCache/": "pivot tables",
    "xl/vbaProject.bin": "macros",
    "xl/slicers/": "slicers",
    "xl/slicerCaches/": "slicers",
    "xl/timelines/": "timelines",
    "xl/model/": "a data model",
    "xl/activeX/": "ActiveX controls",
    "xl/ctrlProps/": "form controls",
    "xl/embeddings/": "embedded objects",
    "xl/threadedComments/": "threaded comments",
}


def lost_parts(path: Path, owned: Iterable[str]) -> list[str]:
    """What saving with openpyxl would lose, as readable names (empty when safe)."""
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        allowed = _parts_of_sheets(package, names, set(owned))
    found = {
        kind
        for name in names - allowed
        for prefix, kind in LOST_PREFIXES.items()
        if name.startswith(prefix)
    }
    return sorted(found)


def _parts_of_sheets(package: zipfile.ZipFile, names: set[str], titles: set[str]) -> set[str]:
    """Every part reachable through the relationships of the sheets with these titles."""
    sheet_parts = _sheet_parts(package, names)
    todo = [part for title, part in sheet_parts.items() if title in titles]
    seen: set[str] = set()
    while todo:
        part = todo.pop()
        if part in seen:
            continue
        seen.add(part)
        todo.extend(_related(package, names, part))
    return seen


def _sheet_parts(package: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    if "xl/workbook.xml" not in names:
        return {}
    targets = dict(_relationships(package, names, "xl/workbook.xml"))
    book = ElementTree.fromstring(package.read("xl/workbook.xml"))
    parts = {}
    for sheet in book.iter(f"{MAIN_NS}sheet"):
        rel_id = sheet.get(f"{DOC_REL_NS}id")
        if rel_id in targets:
            parts[sheet.get("name", "")] = targets[rel_id]
    return parts


def _related(package: zipfile.ZipFile, names: set[str], part: str) -> list[str]:
    return [target for _, target in _relationships(package, names, part)]


def _relationships(package: zipfile.ZipFile, names: set[str], part: str) -> list[tuple[str, str]]:
    folder, file = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", file + ".rels")
    if rels not in names:
        return []
    root = ElementTree.fromstring(package.read(rels))
    found = []
    for rel in root.iter(f"{REL_NS}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        resolved = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        found.append((rel.get("Id", ""), resolved))
    return found
