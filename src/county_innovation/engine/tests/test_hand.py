"""Small cases whose expected values are worked out by hand (4 units, 2 dimensions, 4 indicators)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from county_innovation.engine import (
    EngineError,
    Hierarchy,
    MethodSpec,
    Node,
    aggregate,
    evaluate,
    normalise,
    rank_scores,
    strengths_weaknesses,
)

# I = (1·D1 + 3·D2) / 4;  D1 = (a + b) / 2 with b 逆向;  D2 = (1·c + 3·d) / 4
NODES = [
    Node("I", None, name="综合指数"),
    Node("D1", "I", 1.0, name="创新投入"),
    Node("D2", "I", 3.0, name="创新产出"),
    Node("a", "D1"),
    Node("b", "D1", direction=-1),
    Node("c", "D2", 1.0),
    Node("d", "D2", 3.0),
]
UNITS = ["u1", "u2", "u3", "u4"]


@pytest.fixture
def h() -> Hierarchy:
    return Hierarchy(NODES)


@pytest.fixture
def data() -> pd.DataFrame:
    return pd.DataFrame(
        {"a": [10.0, 20, 30, 40], "b": [4.0, 2, 2, 0], "c": [1.0, 2, 3, 5], "d": [0.0, 10, 5, 10]},
        index=UNITS,
    )


def test_hierarchy_structure(h: Hierarchy) -> None:
    assert h.root == "I"
    assert h.indicators == ["a", "b", "c", "d"]
    assert h.aggregates == ["D1", "D2", "I"]
    assert h.children("D2") == ["c", "d"]
    assert [h.level(c) for c in ("a", "D1", "I")] == [1, 2, 3]
    assert h.directions == {"a": 1, "b": -1, "c": 1, "d": 1}
    assert Hierarchy.from_dict(h.to_dict()) == h


def test_uneven_depth_levels() -> None:
    h = Hierarchy(
        [Node("I", None), Node("D", "I"), Node("S", "D"), Node("x", "S"), Node("y", "D"), Node("z", "I")]
    )
    assert [h.level(c) for c in ("x", "S", "D", "I")] == [1, 2, 3, 4]
    assert h.aggregates == ["S", "D", "I"]


def test_minmax_with_direction(data: pd.DataFrame, h: Hierarchy) -> None:
    n = normalise(data, h.directions, MethodSpec())
    np.testing.assert_allclose(n["a"], [0, 100 / 3, 200 / 3, 100])
    np.testing.assert_allclose(n["b"], [0, 50, 50, 100])  # 逆向: smallest raw value (0) is best
    np.testing.assert_allclose(n["c"], [0, 25, 50, 100])
    np.testing.assert_allclose(n["d"], [0, 100, 50, 100])
    n2 = normalise(data, h.directions, MethodSpec(minmax_range=(1, 100)))
    np.testing.assert_allclose(n2["a"], [1, 34, 67, 100])


def test_direction_flip(data: pd.DataFrame, h: Hierarchy) -> None:
    pos = normalise(data, {**h.directions, "b": 1}, MethodSpec())
    np.testing.assert_allclose(pos["b"], [100, 50, 50, 0])


def test_zscore_sample_sd(data: pd.DataFrame, h: Hierarchy) -> None:
    sd = math.sqrt((15**2 + 5**2 + 5**2 + 15**2) / 3)  # ddof = 1
    n = normalise(data, h.directions, MethodSpec(normalisation="zscore"))
    np.testing.assert_allclose(n["a"], np.array([-15, -5, 5, 15]) / sd)
    n2 = normalise(data, h.directions, MethodSpec(normalisation="zscore", zscore_mean_sd=(10, 2)))
    np.testing.assert_allclose(n2["a"], 10 + 2 * np.array([-15, -5, 5, 15]) / sd)
    # b·(-1) = [-4, -2, -2, 0]: mean -2, sd sqrt(8/3)
    np.testing.assert_allclose(n["b"], np.array([-2, 0, 0, 2]) / math.sqrt(8 / 3))


def test_arithmetic(data: pd.DataFrame, h: Hierarchy) -> None:
    r = evaluate(data, h)
    d1 = np.array([0, (100 / 3 + 50) / 2, (200 / 3 + 50) / 2, 100])
    d2 = np.array([0, (25 + 3 * 100) / 4, (50 + 3 * 50) / 4, 100])
    np.testing.assert_allclose(r.scores["D1"], d1)
    np.testing.assert_allclose(r.scores["D2"], d2)
    np.testing.assert_allclose(r.scores["I"], (d1 + 3 * d2) / 4)
    assert list(r.scores.columns) == ["D1", "D2", "I"]
    assert r.ranks["I"].tolist() == [4, 2, 3, 1]  # I = [0, 71.35, 52.08, 100]
    assert str(r.ranks["I"].dtype) == "Int64"
    np.testing.assert_allclose(r.contributions().sum(axis=1), r.scores["I"])
    assert r.warnings == []
    assert r.excluded == []
    assert r.availability.tolist() == [1.0] * 4


def test_geometric() -> None:
    h = Hierarchy(NODES)
    norm = pd.DataFrame({"a": [4.0, 1], "b": [9.0, 16], "c": [16.0, 1], "d": [1.0, 16]}, index=["u1", "u2"])
    s = aggregate(norm, h, MethodSpec(minmax_range=(1, 100), aggregation="geometric"))
    np.testing.assert_allclose(s["D1"], [6, 4])
    np.testing.assert_allclose(s["D2"], [2, 8])  # 16^(1/4), 16^(3/4)
    np.testing.assert_allclose(s["I"], [6**0.25 * 2**0.75, 4**0.25 * 8**0.75])


def test_geometric_evaluate_contributions(data: pd.DataFrame, h: Hierarchy) -> None:
    r = evaluate(data, h, MethodSpec(minmax_range=(1, 100), aggregation="geometric"))
    a, b = np.array([1, 34, 67, 100.0]), np.array([1, 50.5, 50.5, 100])
    np.testing.assert_allclose(r.scores["D1"], np.sqrt(a * b))
    # contributions are on the log scale for the geometric mean: rows sum to ln(index)
    np.testing.assert_allclose(np.exp(r.contributions().sum(axis=1)), r.scores["I"])


def test_weights_renormalised_over_missing(data: pd.DataFrame, h: Hierarchy) -> None:
    data.loc["u2", "d"] = np.nan  # d's bounds (0, 10) are unchanged by dropping u2
    data.loc["u1", ["a", "b"]] = np.nan  # u1 has no D1 at all
    r = evaluate(data, h)
    assert r.scores.loc["u2", "D2"] == pytest.approx(25.0)  # only c (25) left in D2
    # Dropping u1 moves a's bounds to 20–40 and -b's to (-2, 0), so u2 scores 0 on both: D1 = 0.
    assert r.scores.loc["u2", "D1"] == 0.0
    assert r.scores.loc["u2", "I"] == pytest.approx((0 + 3 * 25) / 4)
    assert math.isnan(r.scores.loc["u1", "D1"])
    assert r.scores.loc["u1", "I"] == pytest.approx(r.scores.loc["u1", "D2"])  # root weight all on D2
    w = r.effective_weights()
    assert w.loc["u2"].tolist() == pytest.approx([1 / 8, 1 / 8, 3 / 4, 0])
    assert w.loc["u1"].tolist() == pytest.approx([0, 0, 1 / 4, 3 / 4])
    assert any("创新投入（D1）" in m and "u1" in m for m in r.warnings)


def test_availability_threshold(data: pd.DataFrame, h: Hierarchy) -> None:
    data.loc["u1", ["a", "c"]] = np.nan  # 2/4 present
    data.loc["u2", "a"] = np.nan  # 3/4 present, exactly the threshold
    data.loc["u1", "b"] = 100.0  # would dominate b's bounds if u1 were normalised
    r = evaluate(data, h, MethodSpec(availability_threshold=0.75))
    assert r.excluded == ["u1"]
    assert r.availability.tolist() == [0.5, 0.75, 1.0, 1.0]
    assert r.scores.loc["u1"].isna().all() and r.normalised.loc["u1"].isna().all()
    assert r.ranks.loc["u1"].isna().all()
    # b over u2..u4 only: -b = [-2, -2, 0] -> [0, 0, 100]
    np.testing.assert_allclose(r.normalised.loc[["u2", "u3", "u4"], "b"], [0, 0, 100])
    # a: [-, 0, 100]; c: [0, 33.3, 100]; d: [100, 0, 100] -> I = [56.25, 6.25, 100]
    np.testing.assert_allclose(r.scores.loc[["u2", "u3", "u4"], "I"], [56.25, 6.25, 100])
    assert r.ranks["I"].tolist()[1:] == [2, 3, 1]
    assert any("u1" in m and "75%" in m for m in r.warnings)


def test_threshold_leaving_one_unit_is_refused(data: pd.DataFrame, h: Hierarchy) -> None:
    data.iloc[1:, :2] = np.nan
    with pytest.raises(EngineError, match="仅剩 1 个"):
        evaluate(data, h, MethodSpec(availability_threshold=0.9))


def test_ties_share_best_rank_and_nan_stays_nan() -> None:
    s = pd.DataFrame({"x": [5.0, 3.0, 5.0, 1.0, np.nan]}, index=list("pqrst"))
    r = rank_scores(s)
    assert str(r["x"].dtype) == "Int64"
    assert r["x"].tolist()[:4] == [1, 3, 1, 4]
    assert r["x"].isna().tolist() == [False] * 4 + [True]
    assert rank_scores(s, ascending=True)["x"].tolist()[:4] == [3, 2, 3, 1]


def test_tied_units_in_evaluate(h: Hierarchy) -> None:
    data = pd.DataFrame(
        {"a": [1.0, 2, 2], "b": [1.0, 1, 1], "c": [1.0, 3, 3], "d": [5.0, 6, 6]}, index=["x", "y", "z"]
    )
    r = evaluate(data, h)
    assert r.ranks["I"].tolist() == [3, 1, 1]


def test_constant_column_warns_and_counts_as_missing(data: pd.DataFrame, h: Hierarchy) -> None:
    data["c"] = 7.0
    r = evaluate(data, h)
    assert r.normalised["c"].isna().all()
    np.testing.assert_allclose(r.scores["D2"], r.normalised["d"])  # c's weight moved to d
    assert any("「c」" in m and "全部相同" in m for m in r.warnings)
    with pytest.raises(EngineError, match="「c」"):
        evaluate(data, h, strict=True)


def test_unit_without_data(data: pd.DataFrame, h: Hierarchy) -> None:
    data.loc["u3"] = np.nan
    r = evaluate(data, h)
    assert r.scores.loc["u3"].isna().all() and r.ranks.loc["u3"].isna().all()
    assert any("没有任何指标数据" in m and "u3" in m for m in r.warnings)


def test_column_order_and_dtypes_are_irrelevant(data: pd.DataFrame, h: Hierarchy) -> None:
    r1 = evaluate(data, h)
    shuffled = data[["d", "b", "a", "c"]].astype(object)
    shuffled.loc["u1", "a"] = "10"  # numeric text is accepted
    r2 = evaluate(shuffled, h)
    pd.testing.assert_frame_equal(r1.scores, r2.scores)
    assert r1.input_hash == r2.input_hash
    assert list(r2.normalised.columns) == h.indicators


def test_strengths_weaknesses() -> None:
    n = pd.DataFrame(
        {
            "p": [90.0, 50, 10],
            "q": [10.0, 50, 90],
            "r": [60.0, 50, 40],
            "s": [np.nan, 50, 70],
            "t": [50.0, 50, 50],
        },
        index=["A", "B", "C"],
    )
    strong, weak = strengths_weaknesses(n, "A", k=3)
    assert strong == [("p", 40.0), ("r", 10.0)]  # t's gap is 0, s is missing: neither is listed
    assert weak == [("q", -40.0)]
    assert strengths_weaknesses(n, "A", k=1) == ([("p", 40.0)], [("q", -40.0)])
    with pytest.raises(EngineError, match="不在评价结果中"):
        strengths_weaknesses(n, "Z")


def test_spec_round_trip() -> None:
    spec = MethodSpec("zscore", (1, 100), (10, 2), "geometric", 0.5)
    d = spec.to_dict()
    assert d["zscore_mean_sd"] == [10.0, 2.0]
    assert MethodSpec.from_dict(d) == spec
    assert MethodSpec.from_dict({}) == MethodSpec()


def test_engine_imports_no_django() -> None:
    code = (
        "import sys, county_innovation.engine, county_innovation.engine.command, "
        "county_innovation.engine.uncertainty, county_innovation.engine.sensitivity, "
        "county_innovation.engine.robustness_io, county_innovation.engine.csv_fast; "
        "bad = [m for m in sys.modules if m.split('.')[0] == 'django' or m.startswith('county_innovation.') "
        "and not m.startswith('county_innovation.engine')]; assert not bad, bad"
    )
    src = str(Path(__file__).resolve().parents[3])
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": src})
