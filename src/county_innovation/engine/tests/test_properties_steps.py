"""Property tests (hypothesis) for every step: units of measure, monotonicity, direction flip, weights
summing to one, missing data."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from county_innovation.engine import (
    Hierarchy,
    MethodSpec,
    Node,
    aggregate,
    ahp_weights,
    critic_weights,
    entropy_weights,
    evaluate,
    impute,
    impute_panel,
    normalise,
    pca_weights,
    performance_groups,
    treat,
)

SETTINGS = settings(max_examples=60, deadline=None)
VALUES = st.integers(1, 10**6).map(lambda v: v / 100)  # a 0.01 grid: no float near-ties
SCALES = st.sampled_from([1e-3, 0.37, 10.0, 1e4])
RELATIVE = ["minmax", "zscore", "rank", "prank", "borda", "dist2max", "fracmax"]


@st.composite
def columns(draw: st.DrawFn, min_size: int = 5, missing: bool = True) -> np.ndarray:
    n = draw(st.integers(min_size, 40))
    x = draw(arrays(float, n, elements=VALUES))
    # a heavy tail sometimes, so winsorisation and the log fallback are exercised
    if draw(st.booleans()):
        x[: draw(st.integers(1, 3))] *= draw(st.sampled_from([50.0, 1e3]))
    if missing:
        x[draw(arrays(bool, n, elements=st.booleans())) & (np.arange(n) >= 4)] = np.nan
    assume(np.unique(x[~np.isnan(x)]).size >= 3)
    return x


def _frame(*cols: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {f"x{j}": c for j, c in enumerate(cols)}, index=[f"u{i}" for i in range(len(cols[0]))]
    )


@SETTINGS
@given(columns(), SCALES, st.sampled_from(["coinr", "winsorise", "log_CT", "boxcox", "none"]))
def test_treatment_is_monotone_and_coinr_is_unit_free(x: np.ndarray, c: float, method: str) -> None:
    out = treat(_frame(x), method).data["x0"].to_numpy()
    present = ~np.isnan(x)
    assert (np.isnan(out) == ~present).all()
    order = np.argsort(x[present], kind="stable")
    assert (np.diff(out[present][order]) >= -1e-9 * np.nanmax(np.abs(out))).all()  # order kept (ties allowed)
    if method in ("coinr", "winsorise", "log_CT"):
        a = normalise(treat(_frame(x), method).data, {"x0": 1}, MethodSpec())
        b = normalise(treat(_frame(x * c), method).data, {"x0": 1}, MethodSpec())
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-7)


@SETTINGS
@given(columns(), SCALES, st.sampled_from(RELATIVE), st.sampled_from([1, -1]))
def test_relative_normalisations_are_unit_free_and_monotone(x, c, method, direction) -> None:
    spec = MethodSpec(normalisation=method)
    a = normalise(_frame(x), {"x0": direction}, spec)["x0"].to_numpy()
    b = normalise(_frame(x * c), {"x0": direction}, spec)["x0"].to_numpy()
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
    present = ~np.isnan(x)
    order = np.argsort(direction * x[present], kind="stable")
    assert (np.diff(a[present][order]) >= -1e-9).all()


@SETTINGS
@given(columns(), st.sampled_from(["minmax", "rank", "prank", "borda", "dist2max", "zscore"]))
def test_direction_flip_reverses_the_order(x, method) -> None:
    spec = MethodSpec(normalisation=method)
    up = normalise(_frame(x), {"x0": 1}, spec)["x0"]
    down = normalise(_frame(x), {"x0": -1}, spec)["x0"]
    pd.testing.assert_series_equal(
        up.rank(method="min", ascending=True), down.rank(method="min", ascending=False), check_names=False
    )


@SETTINGS
@given(columns(), st.floats(1, 100), st.floats(101, 1e4), st.sampled_from([1, -1]))
def test_goalposts_and_targets_stay_in_range(x, lo, hi, direction) -> None:
    spec = MethodSpec(normalisation="goalposts", goalposts={"x0": (lo, hi)})
    g = normalise(_frame(x), {"x0": direction}, spec)["x0"].dropna()
    assert ((g >= 0) & (g <= 100)).all()
    t = normalise(_frame(x), {"x0": direction}, MethodSpec(normalisation="target", targets={"x0": hi}))["x0"]
    assert ((t.dropna() > 0) & (t.dropna() <= 100)).all()


@SETTINGS
@given(st.lists(columns(min_size=6, missing=False), min_size=2, max_size=5), SCALES)
def test_data_driven_weights_sum_to_one(cols, c) -> None:
    n = min(len(v) for v in cols)
    df = _frame(*[v[:n] for v in cols])
    assume(all(df[k].nunique() > 1 for k in df))
    fns = [entropy_weights, pca_weights]
    if (df.corr().abs().to_numpy() < 1 - 1e-12).sum() > 0:  # CRITIC has no information on identical columns
        fns.append(critic_weights)
    for fn in fns:
        w, _ = fn(df)
        assert (w >= 0).all() and abs(w.sum() - 1) < 1e-12
    # entropy and PCA do not depend on an indicator's unit of measure
    scaled = df.assign(x0=df["x0"] * c)
    np.testing.assert_allclose(entropy_weights(scaled)[0], entropy_weights(df)[0], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(pca_weights(scaled)[0], pca_weights(df)[0], rtol=1e-6, atol=1e-9)


@SETTINGS
@given(st.lists(st.floats(0.1, 10), min_size=2, max_size=9))
def test_ahp_recovers_consistent_weights(raw) -> None:
    w = np.array(raw) / sum(raw)
    res = ahp_weights(np.outer(w, 1 / w))
    np.testing.assert_allclose(res.weights, w, rtol=1e-8)
    assert res.cr < 1e-8


def _flat() -> Hierarchy:
    return Hierarchy([Node("I", None), Node("a", "I", 1), Node("b", "I", 2), Node("c", "I", 0.5)])


@SETTINGS
@given(
    arrays(float, (6, 3), elements=st.floats(1, 100)),
    st.sampled_from(["arithmetic", "geometric", "harmonic", "generalised"]),
    st.floats(-3, 3),
    st.integers(0, 5),
    st.integers(0, 2),
)
def test_means_are_monotone_and_between_min_and_max(x, method, p, i, j) -> None:
    df = pd.DataFrame(x, columns=["a", "b", "c"], index=[f"u{k}" for k in range(6)])
    spec = MethodSpec(minmax_range=(1, 100), aggregation=method, generalised_p=p)
    base = aggregate(df, _flat(), spec)["I"]
    assert (base >= df.min(axis=1) * (1 - 1e-12)).all() and (base <= df.max(axis=1) * (1 + 1e-12)).all()
    up = df.copy()
    up.iloc[i, j] += 5.0
    assert aggregate(up, _flat(), spec)["I"].iloc[i] >= base.iloc[i] * (1 - 1e-12)


@SETTINGS
@given(arrays(float, (6, 3), elements=st.floats(0, 100)))
def test_topsis_is_a_closeness_in_0_1(x) -> None:
    df = pd.DataFrame(x, columns=["a", "b", "c"], index=[f"u{k}" for k in range(6)])
    got = aggregate(df, _flat(), MethodSpec(aggregation="topsis"))["I"].dropna()
    assert ((got >= 0) & (got <= 1 + 1e-12)).all()


@SETTINGS
@given(columns(), st.sampled_from(["mean", "median", "mean-group", "median-group"]))
def test_imputation_keeps_data_and_fills_within_range(x, method) -> None:
    df = _frame(x)
    groups = pd.Series(["A", "B"] * (len(x) // 2) + ["A"] * (len(x) % 2), index=df.index)
    out = impute(df, method, groups)["x0"].to_numpy()
    present = ~np.isnan(x)
    np.testing.assert_array_equal(out[present], x[present])
    filled = out[~present]
    filled = filled[~np.isnan(filled)]
    assert ((filled >= np.nanmin(x)) & (filled <= np.nanmax(x))).all()
    if method in ("mean", "median"):
        assert not np.isnan(out).any()


@SETTINGS
@given(
    arrays(float, (4, 6), elements=st.one_of(st.just(np.nan), st.floats(0, 100))),
    st.sampled_from(["latest", "linear"]),
)
def test_panel_imputation_keeps_data_and_stays_between_neighbours(x, method) -> None:
    idx = pd.MultiIndex.from_product([[f"u{i}" for i in range(4)], range(2015, 2021)])
    df = pd.DataFrame({"v": x.ravel()}, index=idx)
    out = impute_panel(df, method)["v"].to_numpy().reshape(4, 6)
    present = ~np.isnan(x)
    np.testing.assert_array_equal(out[present], x[present])
    for i in range(4):
        row = x[i][~np.isnan(x[i])]
        if row.size:
            got = out[i][~np.isnan(out[i])]
            assert ((got >= row.min()) & (got <= row.max())).all()
            if method == "linear":
                assert not np.isnan(out[i]).any()


@SETTINGS
@given(arrays(float, 12, elements=st.floats(1, 100)))
def test_performance_groups_are_monotone(scores) -> None:
    s = pd.Series(scores, index=[f"u{i}" for i in range(12)])
    g = performance_groups(s)
    order = {"创新领先": 0, "创新强劲": 1, "创新中等": 2, "创新追赶": 3}
    ranked = g.assign(k=g["group"].map(order)).sort_values("relative")
    assert (np.diff(ranked["k"].to_numpy()) <= 0).all()


@SETTINGS
@given(st.lists(columns(min_size=6), min_size=3, max_size=3), SCALES, st.sampled_from(["coinr", "none"]))
def test_whole_pipeline_is_unit_free_and_ignores_an_empty_unit(cols, c, treatment) -> None:
    n = min(len(v) for v in cols)
    df = _frame(*[v[:n] for v in cols])
    h = Hierarchy([Node("I", None), Node("D", "I"), Node("x0", "D"), Node("x1", "D", 2, -1), Node("x2", "I")])
    spec = MethodSpec(treat=treatment, impute="median")
    r = evaluate(df, h, spec)
    scaled = evaluate(df.assign(x1=df["x1"] * c), h, spec)
    np.testing.assert_allclose(r.scores, scaled.scores, rtol=1e-6, atol=1e-6)
    spec_none = MethodSpec(treat=treatment)
    base = evaluate(df, h, spec_none)
    more = evaluate(pd.concat([df, pd.DataFrame(np.nan, index=["empty"], columns=df.columns)]), h, spec_none)
    np.testing.assert_allclose(more.scores.loc[df.index], base.scores, rtol=1e-9, atol=1e-9)
    assert more.scores.loc["empty"].isna().all()
