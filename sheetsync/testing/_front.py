"""The fake's front door: which URLs it answers, the request size limit, injected faults and
the request log.

What the fake answers for what it does not serve, and why:

- **An unknown route** (a URL on a host the fake serves that is no method of the API, e.g.
  gspread's Drive v2 CSV upload ``PUT /upload/drive/v2/files/{id}``): 404 ``NOT_FOUND``
  naming the method and URL. Google's front end answers unknown URLs with 404 too, as an
  HTML page "The requested URL ... was not found on this server." (no recording has one;
  user reports do: github.com/googleapis/google-api-ruby-client/issues/884,
  github.com/google/google-api-objectivec-client-for-rest/issues/393); the fake uses
  Google's JSON error shape instead, so that clients show its message.
- **A method of the API the fake does not implement** (``sheets.copyTo``,
  ``getByDataFilter``, Drive ``files/{id}/copy`` ...): 404 ``NOT_FOUND`` whose message names
  the method and says the fake does not implement it. 501 ``UNIMPLEMENTED`` would be the
  literal status, but clients retry 5xx answers (gspread's ``BackOffHTTPClient`` for ever),
  so a test would hang instead of failing; 404 is what a client gets for a route the server
  does not have, and every client gives up on it at once.
- **A request kind the fake does not implement inside a body it does serve** (a batchUpdate
  request such as ``findReplace``, a developer-metadata data filter): 400
  ``INVALID_ARGUMENT`` ``Invalid requests[i].findReplace: ...``, the way Google refuses a
  request it cannot apply.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ._common import ApiError, JsonDict
from ._schema import load_discovery

#: The hosts whose every URL the fake answers (others stay with ``responses``, which raises
#: ConnectionError for them): the Sheets API, Drive (www.googleapis.com: v3 files and the
#: v2 upload gspread uses) and the OAuth token endpoint.
HOSTS = {
    "sheets.googleapis.com": "sheets",
    "www.googleapis.com": "drive",
    "oauth2.googleapis.com": "oauth",
}
#: One pattern per host. ``responses`` drops a registered answer when a later registration
#: matches the same request (its way of queueing answers): a test that registers its own
#: token-endpoint answers on the fake's mock then replaces the fake's oauth2 callback only.
URL_PATTERNS = tuple(re.compile(rf"^https://{re.escape(host)}(?:[/?#].*)?$") for host in HOSTS)
SHEETS_PREFIX = "/v4/spreadsheets"
DRIVE_PREFIX = "/drive/v3/files"
TOKEN_PATH = "/token"

#: Google's front end refuses a request body over 10 MiB. The Sheets documentation only says
#: "no hard size limits ... we recommend a 2 MB maximum payload"
#: (https://developers.google.com/sheets/api/limits); the limit and its wording are from
#: real answers quoted in user reports (github.com/jlolling/talendcomp_tGoogleSheet/issues/1,
#: github.com/SCRT-HQ/PSGSuite/issues/62): 400 INVALID_ARGUMENT with an ``errors`` entry of
#: reason ``badRequest``. The fake applies it to the Sheets API only (Drive uploads have
#: their own limits).
MAX_PAYLOAD = 10_485_760


def payload_too_large(size: int) -> ApiError | None:
    """The 400 Google answers for a body of ``size`` bytes, or None when it is allowed."""
    if size <= MAX_PAYLOAD:
        return None
    message = f"Request payload size exceeds the limit: {MAX_PAYLOAD} bytes."
    return ApiError(
        400, message, errors=[{"message": message, "domain": "global", "reason": "badRequest"}]
    )


def json_body(raw: bytes) -> Any:
    """The parsed JSON body (None when empty); 400 as Google words it when it is not JSON."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        shown = raw[:40].decode("utf-8", "replace")
        raise ApiError(400, f"Invalid JSON payload received. Unexpected token.\n{shown}") from None


def discovery_or_none(path: str | Path | None, *, required: bool) -> JsonDict | None:
    """The discovery document. Without google-api-python-client or a path it is required
    only for validation; else the 404s just cannot name the unimplemented method."""
    try:
        return load_discovery(path)
    except RuntimeError:
        if required:
            raise
        return None


def api_of(url: str) -> str:
    """``sheets``, ``drive`` or ``oauth`` by the URL's host."""
    return HOSTS.get(urlsplit(url).netloc, "drive")


class Routes:
    """Tells a known-but-unimplemented Sheets method from an unknown route, by the
    discovery document's method table (without one, every unserved URL is unknown)."""

    def __init__(self, discovery: JsonDict | None) -> None:
        self.methods: list[tuple[str, re.Pattern[str], str, str]] = []
        if discovery is not None:
            self._collect(discovery)

    def _collect(self, resource: JsonDict) -> None:
        for method in resource.get("methods", {}).values():
            flat = str(method.get("flatPath", ""))
            pattern = re.escape("/" + flat).replace(r"\{", "{").replace(r"\}", "}")
            pattern = re.sub(r"{[^}]+}", "[^/]+", pattern)
            self.methods.append(
                (str(method.get("httpMethod")), re.compile(pattern + "$"), method["id"], flat)
            )
        for child in resource.get("resources", {}).values():
            self._collect(child)

    def sheets_method(self, method: str, path: str) -> tuple[str, str] | None:
        """(method id, path template) of the Sheets method at ``method path``, if any."""
        for http, pattern, method_id, flat in self.methods:
            if http == method and pattern.match(path):
                return method_id, flat
        return None

    def not_served(self, method: str, url: str) -> ApiError:
        """The 404 for a request the fake does not serve (see the module docstring)."""
        parts = urlsplit(url)
        path = parts.path
        if parts.netloc == "sheets.googleapis.com":
            known = self.sheets_method(method, path)
            if known is not None:
                return ApiError(
                    404,
                    f"The sheetsync fake does not implement {known[0]} ({method} /{known[1]}).",
                )
        elif parts.netloc == "www.googleapis.com" and path.startswith(DRIVE_PREFIX):
            return ApiError(
                404,
                f"The sheetsync fake does not implement Drive {method} {path}: it serves "
                "files.create, files.list, files.get and files.delete of spreadsheets only.",
            )
        return ApiError(
            404,
            f"The sheetsync fake does not serve {method} https://{parts.netloc}{path}: "
            "no such route.",
        )


# --------------------------------------------------------------------------- faults, log


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake answered. ``path`` is percent-decoded; ``api`` is ``sheets``,
    ``drive`` or ``oauth``; ``status`` 0 means a simulated connection error."""

    method: str
    url: str
    path: str
    params: dict[str, list[str]]
    json: Any
    status: int
    api: str


@dataclass
class Fault:
    """An injected failure: ``remaining`` None fails for ever."""

    status: int
    remaining: int | None
    retry_after: float | None = None
    method: str | None = None
    path_contains: str | None = None
    api: str | None = None
    message: str | None = None

    def matches(self, method: str, path: str, api: str) -> bool:
        if self.api is not None and api != self.api:
            return False
        if self.method is not None and method.upper() != self.method.upper():
            return False
        return self.path_contains is None or self.path_contains in path


@dataclass
class Settings:
    """Injected faults and delay."""

    faults: list[Fault] = field(default_factory=list)
    delay: float = 0.0

    def next_fault(self, method: str, path: str, api: str) -> Fault | None:
        """The first live fault matching the call (and count it), or None."""
        for fault in self.faults:
            if fault.remaining == 0 or not fault.matches(method, path, api):
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
            return fault
        return None
