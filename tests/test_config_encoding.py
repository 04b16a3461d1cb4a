"""Config file encodings: UTF-8 (with or without a byte order mark), UTF-16/32 with one."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from sheetsync.cli import main
from sheetsync.config.loading import load_config
from sheetsync.errors import ConfigError

TEXT = (
    "source: {type: xlsx, path: team.xlsx}\n"  # line 1
    "activity: {numbers: {calls: Calls}}\n"  # line 2
    "kpis: {calls: {kind: sum, column: calls}}\n"  # line 3
    "total_label: Wiśniewski\n"  # line 4: 'ś' is the 16th character
)


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "team.yaml"
    path.write_bytes(data)
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def test_a_cp1250_file_names_the_line_column_and_byte_and_says_to_save_as_utf8(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, TEXT.encode("cp1250"))  # 'ś' is byte 0x9C in cp1250
    assert error_of(path) == (
        f"{path}: line 4, column 16: byte 0x9C is not valid UTF-8; the config must be saved as "
        "UTF-8 (cp1250/Windows-1250 files, common in Polish Excel exports, must be re-saved as "
        "UTF-8)"
    )


def test_the_column_counts_characters_not_bytes(tmp_path: Path) -> None:
    line = "Łódź Wi".encode() + b"\x9cniewski"  # 4 two-byte letters, then a cp1250 'ś'
    path = write(tmp_path, TEXT.encode().replace("Wiśniewski".encode(), line))
    # 'total_label: ' is 13 characters, 'Łódź Wi' 7 more: the bad byte is character 21
    assert "team.yaml: line 4, column 21: byte 0x9C is not valid UTF-8" in error_of(path)


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
        codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"),
    ],
    ids=["utf-8-bom", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"],
)
def test_a_byte_order_mark_picks_the_encoding_and_is_dropped(tmp_path: Path, data: bytes) -> None:
    config = load_config(write(tmp_path, data))
    assert config.total_label == "Wiśniewski"
    assert config.source.path == tmp_path / "team.xlsx"


def test_utf16_without_a_byte_order_mark_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, TEXT.encode("utf-16-le"))
    assert error_of(path).startswith(f"{path}: holds NUL bytes, like UTF-16 text without a byte")


def test_a_byte_order_mark_followed_by_broken_text_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, codecs.BOM_UTF16_LE + b"a\x00b")  # an odd number of bytes
    assert error_of(path).startswith(
        f"{path}: starts with a UTF-16 byte order mark but is not valid UTF-16; the config must"
    )


def test_the_cli_reports_a_bad_encoding_with_exit_code_2_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, TEXT.encode("cp1250"))
    assert main(["check", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 4, column 16: byte 0x9C is not valid UTF-8" in err and "Traceback" not in err
