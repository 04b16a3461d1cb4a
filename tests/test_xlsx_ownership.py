"""Ownership by mark, on workbooks that sheetsync refreshed and LibreOffice then edited and saved
(fixtures/workbooks/ownership, made by make_ownership.py): a tab a person made under an output's
name is never written, whatever its name; a renamed output tab is found by its mark; a copy of
an output tab is left alone."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetsync import load_config
from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.errors import OwnershipError
from sheetsync.pipeline import refresh
from tests.packages import sheet_parts
from tests.test_xlsx_fixtures import CONFIG

FOLDER = Path(__file__).parent / "fixtures" / "workbooks"
AS_OF = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 9, 0)
TYPED = [(f"my own line {n}",) for n in range(1, 21)]


def copied(tmp_path: Path, source: Path) -> Path:
    """A copy of `source` in `tmp_path` with the config of the fixtures beside it."""
    path = tmp_path / source.name
    shutil.copy(source, path)
    (tmp_path / "sheetsync.yaml").write_text(CONFIG.format(name=source.name), "utf-8")
    return path


def run(tmp_path: Path) -> None:
    refresh(load_config(tmp_path / "sheetsync.yaml"), as_of=AS_OF, now=NOW)


def values(path: Path, title: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book[title].iter_rows(values_only=True)]
    finally:
        book.close()


def titles(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def marks(path: Path) -> dict[str, str]:
    """{tab title: the output its mark names}, read from workbook.xml by pattern."""
    with zipfile.ZipFile(path) as package:
        book = package.read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet name="([^"]*)"', book)
    found = {}
    for element in re.findall(r"<definedName\b[^>]*>[^<]*</definedName>", book):
        if 'name="sheetsync.output"' in element:
            position = re.search(r'localSheetId="(\d+)"', element)
            output = re.search(r">(?:&quot;|\")(\w+)(?:&quot;|\")<", element)
            assert position and output, element
            found[names[int(position.group(1))]] = output.group(1)
    return found


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """formulas.xlsx refreshed once: what each output tab holds when nothing was edited."""
    folder = tmp_path_factory.mktemp("clean")
    path = copied(folder, FOLDER / "formulas.xlsx")
    run(folder)
    return path


def fixture(tmp_path: Path, name: str) -> Path:
    return copied(tmp_path, FOLDER / "ownership" / name)


def test_marks_survive_a_libreoffice_save_and_the_refresh_writes_in_place(
    tmp_path: Path, clean: Path
) -> None:
    path = fixture(tmp_path, "resaved.xlsx")
    before = titles(path)
    run(tmp_path)
    assert titles(path) == before
    assert marks(path) == {"Summary": "summary", "Ranking": "ranking",
                           "Meeting brief": "meeting_brief", "Rep KPIs": "rep_kpis",
                           "Data issues": "data_issues", "Sync status": "sync_status"}  # fmt: skip
    assert values(path, "Ranking") == values(clean, "Ranking")


def test_a_tab_made_in_place_of_a_deleted_output_is_never_written(tmp_path: Path) -> None:
    path = fixture(tmp_path, "recreated.xlsx")
    before = path.read_bytes()
    with pytest.raises(OwnershipError) as error:
        run(tmp_path)
    assert "tab 'Summary' already exists and does not carry sheetsync's mark" in str(error.value)
    assert "output.summary" in str(error.value)
    assert path.read_bytes() == before
    assert values(path, "Summary") == TYPED


def test_the_command_line_says_which_tab_and_what_to_do_and_exits_4(tmp_path: Path) -> None:
    path = fixture(tmp_path, "recreated.xlsx")
    before = path.read_bytes()
    done = subprocess.run([sys.executable, "-m", "sheetsync", "refresh", "--config",
                           str(tmp_path / "sheetsync.yaml"), "--as-of", AS_OF.isoformat()],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 4, done.stderr
    assert "tab 'Summary' already exists" in done.stderr
    assert "config key output.summary" in done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == before


def test_a_deleted_output_tab_is_made_again_and_marked(tmp_path: Path, clean: Path) -> None:
    path = fixture(tmp_path, "deleted.xlsx")
    run(tmp_path)
    assert titles(path)[-1] == "Summary"
    assert marks(path)["Summary"] == "summary"
    assert values(path, "Summary") == values(clean, "Summary")


def test_a_renamed_output_tab_is_found_by_its_mark_and_keeps_its_name(
    tmp_path: Path, clean: Path
) -> None:
    path = fixture(tmp_path, "renamed.xlsx")
    before = titles(path)
    run(tmp_path)
    assert titles(path) == before
    assert "Ranking" not in before
    assert marks(path)["Ranking (old)"] == "ranking"
    assert values(path, "Ranking (old)") == values(clean, "Ranking")


def test_a_tab_made_under_a_renamed_outputs_old_name_is_left_alone(
    tmp_path: Path, clean: Path
) -> None:
    path = fixture(tmp_path, "renamed-recreated.xlsx")
    part = sheet_parts(path)["Ranking"]
    with zipfile.ZipFile(path) as package:
        mine = package.read(part)
    run(tmp_path)
    with zipfile.ZipFile(path) as package:
        assert package.read(part) == mine
    assert values(path, "Ranking") == TYPED
    assert "Ranking" not in marks(path)
    assert values(path, "Ranking (old)") == values(clean, "Ranking")


def test_a_copy_of_an_output_tab_is_left_alone(tmp_path: Path, clean: Path) -> None:
    path = fixture(tmp_path, "copied.xlsx")
    part = sheet_parts(path)["Summary (copy)"]
    with zipfile.ZipFile(path) as package:
        copy = package.read(part)
    run(tmp_path)
    with zipfile.ZipFile(path) as package:
        assert package.read(part) == copy
    assert values(path, "Summary") == values(clean, "Summary")


def test_a_copy_and_a_renamed_original_are_ambiguous_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    path = fixture(tmp_path, "copied-renamed.xlsx")
    before = path.read_bytes()
    with pytest.raises(OwnershipError) as error:
        run(tmp_path)
    message = str(error.value)
    assert "tabs 'Summary (old)', 'Summary (copy)' all carry sheetsync's mark" in message
    assert "Rename the one sheetsync should refresh to 'Summary'" in message
    assert path.read_bytes() == before


def test_a_workbook_from_before_marks_is_taken_over_once_and_marked(
    tmp_path: Path, clean: Path
) -> None:
    """Before marks, the owned tabs were listed by title in a custom document property. With no
    mark in the workbook, that list is honoured once; the write marks every tab it lists."""
    path = fixture(tmp_path, "resaved.xlsx")
    listed = ["Summary", "Ranking", "Meeting brief", "Rep KPIs", "Data issues", "Sync status"]
    with_owned_list(path, listed)
    assert marks(path) == {}
    run(tmp_path)
    assert sorted(marks(path)) == sorted(listed)
    assert values(path, "Ranking") == values(clean, "Ranking")


def with_owned_list(path: Path, titles: list[str]) -> None:
    """Rewrite `path` as sheetsync wrote workbooks before marks: no defined-name marks, and
    the owned titles in the custom document property `sheetsync.owned`."""
    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    book = parts["xl/workbook.xml"].decode()
    book = re.sub(r"<definedName\b[^>]*>[^<]*</definedName>", "", book)
    parts["xl/workbook.xml"] = book.replace("<definedNames></definedNames>", "").encode()
    listed = "[" + ", ".join(f"&quot;{t}&quot;" for t in titles) + "]"
    parts["docProps/custom.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://'
        'schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://'
        'schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CD'
        'D505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="sheetsync.owned"><vt:lpwstr>'
        f"{listed}</vt:lpwstr></property></Properties>"
    ).encode()
    relation = (
        '<Relationship Id="rIdOwned" Target="docProps/custom.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/custom-properties"/>'
    )
    rels = parts["_rels/.rels"].decode().replace("</Relationships>", relation + "</Relationships>")
    parts["_rels/.rels"] = rels.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def test_a_marked_tab_is_never_read_as_input_whatever_its_name(tmp_path: Path) -> None:
    path = fixture(tmp_path, "renamed.xlsx")
    raw = XlsxBackend(path).read(lambda titles: list(titles))
    assert "Ranking (old)" in raw.titles
    assert sorted(raw.grids) == sorted(t for t in raw.titles if t not in marks(path))
    assert raw.owned["Ranking (old)"] == "ranking"
