"""What a newcomer gets wrong with a local workbook: a clear message and exit code, never a
traceback, and the file left as it was."""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from sheetsync import load_config
from sheetsync.cli import main
from sheetsync.errors import UsageError
from sheetsync.pipeline import refresh
from tests.helpers import BASE_CONFIG
from tests.test_xlsx_hostile import team_xlsx

AS_OF = "2026-11-30"
FIXTURES = Path(__file__).parent / "fixtures" / "workbooks"


def refresh_cli(folder: Path, *extra: str) -> int:
    return main(["refresh", "--config", str(folder / "sheetsync.yaml"), "--as-of", AS_OF, *extra])


def xlsb_package(path: Path) -> None:
    """The package layout of a binary workbook: its main part is xl/workbook.bin."""
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("_rels/.rels", rels)
        package.writestr("xl/workbook.bin", b"\x83\x01\x00")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("legacy.xls", r"legacy Excel 97-2003 workbook \(\.xls\).*save it as 'Excel Workbook"),
        ("encrypted.xlsx", r"encrypted \(protected with a password to open\)"),
        ("xlsb", r"binary Excel workbook \(\.xlsb\)"),
        ("csv", r"not an \.xlsx workbook \(not a zip package\)"),
    ],
)
def test_workbooks_sheetsync_cannot_read_say_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: str, message: str
) -> None:
    target = tmp_path / "team.xlsx"
    if make == "xlsb":
        xlsb_package(target)
    elif make == "csv":
        target.write_text("Date,Calls\n2026-11-02,3\n")
    else:
        target.write_bytes((FIXTURES / make).read_bytes())
    (tmp_path / "sheetsync.yaml").write_text(BASE_CONFIG, "utf-8")
    before = target.read_bytes()
    assert refresh_cli(tmp_path) == 4
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert "Traceback" not in err and target.read_bytes() == before


def test_a_read_only_workbook_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = team_xlsx(tmp_path)
    path.chmod(0o444)
    before = path.read_bytes()
    assert refresh_cli(tmp_path) == 4
    assert "is read-only; sheetsync will not replace it" in capsys.readouterr().err
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o444


def test_a_workbook_open_in_excel_is_not_replaced_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = team_xlsx(tmp_path)
    (tmp_path / "~$team.xlsx").write_bytes(b"\x05someone")
    before = path.read_bytes()
    assert refresh_cli(tmp_path) == 4
    err = capsys.readouterr().err
    assert "~$team.xlsx" in err and "--force" in err
    assert path.read_bytes() == before
    assert refresh_cli(tmp_path, "--force") == 0
    assert "Summary" in openpyxl.load_workbook(path).sheetnames


def test_the_refresh_keeps_the_files_mode_owner_and_group(tmp_path: Path) -> None:
    path = team_xlsx(tmp_path)
    path.chmod(0o664)
    if os.geteuid() == 0:
        os.chown(path, 1234, 2345)
    wanted = path.stat()
    assert refresh_cli(tmp_path) == 0
    now = path.stat()
    assert stat.S_IMODE(now.st_mode) == 0o664
    assert (now.st_uid, now.st_gid) == (wanted.st_uid, wanted.st_gid)
    assert now.st_ino != wanted.st_ino  # replaced, not rewritten in place


def test_output_path_works_end_to_end_and_the_cli_names_the_file_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = team_xlsx(tmp_path)
    before = path.read_bytes()
    config = tmp_path / "sheetsync.yaml"
    config.write_text(BASE_CONFIG.replace("path: team.xlsx", "path: team.xlsx, output_path: "
                                          "reports/kpis.xlsx"), "utf-8")  # fmt: skip
    assert refresh_cli(tmp_path) == 4
    assert "reports does not exist" in capsys.readouterr().err
    (tmp_path / "reports").mkdir()
    for _ in range(2):  # the second refresh finds its own tabs in the output workbook
        assert refresh_cli(tmp_path) == 0
        out = capsys.readouterr().out
        assert f"tabs to {tmp_path / 'reports' / 'kpis.xlsx'} as of" in out
    assert path.read_bytes() == before
    book = openpyxl.load_workbook(tmp_path / "reports" / "kpis.xlsx")
    assert book.sheetnames == [
        "Summary", "Ranking", "Meeting brief", "Rep KPIs", "Data issues", "Sync status"
    ]  # fmt: skip


def test_init_adds_input_tabs_to_a_workbook_with_an_image_and_keeps_it(tmp_path: Path) -> None:
    from openpyxl.drawing.image import Image
    from PIL import Image as PILImage

    picture = io.BytesIO()
    PILImage.new("RGB", (4, 4)).save(picture, format="PNG")
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book["Notes"].add_image(Image(picture), "B2")
    book.save(tmp_path / "team.xlsx")
    (tmp_path / "sheetsync.yaml").write_text(BASE_CONFIG, "utf-8")
    before = zipfile.ZipFile(tmp_path / "team.xlsx")
    media = {n: before.read(n) for n in before.namelist() if n.startswith("xl/media/")}
    assert media
    assert main(["init", "--config", str(tmp_path / "sheetsync.yaml")]) == 0
    after = zipfile.ZipFile(tmp_path / "team.xlsx")
    assert {n: after.read(n) for n in media} == media
    titles = openpyxl.load_workbook(tmp_path / "team.xlsx").sheetnames
    assert titles == ["Notes", "Rep - Example", "Log", "Goals", "Roster", "Actions"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-06-30"])
def test_an_as_of_date_outside_the_calendar_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], day: str
) -> None:
    team_xlsx(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        main(["refresh", "--config", str(tmp_path / "sheetsync.yaml"), "--as-of", day])
    assert stopped.value.code == 2
    assert "use a date from 1900-01-01 to 9998-12-31" in capsys.readouterr().err
    with pytest.raises(UsageError, match=r"out of range") as caught:
        refresh(load_config(tmp_path / "sheetsync.yaml"), as_of=date.fromisoformat(day))
    assert caught.value.exit_code == 2


def test_the_size_limits_are_set_in_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    team_xlsx(tmp_path, extra_rows=20_000)  # about 5 MB unpacked
    config = tmp_path / "sheetsync.yaml"
    for limits, code in (("{unpacked_mb: 1}", 4), ("{unpacked_mb: 20}", 0), ("{parts_mb: 1}", 2)):
        config.write_text(BASE_CONFIG.replace("path: team.xlsx",
                                              f"path: team.xlsx, limits: {limits}"))  # fmt: skip
        assert refresh_cli(tmp_path) == code
        err = capsys.readouterr().err
        assert (
            code != 4
            or "over the 1 MB limit. If the workbook is genuine, raise source.limits.unpacked_mb"
            in err
        )
    assert "source.limits.parts_mb: unknown key; allowed here: unpacked_mb, part_mb" in err
