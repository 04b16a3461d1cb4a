"""The daemon's log: one line per run, plain text or JSON (`--log-format json`).

A run's line carries its fields (spreadsheet, reason, result, seconds, API calls, rows, issues,
error): in plain text as key=value, in JSON as keys. Messages come from sheetsync's own errors,
which never hold a secret (credentials are never put in a message).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

PLAIN = "%(asctime)s %(levelname)s %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, message and the run's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds"),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
        }
        run = getattr(record, "run", None)
        if isinstance(run, dict):
            entry.update(run)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(style: str = "plain", stream: TextIO | None = None) -> logging.Handler:
    """Send sheetsync's log to `stream` (stderr) in `style` (plain or json); return the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if style == "json" else logging.Formatter(PLAIN))
    logger = logging.getLogger("sheetsync")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler
