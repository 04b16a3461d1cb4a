"""FakeSheetsApi: a stateful fake of the Google Sheets API v4 (plus the Drive ``files`` and
OAuth token endpoints) served through the ``responses`` library, so that unmodified gspread
and google-auth code runs against it.

Usage::

    with FakeSheetsApi() as fake:
        key = fake.service_account_file(tmp_path)
        sid = fake.create_spreadsheet("Sales", {"Sheet1": [["Rep", "Calls"], ["Anna", 3]]})
        gc = gspread.service_account(filename=key)
        assert gc.open_by_key(sid).sheet1.get_all_values() == [["Rep", "Calls"], ["Anna", "3"]]
        assert fake.api_calls == 2   # metadata + values
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
import responses

from . import _auth
from ._a1 import format_range
from ._cells import python_to_cell
from ._common import ApiError, JsonDict
from ._front import (
    DRIVE_PREFIX,
    SHEETS_PREFIX,
    TOKEN_PATH,
    URL_PATTERNS,
    Fault,
    RecordedRequest,
    Routes,
    Settings,
    api_of,
    discovery_or_none,
    json_body,
    payload_too_large,
)
from ._router import Router, apply_fields
from ._schema import SchemaValidator
from ._state import Sheet, Spreadsheet, cell_json, default_sheet_properties
from ._values import value_range

SPREADSHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive"

Response = tuple[int, dict[str, str], str]


class FakeSheetsApi:
    """A fake Google Sheets API. Use it as a context manager (or call start()/stop()).

    Args:
        mock: an existing ``responses.RequestsMock`` to register on (it is not started or
            stopped by the fake); by default the fake runs its own.
        discovery_path: path of ``sheets.v4.json`` when google-api-python-client is absent.
        validate: check request bodies against the discovery document (default True).
        require_auth: demand a valid ``Bearer`` token on Sheets and Drive calls.
        sleep: the function ``delay()`` uses (``time.sleep``; pass a recorder in tests).
    """

    def __init__(
        self,
        *,
        mock: responses.RequestsMock | None = None,
        discovery_path: str | Path | None = None,
        validate: bool = True,
        require_auth: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        discovery = discovery_or_none(discovery_path, required=validate)
        validator = SchemaValidator(discovery) if validate and discovery else None
        self._router = Router(validator, Routes(discovery))
        self._auth = _auth.AuthServer()
        self._settings = Settings()
        self._own_mock = mock is None
        self._mock = mock or responses.RequestsMock(assert_all_requests_are_fired=False)
        self._registered = False
        self.require_auth = require_auth
        self.sleep = sleep
        self.requests: list[RecordedRequest] = []

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeSheetsApi:
        """Register the callbacks (and start the mock when the fake owns it)."""
        if not self._registered:
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                for pattern in URL_PATTERNS:
                    self._mock.add_callback(method, pattern, callback=self._callback)
            self._registered = True
        if self._own_mock:
            self._mock.start()
        return self

    def stop(self) -> None:
        """Stop the mock when the fake owns it."""
        if self._own_mock:
            self._mock.stop()
            self._mock.reset()
            self._registered = False

    def __enter__(self) -> FakeSheetsApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ auth
    def service_account_file(self, directory: str | Path) -> Path:
        """Write a service-account key file whose tokens this fake accepts."""
        return self._auth.service_account_file(directory)

    def issue_token(
        self, scopes: Sequence[str] = (SPREADSHEETS_SCOPE,), *, email: str | None = None
    ) -> str:
        """An access token for ``scopes`` (acting as service account ``email``), without
        going through the token endpoint."""
        return self._auth.issue(list(scopes), email)

    @property
    def granted_scopes(self) -> list[frozenset[str]]:
        """The scopes of every token issued so far, oldest first."""
        return list(self._auth.granted)

    # ------------------------------------------------------------------ faults
    def fail_next(
        self,
        n: int = 1,
        status: int = 429,
        *,
        retry_after: float | None = None,
        method: str | None = None,
        path_contains: str | None = None,
        api: str | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next ``n`` matching Sheets/Drive calls with an error of ``status``.

        ``status=0`` raises ``requests.exceptions.ConnectionError`` instead. ``retry_after``
        adds a ``Retry-After`` header; ``method``, ``path_contains`` (a substring of the URL
        path) and ``api`` (``"sheets"`` or ``"drive"``) narrow which calls fail.
        """
        self._settings.faults.append(
            Fault(status, n, retry_after, method, path_contains, api, message)
        )

    def fail_always(self, status: int = 503, **filters: Any) -> None:
        """Answer every matching call with ``status`` until clear_faults()."""
        self._settings.faults.append(Fault(status, None, **filters))

    def clear_faults(self) -> None:
        """Remove every injected fault and delay."""
        self._settings = Settings()

    def delay(self, seconds: float) -> None:
        """Make every Sheets/Drive call wait ``seconds`` (through ``self.sleep``)."""
        self._settings.delay = seconds

    def preset_ids(self, kind: str, *ids: Any) -> None:
        """Queue the ids the fake assigns next (``spreadsheet``, ``sheet``, ``chart``,
        ``protectedRange``, ``namedRange``, ``developerMetadata``), e.g. to replay a
        recorded session."""
        self._router.ids.queue(kind, *ids)

    # ------------------------------------------------------------------ log
    @property
    def api_calls(self) -> int:
        """How many Sheets API requests were made (token and Drive calls excluded)."""
        return sum(1 for r in self.requests if r.api == "sheets")

    def reset_log(self) -> None:
        """Forget the recorded requests."""
        self.requests.clear()

    # ------------------------------------------------------------------ state helpers
    def create_spreadsheet(
        self,
        title: str = "Untitled spreadsheet",
        tabs: Mapping[str, Sequence[Sequence[Any]]] | None = None,
        *,
        spreadsheet_id: str | None = None,
        shared: bool = True,
    ) -> str:
        """Create a spreadsheet with one tab per ``tabs`` entry, values entered as a user
        would type them (numbers, bools, dates become typed cells; None leaves a cell empty).
        Without tabs it has an empty ``Sheet1``. Returns the spreadsheet id."""
        ss = self._router.new_spreadsheet(title, spreadsheet_id)
        ss.shared = shared
        # Equal values share one cell dict (cells are never changed in place, see _sheet):
        # a big workbook then holds a few thousand dicts instead of one per cell, which
        # keeps Python's garbage collector from walking a million of them at every pass.
        known: dict[tuple[type, Any], JsonDict | None] = {}

        def typed(value: Any) -> JsonDict | None:
            key = (type(value), value)
            if isinstance(value, float) and value == 0:
                key = (float, str(value))  # -0.0 equals 0.0 but is written as -0.0
            try:
                return known[key]
            except KeyError:
                cell = known[key] = python_to_cell(value, user_entered=True)
                return cell
            except TypeError:  # unhashable: python_to_cell refuses it with a clear message
                return python_to_cell(value, user_entered=True)

        for index, (tab, rows) in enumerate((tabs or {"Sheet1": []}).items()):
            sheet_id = 0 if index == 0 else self._router.ids.next_int("sheet")
            sheet = Sheet(properties=default_sheet_properties(sheet_id, tab, index))
            height = len(rows)
            width = max((len(row) for row in rows), default=0)
            sheet.grow_to(height, width)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    cell = typed(value)
                    if cell:
                        sheet.store(r, c, cell)
            ss.sheets.append(sheet)
        return ss.spreadsheet_id

    def set_shared(self, spreadsheet_id: str, shared: bool) -> None:
        """Share (or stop sharing) a spreadsheet with the caller; unshared answers 403."""
        self._spreadsheet(spreadsheet_id).shared = shared

    def values(
        self, spreadsheet_id: str, tab: str, render: str = "UNFORMATTED_VALUE"
    ) -> list[list[Any]]:
        """The tab's values, trimmed as the values API returns them."""
        sheet = self._sheet(spreadsheet_id, tab)
        box = (0, sheet.row_count, 0, sheet.column_count)
        found = value_range(sheet, *box, render, "SERIAL_NUMBER", "ROWS")
        rows: list[list[Any]] = found.get("values", [])
        return rows

    def sheet_titles(self, spreadsheet_id: str) -> list[str]:
        """Titles of the tabs, in order."""
        return [sheet.title for sheet in self._spreadsheet(spreadsheet_id).sheets]

    def developer_metadata(self, spreadsheet_id: str) -> list[JsonDict]:
        """Every DeveloperMetadata entry stored in the spreadsheet."""
        return json.loads(json.dumps(self._spreadsheet(spreadsheet_id).developer_metadata))  # type: ignore[no-any-return]

    def cell(self, spreadsheet_id: str, tab: str, a1: str) -> JsonDict:
        """The CellData of one cell (``{}`` when empty), as includeGridData returns it."""
        ss = self._spreadsheet(spreadsheet_id)
        sheet, r0, _, c0, _ = ss.resolve_range(
            f"{format_range(tab, 0, 1, 0, 1).split('!')[0]}!{a1}"
        )
        return cell_json(sheet.cells.get((r0, c0), {}))

    def spreadsheet_json(self, spreadsheet_id: str, *, include_grid_data: bool = False) -> JsonDict:
        """The Spreadsheet resource, as spreadsheets.get returns it."""
        return self._spreadsheet(spreadsheet_id).to_json(include_grid_data=include_grid_data)

    def _spreadsheet(self, spreadsheet_id: str) -> Spreadsheet:
        try:
            return self._router.spreadsheets[spreadsheet_id]
        except KeyError:
            raise KeyError(f"no spreadsheet with id {spreadsheet_id!r}") from None

    def _sheet(self, spreadsheet_id: str, tab: str) -> Sheet:
        sheet = self._spreadsheet(spreadsheet_id).sheet_by_title(tab)
        if sheet is None:
            raise KeyError(f"no tab {tab!r} in spreadsheet {spreadsheet_id!r}")
        return sheet

    # ------------------------------------------------------------------ HTTP
    def _callback(self, request: requests.PreparedRequest) -> Response:
        url = str(request.url)
        parts = urlsplit(url)
        params = parse_qs(parts.query, keep_blank_values=True)
        method = str(request.method).upper()
        api = api_of(url)
        parsed: list[Any] = [None]  # the JSON body, once parsed (for the log)
        status = 500
        try:
            status, headers, text = self._answer(method, api, url, params, request, parsed)
            return status, headers, text
        except requests.exceptions.ConnectionError:
            status = 0
            raise
        finally:
            self.requests.append(
                RecordedRequest(method, url, unquote(parts.path), params, parsed[0], status, api)
            )

    def _answer(
        self,
        method: str,
        api: str,
        url: str,
        params: dict[str, list[str]],
        request: requests.PreparedRequest,
        parsed: list[Any],
    ) -> Response:
        raw = request.body.encode("utf-8") if isinstance(request.body, str) else request.body
        raw = raw if isinstance(raw, bytes) else b""
        path = request.path_url.split("?")[0]
        if api == "oauth":
            if method == "POST" and path == TOKEN_PATH:
                return self._token(raw.decode("utf-8", "replace"))
            return _error(self._router.routes.not_served(method, url))
        if self._settings.delay:
            self.sleep(self._settings.delay)
        try:
            if api == "sheets":
                # Before anything is parsed, as Google's front end does.
                too_big = payload_too_large(len(raw))
                if too_big is not None:
                    raise too_big
            prefix = SHEETS_PREFIX if api == "sheets" else DRIVE_PREFIX
            rest = path[len(prefix) :]
            if not path.startswith(prefix) or rest[:1] not in ("", "/"):
                raise self._router.routes.not_served(method, url)
            parsed[0] = body = json_body(raw)
            self._inject_fault(method, urlsplit(url).path, api)
            authorization = request.headers.get("Authorization")
            self._authorize(authorization, api, method)
            self._router.caller_email = self._auth.email_of(authorization)
            if api == "sheets":
                result: JsonDict | None = self._router.sheets(method, rest, params, body)
            else:
                result = self._router.drive(method, rest, params, body)
            if result is None:
                return 204, {}, ""
            if api == "sheets" and not (method == "GET" and rest.count("/") == 1):
                result = apply_fields(result, params)
            return 200, _JSON, json.dumps(result)
        except ApiError as error:
            return _error(error)

    def _inject_fault(self, method: str, path: str, api: str) -> None:
        fault = self._settings.next_fault(method, path, api)
        if fault is None:
            return
        if fault.status == 0:
            raise requests.exceptions.ConnectionError("Connection refused (sheetsync fake)")
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{fault.retry_after:g}"
        raise ApiError(fault.status, fault.message, headers=headers)

    def _authorize(self, header: str | None, api: str, method: str) -> None:
        if self.require_auth:
            self._auth.authorize(header, api, method)

    def _token(self, form: str) -> Response:
        try:
            answer = self._auth.exchange(form)
        except _auth.TokenError as error:
            body = {"error": error.error, "error_description": error.description}
            return 400, _JSON, json.dumps(body)
        return 200, _JSON, json.dumps(answer)


_JSON = {"Content-Type": "application/json; charset=UTF-8"}


def _error(error: ApiError) -> Response:
    return error.code, {**_JSON, **error.headers}, json.dumps(error.body())


@contextmanager
def fake_sheets_api(**kwargs: Any) -> Iterator[FakeSheetsApi]:
    """``with fake_sheets_api() as fake:`` - a started FakeSheetsApi (pytest-friendly:
    wrap it in your own fixture)."""
    fake = FakeSheetsApi(**kwargs)
    with fake:
        yield fake
