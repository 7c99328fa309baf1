"""Per-unit explanations: contributions to any aggregate, strengths and weaknesses, and what it would take.

Reads a finished :class:`~.pipeline.EvaluationResult`; "what would it take" re-runs ``evaluate`` only when
no closed form applies.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .aggregate import effective_weights
from .errors import EngineError
from .hierarchy import Hierarchy, Node
from .normalise import as_numeric_frame
from .pipeline import EvaluationResult, evaluate

__all__ = ["RankGain", "node_contributions", "strengths_weaknesses", "what_would_it_take"]

# Bisection search: the value is raised by 1, 2, 4 … column ranges until the rank is reached, then halved.
_MAX_DOUBLINGS = 31
_BISECTIONS = 80


def strengths_weaknesses(
    normalised: pd.DataFrame, unit: str, k: int = 3
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Return a unit's strongest and weakest indicators relative to the median unit.

    For each indicator the gap is the unit's normalised value minus the median over all units (missing
    values ignored). Normalised values already point "higher is better", so the gap is comparable across
    positive and negative indicators.

    Parameters
    ----------
    normalised : DataFrame
        Units × indicators, normalised values (e.g. ``EvaluationResult.normalised``).
    unit : str
        The unit's code (index label).
    k : int, default 3
        How many of each to return.

    Returns
    -------
    strengths : list of (str, float)
        Up to ``k`` (indicator, gap) with a positive gap, largest first.
    weaknesses : list of (str, float)
        Up to ``k`` (indicator, gap) with a negative gap, most negative first.

    Notes
    -----
    Indicators where the unit, or every unit, is missing are skipped. A gap of exactly 0 is neither a
    strength nor a weakness, so fewer than ``k`` may be returned. Ties keep the column order.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise EngineError(f"k 必须是非负整数，收到 {k!r}。")
    values = as_numeric_frame(normalised)
    labels = [str(u) for u in values.index]
    if str(unit) not in labels:
        raise EngineError(f"单位「{unit}」不在评价结果中；请检查单位编码。")
    row = values.iloc[labels.index(str(unit))]
    gap = (row - values.median(axis=0, skipna=True)).dropna()
    # Stable sort keeps the framework's column order among equal gaps, so output is deterministic.
    strong = gap[gap > 0].sort_values(ascending=False, kind="stable").head(k)
    weak = gap[gap < 0].sort_values(ascending=True, kind="stable").head(k)
    return (
        [(str(c), float(v)) for c, v in strong.items()],
        [(str(c), float(v)) for c, v in weak.items()],
    )


# --- Contributions to any aggregate ------------------------------------------------------------------


def _subtree(hierarchy: Hierarchy, node: str, weights: Mapping[str, float] | None = None) -> Hierarchy:
    """The part of the framework below ``node``, with ``node`` as its root (order kept; ``weights``, the
    run's nominal weights, replace the framework's where given)."""
    if node not in hierarchy.aggregates:
        raise EngineError(f"「{node}」不是指标体系中的汇总节点；请填写总指数或某个维度的编码。")
    below, stack = {node}, [node]
    while stack:
        kids = hierarchy.children(stack.pop())
        below.update(kids)
        stack.extend(kids)
    weights = weights or {}
    return Hierarchy(
        [
            Node(
                n.code,
                None if n.code == node else n.parent,
                weights.get(n.code, n.weight),
                n.direction,
                n.name,
            )
            for n in hierarchy.nodes
            if n.code in below
        ]
    )


def _node_weights(result: EvaluationResult, node: str, normalised: pd.DataFrame) -> pd.DataFrame:
    """Effective weights of the indicators below ``node`` within it, as the run aggregated them."""
    sub = _subtree(result.hierarchy, node, getattr(result, "weights", None))
    spec = result.spec
    t = getattr(spec, "aggregate_threshold", 0.0)
    if isinstance(t, Mapping):  # keep only the thresholds of aggregates inside the subtree
        spec = dataclasses.replace(spec, aggregate_threshold={k: v for k, v in t.items() if k in sub})
    return effective_weights(normalised[sub.indicators], sub, None, spec)


def node_contributions(result: EvaluationResult, node: str | None = None) -> pd.DataFrame:
    """Each indicator's contribution to each unit's score on an aggregate node.

    The contribution is the indicator's effective weight within ``node`` (the product of the re-normalised
    sibling weights on the path from the indicator up to ``node``) times its normalised value (arithmetic
    aggregation; each row sums to the node's score) or times the log of it (geometric; each row sums to
    ``ln`` of the node's score). For the root this equals ``result.contributions()``.

    Parameters
    ----------
    result : EvaluationResult
        A finished evaluation.
    node : str, optional
        Aggregate code (a dimension, a sub-index or the index); default the index.

    Returns
    -------
    DataFrame
        Units × the indicators below ``node`` (framework order); NaN where the indicator is missing or the
        unit has no score on ``node``.

    Raises
    ------
    EngineError
        If ``node`` is not an aggregate, or the aggregation is neither arithmetic nor geometric.
    """
    h = result.hierarchy
    node = node or h.root
    agg = getattr(result.spec, "aggregation", "arithmetic")
    if agg not in ("arithmetic", "geometric"):
        raise EngineError(f"贡献分解只适用于算术平均和几何平均，当前合成方法为「{agg}」。")
    weights = _node_weights(result, node, result.normalised)
    values = result.normalised[weights.columns]
    if agg == "geometric":
        values = np.log(values.where(values > 0))
    return (weights * values).where(values.notna())


# --- What would it take ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankGain:
    """The smallest improvement of one indicator that lifts a unit by some ranks, all else fixed.

    Attributes
    ----------
    unit, indicator, node : str
        The unit, the indicator changed and the aggregate whose rank counts.
    current_value : float
        The indicator's raw value now.
    required_value : float or None
        The raw value at which the target rank is reached (ties share the best rank, so reaching a tie
        counts); ``None`` when no value is enough.
    change : float or None
        ``required_value - current_value`` in the indicator's raw units (negative for a 逆向 indicator,
        whose improvement is a decrease).
    current_rank, target_rank, best_rank : int
        Rank now, rank asked for, and the best rank this indicator alone can give.
    method : {"exact", "bisection"}
        Closed form (arithmetic aggregation of min-max values) or bisection on the whole pipeline.
    message : str
        The answer as a Chinese sentence for the user.
    """

    unit: str
    indicator: str
    node: str
    current_value: float
    required_value: float | None
    change: float | None
    current_rank: int
    target_rank: int
    best_rank: int
    method: str
    message: str


def _exact_applies(spec: object, indicator: str) -> bool:
    # The closed form needs scores affine in the min-max value with data-independent weights; any step
    # that reshapes the column or derives weights from the data sends the search to bisection instead.
    return (
        getattr(spec, "normalisation", None) == "minmax"
        and getattr(spec, "aggregation", None) == "arithmetic"
        and getattr(spec, "treat", "none") == "none"
        and getattr(spec, "impute", "none") == "none"
        and not getattr(spec, "denominate", None)
        and indicator not in (getattr(spec, "normalise_overrides", None) or {})
        and getattr(spec, "weighting", "given") == "given"
    )


def _overtake_threshold(
    cu: float, eu: float, cv: float, ev: float, zv: float, z0: float, lo: float, hi: float, a: float, b: float
) -> float:
    """Smallest z ≥ z0 at which unit u's score reaches competitor v's (``inf`` if never).

    Scores are ``c + e·n`` with ``n`` the min-max value of the direction-adjusted indicator; ``lo``/``hi``
    are the column's min/max over the *other* units, so u's own value moves the bounds when it passes them.
    On each piece the gap u − v is monotone, so the first piece with a solution gives the answer.
    """
    span = b - a
    if z0 < lo:  # u is the unique minimum: the lower bound follows u, u stays at a, others fall
        k = cu + eu * a - cv - ev * a
        if ev == 0 or zv == z0:
            if k >= 0:
                return z0
        else:
            q = k / (ev * span)
            z = z0 if q >= 1 else max(z0, (zv - q * hi) / (1 - q))
            if z < lo:
                return z
    start = max(z0, lo)
    if hi > lo and start <= hi:  # bounds fixed: u's value rises linearly, others stay
        if eu > 0:
            z = max(
                start,
                lo + (cv + ev * (a + (zv - lo) / (hi - lo) * span) - cu - eu * a) * (hi - lo) / (eu * span),
            )
            if z <= hi:
                return z
    start = max(z0, hi)  # u is the maximum: u stays at b, the upper bound follows u, others fall towards a
    k = cu + eu * b - cv - ev * a
    p = ev * span * (zv - lo)
    if p <= 0:
        return start if k >= 0 else math.inf
    return max(start, lo + p / k) if k > 0 else math.inf


def _exact_thresholds(result: EvaluationResult, unit: str, indicator: str, node: str) -> np.ndarray:
    """Direction-adjusted values at which the unit catches each unit now ahead of it on ``node``."""
    h = result.hierarchy
    scored = result.scores[node].notna().to_numpy()
    z = h.directions[indicator] * result.data.loc[scored, indicator]
    n = result.normalised.loc[scored, indicator]
    s = result.scores.loc[scored, node]
    e = _node_weights(result, node, result.normalised.loc[scored])[indicator].fillna(0.0)
    c = s - e * n.fillna(0.0)  # the score without this indicator's share, fixed while only u's value moves
    others = z.drop(index=unit).dropna()
    lo, hi = float(others.min()), float(others.max())
    a, b = result.spec.minmax_range
    out = []
    for v in s.index[(s > s[unit]).to_numpy()]:
        zv = float(z[v]) if not np.isnan(z[v]) else lo  # a missing value has e = 0: any finite stand-in
        out.append(_overtake_threshold(c[unit], e[unit], c[v], e[v], zv, float(z[unit]), lo, hi, a, b))
    return np.asarray(out, dtype="float64")


def _rank_with(result: EvaluationResult, unit: str, indicator: str, node: str, value: float) -> int:
    data = result.data.copy()
    data.loc[unit, indicator] = value
    return int(evaluate(data, result.hierarchy, result.spec).ranks.loc[unit, node])


def _bisect(
    result: EvaluationResult, unit: str, indicator: str, node: str, target: int
) -> tuple[float | None, int]:
    """Smallest improvement (raw value) reaching ``target``, assuming the rank is monotone in the value."""
    d = result.hierarchy.directions[indicator]
    col = result.data[indicator].dropna()
    x0 = float(result.data.loc[unit, indicator])
    step = float(col.max() - col.min()) or abs(x0) or 1.0
    good, best = None, _rank_with(result, unit, indicator, node, x0)
    for i in range(_MAX_DOUBLINGS):
        x = x0 + d * step * 2.0**i
        rank = _rank_with(result, unit, indicator, node, x)
        best = min(best, rank)
        if rank <= target:
            good = x
            break
    if good is None:
        return None, best
    bad = x0 if good == x0 + d * step else x0 + d * step * 2.0 ** (i - 1)
    for _ in range(_BISECTIONS):
        mid = 0.5 * (bad + good)
        if _rank_with(result, unit, indicator, node, mid) <= target:
            good = mid
        else:
            bad = mid
        if abs(good - bad) <= 1e-10 * step:
            break
    return good, target


def what_would_it_take(
    result: EvaluationResult, unit: str, indicator: str, gain: int = 1, node: str | None = None
) -> RankGain:
    """The smallest improvement of one indicator that lifts a unit ``gain`` ranks, all else fixed.

    "Improvement" is a rise for a positive (正向) indicator and a fall for a negative (逆向) one. With
    arithmetic aggregation of min-max values (and no treatment, imputation, denominators or data-driven
    weights) the answer is exact: every unit's score is affine in its normalised value, and the only
    non-linearity — the unit's value passing the column's maximum (or leaving its minimum), which moves the
    normalisation bounds and lowers everyone else's value — is solved piece by piece. Otherwise the whole
    pipeline is re-run with the value raised by doubling steps of the column's range (up to 2^30 ranges)
    and then bisected, which assumes the rank improves monotonically with the value.

    Parameters
    ----------
    result : EvaluationResult
        A finished evaluation (its ``data``, ``spec`` and ``hierarchy`` are re-used).
    unit, indicator : str
        The unit and the indicator to change; the unit must have a value for it.
    gain : int, default 1
        Ranks to gain (≥ 1).
    node : str, optional
        Aggregate whose rank counts; default the index.

    Returns
    -------
    RankGain
        With ``required_value=None`` and a message saying so when no value of this indicator is enough.

    Raises
    ------
    EngineError
        Unknown unit, indicator or node; unit not ranked or missing the indicator; ``gain`` < 1.
    """
    h = result.hierarchy
    node = node or h.root
    _subtree(h, node)
    if indicator not in h.indicators:
        raise EngineError(f"「{indicator}」不是指标体系中的指标；请检查指标编码。")
    if isinstance(gain, bool) or not isinstance(gain, (int, np.integer)) or gain < 1:
        raise EngineError(f"前进名次 gain 应为正整数，收到 {gain!r}。")
    unit = str(unit)
    if unit not in result.scores.index or pd.isna(result.ranks.loc[unit, node]):
        raise EngineError(f"单位「{unit}」不在评价结果中或没有排名；请检查单位编码。")
    x0 = result.data.loc[unit, indicator]
    if pd.isna(x0):
        raise EngineError(
            f"单位「{unit}」的指标「{h.label(indicator)}」缺失，无法计算需要提高多少；请先补齐数据。"
        )
    x0, d = float(x0), h.directions[indicator]
    r0 = int(result.ranks.loc[unit, node])
    target = r0 - int(gain)
    word = "提高" if d > 0 else "降低"
    where = "总指数" if node == h.root else f"「{h.label(node)}」"
    if target < 1:
        msg = f"「{unit}」在{where}中目前排名第 {r0}，前面只有 {r0 - 1} 个单位，无法前进 {gain} 名。"
        return RankGain(unit, indicator, node, x0, None, None, r0, target, r0, "exact", msg)
    if _exact_applies(result.spec, indicator):
        method = "exact"
        thresholds = np.sort(_exact_thresholds(result, unit, indicator, node))
        finite = thresholds[np.isfinite(thresholds)]
        best = r0 - len(finite)
        required = d * float(thresholds[gain - 1]) if gain <= len(finite) else None
    else:
        method = "bisection"
        required, best = _bisect(result, unit, indicator, node, target)
    label = h.label(indicator)
    if required is None:
        msg = f"仅{word}「{label}」无法使「{unit}」在{where}中前进 {gain} 名：其他指标不变时，" + (
            f"该指标无论{word}多少，排名最多升至第 {best} 名。"
            if best < r0
            else f"该指标无论{word}多少，排名都不会提升。"
        )
        return RankGain(unit, indicator, node, x0, None, None, r0, target, best, method, msg)
    msg = (
        f"其他指标不变时，「{unit}」的「{label}」需从 {x0:.6g} {word}到 {required:.6g}"
        f"（{word} {abs(required - x0):.6g}），{where}排名可从第 {r0} 名升至第 {target} 名。"
    )
    return RankGain(unit, indicator, node, x0, required, required - x0, r0, target, best, method, msg)
