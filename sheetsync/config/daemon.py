"""The `daemon:` section: how often `sheetsync daemon` refreshes a spreadsheet, when it takes
History snapshots, and the process-wide settings (HTTP trigger, API quota).

Durations are a number and a unit: `30s`, `5m`, `1h`, `2d` (or `90 minutes`), from a second
(`every`: 30 seconds, `poll`: 10) to a year (365 days; see `bounds`). Snapshot schedules:
`daily at 18:00`, `weekly on friday at 17:30`, `monthly on 1 at 07:00` (days 1 to 28, so
every month has the day), or false. Times are in the config's `calendar.timezone`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from sheetsync.config import rules
from sheetsync.config.bounds import EVERY_MIN, POLL_MIN, YEAR, PerMinute, Share
from sheetsync.config.fields import OptionalText, Text
from sheetsync.config.section import Section
from sheetsync.config.values import DaemonConfig, QuotaConfig, SnapshotSchedule

__all__ = ["DaemonConfig", "DaemonFile", "QuotaConfig", "SnapshotSchedule", "daemon_config"]

UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
         "hour": 3600, "d": 86400, "day": 86400}  # fmt: skip
DURATION = re.compile(r"^\s*(\d+)\s*([a-z]+?)s?\s*$")
SCHEDULE = re.compile(
    r"^\s*(?:(daily)|(weekly)\s+on\s+(\w+)|(monthly)\s+on\s+(\d{1,2}))\s+at\s+(\d{1,2}):(\d{2})\s*$"
)
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HOST_PORT = re.compile(r"^\s*(\[[0-9a-fA-F:]+\]|[\w.-]+):(\d{1,5})\s*$")


def seconds(value: Any) -> int:
    """A duration in seconds from `30s`, `5m`, `1h`, `90 minutes` or a number of seconds."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = DURATION.match(str(value).lower())
    unit = UNITS.get(match.group(2)) if match else None
    if match is None or unit is None:
        raise rules.problem(f"{value!r} is not a duration; write a number and a unit: 30s, 5m, 1h")
    return int(match.group(1)) * unit


def within(low: int, off: str = "") -> Callable[[int | None], int | None]:
    """A check that a duration is from `low` seconds to a year (None passes: switched off);
    `off`: how to switch the setting off, said in the message."""

    def check(value: int | None) -> int | None:
        if value is not None and not low <= value <= YEAR:
            raise rules.problem(f"must be from {_span(low)} to {_span(YEAR)}, got {value} "
                                f"seconds{off}")  # fmt: skip
        return value

    return check


def _span(value: int) -> str:
    """`1 second`, `30 seconds`, `365 days`."""
    if value % 86400 == 0:
        return f"{value // 86400} days"
    return "1 second" if value == 1 else f"{value} seconds"


def optional_seconds(value: Any) -> int | None:
    return None if value is None or value is False else seconds(value)


def duration_schema(low: int) -> dict[str, Any]:
    """A duration's JSON Schema: seconds from `low` to a year, or text like 5m."""
    return {"anyOf": [{"type": "integer", "minimum": low, "maximum": YEAR},
                      {"type": "string", "pattern": DURATION.pattern}]}  # fmt: skip


Duration = Annotated[int, BeforeValidator(seconds), AfterValidator(within(1)),
                     WithJsonSchema(duration_schema(1))]  # fmt: skip
Interval = Annotated[int, BeforeValidator(seconds), AfterValidator(within(EVERY_MIN)),
                     WithJsonSchema(duration_schema(EVERY_MIN))]  # fmt: skip
POLL_SCHEMA = {"anyOf": [duration_schema(POLL_MIN), {"const": False}]}
PollInterval = Annotated[
    int | None, BeforeValidator(optional_seconds),
    AfterValidator(within(POLL_MIN, "; false switches polling off")), WithJsonSchema(POLL_SCHEMA),
]  # fmt: skip


def snapshot_schedule(value: Any) -> SnapshotSchedule | None:
    """`daily at 18:00`, `weekly on friday at 17:30`, `monthly on 1 at 07:00`, or false."""
    if value is None or value is False:
        return None
    if isinstance(value, SnapshotSchedule):
        return value
    match = SCHEDULE.match(str(value).lower())
    if match is None:
        raise rules.problem(f"{value!r} is not a schedule; write 'daily at 18:00', 'weekly on "
                            "friday at 17:30' or 'monthly on 1 at 07:00' (or false)")  # fmt: skip
    daily, weekly, weekday, monthly, day, hour, minute = match.groups()
    if int(hour) > 23 or int(minute) > 59:
        raise rules.problem(f"{value!r}: the time must be HH:MM from 00:00 to 23:59")
    if weekly:
        found = [i for i, name in enumerate(WEEKDAY_NAMES) if name.startswith(weekday[:3])]
        if len(weekday) < 3 or not found or not WEEKDAY_NAMES[found[0]].startswith(weekday):
            raise rules.problem(f"{value!r}: {weekday!r} is not a weekday (monday ... sunday)")
        return SnapshotSchedule("week", int(hour), int(minute), weekday=found[0])
    if monthly:
        if not 1 <= int(day) <= 28:
            raise rules.problem(f"{value!r}: the day of the month must be 1 to 28 (every month "
                                "has it)")  # fmt: skip
        return SnapshotSchedule("month", int(hour), int(minute), day=int(day))
    assert daily
    return SnapshotSchedule("day", int(hour), int(minute))


def host_port(value: Any) -> tuple[str, int] | None:
    """`127.0.0.1:8787` (or `localhost:8787`, `[::1]:8787`); false for none."""
    if value is None or value is False:
        return None
    match = HOST_PORT.match(str(value))
    if match is None or not 1 <= int(match.group(2)) <= 65535:
        raise rules.problem(f"{value!r} is not host:port, like 127.0.0.1:8787")
    return match.group(1).strip("[]"), int(match.group(2))


Schedule = Annotated[
    SnapshotSchedule | None, BeforeValidator(snapshot_schedule),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": SCHEDULE.pattern}, {"const": False}]}),
]  # fmt: skip
HostPort = Annotated[
    tuple[str, int] | None, BeforeValidator(host_port),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": HOST_PORT.pattern},
                              {"const": False}, {"type": "null"}]}),
]  # fmt: skip


class QuotaFile(Section):
    """The Sheets API budget shared by every spreadsheet of one daemon process (Google's
    default per-user quota is 60 read and 60 write requests a minute)."""

    reads_per_minute: PerMinute = 60
    """Read requests a minute the process may send."""
    writes_per_minute: PerMinute = 60
    """Write requests a minute the process may send."""
    margin: Share = 0.9
    """The share of each budget used, so that other tools of the same account keep some."""


class DaemonFile(Section):
    """`sheetsync daemon`: when this spreadsheet is refreshed and snapshotted."""

    name: OptionalText = None
    """The spreadsheet's name in logs, metrics and `POST /refresh/<name>`; default: the config
    file's name without .yaml."""
    every: Interval = 300
    """How often to refresh: 5m, 1h... (30s to 365d)."""
    snapshot: Schedule = SnapshotSchedule("day", 18, 0)
    """When to add a History snapshot: 'daily at 18:00', 'weekly on friday at 17:30',
    'monthly on 1 at 07:00', or false."""
    poll: PollInterval = 60
    """How often to look at the Sync status tab's "Refresh now" checkbox (one cheap read; 10s
    to 365d), or false."""
    retry_first: Duration = 60
    """The wait before retrying a failed refresh; it doubles with each failure in a row (1s to
    365d)."""
    retry_max: Duration = 3600
    """The longest wait between retries (1s to 365d)."""
    stale_after: Duration = 1800
    """GET /healthz answers 503 when a spreadsheet has failed for longer than this (1s to
    365d)."""
    state_file: OptionalText = None
    """Where the daemon keeps what it last wrote (default: .<config name>.state.json beside the
    config)."""
    http: HostPort = None
    """Process-wide: serve POST /refresh/<name>, GET /healthz and GET /metrics here, like
    127.0.0.1:8787 (default: no HTTP)."""
    token_env: Text = "SHEETSYNC_TOKEN"
    """Process-wide: the environment variable holding the bearer token POST /refresh needs."""
    quota: QuotaFile = Field(default_factory=QuotaFile)
    """Process-wide: the Sheets API budget."""


def daemon_config(section: DaemonFile, default_name: str) -> DaemonConfig:
    """The values of a parsed `daemon:` section (`default_name`: the config file's stem)."""
    poll = section.poll
    quota = section.quota
    return DaemonConfig(
        name=section.name or default_name, every=section.every, snapshot=section.snapshot,
        poll=poll, retry_first=section.retry_first, retry_max=section.retry_max,
        stale_after=section.stale_after, state_file=section.state_file, http=section.http,
        token_env=section.token_env,
        quota=QuotaConfig(quota.reads_per_minute, quota.writes_per_minute, quota.margin),
    )  # fmt: skip
