"""Ranking of scores (higher is better, ties share the best rank), performance groups and growth."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

from .errors import EngineError
from .normalise import as_numeric_frame

__all__ = ["EIS_LABELS", "EIS_THRESHOLDS", "growth", "performance_groups", "rank_scores"]


def rank_scores(scores: pd.DataFrame, ascending: bool = False) -> pd.DataFrame:
    """Rank units within each column.

    Parameters
    ----------
    scores : DataFrame
        Units × nodes, numeric.
    ascending : bool, default False
        ``False`` ranks the highest score 1 (the platform's and COINr's convention).

    Returns
    -------
    DataFrame
        Same shape, dtype ``Int64``. Tied units share the best rank of the tie and the next rank is skipped
        (``"min"``, i.e. 1, 2, 2, 4), as COINr does. Missing scores get ``<NA>`` and take no rank, so ranks
        run 1..n over the units that have a score. Scores are compared exactly, without rounding.
    """
    numeric = as_numeric_frame(scores)
    ranked = numeric.rank(axis=0, method="min", ascending=ascending, na_option="keep").to_numpy()
    # Build the Int64 columns directly: DataFrame.astype("Int64") costs more than the ranking itself.
    missing = np.isnan(ranked)
    whole = np.where(missing, 0, ranked).astype(np.int64)
    columns = {j: pd.arrays.IntegerArray(whole[:, j], missing[:, j]) for j in range(ranked.shape[1])}
    out = pd.DataFrame(columns, index=numeric.index)
    out.columns = numeric.columns
    return out


# European Innovation Scoreboard performance groups: a unit's score relative to the reference average
# (the EU average in the EIS) — above 125 %, 100–125 %, 70–100 %, below 70 %. European Commission,
# *European Innovation Scoreboard 2021*, methodology report, section "performance groups".
EIS_THRESHOLDS = (1.25, 1.00, 0.70)
EIS_LABELS = ("创新领先", "创新强劲", "创新中等", "创新追赶")


def performance_groups(
    scores: pd.Series,
    reference: float | Sequence[str] | None = None,
    thresholds: Sequence[float] = EIS_THRESHOLDS,
    labels: Sequence[str] = EIS_LABELS,
) -> pd.DataFrame:
    """Place units in performance groups by their score relative to a reference average (EIS practice).

    Parameters
    ----------
    scores : Series
        One score per unit (e.g. the index column of ``result.scores``); higher is better and scores must be
        on a ratio scale (e.g. min-max 0–100), as relative performance is ``score / reference``.
    reference : float, sequence of str or None
        The reference average: a number, the units whose mean is the reference, or ``None`` for the mean of
        every unit with a score.
    thresholds : sequence of float, default (1.25, 1.00, 0.70)
        Strictly decreasing lower bounds of the groups as shares of the reference; a unit exactly on a bound
        belongs to the upper group except at the first (EIS: "above 125 %").
    labels : sequence of str, default ("创新领先", "创新强劲", "创新中等", "创新追赶")
        ``len(thresholds) + 1`` names, best group first.

    Returns
    -------
    DataFrame
        Index: units. Columns ``relative`` (score / reference, float) and ``group`` (label; missing for a
        unit without a score).

    Raises
    ------
    EngineError
        Thresholds not strictly decreasing and positive, wrong number of labels, unknown reference units, or
        a reference average that is not positive.
    """
    values = pd.to_numeric(scores, errors="coerce").astype(float)
    th = [float(t) for t in thresholds]
    if not th or any(t <= 0 for t in th) or any(a <= b for a, b in pairwise(th)):
        raise EngineError(f"绩效分组门槛 {th} 无效：必须是递减的正数，如 [1.25, 1.0, 0.7]。")
    if len(labels) != len(th) + 1:
        raise EngineError(f"绩效分组需要 {len(th) + 1} 个组名（门槛 {len(th)} 个），收到 {len(labels)} 个。")
    if reference is None:
        ref = float(values.mean(skipna=True))
    elif isinstance(reference, (int, float)) and not isinstance(reference, bool):
        ref = float(reference)
    else:
        units = [str(u) for u in reference]  # type: ignore[union-attr]
        index = [str(u) for u in values.index]
        unknown = [u for u in units if u not in index]
        if unknown:
            raise EngineError(f"参照单位「{'、'.join(unknown)}」不在评价结果中；请检查单位编码。")
        ref = float(values[[u in units for u in index]].mean(skipna=True))
    if not ref > 0:
        raise EngineError(f"参照平均值为 {ref:g}，必须大于 0 才能计算相对水平；请使用下限不低于 0 的标准化。")
    rel = values / ref
    group = pd.Series(pd.NA, index=values.index, dtype="object")
    r = rel.to_numpy()
    # EIS: leaders strictly above the first bound; the other groups include their lower bound.
    idx = np.full(r.shape, len(th))
    with np.errstate(invalid="ignore"):
        for k in range(len(th) - 1, 0, -1):
            idx[r >= th[k]] = k
        idx[r > th[0]] = 0
    labelled = np.array(list(labels), dtype=object)[idx]
    group[~np.isnan(r)] = labelled[~np.isnan(r)]
    return pd.DataFrame({"relative": rel, "group": group})


def growth(current: pd.DataFrame, base: pd.DataFrame, kind: str = "relative") -> pd.DataFrame:
    """Change of scores against a base period, unit by unit and node by node.

    Parameters
    ----------
    current, base : DataFrame
        Units × nodes scores of the two periods (aligned by labels; units or nodes in only one are missing).
    kind : {"relative", "absolute"}, default "relative"
        ``"relative"``: ``(current − base) / |base| · 100`` (percent; missing where base is 0);
        ``"absolute"``: ``current − base``. Comparing scores across periods is only meaningful when both
        were normalised against the same bounds (e.g. goalposts, targets or the base year's min-max).

    Returns
    -------
    DataFrame
        Union of the units × nodes, float.
    """
    if kind not in ("relative", "absolute"):
        raise EngineError(f"未知的增长计算方式「{kind}」；可选：relative（百分比变化）、absolute（差值）。")
    cur = as_numeric_frame(current)
    old = as_numeric_frame(base)
    cur, old = cur.align(old, join="outer")
    diff = cur - old
    if kind == "absolute":
        return diff
    return diff / old.abs().where(old != 0) * 100.0
