"""Delivery to a real SMTP server (aiosmtpd) on 127.0.0.1, over STARTTLS or implicit TLS with
a throwaway certificate authority (trustme) that only the client's ssl_context trusts, with a
login: what each recipient received, never twice (across a restart and a crash between two
sends), refusals, retries, and no password anywhere."""

from __future__ import annotations

import base64
import logging
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from sheetsync.config.values import Config
from sheetsync.errors import BackendError, ConfigError, UsageError
from sheetsync.notify import DigestResult, Recipient, run_digest
from sheetsync.notify.ledger import Ledger, ledger_path, open_ledger, read_entries
from sheetsync.pipeline import Report
from tests.test_notify_workbook import (
    MANAGERS,
    NOW,
    PASSWORD,
    SCORECARD_REPS,
    email_config,
    team_report,
)

ENV = {"TEST_SMTP_PASSWORD": PASSWORD}
EVERYONE = [*MANAGERS, *SCORECARD_REPS.values()]


# ---------------------------------------------------------------------------------------------
# The server


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class Recorder:
    """The server's handler: records what it accepts; `refuse` answers 550 to RCPT for those
    addresses; `busy[address]` answers 451 to that many DATA commands first; `drop` closes
    the connection after reading a message for that address, without answering."""

    received: list[Received] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    busy: dict[str, int] = field(default_factory=dict)
    drop: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str,
        rcpt_options: list[str],
    ) -> str:  # fmt: skip
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        to = envelope.rcpt_tos[0]
        if self.busy.get(to, 0) > 0:
            self.busy[to] -= 1
            return "451 4.3.0 mailbox busy, try again later"
        raw = envelope.original_content or b""
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage) and envelope.mail_from is not None
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, raw))
        if to in self.drop:
            assert server.transport is not None
            server.transport.close()
        return "250 2.0.0 accepted"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        valid = data.login == b"mailer" and data.password == PASSWORD.encode()
        return AuthResult(success=valid, handled=False)  # not handled: the server answers 535

    def to(self) -> list[str]:
        return [address for item in self.received for address in item.rcpt_tos]


@dataclass
class Server:
    port: int
    recorder: Recorder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def trusted(ca: trustme.CA) -> ssl.SSLContext:
    """A client context that trusts the test's certificate authority (and checks host names)."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture
def start(ca: trustme.CA) -> Iterator[Callable[[str], Server]]:
    """Starts a server: `starttls` (login required, and only after STARTTLS) or `tls`
    (implicit TLS; login offered)."""
    running: list[Controller] = []

    def start_server(security: str) -> Server:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        recorder = Recorder()
        options: dict[str, Any] = {"authenticator": recorder.authenticate,
                                   "server_hostname": "mx.test"}  # fmt: skip
        if security == "starttls":
            options |= {"tls_context": context, "require_starttls": True, "auth_required": True}
        else:
            options |= {"ssl_context": context, "auth_require_tls": False}
        controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        running.append(controller)
        return Server(controller.port, recorder)

    yield start_server
    for controller in running:
        controller.stop()


@dataclass
class Team:
    config: Config
    report: Report
    sleeps: list[float]

    def run(self, context: ssl.SSLContext | None, **options: Any) -> DigestResult:
        return run_digest(self.config, self.report, self.report.roster, now=NOW, env=ENV,
                          sleep=self.sleeps.append, ssl_context=context, **options)  # fmt: skip


def team(tmp_path: Path, port: int, **email: Any) -> Team:
    cfg = email_config(tmp_path, port, **email)
    return Team(cfg, team_report(cfg), [])


def states(cfg: Config) -> dict[str, str]:
    """The sent log: recipient -> state, for the team digest of MANAGERS[0] and scorecards."""
    return {entry["recipient"]: entry["state"] for entry in read_entries(ledger_path(cfg)).values()
            if entry["kind"] == "scorecard" or entry["recipient"] == MANAGERS[0]}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Delivery


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_each_recipient_receives_their_own_message_over_tls_with_a_login(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext, security: str,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    server = start(security)
    run = team(tmp_path, server.port, security=security)
    result = run.run(trusted)
    received = server.recorder.received
    assert [item.rcpt_tos for item in received] == [[address] for address in EVERYONE]
    assert result.sent == [Recipient("team_digest", m) for m in MANAGERS] + [
        Recipient("scorecard", address, rep) for rep, address in SCORECARD_REPS.items()
    ]
    assert result.refused == {"eve-at-example.com": "not an e-mail address (Roster, Eve Bad)"}
    for item, address in zip(received, EVERYONE, strict=True):
        message = item.message
        assert item.mail_from == "kpi@example.com"
        assert message["To"].addresses[0].addr_spec == address
        assert message["From"] == "Sales KPIs <kpi@example.com>"
        assert message.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
        kind = "Sales digest" if address in MANAGERS else "Your scorecard"
        assert message["Subject"] == f"{kind}, as of 2026-11-18"
    anna = received[EVERYONE.index("anna@example.com")].message.get_body(("plain",))
    assert anna is not None and "Hi Anna Nowak," in str(anna.get_content())
    assert server.recorder.logins == [(b"mailer", PASSWORD.encode())]  # one connection, reused
    assert_no_password(run.config, result, received, caplog)


def assert_no_password(
    cfg: Config, result: DigestResult, received: list[Received], caplog: pytest.LogCaptureFixture
) -> None:
    """The password is in no log record at all (the server's included); neither it nor the
    base64 forms AUTH sends it in are in any message, sheetsync's log records, the result or
    the sent log."""
    assert [r.getMessage() for r in caplog.records if PASSWORD in r.getMessage()] == []
    forms = [PASSWORD, base64.b64encode(PASSWORD.encode()).decode(),
             base64.b64encode(f"\0mailer\0{PASSWORD}".encode()).decode()]  # fmt: skip
    texts = [item.raw.decode("utf-8", "replace") for item in received] + [repr(result)]
    texts += [record.getMessage() for record in caplog.records
              if record.name.startswith("sheetsync")]  # fmt: skip
    if ledger_path(cfg).exists():
        texts.append(ledger_path(cfg).read_text("utf-8"))
    assert [form for form in forms for text in texts if form in text] == []


def test_nothing_is_sent_twice_across_a_restart(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext
) -> None:
    server = start("starttls")
    run = team(tmp_path, server.port)
    first = run.run(trusted)
    again = team(tmp_path, server.port).run(trusted)  # a new process: config and report anew
    assert len(first.sent) == 5 and again.sent == [] and again.skipped == first.sent
    assert server.recorder.to() == EVERYONE
    assert set(states(run.config).values()) == {"sent"}


class Crash(BaseException):
    """The process dying (nothing catches it)."""


def test_a_crash_between_two_sends_sends_neither_message_twice(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    server = start("starttls")
    run = team(tmp_path, server.port)
    recorded = Ledger.sent
    calls = []

    def crash_on_the_second(ledger: Ledger, *args: Any) -> None:
        calls.append(args)
        if len(calls) == 2:  # the server took the second message; the process dies before
            raise Crash  # the sent log says so
        recorded(ledger, *args)

    monkeypatch.setattr(Ledger, "sent", crash_on_the_second)
    with pytest.raises(Crash):
        run.run(trusted)
    assert server.recorder.to() == EVERYONE[:2]
    monkeypatch.setattr(Ledger, "sent", recorded)
    result = team(tmp_path, server.port).run(trusted)  # the restart
    assert result.skipped == [Recipient("team_digest", MANAGERS[0])]
    assert result.unconfirmed == [Recipient("team_digest", MANAGERS[1])]
    assert [r.address for r in result.sent] == EVERYONE[2:]
    assert server.recorder.to() == EVERYONE  # each exactly once
    third = team(tmp_path, server.port).run(trusted)
    assert third.sent == [] and third.unconfirmed == result.unconfirmed
    assert server.recorder.to() == EVERYONE


def test_a_connection_lost_after_the_data_is_not_sent_again(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    server = start("starttls")
    server.recorder.drop = {"anna@example.com"}
    run = team(tmp_path, server.port)
    result = run.run(trusted)
    anna = Recipient("scorecard", "anna@example.com", "Anna Nowak")
    assert result.unconfirmed == [anna] and anna not in result.sent
    assert [r.getMessage() for r in caplog.records if "may or may not" in r.getMessage()] == [
        f"{anna}: the connection was lost while the message was being sent "
        "(SMTPServerDisconnected: Connection unexpectedly closed); it may or may not have "
        "arrived, so it is not sent again"
    ]
    assert server.recorder.to() == EVERYONE  # the others went on a new connection
    assert team(tmp_path, server.port).run(trusted).unconfirmed == [anna]
    assert server.recorder.to().count("anna@example.com") == 1
    assert server.recorder.logins == [(b"mailer", PASSWORD.encode())] * 2
    assert states(run.config)["anna@example.com"] == "pending"


def test_a_refused_recipient_does_not_stop_the_others(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext
) -> None:
    server = start("starttls")
    server.recorder.refuse = {"ben@example.com"}
    run = team(tmp_path, server.port)
    result = run.run(trusted)
    assert server.recorder.to() == [a for a in EVERYONE if a != "ben@example.com"]
    assert result.refused["ben@example.com"].startswith("the server refused the recipient: 550")
    assert run.sleeps == []  # a permanent refusal is not retried
    assert states(run.config)["ben@example.com"] == "failed"
    server.recorder.refuse = set()  # the mailbox exists now: the next run sends it only
    again = team(tmp_path, server.port).run(trusted)
    assert [r.address for r in again.sent] == ["ben@example.com"]
    assert server.recorder.to().count("ben@example.com") == 1


def test_a_temporary_failure_is_retried_with_backoff(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext
) -> None:
    server = start("starttls")
    server.recorder.busy = {"anna@example.com": 2, "ben@example.com": 99}
    run = team(tmp_path, server.port)
    result = run.run(trusted)
    assert run.sleeps == [2.0, 4.0, 2.0, 4.0, 8.0]  # Anna: 2 retries; Ben: gave up after 4
    assert server.recorder.to().count("anna@example.com") == 1
    assert "ben@example.com" not in server.recorder.to()
    assert result.refused["ben@example.com"] == (
        "temporary failure, gave up after 4 tries: the server refused the message: "
        "451 4.3.0 mailbox busy, try again later"
    )
    assert [r.address for r in result.sent] == [a for a in EVERYONE if a != "ben@example.com"]


def test_an_unreachable_server_stops_the_run_and_the_next_run_sends_everything(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext
) -> None:
    port = free_port()  # nothing listens there yet
    run = team(tmp_path, port)
    with pytest.raises(BackendError, match=r"127\.0\.0\.1:\d+: temporary failure, gave up "
                                           r"after 4 tries: ConnectionRefusedError"):  # fmt: skip
        run.run(trusted)
    assert run.sleeps == [2.0, 4.0, 8.0]
    assert states(run.config) == {MANAGERS[0]: "failed"}
    server = start("starttls")
    result = team(tmp_path, server.port).run(trusted)
    assert [r.address for r in result.sent] == EVERYONE


def test_a_certificate_the_client_does_not_trust_sends_nothing(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext
) -> None:
    server = start("tls")
    run = team(tmp_path, server.port, security="tls")
    with pytest.raises(BackendError, match=r"the TLS certificate does not verify"):
        run.run(ssl.create_default_context())  # the system's authorities only
    assert server.recorder.received == [] and run.sleeps == []
    assert [r.address for r in run.run(trusted).sent] == EVERYONE


def test_a_missing_password_variable_is_named_and_nothing_is_sent(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext
) -> None:
    server = start("starttls")
    run = team(tmp_path, server.port, password_env="NOT_SET_ANYWHERE")
    with pytest.raises(ConfigError, match=r"email\.smtp\.password_env: the environment "
                                          r"variable NOT_SET_ANYWHERE is not set"):  # fmt: skip
        run.run(trusted)
    assert server.recorder.received == [] and not ledger_path(run.config).exists()


def test_a_refused_login_stops_the_run_without_showing_the_password(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    server = start("starttls")
    run = team(tmp_path, server.port, username="someone-else")
    with pytest.raises(ConfigError, match=r"email\.smtp\.username: .* refused the login of "
                                          r"'someone-else' \(535") as raised:  # fmt: skip
        run.run(trusted)
    assert PASSWORD not in str(raised.value) and server.recorder.received == []
    assert_no_password(run.config, DigestResult(""), [], caplog)


def test_a_second_run_cannot_use_the_sent_log_while_one_holds_it(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext
) -> None:
    server = start("starttls")
    run = team(tmp_path, server.port)
    with open_ledger(ledger_path(run.config)), pytest.raises(UsageError, match="another"):
        run.run(trusted)
    assert server.recorder.received == []


def test_an_unreadable_sent_log_stops_the_run_instead_of_sending_again(
    tmp_path: Path, start: Callable[[str], Server], trusted: ssl.SSLContext
) -> None:
    server = start("starttls")
    run = team(tmp_path, server.port)
    ledger_path(run.config).write_text("{ half a file", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"email\.sent_log: the sent log cannot be read"):
        run.run(trusted)
    assert server.recorder.received == []
