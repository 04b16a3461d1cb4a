"""What the command line prints: --json matches the tabs, --quiet prints nothing, a terminal
sees the stages, check and --dry-run do not claim anything was written, plurals are right."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from sheetsync.cli import main
from sheetsync.console import Progress
from sheetsync.demo import make_demo
from sheetsync.i18n import language

AS_OF = "2026-11-26"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_demo(tmp_path / "demo", date.fromisoformat(AS_OF))


def test_json_output_parses_and_matches_the_tabs(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["refresh", "--config", str(demo), "--as-of", AS_OF, "--json"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out)
    assert set(report) >= {"written", "as_of", "periods", "rows", "api_calls", "timings",
                           "headline", "ranking", "issues", "destination"}  # fmt: skip
    assert report["written"] is True and report["as_of"] == AS_OF
    assert report["periods"] == {"week": "2026-W48", "month": "2026-11", "quarter": "2026-Q4",
                                 "year": "2026"}  # fmt: skip
    book = openpyxl.load_workbook(demo.parent / "demo-team.xlsx")
    ranking = [row for row in book["Ranking"].iter_rows(min_row=2, values_only=True)]
    assert [(r["rank"], r["rep"]) for r in report["ranking"]] == [(r[0], r[1]) for r in ranking]
    rep_kpis = {
        (row[0], row[3]): row[4]
        for row in book["Rep KPIs"].iter_rows(min_row=2, values_only=True)
        if row[1] == "total"
    }
    labels = {entry["label"] for entry in report["headline"]}
    assert "Calls" in labels
    for entry in report["headline"]:
        assert rep_kpis[(entry["period"], entry["label"])] == pytest.approx(entry["actual"])
    issues = list(book["Data issues"].iter_rows(min_row=2, values_only=True))
    assert len(report["issues"]) == len(issues)
    status = {row[0]: row[1] for row in book["Sync status"].iter_rows(values_only=True)}
    assert report["rows"]["read"] == status["Rows read"]


def test_quiet_prints_nothing_and_stages_show_only_on_a_terminal(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["refresh", "--config", str(demo), "--as-of", AS_OF, "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = Terminal()
    progress = Progress(shown)
    for stage in ("read", "sync", "kpi", "report", "write"):
        progress(stage)
    progress.done()
    assert "sheetsync: read..." in shown.getvalue() and "write..." in shown.getvalue()
    silent = io.StringIO()  # a pipe or a file: nothing
    Progress(silent)("read")
    assert silent.getvalue() == ""


def test_check_and_dry_run_do_not_claim_the_issues_were_written(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "--config", str(demo), "--as-of", AS_OF])
    out = capsys.readouterr().out
    assert "14 data issues (not written anywhere: nothing was written)" in out
    assert "in the Data issues tab" not in out
    main(["refresh", "--config", str(demo), "--as-of", AS_OF, "--dry-run"])
    assert "in the Data issues tab" not in capsys.readouterr().out
    main(["refresh", "--config", str(demo), "--as-of", AS_OF])
    assert "14 data issues (all of them are in the Data issues tab)" in capsys.readouterr().out


def test_plurals() -> None:
    english = language("en")
    assert english.plural(1, "cli.issues") == "1 data issue"
    assert english.plural(0, "cli.issues") == "0 data issues"
    assert english.plural(2_355, "cli.issues") == "2,355 data issues"
