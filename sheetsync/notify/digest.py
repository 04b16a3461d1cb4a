"""run_digest(): the team digest to each manager and a scorecard to each rep, each once.

    report (+ roster) -> variables -> templates -> one message per recipient
                      -> preview folder (.eml files), or the sent log + SMTP

Who gets what: every address in `email.managers` gets the team digest; with
`email.scorecards`, every active Roster rep with an e-mail address gets their own scorecard.
An address that is not exactly one plain ASCII e-mail address (`anna@example.com`;
sheetsync.addresses), or that the Roster gives to more than one rep, gets nothing and is reported in
`refused`.

With `preview`, the messages are written to that folder as `.eml` files and nothing is sent
or recorded; when a file cannot be written (a full disk), a UsageError says how many were.
Otherwise each message goes through the sent log (notify.ledger: `pending` before it is
handed to the server, `sent` once accepted) and the SMTP server (notify.send),
and the result lists what was sent, what an earlier run had sent (`skipped`), what was
refused (address -> reason), and what an interrupted earlier run may or may not have sent
(`unconfirmed`: recorded `pending`; never sent again, so at most once).

Errors: `ConfigError` for a missing `email` section, a template that fails, a password
variable that is not set, a login the server refuses; `BackendError` when the server
cannot be reached after the retries; `UsageError` when another run holds the sent log. What
was sent before such an error is recorded, so the next run sends the rest.
"""

from __future__ import annotations

import logging
import os
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sheetsync.addresses import one_address
from sheetsync.backends.google import spreadsheet_id
from sheetsync.config.values import Config, EmailConfig
from sheetsync.errors import ConfigError, SheetsyncError, UsageError
from sheetsync.notify.compose import compose, preview_name
from sheetsync.notify.figures import text
from sheetsync.notify.ledger import Ledger, MessageKey, ledger_path, open_ledger, period_key
from sheetsync.notify.render import Rendered, Renderer, variables
from sheetsync.notify.scorecard import scorecard
from sheetsync.notify.send import Mailer, smtp_password
from sheetsync.notify.team import Link, team_digest
from sheetsync.plan import value

if TYPE_CHECKING:
    from sheetsync.pipeline import Report

__all__ = ["DigestResult", "Recipient", "run_digest", "spreadsheet_link"]

log = logging.getLogger("sheetsync.notify")
_URL = re.compile(r"^https?://", re.IGNORECASE)


@dataclass(frozen=True)
class Recipient:
    """Who one message is for: `kind` is `team_digest` or `scorecard` (then `rep` is set)."""

    kind: str
    address: str
    rep: str | None = None

    def __str__(self) -> str:
        if self.rep is None:
            return f"team digest to {self.address}"
        return f"scorecard of {self.rep} to {self.address}"


@dataclass
class DigestResult:
    """What one run did, for the period `period` (`2026-W48`, `2026-11` or `2026-11-26`)."""

    period: str
    sent: list[Recipient] = field(default_factory=list)
    skipped: list[Recipient] = field(default_factory=list)
    """Sent by an earlier run for this period."""
    refused: dict[str, str] = field(default_factory=dict)
    """Address -> why it got nothing (an invalid address, or the server's refusal)."""
    unconfirmed: list[Recipient] = field(default_factory=list)
    """Handed to the server by this or an earlier run that was cut off before the server's
    answer was recorded; never sent again."""
    previews: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """One line for a log or a terminal."""
        if self.previews:
            return f"{self.period}: {len(self.previews)} messages written, nothing sent"
        return (f"{self.period}: {len(self.sent)} sent, {len(self.skipped)} already sent, "
                f"{len(self.refused)} refused, {len(self.unconfirmed)} unconfirmed")  # fmt: skip


@dataclass(frozen=True)
class _Outgoing:
    recipient: Recipient
    message: EmailMessage
    key: MessageKey


def run_digest(
    config: Config,
    report: Report,
    roster: pd.DataFrame,
    *,
    now: datetime,
    preview: Path | None = None,
    env: Mapping[str, str] = os.environ,
    sleep: Callable[[float], None] = time.sleep,
    ssl_context: ssl.SSLContext | None = None,
) -> DigestResult:
    """Send (or, with `preview`, write) this period's team digests and scorecards.

    `report` is what `sheetsync.pipeline.refresh` returned; `roster` the Roster frame (rep,
    email, team, active) of the same refresh: `report.roster`, or
    `sheetsync.sync.stage.sync(raw, config).roster`. `now` dates the messages and the sent
    log; `env` holds the SMTP password; `sleep` waits between retries; `ssl_context` verifies
    the server (default: the system's trusted certificates). See the module doc.
    """
    email = _email(config)
    result = DigestResult(period_key(email, report.as_of))
    outgoing = _messages(config, report, roster, now, result)
    if preview is not None:
        result.previews = write_previews(preview, outgoing)
        return result
    password = smtp_password(config, env)
    mailer = Mailer(config, password=password, context=ssl_context, sleep=sleep)
    with open_ledger(ledger_path(config)) as ledger, mailer:
        for item in outgoing:
            _deliver(item, ledger, mailer, result, now)
    log.info("digest %s", result.summary())
    return result


def _email(config: Config) -> EmailConfig:
    if config.email is None:
        raise ConfigError(str(config.path or "config"), "email",
                          "there is no email section: add one to send digests (see "
                          "docs/email.md)")  # fmt: skip
    return config.email


def _messages(
    config: Config, report: Report, roster: pd.DataFrame, now: datetime, result: DigestResult
) -> list[_Outgoing]:
    """Every message of the run, rendered before anything is sent (a template error stops the
    run before the first message)."""
    email = _email(config)
    renderer, link = Renderer(config, report.context.lang), spreadsheet_link(config, report)
    team = renderer.render("team_digest", variables(team_digest(config, report, link)))
    wanted = [(Recipient("team_digest", address), team) for address in _unique(email.managers)
              if _usable(address, "email.managers", result)]  # fmt: skip
    if email.scorecards:
        for rep, address, team_name in _scorecard_reps(roster, result):
            card = scorecard(config, report, rep, team_name, link)
            wanted.append((Recipient("scorecard", address, rep),
                           renderer.render("scorecard", variables(card))))  # fmt: skip
    items = [_outgoing(email, recipient, rendered, now, result.period, result)
             for recipient, rendered in wanted]  # fmt: skip
    return [item for item in items if item is not None]


def _outgoing(
    email: EmailConfig, recipient: Recipient, rendered: Rendered, now: datetime, period: str,
    result: DigestResult,
) -> _Outgoing | None:  # fmt: skip
    try:
        message = compose(rendered, sender=(email.sender_name, email.sender),
                          to=recipient.address, name=recipient.rep, now=now)  # fmt: skip
    except ValueError as exc:
        result.refused[recipient.address] = str(exc)
        return None
    return _Outgoing(recipient, message, MessageKey(recipient.kind, period, recipient.address))


def _unique(addresses: tuple[str, ...]) -> list[str]:
    seen: dict[str, str] = {}
    for address in addresses:
        seen.setdefault(address.casefold(), address)
    return list(seen.values())


def _usable(address: str, where: str, result: DigestResult) -> bool:
    """Whether `address` is exactly one plain ASCII e-mail address (sheetsync.addresses: others
    need SMTPUTF8, which not every server offers); if not, the reason goes to
    `result.refused`."""
    try:
        one_address(address)
    except ValueError as exc:
        result.refused[address] = f"{exc} ({where})"
        return False
    return True


def _scorecard_reps(roster: pd.DataFrame, result: DigestResult) -> list[tuple[str, str, str]]:
    """(rep, address, team) of each active Roster rep with a usable e-mail address, in Roster
    order; unusable or shared addresses go to `result.refused`."""
    if roster.empty or not {"rep", "email", "active"} <= set(roster.columns):
        return []
    found: dict[str, list[tuple[str, str, str]]] = {}
    for row in roster.to_dict("records"):
        address = text(row["email"]).strip()
        if value(row["active"]) is not True or not address:
            continue
        if not _usable(address, f"Roster, {text(row['rep'])}", result):
            continue
        rep = (text(row["rep"]), address, text(row.get("team")))
        found.setdefault(address.casefold(), []).append(rep)
    for reps in found.values():
        if len(reps) > 1:
            names = ", ".join(rep for rep, _, _ in reps)
            result.refused[reps[0][1]] = (f"the Roster gives this address to more than one rep "
                                          f"({names}); no scorecard is sent to it")  # fmt: skip
    return [reps[0] for reps in found.values() if len(reps) == 1]


def spreadsheet_link(config: Config, report: Report) -> Link:
    """`email.link`; else a Google spreadsheet's URL; else the workbook's path (as text)."""
    given = config.email.link if config.email is not None else None
    if given:
        return Link(given if _URL.match(given) else None, given)
    source = config.source
    if source.type == "google" and source.spreadsheet:
        try:
            url = f"https://docs.google.com/spreadsheets/d/{spreadsheet_id(source.spreadsheet)}"
        except ValueError:
            return Link(None, source.spreadsheet)
        return Link(url, url)
    return Link(None, report.facts.written_to)


def write_previews(folder: Path, outgoing: list[_Outgoing]) -> list[Path]:
    """Each message as an .eml file in `folder` (made when missing), each file whole or not
    at all; a UsageError when one cannot be written, saying how many were and where."""
    written: list[Path] = []
    path = folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for item in outgoing:
            path = preview_name(folder, item.key.kind, item.key.period, item.recipient.address)
            _write_whole(path, item.message.as_bytes())
            written.append(path)
    except OSError as exc:
        done = f"{len(written)} of {len(outgoing)} messages were written in {folder} before it"
        why = exc.strerror or str(exc)
        raise UsageError(f"digest --preview stopped: {path} cannot be written ({why}); {done}, "
                         "nothing was sent") from exc  # fmt: skip
    return written


def _write_whole(path: Path, data: bytes) -> None:
    """`data` into `path` through a temporary file beside it, so a failure (a full disk)
    leaves no part of a message behind."""
    temporary = path.with_name(f".{path.name}.part")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def _deliver(
    item: _Outgoing, ledger: Ledger, mailer: Mailer, result: DigestResult, now: datetime
) -> None:
    """One message through the sent log and the server (see notify.ledger)."""
    recipient, state = item.recipient, ledger.state(item.key)
    if state == "sent":
        result.skipped.append(recipient)
        return
    if state == "pending":
        log.warning("%s: an earlier run was cut off while sending it; not sent again", recipient)
        result.unconfirmed.append(recipient)
        return
    ledger.pending(item.key, str(item.message["Message-ID"]), now)
    try:
        outcome = mailer.send(item.message, recipient.address)
    except SheetsyncError as exc:  # raised before any data was sent: it did not go out
        ledger.failed(item.key, str(exc), now)
        log.error("digest stopped: %s (%s)", exc, result.summary())
        raise
    if outcome.accepted:
        ledger.sent(item.key, now)
        result.sent.append(recipient)
        log.info("sent the %s", recipient)
    elif not outcome.certain:
        result.unconfirmed.append(recipient)
        log.warning("%s: %s", recipient, outcome.reason)
    else:
        ledger.failed(item.key, outcome.reason, now)
        result.refused[recipient.address] = outcome.reason
        log.warning("%s: %s", recipient, outcome.reason)
