"""Preview and recipients: one parseable message per recipient and nothing recorded, who gets
none, the link, the period a message belongs to, and templates replaced from a folder."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sheetsync.cli import main
from sheetsync.config.values import SourceConfig
from sheetsync.demo import make_demo
from sheetsync.errors import ConfigError, UsageError
from sheetsync.notify import run_digest
from sheetsync.notify.digest import spreadsheet_link
from sheetsync.notify.ledger import ledger_path, period_key
from tests.test_notify_content import Page, parts, preview
from tests.test_notify_workbook import (
    AS_OF,
    MANAGERS,
    NOW,
    SCORECARD_REPS,
    email_config,
    team_report,
)

# ---------------------------------------------------------------------------------------------
# Preview, recipients, links, periods


def test_preview_writes_one_message_per_recipient_and_records_nothing(tmp_path: Path) -> None:
    sent = preview(tmp_path)
    expected = {("team_digest", m) for m in MANAGERS}
    expected |= {("scorecard", a) for a in SCORECARD_REPS.values()}  # Cleo: no e-mail; Dan:
    assert set(sent.messages) == expected  # inactive; Eve: not an address
    assert sent.result.refused == {"eve-at-example.com": "not an e-mail address (Roster, Eve Bad)"}
    assert sent.result.sent == [] and sent.result.period == "2026-W47"
    for (kind, address), message in sent.messages.items():
        parts(message)
        assert message["From"] == "Sales KPIs <kpi@example.com>"
        assert message["To"].addresses[0].addr_spec == address
        assert message["Message-ID"] and message["Date"].datetime == NOW
        subject = "Sales digest" if kind == "team_digest" else "Your scorecard"
        assert message["Subject"] == f"{subject}, as of 2026-11-18"
    ids = {message["Message-ID"] for message in sent.messages.values()}
    assert len(ids) == len(sent.messages)
    assert not ledger_path(email_config(tmp_path)).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_without_scorecards_only_the_managers_get_a_message(tmp_path: Path) -> None:
    sent = preview(tmp_path, scorecards=False)
    assert set(sent.messages) == {("team_digest", m) for m in MANAGERS}


def test_a_non_ascii_manager_address_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"email\.managers\[0\]: 'zoë@example\.com': only ASCII "
                       "addresses are supported"):  # fmt: skip
        preview(tmp_path, scorecards=False, managers=["zoë@example.com", MANAGERS[0]])


def test_an_address_two_reps_share_gets_no_scorecard(tmp_path: Path) -> None:
    cfg = email_config(tmp_path)
    report = team_report(cfg)
    roster = report.roster.copy()
    roster.loc[roster["rep"] == "Ben Carter", "email"] = "ANNA@example.com"
    result = run_digest(cfg, report, roster, now=NOW, preview=tmp_path / "out")
    names = sorted(p.name for p in result.previews if "scorecard" in p.name)
    assert names == ["2026-W47-scorecard-script@example.com.eml"]
    assert "more than one rep (Anna Nowak, Ben Carter)" in result.refused["anna@example.com"]


def test_a_preview_that_stops_part_way_says_how_many_files_it_wrote_and_where(
    tmp_path: Path,
) -> None:
    cfg = email_config(tmp_path)
    report = team_report(cfg)
    more = pd.DataFrame({"rep": [f"Rep {n:02d}" for n in range(1, 26)],
                         "email": [f"rep{n:02d}@example.com" for n in range(1, 26)],
                         "team": "North", "active": True})  # fmt: skip
    roster = pd.concat([report.roster, more], ignore_index=True)
    out = tmp_path / "out"  # 2 managers, 3 reps, then Rep 01 to 25: Rep 17's is the 22nd
    (out / "2026-W47-scorecard-rep17@example.com.eml").mkdir(parents=True)
    with pytest.raises(UsageError) as stopped:
        run_digest(cfg, report, roster, now=NOW, preview=out)
    assert str(stopped.value) == (
        f"digest --preview stopped: {out}/2026-W47-scorecard-rep17@example.com.eml cannot be "
        f"written (Is a directory); 21 of 30 messages were written in {out} before it, nothing "
        "was sent"
    )
    assert len([path for path in out.iterdir() if path.is_file()]) == 21  # and no part-file
    assert (out / "2026-W47-scorecard-rep16@example.com.eml").is_file()


def test_the_command_says_how_many_previews_it_wrote_when_it_stops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_demo(tmp_path / "demo", date(2026, 11, 26))
    out = tmp_path / "mail"
    (out / "2026-W48-scorecard-farid.haddad@example.com.eml").mkdir(parents=True)  # the 6th
    assert main(["digest", "--config", str(path), "--as-of", "2026-11-26",
                 "--preview", str(out)]) == 2  # fmt: skip
    assert capsys.readouterr().err == (
        f"sheetsync: digest --preview stopped: {out}/2026-W48-scorecard-farid.haddad@example.com"
        f".eml cannot be written (Is a directory); 5 of 10 messages were written in {out} "
        "before it, nothing was sent\n"
    )


def test_there_is_no_digest_without_an_email_section(tmp_path: Path) -> None:
    cfg = email_config(tmp_path)
    report = team_report(cfg)
    with pytest.raises(ConfigError, match=r"email: there is no email section"):
        run_digest(dataclasses.replace(cfg, email=None), report, report.roster, now=NOW,
                   preview=tmp_path)  # fmt: skip


def test_the_link_is_the_configured_one_the_google_url_or_the_workbook(tmp_path: Path) -> None:
    cfg = email_config(tmp_path)
    report = team_report(cfg)
    assert spreadsheet_link(cfg, report).text == "memory"  # facts.written_to
    assert spreadsheet_link(cfg, report).url is None
    url = "https://docs.google.com/spreadsheets/d/1AbC-dEf_123/edit#gid=0"
    google = dataclasses.replace(cfg, source=SourceConfig(type="google", spreadsheet=url))
    link = spreadsheet_link(google, report)
    assert link.url == link.text == "https://docs.google.com/spreadsheets/d/1AbC-dEf_123"
    linked = email_config(tmp_path, link="https://intranet.example.com/kpis")
    assert spreadsheet_link(linked, report).url == "https://intranet.example.com/kpis"
    html = parts(preview(tmp_path, link="https://intranet.example.com/kpis").messages[
        ("team_digest", MANAGERS[0])])[1]  # fmt: skip
    assert '<a href="https://intranet.example.com/kpis"' in html


@pytest.mark.parametrize(
    ("schedule", "period"),
    [("weekly on monday at 07:00", "2026-W47"), ("monthly on 1 at 07:00", "2026-11"),
     ("daily at 07:00", "2026-11-18"), (False, "2026-W47")],
)  # fmt: skip
def test_the_period_of_a_message_follows_the_schedule(
    tmp_path: Path, schedule: str | bool, period: str
) -> None:
    email = email_config(tmp_path, schedule=schedule).email
    assert email is not None and period_key(email, AS_OF) == period


# ---------------------------------------------------------------------------------------------
# Templates from a folder


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


CUSTOM_CARD = ("<p>Card for {{ rep }}: {% for t in periods %}{% for l in t.rows %}"
               "{{ l.kpi }}={{ l.actual }};{% endfor %}{% endfor %}</p>")  # fmt: skip


def test_a_template_in_the_configured_folder_replaces_the_built_in_one(tmp_path: Path) -> None:
    write(tmp_path / "mail", {"scorecard.html": CUSTOM_CARD,
                              "team_digest_subject.txt": "Numbers for {{ as_of }}\n"})  # fmt: skip
    sent = preview(tmp_path, templates="mail")
    anna = sent.messages[("scorecard", "anna@example.com")]
    plain, html = parts(anna)
    assert html.strip() == "<p>Card for Anna Nowak: Calls=21;Revenue=$1,234;Calls=101;" \
                           "Revenue=$7,334;</p>"  # fmt: skip
    assert "This week (2026-W47)" in plain  # the built-in text part
    script = parts(sent.messages[("scorecard", "script@example.com")])[1]
    assert script.startswith("<p>Card for &lt;script&gt;alert(1)&lt;/script&gt;:")
    digest = sent.messages[("team_digest", MANAGERS[0])]
    assert digest["Subject"] == "Numbers for 2026-11-18"
    assert "headline-month" in Page(parts(digest)[1]).tables  # the built-in HTML


@pytest.mark.parametrize(
    ("files", "problem"),
    [({"scorecard.html": "{{ rep }} {{ nonsense }}"}, r"scorecard\.html: 'nonsense' is undefined"),
     ({"team_digest.txt": "{% for x in %}"}, r"team_digest\.txt: line 1: "),
     ({}, r"email\.templates: .*missing is not a folder")],
)  # fmt: skip
def test_a_broken_template_or_folder_stops_the_run_before_anything_is_written(
    tmp_path: Path, files: dict[str, str], problem: str
) -> None:
    folder = write(tmp_path / "mail", files) if files else tmp_path / "missing"
    cfg = email_config(tmp_path, templates=folder.name)
    report = team_report(cfg)
    with pytest.raises(ConfigError, match=problem):
        run_digest(cfg, report, report.roster, now=NOW, preview=tmp_path / "out")
    assert not (tmp_path / "out").exists()
