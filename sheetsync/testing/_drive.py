"""The Drive v3 ``files`` calls gspread makes: create, list (``q`` on mimeType and name),
get and delete. Only spreadsheets exist in this Drive."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._common import ApiError, JsonDict, apply_mask, parse_mask
from ._state import Spreadsheet

SHEETS_MIME = "application/vnd.google-apps.spreadsheet"
_CLAUSE = re.compile(
    r"""^\s*(mimeType|name|trashed|'[^']*'\s+in\s+parents|parents)\s*(=|!=|contains|in)?\s*"""
    r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(true|false))?\s*$""",
    re.IGNORECASE,
)


def drive_error(code: int, message: str, reason: str) -> ApiError:
    """An error in Drive's shape (with the legacy ``errors`` list)."""
    return ApiError(
        code,
        message,
        errors=[
            {
                "message": message,
                "domain": "global",
                "reason": reason,
                **({"location": "fileId", "locationType": "parameter"} if code == 404 else {}),
            }
        ],
    )


def file_json(ss: Spreadsheet) -> JsonDict:
    """The Drive File resource of a spreadsheet (all fields the fake knows)."""
    return {
        "kind": "drive#file",
        "id": ss.spreadsheet_id,
        "name": ss.properties.get("title", ""),
        "mimeType": SHEETS_MIME,
        "createdTime": ss.created_time,
        "modifiedTime": ss.modified_time,
    }


def _select(resource: JsonDict, params: Mapping[str, Sequence[str]], default: list[str]) -> Any:
    fields = (params.get("fields") or [""])[-1]
    if not fields:
        return {k: resource[k] for k in default if k in resource}
    return apply_mask(resource, parse_mask(fields))


def create(
    body: JsonDict, make: Callable[[str], Spreadsheet], params: Mapping[str, Sequence[str]]
) -> JsonDict:
    """POST /drive/v3/files"""
    mime = body.get("mimeType")
    if mime != SHEETS_MIME:
        raise ApiError(400, f"The sheetsync fake can only create spreadsheets, not {mime!r}.")
    ss = make(str(body.get("name") or "Untitled spreadsheet"))
    return _select(file_json(ss), params, ["kind", "id", "name", "mimeType"])  # type: ignore[no-any-return]


def _matches(ss: Spreadsheet, query: str) -> bool:
    if not query.strip():
        return True
    for clause in re.split(r"\s+and\s+", query.strip(), flags=re.IGNORECASE):
        match = _CLAUSE.match(clause)
        if match is None:
            raise ApiError(400, "Invalid Value")
        field, op, dq, sq, boolean = match.groups()
        value = (dq if dq is not None else sq or "").replace('\\"', '"').replace("\\'", "'")
        field = field.lower()
        if field == "mimetype":
            ok = value == SHEETS_MIME
        elif field == "name":
            name = str(ss.properties.get("title", ""))
            ok = (
                value.lower() in name.lower() if (op or "").lower() == "contains" else name == value
            )
        elif field == "trashed":
            ok = (boolean or "false").lower() == "false"
        else:
            ok = False  # folders do not exist in the fake
        if op == "!=":
            ok = not ok
        if not ok:
            return False
    return True


def list_files(
    spreadsheets: Sequence[Spreadsheet], params: Mapping[str, Sequence[str]]
) -> JsonDict:
    """GET /drive/v3/files (newest first, no paging)."""
    query = (params.get("q") or [""])[-1]
    found = [ss for ss in spreadsheets if ss.shared and _matches(ss, query)]
    found.sort(key=lambda ss: ss.created_time, reverse=True)
    files = [file_json(ss) for ss in found]
    body: JsonDict = {"kind": "drive#fileList", "incompleteSearch": False, "files": files}
    fields = (params.get("fields") or [""])[-1]
    if not fields:
        body["files"] = [{k: f[k] for k in ("kind", "mimeType", "id", "name")} for f in files]
        return body
    selected: JsonDict = apply_mask(body, parse_mask(fields))
    return selected


def get_file(ss: Spreadsheet, params: Mapping[str, Sequence[str]]) -> JsonDict:
    """GET /drive/v3/files/{id}"""
    return _select(file_json(ss), params, ["kind", "id", "name", "mimeType"])  # type: ignore[no-any-return]
