"""Statistical audit of a framework and its data (OECD/JRC Handbook, steps 4 and 5; COINr's analysis tools).

Descriptive statistics with outlier flags, correlations within and across levels, Cronbach's alpha and PCA.
Reads raw data or a finished :class:`~.pipeline.EvaluationResult`; changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import EngineError
from .hierarchy import Hierarchy
from .normalise import as_numeric_frame
from .pipeline import EvaluationResult

__all__ = [
    "KURT_FLAG",
    "SKEW_FLAG",
    "AuditReport",
    "PCAResult",
    "audit",
    "cronbach_alpha",
    "cross_level_correlations",
    "indicator_statistics",
    "pca",
    "within_correlations",
]

# The JRC's customary outlier flags (OECD/JRC Handbook practice, COINr's Treat() pass test): a column with
# |skewness| > 2 and kurtosis > 3.5 has outliers worth treating.
SKEW_FLAG = 2.0
KURT_FLAG = 3.5
METHODS = ("pearson", "spearman")


def indicator_statistics(data: pd.DataFrame) -> pd.DataFrame:
    """Descriptive statistics of each column, with the skewness/kurtosis outlier flags.

    Parameters
    ----------
    data : DataFrame
        Units × indicators (raw, treated or normalised); missing values are ignored.

    Returns
    -------
    DataFrame
        One row per column: ``n`` (present), ``missing``, ``mean``, ``sd`` (sample, ddof 1), ``min``,
        ``max``, ``skewness`` and ``kurtosis`` (sample skewness and excess kurtosis of type 2, as COINr,
        SAS/SPSS and R's e1071 ``type = 2``; NaN with fewer than 3 and 4 values), ``skew_flag``
        (``|skewness| > 2``), ``kurt_flag`` (``kurtosis > 3.5``) and ``outlier_flag`` (both, the
        condition under which COINr treats a column).
    """
    x = as_numeric_frame(data).to_numpy(dtype="float64")
    present = ~np.isnan(x)
    n = present.sum(axis=0).astype("float64")
    with np.errstate(all="ignore"):
        mean = np.nansum(x, axis=0) / n
        dev = np.where(present, x - mean, 0.0)
        m2, m3, m4 = ((dev**p).sum(axis=0) / n for p in (2, 3, 4))
        g1 = m3 / m2**1.5
        g2 = m4 / m2**2 - 3.0
        skew = np.where(n >= 3, g1 * np.sqrt(n * (n - 1)) / (n - 2), np.nan)
        kurt = np.where(n >= 4, ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3)), np.nan)
        sd = np.sqrt(m2 * n / (n - 1))
    out = pd.DataFrame(
        {
            "n": n.astype(int),
            "missing": (~present).sum(axis=0),
            "mean": mean,
            "sd": sd,
            "min": np.where(n > 0, np.nanmin(np.where(present, x, np.inf), axis=0), np.nan),
            "max": np.where(n > 0, np.nanmax(np.where(present, x, -np.inf), axis=0), np.nan),
            "skewness": skew,
            "kurtosis": kurt,
        },
        index=pd.Index([str(c) for c in data.columns], name="iCode"),
    )
    out["skew_flag"] = out["skewness"].abs() > SKEW_FLAG
    out["kurt_flag"] = out["kurtosis"] > KURT_FLAG
    out["outlier_flag"] = out["skew_flag"] & out["kurt_flag"]
    return out


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise EngineError(f"未知的相关系数「{method}」；可选：pearson（皮尔逊）、spearman（斯皮尔曼）。")


def _all_values(result: EvaluationResult) -> pd.DataFrame:
    """Normalised indicators and aggregate scores side by side, over the scored units."""
    scored = [u not in set(result.excluded) for u in result.scores.index]
    return pd.concat([result.normalised, result.scores], axis=1).loc[scored]


def cross_level_correlations(result: EvaluationResult, method: str = "pearson") -> pd.DataFrame:
    """Correlation of every node with its parent and with the index.

    Uses normalised values for indicators (so a 逆向 indicator that does its job correlates positively)
    and scores for aggregates, over the scored units, pairwise complete.

    Returns
    -------
    DataFrame
        One row per non-root node: ``iCode``, ``Level``, ``Parent``, ``with_parent``, ``with_index``.
    """
    _check_method(method)
    h = result.hierarchy
    values = _all_values(result)
    rows = []
    for code in h.indicators + h.aggregates:
        parent = h.parent(code)
        if parent is None:
            continue
        x = values[code]
        rows.append(
            {
                "iCode": code,
                "Level": h.level(code),
                "Parent": parent,
                "with_parent": x.corr(values[parent], method=method),
                "with_index": x.corr(values[h.root], method=method),
            }
        )
    return pd.DataFrame(rows)


def within_correlations(result: EvaluationResult, node: str, method: str = "pearson") -> pd.DataFrame:
    """Correlation matrix of a node's children (pairwise complete), over the scored units."""
    _check_method(method)
    h = result.hierarchy
    if node not in h.aggregates:
        raise EngineError(f"「{node}」不是指标体系中的汇总节点；请填写某个维度或总指数的编码。")
    return _all_values(result)[h.children(node)].corr(method=method)


def cronbach_alpha(values: pd.DataFrame) -> float:
    """Cronbach's alpha of the columns: k/(k−1)·(1 − Σ var / Σ cov), pairwise-complete covariances.

    The same estimator as COINr's ``get_cronbach`` (``cov(use = "pairwise.complete.obs")``). NaN with
    fewer than 2 columns or when the columns have no variance.
    """
    k = values.shape[1]
    if k < 2:
        return float("nan")
    cov = as_numeric_frame(values).cov().to_numpy()
    total = np.nansum(cov)
    if not total > 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - np.nansum(np.diag(cov)) / total))


@dataclass
class PCAResult:
    """Principal components of the correlation matrix of complete cases.

    Attributes
    ----------
    explained_variance_ratio : Series
        Share of the total variance per component (``PC1`` …), summing to 1.
    loadings : DataFrame
        Variables × components: eigenvectors (unit length), each signed so that its loadings sum ≥ 0.
    n_units : int
        Units with every variable present (the ones used).
    """

    explained_variance_ratio: pd.Series
    loadings: pd.DataFrame
    n_units: int


def pca(values: pd.DataFrame) -> PCAResult:
    """PCA of standardised columns over the units with no missing value (COINr's ``get_PCA`` practice).

    Raises
    ------
    EngineError
        Fewer than 2 columns, fewer than 3 complete units, or a constant column.
    """
    frame = as_numeric_frame(values).dropna()
    cols = [str(c) for c in frame.columns]
    if len(cols) < 2 or len(frame) < 3:
        raise EngineError(
            f"主成分分析至少需要 2 个变量和 3 个数据完整的单位，"
            f"当前为 {len(cols)} 个变量、{len(frame)} 个单位。"
        )
    sd = frame.std(ddof=1)
    flat = [c for c, s in zip(cols, sd, strict=True) if not s > 0]
    if flat:
        raise EngineError(f"主成分分析中「{'、'.join(flat)}」在完整单位中取值全部相同；请移除后再分析。")
    corr = np.corrcoef(frame.to_numpy(), rowvar=False)
    eigval, eigvec = np.linalg.eigh(corr)
    order = np.argsort(eigval)[::-1]
    eigval, eigvec = np.clip(eigval[order], 0.0, None), eigvec[:, order]
    eigvec = eigvec * np.where(eigvec.sum(axis=0) < 0, -1.0, 1.0)
    names = [f"PC{i + 1}" for i in range(len(cols))]
    return PCAResult(
        explained_variance_ratio=pd.Series(eigval / eigval.sum(), index=names, name="explained_variance"),
        loadings=pd.DataFrame(eigvec, index=cols, columns=names),
        n_units=len(frame),
    )


@dataclass
class AuditReport:
    """Everything :func:`audit` computes.

    Attributes
    ----------
    statistics : DataFrame
        :func:`indicator_statistics` of the raw data.
    correlations : dict of str to DataFrame
        ``{"pearson": ..., "spearman": ...}`` from :func:`cross_level_correlations`.
    within : dict of str to dict of str to DataFrame
        ``{method: {aggregate: matrix of its children}}``.
    alpha : Series
        Cronbach's alpha of each aggregate's children (normalised values / scores).
    pca : dict of str to PCAResult
        Per aggregate whose children are indicators, plus ``"__all__"`` for all indicators; aggregates
        where PCA is impossible are left out and named in ``warnings``.
    warnings : list of str
    """

    statistics: pd.DataFrame
    correlations: dict[str, pd.DataFrame]
    within: dict[str, dict[str, pd.DataFrame]]
    alpha: pd.Series
    pca: dict[str, PCAResult]
    warnings: list[str] = field(default_factory=list)


def _dimensions(h: Hierarchy) -> Sequence[str]:
    return [a for a in h.aggregates if any(k in h.indicators for k in h.children(a))]


def audit(result: EvaluationResult) -> AuditReport:
    """Run the whole audit on a finished evaluation (scored units only)."""
    h = result.hierarchy
    values = _all_values(result)
    raw = result.data.loc[values.index]
    pcas: dict[str, PCAResult] = {}
    warnings: list[str] = []
    for name, cols in [*((d, h.children(d)) for d in _dimensions(h)), ("__all__", h.indicators)]:
        try:
            pcas[name] = pca(values[cols])
        except EngineError as exc:
            warnings.append(f"「{'全部指标' if name == '__all__' else h.label(name)}」未做主成分分析：{exc}")
    return AuditReport(
        statistics=indicator_statistics(raw),
        correlations={m: cross_level_correlations(result, m) for m in METHODS},
        within={m: {a: within_correlations(result, a, m) for a in h.aggregates} for m in METHODS},
        alpha=pd.Series({a: cronbach_alpha(values[h.children(a)]) for a in h.aggregates}, name="alpha"),
        pca=pcas,
        warnings=warnings,
    )
