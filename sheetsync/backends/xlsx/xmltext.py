"""Small textual edits of the shared XML parts (workbook, styles, relationships, content types).

Parsing a part and serialising it again would rename its namespace prefixes, and Office reads
`mc:Ignorable="x14ac"` by prefix name, so a re-serialised part can break the workbook. These
edits keep every byte of the part except the few inserted or changed: a child appended before
an element's closing tag, an attribute set, an element removed.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip


@dataclass(frozen=True)
class Span:
    """Where one element sits in the text: its opening tag, and its closing tag if any."""

    open_start: int
    open_end: int
    close_start: int
    close_end: int

    @property
    def empty(self) -> bool:
        return self.open_end == self.close_end


def decode(data: bytes) -> tuple[str, str]:
    """(text, codec) of an XML part; the codec writes it back in its own encoding."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return data.decode(codec), codec
    return data.decode("utf-8"), "utf-8"


def encode(text: str, codec: str) -> bytes:
    return text.encode(codec)


def prefix_of(text: str, local: str) -> str:
    """The namespace prefix the root element `local` is written with ('' or 'x:')."""
    match = re.search(rf"<(\w+:)?{local}[\s/>]", text)
    return match.group(1) or "" if match else ""


def find(text: str, tag: str, start: int = 0) -> Span | None:
    """The first element named `tag` (with its prefix) at or after `start`."""
    opening = re.compile(rf"<{re.escape(tag)}(?=[\s/>])(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>")
    match = opening.search(text, start)
    if match is None:
        return None
    if match.group(1):
        return Span(match.start(), match.end(), match.end(), match.end())
    close = text.find(f"</{tag}>", match.end())
    if close < 0:
        return None
    return Span(match.start(), match.end(), close, close + len(tag) + 3)


def find_all(text: str, tag: str, within: Span) -> list[Span]:
    """Every `tag` element inside `within`, in order (none nested in another)."""
    found = []
    position = within.open_end
    while (span := find(text, tag, position)) is not None and span.close_end <= within.close_start:
        found.append(span)
        position = span.close_end
    return found


def find_where(text: str, tag: str, name: str, value: str) -> Span | None:
    """The first element `tag` whose attribute `name` is `value` (as written in the text)."""
    position = 0
    while (span := find(text, tag, position)) is not None:
        if attribute(text, span, name) == value:
            return span
        position = span.close_end
    return None


def append_child(text: str, span: Span, tag: str, snippet: str) -> str:
    """Insert `snippet` as the last child of the element at `span` (named `tag`)."""
    if not span.empty:
        return text[: span.close_start] + snippet + text[span.close_start :]
    opening = text[span.open_start : span.open_end].removesuffix("/>").rstrip() + ">"
    return text[: span.open_start] + opening + snippet + f"</{tag}>" + text[span.close_end :]


def set_attribute(text: str, span: Span, name: str, value: str) -> str:
    """Set (or add) attribute `name` on the opening tag at `span`."""
    opening = text[span.open_start : span.open_end]
    pattern = re.compile(rf'(\s{re.escape(name)}=)("[^"]*"|\'[^\']*\')')
    if pattern.search(opening):
        changed = pattern.sub(lambda m: f'{m.group(1)}"{value}"', opening, count=1)
    else:
        tail = "/>" if opening.endswith("/>") else ">"
        changed = opening[: -len(tail)].rstrip() + f' {name}="{value}"' + tail
    return text[: span.open_start] + changed + text[span.open_end :]


def remove(text: str, span: Span) -> str:
    return text[: span.open_start] + text[span.close_end :]


def attribute(text: str, span: Span, name: str) -> str | None:
    """The value of attribute `name` on the opening tag at `span` (entities left as written)."""
    opening = text[span.open_start : span.open_end]
    match = re.search(rf'\s{re.escape(name)}=("([^"]*)"|\'([^\']*)\')', opening)
    if match is None:
        return None
    return match.group(2) if match.group(2) is not None else match.group(3)
