"""Hostile names, addresses and servers, against a real SMTP server on 127.0.0.1: a rep whose
name looks like an encoded word or runs to 5,000 characters, a Roster cell with two
addresses, and a server that echoes the login back; what is sent, what is refused and
reported, and that no form of the password shows anywhere."""

from __future__ import annotations

import logging
import socketserver
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from sheetsync.cli import main
from sheetsync.config.loading import load_config
from sheetsync.config.values import Config
from sheetsync.demo import make_demo
from sheetsync.notify import DigestResult, run_digest
from sheetsync.notify.ledger import ledger_path
from sheetsync.pipeline import Report, refresh
from tests.helpers import MemoryBackend
from tests.test_notify_smtp import ENV, Received, Server, ca, start, trusted
from tests.test_notify_workbook import AS_OF, NOW, PASSWORD, email_config, workbook

__all__ = ["ca", "start", "trusted"]  # the server's fixtures

ENCODED = "=?utf-8?b?eCA8ZXZpbEBldmlsLmNvbT4s?="  # decodes to 'x <evil@evil.com>,'
LONG = "A" * 5000
WALTER = "walter@example.com,victim"
PASSWORD_FORMS = ["UGE1NS13MHJkIW5vdC1pbi1hbnktbG9n",  # base64(password): AUTH LOGIN
                  "AG1haWxlcgBQYTU1LXcwcmQhbm90LWluLWFueS1sb2c=",  # base64(\0mailer\0password)
                  PASSWORD]  # fmt: skip


def hostile(folder: Path, port: int) -> tuple[Config, Report]:
    """The team, three more reps in the Roster (rows 8 to 10), and a subject template that
    names the rep."""
    (folder / "mail").mkdir()
    (folder / "mail" / "scorecard_subject.txt").write_text("Scorecard of {{ rep }}\n", "utf-8")
    cfg = email_config(folder, port, templates="mail", managers=["boss@example.com"])
    tabs = workbook()
    more = [
        [ENCODED, "mallory@example.com", "North", "yes"],
        [LONG, "long@example.com", "North", "yes"],
        ["Walter White", WALTER, "South", "yes"],
    ]
    tabs["Roster"] += [list[Any](row) for row in more]  # fmt: skip
    return cfg, refresh(cfg, as_of=AS_OF, dry_run=True, backend=MemoryBackend(tabs))


@dataclass
class Sent:
    report: Report
    result: DigestResult
    received: list[Received]

    def to(self, address: str) -> EmailMessage:
        [item] = [item for item in self.received if item.rcpt_tos == [address]]
        return item.message

    def headers(self) -> list[list[bytes]]:
        """The header lines of each message, as sent."""
        return [item.raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n") for item in self.received]


def send(folder: Path, start: Callable[[str], Server], trusted: ssl.SSLContext) -> Sent:
    server = start("starttls")
    cfg, report = hostile(folder, server.port)
    result = run_digest(cfg, report, report.roster, now=NOW, env=ENV, sleep=lambda _: None,
                        ssl_context=trusted)  # fmt: skip
    return Sent(report, result, server.recorder.received)


def test_a_name_that_looks_like_an_encoded_word_is_encoded_and_adds_no_recipient(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext
) -> None:
    sent = send(tmp_path, start, trusted)
    mallory = sent.to("mallory@example.com")
    assert [a.addr_spec for a in mallory["To"].addresses] == ["mallory@example.com"]
    assert mallory["To"].addresses[0].display_name == ENCODED  # encoded, not passed through
    assert mallory["Subject"] == "Scorecard of =?utf-8?b?eCA8ZXZpbEBldmlsLmNvbT4s?="
    assert [line for lines in sent.headers() for line in lines if b"evil" in line] == []


def test_a_5000_character_name_is_folded_into_lines_within_998_octets(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext
) -> None:
    sent = send(tmp_path, start, trusted)
    long = sent.to("long@example.com")
    assert long["Subject"] == "Scorecard of " + LONG
    # Python's parser shows a space between the encoded words of a name; others drop it
    assert long["To"].addresses[0].display_name.replace(" ", "") == LONG
    every_line = [line for item in sent.received for line in item.raw.split(b"\r\n")]
    assert max(len(line) for line in every_line) <= 998  # bodies included
    headers = sent.headers()
    assert max(len(line) for lines in headers for line in lines) <= 78
    long_headers = headers[[item.rcpt_tos for item in sent.received].index(["long@example.com"])]
    assert len(long_headers) > 2 * 5000 // 39  # To and Subject: 39 bytes per encoded word


def test_a_roster_cell_with_two_addresses_gets_nothing_and_is_reported(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext
) -> None:
    sent = send(tmp_path, start, trusted)
    for item in sent.received:  # the To header names exactly the envelope's one recipient
        parsed = BytesParser(policy=policy.default).parsebytes(item.raw)
        assert [a.addr_spec for a in parsed["To"].addresses] == item.rcpt_tos
    assert sorted(address for item in sent.received for address in item.rcpt_tos) == [
        "anna@example.com", "ben@example.com", "boss@example.com", "long@example.com",
        "mallory@example.com", "script@example.com",
    ]  # fmt: skip
    assert sent.result.refused == {
        "eve-at-example.com": "not an e-mail address (Roster, Eve Bad)",
        WALTER: "more than one e-mail address, or an address with other text (Roster, Walter "
                "White)",
    }  # fmt: skip
    assert [str(issue) for issue in sent.report.issues if issue.tab == "Roster"] == [
        "Roster!B7: not an e-mail address: 'eve-at-example.com'",
        "Roster!B10: more than one e-mail address, or an address with other text: "
        "'walter@example.com,victim'",
    ]


# ---------------------------------------------------------------------------------------------
# A server that echoes the login


class EchoingLogin(socketserver.StreamRequestHandler):
    """An SMTP server offering one AUTH mechanism (`server.mechanism`) that refuses every
    login, quoting back what the client sent, as a careless server may."""

    def handle(self) -> None:
        self.say("220 echo.test ESMTP")
        for line in self.rfile:
            said = line.decode("ascii").strip()
            verb = said.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.say(f"250-echo.test\r\n250 AUTH {self.server.mechanism}")  # type: ignore[attr-defined]
            elif verb == "AUTH" and said.upper().startswith("AUTH LOGIN"):
                self.say("334 UGFzc3dvcmQ6")  # "Password:"
                self.say(f"535 5.7.8 login refused: {self.rfile.readline().decode().strip()}")
            elif verb == "AUTH":
                self.say(f"535 5.7.8 login refused: {said}")
            elif verb == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("502 5.5.2 not here")

    def say(self, reply: str) -> None:
        self.wfile.write(reply.encode("ascii") + b"\r\n")


@pytest.fixture
def echoing() -> Iterator[Callable[[str], int]]:
    """Starts an echoing server for a mechanism (PLAIN or LOGIN); its port."""
    servers: list[socketserver.ThreadingTCPServer] = []

    def serve(mechanism: str) -> int:
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), EchoingLogin)
        server.daemon_threads = True
        server.mechanism = mechanism  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return int(server.server_address[1])

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("mechanism", "echo"),
    [("PLAIN", "535 5.7.8 login refused: AUTH PLAIN ***"),
     ("LOGIN", "535 5.7.8 login refused: ***")],
)  # fmt: skip
def test_a_server_echoing_the_login_shows_no_form_of_the_password(
    tmp_path: Path, echoing: Callable[[str], int], mechanism: str, echo: str,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    port = echoing(mechanism)
    path = make_demo(tmp_path / "demo", date(2026, 11, 26))
    smtp = (f"smtp: {{host: 127.0.0.1, port: {port}, security: none, username: mailer, "
            "password_env: TEST_SMTP_PASSWORD, timeout: 5}")  # fmt: skip
    text = path.read_text("utf-8").replace("smtp: {host: localhost, security: none}", smtp)
    path.write_text(text, "utf-8")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
    assert main(["digest", "--config", str(path), "--as-of", "2026-11-26"]) == 2
    stderr = capsys.readouterr().err
    assert f"refused the login of 'mailer' ({echo}); check the password in " in stderr
    sent_log = ledger_path(load_config(path)).read_text("utf-8")
    assert f"({echo})" in sent_log  # the failed message, recorded with the masked reply
    texts = [stderr, sent_log, *(record.getMessage() for record in caplog.records)]
    assert [form for form in PASSWORD_FORMS for text in texts if form in text] == []
