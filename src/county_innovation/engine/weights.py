"""Weights: expert-given, equal, AHP (pairwise comparisons), entropy (熵权法), CRITIC and PCA.

The matrix-level functions take one sibling group's values (units × children) and return weights summing
to one; :func:`node_weights` applies the spec's choices to a whole framework and returns the weight of
every node, which :func:`.aggregate.aggregate` then uses instead of the framework's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import EngineError
from .hierarchy import Hierarchy

if TYPE_CHECKING:
    from .spec import MethodSpec

__all__ = [
    "AHP_CR_LIMIT",
    "SAATY_RANDOM_INDEX",
    "AHPResult",
    "ahp_weights",
    "critic_weights",
    "entropy_weights",
    "node_weights",
    "pca_weights",
]

# Saaty's random consistency index RI(n), the mean CI of random reciprocal matrices of order n.
# n = 1–10: T. L. Saaty, *The Analytic Hierarchy Process*, McGraw-Hill, 1980; n = 11–15: T. L. Saaty and
# L. G. Vargas, *Models, Methods, Concepts & Applications of the AHP*, Springer, 2nd ed. 2012, ch. 1.
SAATY_RANDOM_INDEX = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)
# Saaty (1980): a consistency ratio CR = CI / RI below 0.10 is acceptable; otherwise revise the judgments.
AHP_CR_LIMIT = 0.10
# Relative tolerance for a_ji = 1 / a_ij: judgments typed as 0.333 for 1/3 must pass.
_RECIPROCAL_RTOL = 1e-2
# 熵权法 on data with zeros or negative values: shift the column by −min + this share of its range (the
# customary 平移 of 0.0001 after 极差标准化 to 0–1), so ln p is defined and the weights stay invariant to
# the indicator's unit of measure.
ENTROPY_SHIFT = 1e-4


@dataclass(frozen=True)
class AHPResult:
    """Outcome of :func:`ahp_weights`.

    Attributes
    ----------
    weights : ndarray, shape (n,)
        Normalised principal eigenvector (sums to 1).
    lambda_max : float
        Principal eigenvalue.
    ci : float
        Consistency index ``(lambda_max − n)/(n − 1)``.
    cr : float
        Consistency ratio ``ci / RI(n)``; 0 for n ≤ 2 (always consistent).
    """

    weights: np.ndarray
    lambda_max: float
    ci: float
    cr: float


def ahp_weights(matrix: Sequence[Sequence[float]] | np.ndarray, *, where: str = "") -> AHPResult:
    """Weights from an AHP pairwise comparison matrix (Saaty's eigenvector method).

    Parameters
    ----------
    matrix : array-like, shape (n, n)
        ``a_ij`` = how much more important child i is than child j (Saaty's 1–9 scale); positive,
        ``a_ii = 1`` and reciprocal, ``a_ji = 1 / a_ij``.
    where : str
        Node named in messages.

    Returns
    -------
    AHPResult

    Raises
    ------
    EngineError
        Not square, a non-positive entry, a diagonal entry ≠ 1, not reciprocal, n > 15 (no random index),
        or CR ≥ :data:`AHP_CR_LIMIT` (the message states CR).
    """
    label = f"「{where}」的" if where else ""
    try:
        a = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError):
        raise EngineError(f"{label}AHP 判断矩阵含有非数字的元素；请全部填写正数。") from None
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise EngineError(f"{label}AHP 判断矩阵必须是方阵（n 行 n 列），收到形状 {a.shape}。")
    n = a.shape[0]
    if n > len(SAATY_RANDOM_INDEX):
        raise EngineError(f"{label}AHP 判断矩阵有 {n} 阶，超过随机一致性指标表的 15 阶；请分组后再比较。")
    if not np.isfinite(a).all() or (a <= 0).any():
        raise EngineError(f"{label}AHP 判断矩阵的元素必须都是正数（1–9 标度及其倒数）。")
    if not np.allclose(np.diag(a), 1.0):
        raise EngineError(f"{label}AHP 判断矩阵对角线必须全为 1（自己与自己同等重要）。")
    bad = ~np.isclose(a * a.T, 1.0, rtol=_RECIPROCAL_RTOL, atol=0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise EngineError(
            f"{label}AHP 判断矩阵不是互反矩阵：第 {i + 1} 行第 {j + 1} 列为 {a[i, j]:g}，"
            f"而第 {j + 1} 行第 {i + 1} 列为 {a[j, i]:g}，应为其倒数 {1 / a[i, j]:.4g}；请修改。"
        )
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    w = np.abs(vecs[:, k].real)
    w = w / w.sum()
    lam = float(vals[k].real)
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    cr = ci / SAATY_RANDOM_INDEX[n - 1] if n > 2 else 0.0
    if cr >= AHP_CR_LIMIT:
        raise EngineError(
            f"{label}AHP 判断矩阵一致性不足：一致性比率 CR = {cr:.3f}，应小于 {AHP_CR_LIMIT:g}"
            f"（λmax = {lam:.4f}，CI = {ci:.4f}，RI = {SAATY_RANDOM_INDEX[n - 1]:.2f}）；"
            "请调整相互矛盾的判断。"
        )
    return AHPResult(weights=w, lambda_max=lam, ci=float(ci), cr=float(cr))


def _frame(x: pd.DataFrame | np.ndarray) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise EngineError("赋权数据必须是二维表（行为单位、列为指标）且至少有一列。")
    return arr


def _constant(arr: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return ~(np.nanmax(arr, axis=0) > np.nanmin(arr, axis=0))


def _finish(
    raw: np.ndarray, constant: np.ndarray, names: Sequence[str], method: str
) -> tuple[np.ndarray, list[str]]:
    warnings: list[str] = []
    if constant.all():
        raise EngineError(
            f"{method}：所有指标在各单位间取值都相同（或无数据），无法计算权重；请改用等权或给定权重。"
        )
    raw = np.where(constant, 0.0, raw)
    if constant.any():
        listed = "、".join(n for n, c in zip(names, constant, strict=True) if c)
        warnings.append(f"{method}：指标「{listed}」取值全部相同，不提供区分信息，权重记为 0。")
    total = raw.sum()
    if not total > 0:
        raise EngineError(f"{method}得到的权重全部为 0，无法使用；请改用等权或给定权重。")
    return raw / total, warnings


def entropy_weights(
    x: pd.DataFrame | np.ndarray, names: Sequence[str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """Entropy weights (熵权法) of the columns of ``x``.

    ``p_ij = x_ij / Σ_i x_ij``, ``e_j = −Σ_i p_ij ln p_ij / ln n_j`` (``0 ln 0 = 0``, ``n_j`` the units
    with data), ``w_j ∝ 1 − e_j``. A column with a value ≤ 0 is first shifted by ``−min + ENTROPY_SHIFT ·
    range``. Missing values are ignored.

    Parameters
    ----------
    x : array-like, shape (n_units, n_indicators)
        Normalised values (higher = better).
    names : sequence of str, optional
        Column names for messages (defaults to the DataFrame's columns).

    Returns
    -------
    weights : ndarray, shape (n_indicators,)
        Sum to one; 0 for a constant column.
    warnings : list of str
        Chinese notes (constant columns).

    Raises
    ------
    EngineError
        If every column is constant.
    """
    names = list(names if names is not None else getattr(x, "columns", range(np.shape(x)[1])))
    arr = _frame(x)
    constant = _constant(arr)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo, hi = np.nanmin(arr, axis=0), np.nanmax(arr, axis=0)
        shift = np.where(lo <= 0, -lo + ENTROPY_SHIFT * (hi - lo), 0.0)
        y = arr + shift
        present = ~np.isnan(y)
        n = present.sum(axis=0)
        p = np.where(present, y, 0.0) / np.where(present, y, 0.0).sum(axis=0)
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
        e = -plogp.sum(axis=0) / np.log(np.maximum(n, 2))
    d = np.clip(1.0 - e, 0.0, None)
    return _finish(d, constant | (n < 2), [str(v) for v in names], "熵权法")


def critic_weights(
    x: pd.DataFrame | np.ndarray, names: Sequence[str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """CRITIC weights (Diakoulaki et al. 1995): ``w_j ∝ σ_j · Σ_k (1 − r_jk)``.

    ``σ_j`` is the sample sd of column j and ``r`` the Pearson correlations (pairwise complete). A constant
    column has weight 0 (with a warning). Returns ``(weights, warnings)`` as :func:`entropy_weights`.
    """
    names = list(names if names is not None else getattr(x, "columns", range(np.shape(x)[1])))
    arr = _frame(x)
    constant = _constant(arr)
    frame = pd.DataFrame(arr)
    sd = frame.std(ddof=1).to_numpy()
    r = frame.corr(method="pearson").to_numpy()
    r = np.where(np.isnan(r), 0.0, r)
    info = np.nan_to_num(sd) * (1.0 - r).sum(axis=0)
    return _finish(info, constant, [str(v) for v in names], "CRITIC 赋权")


def pca_weights(
    x: pd.DataFrame | np.ndarray, names: Sequence[str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """PCA weights as COINr: squared loadings of the first principal component of the correlation matrix.

    Uses the units with every column present; the squared eigenvector entries sum to one. Constant
    columns get 0. Returns ``(weights, warnings)`` as :func:`entropy_weights`.

    Raises
    ------
    EngineError
        Fewer than 3 complete units, or every column constant.
    """
    names = [str(v) for v in (names if names is not None else getattr(x, "columns", range(np.shape(x)[1])))]
    arr = _frame(x)
    constant = _constant(arr)
    if constant.all():
        return _finish(np.zeros(arr.shape[1]), constant, names, "主成分赋权")
    keep = ~constant
    sub = arr[:, keep]
    complete = sub[~np.isnan(sub).any(axis=1)]
    if complete.shape[0] < 3:
        raise EngineError(
            f"主成分赋权需要至少 3 个各指标都有数据的单位，当前只有 {complete.shape[0]} 个；请先插补缺失值。"
        )
    if sub.shape[1] == 1:
        raw = keep.astype(float)
    else:
        z = (complete - complete.mean(axis=0)) / complete.std(axis=0, ddof=1)
        corr = np.corrcoef(z, rowvar=False)
        vals, vecs = np.linalg.eigh(corr)
        raw = np.zeros(arr.shape[1])
        raw[keep] = vecs[:, int(np.argmax(vals))] ** 2
    return _finish(raw, constant, names, "主成分赋权")


_DATA_DRIVEN = {"entropy": entropy_weights, "critic": critic_weights, "pca": pca_weights}


def node_weights(
    hierarchy: Hierarchy, normalised: pd.DataFrame | None, spec: MethodSpec
) -> tuple[dict[str, float], list[str]]:
    """Every node's weight relative to its siblings under the spec's weighting choices.

    Order of application: the framework's weights → ``spec.weighting`` for the indicators within each
    parent (``equal``, or from the normalised data for ``entropy``/``critic``/``pca``) → ``spec.weights``
    (expert weights, any node) → ``spec.ahp`` (a parent's children from its comparison matrix).

    Parameters
    ----------
    hierarchy : Hierarchy
    normalised : DataFrame or None
        Units × indicators, the normalised values (needed by the data-driven methods only).
    spec : MethodSpec

    Returns
    -------
    weights : dict of str to float
        Every non-root node's weight (root: 1).
    warnings : list of str

    Raises
    ------
    EngineError
        Unknown node codes, an AHP matrix whose order does not list the node's children, or a sibling group
        whose weights are all zero.
    """
    w = {n.code: float(n.weight) for n in hierarchy.nodes}
    warnings: list[str] = []
    method = spec.weighting
    parents = [
        a for a in hierarchy.aggregates if any(k in hierarchy.indicators for k in hierarchy.children(a))
    ]
    if method == "equal":
        for code in w:
            w[code] = 1.0
    elif method in _DATA_DRIVEN:
        if normalised is None:
            raise EngineError("数据驱动的赋权方法需要标准化后的数据。")
        for parent in parents:
            kids = [k for k in hierarchy.children(parent) if k in hierarchy.indicators]
            if len(kids) == 1:  # an only child carries all of its parent's weight whatever the method
                w[kids[0]] = 1.0
                continue
            values, notes = _DATA_DRIVEN[method](normalised[kids], kids)
            warnings.extend(f"「{hierarchy.label(parent)}」{note}" for note in notes)
            for k, v in zip(kids, values, strict=True):
                w[k] = float(v)
    unknown = [c for c in [*spec.weights, *spec.ahp] if c not in hierarchy]
    if unknown:
        raise EngineError(f"权重设置中的节点「{'、'.join(unknown)}」不在指标体系中；请检查编码。")
    w.update({c: float(v) for c, v in spec.weights.items()})
    for parent, item in spec.ahp.items():
        kids = hierarchy.children(parent)
        if sorted(item["order"]) != sorted(kids):
            raise EngineError(
                f"「{hierarchy.label(parent)}」的 AHP 判断矩阵顺序 {'、'.join(item['order'])} "
                f"与其下级 {'、'.join(kids)} 不一致；请按下级逐一列出。"
            )
        res = ahp_weights(item["matrix"], where=hierarchy.label(parent))
        w.update(dict(zip(item["order"], res.weights.tolist(), strict=True)))
    w[hierarchy.root] = 1.0
    for parent in hierarchy.aggregates:
        kids = hierarchy.children(parent)
        if sum(w[k] for k in kids) <= 0:
            raise EngineError(
                f"「{hierarchy.label(parent)}」的下级（{'、'.join(kids)}）权重全部为 0；"
                "请至少给其中一个设置大于 0 的权重。"
            )
    return w, warnings


def check_ahp(ahp: Mapping[str, Mapping[str, object]]) -> None:
    """Validate every AHP matrix of a spec (reciprocal, CR < 0.1) without a framework."""
    for node, item in ahp.items():
        ahp_weights(item["matrix"], where=node)  # type: ignore[arg-type]
        if len(item["order"]) != len(item["matrix"]):  # type: ignore[arg-type]
            raise EngineError(f"「{node}」的 AHP 设置中 order 的个数与判断矩阵的阶数不一致。")
