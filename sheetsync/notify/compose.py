"""One message for one recipient: headers and a multipart/alternative body.

From is `email.sender_name <email.sender>`; To is the recipient (with the rep's name on a
scorecard). Both, and the Subject, are written by notify.headers from parsed addresses, with
names and text encoded where needed so that they can never become an address, and folded.
Date is the run's time; the Message-ID is new for every message (its domain is the
sender's). `Auto-Submitted: auto-generated` (RFC 3834) keeps vacation auto-replies away.
The body is a plain-text part followed by the HTML part (mail programs show the last part
they can display), both UTF-8.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from sheetsync.addresses import one_address
from sheetsync.notify.headers import POLICY, address_header, text_header
from sheetsync.notify.render import Rendered

__all__ = ["compose", "preview_name"]


def compose(
    rendered: Rendered, *, sender: tuple[str, str], to: str, name: str | None, now: datetime
) -> EmailMessage:
    """The message `rendered` from `sender` (name, address) to the address `to` (shown with
    `name` when given). A ValueError when an address is not exactly one plain e-mail address
    (sheetsync.addresses)."""
    message = EmailMessage(policy=POLICY)
    message["From"] = address_header("From", sender[0], _sender(sender[1]))
    message["To"] = address_header("To", name or "", one_address(to))
    message["Subject"] = text_header("Subject", rendered.subject)
    message["Date"] = format_datetime(now if now.tzinfo else now.astimezone())
    message["Message-ID"] = make_msgid(domain=sender[1].rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text, cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    return message


def _sender(address: str) -> str:
    try:
        return one_address(address)
    except ValueError as exc:
        raise ValueError(f"email.sender: {exc}") from None


_UNSAFE = re.compile(r"[^A-Za-z0-9.@_-]+")


def preview_name(folder: Path, kind: str, period: str, address: str) -> Path:
    """`<folder>/<period>-<kind>-<address>.eml`, with characters unsafe in a file name
    replaced by `_`."""
    return folder / f"{period}-{kind}-{_UNSAFE.sub('_', address)}.eml"
