"""The `sheetsync` command as a user runs it: exit codes, messages, never a traceback."""

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from sheetsync.cli import main
from sheetsync.demo import make_demo
from tests.helpers import with_extra

AS_OF = "2026-11-26"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    from datetime import date

    return make_demo(tmp_path / "demo", date.fromisoformat(AS_OF))


def test_demo_command_makes_and_refreshes_a_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", str(tmp_path / "d"), "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert "Demo workbook:" in out and "Top of the ranking: 1." in out
    assert "Rep - Anna Nowak!B5: expected a number, got 'n/a'" in out
    assert "Summary" in openpyxl.load_workbook(tmp_path / "d" / "demo-team.xlsx").sheetnames


def test_demo_brief_shows_movement_and_change_since_the_week_before(tmp_path: Path) -> None:
    assert main(["demo", str(tmp_path / "d"), "--as-of", AS_OF]) == 0
    book = openpyxl.load_workbook(tmp_path / "d" / "demo-team.xlsx")
    history_days = {row[0] for row in book["KPI history"].iter_rows(min_row=2, values_only=True)}
    assert {day.date().isoformat() for day in history_days} == {"2026-11-19", AS_OF}
    brief = [row[0] for row in book["Meeting brief"].iter_rows(values_only=True) if row[0]]
    assert brief[0] == f"Team meeting brief, as of {AS_OF}"
    assert "Change since 2026-11-19 (from History)" in brief
    assert any(str(line).startswith("Most improved since 2026-11-19") for line in brief)
    ranking = [row[4] for row in book["Ranking"].iter_rows(min_row=2, values_only=True)]
    assert {"same", "up 2"} <= set(ranking)  # the Movement column


def test_refresh_snapshot_three_times_a_day_keeps_one_day(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(3):
        assert main(["refresh", "--config", str(demo), "--as-of", AS_OF, "--snapshot"]) == 0
    assert "and a snapshot of 504 rows to 'KPI history'" in capsys.readouterr().out
    sheet = openpyxl.load_workbook(demo.parent / "demo-team.xlsx")["KPI history"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # 4 periods x (10 reps + Jon Smyth, not in the roster + 2 teams + the total) x 9 KPIs
    assert len(rows) == 504 and {row[0].date().isoformat() for row in rows} == {AS_OF}
    config = demo.parent / "off.yaml"
    config.write_text(demo.read_text().replace("history: KPI history", "history: false"))
    assert main(["refresh", "--config", str(config), "--snapshot"]) == 2
    assert "output.history: --snapshot needs the History tab" in capsys.readouterr().err


def test_refresh_dry_run_shows_the_plan_and_writes_nothing(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = demo.parent / "demo-team.xlsx"
    before = workbook.read_bytes()
    assert main(["refresh", "--config", str(demo), "--as-of", AS_OF, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "== Rep KPIs:" in out and "would write 6 tabs" in out
    assert workbook.read_bytes() == before


def test_refresh_strict_and_check_exit_3_on_data_issues(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["refresh", "--config", str(demo), "--as-of", AS_OF, "--strict"]) == 3
    assert "--strict: 8 data issues, nothing was written" in capsys.readouterr().err
    assert main(["check", "--config", str(demo), "--as-of", AS_OF]) == 3
    assert "config ok:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("setup", "code", "message"),
    [
        ("calendar: {timezone: Nowhere/Town}\n", 2, "calendar.timezone: unknown time zone"),
        ("", 4, "team.xlsx: workbook not found"),
    ],
)
def test_user_mistakes_get_a_message_and_an_exit_code_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str, code: int, message: str
) -> None:
    config = tmp_path / "sheetsync.yaml"
    config.write_text(with_extra(setup))
    assert main(["refresh", "--config", str(config)]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["refresh", "--config", "x.yaml", "--as-of", "26/11/2026"])
    assert exit_.value.code == 2
    assert "expected a date as YYYY-MM-DD" in capsys.readouterr().err


def test_the_console_script_runs_as_a_module(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sheetsync", "demo", str(tmp_path / "m"), "--as-of", AS_OF],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Refresh it again with: sheetsync refresh --config" in done.stdout
