"""Level-by-level weighted aggregation of normalised indicators up to the composite index.

Five means (arithmetic, geometric, harmonic, generalised, TOPSIS closeness), weights re-normalised over
the children a unit has, and an optional data-availability threshold per aggregate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import EngineError
from .hierarchy import Hierarchy
from .normalise import as_numeric_frame

if TYPE_CHECKING:  # pipeline imports this module; the spec type is only needed for annotations
    from .pipeline import MethodSpec

__all__ = ["aggregate", "aggregate_thresholds", "effective_weights"]

# Shares are k/n; a threshold typed as 0.6667 for 2/3 must not drop an aggregate by a rounding hair.
_SHARE_TOL = 1e-9
_NAMES = {
    "arithmetic": "算术平均",
    "geometric": "几何平均",
    "harmonic": "调和平均",
    "generalised": "广义平均（幂平均）",
    "topsis": "TOPSIS 贴近度",
}


def _indicator_matrix(normalised: pd.DataFrame, hierarchy: Hierarchy) -> np.ndarray:
    """Return the normalised values as float64 with columns in ``hierarchy.indicators`` order."""
    cols = [str(c) for c in normalised.columns]
    missing = [c for c in hierarchy.indicators if c not in cols]
    extra = [c for c in cols if c not in hierarchy]
    if missing or extra or len(set(cols)) != len(cols):
        parts = []
        if missing:
            parts.append(f"缺少指标列：{'、'.join(missing)}")
        if extra:
            parts.append(f"多出指标体系中没有的列：{'、'.join(extra)}")
        if len(set(cols)) != len(cols):
            parts.append("存在重复的列名")
        raise EngineError(
            "数据列与指标体系不一致（" + "；".join(parts) + "）；请使数据列与指标体系的指标一一对应。"
        )
    frame = as_numeric_frame(normalised)
    frame.columns = cols
    return frame[hierarchy.indicators].to_numpy(dtype="float64")


def _positive_error(
    hierarchy: Hierarchy, spec: MethodSpec, node: str, unit: object, value: float, is_indicator: bool
) -> EngineError:
    what = "指标" if is_indicator else "下级"
    name = _NAMES.get(spec.aggregation, spec.aggregation)
    if getattr(spec, "normalisation", "minmax") == "minmax":
        fix = "请将最小-最大标准化的下限设为大于 0（如 1–100），或改用算术平均"
    else:
        fix = "请改用下限大于 0 的最小-最大标准化（如 1–100），或改用算术平均"
    return EngineError(
        f"{name}要求所有标准化值为正数，{what}「{hierarchy.label(node)}」在「{unit}」处为 {value:g}；{fix}。"
    )


def aggregate_thresholds(hierarchy: Hierarchy, spec: object) -> dict[str, float]:
    """Return each aggregate's minimum share of present children from ``spec.aggregate_threshold``."""
    t = getattr(spec, "aggregate_threshold", 0.0)
    if isinstance(t, Mapping):
        unknown = [c for c in t if c not in hierarchy.aggregates]
        if unknown:
            raise EngineError(
                f"合成数据可用率门槛中的「{'、'.join(unknown)}」不是指标体系中的汇总节点；请检查编码。"
            )
        return {a: float(t.get(a, 0.0)) for a in hierarchy.aggregates}
    return dict.fromkeys(hierarchy.aggregates, float(t))


def _weights_of(hierarchy: Hierarchy, weights: Mapping[str, float] | None, kids: list[str]) -> np.ndarray:
    if weights is None:
        return np.array([hierarchy.weight(k) for k in kids])
    return np.array([float(weights[k]) for k in kids])


def _mean(method: str, x: np.ndarray, present: np.ndarray, w: np.ndarray, p: float) -> np.ndarray:
    """Weighted mean of each row of ``x`` over its present entries (weights re-normalised)."""
    den = present @ w
    xs = np.where(present, x, 1.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "arithmetic" or (method == "generalised" and p == 1.0):
            out = np.where(present, x, 0.0) @ w / den
        elif method == "geometric" or (method == "generalised" and p == 0.0):
            out = np.exp(np.where(present, np.log(xs), 0.0) @ w / den)
        elif method == "harmonic":
            out = den / (np.where(present, 1.0 / xs, 0.0) @ w)
        elif method == "generalised":
            # c · (Σ w (x/c)^p / Σ w)^(1/p) with c the largest (p > 0) or smallest (p < 0) value, so every
            # (x/c)^p ≤ 1, written with expm1/log1p so it stays exact as p → 0 (the geometric mean).
            ref = np.where(present, xs, -np.inf if p > 0 else np.inf)
            c = ref.max(axis=1) if p > 0 else ref.min(axis=1)
            c = np.where(np.isfinite(c), c, 1.0)[:, None]
            inner = np.where(present, np.expm1(p * np.log(xs / c)), 0.0) @ w / den
            out = np.where(c[:, 0] == 0, 0.0, c[:, 0] * np.exp(np.log1p(inner) / p))
        else:  # topsis: closeness to the best unit vs the worst, per child, with re-normalised weights
            wn = present * w / den[:, None]
            best = np.nanmax(np.where(present, x, -np.inf), axis=0)
            worst = np.nanmin(np.where(present, x, np.inf), axis=0)
            d_best = np.sqrt((np.where(present, wn * (x - best), 0.0) ** 2).sum(axis=1))
            d_worst = np.sqrt((np.where(present, wn * (x - worst), 0.0) ** 2).sum(axis=1))
            out = d_worst / (d_best + d_worst)
    return out


def aggregate(
    normalised: pd.DataFrame,
    hierarchy: Hierarchy,
    spec: MethodSpec,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Aggregate normalised indicators level by level up to the root.

    Each aggregate node is the weighted mean of its children, computed separately for each unit with the
    sibling weights re-normalised over the children that are not missing for that unit (as COINr and R's
    ``weighted.mean(na.rm = TRUE)``). A node whose present children all have weight 0, that has no present
    child, or whose share of present children is below its ``spec.aggregate_threshold``, is missing (NaN)
    and in turn drops out of its parent's mean.

    - ``"arithmetic"``: ``Σ w x / Σ w``;
    - ``"geometric"``: ``exp(Σ w ln x / Σ w)`` (needs x > 0);
    - ``"harmonic"``: ``Σ w / Σ (w / x)`` (needs x > 0);
    - ``"generalised"``: ``(Σ w x^p / Σ w)^(1/p)`` with ``p = spec.generalised_p`` (p = 0 is the geometric
      mean; needs x > 0 for p ≤ 0 and x ≥ 0 otherwise);
    - ``"topsis"``: closeness ``D⁻ / (D⁺ + D⁻)`` in 0–1, where ``D⁺``/``D⁻`` are the weighted Euclidean
      distances to the best/worst value of each child among the units given.

    Parameters
    ----------
    normalised : DataFrame
        Units × indicators (exactly ``hierarchy.indicators`` as a set), normalised values.
    hierarchy : Hierarchy
        The framework.
    spec : MethodSpec
        ``aggregation``, ``generalised_p`` and ``aggregate_threshold`` are read (``normalisation`` for
        messages).
    weights : mapping of str to float, optional
        Weight of every node relative to its siblings (see :func:`.weights.node_weights`); default the
        framework's.

    Returns
    -------
    DataFrame
        Units × aggregate codes, columns in ``hierarchy.aggregates`` order (bottom-up, root last).

    Raises
    ------
    EngineError
        If columns do not match the indicators, or a mean that needs positive values meets one ≤ 0.
    """
    method = spec.aggregation
    if method not in _NAMES:
        raise EngineError(
            f"未知的合成方法「{method}」；可选：arithmetic（算术平均）、geometric（几何平均）、harmonic（调和平均）、"
            "generalised（广义平均）、topsis（TOPSIS 贴近度）。"
        )
    p = float(getattr(spec, "generalised_p", 1.0))
    ind = _indicator_matrix(normalised, hierarchy)
    n_units = ind.shape[0]
    pos = {c: j for j, c in enumerate(hierarchy.indicators + hierarchy.aggregates)}
    values = np.full((n_units, len(pos)), np.nan)
    values[:, : ind.shape[1]] = ind

    strict_pos = method in ("geometric", "harmonic") or (method == "generalised" and p <= 0)
    if strict_pos or method == "generalised":
        bad = ~np.isnan(ind) & ((ind <= 0) if strict_pos else (ind < 0))
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise _positive_error(
                hierarchy, spec, hierarchy.indicators[j], normalised.index[i], ind[i, j], is_indicator=True
            )
    thresholds = aggregate_thresholds(hierarchy, spec)
    for node in hierarchy.aggregates:
        kids = hierarchy.children(node)
        x = values[:, [pos[k] for k in kids]]
        w = _weights_of(hierarchy, weights, kids)
        present = ~np.isnan(x)
        out = _mean(method, x, present, w, p)
        ok = (present @ w > 0) & (present.mean(axis=1) >= thresholds[node] - _SHARE_TOL)
        values[:, pos[node]] = np.where(ok, out, np.nan)

    agg_cols = values[:, len(hierarchy.indicators) :]
    return pd.DataFrame(agg_cols, index=normalised.index, columns=list(hierarchy.aggregates))


def effective_weights(
    normalised: pd.DataFrame,
    hierarchy: Hierarchy,
    weights: Mapping[str, float] | None = None,
    spec: object | None = None,
) -> pd.DataFrame:
    """Return each indicator's effective weight in each unit's root index.

    The effective weight is the product, along the path from the indicator to the root, of each node's
    weight re-normalised over its siblings that are present for that unit — exactly the weights
    :func:`aggregate` used. Hence, per unit, the weights of present indicators sum to one, the arithmetic
    index equals ``sum(weight * value)`` and the geometric index equals ``exp(sum(weight * ln value))``.

    Parameters
    ----------
    normalised : DataFrame
        Units × indicators, normalised values (only missingness is read).
    hierarchy : Hierarchy
        The framework.
    weights : mapping of str to float, optional
        Node weights as passed to :func:`aggregate`; default the framework's.
    spec : MethodSpec, optional
        Only ``aggregate_threshold`` is read (presence of aggregates); default no threshold.

    Returns
    -------
    DataFrame
        Units × indicators in ``hierarchy.indicators`` order: 0 for a missing indicator, NaN on every
        column for a unit whose index is missing.
    """
    ind = _indicator_matrix(normalised, hierarchy)
    pos = {c: j for j, c in enumerate(hierarchy.indicators + hierarchy.aggregates)}
    thresholds = aggregate_thresholds(hierarchy, spec) if spec is not None else {}
    present = np.zeros((ind.shape[0], len(pos)), dtype=bool)
    present[:, : ind.shape[1]] = ~np.isnan(ind)
    # Bottom-up: a node is present when its present children carry positive total weight (as in aggregate).
    for node in hierarchy.aggregates:
        kids = [pos[k] for k in hierarchy.children(node)]
        w = _weights_of(hierarchy, weights, hierarchy.children(node))
        share = present[:, kids].mean(axis=1)
        present[:, pos[node]] = ((present[:, kids] @ w) > 0) & (
            share >= thresholds.get(node, 0.0) - _SHARE_TOL
        )

    # Top-down: multiply re-normalised sibling weights along the path.
    eff = np.zeros(present.shape)
    eff[:, pos[hierarchy.root]] = present[:, pos[hierarchy.root]]
    for node in reversed(hierarchy.aggregates):
        kids = [pos[k] for k in hierarchy.children(node)]
        w = _weights_of(hierarchy, weights, hierarchy.children(node))
        wp = present[:, kids] * w
        den = wp.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(den > 0, wp / den, 0.0)
        eff[:, kids] = share * eff[:, [pos[node]]]
    out = eff[:, : ind.shape[1]]
    out[~present[:, pos[hierarchy.root]]] = np.nan
    return pd.DataFrame(out, index=normalised.index, columns=list(hierarchy.indicators))
