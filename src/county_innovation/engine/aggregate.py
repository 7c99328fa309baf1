"""Level-by-level weighted aggregation of normalised indicators up to the composite index."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import EngineError
from .hierarchy import Hierarchy
from .normalise import as_numeric_frame

if TYPE_CHECKING:  # pipeline imports this module; the spec type is only needed for annotations
    from .pipeline import MethodSpec

__all__ = ["aggregate", "effective_weights"]


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


def _geometric_error(
    hierarchy: Hierarchy, spec: MethodSpec, node: str, unit: object, value: float, is_indicator: bool
) -> EngineError:
    what = "指标" if is_indicator else "下级"
    if getattr(spec, "normalisation", "minmax") == "minmax":
        fix = "请将最小-最大标准化的下限设为大于 0（如 1–100），或改用算术平均"
    else:
        fix = "请改用下限大于 0 的最小-最大标准化（如 1–100），或改用算术平均"
    return EngineError(
        f"几何平均要求所有标准化值为正数，{what}「{hierarchy.label(node)}」"
        f"在「{unit}」处为 {value:g}；{fix}。"
    )


def aggregate(normalised: pd.DataFrame, hierarchy: Hierarchy, spec: MethodSpec) -> pd.DataFrame:
    """Aggregate normalised indicators level by level up to the root.

    Each aggregate node is the weighted mean of its children, computed separately for each unit with the
    sibling weights re-normalised over the children that are not missing for that unit (as COINr and R's
    ``weighted.mean(na.rm = TRUE)``). A node whose present children all have weight 0, or that has no
    present child, is missing (NaN) and in turn drops out of its parent's mean.

    - ``"arithmetic"``: ``sum(w * x) / sum(w)``;
    - ``"geometric"``: ``exp(sum(w * ln x) / sum(w))``, which needs every present value to be positive.

    Parameters
    ----------
    normalised : DataFrame
        Units × indicators (exactly ``hierarchy.indicators`` as a set), normalised values.
    hierarchy : Hierarchy
        The framework.
    spec : MethodSpec
        Only ``spec.aggregation`` (and, for messages, ``spec.normalisation``) is read.

    Returns
    -------
    DataFrame
        Units × aggregate codes, columns in ``hierarchy.aggregates`` order (bottom-up, root last).

    Raises
    ------
    EngineError
        If columns do not match the indicators, or the geometric mean meets a value ≤ 0.
    """
    if spec.aggregation not in ("arithmetic", "geometric"):
        raise EngineError(
            f"未知的合成方法「{spec.aggregation}」；可选：arithmetic（算术平均）、geometric（几何平均）。"
        )
    geometric = spec.aggregation == "geometric"
    ind = _indicator_matrix(normalised, hierarchy)
    n_units = ind.shape[0]
    pos = {c: j for j, c in enumerate(hierarchy.indicators + hierarchy.aggregates)}
    # One matrix for all nodes so each aggregate reads its children (indicators or lower aggregates) by
    # column index; the bottom-up order guarantees children are filled in first.
    values = np.full((n_units, len(pos)), np.nan)
    values[:, : ind.shape[1]] = ind

    if geometric:
        bad = ~np.isnan(ind) & (ind <= 0)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise _geometric_error(
                hierarchy, spec, hierarchy.indicators[j], normalised.index[i], ind[i, j], is_indicator=True
            )

    for node in hierarchy.aggregates:
        kids = hierarchy.children(node)
        x = values[:, [pos[k] for k in kids]]
        w = np.array([hierarchy.weight(k) for k in kids])
        present = ~np.isnan(x)
        den = present @ w
        with np.errstate(divide="ignore", invalid="ignore"):
            if geometric:
                num = np.where(present, np.log(np.where(present, x, 1.0)), 0.0) @ w
                out = np.exp(num / den)
            else:
                out = np.where(present, x, 0.0) @ w / den
        values[:, pos[node]] = np.where(den > 0, out, np.nan)

    agg_cols = values[:, len(hierarchy.indicators) :]
    return pd.DataFrame(agg_cols, index=normalised.index, columns=list(hierarchy.aggregates))


def effective_weights(normalised: pd.DataFrame, hierarchy: Hierarchy) -> pd.DataFrame:
    """Return each indicator's effective weight in each unit's root index.

    The effective weight is the product, along the path from the indicator to the root, of each node's
    weight re-normalised over its siblings that are present for that unit — exactly the weights
    :func:`aggregate` used. Hence, per unit, the weights of present indicators sum to one, the arithmetic
    index equals ``sum(weight * value)`` and the geometric index equals ``exp(sum(weight * ln value))``.

    Presence depends only on which values are missing, not on the aggregation method, so no spec is needed.

    Parameters
    ----------
    normalised : DataFrame
        Units × indicators, normalised values (only missingness is read).
    hierarchy : Hierarchy
        The framework.

    Returns
    -------
    DataFrame
        Units × indicators in ``hierarchy.indicators`` order: 0 for a missing indicator, NaN on every
        column for a unit whose index is missing.
    """
    ind = _indicator_matrix(normalised, hierarchy)
    pos = {c: j for j, c in enumerate(hierarchy.indicators + hierarchy.aggregates)}
    present = np.zeros((ind.shape[0], len(pos)), dtype=bool)
    present[:, : ind.shape[1]] = ~np.isnan(ind)
    # Bottom-up: a node is present when its present children carry positive total weight (as in aggregate).
    for node in hierarchy.aggregates:
        kids = [pos[k] for k in hierarchy.children(node)]
        w = np.array([hierarchy.weight(k) for k in hierarchy.children(node)])
        present[:, pos[node]] = (present[:, kids] @ w) > 0

    # Top-down: multiply re-normalised sibling weights along the path.
    eff = np.zeros(present.shape)
    eff[:, pos[hierarchy.root]] = present[:, pos[hierarchy.root]]
    for node in reversed(hierarchy.aggregates):
        kids = [pos[k] for k in hierarchy.children(node)]
        w = np.array([hierarchy.weight(k) for k in hierarchy.children(node)])
        wp = present[:, kids] * w
        den = wp.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(den > 0, wp / den, 0.0)
        eff[:, kids] = share * eff[:, [pos[node]]]
    out = eff[:, : ind.shape[1]]
    out[~present[:, pos[hierarchy.root]]] = np.nan
    return pd.DataFrame(out, index=normalised.index, columns=list(hierarchy.indicators))
