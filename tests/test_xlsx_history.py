"""The History tab of an .xlsx workbook: snapshots added in place of their day, old rows kept
exactly, and read back by day without reading the rest."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import warnings
import zipfile
from copy import copy
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.errors import OwnershipError, WorkbookError
from sheetsync.grids import HistoryQuery, HistoryRead, RawValue
from sheetsync.plan import Cell, HistorySnapshot, OutputPlan, TabPlan
from tests.helpers import serial
from tests.hostile import read_part, rewrite_part
from tests.packages import sheet_parts, untouched_parts_differing
from tests.test_xlsx_backend import add_part

HEADER = ("Date", "Period", "Level", "Name", "KPI", "Actual", "Target", "Attainment", "Pace",
          "Status", "Rank")  # fmt: skip
D1, D2, D3, D4, D5 = (date(2026, 11, day) for day in (2, 3, 4, 5, 6))
FIXTURES = Path(__file__).parent / "fixtures" / "workbooks"
Row = tuple[Any, ...]


def workbook(folder: Path) -> Path:
    """A workbook made by sheetsync's own writer, with two input tabs."""
    path = folder / "team.xlsx"
    log = TabPlan("log", "Log", ((Cell("Date"), Cell("Calls")), (Cell(D1), Cell(3))))
    roster = TabPlan("roster", "Roster", ((Cell("Rep"),), (Cell("Anna Nowak"),)))
    XlsxBackend(path, create=True).add_input_tabs([log, roster])
    return path


def snapshot(day: date, anna: float, ben: float, max_rows: int = 1000) -> HistorySnapshot:
    """Two rep rows: Anna (rank 1) and Ben (rank 2), their calls against a target of 100."""
    rows = tuple(
        (Cell(day), Cell("2026-11"), Cell("rep"), Cell(name), Cell("calls"), Cell(actual),
         Cell(100.0), Cell(actual / 100, "0%"), Cell(0.5, "0.00"), Cell("Behind"), Cell(rank))
        for name, actual, rank in (("Anna Nowak", anna, 1), ("Ben Carter", ben, 2))
    )  # fmt: skip
    header = tuple(Cell(h, bold=True) for h in HEADER)
    return HistorySnapshot("history", "History", day, header, rows, max_rows, (12, 10, 8))


def take(path: Path, *snaps: HistorySnapshot, tabs: tuple[TabPlan, ...] = ()) -> None:
    for snap in snaps:
        XlsxBackend(path).apply(OutputPlan(tabs, snap))


def expected(day: date, anna: float, ben: float) -> list[list[RawValue]]:
    """The raw rows `snapshot(day, anna, ben)` reads back as."""
    reps = (("Anna Nowak", anna, 1.0), ("Ben Carter", ben, 2.0))
    return [[serial(day.isoformat()), "2026-11", "rep", name, "calls", actual, 100.0,
             actual / 100, 0.5, "Behind", rank] for name, actual, rank in reps]  # fmt: skip


def shown(day: date, anna: float, ben: float) -> list[Row]:
    """The rows of `snapshot(day, anna, ben)` as openpyxl reads them."""
    when = datetime(day.year, day.month, day.day)
    reps = (("Anna Nowak", anna, 1), ("Ben Carter", ben, 2))
    return [(when, "2026-11", "rep", name, "calls", actual, 100, actual / 100, 0.5, "Behind",
             rank) for name, actual, rank in reps]  # fmt: skip


def history_rows(path: Path) -> list[Row]:
    """History's data rows, read by openpyxl (not by sheetsync)."""
    book = load(path)
    return [tuple(row) for row in book["History"].iter_rows(min_row=2, values_only=True)]


def load(path: Path) -> Any:
    """The workbook by openpyxl, which warns that it would drop the fixtures' extensions (it
    only reads here)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".* extension is not supported", UserWarning)
        return openpyxl.load_workbook(path, data_only=True)


def read(path: Path, before: date, *days: date) -> HistoryRead | None:
    return XlsxBackend(path).read(lambda t: [], HistoryQuery("History", before, days)).history


def history_xml(path: Path) -> str:
    return read_part(path, sheet_parts(path)["History"]).decode()


def rows_by_key(path: Path) -> dict[tuple[str, str], str]:
    """Each data row's XML by (date serial, inline name), its row numbers blanked out."""
    found = {}
    for row in re.findall(r"<row [^>]*>.*?</row>", history_xml(path)):
        key = re.search(r'<c r="A\d+"[^>]*><v>([^<]*)</v>.*?<t>(Anna Nowak|Ben Carter)</t>', row)
        if key is not None:
            found[(key.group(1), key.group(2))] = re.sub(r'(r="[A-Z]*)\d+"', r'\1#"', row)
    return found


def test_the_first_snapshot_makes_an_owned_history_tab(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    take(path, snapshot(D1, 10, 20))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Log", "Roster", "History"]
    sheet = book["History"]
    assert [c.value for c in sheet[1]] == list(HEADER)
    assert all(c.font.bold for c in sheet[1])
    assert history_rows(path) == shown(D1, 10, 20)
    assert (sheet["A2"].number_format, sheet["H2"].number_format) == ("yyyy-mm-dd", "0%")
    assert sheet["I3"].number_format == "0.00"
    assert sheet.freeze_panes == "A2"
    assert [sheet.column_dimensions[c].width for c in "ABC"] == [12, 10, 8]
    assert '<dimension ref="A1:K3"/>' in history_xml(path)
    assert XlsxBackend(path).read(lambda t: []).owned == {"History": "history"}
    assert read(path, D2) == HistoryRead((D1,), expected(D1, 10, 20))


def test_three_snapshots_the_same_day_leave_the_last_one(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    take(path, snapshot(D1, 1, 2), snapshot(D1, 3, 4), snapshot(D1, 5, 6))
    assert history_rows(path) == shown(D1, 5, 6)
    assert read(path, D2) == HistoryRead((D1,), expected(D1, 5, 6))
    assert '<dimension ref="A1:K3"/>' in history_xml(path)


def test_three_days_are_kept_in_date_order(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    take(path, snapshot(D1, 1, 2), snapshot(D2, 3, 4), snapshot(D3, 5, 6))
    assert history_rows(path) == shown(D1, 1, 2) + shown(D2, 3, 4) + shown(D3, 5, 6)
    found = read(path, D4)
    assert found is not None and found.days == (D1, D2, D3)
    assert found.rows == expected(D3, 5, 6)
    assert '<dimension ref="A1:K7"/>' in history_xml(path)


def test_older_days_keep_their_row_xml_exactly(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    take(path, snapshot(D2, 3, 4), snapshot(D3, 5, 6))
    before = rows_by_key(path)
    take(path, snapshot(D1, 1, 2), snapshot(D4, 7, 8), snapshot(D4, 9, 9))  # rows move down
    after = rows_by_key(path)
    assert len(before) == 4 and len(after) == 8
    assert {key: after[key] for key in before} == before


def reverse_by_hand(path: Path) -> None:
    """A person sorts History's data rows upside down (values and styles) in openpyxl."""
    book = openpyxl.load_workbook(path)
    sheet = book["History"]
    rows = [[(c.value, copy(c._style)) for c in row] for row in sheet.iter_rows(min_row=2)]
    for r, row in enumerate(reversed(rows), start=2):
        for c, (value, style) in enumerate(row, start=1):
            cell = sheet.cell(r, c)
            cell.value, cell._style = value, style
    book.save(path)


def test_history_sorted_by_hand_gets_one_block_per_day_again(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    take(path, snapshot(D1, 1, 2), snapshot(D2, 3, 4), snapshot(D3, 5, 6))
    reverse_by_hand(path)
    assert [row[0].day for row in history_rows(path)] == [4, 4, 3, 3, 2, 2]
    found = read(path, D3, D1)  # read finds each day's rows wherever they are
    assert found is not None and found.days == (D1, D2, D3)
    assert found.rows == expected(D2, 3, 4)[::-1] + expected(D1, 1, 2)[::-1]
    take(path, snapshot(D2, 30, 40))
    ben_first = [shown(d, a, b)[::-1] for d, a, b in ((D1, 1, 2), (D3, 5, 6))]
    assert history_rows(path) == ben_first[0] + shown(D2, 30, 40) + ben_first[1]
    book = openpyxl.load_workbook(path)
    assert [book["History"].cell(r, 1).number_format for r in (2, 7)] == ["yyyy-mm-dd"] * 2
    assert [book["History"].cell(r, 8).number_format for r in (2, 7)] == ["0%"] * 2
    found = read(path, D4, D1)
    assert found is not None and found.days == (D1, D2, D3)
    assert found.rows == expected(D1, 1, 2)[::-1] + expected(D3, 5, 6)[::-1]


def test_a_snapshot_for_an_earlier_day_goes_before_the_later_days(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    take(path, snapshot(D1, 1, 2), snapshot(D3, 5, 6), snapshot(D2, 3, 4))
    assert history_rows(path) == shown(D1, 1, 2) + shown(D2, 3, 4) + shown(D3, 5, 6)
    assert read(path, D3) == HistoryRead((D1, D2, D3), expected(D2, 3, 4))


def test_max_rows_drops_the_oldest_whole_days(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    take(path, snapshot(D1, 1, 2, max_rows=5), snapshot(D2, 3, 4, max_rows=5))
    take(path, snapshot(D3, 5, 6, max_rows=5))
    assert history_rows(path) == shown(D2, 3, 4) + shown(D3, 5, 6)
    take(path, snapshot(D4, 7, 8, max_rows=2))
    assert history_rows(path) == shown(D4, 7, 8)
    assert '<dimension ref="A1:K3"/>' in history_xml(path)


def test_read_keeps_only_the_latest_earlier_day_and_the_days_asked(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    values = {D1: (1, 2), D2: (3, 4), D3: (5, 6), D4: (7, 8), D5: (9, 10)}
    take(path, *(snapshot(day, *pair) for day, pair in values.items()))
    found = read(path, D4, D1, D5)
    assert found is not None and found.days == (D1, D2, D3, D4, D5)
    assert found.rows == expected(D1, 1, 2) + expected(D3, 5, 6) + expected(D5, 9, 10)
    assert read(path, D1) == HistoryRead((D1, D2, D3, D4, D5), [])
    assert read(path, date(2027, 1, 1), date(2020, 1, 1)) == HistoryRead(
        (D1, D2, D3, D4, D5), expected(D5, 9, 10)
    )
    assert XlsxBackend(path).read(lambda t: []).history is None  # not asked for


def test_a_note_typed_into_history_stays_and_new_rows_go_below_it(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    take(path, snapshot(D1, 1, 2), snapshot(D2, 3, 4))
    book = openpyxl.load_workbook(path)
    book["History"].insert_rows(4)
    book["History"]["A4"], book["History"]["D4"] = "note", "Ben was ill"
    book.save(path)
    take(path, snapshot(D2, 30, 40), snapshot(D3, 5, 6))
    note = ("note", None, None, "Ben was ill", *[None] * 7)
    assert history_rows(path) == [*shown(D1, 1, 2), note, *shown(D2, 30, 40), *shown(D3, 5, 6)]
    assert read(path, D3, D1) == HistoryRead(
        (D1, D2, D3), expected(D1, 1, 2) + expected(D2, 30, 40)
    )


def test_a_history_emptied_by_hand_gets_its_header_back(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    take(path, snapshot(D1, 1, 2))
    book = openpyxl.load_workbook(path)
    book["History"].delete_rows(1, 3)
    book.save(path)
    assert read(path, D2) == HistoryRead((), [])
    take(path, snapshot(D2, 3, 4))
    assert [c.value for c in load(path)["History"][1]] == list(HEADER)
    assert history_rows(path) == shown(D2, 3, 4)


def test_a_history_part_declaring_a_dtd_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    take(path, snapshot(D1, 1, 2))
    part = sheet_parts(path)["History"]
    xml = read_part(path, part)
    head, body = xml.split(b"\n", 1)
    rewrite_part(path, part, head + b'\n<!DOCTYPE x [<!ENTITY a "aaaa">]>' + body)
    before = path.read_bytes()
    with pytest.raises(WorkbookError, match=r"declares a DTD or entities"):
        read(path, D2)
    with pytest.raises(WorkbookError, match=r"declares a DTD or entities"):
        take(path, snapshot(D2, 3, 4))
    assert path.read_bytes() == before


def test_a_tab_called_history_that_sheetsync_did_not_make_is_left_alone(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    mine = TabPlan("notes", "history", ((Cell("Date"), Cell("My note")), (Cell(D1), Cell("x"))))
    XlsxBackend(path).add_input_tabs([mine])
    assert read(path, D2, D1) is None
    before = path.read_bytes()
    with pytest.raises(OwnershipError, match=r"tab 'history' already exists.*output\.history"):
        take(path, snapshot(D2, 1, 2))
    assert path.read_bytes() == before


def test_history_title_matches_in_any_case_and_keeps_its_spelling(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    take(path, snapshot(D1, 1, 2))
    upper = HistorySnapshot("history", "HISTORY", D2, (), snapshot(D2, 3, 4).rows, 1000)
    XlsxBackend(path).apply(OutputPlan((), upper))
    assert openpyxl.load_workbook(path).sheetnames == ["Log", "Roster", "History"]
    assert history_rows(path) == shown(D1, 1, 2) + shown(D2, 3, 4)
    found = XlsxBackend(path).read(lambda t: [], HistoryQuery("history", D3)).history
    assert found == HistoryRead((D1, D2), expected(D2, 3, 4))


def test_a_refresh_without_a_snapshot_leaves_history_byte_for_byte(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    take(path, snapshot(D1, 1, 2))
    part = sheet_parts(path)["History"]
    with zipfile.ZipFile(path) as package:
        before = package.getinfo(part)
        data = package.read(part)
    summary = TabPlan("summary", "Summary", ((Cell("Revenue"), Cell(12.5, "0.0%")),))
    XlsxBackend(path).apply(OutputPlan((summary,)))
    with zipfile.ZipFile(path) as package:
        after = package.getinfo(part)
        assert package.read(part) == data
    assert (after.CRC, after.compress_size, after.date_time) == (
        before.CRC, before.compress_size, before.date_time,
    )  # fmt: skip
    assert XlsxBackend(path).read(lambda t: []).owned == {
        "History": "history",
        "Summary": "summary",
    }


def test_a_snapshot_leaves_every_part_it_does_not_own_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "everything.xlsx"
    shutil.copy(FIXTURES / "everything.xlsx", path)
    summary = TabPlan("summary", "Summary", ((Cell("Calls"), Cell(0.25, "0%")),))
    take(path, snapshot(D1, 1, 2), tabs=(summary,))
    take(path, snapshot(D2, 3, 4), tabs=(summary,))
    differing = untouched_parts_differing(
        FIXTURES / "everything.xlsx", path, {"Summary", "History"}
    )
    assert differing == []
    assert history_rows(path) == shown(D1, 1, 2) + shown(D2, 3, 4)
    assert load(path)["Summary"]["B1"].number_format == "0%"


def test_history_goes_into_the_output_workbook(tmp_path: Path) -> None:
    source = workbook(tmp_path)
    before = source.read_bytes()
    out = tmp_path / "out.xlsx"
    for day, pair in ((D1, (1, 2)), (D2, (3, 4))):
        backend = XlsxBackend(source, out)
        raw = backend.read(lambda t: t, HistoryQuery("History", day, locate=True))
        backend.apply(OutputPlan((), snapshot(day, *pair)))
    assert raw.history == HistoryRead((D1,), expected(D1, 1, 2))
    assert history_rows(out) == shown(D1, 1, 2) + shown(D2, 3, 4)
    assert source.read_bytes() == before


# A History as Excel saves it after a person edited it: shared strings (one of them rich
# text), a formula's text result, rich inline text with a phonetic hint, an error, a boolean,
# a missing cell, x14ac row attributes, and a row and cells without their refs.
EXCEL_SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" \
xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac xr" \
xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" \
xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" \
xr:uid="{{00000000-0001-0000-0000-000000000000}}"><dimension ref="A1:K3"/>\
<sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/><sheetData>\
<row r="1" spans="1:11" x14ac:dyDescent="0.25">{header}</row>\
<row r="2" spans="1:11" x14ac:dyDescent="0.25"><c r="A2" s="{date}"><v>46328</v></c>\
<c r="B2" t="s"><v>11</v></c><c r="C2" t="str"><f>LOWER("REP")</f><v>rep</v></c>\
<c r="D2" t="inlineStr"><is><r><t xml:space="preserve">Anna </t></r><r><rPr><b/></rPr>\
<t>Nowak &amp; Co</t></r><rPh sb="0" eb="1"><t>ana</t></rPh></is></c>\
<c r="E2" t="s"><v>12</v></c><c r="F2"><v>12</v></c><c r="H2" s="{percent}"><v>0.12</v></c>\
<c r="I2" t="e"><v>#DIV/0!</v></c><c r="J2" t="b"><v>1</v></c><c r="K2"><v>1</v></c></row>\
<row spans="1:11" x14ac:dyDescent="0.25"><c s="{date}"><v>46328</v></c><c t="s"><v>11</v></c>\
<c t="inlineStr"><is><t>rep</t></is></c><c t="inlineStr"><is><t>Ben Carter</t></is></c>\
<c t="s"><v>12</v></c><c><v>7.5</v></c></row></sheetData>\
<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>\
</worksheet>"""
# shared strings 0-10: the header; 11: the period; 12: "calls" in two runs
SHARED_STRINGS = (
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="13" '
    'uniqueCount="13">' + "".join(f"<si><t>{text}</t></si>" for text in (*HEADER, "2026-11"))
    + "<si><r><t>cal</t></r><r><rPr><i/></rPr><t>ls</t></r></si></sst>"
)  # fmt: skip
EXCEL_ROWS: list[list[RawValue]] = [
    [46328.0, "2026-11", "rep", "Anna Nowak & Co", "calls", 12.0, None, 0.12, None, True, 1.0],
    [46328.0, "2026-11", "rep", "Ben Carter", "calls", 7.5, None, None, None, None, None],
]


def style_of(xml: str, ref: str) -> str:
    found = re.search(rf'<c r="{ref}" s="(\d+)"', xml)
    assert found is not None
    return found.group(1)


def saved_by_excel(path: Path) -> None:
    """Replace History's part by the one above (with the styles sheetsync gave the date and
    the attainment), and add the shared strings it uses."""
    part = sheet_parts(path)["History"]
    old = read_part(path, part).decode()
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    add_part(path, "xl/sharedStrings.xml", SHARED_STRINGS, "sharedStrings", content_type)
    header = "".join(f'<c r="{chr(65 + i)}1" s="0" t="s"><v>{i}</v></c>' for i in range(11))
    sheet = EXCEL_SHEET.format(header=header, date=style_of(old, "A2"),
                               percent=style_of(old, "H2"))  # fmt: skip
    rewrite_part(path, part, sheet.encode())


def test_a_history_saved_by_excel_is_read_and_its_rows_are_kept(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    take(path, snapshot(D1, 1, 2))
    saved_by_excel(path)
    assert read(path, D2) == HistoryRead((D1,), EXCEL_ROWS)
    take(path, snapshot(D2, 3, 4))
    xml = history_xml(path)
    assert 'mc:Ignorable="x14ac xr"' in xml and "xmlns:x14ac=" in xml
    assert '<row r="3" spans="1:11" x14ac:dyDescent="0.25"><c s="' in xml  # its number added
    assert xml.count('x14ac:dyDescent="0.25"') == 3  # the header and both old rows, as they were
    assert '<dimension ref="A1:K5"/>' in xml
    assert read(path, D2) == HistoryRead((D1, D2), EXCEL_ROWS)
    assert read(path, D3) == HistoryRead((D1, D2), expected(D2, 3, 4))
    book = load(path)
    assert [c.value for c in book["History"][1]] == list(HEADER)
    rows = history_rows(path)
    assert rows[:2] == [
        (datetime(2026, 11, 2), "2026-11", "rep", "Anna Nowak & Co", "calls", 12, None, 0.12,
         "#DIV/0!", True, 1),
        (datetime(2026, 11, 2), "2026-11", "rep", "Ben Carter", "calls", 7.5, None, None, None,
         None, None),
    ]  # fmt: skip
    assert rows[2:] == shown(D2, 3, 4)
    assert book["History"]["H2"].number_format == "0%"


def test_a_history_saved_by_libreoffice_takes_snapshots_it_can_open(tmp_path: Path) -> None:
    program = shutil.which("soffice")
    if program is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    path = workbook(tmp_path)
    take(path, snapshot(D1, 1, 2), snapshot(D2, 3, 4))
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"

    def convert(target: str, folder: Path) -> None:
        subprocess.run([program, profile, "--headless", "--convert-to", target, "--outdir",
                        str(folder), str(path)], check=True, timeout=300,
                       capture_output=True)  # fmt: skip

    convert("xlsx", tmp_path / "saved")
    shutil.copy(tmp_path / "saved" / path.name, path)
    assert ' t="s"' in history_xml(path)  # LibreOffice keeps text as shared strings
    assert read(path, D3, D1) == HistoryRead((D1, D2), expected(D1, 1, 2) + expected(D2, 3, 4))
    take(path, snapshot(D3, 5, 6), snapshot(D1, 10, 20))
    assert history_rows(path) == shown(D1, 10, 20) + shown(D2, 3, 4) + shown(D3, 5, 6)
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    convert(csv_filter, tmp_path / "csv")
    with open(tmp_path / "csv" / "team-History.csv", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert table[0] == list(HEADER)
    assert [(row[0], row[3], row[5]) for row in table[1:]] == [
        ("2026-11-02", "Anna Nowak", "10"), ("2026-11-02", "Ben Carter", "20"),
        ("2026-11-03", "Anna Nowak", "3"), ("2026-11-03", "Ben Carter", "4"),
        ("2026-11-04", "Anna Nowak", "5"), ("2026-11-04", "Ben Carter", "6"),
    ]  # fmt: skip
