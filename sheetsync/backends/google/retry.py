"""A retrying transport for gspread: truncated exponential backoff with full jitter, timeouts
on every request, and one deadline for a whole refresh.

`RetryingHTTPClient` is a gspread `HTTPClient` whose `request` retries answers that may succeed
later (408, 429, every 5xx), timeouts, dropped connections and failures of Google's token
service, and nothing else. Each retry waits a random time between 0 and min(cap, base * 2 **
retry) seconds ("full jitter"), or exactly what the server's Retry-After header asks for. Every
try is sent with a connect and a read timeout (`deadline.Timeouts`), the token request included
(see `credentials.TokenRequest`). The loop always ends, raising `GiveUp` with the last error:
after `attempts` tries; when the error will not change (400, 401, 403, 404); or when the
refresh's `deadline` (set by the backend) leaves no room for the next wait and a try after it
(a Retry-After longer than that is not waited for at all: the last error is then
`WaitTooLong`, which says how long Google asked to wait and how much time was left).
Tries are cut to end by the deadline; an optional per-call `total` budget ends retries sooner.

A write may pass `settle`: after each failed try that may have been applied (a 5xx or 408, a
read timeout, a connection dropped after sending), and after any later failure of the same
call, `settle()` looks whether the write landed (True: `Landed` is raised, the write is done;
False: not, retrying is allowed; None: could not tell). Its calls share the deadline; a write
keeps `Deadline.reserve()` seconds free for it.

All retry state lives on the instance (counters) or in the call, never on the class; `sleep`,
`clock` and the random generator are injectable so tests never wait.

Pacing (optional, for the daemon): with a `pacer`, every HTTP request sent to the Sheets API,
each retry included, first waits for `pacer.acquire(kind)`, and every 429 answer calls
`pacer.throttled()`. The time spent waiting for the pacer is counted neither against the
`total` budget nor against the deadline (waiting one's turn is not a failure). Requests to
other hosts (Drive) are not paced; neither is the OAuth token endpoint.
"""

from __future__ import annotations

import functools
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
from google.auth.exceptions import RefreshError
from google.auth.exceptions import TransportError as AuthTransportError
from google.auth.transport.requests import AuthorizedSession
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from urllib3.exceptions import MaxRetryError, NewConnectionError

from sheetsync.backends.google.credentials import TokenRequest, TokenServiceError
from sheetsync.backends.google.deadline import Deadline, OutOfTime, Timeouts, WaitTooLong

log = logging.getLogger("sheetsync.google")

RETRY_STATUSES = frozenset({408, 429})
NETWORK_ERRORS = (requests.ConnectionError, requests.Timeout, AuthTransportError)
FAILURES = (APIError, RefreshError, TokenServiceError, *NETWORK_ERRORS)
SHEETS_API = "https://sheets.googleapis.com/"
# POST methods that only retrieve data. Google's quota page (developers.google.com/sheets/api/
# limits) counts "calls to any method that retrieves data from a spreadsheet, such as get or
# search" as reads and "calls to any method that changes a spreadsheet, such as update, clear,
# or copyTo" as writes; we read batchUpdate, append and create as changes too.
READ_ONLY_POSTS = (":batchGetByDataFilter", ":getByDataFilter", "/developerMetadata:search")

RequestKind = Literal["read", "write"]
GiveUpReason = Literal["final", "attempts", "budget", "deadline"]
Settle = Callable[[], "bool | None"]


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
    """How often to try one API call.

    attempts: tries in all, the first one included. base, cap: the backoff ceiling starts at
    `base` seconds and doubles per retry up to `cap`. total (optional): no retry starts once
    the time spent on the call (waits included) would pass this many seconds; the refresh's
    deadline bounds every call anyway.
    """

    attempts: int = 5
    base: float = 1.0
    cap: float = 32.0
    total: float | None = None

    def __post_init__(self) -> None:
        bad_total = self.total is not None and self.total < 0
        if self.attempts < 1 or self.base <= 0 or self.cap < self.base or bad_total:
            raise ValueError(f"invalid retry policy: {self}")

    def backoff(self, retry: int, rng: random.Random) -> float:
        """The wait before retry number `retry` (0 for the first retry), with full jitter."""
        return rng.uniform(0.0, min(self.cap, self.base * 2.0**retry))


class GiveUp(Exception):
    """A call failed for good: `error` is the last failure, after `attempts` tries.

    `reason`: "final" (an error that will not change), "attempts" (all tries used), "budget"
    (the call's `total`), "deadline" (the refresh's). For a write: `written` is False when it
    did not land, None when that could not be found out; `in_flight` is True when the last
    try went unanswered (Google may still apply it, all or nothing)."""

    def __init__(
        self,
        error: Exception,
        attempts: int,
        seconds: float,
        *,
        reason: GiveUpReason = "final",
        written: bool | None = False,
        in_flight: bool = False,
    ) -> None:
        super().__init__(str(error))
        self.error = error
        self.attempts = attempts
        self.seconds = seconds
        self.reason = reason
        self.written = written
        self.in_flight = in_flight

    @property
    def status(self) -> int | None:
        """The HTTP status of the last answer (None for a network error)."""
        error = self.error.error if isinstance(self.error, WaitTooLong) else self.error
        return error.code if isinstance(error, APIError) else None


class Landed(Exception):
    """A write whose answer was lost (`error`) was found applied: it succeeded."""

    def __init__(self, error: Exception, attempts: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.attempts = attempts


def retryable(error: Exception) -> bool:
    """Whether trying the same call again may succeed."""
    if isinstance(error, APIError):
        return error.code in RETRY_STATUSES or error.code >= 500
    return isinstance(error, (TokenServiceError, *NETWORK_ERRORS))


def unanswered(error: Exception) -> bool:
    """Whether the request was sent and no answer came (Google may have applied it)."""
    if isinstance(error, requests.ConnectTimeout):
        return False
    if isinstance(error, requests.ConnectionError):
        cause = error.args[0] if error.args else None
        never_connected = isinstance(cause, MaxRetryError) and isinstance(
            cause.reason, NewConnectionError
        )
        return not never_connected
    return isinstance(error, requests.Timeout)


def may_have_applied(error: Exception) -> bool:
    """Whether a failed write may have been applied all the same: a 5xx or 408 (Google may
    fail after applying) or no answer at all. A 4xx other than 408 is a refusal; a token
    failure means the request was never sent."""
    if isinstance(error, APIError):
        return error.code >= 500 or error.code == 408
    return unanswered(error)


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


@dataclass
class _Tries:
    """One call's tries so far."""

    started: float
    attempt: int = 0
    last: Exception | None = None
    maybe_applied: bool = False
    written: bool | None = False
    in_flight: bool = False


class RetryingHTTPClient(HTTPClient):
    """gspread's HTTP client with timeouts, a bounded retry loop and call counters.

    `calls` counts logical API calls (one per `request`, however many tries it took);
    `requests_sent` counts HTTP requests actually sent; `retries` is the number of retries.
    `deadline` (set by the backend for each refresh) bounds every call; `pacer` (optional) is
    asked before every Sheets API request and told about every 429.
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
        timeouts: Timeouts | None = None,
    ) -> None:
        self.timeouts = timeouts or Timeouts()
        self.token_request = TokenRequest(self.timeouts)
        session = AuthorizedSession(auth, auth_request=self.token_request)  # type: ignore[no-untyped-call]
        super().__init__(auth, session)
        self.auth = auth
        self.pacer = pacer
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.rng = rng or random.Random()
        self.deadline: Deadline | None = None
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
        *,
        settle: Settle | None = None,
    ) -> requests.Response:
        """Send one API call, retrying what may succeed later; raise GiveUp when it will not
        (or Landed, for a write with `settle` that landed although its answer was lost)."""
        self.calls += 1
        kind = request_kind(method, endpoint) if self.pacer is not None else None
        reserve = self.deadline.reserve() if settle is not None and self.deadline else 0.0
        tries = _Tries(self.clock())
        while True:
            tries.attempt += 1
            self._pace(kind, tries)
            try:
                return self._send(method, endpoint, reserve, params=params, data=data, json=json,
                                  files=files, headers=headers)  # fmt: skip
            except OutOfTime as error:
                last = tries.last or error
                raise self._give_up(last, tries, "deadline", tries.attempt - 1) from tries.last
            except FAILURES as error:
                tries.last = error
                self._report_throttle(error)
                if settle is not None:
                    self._settle(settle, error, tries)
                wait, reason = self._next_wait(error, tries, reserve)
                if wait is None:
                    last = tries.last or error
                    raise self._give_up(last, tries, reason, tries.attempt) from error
                self._log_retry(error, tries.attempt, wait)
                self.sleep(wait)
                self.retries += 1

    def _send(
        self, method: str, endpoint: str, reserve: float, **options: Any
    ) -> requests.Response:
        """One try: a token first when one is due, then the request, each with timeouts cut
        to the time left before the deadline (less `reserve`)."""
        timeout = self._timeout(reserve)
        if not self.auth.valid:
            self.auth.refresh(functools.partial(self.token_request, timeout=timeout))  # type: ignore[no-untyped-call]
            timeout = self._timeout(reserve)
        self.requests_sent += 1
        response: requests.Response = self.session.request(
            method, endpoint, timeout=timeout, **options
        )
        if response.ok:
            return response
        raise APIError(response)

    def _timeout(self, reserve: float) -> tuple[float, float]:
        if self.deadline is None:
            return self.timeouts.connect, self.timeouts.read
        return self.timeouts.within(self.deadline.try_window(reserve))

    def _settle(self, settle: Settle, error: Exception, tries: _Tries) -> None:
        """After a failed write: find out whether it landed, when any try may have."""
        tries.maybe_applied = tries.maybe_applied or may_have_applied(error)
        if not tries.maybe_applied:
            return
        verdict = settle()
        if verdict:
            raise Landed(error, tries.attempt) from error
        tries.written = verdict
        tries.in_flight = unanswered(error)

    def _give_up(
        self, error: Exception, tries: _Tries, reason: GiveUpReason, attempts: int
    ) -> GiveUp:
        return GiveUp(error, attempts, self.clock() - tries.started, reason=reason,
                      written=tries.written, in_flight=tries.in_flight)  # fmt: skip

    def _pace(self, kind: RequestKind | None, tries: _Tries) -> None:
        """Wait until the pacer lets one request of `kind` go; the wait (by this client's
        clock) moves the call's start and the deadline on by as much."""
        if self.pacer is None or kind is None:
            return
        before = self.clock()
        self.pacer.acquire(kind)
        waited = self.clock() - before
        tries.started += waited
        if self.deadline is not None:
            self.deadline.extend(waited)

    def _report_throttle(self, error: Exception) -> None:
        """Tell the pacer that Google said 429 (quota exceeded), whoever caused it."""
        if self.pacer is not None and isinstance(error, APIError) and error.code == 429:
            self.pacer.throttled()

    def _next_wait(
        self, error: Exception, tries: _Tries, reserve: float
    ) -> tuple[float | None, GiveUpReason]:
        """Seconds to wait before the next try, or None (and why) to give up now; a wait
        Google asks for that the deadline cannot give is given up at once (`WaitTooLong` as
        the call's last error)."""
        if not retryable(error):
            return None, "final"
        if tries.attempt >= self.policy.attempts:
            return None, "attempts"
        asked = retry_after(error)
        wait = asked if asked is not None else self.policy.backoff(tries.attempt - 1, self.rng)
        total = self.policy.total
        if total is not None and self.clock() - tries.started + wait > total:
            return None, "budget"
        if self.deadline is not None and not self.deadline.allows_wait(wait, reserve):
            if asked is not None:
                left = self.deadline.remaining() - reserve
                tries.last = WaitTooLong(error, asked, left, describe(error))
            return None, "deadline"
        return wait, "final"

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
    if isinstance(error, TokenServiceError | OutOfTime | WaitTooLong):
        return str(error)
    if isinstance(error, requests.ConnectTimeout):
        return "network error: no connection within the connect timeout (ConnectTimeout)"
    if isinstance(error, requests.ReadTimeout):
        return "network error: no answer within the read timeout (ReadTimeout)"
    if isinstance(error, AuthTransportError):
        return "network error reaching Google's token service"
    return f"network error: {type(error).__name__}"
