"""Change detection for the daemon: a fingerprint of everything a refresh's output depends on.

The fingerprint hashes the input grids read (every selected tab, in order), what was read of
History, the as-of date, the config's values and sheetsync's version. Two refreshes with the
same fingerprint write the same output (but the Sync status run time), so the second one may
skip its write. Output tabs are not part of it: a person's edit of an output tab is replaced
at the next change of the inputs, not sooner.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from datetime import date, datetime

from sheetsync import __version__
from sheetsync.config.values import Config
from sheetsync.grids import RawWorkbook


@dataclass(frozen=True)
class DaemonRun:
    """What the daemon passes to `refresh`: skip the write when the fingerprint equals
    `unchanged_since`; show `last_error` (message, when) in Sync status."""

    unchanged_since: str | None = None
    last_error: tuple[str, datetime] | None = None


def fingerprint(raw: RawWorkbook, config: Config, as_of: date) -> str:
    """A hex digest of the inputs of one refresh (see the module docstring)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr((__version__, as_of.isoformat(), _config_identity(config))).encode())
    for title in sorted(raw.grids):
        digest.update(title.encode("utf-8", "surrogatepass"))
        digest.update(pickle.dumps(raw.grids[title], protocol=5))
    if raw.history is not None:
        digest.update(pickle.dumps((raw.history.days, raw.history.rows), protocol=5))
    return digest.hexdigest()


def _config_identity(config: Config) -> str:
    """The config's values, without the fields that do not change the output."""
    return repr((config.source, config.activity, config.goals, config.roster, config.kpis,
                 config.calendar, config.locale, config.status, config.ranking, config.output,
                 config.total_label))  # fmt: skip
