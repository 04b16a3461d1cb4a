"""The `email:` section: team digests for managers and personal scorecards for reps, sent by
SMTP (`sheetsync digest`, or the daemon on `email.schedule`).

The SMTP password is read from the environment variable `email.smtp.password_env`, never from
the config text.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema

from sheetsync.addresses import one_address
from sheetsync.config import rules
from sheetsync.config.bounds import Port, SmtpTimeout
from sheetsync.config.daemon import SCHEDULE, snapshot_schedule
from sheetsync.config.fields import OptionalText, Text
from sheetsync.config.section import Section
from sheetsync.config.values import EmailConfig, SmtpConfig, SnapshotSchedule

__all__ = ["EmailFile", "email_config"]


def address(value: Any) -> str:
    """Exactly one plain address (sheetsync.addresses), as the digest sends to it."""
    try:
        return one_address(str(value))
    except ValueError as exc:
        raise rules.problem(f"{value!r}: {exc}; write one address like anna@example.com") from None


def addresses(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Address = Annotated[str, BeforeValidator(address)]
Schedule = Annotated[
    SnapshotSchedule | None, BeforeValidator(snapshot_schedule),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": SCHEDULE.pattern}, {"const": False}]}),
]  # fmt: skip


class SmtpFile(Section):
    """The mail server."""

    host: Text
    """The SMTP server's host name."""
    port: Port | None = None
    """Default: 587 with starttls, 465 with tls, 25 with none."""
    security: Literal["starttls", "tls", "none"] = "starttls"
    """starttls (port 587), tls (implicit TLS, port 465), or none (a local relay only)."""
    username: OptionalText = None
    """The login; default: no login."""
    password_env: Text = "SHEETSYNC_SMTP_PASSWORD"
    """The environment variable holding the password (never put it in the config)."""
    timeout: SmtpTimeout = 30.0
    """Seconds to wait for the server (1 to 600)."""


class EmailFile(Section):
    """E-mail: who gets what, when, and through which server."""

    sender: Address
    """The From address."""
    sender_name: Text = "sheetsync"
    """The From name."""
    managers: Annotated[list[Address], BeforeValidator(addresses)] = Field(default_factory=list)
    """Who gets the team digest."""
    scorecards: bool = True
    """Send each active rep with an e-mail in the Roster their personal scorecard."""
    reps_see_ranking: bool = True
    """Whether a rep's scorecard shows the team ranking and their rank (some teams hide it)."""
    schedule: Schedule = SnapshotSchedule("week", 7, 0, weekday=0)
    """When the daemon sends: 'weekly on monday at 07:00', 'monthly on 1 at 07:00', 'daily
    at 07:00', or false."""
    link: OptionalText = None
    """The link in the messages; default: the spreadsheet's URL, or the workbook's path."""
    templates: OptionalText = None
    """A folder whose templates (same names as the built-in ones) replace the built-in ones."""
    sent_log: OptionalText = None
    """Where what was sent is recorded (default: .<config name>.sent.json beside the config)."""
    smtp: SmtpFile = Field(description="The SMTP server that sends the messages.")


def email_config(section: EmailFile | None) -> EmailConfig | None:
    if section is None:
        return None
    smtp = section.smtp
    port = smtp.port or {"starttls": 587, "tls": 465, "none": 25}[smtp.security]
    return EmailConfig(
        sender=section.sender, sender_name=section.sender_name,
        managers=tuple(section.managers), scorecards=section.scorecards,
        reps_see_ranking=section.reps_see_ranking, schedule=section.schedule,
        link=section.link, templates=section.templates, sent_log=section.sent_log,
        smtp=SmtpConfig(smtp.host, port, smtp.security, smtp.username, smtp.password_env,
                        smtp.timeout),
    )  # fmt: skip
