"""The Goal suggestions tab (pure): the suggestions in the Goals tab's own layout, what each
rests on, and the notes (the aim, top-down goals, goals far above the history).

    Period | Scope | <the Goals tab's KPI columns>      one row per rep, team and the total
    (blank row)
    What each suggestion rests on
    Scope | Team | KPI | Basis | Suggested | Same period last year | Per working day | ...
    (blank row)
    notes, one per line
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sheetsync.config.values import KpiDef
from sheetsync.i18n import Language
from sheetsync.kpi.suggest import RepSuggestion, Suggestions
from sheetsync.kpi.topdown import GroupFigure
from sheetsync.plan import PERCENT, Cell, TabPlan
from sheetsync.report.look import fit_widths

KEY = "goal_suggestions"
REST_COLUMNS = ("scope", "team", "kpi", "basis", "suggested", "last_year", "per_day", "days",
                "trend", "season", "expected", "chance", "note")  # fmt: skip
Row = tuple[Cell, ...]


@dataclass(frozen=True)
class GoalsLayout:
    """The Goals tab's header row as it is (`headers`), and what each column holds: `period`,
    `scope`, a KPI key, or None for a column sheetsync does not read."""

    headers: tuple[str, ...]
    roles: tuple[str | None, ...]


@dataclass(frozen=True)
class SuggestionTab:
    """What the tab is made of."""

    title: str
    period: str
    found: Suggestions
    figures: Sequence[GroupFigure]
    kpis: Sequence[KpiDef]
    layout: GoalsLayout
    skipped: Sequence[str] = ()
    goals_tab: str = "Goals"
    roster_tab: str = "Roster"


def suggestion_tab(tab: SuggestionTab, lang: Language) -> TabPlan:
    """The whole tab; its first row is the Goals tab's header row."""
    pasted = goal_rows(tab)
    rests = rest_rows(tab, lang)
    notes = note_rows(tab, lang)
    rows = (*pasted, (), (Cell(lang.text("goals.rests_on"), bold=True),), *rests, (), *notes)
    widths = fit_widths([*pasted, *rests], lang)
    return TabPlan(KEY, tab.title, rows, 1, widths, frozen_columns=2)


def goal_rows(tab: SuggestionTab) -> tuple[Row, ...]:
    """The Goals layout: the header, then each rep with a suggestion, each team, the total."""
    formats = {kpi.key: kpi.number_format for kpi in tab.kpis}
    rows: list[Row] = [tuple(Cell(h, bold=True) for h in tab.layout.headers)]
    for rep in tab.found.reps:
        if rep.targets:
            rows.append(_goal_row(tab, rep.rep, rep.targets, formats))
    groups: dict[str, dict[str, float]] = {}
    for figure in tab.figures:
        groups.setdefault(figure.group.name, {})[figure.kpi] = figure.value
    for name, values in groups.items():
        rows.append(_goal_row(tab, name, values, formats))
    return tuple(rows)


def _goal_row(
    tab: SuggestionTab, scope: str, values: Mapping[str, float], formats: Mapping[str, str]
) -> Row:
    cells = []
    for role in tab.layout.roles:
        if role == "period":
            cells.append(Cell(tab.period))
        elif role == "scope":
            cells.append(Cell(scope))
        elif role is not None and role in values:
            cells.append(Cell(_whole(values[role]), formats[role]))
        else:
            cells.append(Cell(None))
    return tuple(cells)


def _whole(number: float) -> float | int:
    return int(number) if float(number).is_integer() else number


def rest_rows(tab: SuggestionTab, lang: Language) -> tuple[Row, ...]:
    """What each suggestion rests on: a row per rep and KPI, per rep without one, per group."""
    rows: list[Row] = [tuple(Cell(lang.text(f"goals.col.{c}"), bold=True) for c in REST_COLUMNS)]
    labels = {kpi.key: kpi for kpi in tab.kpis}
    for rep in tab.found.reps:
        if not rep.targets:
            why = lang.text(f"goals.why.{_why_key(rep.why)}", period=tab.period,
                            roster=tab.roster_tab)  # fmt: skip
            rows.append(_cells(rep.rep, rep.team or "", "", None, None,
                               lang.text("goals.basis.none"), why))  # fmt: skip
            continue
        for key in tab.found.calibration.middle:
            rows.append(_rep_row(tab, rep, labels[key], lang))
    for figure in tab.figures:
        rows.append(_group_row(figure, labels[figure.kpi], lang))
    return tuple(rows)


def _why_key(why: str) -> str:
    keys = {
        "starts after the period": "after",
        "no rep has three months of history yet": "no_peers",
    }
    return keys.get(why, "no_history")


def _cells(
    scope: str, team: str, kpi: str, suggested: Cell | None, figures: Sequence[Cell] | None,
    basis: str, note: str,
) -> Row:  # fmt: skip
    middle = list(figures) if figures is not None else [Cell(None)] * 7
    return (Cell(scope), Cell(team), Cell(kpi), Cell(basis), suggested or Cell(None),
            *middle, Cell(note))  # fmt: skip


def _number(value: float, fmt: str) -> Cell:
    return Cell(None if not math.isfinite(value) else _whole(value), fmt)


def _rep_row(tab: SuggestionTab, rep: RepSuggestion, kpi: KpiDef, lang: Language) -> Row:
    key, fmt = kpi.key, kpi.number_format
    nan = math.nan
    figures = [
        _number(rep.last_year.get(key, nan), fmt),
        _number(rep.rate.get(key, nan), "#,##0.00"),
        _number(tab.found.days, "0"),
        _number(rep.trend.get(key, nan) - 1, "+0%;-0%;0%"),
        _number(tab.found.season.get(key, nan) - 1, "+0%;-0%;0%"),
        _number(rep.expected.get(key, nan), fmt),
        _number(rep.chance.get(key, nan), "0%"),
    ]
    note = lang.text("goals.note.ramp") if rep.basis == "ramp" else ""
    return _cells(rep.rep, rep.team or "", kpi.label, _number(rep.targets[key], fmt), figures,
                  lang.text(f"goals.basis.{rep.basis}"), note)  # fmt: skip


def _group_row(figure: GroupFigure, kpi: KpiDef, lang: Language) -> Row:
    fmt = kpi.number_format
    nan = math.nan
    chance = figure.chance if figure.chance is not None else nan
    blank = [_number(nan, fmt), _number(nan, fmt), _number(nan, "0"), _number(nan, PERCENT),
             _number(nan, PERCENT)]  # fmt: skip
    figures = [*blank, _number(figure.expected, fmt), _number(chance, "0%")]
    note = ""
    if figure.goal is not None:
        note = lang.text("goals.note.goal", goal=lang.render(figure.goal, fmt))
    level = lang.text(f"goals.level.{figure.group.level}")
    return _cells(figure.group.name, level, kpi.label, _number(figure.value, fmt), figures,
                  lang.text("goals.basis.sum"), note)  # fmt: skip


def note_rows(tab: SuggestionTab, lang: Language) -> tuple[Row, ...]:
    """The aim and calibration, each goal the suggestions were scaled to, each goal far above
    the history, and the KPIs left out."""
    sizes = tab.found.calibration.size
    lines = [lang.text("goals.aim", aim=lang.percent(tab.found.aim, 0), period=tab.period,
                       count=lang.number(min(sizes.values(), default=0)),
                       goals=tab.goals_tab)]  # fmt: skip
    labels = {kpi.key: kpi for kpi in tab.kpis}
    for figure in tab.figures:
        if figure.goal is not None:
            lines.append(_goal_line(tab, figure, labels[figure.kpi], lang))
        if figure.far_above and figure.best is not None:
            kpi = labels[figure.kpi]
            lines.append(lang.text("goals.far_above", scope=figure.group.name, kpi=kpi.label,
                                   period=tab.period,
                                   goal=lang.render(figure.goal or 0.0, kpi.number_format),
                                   best=lang.render(figure.best, kpi.number_format)))  # fmt: skip
    if tab.skipped:
        lines.append(lang.text("goals.skipped", kpis=", ".join(tab.skipped)))
    return tuple((Cell(line),) for line in lines)


def _goal_line(tab: SuggestionTab, figure: GroupFigure, kpi: KpiDef, lang: Language) -> str:
    goal = figure.goal or 0.0
    gap = goal / figure.expected - 1 if figure.expected else math.nan
    chance = "?" if figure.chance is None else lang.percent(figure.chance, 0)
    fields = {"scope": figure.group.name, "kpi": kpi.label, "period": tab.period,
              "goal": lang.render(goal, kpi.number_format),
              "expected": lang.render(figure.expected, kpi.number_format),
              "gap": lang.render(gap, "+0%;-0%;0%") if math.isfinite(gap) else "",
              "chance": chance}  # fmt: skip
    if figure.factor is None:
        return lang.text("goals.not_scaled", **fields)
    return lang.text("goals.scaled", factor=lang.render(figure.factor - 1, "+0.0%;-0.0%;0%"),
                     **fields)  # fmt: skip
