"""The look of the xlsx output: colour rules, frozen panes and native charts.

Plans are made by hand here (not by the report stage), written through the xlsx backend two
and three times, and read back with openpyxl and part by part: each owned tab has exactly
its planned rules and charts, the styles part does not grow, and a user's own chart and
conditional format on an input sheet stay byte for byte.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill

from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.backends.xlsx.styles import MINIMAL_STYLES, StyleBook
from sheetsync.plan import PERCENT, Box, Cell, ChartPlan, ColourRule, OutputPlan, Series, TabPlan
from tests.packages import parts, sheet_parts, untouched_parts_differing
from tests.test_xlsx_fixtures import soffice

REPS = (("Anna", 1.25, "On track"), ("Bartek", 0.9, "At risk"), ("Celina", 0.6, "Behind"),
        ("Darek", 1.02, "On track"), ("Ewa", 0.3, "Behind"))  # fmt: skip
TONE_COLOURS = {  # tone -> (font, fill) as Excel's good, neutral and bad cells have them
    "good": ("FF006100", "FFC6EFCE"),
    "warn": ("FF9C5700", "FFFFEB9C"),
    "bad": ("FF9C0006", "FFFFC7CE"),
    "band": (None, "FFF2F2F2"),
}


def ranking(title: str = "Ranking") -> TabPlan:
    """A Ranking tab: status and attainment rules, banded rows, and a score chart with the
    100% line (horizontal in the plan: drawn as columns, a line cannot cross across bars)."""
    header = tuple(Cell(v, bold=True) for v in ("Rank", "Rep", "Team", "Score", "100%", "Status"))
    rows = [header] + [
        (Cell(n), Cell(rep), Cell("North"), Cell(score, PERCENT), Cell(1, PERCENT), Cell(status))
        for n, (rep, score, status) in enumerate(REPS, start=1)
    ]
    end = len(REPS) + 1
    status = Box(1, 5, end, 6)
    rules = (
        ColourRule(status, "good", '$F2="On track"'),
        ColourRule(status, "warn", '$F2="At risk"'),
        ColourRule(status, "bad", '$F2="Behind"'),
        ColourRule(Box(1, 3, end, 4), "good", "D2>=1"),
        ColourRule(Box(1, 0, end, 6), "band", "ISEVEN(ROW())"),
    )
    series = (Series("Score", Box(1, 3, end, 4)), Series("100%", Box(1, 4, end, 5), line=True))
    chart = ChartPlan("Score", Box(1, 1, end, 2), series, 1, 7, horizontal=True)
    return TabPlan("ranking", title, tuple(rows), 1, (6, 12, 10, 8, 8, 10), 2, rules, (chart,))


def summary() -> TabPlan:
    """A Summary tab: month to date against expected (columns and a line), and attainment
    as bars running across."""
    kpis = (("Calls", 120, 100, 1.2), ("Revenue", 8000, 10000, 0.8), ("Deals", 4, 5, 0.8))
    header = tuple(Cell(v, bold=True) for v in ("KPI", "Month to date", "Expected", "Att."))
    rows = [header] + [(Cell(k), Cell(a), Cell(e), Cell(p, PERCENT)) for k, a, e, p in kpis]
    end = len(kpis) + 1
    versus = ChartPlan("Month to date", Box(1, 0, end, 1),
                       (Series("Month to date", Box(1, 1, end, 2)),
                        Series("Expected", Box(1, 2, end, 3), line=True)),
                       1, 5, percent=False)  # fmt: skip
    attainment = ChartPlan("Attainment", Box(1, 0, end, 1), (Series("Att.", Box(1, 3, end, 4)),),
                           18, 5, horizontal=True, width=400, height=240)  # fmt: skip
    rules = (ColourRule(Box(1, 3, end, 4), "bad", "D2<1"),)
    return TabPlan("summary", "Summary", tuple(rows), 1, (), 1, rules, (versus, attainment))


def input_workbook(path: Path) -> Path:
    """A user's workbook: an input sheet with its own chart and conditional format."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Input"
    for row in (["Rep", "Calls"], ["Anna", 3], ["Bartek", 7]):
        sheet.append(row)
    red = PatternFill(start_color="FFFF0000", end_color="FFFF0000", fill_type="solid")
    sheet.conditional_formatting.add("B2:B3", CellIsRule(operator="lessThan", formula=["5"],
                                                         fill=red))  # fmt: skip
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    sheet.add_chart(chart, "D2")
    book.save(path)
    return path


def refresh(path: Path, times: int, *tabs: TabPlan) -> None:
    for _ in range(times):
        XlsxBackend(path).apply(OutputPlan(tabs or (ranking(), summary())))


def rules_of(path: Path, title: str) -> list[tuple[str, list[str], int, bool, str | None, str]]:
    """(range, formulas, priority, stopIfTrue, font colour, fill colour) of each rule."""
    sheet = openpyxl.load_workbook(path)[title]
    found = []
    for formatting in sheet.conditional_formatting:
        for rule in formatting.rules:
            font = rule.dxf.font.color.rgb if rule.dxf.font else None
            fill = rule.dxf.fill.bgColor.rgb
            found.append((str(formatting.sqref), rule.formula, rule.priority,
                          bool(rule.stopIfTrue), font, fill))  # fmt: skip
    return sorted(found, key=lambda r: r[2])


def charts_of(path: Path, title: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(title, [(kind and direction, categories, values) per series]) of each chart."""
    found = []
    for chart in openpyxl.load_workbook(path)[title]._charts:
        series = []
        for plot in chart._charts:
            kind = f"bar:{plot.barDir}" if plot.tagname == "barChart" else plot.tagname
            series += [(kind, s.cat.strRef.f, s.val.numRef.f) for s in plot.series]
        text = "".join(r.t for p in chart.title.tx.rich.p for r in p.r)
        found.append((text, series))
    return found


def test_each_tab_has_exactly_its_planned_rules_after_three_refreshes(tmp_path: Path) -> None:
    path = input_workbook(tmp_path / "team.xlsx")
    refresh(path, 3)
    good, warn, bad, band = (TONE_COLOURS[t] for t in ("good", "warn", "bad", "band"))
    assert rules_of(path, "Ranking") == [
        ("F2:F6", ['$F2="On track"'], 1, True, *good),
        ("F2:F6", ['$F2="At risk"'], 2, True, *warn),
        ("F2:F6", ['$F2="Behind"'], 3, True, *bad),
        ("D2:D6", ["D2>=1"], 4, True, *good),
        ("A2:F6", ["ISEVEN(ROW())"], 5, True, *band),
    ]
    assert rules_of(path, "Summary") == [("D2:D4", ["D2<1"], 1, True, *bad)]


def test_each_tab_has_exactly_its_planned_charts_after_three_refreshes(tmp_path: Path) -> None:
    path = input_workbook(tmp_path / "team.xlsx")
    refresh(path, 3)
    assert charts_of(path, "Ranking") == [("Score", [
        ("bar:col", "'Ranking'!$B$2:$B$6", "'Ranking'!$D$2:$D$6"),
        ("lineChart", "'Ranking'!$B$2:$B$6", "'Ranking'!$E$2:$E$6"),
    ])]  # fmt: skip
    assert charts_of(path, "Summary") == [
        ("Month to date", [("bar:col", "'Summary'!$A$2:$A$4", "'Summary'!$B$2:$B$4"),
                           ("lineChart", "'Summary'!$A$2:$A$4", "'Summary'!$C$2:$C$4")]),
        ("Attainment", [("bar:bar", "'Summary'!$A$2:$A$4", "'Summary'!$D$2:$D$4")]),
    ]  # fmt: skip
    names = parts(path)
    drawings = sorted(n for n in names if n.startswith("xl/drawings/drawing"))
    assert drawings == [f"xl/drawings/drawing{n}.xml" for n in (1, 2, 3)]  # the user's, 2 tabs
    assert sorted(n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n)) == [
        f"xl/charts/chart{n}.xml" for n in (1, 2, 3, 4)
    ]
    types = names["[Content_Types].xml"].decode()
    for name in names:
        if name.startswith(("xl/drawings/drawing", "xl/charts/chart")):
            assert types.count(f'PartName="/{name}"') == 1


def test_charts_sit_on_their_anchor_cells_and_format_their_value_axis(tmp_path: Path) -> None:
    path = input_workbook(tmp_path / "team.xlsx")
    refresh(path, 2)
    versus, attainment = openpyxl.load_workbook(path)["Summary"]._charts
    assert (attainment.anchor._from.row, attainment.anchor._from.col) == (18, 5)
    assert attainment.anchor.ext.width == 400 * 9525  # EMU
    assert attainment.y_axis.number_format.formatCode == "0%"
    assert attainment.x_axis.scaling.orientation == "maxMin"  # the first row on top
    assert versus.y_axis.number_format.formatCode == "General"


def test_the_value_axis_starts_at_zero_unless_a_value_is_negative(tmp_path: Path) -> None:
    path = input_workbook(tmp_path / "team.xlsx")
    rows = ((Cell("KPI"), Cell("Change")), (Cell("Calls"), Cell(0.84)), (Cell("Deals"), Cell(-0.2)))
    chart = ChartPlan("Change", Box(1, 0, 3, 1), (Series("Change", Box(1, 1, 3, 2)),), 1, 3)
    refresh(path, 1, ranking(), TabPlan("summary", "Summary", rows, charts=(chart,)))
    book = openpyxl.load_workbook(path)
    assert book["Ranking"]._charts[0].y_axis.scaling.min == 0
    assert book["Summary"]._charts[0].y_axis.scaling.min is None


def test_frozen_header_rows_and_columns(tmp_path: Path) -> None:
    path = input_workbook(tmp_path / "team.xlsx")
    columns_only = TabPlan("brief", "Brief", ((Cell("a"), Cell("b")),), header_rows=0,
                           frozen_columns=1)  # fmt: skip
    rows_only = TabPlan("issues", "Issues", ((Cell("a"),), (Cell("b"),)), header_rows=2)
    refresh(path, 1, ranking(), columns_only, rows_only)
    book = openpyxl.load_workbook(path)
    assert book["Ranking"].freeze_panes == "C2"
    assert book["Brief"].freeze_panes == "B1"
    assert book["Issues"].freeze_panes == "A3"
    pane = book["Ranking"].sheet_view.pane
    assert (pane.xSplit, pane.ySplit, pane.activePane) == (2, 1, "bottomRight")


def test_a_second_refresh_adds_no_differential_formats(tmp_path: Path) -> None:
    path = input_workbook(tmp_path / "team.xlsx")
    refresh(path, 1)
    first = parts(path)["xl/styles.xml"]
    refresh(path, 2)
    assert parts(path)["xl/styles.xml"] == first
    assert len(re.findall(rb"<dxf>", first)) == 1 + 4  # the user's, and one per tone


def test_the_users_chart_and_conditional_format_stay_byte_for_byte(tmp_path: Path) -> None:
    path = input_workbook(tmp_path / "team.xlsx")
    original = tmp_path / "original.xlsx"
    shutil.copy(path, original)
    refresh(path, 3)
    assert untouched_parts_differing(original, path, {"Ranking", "Summary"}) == []
    old, new = parts(original), parts(path)
    for name in ("xl/worksheets/sheet1.xml", "xl/drawings/drawing1.xml", "xl/charts/chart1.xml"):
        assert new[name] == old[name]
    dxf = re.compile(rb"<dxf>.*?</dxf>")
    users = dxf.findall(old["xl/styles.xml"])
    assert len(users) == 1 and dxf.findall(new["xl/styles.xml"])[:1] == users  # still dxfId 0
    book = openpyxl.load_workbook(path)
    assert len(book["Input"]._charts) == 1
    assert [str(f.sqref) for f in book["Input"].conditional_formatting] == ["B2:B3"]


def test_charts_and_rules_dropped_from_the_plan_leave_nothing_behind(tmp_path: Path) -> None:
    path = input_workbook(tmp_path / "team.xlsx")
    before = set(parts(path))
    refresh(path, 2)
    plain = TabPlan("ranking", "Ranking", ranking().rows)
    refresh(path, 1, plain, TabPlan("summary", "Summary", summary().rows))
    after = parts(path)
    assert {n for n in after if "drawing" in n or "chart" in n} == {
        n for n in before if "drawing" in n or "chart" in n
    }
    types = after["[Content_Types].xml"].decode()
    assert types.count("drawingml.chart+xml") == 1 and types.count(".drawing+xml") == 1
    sheets = sheet_parts(path)
    for title in ("Ranking", "Summary"):
        assert b"<drawing" not in after[sheets[title]]
        assert b"conditionalFormatting" not in after[sheets[title]]
        rels = sheets[title].replace("worksheets/", "worksheets/_rels/") + ".rels"
        assert rels not in after


def test_a_chart_someone_added_to_an_owned_tab_is_replaced(tmp_path: Path) -> None:
    path = input_workbook(tmp_path / "team.xlsx")
    refresh(path, 1, ranking())
    book = openpyxl.load_workbook(path)  # someone opens the workbook and adds a chart
    sheet = book["Ranking"]
    extra = BarChart()
    extra.add_data(Reference(sheet, min_col=1, min_row=1, max_row=6))
    sheet.add_chart(extra, "J20")
    book.save(path)
    assert len(openpyxl.load_workbook(path)["Ranking"]._charts) == 2
    refresh(path, 1, ranking())
    assert [title for title, _ in charts_of(path, "Ranking")] == ["Score"]
    names = parts(path)
    assert len([n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]) == 2
    assert openpyxl.load_workbook(path)["Input"]._charts  # the user's own is still there


def test_a_quote_in_a_tab_title_is_doubled_in_chart_formulas(tmp_path: Path) -> None:
    path = input_workbook(tmp_path / "team.xlsx")
    refresh(path, 2, ranking("Rep's & ranking"))
    [(_title, series)] = charts_of(path, "Rep's & ranking")
    assert series[0][1:] == ("'Rep''s & ranking'!$B$2:$B$6", "'Rep''s & ranking'!$D$2:$D$6")


def test_rules_and_charts_on_empty_boxes_are_left_out(tmp_path: Path) -> None:
    path = input_workbook(tmp_path / "team.xlsx")
    empty = Box(1, 0, 1, 3)
    tab = TabPlan("ranking", "Ranking", ((Cell("Rep"),),),
                  rules=(ColourRule(empty, "band", "ISEVEN(ROW())"),),
                  charts=(ChartPlan("Score", empty, (Series("Score", empty),), 1, 5),))  # fmt: skip
    refresh(path, 1, tab)
    xml = parts(path)[sheet_parts(path)["Ranking"]]
    assert b"conditionalFormatting" not in xml and b"<drawing" not in xml


def test_differential_formats_go_where_the_schema_puts_them() -> None:
    minimal = StyleBook(MINIMAL_STYLES.encode())
    assert [minimal.dxf(t) for t in ("bad", "good", "bad")] == [0, 1, 0]
    assert re.search(r'</cellStyles><dxfs count="2"><dxf>.*</dxfs></styleSheet>$', minimal.text)
    with_tables = MINIMAL_STYLES.replace("</styleSheet>", '<tableStyles count="0"/></styleSheet>')
    book = StyleBook(with_tables.encode())
    book.dxf("band")
    assert re.search(r"</cellStyles><dxfs count=\"1\">.*</dxfs><tableStyles", book.text)
    empty = StyleBook(with_tables.replace("<tableStyles", '<dxfs count="0"/><tableStyles').encode())
    assert empty.dxf("good") == 0 and '<dxfs count="1"><dxf><font>' in empty.text
    prefixed = re.sub(r"<(/?)(\w)", r"<\1x:\2", MINIMAL_STYLES.split("\n", 1)[1])
    prefixed = prefixed.replace("xmlns=", "xmlns:x=")
    book = StyleBook(prefixed.encode())
    book.dxf("warn")
    assert '<x:dxfs count="1"><x:dxf><x:font><x:color rgb="FF9C5700"/>' in book.text


def test_libreoffice_renders_the_look(tmp_path: Path) -> None:
    """LibreOffice opens a workbook with rules and charts and prints it (the colours and the
    charts were checked by eye on the PNG of this PDF when this was written)."""
    program = soffice()
    if program is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    path = input_workbook(tmp_path / "team.xlsx")
    refresh(path, 2)
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    subprocess.run([program, profile, "--headless", "--convert-to", "pdf", "--outdir",
                    str(tmp_path / "pdf"), str(path)], check=True, timeout=300,
                   capture_output=True)  # fmt: skip
    pdf = (tmp_path / "pdf" / "team.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 3
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
