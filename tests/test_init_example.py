"""`sheetsync init --example`: the packaged, fully commented example config for a new user."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib.resources import files
from pathlib import Path

import openpyxl
import pytest

from sheetsync import load_config
from sheetsync.cli import main

ROOT = Path(__file__).parent.parent
PACKAGED = files("sheetsync").joinpath("data/example.yaml")


def test_the_example_is_package_data() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns: list[str] = pyproject["tool"]["setuptools"]["package-data"]["sheetsync"]
    assert any(fnmatch.fnmatch("data/example.yaml", pattern) for pattern in patterns)
    assert PACKAGED.read_bytes() == (ROOT / "sheetsync" / "data" / "example.yaml").read_bytes()


def test_init_example_writes_the_packaged_config_that_loads_and_lays_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--example"]) == 0
    written = tmp_path / "sheetsync.yaml"
    assert written.read_bytes() == PACKAGED.read_bytes()
    assert "sheetsync init --config sheetsync.yaml" in capsys.readouterr().out
    config = load_config(written)  # as it is: the workbook need not exist to load
    assert config.source.path == tmp_path / "team.xlsx"
    assert len(config.kpis) == 10 and config.kpi("win_rate").kind == "ratio"
    # The next step the message names: the input tabs, in a new workbook.
    assert main(["init", "--config", "sheetsync.yaml"]) == 0
    book = openpyxl.load_workbook(tmp_path / "team.xlsx", read_only=True)
    try:
        assert {"Rep - Example", "Goals", "Roster", "Holidays"} <= set(book.sheetnames)
    finally:
        book.close()


def test_init_example_takes_a_file_or_a_folder(tmp_path: Path) -> None:
    assert main(["init", "--example", str(tmp_path / "team.yaml")]) == 0
    assert main(["init", "--example", str(tmp_path)]) == 0
    for name in ("team.yaml", "sheetsync.yaml"):
        assert (tmp_path / name).read_bytes() == PACKAGED.read_bytes()


def test_init_example_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "sheetsync.yaml"
    mine.write_text("source: {type: xlsx, path: mine.xlsx}\n", encoding="utf-8")
    assert main(["init", "--example", str(mine)]) == 2
    assert main(["init", "--example", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"sheetsync: {mine} exists already and was left as it is" in err
    assert "sheetsync init --example PATH" in err and "Traceback" not in err
    assert mine.read_text(encoding="utf-8") == "source: {type: xlsx, path: mine.xlsx}\n"


def test_init_example_into_a_missing_folder_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--example", str(tmp_path / "no" / "such.yaml")]) == 2
    assert "cannot write the example config (No such file or directory)" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["init"], ["init", "--config", "a.yaml", "--example"]])
def test_init_wants_one_of_config_or_example(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert "--example" in capsys.readouterr().err
