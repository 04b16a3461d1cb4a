"""The in-memory spreadsheet model of the fake and its JSON rendering (spreadsheets.get)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from ._a1 import A1, format_range, parse_a1, split_title
from ._cells import effective_value, formatted_value
from ._common import ApiError, IdSource, JsonDict, MaskTree, apply_mask, bad_request
from ._sheet import (
    Sheet,
    default_sheet_properties,
    default_spreadsheet_properties,
    now_rfc3339,
)

ROW_PIXELS = 21
COLUMN_PIXELS = 100


#: Keys of a Sheet resource the fake stores verbatim, in Google's output order.
SHEET_EXTRAS = (
    "merges",
    "conditionalFormats",
    "filterViews",
    "protectedRanges",
    "basicFilter",
    "charts",
    "bandedRanges",
    "rowGroups",
    "columnGroups",
)


@dataclass
class Spreadsheet:
    """A whole spreadsheet. ``shared`` False makes every call on it answer 403."""

    spreadsheet_id: str
    properties: JsonDict
    sheets: list[Sheet]
    named_ranges: list[JsonDict] = field(default_factory=list)
    developer_metadata: list[JsonDict] = field(default_factory=list)
    shared: bool = True
    created_time: str = field(default_factory=now_rfc3339)
    modified_time: str = field(default_factory=now_rfc3339)
    ids: IdSource = field(default_factory=IdSource)
    #: e-mail of the service account making the current request (None when unknown)
    caller_email: str | None = None

    def working_copy(self) -> Spreadsheet:
        """A copy for a write to change, kept only when the whole write succeeds. Cells are
        shared copy-on-write (see ``_sheet``); everything else is copied. The id source is
        shared, as with deepcopy."""
        return Spreadsheet(
            spreadsheet_id=self.spreadsheet_id,
            properties=copy.deepcopy(self.properties),
            sheets=[sheet.working_copy() for sheet in self.sheets],
            named_ranges=copy.deepcopy(self.named_ranges),
            developer_metadata=copy.deepcopy(self.developer_metadata),
            shared=self.shared,
            created_time=self.created_time,
            modified_time=self.modified_time,
            ids=self.ids,
            caller_email=self.caller_email,
        )

    def next_id(self, kind: str, taken: set[int] | None = None) -> int:
        """A fresh id of ``kind`` (queued ids first, then random positive int32)."""
        return self.ids.next_int(kind, taken)

    # ------------------------------------------------------------------ lookups
    def sheet_by_id(self, sheet_id: int, where: str = "") -> Sheet:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        prefix = f"Invalid {where}: " if where else ""
        raise bad_request(f"{prefix}No grid with id: {sheet_id}")

    def sheet_by_title(self, title: str) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        lowered = [s for s in self.sheets if s.title.lower() == title.lower()]
        return lowered[0] if len(lowered) == 1 else None

    def reindex(self) -> None:
        self.sheets.sort(key=lambda s: int(s.properties.get("index", 0)))
        for index, sheet in enumerate(self.sheets):
            sheet.properties["index"] = index

    def resolve_range(self, text: str) -> tuple[Sheet, int, int, int, int]:
        """A1 text -> (sheet, start_row, end_row, start_col, end_col), ends clipped to the
        grid. Raises 400 ``Unable to parse range`` for unknown sheets or bad syntax."""
        if "!" not in text and not text.startswith("'"):
            titled = self.sheet_by_title(text)
            if titled is not None:
                return titled, 0, titled.row_count, 0, titled.column_count
        a1 = self._parse_with_names(text)
        if isinstance(a1, tuple):
            return a1
        if not a1.cells:
            assert a1.title is not None
            sheet = self.sheet_by_title(a1.title)
            if sheet is not None:
                return sheet, 0, sheet.row_count, 0, sheet.column_count
            for named in self.named_ranges:
                if named.get("name") == a1.title:
                    return self.grid_bounds(named.get("range", {}))
            raise bad_request(f"Unable to parse range: {text}")
        if a1.title is None:
            sheet = self.sheets[0]
        else:
            found = self.sheet_by_title(a1.title)
            if found is None:
                raise bad_request(f"Unable to parse range: {text}")
            sheet = found
        r0, c0 = a1.start_row or 0, a1.start_col or 0
        r1 = a1.end_row if a1.end_row is not None else max(sheet.row_count, r0 + 1)
        c1 = a1.end_col if a1.end_col is not None else max(sheet.column_count, c0 + 1)
        return sheet, r0, r1, c0, c1

    def _parse_with_names(self, text: str) -> A1 | tuple[Sheet, int, int, int, int]:
        """parse_a1, also accepting ``Sheet!NamedRange``."""
        try:
            return parse_a1(text)
        except ApiError:
            title, _, name = text.rpartition("!")
            for named in self.named_ranges:
                if named.get("name") == name:
                    found = self.grid_bounds(named.get("range", {}))
                    if self.sheet_by_title(split_title(title + "!")[0] or "") is found[0]:
                        return found
            raise

    def read_bounds(self, text: str) -> tuple[Sheet, int, int, int, int]:
        """Like resolve_range, but a range past the grid is a 400 as for real reads."""
        sheet, r0, r1, c0, c1 = self.resolve_range(text)
        if r1 > sheet.row_count or c1 > sheet.column_count:
            shown = format_range(sheet.title, r0, r1, c0, c1)
            raise bad_request(
                f"Range ({shown}) exceeds grid limits. Max rows: {sheet.row_count}, "
                f"max columns: {sheet.column_count}"
            )
        return sheet, r0, r1, c0, c1

    def grid_bounds(
        self, grid_range: JsonDict, where: str = ""
    ) -> tuple[Sheet, int, int, int, int]:
        """A GridRange -> (sheet, r0, r1, c0, c1), unbounded sides running to the grid edge."""
        sheet = self.sheet_by_id(int(grid_range.get("sheetId", 0)), where)
        r0 = int(grid_range.get("startRowIndex", 0))
        c0 = int(grid_range.get("startColumnIndex", 0))
        r1 = int(grid_range.get("endRowIndex", sheet.row_count))
        c1 = int(grid_range.get("endColumnIndex", sheet.column_count))
        if r0 > r1 or c0 > c1 or r0 < 0 or c0 < 0:
            raise bad_request(f"Invalid {where}: the range's start is after its end".strip())
        return sheet, r0, r1, c0, c1

    # ------------------------------------------------------------------ rendering
    def metadata_for(self, location_type: str, sheet_id: int | None = None) -> list[JsonDict]:
        out = []
        for item in self.developer_metadata:
            location = item.get("location", {})
            if location.get("locationType") != location_type:
                continue
            if sheet_id is not None and int(location.get("sheetId", -1)) != sheet_id:
                continue
            out.append(copy.deepcopy(item))
        return out

    def sheet_json(self, sheet: Sheet, data: list[JsonDict] | None = None) -> JsonDict:
        out: JsonDict = {"properties": copy.deepcopy(sheet.properties)}
        if data is not None:
            out["data"] = data
        for key in SHEET_EXTRAS:
            value = sheet.extras.get(key)
            if value:
                out[key] = copy.deepcopy(value)
        metadata = self.metadata_for("SHEET", sheet.sheet_id)
        if metadata:
            out["developerMetadata"] = metadata
        return out

    def to_json(
        self,
        *,
        ranges: list[str] | None = None,
        include_grid_data: bool = False,
        mask: MaskTree | None = None,
    ) -> JsonDict:
        """The Spreadsheet resource as spreadsheets.get returns it."""
        wanted: list[tuple[Sheet, list[tuple[int, int, int, int]]]] = []
        if ranges:
            for text in ranges:
                sheet, r0, r1, c0, c1 = self.read_bounds(text)
                for existing, boxes in wanted:
                    if existing is sheet:
                        boxes.append((r0, r1, c0, c1))
                        break
                else:
                    wanted.append((sheet, [(r0, r1, c0, c1)]))
        else:
            wanted = [(s, [(0, s.row_count, 0, s.column_count)]) for s in self.sheets]
        sheets = []
        for sheet, boxes in wanted:
            data = [self.grid_data(sheet, *box) for box in boxes] if include_grid_data else None
            sheets.append(self.sheet_json(sheet, data))
        out: JsonDict = {
            "spreadsheetId": self.spreadsheet_id,
            "properties": copy.deepcopy(self.properties),
            "sheets": sheets,
        }
        if self.named_ranges:
            out["namedRanges"] = copy.deepcopy(self.named_ranges)
        out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"
        metadata = self.metadata_for("SPREADSHEET")
        if metadata:
            out["developerMetadata"] = metadata
        if mask is not None:
            out = apply_mask(out, mask)
            trim_grid_data(out)
        return out

    def grid_data(self, sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> JsonDict:
        """GridData for a box of a sheet: rowData with CellData, row and column metadata."""
        rows: list[JsonDict] = []
        for row in range(r0, r1):
            values = [cell_json(sheet.cells.get((row, col), {})) for col in range(c0, c1)]
            rows.append({"values": values})
        data: JsonDict = {}
        if r0:
            data["startRow"] = r0
        if c0:
            data["startColumn"] = c0
        data["rowData"] = rows
        data["rowMetadata"] = [
            self._dimension_json(sheet, "ROWS", i, sheet.row_meta, ROW_PIXELS)
            for i in range(r0, r1)
        ]
        data["columnMetadata"] = [
            self._dimension_json(sheet, "COLUMNS", i, sheet.col_meta, COLUMN_PIXELS)
            for i in range(c0, c1)
        ]
        trim_one(data)
        return data

    def _dimension_json(
        self, sheet: Sheet, dimension: str, index: int, meta: dict[int, JsonDict], pixels: int
    ) -> JsonDict:
        out: JsonDict = {"pixelSize": pixels}
        out.update(copy.deepcopy(meta.get(index, {})))
        found = []
        for item in self.metadata_for("ROW" if dimension == "ROWS" else "COLUMN"):
            rng = item["location"].get("dimensionRange", {})
            if int(rng.get("sheetId", 0)) != sheet.sheet_id:
                continue
            if int(rng.get("startIndex", 0)) <= index < int(rng.get("endIndex", 0)):
                found.append(item)
        if found:
            out["developerMetadata"] = found
        return out


def cell_json(cell: JsonDict) -> JsonDict:
    """CellData as the API returns it, with the computed effective and formatted value."""
    if not cell:
        return {}
    out: JsonDict = {}
    if "userEnteredValue" in cell:
        out["userEnteredValue"] = copy.deepcopy(cell["userEnteredValue"])
        effective = effective_value(cell)
        if effective is not None:
            out["effectiveValue"] = effective
        text = formatted_value(cell)
        if text is not None:
            out["formattedValue"] = text
    for key, value in cell.items():
        if key != "userEnteredValue":
            out[key] = copy.deepcopy(value)
    return out


def trim_one(data: JsonDict) -> None:
    """Drop trailing empty cells and rows of a GridData, as Google does."""
    rows: list[Any] = data.get("rowData", [])
    for row in rows:
        values = row.get("values")
        if values is None:
            continue
        while values and not values[-1]:
            values.pop()
        if not values:
            row.pop("values")
    while rows and not rows[-1]:
        rows.pop()
    if "rowData" in data and not rows:
        data.pop("rowData")


def trim_grid_data(spreadsheet: JsonDict) -> None:
    """Apply trim_one to every GridData of a (masked) Spreadsheet resource."""
    for sheet in spreadsheet.get("sheets", []):
        for data in sheet.get("data", []):
            trim_one(data)


def raise_not_found() -> ApiError:
    return ApiError(404)


__all__ = [
    "Sheet",
    "Spreadsheet",
    "cell_json",
    "default_sheet_properties",
    "default_spreadsheet_properties",
    "now_rfc3339",
]
