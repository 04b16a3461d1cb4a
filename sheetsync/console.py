"""What the command line prints: progress on a terminal, the outcome and headline lines, the
data issues, and the report as JSON for scripts (`--json`).

The JSON shape (`report_json`) is stable; new keys may be added, none is renamed or removed:

    {
      "written": true,            "unchanged": false,       "as_of": "2026-11-27",
      "destination": "team.xlsx", "snapshot_rows": 504,     (null without --snapshot)
      "periods": {"week": "2026-W48", "month": "2026-11", "quarter": "2026-Q4", "year": "2026"},
      "rows": {"read": 2365, "counted": 2363, "rejected": 2},
      "api_calls": 3,             "timings": {"read": 0.01, ..., "total": 0.2},
      "headline": [{"period": "2026-11", "period_kind": "month", "kpi": "calls",
                    "label": "Calls", "actual": 1818.0, "target": 2000.0, "attainment": 0.909,
                    "expected": 1809.5, "pace": 1.005, "status": "On track",
                    "projection": 2009.4}, ...],     (the total, every KPI and period)
      "ranking": [{"rank": 1, "rep": "Farid Haddad", "team": "South", "score": 1.353,
                   "movement": "same", "note": null}, ...],
      "issues": [{"severity": "warning", "tab": "Goals", "cell": "C14", "problem": "...",
                  "value": "...", "action": "..."}, ...]
    }

Blank numbers are null; numbers are not rounded.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sheetsync.config.values import Config
from sheetsync.i18n import Language
from sheetsync.issues import Issue
from sheetsync.pipeline import Report
from sheetsync.plan import Cell, value

if TYPE_CHECKING:
    from sheetsync.notify.digest import DigestResult, Recipient

HEADLINE_COLUMNS = ("period", "period_kind", "kpi", "actual", "target", "attainment",
                    "expected", "pace", "status", "projection")  # fmt: skip


class Progress:
    """The stage a refresh is in, rewritten on one line of a terminal (stderr); silent when
    stderr is not a terminal or `quiet`."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.on = not quiet and self.stream.isatty()
        self.shown = False

    def __call__(self, stage: str) -> None:
        if self.on:
            self.stream.write(f"\rsheetsync: {stage}...{' ' * 12}")
            self.stream.flush()
            self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 40 + "\r")
            self.stream.flush()
            self.shown = False


def report_json(config: Config, report: Report) -> dict[str, Any]:
    """The report as plain JSON values (the shape in this module's docstring)."""
    facts = report.facts
    history = report.plan.history
    return {
        "written": report.written, "unchanged": report.unchanged,
        "as_of": report.as_of.isoformat(), "destination": facts.written_to,
        "snapshot_rows": len(history.rows) if history is not None else None,
        "periods": {period.kind: period.label for period in report.periods},
        "rows": {"read": facts.rows_read, "counted": facts.rows_counted,
                 "rejected": facts.rows_rejected},
        "api_calls": facts.api_calls,
        "timings": {stage: round(seconds, 4) for stage, seconds in report.timings.items()},
        "headline": _headline(config, report),
        "ranking": [_ranked(record) for record in report.ranking.to_dict("records")],
        "issues": [_issue(issue) for issue in report.issues],
    }  # fmt: skip


def _headline(config: Config, report: Report) -> list[dict[str, Any]]:
    rows = report.rep_kpis[report.rep_kpis["level"] == "total"]
    labels = {kpi.key: kpi.label for kpi in config.kpis}
    out = []
    for record in rows.to_dict("records"):
        entry = {column: _plain(record[column]) for column in HEADLINE_COLUMNS}
        entry["label"] = labels.get(record["kpi"], record["kpi"])
        out.append(entry)
    return out


def _ranked(record: dict[Any, Any]) -> dict[str, Any]:
    return {"rank": _plain(record["rank"]), "rep": record["rep"], "team": _plain(record["team"]),
            "score": _plain(record["score"]), "movement": _plain(record["movement"]),
            "note": _plain(record["reason"])}  # fmt: skip


def _issue(issue: Issue) -> dict[str, str]:
    return {"severity": issue.severity, "tab": issue.tab, "cell": issue.cell,
            "problem": issue.problem, "value": issue.value, "action": issue.action}  # fmt: skip


def _plain(raw: Any) -> Any:
    plain = value(raw)
    if isinstance(plain, float) and not math.isfinite(plain):
        return None
    return plain.isoformat() if isinstance(plain, date) else plain


# ------------------------------------------------------------------ text
# The lines below are in the team's language (the run context's, or `lang`).


def outcome_line(report: Report) -> str:
    lang = report.context.lang
    facts = report.facts
    verb = lang.text("cli.wrote" if report.written else "cli.would_write")
    if report.unchanged:
        verb = lang.text("cli.unchanged")
    history = report.plan.history
    snapshot = (lang.text("cli.snapshot", rows=lang.plural(len(history.rows), "cli.rows"),
                          title=history.title)
                if history is not None else "")  # fmt: skip
    return lang.text(
        "cli.outcome", verb=verb, tabs=lang.plural(len(report.plan.tabs), "cli.tabs"),
        snapshot=snapshot, destination=facts.written_to, day=lang.date(report.as_of),
        rows=lang.plural(facts.rows_read, "cli.rows"), counted=lang.number(facts.rows_counted),
        rejected=lang.number(facts.rows_rejected),
        issues=lang.plural(len(report.issues), "cli.issues"),
        calls=lang.plural(facts.api_calls, "cli.calls"),
        seconds=lang.number(report.timings["total"], 2),
    )  # fmt: skip


def check_lines(report: Report, path: object) -> list[str]:
    """What `sheetsync check` prints before the issues: the config is fine, the data counts."""
    lang = report.context.lang
    facts = report.facts
    data = lang.text(
        "cli.check_data", rows=lang.plural(facts.rows_read, "cli.rows"),
        counted=lang.number(facts.rows_counted), rejected=lang.number(facts.rows_rejected),
        issues=lang.plural(len(report.issues), "cli.issues"),
    )  # fmt: skip
    return [lang.text("cli.config_ok", path=path), data]


def plan_lines(report: Report, preview: int = 5) -> list[str]:
    """What a dry run would write: each tab with its size and first rows."""
    lang = report.context.lang
    lines = []
    for tab in report.plan.tabs:
        lines.append(lang.text("cli.plan_tab", title=tab.title,
                               rows=lang.plural(len(tab.rows), "cli.rows"),
                               columns=lang.plural(tab.width, "cli.columns")))  # fmt: skip
        lines += ["   " + " | ".join(_shown(cell, lang) for cell in row)
                  for row in tab.rows[:preview]]  # fmt: skip
    return lines


def _shown(cell: Cell, lang: Language) -> str:
    """A planned cell as a person reads it: percents as percents, numbers with separators."""
    shown = cell.value
    if shown is None:
        return ""
    if isinstance(shown, bool) or not isinstance(shown, int | float):
        return str(shown)
    if cell.number_format and "%" in cell.number_format:
        return lang.percent(shown)
    return lang.number(shown, 0 if float(shown).is_integer() else 2)


def headline_lines(config: Config, report: Report) -> list[str]:
    lang = report.context.lang
    month = report.context.period("month")
    rows = report.rep_kpis
    total = rows[(rows["period"] == month.label) & (rows["level"] == "total")]
    lines = ["\n" + lang.text("cli.headline", period=month.label)]
    for record in total.to_dict("records"):
        kpi = config.kpi(record["kpi"])
        shown = _number(record["actual"], kpi.kind == "ratio", lang)
        if record["target"] == record["target"]:
            target = _number(record["target"], kpi.kind == "ratio", lang)
            shown = lang.text("cli.actual_of_target", actual=shown, target=target)
        status = f" ({lang.status(record['status'])})" if record["status"] else ""
        lines.append(f"  {kpi.label:<18} {shown}{status}")
    top = report.ranking.dropna(subset=["rank"]).head(3)
    if len(top):
        leaders = ", ".join(f"{int(r['rank'])}. {r['rep']}" for r in top.to_dict("records"))
        lines.append(lang.text("cli.top", leaders=leaders))
    return lines


def _number(number: float, percent: bool, lang: Language) -> str:
    if number != number:
        return "-"
    return lang.percent(number) if percent else lang.number(number)


def issue_lines(
    issues: Sequence[Issue], where: str | None, lang: Language, limit: int = 10
) -> list[str]:
    """The first data issues; `where` is the tab they were written to, None when nothing was
    written (check, --dry-run, an unchanged refresh)."""
    if not issues:
        return []
    listed = (lang.text("cli.issues_in_tab", tab=where) if where
              else lang.text("cli.issues_not_written"))  # fmt: skip
    heading = lang.text("cli.issues_heading", issues=lang.plural(len(issues), "cli.issues"),
                        where=listed)  # fmt: skip
    lines = ["\n" + heading]
    width = max(len(word) for word in lang.severities().values())
    lines += [f"  {lang.severity(issue.severity):<{width}} {issue}  -> {issue.action}"
              for issue in issues[:limit]]  # fmt: skip
    if len(issues) > limit:
        lines.append("  " + lang.text("cli.more", count=lang.number(len(issues) - limit)))
    return lines


def digest_preview_line(result: DigestResult, folder: Path, lang: Language) -> str:
    """`digest --preview`: how many messages were written where (nothing is sent)."""
    messages = lang.plural(len(result.previews), "cli.messages")
    return lang.text("cli.digest_preview", messages=messages, folder=folder)


def digest_lines(result: DigestResult, lang: Language) -> list[str]:
    """`digest`: what was sent, already sent and refused, then each refusal (the reason as
    the server or the check gave it) and each message not sent again."""
    lines = [lang.text("cli.digest_sent", messages=lang.plural(len(result.sent), "cli.messages"),
                       skipped=lang.number(len(result.skipped)),
                       refused=lang.number(len(result.refused)))]  # fmt: skip
    lines += ["  " + lang.text("cli.digest_refused", address=address, reason=reason)
              for address, reason in result.refused.items()]  # fmt: skip
    lines += ["  " + lang.text("cli.digest_unconfirmed", recipient=recipient_text(r, lang))
              for r in result.unconfirmed]  # fmt: skip
    return lines


def recipient_text(recipient: Recipient, lang: Language) -> str:
    """ "team digest to boss@example.com", "scorecard of Anna Nowak to anna@example.com"."""
    return lang.text(f"cli.recipient.{recipient.kind}", rep=recipient.rep or "",
                     address=recipient.address)  # fmt: skip
