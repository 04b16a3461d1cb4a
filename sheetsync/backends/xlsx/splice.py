"""The surgical write: sheetsync's tabs spliced into the user's package, nothing else changed.

For each planned tab the splice gives the parts to write and the parts to drop:
- the tab's own worksheet part (a tab sheetsync owns keeps its part name, sheet id and place;
  a new tab gets a new part, appended after the existing tabs so no sheet index moves);
  History's part is made from its old one with a snapshot put in (`history_write`);
- the tab's charts: a drawing part and a chart part each (`charts`), with the worksheet's
  and the drawing's relationships; their names never clash with the user's drawings and
  charts (a name the old version of the tab used is taken again);
- parts that only the old version of an owned tab used (its drawing and charts, say, or a
  comment someone put on Summary) are dropped with their content types, so a refresh
  replaces the tab's charts and never adds to them;
- the smallest edits to the shared parts: a `<sheet>` in workbook.xml and a relationship for
  each new tab, a content type for each new part, cell and differential formats appended to
  the styles (never renumbered), and sheetsync's mark on each tab it wrote, a defined name
  scoped to the tab in workbook.xml (`marks`).
Every other part of the package is left exactly as it was.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import quoteattr

from sheetsync.backends.xlsx import xmltext
from sheetsync.backends.xlsx.charts import (
    CHART_TYPE,
    DRAWING_TYPE,
    chart_xml,
    drawing_xml,
    is_drawable,
)
from sheetsync.backends.xlsx.history_read import HistoryScan, history_entry
from sheetsync.backends.xlsx.history_write import history_part
from sheetsync.backends.xlsx.marks import with_marks
from sheetsync.backends.xlsx.package import (
    REL_TYPES,
    Package,
    relationships,
    rels_part,
    rels_xml,
)
from sheetsync.backends.xlsx.sheetxml import sheet_xml
from sheetsync.backends.xlsx.styles import MINIMAL_STYLES, StyleBook
from sheetsync.backends.xlsx.zippackage import Content
from sheetsync.plan import HistorySnapshot, TabPlan

Changes = dict[str, Content | None]
CONTENT_TYPES = "[Content_Types].xml"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
DOC_REL_URI = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class Splice:
    """Collects the changed parts of one write into `package`."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self.names = set(package.names)
        self.changes: Changes = {}
        self.texts: dict[str, tuple[str, str]] = {}
        self.added: dict[str, int] = {}

    def write_tabs(
        self,
        tabs: Sequence[TabPlan],
        history: HistorySnapshot | None = None,
        scans: Mapping[str, HistoryScan] | None = None,
        number_locale: str = "",
    ) -> list[str]:
        """Write each tab, replacing the existing tab of the same title in any case (ownership
        checked; the tab keeps its spelling, as two titles differing only in case would make a
        damaged workbook), and put `history` into the History tab (the owned tab of its title
        in any case, else a new one). `scans` are scans of History's part made when it was
        read. Number formats are tagged with `number_locale` (OutputPlan.number_locale).
        Returns the titles written, as the workbook spells them."""
        styles = self._styles(number_locale)
        existing = {s.title.casefold(): s for s in self.package.sheets}
        replaced = [existing[key] for t in tabs if (key := t.title.casefold()) in existing]
        old_history = history_entry(self.package, history.title) if history else None
        replaced += [old_history] if old_history else []
        self._drop_parts_only_used_by([entry.part for entry in replaced])
        self._drop_stale_calc_chain({entry.sheet_id for entry in replaced})
        titles = []
        for tab in tabs:
            entry = existing.get(tab.title.casefold())
            part = entry.part if entry else self._add_sheet(tab.title)
            title = entry.title if entry else tab.title
            drawing = self._write_charts(tab, part, title)
            self.changes[part] = sheet_xml(tab, styles.index, styles.dxf, drawing)
            titles.append(title)
        if history is not None:
            title = old_history.title if old_history else history.title
            part = old_history.part if old_history else self._add_sheet(history.title)
            scan = (scans or {}).get(part)
            self.changes[part] = history_part(self.package, old_history, history, styles.index,
                                              scan)  # fmt: skip
            titles.append(title)
        if styles.changed:
            self.changes[self._styles_part()] = styles.data()
        return titles

    def mark(self, outputs: Mapping[str, str]) -> None:
        """Put sheetsync's mark (marks.py) on each tab written, by title: the output it holds."""
        positions = {entry.title: entry.position for entry in self.package.sheets}
        positions.update(self.added)
        workbook = self.package.workbook_part
        marks = {positions[title]: key for title, key in outputs.items()}
        self._set_text(workbook, with_marks(self._text(workbook), marks))

    def result(self) -> Changes:
        changes = dict(self.changes)
        for part, (text, codec) in self.texts.items():
            changes[part] = xmltext.encode(text, codec)
        return changes

    def _write_charts(self, tab: TabPlan, sheet: str, title: str) -> str | None:
        """Write `tab`'s charts (their data on tab `title`, held in part `sheet`): a drawing
        part, a chart part each, and the relationships from the sheet to the drawing and
        from the drawing to the charts. Returns the sheet's relationship id for the drawing,
        None when the tab has no chart to draw."""
        charts = [chart for chart in tab.charts if is_drawable(chart)]
        if not charts:
            return None
        drawing = self._new_part("xl/drawings/drawing{}.xml", DRAWING_TYPE)
        links = []
        for number, chart in enumerate(charts, start=1):
            part = self._new_part("xl/charts/chart{}.xml", CHART_TYPE)
            self.changes[part] = chart_xml(chart, title, tab.rows)
            links.append((f"rId{number}", REL_TYPES + "chart", _relative(drawing, part)))
        self.changes[drawing] = drawing_xml(charts)
        self.changes[rels_part(drawing)] = rels_xml(links)
        link = ("rId1", REL_TYPES + "drawing", _relative(sheet, drawing))
        self.changes[rels_part(sheet)] = rels_xml([link])
        return "rId1"

    def _new_part(self, pattern: str, content_type: str) -> str:
        """The first free name of `pattern`, declared with its content type. A part this
        write drops is free again, so a refresh keeps its drawing's and charts' names."""
        written = {name for name, content in self.changes.items() if content is not None}
        dropped = set(self.changes) - written
        part = _free_name((self.names - dropped) | written, pattern)
        self.changes[part] = b""
        self._undeclare(part)
        self._declare(part, content_type)
        return part

    def _styles(self, number_locale: str = "") -> StyleBook:
        part = self._styles_part()
        if part in self.names:
            return StyleBook(self.package.zip.read(part), number_locale)
        self.changes[part] = MINIMAL_STYLES.encode()
        self._relate(self.package.workbook_part, REL_TYPES + "styles", part)
        self._declare(part, STYLES_TYPE)
        return StyleBook(MINIMAL_STYLES.encode(), number_locale)

    def _styles_part(self) -> str:
        workbook = self.package.workbook_part
        for _rid, rel_type, target in self._rels(workbook):
            if rel_type == REL_TYPES + "styles":
                return target
        return workbook.rsplit("/", 1)[0] + "/styles.xml"

    def _add_sheet(self, title: str) -> str:
        part = _free_name(self.names | set(self.changes), "xl/worksheets/sheet{}.xml")
        self.changes[part] = b""
        rel_id = self._relate(self.package.workbook_part, REL_TYPES + "worksheet", part)
        self._declare(part, WORKSHEET_TYPE)
        workbook = self.package.workbook_part
        text = self._text(workbook)
        prefix = xmltext.prefix_of(text, "workbook")
        sheets = xmltext.find(text, prefix + "sheets")
        assert sheets is not None, "workbook.xml without <sheets>"
        sheet_id = self._next_sheet_id(text)
        self.added[title] = len(xmltext.find_all(text, prefix + "sheet", sheets))
        r = _relationship_prefix(text)
        ns = "" if r else f' xmlns:r="{DOC_REL_URI}"'
        snippet = (f"<{prefix}sheet name={quoteattr(title)} sheetId=\"{sheet_id}\""
                   f"{ns} {r or 'r'}:id=\"{rel_id}\"/>")  # fmt: skip
        self._set_text(workbook, xmltext.append_child(text, sheets, prefix + "sheets", snippet))
        return part

    def _next_sheet_id(self, text: str) -> int:
        ids = [int(n) for n in re.findall(r'\ssheetId="(\d+)"', text)]
        return max(ids, default=0) + 1

    def _relate(self, source: str, rel_type: str, target_part: str) -> str:
        """Add a relationship from `source` ("" = the package) to a part; return its id."""
        target = posixpath.relpath(target_part, posixpath.dirname(source) or ".")
        part = rels_part(source) if source else "_rels/.rels"
        if part not in self.names and part not in self.texts:
            self._set_text(part, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                           '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                           '2006/relationships"></Relationships>')  # fmt: skip
        text = self._text(part)
        used = {int(n) for n in re.findall(r'\sId="rId(\d+)"', text)}
        rel_id = f"rId{max(used, default=0) + 1}"
        prefix = xmltext.prefix_of(text, "Relationships")
        span = xmltext.find(text, prefix + "Relationships")
        assert span is not None
        snippet = f'<{prefix}Relationship Id="{rel_id}" Type="{rel_type}" Target="{target}"/>'
        self._set_text(part, xmltext.append_child(text, span, prefix + "Relationships", snippet))
        return rel_id

    def _declare(self, part: str, content_type: str) -> None:
        text = self._text(CONTENT_TYPES)
        prefix = xmltext.prefix_of(text, "Types")
        span = xmltext.find(text, prefix + "Types")
        assert span is not None
        snippet = f'<{prefix}Override PartName="/{part}" ContentType="{content_type}"/>'
        self._set_text(CONTENT_TYPES, xmltext.append_child(text, span, prefix + "Types", snippet))

    def _undeclare(self, part: str) -> None:
        text = self._text(CONTENT_TYPES)
        tag = xmltext.prefix_of(text, "Types") + "Override"
        while (span := xmltext.find_where(text, tag, "PartName", "/" + part)) is not None:
            text = xmltext.remove(text, span)
        self._set_text(CONTENT_TYPES, text)

    def _drop_parts_only_used_by(self, sheets: Sequence[str]) -> None:
        """Drop the relationship parts of replaced sheets, and what only they pointed to."""
        if not any(rels_part(s) in self.names for s in sheets):
            return
        kept = self._reachable([""], cut=set(sheets))
        dropped = self._reachable(sheets, cut=set()) - kept - set(sheets)
        for part in sorted(dropped):
            self.changes[part] = None
            self._undeclare(part)
        for part in [*sheets, *dropped]:
            if rels_part(part) in self.names:
                self.changes[rels_part(part)] = None

    def _drop_stale_calc_chain(self, sheet_ids: set[int]) -> None:
        """Drop the calculation chain when it lists a cell of a replaced tab.

        The chain is only Excel's cache of the order to recalculate formulas in; Excel rebuilds
        it when it is missing, but reports a damaged file when it names a formula cell that is
        gone (someone typed a formula into an output tab, which the refresh replaced).
        """
        workbook = self.package.workbook_part
        for rel_id, kind, part in self._rels(workbook):
            if kind != REL_TYPES + "calcChain" or part not in self.names:
                continue
            if sheet_ids & _chain_sheets(self.package.zip.read(part)):
                self.changes[part] = None
                self._undeclare(part)
                self._unrelate(workbook, rel_id)

    def _unrelate(self, source: str, rel_id: str) -> None:
        part = rels_part(source)
        text = self._text(part)
        tag = xmltext.prefix_of(text, "Relationships") + "Relationship"
        span = xmltext.find_where(text, tag, "Id", rel_id)
        if span is not None:
            self._set_text(part, xmltext.remove(text, span))

    def _reachable(self, roots: Sequence[str], cut: set[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            part = todo.pop()
            if part in seen:
                continue
            seen.add(part)
            if part not in cut:
                todo.extend(target for _rid, _type, target in self._rels(part))
        return seen

    def _rels(self, part: str) -> list[tuple[str, str, str]]:
        return relationships(self.package.path, self.package.zip, self.names, part)

    def _text(self, part: str) -> str:
        if part not in self.texts:
            self.texts[part] = xmltext.decode(self.package.zip.read(part))
        return self.texts[part][0]

    def _set_text(self, part: str, text: str) -> None:
        codec = self.texts[part][1] if part in self.texts else "utf-8"
        self.texts[part] = (text, codec)


def _chain_sheets(chain: bytes) -> set[int]:
    """The sheet ids a calcChain part names (an entry without `i` keeps the previous one's)."""
    sheets, current = set(), 0
    for attributes in re.findall(rb"<(?:\w+:)?c\b([^>]*)>", chain):
        found = re.search(rb'\si="(\d+)"', attributes)
        current = int(found.group(1)) if found else current
        sheets.add(current)
    return sheets


def _relative(source: str, target: str) -> str:
    """A relationship target: `target` relative to the folder of part `source`."""
    return posixpath.relpath(target, posixpath.dirname(source))


def _free_name(taken: set[str], pattern: str) -> str:
    number = 1
    while pattern.format(number) in taken:
        number += 1
    return pattern.format(number)


def _relationship_prefix(text: str) -> str | None:
    match = re.search(rf'xmlns:(\w+)="{re.escape(DOC_REL_URI)}"', text)
    return match.group(1) if match else None


def empty_package() -> bytes:
    """The smallest workbook package, with no tab yet: the base for a new workbook."""
    parts = {
        CONTENT_TYPES: (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_TYPES}officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'xmlns:r="{DOC_REL_URI}"><bookViews><workbookView/></bookViews><sheets/></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            "</Relationships>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()
