"""Every number the daemon or a command uses is refused by the loader (so by `check`) outside the
range sheetsync can run with, with the file, the key path and the range in the message; the
JSON Schema carries the same ranges."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from sheetsync.config.bounds import MAX_TEXT, YEAR
from sheetsync.config.loading import parse_config
from sheetsync.config.schema import json_schema
from sheetsync.config.values import Config
from sheetsync.errors import ConfigError
from tests.helpers import with_extra

BASE = """\
source: {type: xlsx, path: team.xlsx}
activity: {numbers: {calls: Calls}}
kpis: {calls: {kind: sum, column: calls}}
"""
SMTP = "email: {sender: a@example.com, smtp: {host: mail.example.com, %s}}"


def load(extra: str) -> Config:
    return parse_config(with_extra(extra + "\n", BASE), Path("team.yaml"))


def error_of(extra: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(extra)
    assert caught.value.exit_code == 2
    return str(caught.value)


DAY = "must be from 1 second to 365 days"


OUT_OF_RANGE = [
        ("daemon: {poll: 0s}", "daemon.poll: must be from 10 seconds to 365 days, got 0 seconds; "
                               "false switches polling off"),
        ("daemon: {poll: 0}", "daemon.poll: must be from 10 seconds to 365 days, got 0 seconds"),
        ("daemon: {poll: -1}", "daemon.poll: must be from 10 seconds to 365 days, got -1 seconds"),
        ("daemon: {poll: 5s}", "daemon.poll: must be from 10 seconds to 365 days, got 5 seconds"),
        ("daemon: {every: 99999999999999999999}",
         "daemon.every: must be from 30 seconds to 365 days, got 99999999999999999999 seconds"),
        ("daemon: {every: 99999999999999999999s}",
         "daemon.every: must be from 30 seconds to 365 days, got 99999999999999999999 seconds"),
        ("daemon: {every: 366d}", "daemon.every: must be from 30 seconds to 365 days, got "
                                  "31622400 seconds"),
        ("daemon: {poll: 99999999999999999999}", "daemon.poll: must be from 10 seconds to 365 "),
        ("daemon: {retry_first: 0}", f"daemon.retry_first: {DAY}, got 0 seconds"),
        ("daemon: {retry_max: 8761h}", f"daemon.retry_max: {DAY}, got 31539600 seconds"),
        ("daemon: {stale_after: 99999999999999999999}", f"daemon.stale_after: {DAY}, got 9999"),
        ("daemon: {quota: {reads_per_minute: 0}}",
         "daemon.quota.reads_per_minute: must be from 1 to 100000, got 0"),
        ("daemon: {quota: {writes_per_minute: 99999999999}}",
         "daemon.quota.writes_per_minute: must be from 1 to 100000, got 99999999999"),
        ("daemon: {quota: {margin: 0}}",
         "daemon.quota.margin: must be above 0 and at most 1, got 0"),
        ("daemon: {quota: {margin: .nan}}", "daemon.quota.margin: must be above 0 and at most 1"),
        ("daemon: {http: '127.0.0.1:99999'}", "daemon.http: '127.0.0.1:99999' is not host:port"),
        (SMTP % "timeout: 0", "email.smtp.timeout: must be from 1 to 600, got 0"),
        (SMTP % "timeout: .inf", "email.smtp.timeout: must be from 1 to 600, got inf"),
        (SMTP % "port: 70000", "email.smtp.port: must be from 1 to 65535, got 70000"),
        ("source: {type: xlsx, path: a.xlsx, limits: {unpacked_mb: 99999999}}",
         "source.limits.unpacked_mb: must be from 1 to 16384, got 99999999"),
        ("source: {type: xlsx, path: a.xlsx, limits: {part_mb: 5000}}",
         "source.limits.part_mb: must be from 1 to 4096, got 5000"),
        ("source: {type: xlsx, path: a.xlsx, limits: {ratio: 1.0e+12}}",
         "source.limits.ratio: must be from 1 to 10000, got 1000000000000.0"),
        ("source: {type: xlsx, path: a.xlsx, limits: {cells_per_tab: 999999999999}}",
         "source.limits.cells_per_tab: must be from 1 to 250000000, got 999999999999"),
        ("source: {type: google, spreadsheet: abc, deadline_seconds: .nan}",
         "source.deadline_seconds: must be from 10 to 3600, got nan"),
        ("status: {on_track: .nan}", "status.on_track: must be from 0 to 10, got nan"),
        ("ranking: {cap: .inf}", "ranking.cap: must be from 0.01 to 100, got inf"),
        ("ranking: {weights: {calls: 1.0e+300}}", "ranking.weights.calls: must be from 0 to 1000"),
        ("output: {history_max_rows: 99999999999999}",
         "output.history_max_rows: must be from 1000 to 1048575, got 99999999999999"),
        (f"total_label: {'x' * (MAX_TEXT + 1)}",
         "total_label: a text of 4,097 characters; at most 4,096 are allowed (line 4)"),
        (f"locale: {{date_formats: ['%d{'x' * MAX_TEXT}']}}",
         "locale.date_formats[0]: a text of 4,098 characters; at most 4,096 are allowed"),
]  # fmt: skip


@pytest.mark.parametrize(("extra", "message"), OUT_OF_RANGE)
def test_a_value_out_of_range_is_refused_with_the_range(extra: str, message: str) -> None:
    assert error_of(extra).startswith(f"team.yaml: {message}")


@pytest.mark.parametrize(
    ("extra", "key", "value"),
    [
        ("daemon: {every: 30s}", "every", 30),
        ("daemon: {every: 365d}", "every", YEAR),
        ("daemon: {every: 2 days}", "every", 2 * 86400),
        ("daemon: {poll: 10s}", "poll", 10),
        ("daemon: {poll: false}", "poll", None),
        ("daemon: {retry_max: 1s}", "retry_max", 1),
        ("daemon: {stale_after: 8760h}", "stale_after", YEAR),
    ],
)
def test_the_ends_of_each_range_are_allowed(extra: str, key: str, value: Any) -> None:
    assert getattr(load(extra).daemon, key) == value


def test_the_values_refuse_what_the_file_refuses() -> None:
    """A library user's `dataclasses.replace` cannot make a config the daemon cannot run."""
    daemon = load("").daemon
    changes: list[dict[str, Any]] = [
        {"poll": 0},
        {"every": 10**20},
        {"retry_max": YEAR + 1},
        {"http": ("127.0.0.1", 70000)},
    ]
    for change in changes:
        with pytest.raises(ValidationError):
            dataclasses.replace(daemon, **change)
    assert dataclasses.replace(daemon, poll=None, every=YEAR).every == YEAR


def _properties(schema: dict[str, Any], section: str) -> dict[str, Any]:
    properties: dict[str, Any] = schema["$defs"][section]["properties"]
    return properties


def test_the_schema_carries_the_ranges() -> None:
    schema = json_schema()
    daemon = _properties(schema, "DaemonFile")
    every = daemon["every"]["anyOf"][0]
    assert (every["minimum"], every["maximum"]) == (30, YEAR)
    assert daemon["poll"]["anyOf"][0]["anyOf"][0]["minimum"] == 10
    assert daemon["retry_max"]["anyOf"][0]["maximum"] == YEAR
    limits = _properties(schema, "XlsxLimitsFile")
    assert [limits[key]["maximum"] for key in ("unpacked_mb", "part_mb", "ratio", "cells_per_tab")
            ] == [16384, 4096, 10000, 250_000_000]  # fmt: skip
    smtp = _properties(schema, "SmtpFile")
    assert (smtp["timeout"]["minimum"], smtp["timeout"]["maximum"]) == (1, 600)
    assert schema["properties"]["total_label"]["maxLength"] == MAX_TEXT
