"""Routing of Sheets and Drive URLs to the fake's handlers, with body validation and the
all-or-nothing rule for writes."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from . import _by_filter, _drive, _metadata, _values
from ._batch import add_sheet, batch_update, tidy_sheet_properties
from ._common import ApiError, IdSource, JsonDict, apply_mask, bad_request, parse_mask
from ._front import DRIVE_PREFIX, SHEETS_PREFIX, Routes
from ._schema import SchemaValidator
from ._state import (
    Sheet,
    Spreadsheet,
    default_sheet_properties,
    default_spreadsheet_properties,
    now_rfc3339,
)

Params = Mapping[str, Sequence[str]]
_ID_CHARS = string.ascii_letters + string.digits + "-_"

#: (method, endpoint) -> (request schema, prefix Google uses in error paths)
_BODY_SCHEMAS = {
    ("POST", "batchUpdate"): ("BatchUpdateSpreadsheetRequest", ""),
    ("PUT", "values"): ("ValueRange", "data"),
    ("POST", "append"): ("ValueRange", "data"),
    ("POST", "values:batchUpdate"): ("BatchUpdateValuesRequest", ""),
    ("POST", "values:batchClear"): ("BatchClearValuesRequest", ""),
    ("POST", "clear"): ("ClearValuesRequest", ""),
    ("POST", "create"): ("Spreadsheet", "spreadsheet"),
    ("POST", "developerMetadata:search"): ("SearchDeveloperMetadataRequest", ""),
    ("POST", "values:batchGetByDataFilter"): ("BatchGetValuesByDataFilterRequest", ""),
}


def new_spreadsheet_id() -> str:
    """A 44-character id like Google's."""
    return "1" + "".join(secrets.choice(_ID_CHARS) for _ in range(43))


class Router:
    """Holds the spreadsheets and answers parsed requests with (status, JSON body)."""

    def __init__(self, validator: SchemaValidator | None, routes: Routes | None = None) -> None:
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.ids = IdSource()
        self.validator = validator
        self.routes = routes or Routes(None)
        self.caller_email: str | None = None

    # ---------------------------------------------------------------- state
    def new_spreadsheet(self, title: str, spreadsheet_id: str | None = None) -> Spreadsheet:
        sid = spreadsheet_id or self.ids.next_str("spreadsheet", new_spreadsheet_id)
        if sid in self.spreadsheets:
            raise ValueError(f"spreadsheet id {sid!r} already exists")
        ss = Spreadsheet(
            spreadsheet_id=sid,
            properties=default_spreadsheet_properties(title),
            sheets=[],
            ids=self.ids,
        )
        self.spreadsheets[sid] = ss
        return ss

    def lookup(self, spreadsheet_id: str, *, drive: bool = False) -> Spreadsheet:
        ss = self.spreadsheets.get(spreadsheet_id)
        if ss is None:
            if drive:
                raise _drive.drive_error(404, f"File not found: {spreadsheet_id}.", "notFound")
            raise ApiError(404)
        if not ss.shared:
            if drive:
                raise _drive.drive_error(404, f"File not found: {spreadsheet_id}.", "notFound")
            raise ApiError(403)
        return ss

    def _unserved(self, method: str, rest: str, drive: bool = False) -> ApiError:
        """The 404 for a route the fake does not serve (see _front)."""
        base = (
            "https://www.googleapis.com" + DRIVE_PREFIX
            if drive
            else ("https://sheets.googleapis.com" + SHEETS_PREFIX)
        )
        return self.routes.not_served(method, base + rest)

    def _validate(self, method: str, endpoint: str, body: Any) -> None:
        schema = _BODY_SCHEMAS.get((method, endpoint))
        if schema and self.validator is not None and body is not None:
            self.validator.validate(body, *schema)

    def _write(self, spreadsheet_id: str, change: Callable[[Spreadsheet], JsonDict]) -> JsonDict:
        """Run ``change`` on a copy and keep it only when it succeeds (all or nothing). The
        copy shares the cells with the current state, copy on write (see ``_sheet``)."""
        current = self.lookup(spreadsheet_id)
        draft = current.working_copy()
        draft.caller_email = self.caller_email
        result = change(draft)
        draft.caller_email = None
        draft.modified_time = now_rfc3339()
        self.spreadsheets[spreadsheet_id] = draft
        return result

    # ---------------------------------------------------------------- sheets
    def sheets(self, method: str, rest: str, params: Params, body: Any) -> JsonDict:
        """``rest`` is the raw (still percent-encoded) path after ``/v4/spreadsheets``."""
        if rest in {"", "/"}:
            if method != "POST":
                raise self._unserved(method, rest)
            self._validate("POST", "create", body)
            return self.create(body or {})
        head, _, tail = rest.lstrip("/").partition("/")
        spreadsheet_id, _, verb = head.partition(":")
        spreadsheet_id = unquote(spreadsheet_id)
        if not tail:
            if verb == "" and method == "GET":
                return self.get(spreadsheet_id, params)
            if verb == "batchUpdate" and method == "POST":
                self._validate(method, "batchUpdate", body)
                return self._write(spreadsheet_id, lambda ss: batch_update(ss, body or {}))
            raise self._unserved(method, rest)
        if tail.startswith("values:"):
            return self._values_batch(method, spreadsheet_id, tail, params, body)
        if tail.startswith("values/"):
            return self._values_one(method, spreadsheet_id, tail[len("values/") :], params, body)
        if tail == "developerMetadata:search" and method == "POST":
            self._validate(method, tail, body)
            return _metadata.search(self.lookup(spreadsheet_id), body or {})
        if tail.startswith("developerMetadata/") and method == "GET":
            found = _metadata.get_one(self.lookup(spreadsheet_id), int(tail.split("/")[1]))
            if found is None:
                raise ApiError(404)
            return found
        raise self._unserved(method, rest)

    def _values_batch(
        self, method: str, sid: str, tail: str, params: Params, body: Any
    ) -> JsonDict:
        if tail == "values:batchGet" and method == "GET":
            return _values.values_batch_get(self.lookup(sid), params)
        if tail == "values:batchUpdate" and method == "POST":
            self._validate(method, tail, body)
            return self._write(sid, lambda ss: _values.values_batch_update(ss, body or {}))
        if tail == "values:batchClear" and method == "POST":
            self._validate(method, tail, body)
            return self._write(sid, lambda ss: _values.values_batch_clear(ss, body or {}))
        if tail == "values:batchGetByDataFilter" and method == "POST":
            # A read sent as POST: Google asks for a write scope (see _auth) and it changes
            # nothing, so it runs on the current state.
            self._validate(method, tail, body)
            return _by_filter.values_batch_get(self.lookup(sid), body or {})
        raise self._unserved(method, f"/{sid}/{tail}")

    def _values_one(
        self, method: str, sid: str, encoded: str, params: Params, body: Any
    ) -> JsonDict:
        verb = ""
        for suffix in (":append", ":clear"):
            if encoded.endswith(suffix):
                encoded, verb = encoded[: -len(suffix)], suffix[1:]
        range_text = unquote(encoded)
        if verb == "" and method == "GET":
            return _values.values_get(self.lookup(sid), range_text, params)
        if verb == "" and method == "PUT":
            self._validate(method, "values", body)
            return self._write(
                sid, lambda ss: _values.values_update(ss, range_text, params, body or {})
            )
        if verb == "append" and method == "POST":
            self._validate(method, "append", body)
            return self._write(
                sid, lambda ss: _values.values_append(ss, range_text, params, body or {})
            )
        if verb == "clear" and method == "POST":
            self._validate(method, "clear", body)
            return self._write(sid, lambda ss: _values.values_clear(ss, range_text))
        raise self._unserved(method, f"/{sid}/values/{encoded}" + (f":{verb}" if verb else ""))

    def get(self, spreadsheet_id: str, params: Params) -> JsonDict:
        ss = self.lookup(spreadsheet_id)
        fields = (params.get("fields") or [""])[-1]
        mask = parse_mask(fields) if fields else None
        if mask is not None:
            sheets_mask = mask.get("sheets", {}) if "sheets" in mask else {}
            grid = "sheets" in mask and (sheets_mask is None or "data" in sheets_mask)
        else:
            grid = (params.get("includeGridData") or ["false"])[-1].lower() == "true"
        ranges = list(params.get("ranges", [])) or None
        return ss.to_json(ranges=ranges, include_grid_data=grid, mask=mask)

    def create(self, body: JsonDict) -> JsonDict:
        props = body.get("properties") or {}
        ss = self.new_spreadsheet(str(props.get("title") or "Untitled spreadsheet"))
        try:
            ss.properties.update({k: v for k, v in props.items() if v is not None})
            sheets = body.get("sheets") or [{}]
            for index, sheet in enumerate(sheets):
                given = dict(sheet.get("properties") or {})
                if index == 0 and "sheetId" not in given:
                    given["sheetId"] = 0
                add_sheet(ss, {"properties": given}, f"spreadsheet.sheets[{index}]")
        except ApiError:
            del self.spreadsheets[ss.spreadsheet_id]
            raise
        return ss.to_json()

    # ---------------------------------------------------------------- drive
    def drive(self, method: str, rest: str, params: Params, body: Any) -> JsonDict | None:
        """``rest`` is the path after ``/drive/v3/files``; returns None for 204."""
        file_id = unquote(rest.strip("/"))
        if not file_id:
            if method == "POST":
                return _drive.create(body or {}, self.make_default, params)
            if method == "GET":
                return _drive.list_files(list(self.spreadsheets.values()), params)
            raise self._unserved(method, rest, drive=True)
        if "/" in file_id:
            raise self._unserved(method, rest, drive=True)
        ss = self.lookup(file_id, drive=True)
        if method == "GET":
            return _drive.get_file(ss, params)
        if method == "DELETE":
            del self.spreadsheets[file_id]
            return None
        raise self._unserved(method, rest, drive=True)

    def make_default(self, title: str) -> Spreadsheet:
        """A spreadsheet as Drive creates it: one empty ``Sheet1`` with sheetId 0."""
        ss = self.new_spreadsheet(title)
        props = default_sheet_properties(0, "Sheet1", 0)
        tidy_sheet_properties(props)
        ss.sheets.append(Sheet(properties=props))
        return ss


def apply_fields(result: JsonDict, params: Params) -> JsonDict:
    """Apply the ``fields`` system parameter to an answer other than spreadsheets.get."""
    fields = (params.get("fields") or [""])[-1]
    if not fields:
        return result
    masked: JsonDict = apply_mask(result, parse_mask(fields))
    return masked


__all__ = ["Router", "apply_fields", "bad_request", "new_spreadsheet_id"]
