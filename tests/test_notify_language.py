"""The e-mails in the team's language (`output.language`): a Polish team's digest and
scorecards say every fixed phrase, status, movement and plural in Polish and write numbers,
money, percentages and dates the Polish way, in the subject, the text part and the HTML part;
an English config still gets today's English; a team's own templates get `t()` and the
format filters; `sheetsync digest --preview` writes the Polish messages.

The team is made by hand here, and every figure below was worked out by hand, not by sheetsync.
November 2026 has 21 working days (Monday to Friday, no holidays configured); by Wednesday 18
November 13 of them have gone by, by Wednesday 11 November (the History snapshot) 8.

    Anna Nowak (Północ): goals 200 calls, 20 000 zł; rows 5.11 (25, 1 000), 16.11 (125,
        11 345,50), 17.11 (0, "brak"); so 150 calls and 12 345,50 zł.
        calls: 150/200 = 75,0%; expected 200*13/21 = 123,8; pace 150/123,8 = 121,2% (on
        track); projection 150*21/13 = 242,3. revenue: 12 345,50/20 000 = 61,7%; expected
        12 380,95; pace 99,7% (at risk: 0,85 <= pace < 1); projection 19 942,73; gap 35,45.
        On 11.11: 25 calls, pace 25/(200*8/21) = 32,8%; 1 000 zł, pace 1 000/7 619,05 = 13,1%.
        Score (2 x 0,6173 + 0,75)/3 = 66,2%; on 11.11 (2 x 0,05 + 0,125)/3 = 7,5%.
    Bartek Zieliński (Południe): goals 300 calls, 50 000 zł; rows 3.11 (91, 8 000), 4.11
        ("n/a", "?"), "jutro" (a date that is none: not counted); so 91 calls and 8 000 zł.
        calls: 30,3%; expected 185,71; pace 49,0% (behind); projection 147,0; gap 94,71.
        revenue: 16,0%; expected 30 952,38; pace 25,8%; projection 12 923,08; gap 22 952,38.
        On 11.11 (nothing new since): calls pace 91/114,29 = 79,6%, revenue 8 000/19 047,62
        = 42,0%. Score (2 x 0,16 + 0,3033)/3 = 20,8%, and 20,8% on 11.11 too: first then,
        second now (`w dół o 1`), Anna second then, first now (`w górę o 1`).
    Celina Nowa: in the log only, not in the Zespół tab (5 calls, 100 zł on 10.11).
    Razem (the total, goal 600 calls, 100 000 zł): 246 calls, 20 445,50 zł. calls: 41,0%;
        expected 371,4; pace 66,2%; projection 397,4. revenue: 20,4%; expected 61 904,76;
        pace 33,0%; projection 33 027,35. Teams' targets roll up from their one member.
    Data issues: 7, 1 error (the date `jutro`) and 6 warnings (3 cells that are not numbers,
        Celina not in the roster, Anna's and Bartek's missing quarter and year goals).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from sheetsync.cli import main
from sheetsync.config.loading import parse_config
from sheetsync.config.values import Config
from sheetsync.console import digest_lines, recipient_text
from sheetsync.demo import make_demo
from sheetsync.errors import ConfigError
from sheetsync.grids import Grid, RawValue
from sheetsync.i18n import language
from sheetsync.notify import DigestResult, Recipient, run_digest
from sheetsync.pipeline import Report, refresh
from tests.helpers import MemoryBackend, serial
from tests.test_notify_content import Page, parse, parts

NBSP = "\u00a0"
AS_OF, SNAPSHOT = date(2026, 11, 18), date(2026, 11, 11)
NOW = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)
BOSS, ANNA, BARTEK = "szef@example.com", "anna@example.com", "bartek@example.com"

CONFIG = """
source: {type: xlsx, path: zespol.xlsx}
calendar: {timezone: Europe/Warsaw}
activity:
  rep_tabs: "Handlowiec - *"
  log_tab: Dziennik
  date_column: Data
  rep_column: Handlowiec
  numbers: {calls: Telefony, revenue: Przychód}
goals: {tab: Cele, period_column: Okres, scope_column: Zakres}
roster: {tab: Zespół, rep_column: Handlowiec, email_column: E-mail, team_column: Zespół,
         active_column: Aktywny}
total_label: Razem
kpis:
  calls: {kind: sum, column: calls, label: Telefony}
  revenue: {kind: sum, column: revenue, label: Przychód, format: currency}
ranking: {period: month, weights: {revenue: 2, calls: 1}}
output: {language: LANGUAGE}
email:
  sender: kpi@example.com
  sender_name: KPI sprzedaży
  managers: [szef@example.com]
  smtp: {host: 127.0.0.1, security: none}
"""
HEADER: list[RawValue] = ["Data", "Telefony", "Przychód"]


def workbook() -> dict[str, Grid]:
    return {
        "Zespół": [["Handlowiec", "E-mail", "Zespół", "Aktywny"],
                   ["Anna Nowak", ANNA, "Północ", "tak"],
                   ["Bartek Zieliński", BARTEK, "Południe", "tak"]],
        "Cele": [["Okres", "Zakres", "Telefony", "Przychód"],
                 ["2026-11", "Anna Nowak", 200, 20000],
                 ["2026-11", "Bartek Zieliński", 300, 50000],
                 ["2026-11", "Razem", 600, 100000]],
        "Handlowiec - Anna Nowak": [HEADER, [serial("2026-11-05"), 25, 1000],
                                    [serial("2026-11-16"), 125, 11345.5],
                                    [serial("2026-11-17"), 0, "brak"]],
        "Handlowiec - Bartek Zieliński": [HEADER, [serial("2026-11-03"), 91, 8000],
                                          [serial("2026-11-04"), "n/a", "?"],
                                          ["jutro", 10, 500]],
        "Dziennik": [["Handlowiec", *HEADER], ["Celina Nowa", serial("2026-11-10"), 5, 100]],
    }  # fmt: skip


def team_config(folder: Path, language: str = "pl", **email: str) -> Config:
    text = CONFIG.replace("LANGUAGE", language)
    text += "".join(f"  {key}: {value}\n" for key, value in email.items())
    return parse_config(text, folder / "sheetsync.yaml")


def team_report(cfg: Config) -> Report:
    """The refresh as of AS_OF, after a History snapshot on SNAPSHOT."""
    backend = MemoryBackend(workbook())
    refresh(cfg, as_of=SNAPSHOT, backend=backend, snapshot=True)
    return refresh(cfg, as_of=AS_OF, dry_run=True, backend=backend)


def messages(folder: Path, language: str = "pl", **email: str) -> dict[str, EmailMessage]:
    """The preview's messages by address."""
    cfg = team_config(folder, language, **email)
    report = team_report(cfg)
    result = run_digest(cfg, report, report.roster, now=NOW, preview=folder / "out")
    found = {}
    for path in result.previews:
        message = parse(path)
        found[message["To"].addresses[0].addr_spec] = message
    return found


def nb(text: str) -> str:
    """Polish digits grouped by U+00A0, written here with a plain space: `20 445,50`."""
    return re.sub(r"(?<=\d) (?=\d{3}(?!\d))", NBSP, text)


class Cells(Page):
    """An HTML part's tables, keeping the no-break spaces (Page folds them like spaces)."""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join(re.split(r"[ \t\r\n]+", "".join(self._cell).strip())))
            self._cell = None
        else:
            super().handle_endtag(tag)


# ---------------------------------------------------------------------------------------------
# The Polish team digest


@pytest.fixture(scope="module")
def polish(tmp_path_factory: pytest.TempPathFactory) -> dict[str, EmailMessage]:
    return messages(tmp_path_factory.mktemp("pl"))


def test_the_polish_digest_subject_and_headline(polish: dict[str, EmailMessage]) -> None:
    digest = polish[BOSS]
    assert digest["Subject"] == "Podsumowanie sprzedaży, stan na 18.11.2026"
    assert digest["From"].addresses[0].display_name == "KPI sprzedaży"
    plain = parts(digest)[0]
    assert plain.startswith("Podsumowanie sprzedaży, stan na 18.11.2026\nSkoroszyt: memory\n")
    headline = nb(
        "NAJWAŻNIEJSZE: Razem\n\n"
        "Bieżący miesiąc (2026-11)\n"
        "  - Telefony: 246 z 600 (41,0%); oczekiwane 371, tempo 66,2%, prognoza 397; "
        "Poniżej planu\n"
        "  - Przychód: 20 445,50 zł z 100 000,00 zł (20,4%); oczekiwane 61 904,76 zł, "
        "tempo 33,0%, prognoza 33 027,35 zł; Poniżej planu\n\n"
        "Bieżący kwartał (2026-Q4)\n"
        "  - Telefony: 246\n"
        "  - Przychód: 20 445,50 zł\n"
    )
    assert headline in plain
    assert "20 445,50" not in plain  # never a breakable space inside a number


def test_the_polish_digest_ranking_laggards_and_team_goals(polish: dict[str, EmailMessage]) -> None:
    plain = parts(polish[BOSS])[0]
    assert (
        "RANKING w tym miesiącu (2026-11)\n"
        "  1. Anna Nowak (Północ): 66,2%, w górę o 1\n"
        "  2. Bartek Zieliński (Południe): 20,8%, w dół o 1\n"
    ) in plain
    behind = nb(
        "PONIŻEJ PLANU LUB ZAGROŻENI W TYM MIESIĄCU\n"
        "  - Bartek Zieliński, Przychód: 8 000,00 zł wobec oczekiwanych 30 952,38 zł, "
        "brakuje 22 952,38 zł; tempo 25,8%; Poniżej planu\n"
        "  - Bartek Zieliński, Telefony: 91 wobec oczekiwanych 186, brakuje 95; tempo 49,0%; "
        "Poniżej planu\n"
        "  - Anna Nowak, Przychód: 12 345,50 zł wobec oczekiwanych 12 380,95 zł, "
        "brakuje 35,45 zł; tempo 99,7%; Zagrożony\n"
    )
    assert behind in plain
    goals = nb(
        "ZAGROŻONE CELE ZESPOŁU\n"
        "  - Południe, 2026-11, Przychód: 8 000,00 zł z 50 000,00 zł, tempo 25,8%, "
        "prognoza 12 923,08 zł; Poniżej planu\n"
        "  - Razem, 2026-11, Przychód: 20 445,50 zł z 100 000,00 zł, tempo 33,0%, "
        "prognoza 33 027,35 zł; Poniżej planu\n"
        "  - Południe, 2026-11, Telefony: 91 z 300, tempo 49,0%, prognoza 147; Poniżej planu\n"
        "  - Razem, 2026-11, Telefony: 246 z 600, tempo 66,2%, prognoza 397; Poniżej planu\n"
        "  - Północ, 2026-11, Przychód: 12 345,50 zł z 20 000,00 zł, tempo 99,7%, "
        "prognoza 19 942,73 zł; Zagrożony\n"
    )
    assert goals in plain


def test_the_polish_digest_counts_data_issues_with_polish_plurals(
    polish: dict[str, EmailMessage],
) -> None:
    plain = parts(polish[BOSS])[0]
    assert (
        "DANE DO POPRAWIENIA\n"
        "  7 problemów: 1 błąd, 6 ostrzeżeń\n"
        "  - Handlowiec - Bartek Zieliński: 1 błąd, 2 ostrzeżenia\n"
        "  - Cele: 0 błędów, 2 ostrzeżenia\n"
        "  - Dziennik: 0 błędów, 1 ostrzeżenie\n"
        "  - Handlowiec - Anna Nowak: 0 błędów, 1 ostrzeżenie\n"
        "  Pierwsze z nich:\n"
        "  - Handlowiec - Bartek Zieliński!A4: "
    ) in plain
    assert "  ... i jeszcze 2 problemy w arkuszu Problemy z danymi.\n" in plain
    assert plain.endswith("\n--\nWysłane przez sheetsync.\n")
    page = Cells(parts(polish[BOSS])[1])
    assert page.rows("issue-tabs")[0] == ["Handlowiec - Bartek Zieliński", "1", "2"]
    assert [row[0] for row in page.rows("issues")] == ["błąd"] + ["ostrzeżenie"] * 4
    assert page.tables["issues"][0] == ["Waga", "Gdzie", "Problem", "Wartość"]
    visible = page.visible()
    assert "7 problemów: 1 błąd, 6 ostrzeżeń." in visible
    assert "... i jeszcze 2 problemy w arkuszu Problemy z danymi." in visible


def test_the_polish_digest_html_part(polish: dict[str, EmailMessage]) -> None:
    html = parts(polish[BOSS])[1]
    assert '<html lang="pl">' in html
    assert "<title>Podsumowanie sprzedaży, stan na 18.11.2026</title>" in html
    page = Cells(html)
    assert page.tables["headline-month"][0] == [
        "KPI", "Wykonanie", "Plan", "Realizacja", "Oczekiwane", "Tempo", "Prognoza", "Status",
    ]  # fmt: skip
    assert page.rows("headline-month") == [
        ["Telefony", "246", "600", "41,0%", "371", "66,2%", "397", "Poniżej planu"],
        [nb(cell) for cell in ["Przychód", "20 445,50 zł", "100 000,00 zł", "20,4%",
                               "61 904,76 zł", "33,0%", "33 027,35 zł", "Poniżej planu"]],
    ]  # fmt: skip
    assert page.rows("ranking") == [
        ["1", "Anna Nowak", "Północ", "66,2%", "w górę o 1"],
        ["2", "Bartek Zieliński", "Południe", "20,8%", "w dół o 1"],
    ]
    assert page.tables["behind"][0][4] == "Brakuje"
    assert page.rows("behind")[2] == [
        "Anna Nowak", "Przychód", nb("12 345,50 zł"), nb("12 380,95 zł"), "35,45 zł", "99,7%",
        "Zagrożony",
    ]  # fmt: skip
    visible = page.visible()
    for heading in ("Najważniejsze: Razem", "Bieżący miesiąc (2026-11)",
                    "Ranking w tym miesiącu (2026-11)", "Poniżej planu lub zagrożeni w tym "
                    "miesiącu", "Zagrożone cele zespołu", "Dane do poprawienia",
                    "Wysłane przez sheetsync. Skoroszyt: memory"):  # fmt: skip
        assert heading in visible
    # the colour still follows the status, whatever its word
    assert re.search(r'<span style="color:#7a4b00;[^"]*">Zagrożony</span>', html)
    assert re.search(r'<span style="color:#a3120c;[^"]*">Poniżej planu</span>', html)


# ---------------------------------------------------------------------------------------------
# Polish scorecards

ANNA_TEXT = """\
Twoja karta wyników, stan na 18.11.2026

Dzień dobry, Anna Nowak! Oto Twoje wyniki względem celów (Północ).


Bieżący miesiąc (2026-11)
  - Telefony: 150 z 200 (75,0%), tempo 121,2%, prognoza 242; Zgodnie z planem
  - Przychód: 12 345,50 zł z 20 000,00 zł (61,7%), tempo 99,7%, prognoza 19 942,73 zł; Zagrożony


Zmiana od 11.11.2026
  - Telefony (2026-11): 25 wtedy, 150 teraz; tempo 32,8% wtedy, 121,2% teraz
  - Przychód (2026-11): 1 000,00 zł wtedy, 12 345,50 zł teraz; tempo 13,1% wtedy, 99,7% teraz


Ranking w tym miesiącu (2026-11)
Zajmujesz miejsce 1 z 2, wynik 66,2% (w górę o 1).
  1. Anna Nowak
  2. Bartek Zieliński

--
Wysłane przez sheetsync. Skoroszyt: memory
"""


def test_a_polish_scorecard_text_part_is_the_hand_written_one(
    polish: dict[str, EmailMessage],
) -> None:
    anna = polish[ANNA]
    assert anna["Subject"] == "Twoja karta wyników, stan na 18.11.2026"
    assert parts(anna)[0] == nb(ANNA_TEXT)
    bartek = parts(polish[BARTEK])[0]
    assert "Zajmujesz miejsce 2 z 2, wynik 20,8% (w dół o 1)." in bartek
    assert nb("  - Przychód: 8 000,00 zł z 50 000,00 zł (16,0%), tempo 25,8%, "
              "prognoza 12 923,08 zł; Poniżej planu") in bartek  # fmt: skip
    assert "  - Telefony (2026-11): 91 wtedy, 91 teraz; tempo 79,6% wtedy, 49,0% teraz" in bartek


def test_a_polish_scorecard_html_part(polish: dict[str, EmailMessage]) -> None:
    html = parts(polish[ANNA])[1]
    assert '<html lang="pl">' in html
    page = Cells(html)
    assert page.tables["month"][0] == [
        "KPI", "Wykonanie", "Plan", "Realizacja", "Tempo", "Prognoza", "Status",
    ]  # fmt: skip
    assert page.rows("month") == [
        ["Telefony", "150", "200", "75,0%", "121,2%", "242", "Zgodnie z planem"],
        ["Przychód", nb("12 345,50 zł"), nb("20 000,00 zł"), "61,7%", "99,7%",
         nb("19 942,73 zł"), "Zagrożony"],
    ]  # fmt: skip
    assert page.tables["trend"][0] == [
        "KPI", "Okres", "Wykonanie wtedy", "Wykonanie teraz", "Tempo wtedy", "Tempo teraz",
    ]  # fmt: skip
    assert page.rows("trend")[1] == [
        "Przychód", "2026-11", nb("1 000,00 zł"), nb("12 345,50 zł"), "13,1%", "99,7%",
    ]  # fmt: skip
    assert page.tables["ranking"] == [["Miejsce", "Handlowiec"], ["1", "Anna Nowak"],
                                      ["2", "Bartek Zieliński"]]  # fmt: skip
    assert ('<p id="own-rank">Zajmujesz miejsce <strong>1</strong> z 2, wynik 66,2% '
            "(w górę o 1).</p>") in html  # fmt: skip
    visible = page.visible()
    assert "Dzień dobry, Anna Nowak! Oto Twoje wyniki względem celów (Północ)." in visible
    assert "Zmiana od 11.11.2026" in visible


def test_a_polish_rep_without_goals_is_told_where_to_ask_for_them(tmp_path: Path) -> None:
    cfg = team_config(tmp_path)
    report = team_report(cfg)
    roster = report.roster.copy()
    roster.loc[len(roster)] = {"rep": "Celina Nowa", "email": "celina@example.com",
                               "team": "", "active": True}  # fmt: skip
    result = run_digest(cfg, report, roster, now=NOW, preview=tmp_path / "out")
    path = next(p for p in result.previews if "celina" in p.name)
    plain, html = parts(parse(path))
    assert "Dzień dobry, Celina Nowa! Oto Twoje wyniki względem celów.\n" in plain
    assert ("Nie masz jeszcze ustawionych celów: poproś kierownika o dodanie ich w arkuszu "
            "Cele.") in plain  # fmt: skip
    assert "Ranking w tym miesiącu (2026-11)\n  1. Anna Nowak\n" in plain  # (she is not in it)
    assert "Nie masz jeszcze ustawionych celów" in Page(html).visible()


# ---------------------------------------------------------------------------------------------
# English stays as it was

ANNA_ENGLISH = """\
Your scorecard, as of 2026-11-18

Hi Anna Nowak, here is where you stand against your goals (Północ).


This month (2026-11)
  - Telefony: 150 of 200 (75.0%), pace 121.2%, projected 242; On track
  - Przychód: $12,346 of $20,000 (61.7%), pace 99.7%, projected $19,943; At risk


Since 2026-11-11
  - Telefony (2026-11): 25 then, 150 now; pace 32.8% then, 121.2% now
  - Przychód (2026-11): $1,000 then, $12,346 now; pace 13.1% then, 99.7% now


Ranking: this month (2026-11)
You are number 1 of 2, score 66.2% (up 1).
  1. Anna Nowak
  2. Bartek Zieliński

--
Sent by sheetsync. Workbook: memory
"""


def test_the_same_team_in_english_gets_todays_english(tmp_path: Path) -> None:
    sent = messages(tmp_path, "en")
    assert sent[ANNA]["Subject"] == "Your scorecard, as of 2026-11-18"
    assert parts(sent[ANNA])[0] == ANNA_ENGLISH
    digest, html = parts(sent[BOSS])
    assert sent[BOSS]["Subject"] == "Sales digest, as of 2026-11-18"
    assert "  7 issues: 1 error, 6 warnings\n" in digest
    assert "  - Cele: 0 errors, 2 warnings\n" in digest
    assert "  - Dziennik: 0 errors, 1 warning\n" in digest
    assert "  ... and 2 more in the Data issues tab.\n" in digest
    assert "HEADLINE: Razem\n" in digest and "BEHIND OR AT RISK THIS MONTH\n" in digest
    assert '<html lang="en">' in html
    assert Cells(html).tables["issues"][0] == ["Severity", "Where", "Problem", "Value"]


# ---------------------------------------------------------------------------------------------
# A team's own templates


def test_own_templates_get_t_and_the_format_filters(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "scorecard_subject.txt").write_text(
        '{{ t("email.card.title", date=as_of) }} | {{ t("issue", count=22) }} | '
        '{{ 1234.5|money }} | {{ 0.961|percent }} | {{ 1234567|number }} | '
        '{{ "2026-11-27"|date }} | {{ heading("email.ranking.heading", when="w tym '
        'miesiącu", period="2026-11") }}\n', encoding="utf-8")  # fmt: skip
    (folder / "scorecard.html").write_text(
        "<p>{{ t('email.card.greeting', rep=rep) }}</p>\n", encoding="utf-8"
    )
    (folder / "team_digest.txt").write_text("Stan na {{ as_of }}: {{ total }}\n", "utf-8")
    sent = messages(tmp_path, templates="mail")
    assert sent[ANNA]["Subject"] == nb(
        "Twoja karta wyników, stan na 18.11.2026 | 22 problemy | 1 234,50 zł | 96,1% | "
        "1 234 567 | 27.11.2026 | RANKING w tym miesiącu (2026-11)"
    )
    assert parts(sent[ANNA])[1] == (
        "<p>Dzień dobry, Anna Nowak! Oto Twoje wyniki względem celów.</p>\n"
    )
    assert parts(sent[ANNA])[0].startswith("Twoja karta wyników")  # the built-in text part
    assert parts(sent[BOSS])[0] == "Stan na 18.11.2026: Razem\n"  # a template of its own words


def test_phrases_and_their_fields_are_escaped_in_html(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "scorecard.html").write_text(
        '{% set bold %}<b>{{ rep }}</b>{% endset %}'
        '<p>{{ t("email.card.greeting", rep="<i>" ~ rep) }}</p>'
        '<p>{{ t("email.card.greeting", rep=bold) }}</p>\n', encoding="utf-8")  # fmt: skip
    html = parts(messages(tmp_path, templates="mail")[ANNA])[1]
    assert html == (
        "<p>Dzień dobry, &lt;i&gt;Anna Nowak! Oto Twoje wyniki względem celów.</p>"
        "<p>Dzień dobry, <b>Anna Nowak</b>! Oto Twoje wyniki względem celów.</p>\n"
    )


@pytest.mark.parametrize(
    ("template", "problem"),
    [('{{ t("email.no_such_phrase") }}', r"scorecard\.html: no phrase 'email\.no_such_phrase'"),
     ('{{ t("issue") }}', r"scorecard\.html: issue is a plural phrase: give count="),
     ('{{ t("email.card.greeting") }}', r"scorecard\.html: email\.card\.greeting: the phrase "
                                        r"needs the field 'rep'"),
     ("{{ rep|money }}", r"scorecard\.html: money: expected a number, got 'Anna Nowak'")],
)  # fmt: skip
def test_a_wrong_phrase_or_filter_stops_the_run_naming_the_template(
    tmp_path: Path, template: str, problem: str
) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "scorecard.html").write_text(template, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        messages(tmp_path, templates="mail")
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------------------
# The command line


def test_digest_preview_writes_the_polish_messages_and_says_so_in_polish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_demo(tmp_path / "demo", date(2026, 11, 26))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("output:\n", "output:\n  language: pl\n"), encoding="utf-8")
    out = tmp_path / "mail"
    assert main(["digest", "--config", str(path), "--as-of", "2026-11-26",
                 "--preview", str(out)]) == 0  # fmt: skip
    # the manager and the 9 active reps with an address
    assert capsys.readouterr().out == f"zapisano 10 wiadomości w {out}; nic nie wysłano\n"
    digest = parse(next(out.glob("*-team_digest-manager@example.com.eml")))
    assert digest["Subject"] == "Podsumowanie sprzedaży, stan na 26.11.2026"
    plain, html = parts(digest)
    assert "NAJWAŻNIEJSZE: Total" in plain and "DANE DO POPRAWIENIA" in plain
    assert '<html lang="pl">' in html and "Bieżący miesiąc (2026-11)" in Page(html).visible()
    card = parse(next(out.glob("*-scorecard-anna.nowak@example.com.eml")))
    assert card["Subject"] == "Twoja karta wyników, stan na 26.11.2026"
    assert "Dzień dobry, Anna Nowak! Oto Twoje wyniki względem celów (North)." in parts(card)[0]


def test_the_digest_command_lines_in_english_and_polish() -> None:
    card = Recipient("scorecard", ANNA, "Anna Nowak")
    result = DigestResult("2026-W47", sent=[Recipient("team_digest", BOSS)],
                          skipped=[card, card], refused={BARTEK: "550 no such mailbox"},
                          unconfirmed=[card])  # fmt: skip
    assert digest_lines(result, language("en")) == [
        "sent 1 message; 2 already sent this period; 1 refused",
        f"  refused {BARTEK}: 550 no such mailbox",
        f"  not sent again (a run stopped while sending it): scorecard of Anna Nowak to {ANNA}",
    ]
    assert [recipient_text(r, language("en")) for r in (card, result.sent[0])] == [
        str(card), str(result.sent[0]),
    ]  # fmt: skip
    assert digest_lines(result, language("pl")) == [
        "wysłano 1 wiadomość; wysłane już w tym okresie: 2; odrzucone: 1",
        f"  odrzucono {BARTEK}: 550 no such mailbox",
        "  nie wysłano ponownie (przebieg przerwano w trakcie wysyłki): karta wyników "
        f"(Anna Nowak) do {ANNA}",
    ]
