"""Each step on cases small enough to compute by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from county_innovation.engine import (
    EngineError,
    Hierarchy,
    MethodSpec,
    Node,
    aggregate,
    ahp_weights,
    critic_weights,
    denominate,
    entropy_weights,
    growth,
    impute,
    impute_panel,
    kurtosis,
    normalise,
    pca_weights,
    performance_groups,
    screen_units,
    skewness,
    treat,
)

NAN = np.nan


def _norm(values: list[float], method: str, direction: int = 1, **spec: object) -> list[float]:
    df = pd.DataFrame({"x": values}, index=[f"u{i}" for i in range(len(values))])
    out = normalise(df, {"x": direction}, MethodSpec(normalisation=method, **spec))
    return out["x"].tolist()


# --- normalisation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "direction", "spec", "expected"),
    [
        ("minmax", 1, {}, [0, 100 / 3, 100, NAN]),
        ("minmax", -1, {"minmax_range": (1, 10)}, [10, 7, 1, NAN]),
        ("rank", 1, {}, [1, 2, 3, NAN]),
        ("rank", -1, {}, [3, 2, 1, NAN]),
        ("prank", 1, {}, [0, 50, 100, NAN]),
        ("borda", 1, {}, [0, 1, 2, NAN]),
        ("dist2max", 1, {"normalise_scale": 1}, [0, 1 / 3, 1, NAN]),
        ("fracmax", 1, {}, [25, 50, 100, NAN]),
        ("fracmax", -1, {}, [100, 50, 25, NAN]),
        ("goalposts", 1, {"goalposts": {"x": (0, 2)}}, [50, 100, 100, NAN]),
        ("goalposts", 1, {"goalposts": {"x": (0, 2)}, "goalpost_cap": False}, [50, 100, 200, NAN]),
        ("goalposts", -1, {"goalposts": {"x": (0, 2)}}, [50, 0, 0, NAN]),
        ("target", 1, {"targets": {"x": 2}}, [50, 100, 100, NAN]),
        ("target", -1, {"targets": {"x": 2}}, [100, 100, 50, NAN]),
    ],
)
def test_normalisation_by_hand(method: str, direction: int, spec: dict, expected: list[float]) -> None:
    np.testing.assert_allclose(
        _norm([1, 2, 4, NAN], method, direction, **spec), expected, rtol=1e-12, atol=1e-12
    )


def test_zscore_by_hand() -> None:
    mean, sd = 7 / 3, math.sqrt(7 / 3)  # sample sd of 1, 2, 4
    got = _norm([1, 2, 4], "zscore", zscore_mean_sd=(10, 2))
    np.testing.assert_allclose(got, [10 + 2 * (v - mean) / sd for v in (1, 2, 4)], rtol=1e-12)


def test_ties_share_the_lowest_rank_and_target_zero_meets_a_negative_target() -> None:
    assert _norm([1, 1, 3], "rank") == [1, 1, 3]
    assert _norm([1, 1, 3], "borda") == [0, 0, 2]
    assert _norm([0, 4, 8], "target", -1, targets={"x": 4}) == [100, 100, 50]


def test_per_indicator_override() -> None:
    df = pd.DataFrame({"a": [1.0, 2, 4], "b": [1.0, 2, 4]})
    spec = MethodSpec(normalise_overrides={"b": "target"}, targets={"b": 4})
    out = normalise(df, {"a": 1, "b": 1}, spec)
    np.testing.assert_allclose(out["a"], [0, 100 / 3, 100])
    np.testing.assert_allclose(out["b"], [25, 50, 100])


# --- weights ---------------------------------------------------------------------------------------------


def test_ahp_textbook_3x3() -> None:
    # Saaty's eigenvector method on the classic 1–3–5 matrix: w ≈ (0.637, 0.258, 0.105), λmax ≈ 3.039,
    # CI ≈ 0.019, CR = CI / 0.58 ≈ 0.033.
    res = ahp_weights([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    np.testing.assert_allclose(res.weights, [0.6370, 0.2583, 0.1047], atol=5e-4)
    assert res.weights.sum() == pytest.approx(1.0)
    assert res.lambda_max == pytest.approx(3.0385, abs=5e-4)
    assert res.ci == pytest.approx(0.0193, abs=5e-4)
    assert res.cr == pytest.approx(0.0332, abs=5e-4)


def test_ahp_consistent_matrix_has_cr_zero() -> None:
    res = ahp_weights([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]])
    np.testing.assert_allclose(res.weights, [4 / 7, 2 / 7, 1 / 7], rtol=1e-12)
    assert res.cr == pytest.approx(0.0, abs=1e-12)


def test_ahp_refuses_inconsistent_and_non_reciprocal() -> None:
    with pytest.raises(EngineError, match=r"一致性不足：一致性比率 CR = \d+\.\d{3}，应小于 0.1"):
        ahp_weights([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    with pytest.raises(
        EngineError, match=r"不是互反矩阵：第 1 行第 2 列为 3，而第 2 行第 1 列为 3，应为其倒数 0\.3333"
    ):
        ahp_weights([[1, 3], [3, 1]])
    with pytest.raises(EngineError, match="对角线必须全为 1"):
        ahp_weights([[2, 1], [1, 1]])


def test_entropy_by_hand() -> None:
    def d(col: list[float]) -> float:
        p = [v / sum(col) for v in col]
        return 1 + sum(q * math.log(q) for q in p) / math.log(len(col))

    w, warnings = entropy_weights(pd.DataFrame({"a": [1.0, 2, 3], "b": [1.0, 1, 4]}))
    da, db = d([1, 2, 3]), d([1, 1, 4])
    np.testing.assert_allclose(w, [da / (da + db), db / (da + db)], rtol=1e-12)
    assert warnings == []


def test_entropy_copes_with_zeros_and_constant_columns() -> None:
    w, warnings = entropy_weights(pd.DataFrame({"a": [0.0, 50, 100], "b": [5.0, 5, 5], "c": [0.0, 0, 100]}))
    assert w[1] == 0 and np.isfinite(w).all() and w.sum() == pytest.approx(1.0)
    assert w[2] > w[0] > 0  # c is more concentrated than a
    assert warnings == ["熵权法：指标「b」取值全部相同，不提供区分信息，权重记为 0。"]
    with pytest.raises(EngineError, match="熵权法：所有指标在各单位间取值都相同"):
        entropy_weights(pd.DataFrame({"a": [1.0, 1], "b": [2.0, 2]}))


def test_critic_by_hand() -> None:
    x = pd.DataFrame({"a": [0.0, 1, 2], "b": [2.0, 1, 0], "c": [0.0, 2, 1]})
    r = x.corr().to_numpy()
    sd = x.std().to_numpy()
    info = sd * (1 - r).sum(axis=0)
    w, _ = critic_weights(x)
    np.testing.assert_allclose(w, info / info.sum(), rtol=1e-12)
    # a and b are perfectly opposed (r = −1): each carries the information the other lacks
    assert (1 - r[0, 1]) == pytest.approx(2.0)


def test_pca_weights_are_squared_first_loadings() -> None:
    x = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 4, 6, 8], "c": [1.0, -1, -1, 1]})  # c uncorrelated
    w, _ = pca_weights(x)
    np.testing.assert_allclose(w, [0.5, 0.5, 0.0], atol=1e-12)


# --- aggregation -----------------------------------------------------------------------------------------


def _two_children() -> Hierarchy:
    return Hierarchy([Node("I", None), Node("a", "I"), Node("b", "I")])


@pytest.mark.parametrize(
    ("aggregation", "p", "expected"),
    [
        ("arithmetic", 2.0, 4.0),
        ("geometric", 2.0, math.sqrt(7)),
        ("harmonic", 2.0, 2 / (1 + 1 / 7)),
        ("generalised", 2.0, 5.0),  # sqrt((1 + 49) / 2)
        ("generalised", 1.0, 4.0),
        ("generalised", 0.0, math.sqrt(7)),
        ("generalised", -1.0, 2 / (1 + 1 / 7)),
    ],
)
def test_means_by_hand(aggregation: str, p: float, expected: float) -> None:
    df = pd.DataFrame({"a": [1.0], "b": [7.0]}, index=["u"])
    spec = MethodSpec(minmax_range=(1, 100), aggregation=aggregation, generalised_p=p)
    assert aggregate(df, _two_children(), spec)["I"].iloc[0] == pytest.approx(expected, rel=1e-12)


def test_topsis_by_hand() -> None:
    df = pd.DataFrame({"a": [0.0, 100, 50], "b": [0.0, 100, 100]}, index=["u1", "u2", "u3"])
    got = aggregate(df, _two_children(), MethodSpec(aggregation="topsis"))["I"]
    d_best, d_worst = 0.5 * 50, math.hypot(0.5 * 50, 0.5 * 100)
    np.testing.assert_allclose(got, [0.0, 1.0, d_worst / (d_best + d_worst)], rtol=1e-12)


def test_aggregate_availability_threshold() -> None:
    h = Hierarchy([Node("I", None), Node("a", "I"), Node("b", "I"), Node("c", "I")])
    df = pd.DataFrame({"a": [1.0, 1], "b": [2.0, NAN], "c": [NAN, NAN]}, index=["u1", "u2"])
    got = aggregate(df, h, MethodSpec(aggregate_threshold=0.6))["I"]
    assert got["u1"] == pytest.approx(1.5) and np.isnan(got["u2"])  # 2/3 present vs 1/3
    assert aggregate(df, h, MethodSpec(aggregate_threshold={"I": 0.3}))["I"].tolist() == [1.5, 1.0]


def test_expert_weights_replace_the_framework() -> None:
    df = pd.DataFrame({"a": [0.0, 100], "b": [100.0, 0]}, index=["u1", "u2"])
    got = aggregate(df, _two_children(), MethodSpec(), weights={"I": 1, "a": 3, "b": 1})["I"]
    assert got.tolist() == [25.0, 75.0]


# --- imputation, denomination, screening ----------------------------------------------------------------


def test_mean_median_and_group_imputation() -> None:
    df = pd.DataFrame({"x": [1.0, NAN, 3, 10], "y": [1.0, NAN, 3, NAN]}, index=list("pqrs"))
    assert impute(df, "mean")["x"].tolist() == [1, 14 / 3, 3, 10]
    assert impute(df, "median")["x"].tolist() == [1, 3, 3, 10]
    groups = pd.Series(["A", "A", "B", "B"], index=list("pqrs"))
    out = impute(df, "mean-group", groups)
    assert out["x"].tolist() == [1, 1, 3, 10] and out["y"].tolist() == [1, 1, 3, 3]
    assert impute(df, "median-group", groups.replace("B", "C"))["y"].tolist() == [1, 1, 3, 3]
    lonely = pd.Series(["A", "B", "C", "C"], index=list("pqrs"))
    assert np.isnan(impute(df, "mean-group", lonely).loc["q", "x"])  # its group has no value: stays missing


def test_panel_imputation() -> None:
    idx = pd.MultiIndex.from_tuples(
        [("u", 2018), ("u", 2020), ("u", 2021), ("u", 2022), ("v", 2018), ("v", 2020), ("v", 2021)]
    )
    df = pd.DataFrame({"x": [0.0, NAN, 3, NAN, NAN, 2, NAN]}, index=idx)
    latest = impute_panel(df, "latest")["x"]
    assert latest.tolist()[:4] == [0, 0, 3, 3] and np.isnan(latest[("v", 2018)]) and latest[("v", 2021)] == 2
    linear = impute_panel(df, "linear")["x"]
    assert linear.tolist() == [0, 2, 3, 3, 2, 2, 2]  # 2020 lies 2/3 of the way from 2018 to 2021


def test_denominate_by_hand() -> None:
    df = pd.DataFrame({"pat": [10.0, 20, NAN], "gdp": [1.0, 2, 3]}, index=list("abc"))
    pop = pd.DataFrame({"Population": [2.0, 5, 4]}, index=list("abc"))
    out = denominate(df, pop, {"pat": ("Population", 1000)})
    assert out["pat"].tolist()[:2] == [5000, 4000] and np.isnan(out.loc["c", "pat"])
    assert out["gdp"].tolist() == [1, 2, 3]
    with pytest.raises(EngineError, match="分母「Population」在单位「b」处为 0"):
        denominate(df, pop.assign(Population=[2.0, 0, 1]), {"pat": ("Population", 1)})


def test_screen_units() -> None:
    df = pd.DataFrame({"a": [1.0, NAN, NAN], "b": [1.0, 2, NAN], "c": [1.0, 2, 3]}, index=list("pqr"))
    kept, excluded, share = screen_units(df, 2 / 3)
    assert list(kept.index) == ["p", "q"] and excluded == ["r"]
    assert share.tolist() == pytest.approx([1, 2 / 3, 1 / 3])


# --- ranks, groups, growth ------------------------------------------------------------------------------


def test_performance_groups_eis_bounds() -> None:
    scores = pd.Series([130.0, 125, 110, 100, 80, 70, 50, NAN], index=list("abcdefgh"))
    got = performance_groups(scores, reference=100.0)
    assert got["group"].tolist()[:7] == [
        "创新领先",
        "创新强劲",
        "创新强劲",
        "创新强劲",
        "创新中等",
        "创新中等",
        "创新追赶",
    ]
    assert pd.isna(got.loc["h", "group"])
    assert got.loc["a", "relative"] == pytest.approx(1.3)
    by_units = performance_groups(scores, reference=["d", "e"])  # reference average 90
    assert by_units.loc["c", "relative"] == pytest.approx(110 / 90)


def test_growth_against_a_base_year() -> None:
    now = pd.DataFrame({"I": [110.0, 50]}, index=["a", "b"])
    base = pd.DataFrame({"I": [100.0, 0]}, index=["a", "b"])
    rel = growth(now, base)["I"]
    assert rel["a"] == pytest.approx(10.0) and np.isnan(rel["b"])
    assert growth(now, base, "absolute")["I"].tolist() == [10, 50]


# --- outlier treatment ---------------------------------------------------------------------------------


def test_skewness_kurtosis_type_2() -> None:
    x = np.array([1.0, 2, 3, 4, 10])
    assert skewness(x) == pytest.approx(stats.skew(x, bias=False), rel=1e-12)
    assert kurtosis(x) == pytest.approx(stats.kurtosis(x, bias=False), rel=1e-12)


def test_winsorise_moves_tied_maxima_together() -> None:
    x = np.array([*range(1, 21), 100, 100], dtype=float)
    res = treat(pd.DataFrame({"x": x}))
    det = res.details.loc["x"]
    assert det["winsorise.nwin"] == 2 and bool(det["check_SkewKurt1.Pass"])
    assert res.data["x"].max() == 20 and (res.data["x"] == 20).sum() == 3


def test_log_ct_fallback_when_winsorising_five_points_is_not_enough() -> None:
    x = np.exp(np.linspace(0, 20, 100))
    res = treat(pd.DataFrame({"x": x}))
    det = res.details.loc["x"]
    assert det["Method"] == "log_CT" and det["winsorise.nwin"] == 5 and not det["check_SkewKurt1.Pass"]
    expected = np.log(x - x.min() + 0.01 * (x.max() - x.min()))
    np.testing.assert_allclose(res.data["x"], expected, rtol=1e-12)


def test_log_variants_and_boxcox() -> None:
    x = pd.DataFrame({"x": [1.0, 2, 5, NAN]})
    np.testing.assert_allclose(treat(x, "log").data["x"], np.log([1, 2, 5, NAN]))
    gii = np.log((5 - 1) * (np.array([1, 2, 5, NAN]) - 1) / 4 + 1)
    np.testing.assert_allclose(treat(x, "log_GII").data["x"], gii)
    np.testing.assert_allclose(
        treat(x, "boxcox", boxcox_lambda=0.5).data["x"], [0, (2**0.5 - 1) / 0.5, (5**0.5 - 1) / 0.5, NAN]
    )
    mle = treat(x, "boxcox").data["x"].to_numpy()
    np.testing.assert_allclose(mle[:3], stats.boxcox(np.array([1.0, 2, 5]))[0], rtol=1e-9)
    with pytest.raises(EngineError, match="「x」含有小于或等于 0 的值（0），不能取自然对数"):
        treat(pd.DataFrame({"x": [0.0, 1, 2]}), "log")


def test_treatment_overrides_per_indicator() -> None:
    x = np.exp(np.linspace(0, 20, 100))
    res = treat(pd.DataFrame({"a": x, "b": x}), "coinr", overrides={"b": "none"})
    assert res.details["Method"].tolist() == ["log_CT", "none"]
    np.testing.assert_array_equal(res.data["b"], x)
