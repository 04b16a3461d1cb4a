"""Delivery over SMTP (smtplib), one message and one recipient at a time.

`email.smtp.security`: `starttls` connects in plain text and upgrades with STARTTLS, `tls`
connects with implicit TLS (SMTP_SSL), `none` never encrypts (a local relay only). TLS uses
the given `ssl.SSLContext` (default: the system's trusted certificates, host names checked).
With `username`, the client logs in with the password from the environment variable
`password_env`; the password is never put in a message, a log record or an exception text,
in any form: what the server answers is masked (`***`) wherever the password, its base64
(AUTH LOGIN) or the base64 of NUL user NUL password (AUTH PLAIN) appears in it, since a
server may echo what it was sent.
Every network wait is bounded by `timeout`.

What happens to a message (`Mailer.send`):

- accepted (250 after DATA): `Outcome(accepted=True)`;
- a permanent refusal (5xx to MAIL, RCPT or DATA): `Outcome(accepted=False, reason=...)`,
  and the connection stays open for the next message;
- a temporary failure (a 4xx reply, a lost connection or a timeout before the message data
  was sent, a refused connection): tried again, at most `TRIES` times in all, waiting
  `FIRST_DELAY` seconds, then twice as long each time, through the injected `sleep`. When
  the tries run out on a recipient's 4xx, the outcome is a refusal; when they run out
  because the server cannot be reached or keeps dropping the connection, `BackendError`;
- the connection lost while the message data was being sent or acknowledged: the server may
  or may not have taken it, so it is never sent again: `Outcome(accepted=False,
  certain=False)` (at most once, see notify.ledger);
- a login the server refuses, or a server without STARTTLS or AUTH: `ConfigError`; a
  certificate that does not verify: `BackendError`. These are never retried.

`BackendError` and `ConfigError` are only raised before any data of the message was sent.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType

from sheetsync.config.values import Config, SmtpConfig
from sheetsync.errors import BackendError, ConfigError

__all__ = ["FIRST_DELAY", "TRIES", "Mailer", "Outcome", "password_forms", "smtp_password"]

log = logging.getLogger("sheetsync.notify")

TRIES = 4
FIRST_DELAY = 2.0


@dataclass(frozen=True)
class Outcome:
    """What became of one message; `certain` is False when nobody knows whether it went."""

    accepted: bool
    reason: str = ""
    certain: bool = True


class _Temporary(Exception):
    """A failure worth another try; `connection`: the server could not be reached or used."""

    def __init__(self, reason: str, *, connection: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.connection = connection


def smtp_password(config: Config, env: Mapping[str, str]) -> str | None:
    """The password from `email.smtp.password_env` (None without `username`); a ConfigError
    naming the variable when it is not set."""
    assert config.email is not None
    smtp = config.email.smtp
    if not smtp.username:
        return None
    password = env.get(smtp.password_env)
    if not password:
        raise ConfigError(str(config.path or "config"), "email.smtp.password_env",
                          f"the environment variable {smtp.password_env} is not set; it must "
                          f"hold the SMTP password of {smtp.username!r}")  # fmt: skip
    return password


def _reply(code: int, text: bytes | str) -> str:
    shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(shown.split())}".strip()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class Mailer:
    """One SMTP connection, opened on the first message and reused; use it as a context
    manager so the connection is closed."""

    def __init__(
        self, config: Config, *, password: str | None, context: ssl.SSLContext | None = None,
        sleep: Callable[[float], None],
    ) -> None:  # fmt: skip
        assert config.email is not None
        self.smtp: SmtpConfig = config.email.smtp
        self.sender = config.email.sender
        self.file = str(config.path or "config")
        self.password = password
        self.secrets = password_forms(self.smtp.username or "", password)
        self.context = context or ssl.create_default_context()
        self.sleep = sleep
        self.where = f"{self.smtp.host}:{self.smtp.port}"
        self.conn: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """QUIT (or just drop) the connection."""
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()

    def send(self, message: EmailMessage, to: str) -> Outcome:
        """Send `message` to the one address `to` (see the module doc for the outcomes)."""
        payload = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        failure = _Temporary("", connection=True)
        for attempt in range(TRIES):
            if attempt:
                delay = FIRST_DELAY * 2 ** (attempt - 1)
                log.warning("%s: %s; trying again in %g s (%d of %d)", to,
                            self._scrub(failure.reason), delay, attempt + 1, TRIES)  # fmt: skip
                self.sleep(delay)
            try:
                return self._attempt(payload, to)
            except _Temporary as exc:
                self._drop()
                failure = exc
        reason = self._scrub(f"temporary failure, gave up after {TRIES} tries: {failure.reason}")
        if failure.connection:
            raise BackendError(f"SMTP server {self.where}: {reason}")
        return Outcome(False, reason)

    def _attempt(self, payload: bytes, to: str) -> Outcome:
        conn = self._connection()
        refused = self._envelope(conn, to)
        if refused is not None:
            self._reset(conn)
            return refused
        return self._data(conn, payload)

    def _envelope(self, conn: smtplib.SMTP, to: str) -> Outcome | None:
        """MAIL FROM and RCPT TO; a refusal, or None when the server will take the data."""
        try:
            code, text = conn.mail(self.sender)
            if code != 250:
                return self._refusal("sender", code, text)
            code, text = conn.rcpt(to)
        except (smtplib.SMTPException, OSError) as exc:
            raise _Temporary(_describe(exc), connection=True) from exc
        return None if code in (250, 251) else self._refusal("recipient", code, text)

    def _data(self, conn: smtplib.SMTP, payload: bytes) -> Outcome:
        try:
            code, text = conn.data(payload)
        except smtplib.SMTPDataError as exc:  # DATA itself refused: nothing was sent
            return self._refusal("message", exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            lost = (f"the connection was lost while the message was being sent ({_describe(exc)}); "
                    "it may or may not have arrived, so it is not sent again")  # fmt: skip
            return Outcome(False, self._scrub(lost), certain=False)
        return Outcome(True) if code == 250 else self._refusal("message", code, text)

    def _refusal(self, what: str, code: int, text: bytes | str) -> Outcome:
        """A 5xx reply as a refusal; a 4xx reply (or anything else) as a temporary failure."""
        reason = f"the server refused the {what}: {_reply(code, text)}"
        if 500 <= code < 600:
            return Outcome(False, self._scrub(reason))
        raise _Temporary(reason, connection=False)

    def _connection(self) -> smtplib.SMTP:
        if self.conn is None:
            self.conn = self._guarded_open()
        return self.conn

    def _guarded_open(self) -> smtplib.SMTP:
        """`_open`, its failures sorted into retried and final ones (see the module doc)."""
        try:
            return self._open()
        except smtplib.SMTPAuthenticationError as exc:
            raise ConfigError(self.file, "email.smtp.username", self._scrub(
                f"the SMTP server {self.where} refused the login of {self.smtp.username!r} "
                f"({_describe(exc)}); check the password in ${self.smtp.password_env}"
            )) from None  # fmt: skip
        except smtplib.SMTPNotSupportedError as exc:
            said = self._scrub(f"the SMTP server {self.where}: {exc}")
            raise ConfigError(self.file, "email.smtp.security", said) from None
        except ssl.SSLCertVerificationError as exc:
            raise BackendError(f"SMTP server {self.where}: the TLS certificate does not verify "
                               f"({exc.verify_message})") from None  # fmt: skip
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise _Temporary(_describe(exc), connection=True) from exc
            raise BackendError(self._scrub(f"SMTP server {self.where}: {_describe(exc)}")) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise _Temporary(_describe(exc), connection=True) from exc

    def _open(self) -> smtplib.SMTP:
        smtp = self.smtp
        conn: smtplib.SMTP
        if smtp.security == "tls":
            conn = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout,
                                    context=self.context)  # fmt: skip
        else:
            conn = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        try:
            conn.ehlo()
            if smtp.security == "starttls":
                conn.starttls(context=self.context)
                conn.ehlo()
            if smtp.username:
                conn.login(smtp.username, self.password or "")
        except BaseException:
            conn.close()
            raise
        return conn

    def _reset(self, conn: smtplib.SMTP) -> None:
        """RSET after a refusal, so the connection can carry the next message."""
        try:
            conn.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()

    def _scrub(self, text: str) -> str:
        """`text` without the password in any form a server might echo (password_forms)."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def password_forms(username: str, password: str | None) -> tuple[str, ...]:
    """Every form in which the password goes to the server, longest first: as it is, base64
    of it (AUTH LOGIN), and base64 of NUL username NUL password (AUTH PLAIN), each also
    without the `=` padding (a server may echo it trimmed)."""
    if not password:
        return ()
    plain = f"\0{username}\0{password}".encode()
    encoded = [base64.b64encode(data).decode("ascii") for data in (password.encode(), plain)]
    forms = {password, *encoded, *(form.rstrip("=") for form in encoded)}
    return tuple(sorted(forms, key=len, reverse=True))
