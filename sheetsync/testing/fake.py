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
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
import responses

from . import _auth
from ._a1 import format_range
from ._cells import python_to_cell, render_value
from ._common import ApiError, JsonDict
from ._router import Router, apply_fields
from ._schema import SchemaValidator, load_discovery
from ._state import Sheet, Spreadsheet, cell_json, default_sheet_properties

SHEETS_URL = re.compile(r"^https://sheets\.googleapis\.com/v4/spreadsheets.*")
DRIVE_URL = re.compile(r"^https://www\.googleapis\.com/drive/v3/files.*")
TOKEN_URL = re.compile(r"^https://oauth2\.googleapis\.com/token.*")
SPREADSHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive"

Response = tuple[int, dict[str, str], str]


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
class _Fault:
    status: int
    remaining: int | None  # None: forever
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
class _Settings:
    faults: list[_Fault] = field(default_factory=list)
    delay: float = 0.0


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
        validator = SchemaValidator(load_discovery(discovery_path)) if validate else None
        self._router = Router(validator)
        self._auth = _auth.AuthServer()
        self._settings = _Settings()
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
                self._mock.add_callback(method, SHEETS_URL, callback=self._callback)
                self._mock.add_callback(method, DRIVE_URL, callback=self._callback)
            self._mock.add_callback("POST", TOKEN_URL, callback=self._callback)
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
            _Fault(status, n, retry_after, method, path_contains, api, message)
        )

    def fail_always(self, status: int = 503, **filters: Any) -> None:
        """Answer every matching call with ``status`` until clear_faults()."""
        self._settings.faults.append(_Fault(status, None, **filters))

    def clear_faults(self) -> None:
        """Remove every injected fault and delay."""
        self._settings = _Settings()

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
        for index, (tab, rows) in enumerate((tabs or {"Sheet1": []}).items()):
            sheet_id = 0 if index == 0 else self._router.ids.next_int("sheet")
            sheet = Sheet(properties=default_sheet_properties(sheet_id, tab, index))
            height = len(rows)
            width = max((len(row) for row in rows), default=0)
            sheet.grow_to(height, width)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    patch = python_to_cell(value, user_entered=True)
                    if patch is not None:
                        sheet.update_cell(r, c, patch)
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
        rows: list[list[Any]] = []
        for r in range(sheet.row_count):
            line = [
                render_value(sheet.cells[(r, c)], render, "SERIAL_NUMBER")
                if (r, c) in sheet.cells
                else ""
                for c in range(sheet.column_count)
            ]
            while line and line[-1] == "":
                line.pop()
            rows.append(line)
        while rows and not rows[-1]:
            rows.pop()
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
        raw = request.body.decode("utf-8") if isinstance(request.body, bytes) else request.body
        api = {"sheets.googleapis.com": "sheets", "oauth2.googleapis.com": "oauth"}.get(
            parts.netloc, "drive"
        )
        body: Any = None
        status = 500
        try:
            if api == "oauth":
                status, headers, text = self._token(raw or "")
                return status, headers, text
            if raw:
                try:
                    body = json.loads(raw)
                except json.JSONDecodeError:
                    raise ApiError(
                        400, f"Invalid JSON payload received. Unexpected token.\n{raw[:40]}"
                    ) from None
            status, headers, text = self._serve(method, api, parts.path, params, body, request)
            return status, headers, text
        except requests.exceptions.ConnectionError:
            status = 0
            raise
        finally:
            self.requests.append(
                RecordedRequest(method, url, unquote(parts.path), params, body, status, api)
            )

    def _serve(
        self,
        method: str,
        api: str,
        path: str,
        params: dict[str, list[str]],
        body: Any,
        request: requests.PreparedRequest,
    ) -> Response:
        if self._settings.delay:
            self.sleep(self._settings.delay)
        try:
            self._inject_fault(method, path, api)
            authorization = request.headers.get("Authorization")
            self._authorize(authorization, api, method)
            self._router.caller_email = self._auth.email_of(authorization)
            if api == "sheets":
                rest = request.path_url.split("?")[0][len("/v4/spreadsheets") :]
                result: JsonDict | None = self._router.sheets(method, rest, params, body)
            else:
                rest = request.path_url.split("?")[0][len("/drive/v3/files") :]
                result = self._router.drive(method, rest, params, body)
            if result is None:
                return 204, {}, ""
            if api == "sheets" and not (method == "GET" and rest.count("/") == 1):
                result = apply_fields(result, params)
            return 200, _JSON, json.dumps(result)
        except ApiError as error:
            return error.code, {**_JSON, **error.headers}, json.dumps(error.body())

    def _inject_fault(self, method: str, path: str, api: str) -> None:
        for fault in self._settings.faults:
            if fault.remaining == 0 or not fault.matches(method, path, api):
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
            if fault.status == 0:
                raise requests.exceptions.ConnectionError("Connection refused (sheetsync fake)")
            headers: dict[str, str] = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            raise ApiError(fault.status, fault.message, headers=headers)

    def _authorize(self, header: str | None, api: str, method: str) -> None:
        if not self.require_auth:
            return
        scopes = self._auth.scopes_of(header)
        if scopes is None:
            message = (
                "Request is missing required authentication credential. Expected OAuth 2 "
                "access token, login cookie or other valid authentication credential. See "
                "https://developers.google.com/identity/sign-in/web/devconsole-project."
                if not header
                else "Request had invalid authentication credentials. Expected OAuth 2 access "
                "token, login cookie or other valid authentication credential. See "
                "https://developers.google.com/identity/sign-in/web/devconsole-project."
            )
            raise ApiError(401, message)
        read = method == "GET"
        if api == "sheets":
            allowed = _auth.SHEETS_READ_SCOPES if read else _auth.SHEETS_WRITE_SCOPES
        else:
            allowed = _auth.DRIVE_READ_SCOPES if read else _auth.DRIVE_WRITE_SCOPES
        if not scopes & allowed:
            raise ApiError(403, "Request had insufficient authentication scopes.")

    def _token(self, form: str) -> Response:
        try:
            answer = self._auth.exchange(form)
        except _auth.TokenError as error:
            body = {"error": error.error, "error_description": error.description}
            return 400, _JSON, json.dumps(body)
        return 200, _JSON, json.dumps(answer)


_JSON = {"Content-Type": "application/json; charset=UTF-8"}


@contextmanager
def fake_sheets_api(**kwargs: Any) -> Iterator[FakeSheetsApi]:
    """``with fake_sheets_api() as fake:`` - a started FakeSheetsApi (pytest-friendly:
    wrap it in your own fixture)."""
    fake = FakeSheetsApi(**kwargs)
    with fake:
        yield fake
