"""A retrying transport for gspread: truncated exponential backoff with full jitter.

`RetryingHTTPClient` is a gspread `HTTPClient` whose `request` retries answers that may succeed
later (408, 429, every 5xx) and connection errors, and nothing else. Each retry waits a random
time between 0 and min(cap, base * 2 ** retry) seconds ("full jitter"), or exactly what the
server's Retry-After header asks for. The loop always ends: after `attempts` tries, or as soon
as the next wait would pass the `total` time budget, it raises `GiveUp` carrying the last
error. What it deliberately does not do: retry 400/401/403/404 (they will not change), or
sleep when the budget is spent.

All retry state lives on the instance (counters) or in the call (the attempt number), never on
the class; `sleep`, `clock` and the random generator are injectable so tests never wait.

Pacing (optional, for the daemon): with a `pacer`, every HTTP request sent to the Sheets API,
each retry included, first waits for `pacer.acquire(kind)`, and every 429 answer calls
`pacer.throttled()`. The time spent waiting for the pacer is not counted against the retry
policy's `total` budget (waiting one's turn is not a failure). Requests to other hosts (Drive)
are not paced; neither is the OAuth token endpoint, which google-auth calls from inside the
request it is about to authorize.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

import requests
from google.auth.credentials import Credentials
from google.auth.exceptions import TransportError as AuthTransportError
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

log = logging.getLogger("sheetsync.google")

RETRY_STATUSES = frozenset({408, 429})
NETWORK_ERRORS = (requests.ConnectionError, requests.Timeout, AuthTransportError)
SHEETS_API = "https://sheets.googleapis.com/"
# POST methods that only retrieve data. Google's quota page (developers.google.com/sheets/api/
# limits) counts "calls to any method that retrieves data from a spreadsheet, such as get or
# search" as reads and "calls to any method that changes a spreadsheet, such as update, clear,
# or copyTo" as writes; we read batchUpdate, append and create as changes too.
READ_ONLY_POSTS = (":batchGetByDataFilter", ":getByDataFilter", "/developerMetadata:search")

RequestKind = Literal["read", "write"]


class Pacing(Protocol):
    """What the client needs of a pacer (sheetsync.daemon.pacing.Pacer is one)."""

    def acquire(self, kind: RequestKind) -> float:
        """Block until one more request of `kind` fits the quota; the seconds waited."""
        ...

    def throttled(self, seconds: float = 60.0) -> None:
        """Slow down: Google answered 429."""
        ...


def request_kind(method: str, endpoint: str) -> RequestKind | None:
    """How Google's quota counts an HTTP request: "read", "write", or None (not the Sheets
    API: not paced). GET is a read; a POST or PUT changes data unless it is a search."""
    if not endpoint.startswith(SHEETS_API):
        return None
    if method.upper() == "GET":
        return "read"
    return "read" if urlsplit(endpoint).path.endswith(READ_ONLY_POSTS) else "write"


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying one API call.

    attempts: tries in all, the first one included. base, cap: the backoff ceiling starts at
    `base` seconds and doubles per retry up to `cap`. total: no retry starts once the time
    spent on the call (waits included) would pass this many seconds.
    """

    attempts: int = 5
    base: float = 1.0
    cap: float = 32.0
    total: float = 60.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base <= 0 or self.cap < self.base or self.total < 0:
            raise ValueError(f"invalid retry policy: {self}")

    def backoff(self, retry: int, rng: random.Random) -> float:
        """The wait before retry number `retry` (0 for the first retry), with full jitter."""
        return rng.uniform(0.0, min(self.cap, self.base * 2.0**retry))


class GiveUp(Exception):
    """A call failed for good: `error` is the last failure, after `attempts` tries."""

    def __init__(self, error: Exception, attempts: int, seconds: float) -> None:
        super().__init__(str(error))
        self.error = error
        self.attempts = attempts
        self.seconds = seconds

    @property
    def status(self) -> int | None:
        """The HTTP status of the last answer (None for a network error)."""
        return self.error.code if isinstance(self.error, APIError) else None


def retryable(error: Exception) -> bool:
    """Whether trying the same call again may succeed."""
    if isinstance(error, APIError):
        return error.code in RETRY_STATUSES or error.code >= 500
    return isinstance(error, NETWORK_ERRORS)


def retry_after(error: Exception, now: Callable[[], float] = time.time) -> float | None:
    """Seconds the server asked us to wait (Retry-After as seconds or an HTTP date)."""
    response = getattr(error, "response", None)
    header = response.headers.get("Retry-After") if response is not None else None
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(header).timestamp() - now())
    except (TypeError, ValueError):
        return None


class RetryingHTTPClient(HTTPClient):
    """gspread's HTTP client with a bounded retry loop and call counters.

    `calls` counts logical API calls (one per `request`, however many tries it took);
    `requests_sent` counts HTTP requests actually sent; `retries` is their difference.
    `pacer` (optional) is asked before every Sheets API request and told about every 429.
    """

    def __init__(
        self,
        auth: Credentials,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        pacer: Pacing | None = None,
    ) -> None:
        super().__init__(auth)
        self.pacer = pacer
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.rng = rng or random.Random()
        self.calls = 0
        self.requests_sent = 0
        self.retries = 0

    def request(
        self,
        method: str,
        endpoint: str,
        params: MutableMapping[str, Any] | None = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: MutableMapping[str, str] | None = None,
    ) -> requests.Response:
        """Send one API call, retrying what may succeed later; raise GiveUp when it will not."""
        self.calls += 1
        kind = request_kind(method, endpoint) if self.pacer is not None else None
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            started += self._pace(kind)  # waiting one's turn does not spend the retry budget
            self.requests_sent += 1
            try:
                response: requests.Response = super().request(
                    method, endpoint, params, data, json, files, headers
                )
                return response
            except (APIError, *NETWORK_ERRORS) as error:
                self._report_throttle(error)
                wait = self._next_wait(error, attempt, started)
                if wait is None:
                    raise GiveUp(error, attempt, self.clock() - started) from error
                self._log_retry(error, attempt, wait)
                self.sleep(wait)
                self.retries += 1

    def _pace(self, kind: RequestKind | None) -> float:
        """Wait until the pacer lets one request of `kind` go; the seconds that took, by
        this client's clock (0.0 without a pacer or for a request that is not paced)."""
        if self.pacer is None or kind is None:
            return 0.0
        before = self.clock()
        self.pacer.acquire(kind)
        return self.clock() - before

    def _report_throttle(self, error: Exception) -> None:
        """Tell the pacer that Google said 429 (quota exceeded), whoever caused it."""
        if self.pacer is not None and isinstance(error, APIError) and error.code == 429:
            self.pacer.throttled()

    def _next_wait(self, error: Exception, attempt: int, started: float) -> float | None:
        """Seconds to wait before the next try, or None to give up now."""
        if not retryable(error) or attempt >= self.policy.attempts:
            return None
        asked = retry_after(error)
        wait = asked if asked is not None else self.policy.backoff(attempt - 1, self.rng)
        if self.clock() - started + wait > self.policy.total:
            return None
        return wait

    def _log_retry(self, error: Exception, attempt: int, wait: float) -> None:
        log.warning(
            "Sheets API call failed (%s); try %d of %d in %.1f s",
            describe(error), attempt + 1, self.policy.attempts, wait,
        )  # fmt: skip


def api_message(error: Exception) -> str:
    """Google's own message in an API error's body ("" for a network error)."""
    return str(error.error.get("message", "")).strip() if isinstance(error, APIError) else ""


def describe(error: Exception) -> str:
    """A short, secret-free description of a failed try: the status and Google's message."""
    if isinstance(error, APIError):
        message = api_message(error)
        status = error.error.get("status") or ""
        return f"{error.code} {status}: {message}".strip().rstrip(":")
    return f"network error: {type(error).__name__}"
