"""Colour rules, charts and frozen panes on the Google backend, against the fake Sheets API.

The plans are built by hand (not by the report stage), written through `GoogleBackend` with
real gspread and google-auth, and read back with spreadsheets.get: each owned tab holds
exactly the planned rules and charts after every refresh (replaced, never piled up), a tab
sheetsync does not own keeps its own, and a refresh stays at 3 calls.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from google.oauth2.service_account import Credentials
from gspread.http_client import HTTPClient

from sheetsync.backends.google import GoogleBackend
from sheetsync.backends.google import rules_charts as look
from sheetsync.backends.google.read import METADATA_FIELDS, parse_sheets
from sheetsync.errors import BackendError
from sheetsync.grids import Grid
from sheetsync.plan import Box, Cell, ChartPlan, ColourRule, OutputPlan, Series, TabPlan
from sheetsync.testing import SPREADSHEETS_SCOPE, FakeSheetsApi
from sheetsync.testing._common import parse_mask
from sheetsync.testing._schema import load_discovery

INPUT: dict[str, Grid] = {"Input": [["Date", "Calls"], [46328, 3]]}
HEADER = (Cell("KPI"), Cell("Month to date"), Cell("Expected"), Cell("Status"))
TONE_HEX = {
    "good": ("#C6EFCE", "#006100"),
    "warn": ("#FFEB9C", "#9C5700"),
    "bad": ("#FFC7CE", "#9C0006"),
    "band": ("#F2F2F2", None),
}


@pytest.fixture
def key(fake: FakeSheetsApi, tmp_path: Path) -> Path:
    """A service account key the fake accepts (sheetsync's, and the person's by hand)."""
    return fake.service_account_file(tmp_path)


# ------------------------------------------------------------------------------ plans


def summary(kpis: int = 3, variant: int = 0) -> TabPlan:
    """A Summary: KPI rows with a status column coloured by status, banded rows, and a
    column chart of month to date with the expected value as a line, right of the table."""
    rows = [HEADER] + [
        (Cell(f"KPI {n}"), Cell(10.0 * n), Cell(8.0 * n), Cell("On track")) for n in range(kpis)
    ]
    status = Box(1, 3, 1 + kpis, 4)
    rules = [
        ColourRule(status, "good", 'D2="On track"'),
        ColourRule(status, "warn", 'D2="At risk"'),
        ColourRule(status, "bad", 'D2="Behind"'),
        ColourRule(Box(1, 0, 1 + kpis, 4), "band", "ISEVEN(ROW())"),
    ]
    if variant:
        rules = [ColourRule(Box(1, 1, 1 + kpis, 2), "bad", "ISNUMBER(B2)*(B2*10000<8500)")]
    chart = ChartPlan(
        title="Month to date vs expected",
        categories=Box(1, 0, 1 + kpis, 1),
        series=(
            Series("Month to date", Box(1, 1, 1 + kpis, 2)),
            Series("Expected", Box(1, 2, 1 + kpis, 3), line=True),
        ),
        anchor_row=0,
        anchor_column=6,
        percent=False,
    )
    return TabPlan(
        "summary",
        "Summary",
        tuple(rows),
        header_rows=1,
        frozen_columns=1,
        rules=tuple(rules),
        charts=() if variant else (chart,),
    )


def ranking(reps: int = 4) -> TabPlan:
    """A Ranking: scores coloured by size, a horizontal bar chart of the scores and a
    second, horizontal, chart with the 100% goal as a line."""
    header = (Cell("Rank"), Cell("Rep"), Cell("Score"), Cell("Goal"))
    rows = [header] + [
        (Cell(n + 1), Cell(f"Rep {n}"), Cell(1.2 - n / 10, "0%"), Cell(1.0, "0%"))
        for n in range(reps)
    ]
    score = Box(1, 2, 1 + reps, 3)
    rules = (
        ColourRule(score, "good", "ISNUMBER(C2)*(C2*10000>=10000)"),
        ColourRule(score, "bad", "ISNUMBER(C2)*(C2*10000<10000)"),
    )
    names, scores = Box(1, 1, 1 + reps, 2), Series("Score", score)
    bars = ChartPlan("Scores", names, (scores,), anchor_row=1, anchor_column=5, horizontal=True)
    goal = Series("Goal", Box(1, 3, 1 + reps, 4), line=True)
    combo = ChartPlan(
        "Scores and goal",
        names,
        (scores, goal),
        anchor_row=20,
        anchor_column=5,
        horizontal=True,
        width=480,
        height=300,
    )
    return TabPlan(
        "ranking",
        "Ranking",
        tuple(rows),
        header_rows=1,
        frozen_columns=2,
        rules=rules,
        charts=(bars, combo),
    )


def plan(variant: int = 0) -> OutputPlan:
    return OutputPlan((summary(variant=variant), ranking()))


# ------------------------------------------------------------------------- read back


def refresh(backend: GoogleBackend, fake: FakeSheetsApi, output: OutputPlan) -> int:
    """One refresh (read an input tab, write the plan); the Sheets API calls it cost."""
    fake.reset_log()
    backend.read(lambda titles: ["Input"])
    backend.apply(output)
    return fake.api_calls


def sheets(key: Path, sid: str) -> dict[str, dict[str, Any]]:
    """The tabs of a spreadsheets.get (no field mask, so everything), by title."""
    answer = user_http(key).fetch_sheet_metadata(sid)
    return {s["properties"]["title"]: s for s in answer["sheets"]}


def hex_of(color: dict[str, float] | None) -> str | None:
    if color is None:
        return None
    parts = (round(color.get(k, 0.0) * 255) for k in ("red", "green", "blue"))
    return "#" + "".join(f"{p:02X}" for p in parts)


def box_of(grid_range: dict[str, int]) -> Box:
    return Box(
        grid_range.get("startRowIndex", 0),
        grid_range.get("startColumnIndex", 0),
        grid_range["endRowIndex"],
        grid_range["endColumnIndex"],
    )


def rules_of(sheet: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Each conditional format rule as (range, formula, background, text colour)."""
    found = []
    for rule in sheet.get("conditionalFormats", []):
        boolean = rule["booleanRule"]
        assert boolean["condition"]["type"] == "CUSTOM_FORMULA"
        (value,) = boolean["condition"]["values"]
        fmt = boolean["format"]
        text = hex_of(fmt.get("textFormat", {}).get("foregroundColor"))
        (grid_range,) = rule["ranges"]
        assert grid_range.get("sheetId", 0) == sheet["properties"]["sheetId"]
        found.append(
            (box_of(grid_range), value["userEnteredValue"], hex_of(fmt["backgroundColor"]), text)
        )
    return found


def planned_rules(tab: TabPlan) -> list[tuple[Any, ...]]:
    return [(r.box, "=" + r.formula, *TONE_HEX[r.tone]) for r in tab.rules]


def charts_of(sheet: dict[str, Any]) -> list[dict[str, Any]]:
    """Each chart reduced to what the plan decides: type, ranges, anchor, size, title."""
    sheet_id = sheet["properties"]["sheetId"]
    found = []
    for chart in sheet.get("charts", []):
        basic = chart["spec"]["basicChart"]
        overlay = chart["position"]["overlayPosition"]
        anchor = overlay["anchorCell"]
        ranges = [d["domain"]["sourceRange"]["sources"] for d in basic["domains"]]
        ranges += [s["series"]["sourceRange"]["sources"] for s in basic["series"]]
        assert all(r.get("sheetId", 0) == sheet_id for (r,) in ranges)
        assert anchor.get("sheetId", 0) == sheet_id
        found.append(
            {
                "title": chart["spec"]["title"],
                "type": basic["chartType"],
                "series": [s.get("type") for s in basic["series"]],
                "headers": basic.get("headerCount", 0),
                "ranges": [box_of(r) for (r,) in ranges],
                "anchor": (anchor.get("rowIndex", 0), anchor.get("columnIndex", 0)),
                "size": (overlay["widthPixels"], overlay["heightPixels"]),
            }
        )
    return found


def planned_charts(tab: TabPlan, kinds: Sequence[tuple[str, Sequence[str | None]]]) -> list[Any]:
    """What charts_of should find for `tab`, given each chart's type and series types (the
    rendering choice under test); the header row above every range is included."""

    def up(box: Box) -> Box:
        return Box(box.top - 1, box.left, box.bottom, box.right)

    return [
        {
            "title": c.title,
            "type": kind,
            "series": series,
            "headers": 1,
            "ranges": [up(c.categories), *(up(s.values) for s in c.series)],
            "anchor": (c.anchor_row, c.anchor_column),
            "size": (c.width, c.height),
        }
        for c, (kind, series) in zip(tab.charts, kinds, strict=True)
    ]


def user_http(key: Path) -> HTTPClient:
    """The spreadsheet's owner editing it by hand (not sheetsync)."""
    user = Credentials.from_service_account_file(str(key), scopes=[SPREADSHEETS_SCOPE])  # type: ignore[no-untyped-call]
    return HTTPClient(user)


def users_own_look(sheet_id: int) -> list[dict[str, Any]]:
    """A rule and a chart a person adds to a tab by hand."""
    cells = {
        "sheetId": sheet_id,
        "startRowIndex": 0,
        "endRowIndex": 2,
        "startColumnIndex": 0,
        "endColumnIndex": 1,
    }
    rule = {
        "ranges": [cells],
        "booleanRule": {
            "condition": {"type": "NUMBER_GREATER", "values": [{"userEnteredValue": "1"}]},
            "format": {"textFormat": {"bold": True}},
        },
    }
    chart = {
        "spec": {
            "title": "Mine",
            "basicChart": {
                "chartType": "LINE",
                "series": [{"series": {"sourceRange": {"sources": [cells]}}}],
            },
        },
        "position": {"overlayPosition": {"anchorCell": {"sheetId": sheet_id, "rowIndex": 3}}},
    }
    return [
        {"addConditionalFormatRule": {"rule": rule, "index": 0}},
        {"addChart": {"chart": chart}},
    ]


# ------------------------------------------------------------------------------ tests


def test_rules_charts_and_frozen_panes_are_replaced_never_piled_up(
    key: Path, fake: FakeSheetsApi
) -> None:
    sid = fake.create_spreadsheet("Team", {**INPUT, "Notes": [["mine"], [5]]})
    notes_id = sheets(key, sid)["Notes"]["properties"]["sheetId"]
    user_http(key).batch_update(sid, {"requests": users_own_look(notes_id)})
    notes_before = sheets(key, sid)["Notes"]
    backend = GoogleBackend(sid, key)
    for run, variant in enumerate((0, 0, 1, 0)):
        output = plan(variant)
        assert refresh(backend, fake, output) == 3, run
        tabs = sheets(key, sid)
        for tab in output.tabs:
            grid = tabs[tab.title]["properties"]["gridProperties"]
            assert (grid["frozenRowCount"], grid["frozenColumnCount"]) == (1, tab.frozen_columns)
            assert rules_of(tabs[tab.title]) == planned_rules(tab), (run, tab.title)
        summary_kinds = [] if variant else [("COMBO", ["COLUMN", "LINE"])]
        assert charts_of(tabs["Summary"]) == planned_charts(output.tabs[0], summary_kinds)
        ranking_kinds: list[tuple[str, list[str | None]]] = [
            ("BAR", [None]),
            ("COMBO", ["COLUMN", "LINE"]),
        ]
        assert charts_of(tabs["Ranking"]) == planned_charts(output.tabs[1], ranking_kinds)
        assert tabs["Notes"] == notes_before  # never touched
        if run == 0:  # a person adds a chart and a rule to an owned tab: the next run drops them
            summary_id = tabs["Summary"]["properties"]["sheetId"]
            user_http(key).batch_update(sid, {"requests": users_own_look(summary_id)})


def test_the_first_rule_of_the_plan_is_the_first_of_the_tab(key: Path, fake: FakeSheetsApi) -> None:
    sid = fake.create_spreadsheet("Team", INPUT)
    backend = GoogleBackend(sid, key)
    refresh(backend, fake, plan())
    (write,) = [r for r in fake.requests if r.api == "sheets" and r.method == "POST"]
    adds = [
        r["addConditionalFormatRule"]
        for r in write.json["requests"]
        if "addConditionalFormatRule" in r
    ]
    assert [a["index"] for a in adds] == [0, 1, 2, 3, 0, 1]  # Summary's four, Ranking's two
    assert [f for (_, f, _, _) in rules_of(sheets(key, sid)["Summary"])][:3] == [
        '=D2="On track"',
        '=D2="At risk"',
        '=D2="Behind"',
    ]


def test_the_second_refresh_deletes_before_it_adds_in_the_same_batch(
    key: Path, fake: FakeSheetsApi
) -> None:
    sid = fake.create_spreadsheet("Team", INPUT)
    backend = GoogleBackend(sid, key)
    refresh(backend, fake, plan())
    old = {chart["chartId"] for s in sheets(key, sid).values() for chart in s.get("charts", [])}
    refresh(backend, fake, plan())
    (write,) = [r for r in fake.requests if r.api == "sheets" and r.method == "POST"]
    kinds = [next(iter(r)) for r in write.json["requests"]]
    deleted = {
        r["deleteEmbeddedObject"]["objectId"]
        for r in write.json["requests"]
        if "deleteEmbeddedObject" in r
    }
    assert deleted == old and len(old) == 3
    assert kinds.count("deleteConditionalFormatRule") == 6
    assert (
        kinds.index("addChart") > kinds.index("updateCells") > kinds.index("deleteEmbeddedObject")
    )


def test_the_metadata_call_finds_chart_ids_and_counts_rules(key: Path, fake: FakeSheetsApi) -> None:
    sid = fake.create_spreadsheet("Team", INPUT)
    refresh(GoogleBackend(sid, key), fake, plan())
    answer = user_http(key).fetch_sheet_metadata(sid, params={"fields": METADATA_FIELDS})
    found = {s.title: s for s in parse_sheets(answer)}
    stored = sheets(key, sid)
    assert found["Ranking"].rule_count == 2 and found["Summary"].rule_count == 4
    assert found["Ranking"].chart_ids == tuple(c["chartId"] for c in stored["Ranking"]["charts"])
    assert found["Input"].chart_ids == () and found["Input"].rule_count == 0
    assert "booleanRule" not in json.dumps(answer)  # only what is needed travels


def test_the_metadata_mask_names_only_fields_of_the_discovery_document() -> None:
    schemas = load_discovery()["schemas"]  # the copy google-api-python-client ships

    def walk(tree: dict[str, Any] | None, schema: str) -> None:
        for name, sub in (tree or {}).items():
            spec = schemas[schema]["properties"][name]  # KeyError: not a field
            target = spec.get("$ref") or spec.get("items", {}).get("$ref")
            if sub is not None:
                walk(sub, target)

    walk(parse_mask(METADATA_FIELDS), "Spreadsheet")
    with pytest.raises(KeyError):
        walk(parse_mask("sheets(charts(chartIdentifier))"), "Spreadsheet")


def test_a_chart_right_of_the_table_and_frozen_columns_get_room_in_the_grid(
    key: Path, fake: FakeSheetsApi
) -> None:
    sid = fake.create_spreadsheet("Team", INPUT)
    backend = GoogleBackend(sid, key)
    narrow = TabPlan(
        "ranking",
        "Ranking",
        ((Cell("Rep"),), (Cell("Anna"),)),
        frozen_columns=1,
        charts=(
            ChartPlan(
                "One",
                Box(1, 0, 2, 1),
                (Series("Rep", Box(1, 0, 2, 1)),),
                anchor_row=4,
                anchor_column=9,
            ),
        ),
    )
    refresh(backend, fake, OutputPlan((narrow,)))
    grid = sheets(key, sid)["Ranking"]["properties"]["gridProperties"]
    assert grid["columnCount"] == 10 and grid["rowCount"] == 5
    (chart,) = charts_of(sheets(key, sid)["Ranking"])
    assert chart["headers"] == 1 and chart["ranges"] == [Box(0, 0, 2, 1)] * 2


@pytest.mark.parametrize(
    ("above", "headers", "legend"),
    [
        ("Calls", 1, "BOTTOM_LEGEND"),
        ("Calls made", 1, "BOTTOM_LEGEND"),  # the header's own words name the series
        (None, 0, "NO_LEGEND"),  # no header: no legend of names Sheets would make up
        (7, 0, "NO_LEGEND"),
    ],
)
def test_the_header_row_above_the_series_names_them_in_the_legend(
    key: Path, fake: FakeSheetsApi, above: str | int | None, headers: int, legend: str
) -> None:
    sid = fake.create_spreadsheet("Team", INPUT)
    backend = GoogleBackend(sid, key)
    rows = (
        (Cell("Rep"), Cell(above), Cell("Goal")),
        (Cell("a"), Cell(1), Cell(1.0)),
        (Cell("b"), Cell(2), Cell(1.0)),
    )
    calls, goal = Series("Calls", Box(1, 1, 3, 2)), Series("Goal", Box(1, 2, 3, 3), line=True)
    chart = ChartPlan("Calls", Box(1, 0, 3, 1), (calls, goal), anchor_row=0, anchor_column=4)
    refresh(backend, fake, OutputPlan((TabPlan("summary", "Summary", rows, charts=(chart,)),)))
    (stored,) = sheets(key, sid)["Summary"]["charts"]
    basic = stored["spec"]["basicChart"]
    assert basic.get("headerCount", 0) == headers and basic["legendPosition"] == legend
    first = basic["series"][0]["series"]["sourceRange"]["sources"][0]
    assert box_of(first) == Box(1 - headers, 1, 3, 2)


def test_empty_boxes_are_left_out(key: Path, fake: FakeSheetsApi) -> None:
    sid = fake.create_spreadsheet("Team", INPUT)
    backend = GoogleBackend(sid, key)
    empty = Box(1, 0, 1, 3)
    tab = TabPlan(
        "ranking",
        "Ranking",
        ((Cell("Rep"),),),
        rules=(ColourRule(empty, "good", "TRUE"),),
        charts=(ChartPlan("None yet", empty, (Series("Rep", empty),), 0, 3),),
    )
    refresh(backend, fake, OutputPlan((tab,)))
    stored = sheets(key, sid)["Ranking"]
    assert "charts" not in stored and "conditionalFormats" not in stored


def test_a_wrong_field_is_refused_by_the_fake_and_nothing_is_written(
    key: Path, fake: FakeSheetsApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = fake.create_spreadsheet("Team", INPUT)
    backend = GoogleBackend(sid, key)
    monkeypatch.setattr(look, "tone_format", lambda tone: {"backgroundColour": {"red": 1}})
    with pytest.raises(BackendError, match="Unknown name"):
        refresh(backend, fake, plan())
    assert list(sheets(key, sid)) == ["Input"]
