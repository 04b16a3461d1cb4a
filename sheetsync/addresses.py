"""E-mail addresses as sheetsync sends to them: exactly one plain ASCII address per cell.

`one_address("anna@example.com")` is `"anna@example.com"`; anything else is a ValueError that
says why: a cell holding two addresses (`walter@example.com,victim`, `a@x.com b@y.com`), a
name with the address (`Anna <anna@example.com>`), a quoted local part, non-ASCII text, an
encoded word (`=?utf-8?...?=`), or text that is not an address at all. What this accepts is
the RFC 5322 dot-atom form (`local@domain`, the domain a dotted host name), so it can be put
in a header and in an SMTP envelope as it is and parsed back to the same single address.

Deliberately not accepted: quoted local parts, IP-literal domains and internationalized
addresses (they need SMTPUTF8, which not every server offers).
"""

from __future__ import annotations

import re

__all__ = ["one_address"]

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")
_SEPARATORS = re.compile(r"[,;\s]")
MAX_LENGTH = 254
"""The longest address SMTP can carry (RFC 5321's path limit, less the angle brackets)."""


def one_address(cell: str) -> str:
    """`cell` (surrounding whitespace removed) when it is exactly one plain e-mail address;
    else a ValueError saying what is wrong with it."""
    text = cell.strip()
    if not text.isascii():
        raise ValueError("only ASCII addresses are supported")
    if text.count("@") > 1 or (_SEPARATORS.search(text) and "@" in text):
        raise ValueError("more than one e-mail address, or an address with other text")
    local = text.rpartition("@")[0]
    if not _ADDRESS.fullmatch(text) or "=?" in text or len(local) > 64:
        raise ValueError("not an e-mail address")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"an e-mail address longer than {MAX_LENGTH} characters")
    return text
