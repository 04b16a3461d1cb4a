"""Developer metadata: the create/update/delete batchUpdate requests, DataFilter matching and
the ``developerMetadata:search`` endpoint."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ._common import JsonDict, bad_request, fields_mask, mask_update, strip_nulls
from ._state import Spreadsheet

Handler = Callable[[Spreadsheet, JsonDict, str], "JsonDict | None"]

_VISIBILITIES = {"DOCUMENT", "PROJECT"}


def location_sheet(location: JsonDict) -> int | None:
    """The sheet a developer-metadata location belongs to (None: the spreadsheet)."""
    if "sheetId" in location:
        return int(location["sheetId"])
    if "dimensionRange" in location:
        return int(location["dimensionRange"].get("sheetId", 0))
    return None


def _location(ss: Spreadsheet, given: JsonDict, where: str) -> JsonDict:
    """Normalise a DeveloperMetadataLocation to the form Google answers with."""
    given = strip_nulls(given)
    if given.get("spreadsheet"):
        return {"locationType": "SPREADSHEET", "spreadsheet": True}
    if "sheetId" in given:
        ss.sheet_by_id(int(given["sheetId"]), where)
        return {"locationType": "SHEET", "sheetId": int(given["sheetId"])}
    if "dimensionRange" in given:
        rng = dict(given["dimensionRange"])
        sheet = ss.sheet_by_id(int(rng.get("sheetId", 0)), where)
        if rng.get("dimension") not in {"ROWS", "COLUMNS"}:
            raise bad_request(f"Invalid {where}: dimensionRange needs a dimension.")
        start, end = int(rng.get("startIndex", 0)), rng.get("endIndex")
        if end is None or int(end) != start + 1:
            raise bad_request(
                f"Invalid {where}: Developer metadata may only be associated with a single "
                "row or column."
            )
        size = sheet.row_count if rng["dimension"] == "ROWS" else sheet.column_count
        if int(end) > size:
            raise bad_request(f"Invalid {where}: dimensionRange is outside the grid.")
        kind = "ROW" if rng["dimension"] == "ROWS" else "COLUMN"
        rng["sheetId"] = sheet.sheet_id
        return {"locationType": kind, "dimensionRange": rng}
    raise bad_request(f"Invalid {where}: developerMetadata.location must be set.")


def create_developer_metadata(ss: Spreadsheet, request: JsonDict, where: str) -> JsonDict:
    given = strip_nulls(copy.deepcopy(request.get("developerMetadata") or {}))
    taken = {int(m["metadataId"]) for m in ss.developer_metadata}
    metadata_id = int(given.get("metadataId") or ss.next_id("developerMetadata", taken))
    if metadata_id in taken:
        raise bad_request(
            f"Invalid {where}: Developer metadata with ID {metadata_id} already exists."
        )
    if given.get("visibility") not in _VISIBILITIES:
        raise bad_request(f"Invalid {where}: developerMetadata.visibility must be specified.")
    if not given.get("metadataKey"):
        raise bad_request(f"Invalid {where}: developerMetadata.metadataKey must be specified.")
    created: JsonDict = {"metadataId": metadata_id, "metadataKey": given["metadataKey"]}
    if "metadataValue" in given:
        created["metadataValue"] = given["metadataValue"]
    created["location"] = _location(ss, given.get("location") or {}, where)
    created["visibility"] = given["visibility"]
    ss.developer_metadata.append(created)
    return {"developerMetadata": copy.deepcopy(created)}


def _lookup_matches(ss: Spreadsheet, item: JsonDict, lookup: JsonDict) -> bool:
    simple: dict[str, Callable[[], bool]] = {
        "metadataId": lambda: item["metadataId"] == int(lookup["metadataId"]),
        "metadataKey": lambda: item["metadataKey"] == lookup["metadataKey"],
        "metadataValue": lambda: item.get("metadataValue") == lookup["metadataValue"],
        "visibility": lambda: item["visibility"] == lookup["visibility"],
        "locationType": lambda: item["location"]["locationType"] == lookup["locationType"],
    }
    for key, check in simple.items():
        if lookup.get(key) is not None and not check():
            return False
    where = lookup.get("metadataLocation")
    if where:
        wanted = _location(ss, where, "dataFilters")
        # discovery doc, DeveloperMetadataLookup.locationMatchingStrategy: "If left
        # unspecified, this field assumes a default value of INTERSECTING."
        if lookup.get("locationMatchingStrategy") != "EXACT_LOCATION" and (
            wanted["locationType"] == "SHEET"
        ):
            return bool(location_sheet(item["location"]) == wanted["sheetId"])
        return bool(item["location"] == wanted)
    return True


def matching(ss: Spreadsheet, data_filter: JsonDict, where: str) -> list[JsonDict]:
    """The stored metadata a DataFilter selects (lookup filters; a1Range / gridRange by
    intersection with the sheet)."""
    data_filter = strip_nulls(data_filter)
    if "developerMetadataLookup" in data_filter:
        lookup = data_filter["developerMetadataLookup"]
        if not lookup:
            raise bad_request(f"Invalid {where}: developerMetadataLookup must not be empty.")
        return [m for m in ss.developer_metadata if _lookup_matches(ss, m, lookup)]
    if "a1Range" in data_filter or "gridRange" in data_filter:
        if "a1Range" in data_filter:
            sheet = ss.resolve_range(str(data_filter["a1Range"]))[0]
        else:
            sheet = ss.grid_bounds(data_filter["gridRange"], where)[0]
        return [m for m in ss.developer_metadata if location_sheet(m["location"]) == sheet.sheet_id]
    raise bad_request(f"Invalid {where}: dataFilter must be set.")


def update_developer_metadata(ss: Spreadsheet, request: JsonDict, where: str) -> JsonDict:
    filters = request.get("dataFilters") or []
    if not filters:
        raise bad_request(f"Invalid {where}: dataFilters must not be empty.")
    mask = fields_mask(request, where)
    given = strip_nulls(request.get("developerMetadata") or {})
    if "location" in given:
        given = {**given, "location": _location(ss, given["location"], where)}
    updated: list[JsonDict] = []
    seen: set[int] = set()
    for data_filter in filters:
        for item in matching(ss, data_filter, where):
            if item["metadataId"] in seen:
                continue
            seen.add(item["metadataId"])
            mask_update(item, given, mask)
            updated.append(copy.deepcopy(item))
    return {"developerMetadata": updated}


def delete_developer_metadata(ss: Spreadsheet, request: JsonDict, where: str) -> JsonDict:
    found = matching(ss, request.get("dataFilter") or {}, where)
    ids = {m["metadataId"] for m in found}
    ss.developer_metadata = [m for m in ss.developer_metadata if m["metadataId"] not in ids]
    return {"deletedDeveloperMetadata": copy.deepcopy(found)}


def search(ss: Spreadsheet, body: JsonDict) -> JsonDict:
    """POST .../developerMetadata:search"""
    matched: list[JsonDict] = []
    for index, data_filter in enumerate(body.get("dataFilters") or []):
        for item in matching(ss, data_filter, f"dataFilters[{index}]"):
            matched.append({"developerMetadata": copy.deepcopy(item), "dataFilters": [data_filter]})
    return {"matchedDeveloperMetadata": matched} if matched else {}


def get_one(ss: Spreadsheet, metadata_id: int) -> JsonDict | None:
    """GET .../developerMetadata/{id}"""
    for item in ss.developer_metadata:
        if item["metadataId"] == metadata_id:
            return copy.deepcopy(item)
    return None


HANDLERS: dict[str, Handler] = {
    "createDeveloperMetadata": create_developer_metadata,
    "updateDeveloperMetadata": update_developer_metadata,
    "deleteDeveloperMetadata": delete_developer_metadata,
}

__all__: list[Any] = ["HANDLERS", "get_one", "location_sheet", "search"]
