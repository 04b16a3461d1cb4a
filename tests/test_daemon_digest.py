"""The daemon sends the e-mail digest on its schedule, once, to a real SMTP server on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from sheetsync.config.loading import load_config
from sheetsync.daemon.loop import Daemon
from sheetsync.daemon.runner import Outcome
from sheetsync.demo import make_demo


class Inbox:
    def __init__(self) -> None:
        self.to: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.to += list(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_the_digest_goes_out_once_on_its_day(tmp_path: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    path = make_demo(tmp_path / "demo", date(2026, 11, 26))
    text = path.read_text().replace("smtp: {host: localhost, security: none}",
                                    f"smtp: {{host: 127.0.0.1, port: {port}, security: none}}\n"
                                    "  schedule: weekly on thursday at 07:00")  # fmt: skip
    path.write_text(text)
    config = load_config(path)
    outcomes: list[Outcome] = []
    at = [datetime(2026, 11, 26, 5, 0, tzinfo=UTC)]  # Thursday 06:00 in Warsaw: not yet
    daemon = Daemon([config], now=lambda: at[0], threaded=False, listener=outcomes.append)
    daemon.run_once()
    assert inbox.to == []
    at[0] = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)  # 08:00: due
    daemon.run_once()
    daemon.run_once()  # sent today already: not again
    digests = [o for o in outcomes if o.reason == "digest"]
    assert [o.result for o in digests] == ["sent"]
    # the manager's digest and 9 scorecards (Emma Schulz is inactive)
    assert len(inbox.to) == 10 and "manager@example.com" in inbox.to
