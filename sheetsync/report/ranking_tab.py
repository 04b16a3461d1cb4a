"""The Ranking tab (pure): the leaderboard, its colours and its chart.

Rank, rep, team, score, movement (once there is an earlier snapshot to move against), each
ranked KPI's attainment (or actual) and a note. With a weighted score, a column before the note
holds the goal (100%) that the chart draws as a line over each ranked rep's score bar; scores and
attainments are coloured against the share of the ranked period gone by (report.look).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from sheetsync.config.values import Config, KpiDef
from sheetsync.i18n import Language
from sheetsync.plan import PERCENT, Box, Cell, ChartPlan, ColourRule, Series, TabPlan, value
from sheetsync.report.look import band_rule, fit_widths, share_rules

NOTE_WIDTH = 40
"""The Note column's width (characters): a long reason runs on under the chart beside it."""


def ranking_tab(
    config: Config, lang: Language, title: str, ranking: pd.DataFrame, rep_kpis: pd.DataFrame
) -> TabPlan:
    """The Ranking tab in `lang`, with its rules and chart (none when nobody is ranked)."""
    kpis = {kpi.key: kpi for kpi in config.kpis}
    measures = [c for c in ranking.columns if ":" in str(c)]
    weighted = config.ranking.by is None
    moved = bool(ranking["movement"].notna().any())
    labels = [_measure_label(lang, kpis, c) for c in measures]
    goal = [lang.text("ranking.chart.goal")] if weighted else []
    names = [lang.text(f"col.{key}") for key in ("rank", "rep", "team", "score")]
    moves = [lang.text("col.movement")] if moved else []
    head = (*names, *moves, *labels, *goal)
    rows = [tuple(Cell(name, bold=True) for name in (*head, lang.text("col.note")))]
    for record in ranking.to_dict("records"):
        rows.append(_row(config, lang, kpis, record, measures, moved))
    ranked = int(ranking["rank"].notna().sum())
    first_measure = 4 + int(moved)
    measure_box = Box(1, first_measure, len(rows), first_measure + len(measures))
    rules = _rules(config, rep_kpis, measure_box, len(rows[0])) if weighted else []
    chart = _chart(lang, len(head) - 1, ranked, weighted, len(rows[0])) if ranked else None
    return TabPlan(
        "ranking",
        title,
        tuple(rows),
        1,
        _widths(rows, lang),
        frozen_columns=2,
        rules=tuple(rules),
        charts=(chart,) if chart else (),
    )


def _widths(rows: list[tuple[Cell, ...]], lang: Language) -> tuple[int, ...]:
    """Fitted widths, the note's capped: a long reason runs on under the chart beside it."""
    widths = fit_widths(rows, lang)
    return (*widths[:-1], min(widths[-1], NOTE_WIDTH))


def _measure_label(lang: Language, kpis: Mapping[str, KpiDef], column: str) -> str:
    """A measure column's header: "<KPI> attainment" or "<KPI> actual", in `lang`."""
    kind, key = column.split(":", 1)
    return lang.text(f"ranking.measure.{kind}", kpi=kpis[key].label)


def _row(
    config: Config,
    lang: Language,
    kpis: Mapping[str, KpiDef],
    record: Mapping[Any, Any],
    measures: list[str],
    moved: bool,
) -> tuple[Cell, ...]:
    score_format = kpis[config.ranking.by].number_format if config.ranking.by else PERCENT
    cells = [
        Cell(value(record["rank"]), "0"),
        Cell(value(record["rep"])),
        Cell(value(record["team"])),
        Cell(value(record["score"]), score_format),
        *([Cell(lang.movement(record["movement"]) or None)] if moved else []),
    ]
    for column in measures:
        kind, key = column.split(":", 1)
        fmt = PERCENT if kind == "attainment" else kpis[key].number_format
        cells.append(Cell(value(record[column]), fmt))
    if config.ranking.by is None:
        ranked = value(record["rank"]) is not None
        cells.append(Cell(1.0 if ranked else None, PERCENT))
    cells.append(Cell(value(record["reason"])))
    return tuple(cells)


def period_share(config: Config, rep_kpis: pd.DataFrame) -> float | None:
    """The share of the ranked period gone by (1 once it is over), as expected / target of
    any row of that period with a goal; None when no row has one."""
    rows = rep_kpis[(rep_kpis["period_kind"] == config.ranking.period) & (rep_kpis["target"] > 0)]
    rows = rows[rows["expected"].notna()]
    if rows.empty:
        return None
    first = rows.iloc[0]
    return float(first["expected"]) / float(first["target"])


def _rules(config: Config, rep_kpis: pd.DataFrame, measures: Box, width: int) -> list[ColourRule]:
    """Score and attainment columns coloured against the period's share; long lists banded."""
    share = period_share(config, rep_kpis)
    rules: list[ColourRule] = []
    if share is not None and measures.bottom > 1:
        rules += share_rules(Box(1, 3, measures.bottom, 4), share, config.status)
        if measures.right > measures.left:
            rules += share_rules(measures, share, config.status)
    return rules + band_rule(Box(1, 0, measures.bottom, width))


def _chart(lang: Language, goal_column: int, ranked: int, weighted: bool, width: int) -> ChartPlan:
    """Score bars for the ranked reps (rows 1..ranked), with the goal as a line."""
    rows = Box(1, 1, 1 + ranked, 2)
    series = [Series(lang.text("col.score"), Box(1, 3, 1 + ranked, 4))]
    if weighted:
        goal = Box(1, goal_column, 1 + ranked, goal_column + 1)
        series.append(Series(lang.text("ranking.chart.goal"), goal, True))
    return ChartPlan(
        title=lang.text("ranking.chart.title"),
        categories=rows,
        series=tuple(series),
        anchor_row=1,
        anchor_column=width + 1,
        percent=weighted,
        width=max(480, 40 * ranked + 160),
    )
