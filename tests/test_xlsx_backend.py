import re
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

import openpyxl
import pytest

from sheetsync.backends import xlsx as xlsx_backend
from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.errors import OwnershipError, WorkbookError
from sheetsync.plan import Cell, CellValue, OutputPlan, TabPlan
from tests.packages import parts, untouched_parts_differing, without_sheets


def workbook(path: Path, tabs: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in tabs.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def plan(*tabs: tuple[str, str, list[list[CellValue]]]) -> OutputPlan:
    return OutputPlan(tuple(
        TabPlan(key, title, tuple(tuple(Cell(v) for v in row) for row in rows))
        for key, title, rows in tabs
    ))  # fmt: skip


def test_read_gives_raw_values_with_dates_as_serials_and_trims_empties(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {
        "Rep - A": [["Date", "Calls", None], [date(2020, 1, 1), 3, None],
                    [datetime(2020, 1, 2, 18), "n/a"], [None, None]],
        "Other": [["x"]],
    })  # fmt: skip
    raw = XlsxBackend(path).read(lambda titles: [t for t in titles if t.startswith("Rep")])
    assert raw.titles == ("Rep - A", "Other")
    assert raw.grids == {"Rep - A": [["Date", "Calls"], [43831.0, 3], [43832.75, "n/a"]]}
    assert raw.owned == {}


def test_apply_writes_typed_cells_marks_ownership_and_keeps_input(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"Input": [["keep", "=1+1"]]})
    backend = XlsxBackend(path)
    first = OutputPlan((TabPlan("summary", "Summary", (
        (Cell("Name", bold=True), Cell("Revenue", bold=True)),
        (Cell("=HYPERLINK(\"http://evil\")"), Cell(1234.5, '"$"#,##0')),
    )),))  # fmt: skip
    backend.apply(first)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Input", "Summary"]
    assert book["Input"]["B1"].data_type == "f"  # the user's own formula is untouched
    cell = book["Summary"]["A2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://evil")', "s")
    assert book["Summary"]["B2"].value == 1234.5
    assert book["Summary"]["B2"].number_format == '"$"#,##0'
    assert book["Summary"]["A1"].font.bold
    assert XlsxBackend(path).read(lambda t: []).owned == {"Summary": "summary"}
    backend.apply(plan(("summary", "Summary", [["new"]])))
    book = openpyxl.load_workbook(path)
    assert book["Summary"]["A1"].value == "new" and book["Summary"].max_row == 1


def test_a_tab_the_user_made_with_an_output_name_is_never_touched(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"Summary": [["my own notes"]]})
    before = path.read_bytes()
    with pytest.raises(OwnershipError, match=r"tab 'Summary' already exists .* output\.summary"):
        XlsxBackend(path).apply(plan(("summary", "Summary", [["x"]])))
    assert path.read_bytes() == before


def test_a_failed_save_leaves_the_previous_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(tmp_path / "t.xlsx", {"Input": [["keep"]]})
    XlsxBackend(path).apply(plan(("summary", "Summary", [["old"]])))
    before = path.read_bytes()

    def broken_write(source: object, out: BinaryIO, changes: object, name: str) -> None:
        out.write(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsx_backend, "write_package", broken_write)
    with pytest.raises(WorkbookError, match=r"No space left on device.*previous file is unchanged"):
        XlsxBackend(path).apply(plan(("summary", "Summary", [["new"]])))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def add_image(path: Path) -> None:
    """Add a picture part to an input sheet, the way Excel stores one."""
    from openpyxl.drawing.image import Image
    from PIL import Image as PILImage

    picture = path.with_suffix(".png")
    PILImage.new("RGB", (4, 4)).save(picture)
    book = openpyxl.load_workbook(path)
    book["Input"].add_image(Image(str(picture)), "C3")
    book.save(path)
    picture.unlink()


def test_parts_sheetsync_does_not_own_stay_byte_for_byte(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"Input": [["keep", "=1+1"]]})
    add_image(path)
    original = tmp_path / "original.xlsx"
    shutil.copy(path, original)
    XlsxBackend(path).apply(plan(("summary", "Summary", [["x"]]), ("ranking", "Ranking", [[1]])))
    XlsxBackend(path).apply(plan(("summary", "Summary", [["y", 2]])))
    assert untouched_parts_differing(original, path, {"Summary", "Ranking"}) == []
    assert any(n.startswith("xl/media/") for n in parts(path))
    old, new = parts(original), parts(path)
    book_xml = new["xl/workbook.xml"].decode()
    before = old["xl/workbook.xml"].decode()
    assert without_sheets(book_xml, {"Summary", "Ranking"}, before) == before
    assert openpyxl.load_workbook(path)["Summary"]["B1"].value == 2
    assert openpyxl.load_workbook(path).sheetnames == ["Input", "Summary", "Ranking"]


def test_a_second_refresh_adds_no_styles(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"Input": [["keep"]]})
    rows: list[list[CellValue]] = [["Name", "Revenue"], ["Anna", 1.5]]
    XlsxBackend(path).apply(plan(("summary", "Summary", rows)))
    first = parts(path)["xl/styles.xml"]
    XlsxBackend(path).apply(plan(("summary", "Summary", rows)))
    assert parts(path)["xl/styles.xml"] == first


def test_output_path_checks_ownership_in_the_output_workbook(tmp_path: Path) -> None:
    source = workbook(tmp_path / "t.xlsx", {"Input": [["keep"]]})
    before = source.read_bytes()
    out = tmp_path / "out.xlsx"
    for value in ("first", "second"):
        backend = XlsxBackend(source, out)
        raw = backend.read(lambda titles: titles)
        backend.apply(plan(("summary", "Summary", [[value]])))
    assert raw.titles == ("Input",) and raw.titles_written == ("Summary",)
    assert raw.owned == {"Summary": "summary"}
    assert openpyxl.load_workbook(out)["Summary"]["A1"].value == "second"
    assert source.read_bytes() == before


def test_an_output_path_in_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    source = workbook(tmp_path / "t.xlsx", {"Input": [["keep"]]})
    backend = XlsxBackend(source, tmp_path / "nope" / "out.xlsx")
    backend.read(lambda titles: ())
    with pytest.raises(WorkbookError, match=r"does not exist") as caught:
        backend.apply(plan(("summary", "Summary", [["x"]])))
    assert caught.value.exit_code == 4


def test_missing_and_broken_workbooks_get_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match=r"workbook not found"):
        XlsxBackend(tmp_path / "nope.xlsx").read(lambda t: t)
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a zip")
    with pytest.raises(WorkbookError, match=r"not an .xlsx workbook"):
        XlsxBackend(broken).read(lambda t: t)


def test_text_that_turns_into_a_formula_once_cleaned_is_still_text(tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"Input": [["keep"]]})
    XlsxBackend(path).apply(plan(("summary", "Summary", [["\x01=1+1", "\x1f=HYPERLINK(1)"]])))
    row = openpyxl.load_workbook(path)["Summary"][1]
    assert [(c.value, c.data_type) for c in row] == [("=1+1", "s"), ("=HYPERLINK(1)", "s")]
    xml = parts(path)["xl/worksheets/sheet2.xml"].decode()
    assert "<f>" not in xml and 't="inlineStr"' in xml


def test_a_calc_chain_naming_a_replaced_tab_is_dropped(tmp_path: Path) -> None:
    """Someone typed a formula into Summary: Excel's calcChain names it; the refresh replaces it."""
    path = workbook(tmp_path / "t.xlsx", {"Input": [[1, "=A1*2"]]})
    XlsxBackend(path).apply(plan(("summary", "Summary", [["x"]])))
    chain = (
        '<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<c r="B1" i="1"/><c r="C3" i="2"/></calcChain>'
    )
    add_part(
        path,
        "xl/calcChain.xml",
        chain,
        "calcChain",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml",
    )
    XlsxBackend(path).apply(plan(("summary", "Summary", [["y"]])))
    after = parts(path)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["[Content_Types].xml"]
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert openpyxl.load_workbook(path)["Input"]["B1"].value == "=A1*2"


def add_part(path: Path, name: str, xml: str, kind: str, content_type: str) -> None:
    """Add a workbook-level part the way Excel would (relationship and content type)."""
    contents = parts(path)
    rel = (
        f'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/{kind}" Target="{name.removeprefix("xl/")}"/></Relationships>'
    )
    contents["xl/_rels/workbook.xml.rels"] = contents["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", rel.encode()
    )
    override = f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>'
    contents["[Content_Types].xml"] = contents["[Content_Types].xml"].replace(
        b"</Types>", override.encode()
    )
    contents[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for part, data in contents.items():
            package.writestr(part, data)


def test_an_output_named_in_another_case_replaces_its_owned_tab_and_keeps_its_spelling(
    tmp_path: Path,
) -> None:
    from sheetsync.config.loading import load_config
    from sheetsync.demo import make_demo
    from sheetsync.pipeline import refresh

    path = make_demo(tmp_path / "demo", date(2026, 11, 26))
    refresh(load_config(path), date(2026, 11, 26))
    path.write_text(path.read_text().replace("summary: Summary", "summary: SUMMARY"))
    refresh(load_config(path), date(2026, 11, 26))
    book = zipfile.ZipFile(tmp_path / "demo" / "demo-team.xlsx").read("xl/workbook.xml")
    names = re.findall(r'<sheet [^>]*name="([^"]+)"', book.decode())
    assert [name for name in names if name.casefold() == "summary"] == ["Summary"]
