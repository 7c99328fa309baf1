"""Property tests (hypothesis) over random frameworks, data, missing values and method settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from county_innovation.engine import (
    Hierarchy,
    MethodSpec,
    Node,
    aggregate,
    effective_weights,
    evaluate,
    input_hash,
    normalise,
)

SETTINGS = settings(max_examples=100, deadline=None)
WEIGHTS = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.7])

# Both aggregations, both normalisations; the geometric ones with strictly positive normalised values.
# z-score (10, 2) stays positive for these sizes: with n ≤ 8 units |z| ≤ (n - 1)/√n < 2.5.
SPECS = st.sampled_from(
    [
        MethodSpec(),
        MethodSpec(normalisation="zscore"),
        MethodSpec(minmax_range=(1, 100), aggregation="geometric"),
        MethodSpec(normalisation="zscore", zscore_mean_sd=(10, 2), aggregation="geometric"),
    ]
)
MINMAX_SPECS = st.sampled_from([MethodSpec(), MethodSpec(minmax_range=(1, 100), aggregation="geometric")])


def _sibling_weights(draw: st.DrawFn, k: int) -> list[float]:
    return draw(st.lists(WEIGHTS, min_size=k, max_size=k).filter(lambda ws: sum(ws) > 0))


@st.composite
def frameworks(draw: st.DrawFn) -> Hierarchy:
    """Root → 1–3 dimensions → indicators, some dimensions with a nested sub-dimension (uneven depth)."""
    nodes = [Node("I", None)]
    n_dims = draw(st.integers(1, 3))
    counter = 0

    def leaf(parent: str, weight: float) -> Node:
        nonlocal counter
        counter += 1
        return Node(f"x{counter}", parent, weight, draw(st.sampled_from([1, -1])))

    for d, wd in enumerate(_sibling_weights(draw, n_dims)):
        dim = f"D{d}"
        nodes.append(Node(dim, "I", wd))
        nested = draw(st.booleans())
        k = draw(st.integers(1, 3))
        ws = _sibling_weights(draw, k + nested)
        for w in ws[:k]:
            nodes.append(leaf(dim, w))
        if nested:
            nodes.append(Node(f"S{d}", dim, ws[k]))
            for w in _sibling_weights(draw, draw(st.integers(1, 2))):
                nodes.append(leaf(f"S{d}", w))
    return Hierarchy(nodes)


@st.composite
def cases(draw: st.DrawFn, missing: bool = True) -> tuple[Hierarchy, pd.DataFrame]:
    """A framework and integer-valued data for 2–8 units with ~10% missing values."""
    h = draw(frameworks())
    n = draw(st.integers(2, 8))
    cols = {}
    for code in h.indicators:
        vals = draw(st.lists(st.integers(-1000, 1000), min_size=n, max_size=n))
        gaps = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)) if missing else [1] * n
        cols[code] = [float(v) if g else np.nan for v, g in zip(vals, gaps, strict=True)]
    return h, pd.DataFrame(cols, index=[f"u{i}" for i in range(n)])


def _close(a: pd.DataFrame, b: pd.DataFrame, rtol: float = 1e-9, atol: float = 1e-9) -> None:
    np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=rtol, atol=atol, equal_nan=True)


@SETTINGS
@given(cases(), SPECS, st.data(), st.floats(0.01, 100), st.floats(-1000, 1000))
def test_positive_affine_change_of_units_changes_nothing(case, spec, data, a, b) -> None:
    h, df = case
    code = data.draw(st.sampled_from(h.indicators))
    changed = df.copy()
    changed[code] = a * df[code] + b  # e.g. 万元 -> 元, or °C -> K
    r1, r2 = evaluate(df, h, spec), evaluate(changed, h, spec)
    _close(r1.normalised, r2.normalised)
    _close(r1.scores, r2.scores)


@SETTINGS
@given(cases(), MINMAX_SPECS, st.data(), st.integers(1, 500))
def test_improving_an_indicator_never_lowers_the_index(case, spec, data, step) -> None:
    h, df = case
    unit = data.draw(st.sampled_from(list(df.index)))
    code = data.draw(st.sampled_from(h.indicators))
    assume(not np.isnan(df.loc[unit, code]))
    better = df.copy()
    better.loc[unit, code] += step * h.directions[code]  # "better" is up for 正向, down for 逆向
    # Catching up with the only other values can make the column constant, which then counts as missing
    # for everyone (documented in normalise); that is not a change of the unit's standing, so skip it.
    assume(better[code].nunique() >= 2)
    before = evaluate(df, h, spec).scores.loc[unit, h.root]
    after = evaluate(better, h, spec).scores.loc[unit, h.root]
    if not np.isnan(before):  # NaN -> a score (a constant column becoming informative) is never a loss
        assert after >= before - 1e-9 * max(1.0, abs(before))


@SETTINGS
@given(cases(), st.sampled_from([MethodSpec(), MethodSpec(normalisation="zscore", zscore_mean_sd=(5, 3))]))
def test_direction_flip_reverses_order(case, spec) -> None:
    h, df = case
    up = normalise(df, dict.fromkeys(h.indicators, 1), spec)
    down = normalise(df, dict.fromkeys(h.indicators, -1), spec)
    # Reflection about the centre of the scale, which reverses every pairwise order.
    centre = sum(spec.minmax_range) if spec.normalisation == "minmax" else 2 * spec.zscore_mean_sd[0]
    _close(down, centre - up)
    for code in h.indicators:
        r_up = up[code].rank(method="min", ascending=True)
        r_down = down[code].rank(method="min", ascending=False)
        pd.testing.assert_series_equal(r_up, r_down, check_names=False)


@SETTINGS
@given(cases(), SPECS)
def test_effective_weights_sum_to_one_and_explain_the_index(case, spec) -> None:
    h, df = case
    r = evaluate(df, h, spec)
    w = r.effective_weights()
    scored = r.scores[h.root].notna()
    assert (w[~scored].isna().all(axis=1)).all()
    np.testing.assert_allclose(w[scored].sum(axis=1), 1.0, rtol=1e-12)
    assert ((w[scored] >= 0) & (w[scored] <= 1 + 1e-12)).all().all()
    assert (w[scored].where(r.normalised[scored].isna(), 0.0) == 0).all().all()  # missing -> weight 0
    total = r.contributions()[scored].sum(axis=1)
    if spec.aggregation == "geometric":
        total = np.exp(total)
    # atol: an index that is exactly 0 (z-scores cancelling) comes back as ±3e-17 from the summed parts.
    np.testing.assert_allclose(total, r.scores.loc[scored, h.root], rtol=1e-9, atol=1e-12)


@SETTINGS
@given(cases(), SPECS, st.data())
def test_aggregation_is_row_wise(case, spec, data) -> None:
    h, df = case
    norm = normalise(df, h.directions, spec)
    unit = data.draw(st.sampled_from(list(df.index)))
    code = data.draw(st.sampled_from(h.indicators))
    holed = norm.copy()
    holed.loc[unit, code] = np.nan
    others = [u for u in df.index if u != unit]
    _close(aggregate(norm, h, spec).loc[others], aggregate(holed, h, spec).loc[others], rtol=0, atol=0)
    _close(effective_weights(norm, h).loc[others], effective_weights(holed, h).loc[others], rtol=0, atol=0)


@SETTINGS
@given(cases(), st.data())
def test_missing_value_affects_others_only_through_bounds(case, data) -> None:
    h, df = case
    unit = data.draw(st.sampled_from(list(df.index)))
    code = data.draw(st.sampled_from(h.indicators))
    x = df.loc[unit, code]
    rest = df[code].drop(unit).dropna()
    # Keep only cases where dropping the value leaves the min-max bounds as they were.
    assume(not np.isnan(x) and len(rest.unique()) >= 2 and rest.min() <= x <= rest.max())
    holed = df.copy()
    holed.loc[unit, code] = np.nan
    others = [u for u in df.index if u != unit]
    r1, r2 = evaluate(df, h), evaluate(holed, h)
    _close(r1.normalised.loc[others], r2.normalised.loc[others], rtol=0, atol=0)
    _close(r1.scores.loc[others], r2.scores.loc[others], rtol=0, atol=0)


@SETTINGS
@given(cases(), SPECS, st.randoms(use_true_random=False), st.data())
def test_input_hash_ignores_order_but_not_values(case, spec, rnd, data) -> None:
    h, df = case
    rows, cols = list(df.index), list(df.columns)
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    base = input_hash(df, h, spec)
    assert input_hash(df.loc[rows, cols], h, spec) == base
    assert len(base) == 64 and int(base, 16) >= 0

    unit = data.draw(st.sampled_from(rows))
    code = data.draw(st.sampled_from(cols))
    changed = df.copy()
    old = changed.loc[unit, code]
    changed.loc[unit, code] = 0.5 if np.isnan(old) else (np.nan if data.draw(st.booleans()) else old + 1e-9)
    assert input_hash(changed, h, spec) != base
    other_spec = MethodSpec(availability_threshold=0.5 if spec.availability_threshold != 0.5 else 0.25)
    assert input_hash(df, h, other_spec) != input_hash(df, h, MethodSpec())
