"""Statistical audit: hand cases, COINr's skewness/kurtosis on ASEM, and the whole report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from county_innovation.engine.audit import (
    audit,
    cronbach_alpha,
    cross_level_correlations,
    indicator_statistics,
    pca,
    within_correlations,
)
from county_innovation.engine.errors import EngineError
from county_innovation.engine.hierarchy import Hierarchy, Node
from county_innovation.engine.pipeline import evaluate

from .test_uncertainty import DATA, load_asem_hierarchy, load_asem_treated


def test_skewness_and_kurtosis_match_coinr_on_raw_asem() -> None:
    raw = pd.read_csv(DATA / "ASEM_iData.csv", dtype={"uCode": str}).set_index("uCode")
    details = pd.read_csv(DATA / "asem_canonical_Treat_details.csv").set_index("iCode")
    stats = indicator_statistics(raw[details.index])
    np.testing.assert_allclose(stats["skewness"], details["check_SkewKurt0.Skew"], rtol=1e-9)
    np.testing.assert_allclose(stats["kurtosis"], details["check_SkewKurt0.Kurt"], rtol=1e-9)
    # COINr treats exactly the columns that fail its test, i.e. the ones flagged here.
    assert (stats["outlier_flag"] == ~details["check_SkewKurt0.Pass"].astype(bool)).all()


def test_descriptive_statistics_by_hand() -> None:
    data = pd.DataFrame({"a": [1.0, 2.0, 3.0, np.nan], "b": [0.0, 0.0, 0.0, 100.0]})
    s = indicator_statistics(data)
    assert s.loc["a", ["n", "missing"]].tolist() == [3, 1]
    assert s.loc["a", ["mean", "sd", "min", "max", "skewness"]].tolist() == pytest.approx([2, 1, 1, 3, 0])
    assert np.isnan(s.loc["a", "kurtosis"])  # type-2 kurtosis needs 4 values
    # b: one spike among 4 values: G1 = 2, G2 = 4 (type 2), so kurtosis flags but skewness does not exceed 2.
    assert s.loc["b", "skewness"] == pytest.approx(2.0) and s.loc["b", "kurtosis"] == pytest.approx(4.0)
    assert not s.loc["b", "skew_flag"] and s.loc["b", "kurt_flag"] and not s.loc["b", "outlier_flag"]


def test_cronbach_alpha_by_hand() -> None:
    # Two items with variance 1 and covariance 0.5: alpha = 2 · (1 − 2/3) = 2/3.
    assert cronbach_alpha(pd.DataFrame({"x": [1, 2, 3], "y": [1, 3, 2]})) == pytest.approx(2 / 3)
    # Identical items measure the same thing perfectly.
    col = [3.0, 1.0, 4.0, 1.0, 5.0]
    assert cronbach_alpha(pd.DataFrame({"x": col, "y": col, "z": col})) == pytest.approx(1.0)
    # Opposed items: negative alpha, as the formula gives (a sign of a misdirected indicator).
    assert cronbach_alpha(pd.DataFrame({"x": [1, 2, 3, 4], "y": [4, 3, 2, 1.1]})) < 0
    assert np.isnan(cronbach_alpha(pd.DataFrame({"x": [1, 2, 3]})))


def _small() -> tuple[pd.DataFrame, Hierarchy]:
    h = Hierarchy(
        [
            Node("IDX", None),
            Node("D1", "IDX"),
            Node("D2", "IDX"),
            Node("a", "D1"),
            Node("b", "D1", direction=-1),
            Node("c", "D2"),
        ]
    )
    data = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [5.0, 4.0, 3.0, 2.0, 1.0], "c": [1.0, 8.0, 27.0, 64.0, 125.0]},
        index=list("PQRST"),
    )
    return data, h


def test_correlations_within_and_across_levels_by_hand() -> None:
    data, h = _small()
    result = evaluate(data, h)
    pearson = cross_level_correlations(result).set_index("iCode")
    # b is 逆向 and exactly reversed a: normalised, a, b and D1 coincide.
    assert pearson.loc[["a", "b"], "with_parent"].tolist() == pytest.approx([1.0, 1.0])
    assert pearson.loc["c", "with_parent"] == pytest.approx(1.0)  # only child
    assert pearson.loc["D1", "Parent"] == "IDX" and pearson.loc["D1", "Level"] == 2
    # c = a³ is monotone in a: Spearman 1, Pearson below 1.
    spearman = within_correlations(result, "IDX", "spearman")
    assert spearman.loc["D1", "D2"] == pytest.approx(1.0)
    assert within_correlations(result, "IDX").loc["D1", "D2"] < 0.99
    with pytest.raises(EngineError, match="未知的相关系数"):
        cross_level_correlations(result, "kendall")
    with pytest.raises(EngineError, match="不是指标体系中的汇总节点"):
        within_correlations(result, "a")


def test_pca_explained_variance_sums_to_one_and_loadings_are_orthonormal() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, 5))
    x[:, 1] = x[:, 0] + 0.1 * rng.normal(size=60)
    frame = pd.DataFrame(x, columns=list("vwxyz"))
    frame.iloc[4, 2] = np.nan  # incomplete units are left out
    res = pca(frame)
    assert res.n_units == 59
    assert res.explained_variance_ratio.sum() == pytest.approx(1.0)
    assert res.explained_variance_ratio.is_monotonic_decreasing
    np.testing.assert_allclose(res.loadings.T @ res.loadings, np.eye(5), atol=1e-12)
    # v and w are nearly the same variable: the first component weighs them equally and explains ≥ 2/5.
    assert res.loadings.loc["v", "PC1"] == pytest.approx(res.loadings.loc["w", "PC1"], abs=0.02)
    assert res.explained_variance_ratio["PC1"] > 0.38
    perfect = pd.DataFrame({"p": [1.0, 2.0, 3.0, 5.0], "q": [2.0, 4.0, 6.0, 10.0]})
    assert pca(perfect).explained_variance_ratio["PC1"] == pytest.approx(1.0)
    with pytest.raises(EngineError, match="主成分分析"):
        pca(pd.DataFrame({"p": [1.0, 2.0], "q": [1.0, 3.0]}))
    with pytest.raises(EngineError, match="取值全部相同"):
        pca(pd.DataFrame({"p": [1.0, 2.0, 3.0], "q": [1.0, 1.0, 1.0]}))


def test_audit_of_asem_covers_every_dimension() -> None:
    h = load_asem_hierarchy()
    report = audit(evaluate(load_asem_treated(), h))
    assert len(report.statistics) == 49
    assert set(report.alpha.index) == set(h.aggregates)
    assert report.alpha.between(-1, 1).all()
    dims = [a for a in h.aggregates if h.level(a) == 2]
    assert set(report.pca) == {*dims, "__all__"}
    for res in report.pca.values():
        assert res.explained_variance_ratio.sum() == pytest.approx(1.0)
    for method in ("pearson", "spearman"):
        table = report.correlations[method]
        assert len(table) == len(h.nodes) - 1 and table["with_index"].between(-1, 1).all()
        assert set(report.within[method]) == set(h.aggregates)
