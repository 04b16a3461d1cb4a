"""Hostile and unusual workbooks: every row read, bombs refused unread, nobody's save lost."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from sheetsync.backends.xlsx import XlsxBackend
from sheetsync.backends.xlsx.filesafety import exclusive
from sheetsync.cli import main
from sheetsync.errors import WorkbookError
from sheetsync.grids import HistoryQuery, RawWorkbook, TabSelector
from sheetsync.pipeline import refresh
from tests.helpers import BASE_CONFIG, config, team_workbook
from tests.hostile import read_part, rewrite_part, with_filler
from tests.packages import sheet_parts

AS_OF = date(2026, 11, 30)
OUTPUT_TABS = ["Data issues", "Meeting brief", "Ranking", "Rep KPIs", "Summary", "Sync status"]


def team_xlsx(folder: Path, extra_rows: int = 0) -> Path:
    """The helpers' team workbook as a real .xlsx file (and its config), Anna's tab grown."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, grid in team_workbook().items():
        sheet = book.create_sheet(title)
        for row in grid:
            sheet.append(row)
    anna = book["Rep - Anna Nowak"]
    for n in range(extra_rows):
        anna.append([date(2026, 11, 2) + timedelta(days=n % 28), 1, 0, 0, 10.0, f"C{n}"])
    path = folder / "team.xlsx"
    book.save(path)
    (folder / "sheetsync.yaml").write_text(BASE_CONFIG, "utf-8")
    return path


def run_cli(folder: Path, *args: str) -> tuple[int, str, int]:
    """`sheetsync refresh` in a child process: (exit code, stderr, peak memory in MB)."""
    # VmHWM, not ru_maxrss: the latter keeps the forking parent's size across exec.
    script = (
        "import re, sys\nfrom pathlib import Path\nfrom sheetsync.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "status = Path('/proc/self/status').read_text()\n"
        "print(int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1)) // 1024)\nsys.exit(code)\n"
    )
    argv = ["refresh", "--config", str(folder / "sheetsync.yaml"), "--as-of", AS_OF.isoformat()]
    done = subprocess.run([sys.executable, "-c", script, *argv, *args], capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    peak = int(done.stdout.strip().splitlines()[-1])
    return done.returncode, done.stderr, peak


def owned_titles(path: Path) -> list[str]:
    """The titles of the tabs that carry sheetsync's mark (a defined name scoped to the tab),
    sorted, read from workbook.xml by pattern."""
    book = read_part(path, "xl/workbook.xml").decode()
    titles = re.findall(r'<sheet name="([^"]*)"', book)
    marks = re.findall(r'<definedName name="sheetsync\.output" localSheetId="(\d+)"', book)
    return sorted(titles[int(position)] for position in marks)


def test_a_stale_dimension_does_not_hide_rows(tmp_path: Path) -> None:
    path = team_xlsx(tmp_path, extra_rows=228)
    part = sheet_parts(path)["Rep - Anna Nowak"]
    stale = re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:J10"/>',
                   read_part(path, part))  # fmt: skip
    assert b'ref="A1:J10"' in stale
    rewrite_part(path, part, stale)
    report = refresh(config(folder=tmp_path), as_of=AS_OF, dry_run=True)
    assert report.facts.rows_read == 2 + 228 + 1  # Anna's 230 rows and Ben's one
    actual = report.rep_kpis.set_index(["period", "level", "name", "kpi"])["actual"]
    assert actual[("2026-11", "rep", "Anna Nowak", "calls")] == 10 + 20 + 228


def test_a_stray_cell_at_the_last_cell_of_a_sheet_is_read_without_a_hang(tmp_path: Path) -> None:
    path = team_xlsx(tmp_path)
    book = openpyxl.load_workbook(path)
    book["Rep - Anna Nowak"]["XFD1048576"] = 7
    book.save(path)
    code, err, peak = run_cli(tmp_path)
    assert code == 0, err
    status = dict(openpyxl.load_workbook(path)["Sync status"].values)
    assert status["Rows read"] == status["Rows counted"] + status["Rows rejected"]
    assert status["Rows counted"] == 3
    assert peak < 1000


@pytest.mark.parametrize(
    ("where", "marker", "filler", "megabytes", "message"),
    [
        ("Rep - Anna Nowak", b"<sheetData>", b" ", 3000, r"sheet\d.xml unpacks to 3,000 MB"),
        ("Notes", b"<t>", b"a", 1024, r"sheet\d.xml unpacks to 1,024 MB, over the 512 MB"),
    ],
    ids=["whitespace bomb", "1 GB cell"],
)
def test_bombs_are_refused_before_parsing_in_bounded_memory(
    tmp_path: Path, where: str, marker: bytes, filler: bytes, megabytes: int, message: str
) -> None:
    path = team_xlsx(tmp_path)
    book = openpyxl.load_workbook(path)
    book.create_sheet("Notes")["A1"] = "a note in a tab sheetsync never reads"
    book.save(path)
    with_filler(path, sheet_parts(path)[where], marker, filler, megabytes)
    assert path.stat().st_size < 5_000_000
    before = path.read_bytes()
    code, err, peak = run_cli(tmp_path)
    assert code == 4 and re.search(message, err), err
    assert "refused before reading" in err and "source.limits" in err
    assert peak < 400  # MB: nothing was inflated
    assert path.read_bytes() == before


def test_a_stored_part_over_the_limit_is_refused_before_the_file_is_read(tmp_path: Path) -> None:
    """A big part kept uncompressed makes a big file: its declared size, in the zip directory
    at the end of the file, refuses it before the file is read into memory (it was read whole
    first: 1.3 GB of memory for a 600 MB part)."""
    path = team_xlsx(tmp_path)
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("xl/media/video.bin", bytes(150 * 1024 * 1024), zipfile.ZIP_STORED)
    limits = "source: {type: xlsx, path: team.xlsx, limits: {part_mb: 100}}"
    text = BASE_CONFIG.replace("source: {type: xlsx, path: team.xlsx}", limits)
    (tmp_path / "sheetsync.yaml").write_text(text, "utf-8")
    code, err, peak = run_cli(tmp_path)
    assert code == 4, err
    assert "its part xl/media/video.bin unpacks to 150 MB, over the 100 MB limit" in err
    assert peak < 150  # MB: the 150 MB file was never read


def test_a_dtd_in_a_part_is_refused_as_an_xml_bomb(tmp_path: Path) -> None:
    path = team_xlsx(tmp_path)
    part = sheet_parts(path)["Rep - Ben Carter"]
    laughs = b'<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY l2 "&lol;&lol;&lol;">]>'
    xml = read_part(path, part)
    assert xml.startswith(b"<worksheet")
    rewrite_part(path, part, laughs + xml)
    with pytest.raises(WorkbookError, match=r"declares a DTD or entities") as caught:
        refresh(config(folder=tmp_path), as_of=AS_OF)
    assert caught.value.exit_code == 4


class SavedMeanwhile(XlsxBackend):
    """A backend whose workbook another process saves right after sheetsync read it."""

    def read(
        self, select: TabSelector, history: HistoryQuery | None = None, *, outputs: bool = False
    ) -> RawWorkbook:
        raw = super().read(select, history)
        script = (
            "import openpyxl, sys\nbook = openpyxl.load_workbook(sys.argv[1])\n"
            "book['Roster']['E1'] = 'edited by a person'\nbook.save(sys.argv[1])\n"
        )
        subprocess.run([sys.executable, "-c", script, str(self.path)], check=True, timeout=60)
        return raw


def test_a_save_by_another_process_during_the_refresh_is_kept(tmp_path: Path) -> None:
    path = team_xlsx(tmp_path)
    with pytest.raises(WorkbookError, match=r"changed while sheetsync was running") as caught:
        refresh(config(folder=tmp_path), as_of=AS_OF, backend=SavedMeanwhile(path))
    assert caught.value.exit_code == 4
    book = openpyxl.load_workbook(path)
    assert book["Roster"]["E1"].value == "edited by a person"
    assert "Summary" not in book.sheetnames
    assert not list(tmp_path.glob(".team.xlsx.sheetsync-*.tmp"))


def test_two_refreshes_at_once_run_one_after_the_other(tmp_path: Path) -> None:
    path = team_xlsx(tmp_path)
    argv = ["-m", "sheetsync", "refresh", "--config", str(tmp_path / "sheetsync.yaml"),
            "--as-of", AS_OF.isoformat()]  # fmt: skip
    with exclusive(path):  # both start while the workbook is held, so both must wait
        children = [
            subprocess.Popen(
                [sys.executable, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        for child in children:
            with pytest.raises(subprocess.TimeoutExpired):
                child.wait(timeout=3)
    results = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0], results
    book = openpyxl.load_workbook(path)
    assert [t for t in book.sheetnames if t in OUTPUT_TABS] == [
        "Summary", "Ranking", "Meeting brief", "Rep KPIs", "Data issues", "Sync status"
    ]  # fmt: skip
    assert owned_titles(path) == OUTPUT_TABS


def test_cells_without_their_reference_are_read_in_place(tmp_path: Path) -> None:
    path = team_xlsx(tmp_path)
    expected = refresh(config(folder=tmp_path), as_of=AS_OF, dry_run=True).rep_kpis
    part = sheet_parts(path)["Rep - Anna Nowak"]
    implicit = re.sub(rb'<c r="[A-Z]+\d+"', b"<c", read_part(path, part))
    assert b'<c r="' not in implicit
    rewrite_part(path, part, implicit)
    report = refresh(config(folder=tmp_path), as_of=AS_OF, dry_run=True)
    assert report.rep_kpis.equals(expected)


def test_a_corrupt_compressed_sheet_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = team_xlsx(tmp_path, extra_rows=300)
    part = sheet_parts(path)["Rep - Anna Nowak"]
    with zipfile.ZipFile(path) as package:
        info = package.getinfo(part)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle : middle + 16] = bytes(16)  # zeroes in the middle of the deflate stream
    path.write_bytes(bytes(data))
    assert main(["refresh", "--config", str(tmp_path / "sheetsync.yaml")]) == 4
    err = capsys.readouterr().err
    assert f"the workbook is damaged ({part}" in err and "let it repair the file" in err


def test_a_control_character_reference_is_read_as_text(tmp_path: Path) -> None:
    """`&#1;` is not allowed in XML 1.0, but files carry it: calamine reads it as a character,
    and the customer still counts as one distinct customer."""
    path = team_xlsx(tmp_path)
    part = sheet_parts(path)["Rep - Ben Carter"]
    xml = read_part(path, part)
    cell = b'<c r="F2" t="inlineStr"><is><t>Acme&#1;Ltd</t></is></c>'
    rewrite_part(path, part, re.sub(rb'<c r="F2"[^>]*>.*?</c>', cell, xml, count=1))
    report = refresh(config(folder=tmp_path), as_of=AS_OF)
    assert report.written and report.facts.rows_counted == 3
    actual = report.rep_kpis.set_index(["period", "level", "name", "kpi"])["actual"]
    assert actual[("2026-11", "rep", "Ben Carter", "customers")] == 1
    assert "Summary" in sheet_parts(path)  # (openpyxl itself refuses to open this input)
