"""The ranges every number and text of the config must lie in: what sheetsync can run with.

One place for them, so that the file's model (what `check` says), the values built from it (a
`dataclasses.replace` that leaves a range fails too) and the JSON Schema agree. An interval is
a second at least and a year at most (a timer past that overflows); counts and sizes are
capped where a larger one would only exhaust memory or a quota.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Gt, Le

YEAR = 365 * 24 * 3600
"""The longest interval, in seconds."""
EVERY_MIN = 30
"""The shortest `daemon.every`: a refresh costs two reads and a write of the quota."""
POLL_MIN = 10
"""The shortest `daemon.poll`: each look at the checkbox is a read, and one a second would
spend the whole process's default read quota (54 a minute) on it."""
CONFIG_MAX_BYTES = 256 * 1024
"""The largest config file read (the example with every key and its comments is 9 KB)."""
MAX_VALUES = 10_000
"""The most values (texts, numbers, lists, mappings; each use of an alias counted as a copy of
what it names) in a config; the example with every key has 261."""
MAX_DEPTH = 20
"""The deepest nesting of lists and mappings (the config's own keys go 3 deep)."""
MAX_TEXT = 4096
"""The longest text in the config, in characters (a path may be this long on Linux)."""
PORT_MAX = 65535
PER_MINUTE_MAX = 100_000
"""Sheets API requests a minute (Google's quotas can be raised to a few thousand)."""
SMTP_TIMEOUT = (1, 600)
"""Seconds to wait for the mail server, least and most."""
DEADLINE = (10, 3600)
"""`source.deadline_seconds`, least and most."""
UNPACKED_MB_MAX = 16_384
PART_MB_MAX = 4096
RATIO_MAX = 10_000
CELLS_PER_TAB_MAX = 250_000_000

Every = Annotated[int, Ge(EVERY_MIN), Le(YEAR)]
Poll = Annotated[int, Ge(POLL_MIN), Le(YEAR)]
Seconds = Annotated[int, Ge(1), Le(YEAR)]
PerMinute = Annotated[int, Ge(1), Le(PER_MINUTE_MAX)]
Share = Annotated[float, Gt(0), Le(1)]
Port = Annotated[int, Ge(1), Le(PORT_MAX)]
SmtpTimeout = Annotated[float, Ge(SMTP_TIMEOUT[0]), Le(SMTP_TIMEOUT[1])]
Deadline = Annotated[float, Ge(DEADLINE[0]), Le(DEADLINE[1])]
