"""What the e-mails say: every number equals the figures worked out by hand, a rep sees only
their own numbers, and HTML is escaped. Also the readers of a message (Page, parts, preview)
that test_notify_preview uses."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from sheetsync.notify import DigestResult, run_digest
from tests.test_notify_workbook import (
    AS_OF,
    GOALS,
    MANAGERS,
    NOW,
    PERIODS,
    ROWS,
    SCORECARD_REPS,
    SCRIPT,
    SNAPSHOT_DAY,
    TEAMS,
    Figures,
    email_config,
    figures,
    rep_figures,
    score,
    team_report,
)

# ---------------------------------------------------------------------------------------------
# Reading the messages


class Page(HTMLParser):
    """An HTML part: its visible text, its start tags, and each table's rows of cell texts
    (by the table's id)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "table":
            self._table = dict(attrs).get("id") or f"table {len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = []
            self.tables[self._table].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = self._row = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())

    def rows(self, table: str) -> list[list[str]]:
        """The table's data rows (without its header row)."""
        return self.tables[table][1:]


def parse(path: Path) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of a multipart/alternative message."""
    assert message.get_content_type() == "multipart/alternative"
    types = [part.get_content_type() for part in message.iter_parts()]
    assert types == ["text/plain", "text/html"]
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    return str(plain.get_content()), str(html.get_content())


@dataclasses.dataclass
class Sent:
    """A preview run: the result and each message by (kind, address)."""

    result: DigestResult
    messages: dict[tuple[str, str], EmailMessage]

    def page(self, kind: str, address: str) -> Page:
        return Page(parts(self.messages[(kind, address)])[1])

    def plain(self, kind: str, address: str) -> str:
        return parts(self.messages[(kind, address)])[0]


def preview(tmp_path: Path, *, history: bool = False, **email: Any) -> Sent:
    cfg = email_config(tmp_path, **email)
    report = team_report(cfg, history=history)
    result = run_digest(cfg, report, report.roster, now=NOW, preview=tmp_path / "out")
    messages = {}
    for path in result.previews:
        kind, address = path.stem.removeprefix(f"{result.period}-").split("-", 1)
        messages[(kind, address)] = parse(path)
    return Sent(result, messages)


# ---------------------------------------------------------------------------------------------
# Numbers as a spreadsheet shows them, written independently of sheetsync's renderer


def whole(number: float) -> str:
    """#,##0: rounded half away from zero, with thousands separators."""
    rounded = Decimal(repr(abs(number))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return ("-" if number < 0 and rounded else "") + f"{int(rounded):,}"


def money(number: float) -> str:
    return ("-" if number < 0 else "") + "$" + whole(abs(number))


def pct(number: float | None) -> str:
    if number is None:
        return ""
    rounded = (Decimal(repr(number)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{rounded}%"


def shown(kpi: str, number: float | None) -> str:
    if number is None:
        return ""
    return money(number) if kpi == "revenue" else whole(number)


LABELS = {"calls": "Calls", "revenue": "Revenue"}


def kpi_row(kpi: str, hand: Figures, *, expected: bool = True) -> list[str]:
    """KPI | Actual | Target | Attainment | [Expected] | Pace | Projection | Status."""
    row = [LABELS[kpi], shown(kpi, hand.actual), shown(kpi, hand.target), pct(hand.attainment)]
    row += [shown(kpi, hand.expected)] if expected else []
    return [*row, pct(hand.pace), shown(kpi, hand.projection), hand.status]


# ---------------------------------------------------------------------------------------------
# The team digest


def test_the_team_digest_headline_shows_the_totals_worked_out_by_hand(tmp_path: Path) -> None:
    page = preview(tmp_path).page("team_digest", MANAGERS[0])
    everyone = list(ROWS)
    assert page.rows("headline-month") == [
        kpi_row(kpi, figures(everyone, kpi, "2026-11", "Total")) for kpi in ("calls", "revenue")
    ]
    assert page.rows("headline-month")[0][:5] == ["Calls", "528", "1,200", "44.0%", "743"]
    # no goal for the total this quarter or year: every KPI's actual, the first two by hand
    quarter = page.rows("headline-quarter")
    assert [row[0] for row in quarter] == [
        "Calls", "Meetings", "Deals", "Revenue", "Win rate", "Customers", "Entries",
    ]  # fmt: skip
    calls = figures(everyone, "calls", "2026-Q4", "Total")
    assert quarter[0] == ["Calls", "568", "", "", "", "", whole(calls.projection), ""]
    assert quarter[3][:2] == ["Revenue", "$22,961"]
    assert page.rows("headline-year")[0][:2] == ["Calls", "568"]


def test_the_team_digest_ranking_behind_and_goals_at_risk_are_the_hand_figures(
    tmp_path: Path,
) -> None:
    page = preview(tmp_path).page("team_digest", MANAGERS[0])
    ranked = [["1", "Ben Carter", "South"], ["2", "Anna Nowak", "North"], ["3", SCRIPT, "South"]]
    assert [row[:4] for row in page.rows("ranking")[:3]] == [
        [*row, pct(score(row[1]))] for row in ranked
    ]
    assert [(row[0], row[1], row[3][:9]) for row in page.rows("ranking")[3:]] == [
        ("", "Cleo Park", "unranked:"), ("", "Eve Bad", "unranked:"),
    ]  # fmt: skip
    assert page.rows("behind") == expected_behind()
    assert page.rows("goals") == expected_goals()


def expected_behind() -> list[list[str]]:
    """Rep | KPI | Actual | Expected | Behind by | Pace | Status, for the ranked reps' month
    rows Behind or At risk, lowest pace first."""
    found = []
    for rep in ("Anna Nowak", "Ben Carter", SCRIPT):
        for kpi in ("calls", "revenue"):
            hand = rep_figures(rep, kpi, "2026-11")
            assert hand.expected is not None and hand.pace is not None
            if hand.status in ("Behind", "At risk"):
                gap = shown(kpi, hand.expected - hand.actual)
                row = [rep, LABELS[kpi], shown(kpi, hand.actual), shown(kpi, hand.expected), gap,
                       pct(hand.pace), hand.status]  # fmt: skip
                found.append((hand.pace, row))
    assert len(found) == 4  # `<script>` on both KPIs, Anna on both
    return [row for _, row in sorted(found, key=lambda item: item[0])]


def expected_goals() -> list[list[str]]:
    """Scope | Period | KPI | Actual | Target | Pace | Projection | Status for the total and
    team goals Behind or At risk."""
    scopes = {"Total": list(ROWS), "North": [r for r, t in TEAMS.items() if t == "North"]}
    found = []
    for (period, scope), _ in GOALS.items():
        for kpi in ("calls", "revenue") if scope in scopes else ():
            hand = figures(scopes[scope], kpi, period, scope)
            if hand.pace is not None and hand.status in ("Behind", "At risk"):
                row = [scope, period, LABELS[kpi], shown(kpi, hand.actual),
                       shown(kpi, hand.target), pct(hand.pace), shown(kpi, hand.projection),
                       hand.status]  # fmt: skip
                found.append((hand.pace, row))
    assert len(found) == 3
    return [row for _, row in sorted(found, key=lambda item: item[0])]


def test_the_team_digest_counts_the_data_issues_by_tab(tmp_path: Path) -> None:
    cfg = email_config(tmp_path)
    report = team_report(cfg)
    result = run_digest(cfg, report, report.roster, now=NOW, preview=tmp_path / "out")
    digest = next(p for p in result.previews if "team_digest" in p.name)
    page, plain = Page(parts(parse(digest))[1]), parts(parse(digest))[0]
    by_tab = Counter(issue.tab for issue in report.issues)  # warnings only: most first
    tabs = sorted(by_tab.items(), key=lambda item: (-item[1], item[0].casefold()))
    assert by_tab["Roster"] == 1  # Eve Bad's address, eve-at-example.com
    assert [[tab, "0", str(count)] for tab, count in tabs] == page.rows("issue-tabs")
    assert len(page.rows("issues")) == 5
    assert f"{len(report.issues)} issues: 0 errors, {len(report.issues)} warnings" in plain


def test_the_plain_text_part_carries_the_same_numbers(tmp_path: Path) -> None:
    sent = preview(tmp_path)
    plain = sent.plain("team_digest", MANAGERS[0])
    month = figures(list(ROWS), "calls", "2026-11", "Total")
    expected = whole(month.expected or 0)
    assert (f"Calls: 528 of 1,200 ({pct(month.attainment)}); expected {expected}, pace "
            f"{pct(month.pace)}, projected {whole(month.projection)}; Behind") in plain  # fmt: skip
    anna = rep_figures("Anna Nowak", "revenue", "2026-W47")
    card = sent.plain("scorecard", "anna@example.com")
    assert (f"Revenue: $1,234 of $2,000 ({pct(anna.attainment)}), pace {pct(anna.pace)}, "
            f"projected {money(anna.projection)}; On track") in card  # fmt: skip


def test_status_colours_come_with_the_status_word(tmp_path: Path) -> None:
    html = parts(preview(tmp_path).messages[("team_digest", MANAGERS[0])])[1]
    assert re.search(r'<span style="color:#a3120c;[^"]*">Behind</span>', html)
    assert re.search(r'<span style="color:#7a4b00;[^"]*">At risk</span>', html)
    assert re.search(r'<span style="color:#0b6b2b;[^"]*">On track</span>', html)
    assert "<img" not in html and "<link" not in html and "<style" not in html


# ---------------------------------------------------------------------------------------------
# Scorecards


def test_a_scorecard_shows_the_reps_own_goals_by_period(tmp_path: Path) -> None:
    sent = preview(tmp_path)
    anna = sent.page("scorecard", "anna@example.com")
    for period in ("2026-W47", "2026-11"):
        kind = PERIODS[period][0]
        assert anna.rows(kind) == [
            kpi_row(kpi, rep_figures("Anna Nowak", kpi, period), expected=False)
            for kpi in ("calls", "revenue")
        ]
    assert "quarter" not in anna.tables and "year" not in anna.tables  # no goals there
    ben = sent.page("scorecard", "ben@example.com")
    assert set(ben.tables) == {"month", "quarter", "ranking"}
    assert ben.rows("quarter")[0] == kpi_row(
        "calls", rep_figures("Ben Carter", "calls", "2026-Q4"), expected=False
    )
    assert f"You are number 2 of 3, score {pct(score('Anna Nowak'))}." in anna.visible()
    assert anna.rows("ranking") == [["1", "Ben Carter"], ["2", "Anna Nowak"], ["3", SCRIPT]]


def test_a_scorecard_shows_the_trend_since_the_last_snapshot(tmp_path: Path) -> None:
    page = preview(tmp_path, history=True).page("scorecard", "anna@example.com")
    assert f"Since {SNAPSHOT_DAY.isoformat()}" in page.visible()
    expected = []
    for kpi in ("calls", "revenue"):  # the week changed since the snapshot: the month only
        then = rep_figures("Anna Nowak", kpi, "2026-11", SNAPSHOT_DAY)
        now = rep_figures("Anna Nowak", kpi, "2026-11")
        expected.append([LABELS[kpi], "2026-11", shown(kpi, then.actual), shown(kpi, now.actual),
                         pct(then.pace), pct(now.pace)])  # fmt: skip
    assert page.rows("trend") == expected
    assert expected[0][2:4] == ["80", "101"]


def numbers(text: str) -> set[str]:
    """Every number written in a text ($1,234, 56.1%, 333)."""
    return set(re.findall(r"\$?\d[\d,]*(?:\.\d+)?%?", text))


def rep_numbers(rep: str) -> set[str]:
    """Every figure of a rep that a message could show: actuals, targets, attainment, pace,
    expected and projections of both KPIs in every current period, and their score."""
    found = set()
    for period in PERIODS:
        for kpi in ("calls", "revenue"):
            hand = rep_figures(rep, kpi, period)
            values = [hand.actual, hand.target, hand.expected, hand.projection]
            found |= {shown(kpi, v) for v in values} | {pct(hand.attainment), pct(hand.pace)}
    if any(period_scope[1] == rep for period_scope in GOALS):
        found.add(pct(score(rep)))
    return found - {""}


def everything_shown(message: EmailMessage) -> str:
    plain, html = parts(message)
    return f"{message['To']} {message['Subject']} {plain} {Page(html).visible()}"


@pytest.mark.parametrize("see_ranking", [True, False])
def test_a_scorecard_holds_no_other_reps_numbers_or_goals(
    tmp_path: Path, see_ranking: bool
) -> None:
    sent = preview(tmp_path, history=True, reps_see_ranking=see_ranking)
    for rep, address in SCORECARD_REPS.items():
        message = sent.messages[("scorecard", address)]
        shown_numbers = numbers(everything_shown(message))
        own = rep_numbers(rep) | numbers(f"{AS_OF} {SNAPSHOT_DAY} 2026-W47 2026-Q4 1 2 3")
        for other in (name for name in ROWS if name != rep):
            leaked = (rep_numbers(other) - own) & shown_numbers
            assert leaked == set(), f"{rep}'s scorecard shows {other}'s {sorted(leaked)}"
        page = Page(parts(message)[1])
        outside_ranking = page.visible()
        for row in page.tables.get("ranking", []):
            outside_ranking = outside_ranking.replace(" ".join(row), "")
        others = [name for name in ROWS if name != rep]
        assert [name for name in others if name in outside_ranking] == []
        assert [name for name in others if name in parts(message)[0]] == (
            [name for name in others if name in page.visible()]
        )  # the plain text names no one the HTML does not
        assert ("ranking" in page.tables) is see_ranking
    # Ben's distinctive figures are really in his own scorecard (so the test above can fail)
    assert {"333", "$7,777", "$8,888", "999", "$22,222"} <= numbers(
        everything_shown(sent.messages[("scorecard", "ben@example.com")])
    )


def test_without_the_ranking_switch_a_scorecard_names_nobody_else(tmp_path: Path) -> None:
    sent = preview(tmp_path, reps_see_ranking=False)
    for rep, address in SCORECARD_REPS.items():
        message = sent.messages[("scorecard", address)]
        raw = message.as_string()
        assert [name for name in ROWS if name != rep and name in raw] == []
        assert "rank" not in everything_shown(message).lower()


def test_a_rep_called_script_stays_text(tmp_path: Path) -> None:
    sent = preview(tmp_path)
    for key in [("scorecard", "script@example.com"), ("team_digest", MANAGERS[0])]:
        html = parts(sent.messages[key])[1]
        assert "<script" not in html.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        page = Page(html)
        assert "script" not in page.tags
        assert SCRIPT in page.visible()
    card = sent.messages[("scorecard", "script@example.com")]
    assert card["To"].addresses[0].display_name == SCRIPT
    assert f"Hi {SCRIPT}," in parts(card)[0]
