"""The `daemon:` section: how often `sheetsync daemon` refreshes a spreadsheet, when it takes
History snapshots, and the process-wide settings (HTTP trigger, API quota).

Durations are a number and a unit: `30s`, `5m`, `1h` (or `90 minutes`). Snapshot schedules:
`daily at 18:00`, `weekly on friday at 17:30`, `monthly on 1 at 07:00` (days 1 to 28, so
every month has the day), or false. Times are in the config's `calendar.timezone`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from sheetsync.config import rules
from sheetsync.config.fields import OptionalText, Text
from sheetsync.config.section import Section
from sheetsync.config.values import DaemonConfig, QuotaConfig, SnapshotSchedule

__all__ = ["DaemonConfig", "DaemonFile", "QuotaConfig", "SnapshotSchedule", "daemon_config"]

UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
         "hour": 3600}  # fmt: skip
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


def at_least(minimum: int) -> Any:
    def check(value: int) -> int:
        if value < minimum:
            raise rules.problem(f"must be at least {minimum} seconds, got {value}")
        return value

    return check


def optional_seconds(value: Any) -> int | None:
    return None if value is None or value is False else seconds(value)


DURATION_SCHEMA = {"anyOf": [{"type": "integer", "minimum": 1},
                             {"type": "string", "pattern": DURATION.pattern}]}  # fmt: skip
Duration = Annotated[int, BeforeValidator(seconds), AfterValidator(at_least(1)),
                     WithJsonSchema(DURATION_SCHEMA)]  # fmt: skip
Interval = Annotated[int, BeforeValidator(seconds), AfterValidator(at_least(30)),
                     WithJsonSchema(DURATION_SCHEMA)]  # fmt: skip
POLL_SCHEMA = {"anyOf": [DURATION_SCHEMA, {"const": False}]}
PollInterval = Annotated[int | None, BeforeValidator(optional_seconds), WithJsonSchema(POLL_SCHEMA)]


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
PerMinute = Annotated[int, Field(ge=1, le=100_000)]


class QuotaFile(Section):
    """The Sheets API budget shared by every spreadsheet of one daemon process (Google's
    default per-user quota is 60 read and 60 write requests a minute)."""

    reads_per_minute: PerMinute = 60
    """Read requests a minute the process may send."""
    writes_per_minute: PerMinute = 60
    """Write requests a minute the process may send."""
    margin: Annotated[float, Field(gt=0, le=1)] = 0.9
    """The share of each budget used, so that other tools of the same account keep some."""


class DaemonFile(Section):
    """`sheetsync daemon`: when this spreadsheet is refreshed and snapshotted."""

    name: OptionalText = None
    """The spreadsheet's name in logs, metrics and `POST /refresh/<name>`; default: the config
    file's name without .yaml."""
    every: Interval = 300
    """How often to refresh: 5m, 1h... (at least 30s)."""
    snapshot: Schedule = SnapshotSchedule("day", 18, 0)
    """When to add a History snapshot: 'daily at 18:00', 'weekly on friday at 17:30',
    'monthly on 1 at 07:00', or false."""
    poll: PollInterval = 60
    """How often to look at the Sync status tab's "Refresh now" checkbox (one cheap read), or
    false."""
    retry_first: Duration = 60
    """The wait before retrying a failed refresh; it doubles with each failure in a row."""
    retry_max: Duration = 3600
    """The longest wait between retries."""
    stale_after: Duration = 1800
    """GET /healthz answers 503 when a spreadsheet has failed for longer than this."""
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
