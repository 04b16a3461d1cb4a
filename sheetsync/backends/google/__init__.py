"""The Google Sheets backend: gspread's HTTP client, a bounded retry loop, few API calls.

A refresh costs at most three Sheets API calls, whatever the number of reps, tabs or rows:

1. spreadsheets.get with a narrow field mask (tab ids, titles, sizes, owner markers);
2. values:batchGet for every input tab at once, with the rows of History a refresh needs and
   the output tabs big enough that writing only their changed values pays (see `partial_write.py`)
   (skipped when there is nothing to read), or the same ranges in a POST
   (values:batchGetByDataFilter) when so many tabs would make the URL too long (`read.py`);
3. one spreadsheets.batchUpdate with the whole output (atomic: all of it or nothing), which
   also replaces the spreadsheet's run marker (see `runmark.py`).

`api_calls` counts these logical calls; retries of one call (see `retry.py`) are counted
apart in `requests_sent` and logged. Only when a write fails in a way that may come after
Google applied it (a 5xx, no answer) does one more cheap read find out whether it landed.
Every request has timeouts, and a refresh has one deadline (`deadline_seconds`, from the
read to the write's answer; see `deadline.py`). Credentials come from `credentials_file` (a
service account's JSON key) or else Application Default Credentials (see `credentials.py`),
always with the single scope `spreadsheets` (no Drive scope: the spreadsheet is opened by
id, never searched for). Nothing is loaded or fetched until the first call (no I/O in the
constructor).

A `pacer` (the daemon's `sheetsync.daemon.pacing.Pacer`, shared by all its spreadsheets) is
handed to the HTTP client, which asks it before every Sheets API request, retries included,
and tells it about every 429; see `retry.py`. Without one, requests go out unpaced.

    read.py            the metadata call and the one values:batchGet (or its POST)
    history_tab.py     the History tab: read only the days a refresh needs, append in the write
    write.py           the one batchUpdate that writes a whole output plan
    layout.py          a tab's cells: updateCells, with ranges.py (cells that share a format or
                       a value, by range) and tiling.py (cells repeated down the rows, copyPaste)
    cell_data.py       CellData for planned cells: typed values, number formats, never a formula
    rules_charts.py    a tab's colour rules and charts
    reuse.py           a History snapshot's values pasted from Rep KPIs
    partial_write.py   when to rewrite only the values that changed; changed_values.py the requests
    payload.py         the batchUpdate body as sent, and Google's limit on its size
    runmark.py         the run marker: did a write whose answer was lost land?
    retry.py           the retrying transport (backoff with jitter, timeouts, the pacer)
    deadline.py        each request's timeouts and the one deadline of a refresh
    credentials.py     the service account key or Application Default Credentials
    api_errors.py      API failures as messages that say what happened and what to do
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from google.auth.credentials import Credentials
from google.auth.exceptions import RefreshError
from gspread.exceptions import NoValidUrlKeyFound
from gspread.urls import SPREADSHEET_BATCH_UPDATE_URL
from gspread.utils import extract_id_from_url

from sheetsync.backends.base import HISTORY_KEY, find_holder, place_outputs
from sheetsync.backends.google.api_errors import Context, token_refused, translate
from sheetsync.backends.google.credentials import credentials_source, load_credentials
from sheetsync.backends.google.deadline import DEFAULT_DEADLINE, Deadline, Timeouts
from sheetsync.backends.google.history_tab import HistoryReading, plan_reading, read_history
from sheetsync.backends.google.partial_write import tabs_to_read
from sheetsync.backends.google.payload import JSON, MAX_REQUEST_BYTES, Part, encode, too_large
from sheetsync.backends.google.read import (
    BY_FILTER_URL,
    MAX_GET_URL,
    METADATA_FIELDS,
    VALUE_PARAMS,
    SheetInfo,
    batch_get_url,
    by_filter_body,
    grids_from,
    matched_in_order,
    owned_outputs,
    parse_sheets,
    to_grid,
    value_ranges,
)
from sheetsync.backends.google.retry import (
    GiveUp,
    Landed,
    Pacing,
    RetryingHTTPClient,
    RetryPolicy,
    describe,
)
from sheetsync.backends.google.runmark import CHECK_FIELDS, RunMark, new_mark
from sheetsync.backends.google.write import (
    history_requests,
    input_tab_requests,
    placed,
    tab_requests,
)
from sheetsync.config.rules import SPREADSHEET, SPREADSHEET_HINT, key_material, key_refusal
from sheetsync.config.values import SourceConfig
from sheetsync.errors import ConfigError
from sheetsync.grids import (
    Grid,
    HistoryQuery,
    HistoryRead,
    Owned,
    RawValue,
    RawWorkbook,
    TabSelector,
)
from sheetsync.plan import OutputPlan, TabPlan

__all__ = ["GoogleBackend", "load_credentials", "spreadsheet_id"]

log = logging.getLogger("sheetsync.google")
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{10,}")
T = TypeVar("T")
REP_KPIS = "rep_kpis"
"""The output whose values a History snapshot pastes where it holds the same (reuse.py)."""


def spreadsheet_id(text: str) -> str:
    """The id in a spreadsheet id or full URL; ValueError when there is none (the text is
    not repeated when it looks like key material)."""
    kind = key_material(text)
    if kind is not None:
        raise ValueError(key_refusal(kind, SPREADSHEET, SPREADSHEET_HINT))
    text = text.strip()
    if "/" in text:
        try:
            return str(extract_id_from_url(text))
        except NoValidUrlKeyFound:
            raise ValueError(f"no spreadsheet id in the URL {text!r}") from None
    if not ID_PATTERN.fullmatch(text):
        raise ValueError(f"{text!r} is not a spreadsheet id (letters, digits, - and _)")
    return text


class GoogleBackend:
    """One Google spreadsheet, read in two calls and written in one."""

    max_get_url = MAX_GET_URL
    """Longest values:batchGet URL; past it the read is a POST (read.py)."""

    def __init__(
        self,
        spreadsheet: str,
        credentials_file: Path | None = None,
        *,
        config_file: str = "config",
        credentials: Credentials | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        pacer: Pacing | None = None,
        deadline_seconds: float = DEFAULT_DEADLINE,
        timeouts: Timeouts | None = None,
    ) -> None:
        try:
            self.spreadsheet_id = spreadsheet_id(spreadsheet)
        except ValueError as exc:
            raise ConfigError(config_file, "source.spreadsheet", str(exc)) from None
        self.credentials_file = credentials_file
        self.config_file = config_file
        self._credentials = credentials
        self._policy, self._sleep, self._clock, self._rng = policy, sleep, clock, rng
        self._pacer = pacer
        self.deadline_seconds = deadline_seconds
        self._timeouts = timeouts or Timeouts()
        self._client: RetryingHTTPClient | None = None
        self._sheets: tuple[SheetInfo, ...] | None = None
        self._metadata: dict[str, Any] = {}
        self._history_column: list[RawValue] | None = None
        self._held: dict[int, Grid] = {}
        """Values of owned tabs read for writing only what changed, by sheet id
        (partial_write.py)."""
        self.answers_lost = 0
        """Writes that landed although their answer was lost (found by the run marker)."""
        self.write_bytes = 0
        """Bytes of the last batchUpdate body sent (0 before the first)."""

    @classmethod
    def from_config(
        cls, source: SourceConfig, config_file: str = "config", **options: Any
    ) -> GoogleBackend:
        """The backend a `source: {type: google}` config describes."""
        if source.spreadsheet is None:
            raise ConfigError(config_file, "source.spreadsheet", "required for type google")
        options.setdefault("deadline_seconds", source.deadline_seconds)
        return cls(source.spreadsheet, source.credentials_file, config_file=config_file,
                   **options)  # fmt: skip

    # ---------------------------------------------------------------- Backend protocol
    @property
    def description(self) -> str:
        return f"Google spreadsheet {self.spreadsheet_id}"

    @property
    def destination(self) -> str:
        return self.description

    def locked(self) -> AbstractContextManager[None]:
        """Nothing to hold: the write is one atomic batchUpdate, and the layout and History
        markers let a refresh tell what another one wrote meanwhile."""
        return nullcontext()

    @property
    def api_calls(self) -> int:
        """Logical Sheets API calls made so far (a retried call counts once)."""
        return self._client.calls if self._client else 0

    @property
    def requests_sent(self) -> int:
        """HTTP requests sent to the Sheets API so far, retries included."""
        return self._client.requests_sent if self._client else 0

    @property
    def write_calls(self) -> int:
        """One batchUpdate per apply (after a read; an apply on its own also reads metadata)."""
        return 1

    def read(
        self, select: TabSelector, history: HistoryQuery | None = None, *, outputs: bool = False
    ) -> RawWorkbook:
        """One metadata call, then one values:batchGet for the tabs `select` picks, the rows
        of History the query needs (see google/history_tab.py) and, with `outputs`, the values
        of the big output tabs, to write only what changed (partial_write.py). A read begins a
        refresh: it starts the deadline that the write after it shares."""
        self._begin(fresh=True)
        sheets = self._fetch_sheets()
        titles = tuple(sheet.title for sheet in sheets)
        owned = owned_outputs(sheets)
        chosen = list(select([title for title in titles if title not in owned]))
        reading = self._history_reading(sheets, owned, history)
        extra = reading.ranges() if reading is not None else []
        others = [*chosen, *([history.title] if history else [])]
        kept = tabs_to_read(sheets, others) if outputs else []
        answers: list[dict[str, Any]] = []
        if chosen or extra or kept:
            kept_ranges = value_ranges([sheet.title for sheet in kept])
            answers = self._read_values(value_ranges(chosen) + extra + kept_ranges)
        grids = grids_from(chosen, {"valueRanges": answers[: len(chosen)]})
        held: HistoryRead | None = None
        self._history_column = None
        if reading is not None:
            held, self._history_column = read_history(
                reading, answers[len(chosen) : len(chosen) + len(extra)]
            )
        kept_answers = answers[len(chosen) + len(extra) :]
        self._held = {sheet.sheet_id: to_grid(answer.get("values") or [])
                      for sheet, answer in zip(kept, kept_answers, strict=False)}  # fmt: skip
        return RawWorkbook(titles=titles, grids=grids, owned=owned, history=held)

    def _read_values(self, ranges: list[str]) -> list[dict[str, Any]]:
        """The ValueRange of each range, in order, in one call: values:batchGet, or
        values:batchGetByDataFilter (a POST) when the GET's URL would be longer than
        `max_get_url` characters (read.py)."""
        client = self._http()
        if len(batch_get_url(self.spreadsheet_id, ranges)) <= self.max_get_url:
            answer = self._call("reading", client.values_batch_get, self.spreadsheet_id,
                                ranges, params=dict(VALUE_PARAMS))  # fmt: skip
            return list(answer.get("valueRanges") or [])
        url = BY_FILTER_URL % self.spreadsheet_id
        response = self._call("reading", client.request, "post", url,
                              json=by_filter_body(ranges))  # fmt: skip
        return matched_in_order(ranges, response.json())

    def apply(self, plan: OutputPlan) -> None:
        """Write the whole plan in one batchUpdate, after checking tab ownership; within the
        deadline the read began (or a new one, for an apply on its own)."""
        self._begin(fresh=False)
        try:
            sheets = self._sheets if self._sheets is not None else self._fetch_sheets()
            titles = [sheet.title for sheet in sheets]
            plan = place_outputs(plan, titles, owned_outputs(sheets), self.description)
            parts = self._parts(plan, sheets)
            requests = [request for _, _, part in parts for request in part]
            if requests:
                self._batch_update(requests, parts)
        finally:
            self._end()

    def _parts(self, plan: OutputPlan, sheets: Sequence[SheetInfo]) -> list[Part]:
        """The write's requests per output: each tab's, then History's snapshot."""
        written = tab_requests(plan, sheets, self._held)
        parts: list[Part] = [(tab.key, tab.title, requests) for tab, requests in written]
        snapshot = plan.history
        if snapshot is not None:
            source = next(((sheet_id, tab) for tab, _, sheet_id in placed(plan, sheets)
                           if tab.key == REP_KPIS), None)  # fmt: skip
            added = history_requests(snapshot, sheets, self._history_column, source)
            parts.append((snapshot.key, snapshot.title, added))
        return parts

    def read_cell(self, title: str, cell: str) -> RawValue:
        """One cell (A1, like "B1") of the tab `title`, unformatted, in ONE values.get call,
        counted in `api_calls` and retried like every call: the daemon's cheap look at the
        "Refresh now" checkbox (a ticked box reads True). None when the cell is empty or the
        tab does not exist; ValueError when `cell` is not one cell's reference."""
        if not re.fullmatch(r"[A-Za-z]{1,3}[1-9][0-9]{0,6}", cell):
            raise ValueError(f"{cell!r} is not a cell reference like B1")
        client = self._begin(fresh=True)
        target = f"{value_ranges([title])[0]}!{cell}"

        def get() -> dict[str, Any]:
            try:
                answer: dict[str, Any] = client.values_get(
                    self.spreadsheet_id, target, params=dict(VALUE_PARAMS)
                )
            except GiveUp as failure:  # what the API answers for a tab that does not exist
                if failure.status == 400 and "Unable to parse range" in str(failure):
                    return {}
                raise
            return answer

        try:
            rows = self._call("reading", get).get("values") or []
        finally:
            self._end()
        value: RawValue = rows[0][0] if rows and rows[0] else None
        return None if value == "" else value

    def _history_reading(
        self, sheets: Sequence[SheetInfo], owned: Owned, query: HistoryQuery | None
    ) -> HistoryReading | None:
        if query is None:
            return None
        title = find_holder(HISTORY_KEY, query.title, [s.title for s in sheets], owned)
        sheet = next((s for s in sheets if s.title == title), None)
        return plan_reading(sheet, query) if sheet is not None else None

    # ---------------------------------------------------------------- init
    def add_input_tabs(self, tabs: Sequence[TabPlan]) -> None:
        """Add input tabs in one batchUpdate that touches no existing tab.

        Uses the tab list of the last read (or fetches it); a title that exists already makes
        the whole batch fail, so nothing is ever overwritten.
        """
        self._begin(fresh=False)
        try:
            sheets = self._sheets if self._sheets is not None else self._fetch_sheets()
            if tabs:
                self._batch_update(input_tab_requests(tabs, {s.sheet_id for s in sheets}))
        finally:
            self._end()

    # ---------------------------------------------------------------- calls
    def _fetch_sheets(self) -> tuple[SheetInfo, ...]:
        client = self._http()
        params = {"includeGridData": "false", "fields": METADATA_FIELDS}
        metadata = self._call("reading", client.fetch_sheet_metadata, self.spreadsheet_id,
                              params=params)  # fmt: skip
        self._metadata = dict(metadata)
        self._sheets = parse_sheets(metadata)
        return self._sheets

    def _batch_update(self, requests: list[dict[str, Any]], parts: Sequence[Part] = ()) -> None:
        """One batchUpdate carrying this run's marker (runmark.py). When its answer is lost
        or is an error that may come after applying, the marker tells whether it landed: a
        write that landed is a success (logged), never an error, and is never applied twice.
        A body over Google's size limit is never sent: a BackendError names its size, the
        limit and the biggest of `parts` (payload.py)."""
        client = self._http()
        mark = new_mark(self._metadata)
        body = encode({"requests": [*requests, *mark.requests()]})
        if len(body) > MAX_REQUEST_BYTES:
            raise too_large(len(body), self.spreadsheet_id, parts)
        self.write_bytes = len(body)
        # ids, sizes, markers and the values held change: read them again
        self._sheets, self._metadata, self._held = None, {}, {}
        url = SPREADSHEET_BATCH_UPDATE_URL % self.spreadsheet_id
        try:
            self._call("writing", client.request, "post", url, data=body, headers=dict(JSON),
                       settle=lambda: self._landed(mark))  # fmt: skip
        except Landed as landed:
            self.answers_lost += 1
            log.warning(
                "%s: the answer to the write was lost (%s); this run's marker is in the "
                "spreadsheet, so the new output was written", self.description,
                describe(landed.error),
            )  # fmt: skip

    def _landed(self, mark: RunMark) -> bool | None:
        """Whether this run's marker is in the spreadsheet (None: the check failed too)."""
        client = self._http()
        params: dict[str, Any] = {"includeGridData": "false", "fields": CHECK_FIELDS}
        try:
            answer = client.fetch_sheet_metadata(self.spreadsheet_id, params=params)
        except GiveUp as failure:
            log.warning("%s: could not check whether the write landed (%s)", self.description,
                        describe(failure.error))  # fmt: skip
            return None
        return mark.landed(answer)

    def _call(self, action: str, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one API call, turning its failure into a BackendError that says what to do."""
        try:
            return method(*args, **kwargs)
        except GiveUp as failure:
            raise translate(failure, self._context(action)) from failure.error
        except RefreshError as exc:
            raise token_refused(exc, self._context(action)) from None

    def _begin(self, *, fresh: bool) -> RetryingHTTPClient:
        """Start the refresh's deadline (`fresh`), or keep the one under way."""
        client = self._http()
        if fresh or client.deadline is None:
            client.deadline = Deadline(self.deadline_seconds, self._clock)
        return client

    def _end(self) -> None:
        """The refresh's last call is over: the next one starts a new deadline."""
        if self._client is not None:
            self._client.deadline = None

    def _context(self, action: str) -> Context:
        account = getattr(self._credentials, "service_account_email", None)
        if account == "default":  # compute engine credentials before their first use
            account = None
        deadline = self._client.deadline if self._client is not None else None
        return Context(self.spreadsheet_id, account, credentials_source(self.credentials_file),
                       action, deadline.seconds if deadline else None,
                       deadline.elapsed() if deadline else None)  # fmt: skip

    def _http(self) -> RetryingHTTPClient:
        if self._client is None:
            if self._credentials is None:
                self._credentials = load_credentials(self.credentials_file, self.config_file)
            self._client = RetryingHTTPClient(
                self._credentials,
                policy=self._policy,
                sleep=self._sleep,
                clock=self._clock,
                rng=self._rng,
                pacer=self._pacer,
                timeouts=self._timeouts,
            )
        return self._client
