"""The batchUpdate body as the bytes sent, and Google's limit on a request's size.

The body is JSON without the spaces `json.dumps` puts after "," and ":" by default (which
`requests` keeps for `json=`), and with text as UTF-8 instead of `\\uXXXX` escapes: the same
JSON, about 7% fewer bytes. Text with a lone surrogate (which UTF-8 cannot carry) falls back
to escapes for the whole body.

Google's front end refuses a request body over 10,485,760 bytes with 400 "Request payload size
exceeds the limit: 10485760 bytes." (real answers quoted in user reports: github.com/
jlolling/talendcomp_tGoogleSheet/issues/1, github.com/SCRT-HQ/PSGSuite/issues/62; the
Sheets documentation, developers.google.com/sheets/api/limits, only recommends "a 2 MB maximum
payload"). sheetsync measures its body before sending it, and refuses to send one over the
limit (`too_large`), naming the tabs that make it big and what to switch off.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sheetsync.backends.google.api_errors import NOTHING_WRITTEN
from sheetsync.errors import BackendError

MAX_REQUEST_BYTES = 10_485_760
ADVISED_BYTES = 2_000_000
JSON = {"Content-Type": "application/json"}
"""The header `requests` would set for `json=`; sheetsync sends the encoded body as `data=`."""

Part = tuple[str, str, Sequence[dict[str, Any]]]
"""One output's share of a write: its config key (rep_kpis), its tab's title, its requests."""


def compact_json(value: Any) -> str:
    """JSON text without optional spaces, non-ASCII text as is; NaN and infinities refused
    (they are not JSON: cell_data.py writes them as empty cells)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def encode(value: Any) -> bytes:
    """The UTF-8 bytes of `compact_json(value)`, or with `\\uXXXX` escapes when some text
    holds a lone surrogate."""
    try:
        return compact_json(value).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"), allow_nan=False).encode("ascii")


def part_sizes(parts: Sequence[Part]) -> list[tuple[str, str, int]]:
    """(key, title, bytes) of each part's requests as they weigh in the body, biggest first."""
    sizes = [(key, title, len(encode(list(requests)))) for key, title, requests in parts]
    return sorted(sizes, key=lambda size: -size[2])


def too_large(size: int, spreadsheet_id: str, parts: Sequence[Part]) -> BackendError:
    """The error for a write of `size` bytes over Google's limit: how big, the limit, which
    tabs weigh most, that nothing was written, and what to switch off."""
    biggest = [part for part in part_sizes(parts) if part[2] * 20 >= size][:3]  # 5% or more
    shares = ", ".join(f"{title!r} {_megabytes(weight)}" for _, title, weight in biggest)
    weighed = f" The biggest parts: {shares}." if shares else ""
    split = "split the team over several spreadsheets (fewer reps per spreadsheet)"
    advice = (
        f"switch off the biggest tab (output.{biggest[0][0]}: false), or {split}"
        if biggest
        else split
    )
    return BackendError(
        f"the new output for spreadsheet {spreadsheet_id} is too big for one write: "
        f"{size:,} bytes ({_megabytes(size)}), over Google's limit of {MAX_REQUEST_BYTES:,} "
        f"bytes for one request.{weighed} {NOTHING_WRITTEN} To write less: {advice}."
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
