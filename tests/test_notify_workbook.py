"""The team the e-mail tests write to, and its numbers worked out independently.

Six reps in two teams, as of Wednesday 2026-11-18: Anna and Ben with goals, a rep literally
called `<script>alert(1)</script>` (logged in the shared Log tab), Cleo without an e-mail,
Dan inactive, Eve with an address that is not one. Every figure the messages must show is
computed here by hand (sums of the rows below, working days counted with numpy's busday_count),
never by sheetsync; the test in this module checks sheetsync's report agrees, and the other
test_notify modules compare the messages with these figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sheetsync.config.values import Config
from sheetsync.grids import Grid
from sheetsync.pipeline import Report, refresh
from tests.helpers import MemoryBackend, activity, config, serial

AS_OF = date(2026, 11, 18)
NOW = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)
SNAPSHOT_DAY = date(2026, 11, 11)
SCRIPT = "<script>alert(1)</script>"
PASSWORD = "Pa55-w0rd!not-in-any-log"
MANAGERS = ("boss@example.com", "coach@example.com")

# (day, calls, meetings, deals, revenue, customer) per rep
ROWS: dict[str, list[tuple[str, int, int, int, int, str]]] = {
    "Anna Nowak": [("2026-10-15", 40, 1, 0, 2000, "Acme"), ("2026-11-02", 50, 2, 1, 4100, "Acme"),
                   ("2026-11-10", 30, 1, 0, 2000, "Globex"),
                   ("2026-11-17", 21, 1, 1, 1234, "Initech")],
    "Ben Carter": [("2026-11-03", 200, 3, 2, 5000, "Umbrella"),
                   ("2026-11-16", 133, 2, 1, 2777, "Hooli")],
    SCRIPT: [("2026-11-04", 12, 1, 0, 950, "Acme")],
    "Cleo Park": [("2026-11-05", 60, 2, 1, 3000, "Globex")],
    "Dan Old": [("2026-11-06", 7, 0, 0, 400, "Acme")],
    "Eve Bad": [("2026-11-09", 15, 1, 0, 1500, "Hooli")],
}  # fmt: skip
ROSTER = [
    ["Rep", "Email", "Team", "Active"],
    ["Anna Nowak", "anna@example.com", "North", "yes"],
    ["Ben Carter", "ben@example.com", "South", "yes"],
    [SCRIPT, "script@example.com", "South", "yes"],
    ["Cleo Park", "", "North", "yes"],
    ["Dan Old", "dan@example.com", "North", "no"],
    ["Eve Bad", "eve-at-example.com", "South", "yes"],
]
# (period, scope) -> (calls, revenue) targets
GOALS: dict[tuple[str, str], tuple[int, int]] = {
    ("2026-11", "Anna Nowak"): (180, 15000),
    ("2026-W47", "Anna Nowak"): (40, 2000),
    ("2026-11", "Ben Carter"): (400, 8888),
    ("2026-Q4", "Ben Carter"): (999, 22222),
    ("2026-11", SCRIPT): (50, 3000),
    ("2026-11", "Total"): (1200, 30000),
    ("2026-11", "North"): (300, 40000),
}
SCORECARD_REPS = {"Anna Nowak": "anna@example.com", "Ben Carter": "ben@example.com",
                  SCRIPT: "script@example.com"}  # fmt: skip
PERIODS = {  # label -> (kind, first day, last day)
    "2026-W47": ("week", date(2026, 11, 16), date(2026, 11, 22)),
    "2026-11": ("month", date(2026, 11, 1), date(2026, 11, 30)),
    "2026-Q4": ("quarter", date(2026, 10, 1), date(2026, 12, 31)),
    "2026": ("year", date(2026, 1, 1), date(2026, 12, 31)),
}
TEAMS = {"Anna Nowak": "North", "Cleo Park": "North", "Dan Old": "North", "Ben Carter": "South",
         SCRIPT: "South", "Eve Bad": "South"}  # fmt: skip


def workbook() -> dict[str, Grid]:
    """The team's input tabs (Anna, Ben, Cleo, Dan and Eve have a tab each; `<script>` is in
    the shared Log)."""
    tabs: dict[str, Grid] = {"Roster": [list(row) for row in ROSTER]}
    goals: Grid = [["Period", "Scope", "Calls", "Revenue"]]
    goals += [[period, scope, *targets] for (period, scope), targets in GOALS.items()]
    tabs["Goals"] = goals
    for rep, rows in ROWS.items():
        if rep != SCRIPT:
            tabs[f"Rep - {rep}"] = activity(*[list(row) for row in rows])
    tabs["Log"] = [["Rep", "Date", "Calls", "Meetings", "Deals", "Revenue", "Customer"]]
    tabs["Log"] += [[SCRIPT, serial(row[0]), *row[1:]] for row in ROWS[SCRIPT]]
    return tabs


def email_config(folder: Path, port: int = 2525, **email: Any) -> Config:
    """The base test config with an `email:` section (keys of `email` override the defaults;
    `security`, `username` and `password_env` go to `smtp`)."""
    smtp = {"host": "127.0.0.1", "port": port, "security": email.pop("security", "starttls"),
            "username": email.pop("username", "mailer"), "timeout": 5,
            "password_env": email.pop("password_env", "TEST_SMTP_PASSWORD")}  # fmt: skip
    section = {"sender": "kpi@example.com", "sender_name": "Sales KPIs",
               "managers": list(MANAGERS), **email, "smtp": smtp}  # fmt: skip
    lines = ["email:"] + [f"  {key}: {_yaml(value)}" for key, value in section.items()]
    return config("\n".join(lines) + "\n", folder)


def _yaml(value: object) -> str:
    if isinstance(value, dict):
        items = ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items() if v is not None)
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int | float) else f'"{value}"'


def team_report(cfg: Config, *, history: bool = False) -> Report:
    """The refresh of the team's workbook as of AS_OF (dry run). With `history`, a snapshot is
    taken on SNAPSHOT_DAY first, so the report has trends."""
    backend = MemoryBackend(workbook())
    if history:
        refresh(cfg, as_of=SNAPSHOT_DAY, backend=backend, snapshot=True)
    return refresh(cfg, as_of=AS_OF, dry_run=True, backend=backend)


# ---------------------------------------------------------------------------------------------
# The figures, by hand


def working_days(first: date, last: date) -> int:
    """Monday to Friday from `first` to `last`, inclusive (no holidays in this config)."""
    return int(np.busday_count(first, np.datetime64(last) + np.timedelta64(1, "D")))


def actual(reps: Sequence[str], field: str, first: date, last: date) -> float:
    """The sum of a field over the reps' rows dated first..last."""
    index = {"calls": 1, "meetings": 2, "deals": 3, "revenue": 4}[field]
    return float(sum(int(row[index]) for rep in reps for row in ROWS[rep]
                     if first <= date.fromisoformat(row[0]) <= last))  # fmt: skip


@dataclass(frozen=True)
class Figures:
    """One scope's KPI in one period, worked out by hand."""

    actual: float
    target: float | None
    elapsed: int
    total: int

    @property
    def attainment(self) -> float | None:
        return None if self.target is None else self.actual / self.target

    @property
    def expected(self) -> float | None:
        return None if self.target is None else self.target * self.elapsed / self.total

    @property
    def pace(self) -> float | None:
        expected = self.expected
        return None if expected is None else self.actual / expected

    @property
    def projection(self) -> float:
        return self.actual * self.total / self.elapsed

    @property
    def status(self) -> str:
        pace = self.pace
        if pace is None:
            return ""
        return "On track" if pace >= 1 else "At risk" if pace >= 0.85 else "Behind"


def figures(reps: Sequence[str], kpi: str, period: str, target_scope: str,
            as_of: date = AS_OF) -> Figures:  # fmt: skip
    _, first, last = PERIODS[period]
    targets = GOALS.get((period, target_scope))
    target = None if targets is None else float(targets[0 if kpi == "calls" else 1])
    return Figures(actual(reps, kpi, first, min(last, as_of)), target,
                   working_days(first, min(last, as_of)), working_days(first, last))  # fmt: skip


def rep_figures(rep: str, kpi: str, period: str, as_of: date = AS_OF) -> Figures:
    return figures([rep], kpi, period, rep, as_of)


def score(rep: str) -> float:
    """The ranking score: revenue weighs 2, calls 1 (cap 1.5), over the month."""
    calls, revenue = rep_figures(rep, "calls", "2026-11"), rep_figures(rep, "revenue", "2026-11")
    assert calls.attainment is not None and revenue.attainment is not None
    return (2 * min(revenue.attainment, 1.5) + min(calls.attainment, 1.5)) / 3


# ---------------------------------------------------------------------------------------------
# The report agrees with the figures (so the messages can be checked against either)


@pytest.mark.parametrize(
    ("level", "name", "reps", "kpi", "period"),
    [
        ("rep", "Anna Nowak", ["Anna Nowak"], "calls", "2026-11"),
        ("rep", "Anna Nowak", ["Anna Nowak"], "revenue", "2026-W47"),
        ("rep", "Ben Carter", ["Ben Carter"], "calls", "2026-Q4"),
        ("rep", SCRIPT, [SCRIPT], "revenue", "2026-11"),
        ("team", "North", ["Anna Nowak", "Cleo Park", "Dan Old"], "calls", "2026-11"),
        ("total", "Total", list(ROWS), "calls", "2026-11"),
        ("total", "Total", list(ROWS), "revenue", "2026"),
    ],
)  # fmt: skip
def test_the_report_agrees_with_the_figures_worked_out_by_hand(
    tmp_path: Path, level: str, name: str, reps: list[str], kpi: str, period: str
) -> None:
    report = team_report(email_config(tmp_path))
    table = report.rep_kpis
    row = table[(table["period"] == period) & (table["level"] == level)
                & (table["name"] == name) & (table["kpi"] == kpi)].iloc[0]  # fmt: skip
    hand = figures(reps, kpi, period, name)
    assert row["actual"] == pytest.approx(hand.actual)
    if hand.target is None:
        assert np.isnan(row["target"])
    else:
        assert (row["target"], row["pace"]) == pytest.approx((hand.target, hand.pace))
        assert row["status"] == hand.status
    assert row["projection"] == pytest.approx(hand.projection)


def test_the_ranking_agrees_with_the_scores_worked_out_by_hand(tmp_path: Path) -> None:
    ranking = team_report(email_config(tmp_path)).ranking
    ranked = ranking[ranking["rank"].notna()]
    assert list(ranked["rep"]) == ["Ben Carter", "Anna Nowak", SCRIPT]
    assert list(ranked["score"]) == pytest.approx([score(rep) for rep in ranked["rep"]])
    assert set(ranking["rep"]) == {"Ben Carter", "Anna Nowak", SCRIPT, "Cleo Park", "Eve Bad"}
