"""The leaderboard: ranks active reps over one period from the Rep KPIs table.

Weighted mode (default): score = sum(w_k x min(attainment_k, cap)) / sum(w_k) over the weighted
KPIs (weight > 0) for which the rep has a target (a zero target counts as no target). A rep
with no target for any weighted KPI is listed unranked with the reason. `by: <kpi>` mode ranks
by that KPI's actual instead (highest first); the score column then holds that actual.

Equal scores (compared to 4 decimals) share a rank and the next rank skips (1, 2, 2, 4); within
a tie reps are ordered by name, case-insensitively. Movement compares each ranked rep's rank
with `previous_ranks` (from the latest earlier History snapshot): "up 2", "down 1", "same", or
"new" when the rep was not ranked then; blank for everyone when there is no snapshot, and blank
for unranked reps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from sheetsync.config.values import KpiDef, RankingConfig
from sheetsync.kpi.finite import rounded as finite_rounded

__all__ = ["RANKING_COLUMNS", "movement", "places_up", "rank"]

RANKING_COLUMNS = ("rank", "rep", "team", "score", "movement", "reason")
_DECIMALS = 4
_LARGEST_DOUBLE = float(np.finfo(np.float64).max)
"""A weighted mean of attainments (each at least -1.8e308) is no lower, though its sum may be."""
_UP = re.compile(r"up (\d+)")
FloatArray = npt.NDArray[np.float64]


def rank(
    rep_kpis: pd.DataFrame,
    roster: pd.DataFrame,
    ranking: RankingConfig,
    kpis: Sequence[KpiDef],
    period_label: str,
    previous_ranks: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """The ranking table for the period labelled `period_label`.

    Ranked reps are the active roster reps (without a roster: every rep in `rep_kpis` for that
    period). Columns: `RANKING_COLUMNS`, then `attainment:<kpi>` per weighted KPI (in `by`
    mode, `actual:<kpi>`). `rank` is Int64 (<NA> when unranked). Rows: ranked reps by rank and
    name, then unranked reps by name.
    """
    by_key = {kpi.key: kpi for kpi in kpis}
    keys = _ranked_kpis(ranking, by_key)
    measure = "actual" if ranking.by else "attainment"
    rows = rep_kpis[(rep_kpis["period"] == period_label) & (rep_kpis["level"] == "rep")]
    reps, teams = _eligible(rows, roster)
    wide = rows.drop_duplicates(["name", "kpi"]).pivot(index="name", columns="kpi", values=measure)
    wide = wide.reindex(index=list(reps), columns=keys).astype(float)
    labels = [by_key[key].label for key in keys]
    when = f"this {ranking.period}"
    if ranking.by:
        score, reason = _by_actual(wide, labels[0], when)
    else:
        weights = np.array([ranking.weights[key] for key in keys], dtype=float)
        score, reason = _weighted(wide, weights, ranking.cap, labels, when)
    table = pd.DataFrame(
        {
            "rep": pd.Series(list(reps), dtype=object),
            "team": pd.Series(list(teams), dtype=object),
            "score": score,
            "reason": pd.Series(reason, dtype=object),
        }
    )
    table["rank"] = _competition_rank(table["score"])
    table["movement"] = movement(table["rep"], table["rank"], previous_ranks)
    for key in keys:
        table[f"{measure}:{key}"] = wide[key].to_numpy()
    return _ordered(table, [f"{measure}:{key}" for key in keys])


def _ranked_kpis(ranking: RankingConfig, by_key: Mapping[str, KpiDef]) -> list[str]:
    """The KPI keys the ranking uses, in configured KPI order; unknown keys are an error."""
    wanted = [ranking.by] if ranking.by else [k for k, w in ranking.weights.items() if w > 0]
    unknown = [key for key in wanted if key not in by_key]
    if unknown:
        raise ValueError(f"ranking refers to unknown KPI(s): {', '.join(unknown)}")
    return [key for key in by_key if key in wanted]


def _eligible(rows: pd.DataFrame, roster: pd.DataFrame) -> tuple[list[str], list[str | None]]:
    """Reps to list (active roster reps, or every rep without a roster) and their teams."""
    if roster.empty:
        reps = sorted(set(rows["name"].astype(str)), key=_name_key)
        return reps, [None] * len(reps)
    active = roster[roster["active"].astype(bool)]
    teams: dict[str, str | None] = {}
    for rep, team in zip(active["rep"].astype(str), active["team"], strict=True):
        teams.setdefault(rep, team if isinstance(team, str) and team.strip() else None)
    reps = sorted(teams, key=_name_key)
    return reps, [teams[rep] for rep in reps]


def _name_key(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def _weighted(
    attainment: pd.DataFrame, weights: FloatArray, cap: float, labels: list[str], when: str
) -> tuple[FloatArray, list[str | None]]:
    """Weighted capped attainment per rep, and why a rep is unranked or partly scored."""
    values = attainment.to_numpy(dtype=float)
    has = ~np.isnan(values)
    capped = np.where(has, np.minimum(values, cap), 0.0)
    weight_sum = (has * weights).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        score = np.where(weight_sum > 0, (capped * weights).sum(axis=1) / weight_sum, np.nan)
        if np.isinf(score).any():  # attainments near -1.8e308: weigh each by its share first
            shares = (capped * (weights / weight_sum[:, None])).sum(axis=1)
            score = np.maximum(np.where(np.isinf(score), shares, score), -_LARGEST_DOUBLE)
    reasons: list[str | None] = []
    for row in has:
        missing = [label for label, present in zip(labels, row, strict=True) if not present]
        reasons.append(_reason(missing, len(labels), when))
    return score, reasons


def _reason(missing: list[str], weighted: int, when: str) -> str | None:
    """Unranked: "no goal for Revenue, Calls this month"; partly scored: a note saying so."""
    if weighted == 0:
        return "no weighted KPIs configured"
    if not missing:
        return None
    text = f"no goal for {', '.join(missing)} {when}"
    return text if len(missing) == weighted else f"{text}; scored on the other KPIs"


def _by_actual(actual: pd.DataFrame, label: str, when: str) -> tuple[FloatArray, list[str | None]]:
    """The `by` KPI's actual per rep; a blank actual (a ratio over nothing) is unranked."""
    score = actual.iloc[:, 0].to_numpy(dtype=float)
    reasons: list[str | None] = [
        f"no {label} figure {when}" if np.isnan(value) else None for value in score
    ]
    return score, reasons


def _competition_rank(score: pd.Series) -> pd.Series:
    """1, 2, 2, 4 ranking of scores rounded to 4 decimals, highest first; NaN is unranked."""
    rounded = pd.Series(finite_rounded(score.to_numpy(dtype=float), _DECIMALS), index=score.index)
    ranks = rounded.rank(method="min", ascending=False)
    return ranks.astype("Int64")


def movement(
    reps: pd.Series, ranks: pd.Series, previous_ranks: Mapping[str, int] | None
) -> pd.Series:
    """ "up 2" / "down 1" / "same" / "new" per rep against `previous_ranks` (None: all blank)."""
    labels: list[str | None] = []
    for rep, now in zip(reps, ranks, strict=True):
        labels.append(None if previous_ranks is None else _move(previous_ranks.get(rep), now))
    return pd.Series(labels, index=reps.index, dtype=object)


def places_up(movement_text: object) -> int | None:
    """N for a movement "up N" (as `movement` writes it), else None."""
    found = _UP.fullmatch(movement_text) if isinstance(movement_text, str) else None
    return int(found[1]) if found else None


def _move(before: int | None, now: object) -> str | None:
    if not isinstance(now, int | np.integer):
        return None
    if before is None:
        return "new"
    change = int(before) - int(now)
    if change == 0:
        return "same"
    return f"up {change}" if change > 0 else f"down {-change}"


def _ordered(table: pd.DataFrame, measures: list[str]) -> pd.DataFrame:
    """Ranked reps by rank then name, then unranked reps by name; columns in output order."""
    order = table.assign(
        _unranked=table["rank"].isna(),
        _rank=table["rank"].fillna(0).astype(int),
        _name=table["rep"].map(str.casefold),
    ).sort_values(["_unranked", "_rank", "_name", "rep"], kind="stable")
    return order.loc[:, [*RANKING_COLUMNS, *measures]].reset_index(drop=True)
