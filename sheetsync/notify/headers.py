"""From, To and Subject, written by sheetsync itself so that no text can become an address.

Given a display name, Python's email package (3.11, as this project runs it) reparses it: a
rep called `=?utf-8?b?...?=` (a name that looks like an RFC 2047 encoded word) was decoded
and written out as plain, unquoted text, so commas and angle brackets inside it became more
addresses in To, which mail programs show as recipients; and a word longer than a line was
written unbroken (a 5,000-character name made a 5,001-octet line; RFC 5322 allows 998). So
these three headers are written here, from parsed values only:

- the address is one that `addresses.one_address` accepted, written as `<local@domain>`;
- a word of plain characters (atext in a name, any printable ASCII in a subject), at most
  `WORD` long and without `=?`, is written as it is;
- every other run of words, control characters replaced by spaces, is written as UTF-8
  base64 encoded words of at most `CHUNK` bytes each (64 characters), so it decodes back to
  exactly its text, and a name that itself looks like an encoded word is encoded again;
- the result is folded between words, so no line is longer than `LINE` characters (an
  address longer than that stays whole, well within 998 octets).

Decoders join adjacent encoded words, dropping the space between them (RFC 2047, 6.2);
Python's own parser (3.11) shows a space there in a display name, so a long name split into
several encoded words reads with an extra space in Python. The values are stored as
`Written` strings, which `POLICY` (otherwise the modern EmailPolicy) keeps and writes out
as they are instead of reparsing and refolding them.
"""

from __future__ import annotations

import base64
import re
from email.policy import EmailPolicy
from typing import Any

__all__ = ["POLICY", "Written", "address_header", "text_header"]

WORD = 40
"""The longest word written as it is (longer ones are encoded, so they can be folded)."""
CHUNK = 39
"""Bytes of text per encoded word: `=?utf-8?b?`, 52 base64 characters, `?=` (64 in all, so
one fits on the line of `Subject: `)."""
LINE = 76
"""The line length headers are folded to (RFC 2047 asks 76 of a line with encoded words;
RFC 5322 recommends 78 and requires 998)."""

_NAME_WORD = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")
_TEXT_WORD = re.compile(r"[!-~]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class Written(str):
    """A header value made here, already folded: stored and written out as it is."""


class _Policy(EmailPolicy):
    """The default EmailPolicy, except that a `Written` value is kept as it is."""

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        if isinstance(value, Written):
            return name, str(value)
        return super().header_store_parse(name, value)


POLICY = _Policy(refold_source="none")


def address_header(name: str, display: str, address: str) -> Written:
    """`display <address>` (just `address` without a display name) for header `name`;
    `address` must be one that addresses.one_address accepted."""
    tokens = _tokens(display, _NAME_WORD)
    return _fold(name, [*tokens, f"<{address}>"] if tokens else [address])


def text_header(name: str, text: str) -> Written:
    """Unstructured text (a subject) for header `name`, on one logical line."""
    return _fold(name, _tokens(text, _TEXT_WORD))


def _tokens(text: str, plain: re.Pattern[str]) -> list[str]:
    """The words of `text` (split at spaces; a no-break space is part of a word): plain
    ones as they are, runs of the others encoded."""
    tokens: list[str] = []
    run: list[str] = []
    for word in _CONTROL.sub(" ", text).split(" "):
        if not word:
            continue
        if len(word) <= WORD and plain.fullmatch(word) and "=?" not in word:
            tokens += [*_encoded(" ".join(run)), word]
            run = []
        else:
            run.append(word)
    return tokens + _encoded(" ".join(run))


def _encoded(text: str) -> list[str]:
    """`text` as RFC 2047 encoded words, split between characters, each of at most CHUNK
    bytes of UTF-8 (the spaces inside the text are encoded too, so they survive decoding)."""
    words: list[str] = []
    chunk = b""
    for char in text:
        data = char.encode("utf-8", "replace")  # a lone surrogate becomes ?
        if len(chunk) + len(data) > CHUNK:
            words.append(_word(chunk))
            chunk = b""
        chunk += data
    return [*words, _word(chunk)] if chunk else words


def _word(data: bytes) -> str:
    return f"=?utf-8?b?{base64.b64encode(data).decode('ascii')}?="


def _fold(name: str, tokens: list[str]) -> Written:
    """The tokens separated by spaces, a line break before a token that would pass LINE,
    never before the first (a long address passes LINE, within 998 octets)."""
    lines = [f"{name}:"]
    for token in tokens:
        if len(lines[-1]) + 1 + len(token) > LINE and lines[-1] != f"{name}:":
            lines.append("")
        lines[-1] += " " + token
    return Written("\n".join(lines)[len(name) + 2 :])
