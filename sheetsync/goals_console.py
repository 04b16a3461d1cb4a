"""What `sheetsync goals suggest` and `goals backtest` print, as text or as JSON (`--json`).

`suggest_json` (keys are only ever added):

    {"period": "2027-01", "aim": 0.65, "written": true, "tab": "Goal suggestions",
     "destination": "team.xlsx",
     "reps": [{"rep": "Anna Nowak", "team": "North", "basis": "history",
               "targets": {"calls": 267.0, ...}, "chance": {"calls": 0.67, ...}, "why": ""}],
     "groups": [{"level": "team", "name": "North", "kpi": "calls", "value": 899.0,
                 "expected": 950.2, "chance": 0.31, "goal": null, "far_above": false}]}

`backtest_json`: [{"kpi": "calls", "label": "Calls", "aim": 0.65,
                   "calibrated": {"count": 63, "reached": 44, "share": 0.698},
                   "naive": {...}, "set_goals": {...}}]  (share null without any target)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sheetsync.config.values import Config
from sheetsync.goals import SuggestReport
from sheetsync.kpi.backtest import KpiBacktest, Score


def _plain(number: float | None) -> float | None:
    return None if number is None or not math.isfinite(number) else float(number)


def suggest_json(report: SuggestReport) -> dict[str, Any]:
    tab = report.plan.tabs[0]
    return {
        "period": report.period.label, "aim": report.found.aim, "written": report.written,
        "tab": tab.title,
        "reps": [{"rep": s.rep, "team": s.team, "basis": s.basis, "targets": dict(s.targets),
                  "chance": {k: _plain(v) for k, v in s.chance.items()}, "why": s.why}
                 for s in report.found.reps],
        "groups": [{"level": f.group.level, "name": f.group.name, "kpi": f.kpi,
                    "value": f.value, "expected": _plain(f.expected),
                    "chance": _plain(f.chance), "goal": f.goal, "far_above": f.far_above}
                   for f in report.figures],
    }  # fmt: skip


def suggest_lines(report: SuggestReport) -> list[str]:
    """The suggestions as the tab's first block shows them, then where they went."""
    tab = report.plan.tabs[0]
    lang = report.context.lang
    lines = []
    for row in tab.rows:
        if not row:
            break
        lines.append("  ".join(_shown(cell.value, cell.number_format, lang) for cell in row))
    where = (f"written to tab {tab.title!r} of {report.destination}" if report.written
             else "dry run: nothing was written")  # fmt: skip
    lines.append(f"Goal suggestions for {report.period.label} (aim "
                 f"{report.found.aim:.0%}): {where}")  # fmt: skip
    return lines


def _shown(raw: object, number_format: str | None, lang: Any) -> str:
    if raw is None:
        return "-"
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return str(lang.render(float(raw), number_format))
    return str(raw)


def backtest_json(config: Config, results: Sequence[KpiBacktest]) -> list[dict[str, Any]]:
    labels = {kpi.key: kpi.label for kpi in config.kpis}
    return [{"kpi": r.kpi, "label": labels.get(r.kpi, r.kpi), "aim": r.aim,
             "calibrated": _score(r.calibrated), "naive": _score(r.naive),
             "set_goals": _score(r.set_goals)} for r in results]  # fmt: skip


def _score(score: Score) -> dict[str, Any]:
    return {"count": score.count, "reached": score.reached, "share": score.share}


def backtest_lines(config: Config, periods: str, results: Sequence[KpiBacktest]) -> list[str]:
    """A table: per KPI, the aim and the share of targets reached by each method."""
    labels = {kpi.key: kpi.label for kpi in config.kpis}
    width = max([len("KPI"), *(len(labels.get(r.kpi, r.kpi)) for r in results)])
    head = (f"{'KPI':<{width}}  {'aim':>4}  {'suggested':>16}  {'last year +10%':>16}  "
            f"{'goals set':>16}")  # fmt: skip
    lines = [f"Backtest {periods}: share of reps who reached their target", head]
    for r in results:
        lines.append(f"{labels.get(r.kpi, r.kpi):<{width}}  {r.aim:>4.0%}  "
                     f"{_cell(r.calibrated):>16}  {_cell(r.naive):>16}  "
                     f"{_cell(r.set_goals):>16}")  # fmt: skip
    return lines


def _cell(score: Score) -> str:
    share = score.share
    return "-" if share is None else f"{share:.0%} ({score.reached}/{score.count})"
