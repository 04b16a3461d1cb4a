"""The cell formats sheetsync's tabs need, appended to the workbook's own styles part.

Cells point at styles by index (`s="5"`), and conditional formats at differential formats
(`dxfId="2"`), so an existing index must never change: the user's tabs keep theirs.
sheetsync only appends: a number format, one bold copy of the workbook's default font, a
cell format per (number format, bold) pair, and a differential format per colour tone of
its rules (`look`), each reused when an identical one is there already, so refreshing again
adds nothing.
"""

from __future__ import annotations

import copy
from typing import Any
from xml.sax.saxutils import quoteattr

from defusedxml import ElementTree

from sheetsync.backends.xlsx import xmltext
from sheetsync.backends.xlsx.conditional import dxf_xml
from sheetsync.backends.xlsx.package import MAIN_NS
from sheetsync.backends.xlsx.sheetxml import StyleKey
from sheetsync.plan import Tone

BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9,
                   "0.00%": 10}  # fmt: skip
FIRST_CUSTOM_FORMAT = 164
# The children of <styleSheet> that come before <dxfs>, in the schema's order.
BEFORE_DXFS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles")
MINIMAL_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


class StyleBook:
    """The styles part being extended; `index(key)` gives the cellXfs index for a style."""

    def __init__(self, data: bytes, number_locale: str = "") -> None:
        self.number_locale = number_locale  # number formats get its tag: `localised`
        self.text, self.codec = xmltext.decode(data)
        self.original = self.text
        self.prefix = xmltext.prefix_of(self.text, "styleSheet")
        root = ElementTree.fromstring(data)
        self.formats = {
            el.get("formatCode", ""): int(el.get("numFmtId", "0"))
            for el in root.iter(f"{MAIN_NS}numFmt")
        }
        self.fonts = [_canonical(el) for el in _children(root, "fonts", "font")]
        self.bold = _bold_copy(next(iter(_children(root, "fonts", "font")), None))
        self.xfs = [_canonical(el) for el in _children(root, "cellXfs", "xf")]
        self.dxfs = [_canonical(el) for el in _children(root, "dxfs", "dxf")]
        self.cache: dict[StyleKey, int] = {}

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def data(self) -> bytes:
        return xmltext.encode(self.text, self.codec)

    def index(self, key: StyleKey) -> int:
        if key not in self.cache:
            self.cache[key] = self._index(key)
        return self.cache[key]

    def dxf(self, tone: Tone) -> int:
        """The index of `tone`'s differential format in <dxfs> (made when missing)."""
        namespaced = dxf_xml(tone).replace("<dxf>", f'<dxf xmlns="{MAIN_NS[1:-1]}">', 1)
        wanted = _canonical(ElementTree.fromstring(namespaced))
        if wanted in self.dxfs:
            return self.dxfs.index(wanted)
        if xmltext.find(self.text, self.prefix + "dxfs") is None:
            self._insert_after_last(BEFORE_DXFS, f'<{self.prefix}dxfs count="0"/>')
        self._append("dxfs", "dxf", dxf_xml(tone, self.prefix))
        self.dxfs.append(wanted)
        return len(self.dxfs) - 1

    def _index(self, key: StyleKey) -> int:
        number_format, bold = key
        if number_format is None and not bold:
            return 0
        attributes = {"numFmtId": str(self._format_id(number_format)),
                      "fontId": str(self._bold_font_id() if bold else 0),
                      "fillId": "0", "borderId": "0", "xfId": "0"}  # fmt: skip
        if number_format is not None:
            attributes["applyNumberFormat"] = "1"
        if bold:
            attributes["applyFont"] = "1"
        wanted = (f"{MAIN_NS}xf", tuple(sorted(attributes.items())), ())
        if wanted in self.xfs:
            return self.xfs.index(wanted)
        snippet = (
            "<"
            + self.prefix
            + "xf"
            + "".join(f" {k}={quoteattr(v)}" for k, v in attributes.items())
            + "/>"
        )
        self._append("cellXfs", "xf", snippet)
        self.xfs.append(wanted)
        return len(self.xfs) - 1

    def _format_id(self, number_format: str | None) -> int:
        if number_format is None:
            return 0
        number_format = localised(number_format, self.number_locale)
        if number_format in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[number_format]
        if number_format in self.formats:
            return self.formats[number_format]
        new_id = max([FIRST_CUSTOM_FORMAT - 1, *self.formats.values()]) + 1
        code = quoteattr(number_format)
        snippet = f'<{self.prefix}numFmt numFmtId="{new_id}" formatCode={code}/>'
        if xmltext.find(self.text, self.prefix + "numFmts") is None:
            self._insert_first_child(f'<{self.prefix}numFmts count="0"></{self.prefix}numFmts>')
        self._append("numFmts", "numFmt", snippet)
        self.formats[number_format] = new_id
        return new_id

    def _bold_font_id(self) -> int:
        if self.bold in self.fonts:
            return self.fonts.index(self.bold)
        self._append("fonts", "font", _font_xml(self.bold, self.prefix))
        self.fonts.append(self.bold)
        return len(self.fonts) - 1

    def _append(self, parent: str, child: str, snippet: str) -> None:
        tag = self.prefix + parent
        span = xmltext.find(self.text, tag)
        assert span is not None, f"styles part without {parent}"
        self.text = xmltext.append_child(self.text, span, tag, snippet)
        span = xmltext.find(self.text, tag)
        assert span is not None
        count = len(xmltext.find_all(self.text, self.prefix + child, span))
        self.text = xmltext.set_attribute(self.text, span, "count", str(count))

    def _insert_after_last(self, siblings: tuple[str, ...], snippet: str) -> None:
        """Put `snippet` after the last of `siblings` present, else first in <styleSheet>."""
        spans = [xmltext.find(self.text, self.prefix + name) for name in siblings]
        ends = [span.close_end for span in spans if span is not None]
        if not ends:
            self._insert_first_child(snippet)
            return
        end = max(ends)
        self.text = self.text[:end] + snippet + self.text[end:]

    def _insert_first_child(self, snippet: str) -> None:
        span = xmltext.find(self.text, self.prefix + "styleSheet")
        assert span is not None
        self.text = self.text[: span.open_end] + snippet + self.text[span.open_end :]


def localised(number_format: str, locale: str) -> str:
    """`number_format` with a `[$-<locale>]` tag in front, which makes Excel and LibreOffice
    show it with that locale's separators (LibreOffice: `[$-415]#,##0.00` shows `1 234,50`
    on any machine); unchanged without a locale, for General, or when the format has a locale
    or currency tag of its own."""
    if not locale or number_format == "General" or "[$" in number_format:
        return number_format
    return f"[$-{locale}]{number_format}"


Canonical = tuple[str, tuple[tuple[str, str], ...], tuple[Any, ...]]


def _canonical(element: Any) -> Canonical:
    children = tuple(_canonical(child) for child in element)
    return element.tag, tuple(sorted(element.attrib.items())), children


def _children(root: Any, parent: str, child: str) -> list[Any]:
    holder = root.find(f"{MAIN_NS}{parent}")
    return [] if holder is None else list(holder.findall(f"{MAIN_NS}{child}"))


def _bold_copy(font: Any) -> Canonical:
    """The default font with bold on (<b/> comes first among a font's children)."""
    bold = ((f"{MAIN_NS}b", (), ()),)
    if font is None:
        return (f"{MAIN_NS}font", (), bold)
    font = copy.deepcopy(font)
    for b in font.findall(f"{MAIN_NS}b"):
        font.remove(b)
    tag, attributes, children = _canonical(font)
    return tag, attributes, bold + children


def _font_xml(font: Canonical, prefix: str) -> str:
    tag, attributes, children = font
    name = prefix + tag.removeprefix(MAIN_NS)
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in attributes)
    inner = "".join(_font_xml(child, prefix) for child in children)
    return f"<{name}{attrs}/>" if not inner else f"<{name}{attrs}>{inner}</{name}>"
