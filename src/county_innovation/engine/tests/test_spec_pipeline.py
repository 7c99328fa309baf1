"""The method spec (JSON round trip, v1 compatibility, validation) and the recorded pipeline."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from county_innovation.engine import (
    EngineError,
    Hierarchy,
    MethodSpec,
    Node,
    evaluate,
    input_hash,
    regenerate,
)

V1_STORED = {
    "normalisation": "minmax",
    "minmax_range": [0, 100],
    "zscore_mean_sd": [0, 1],
    "aggregation": "arithmetic",
    "availability_threshold": 0.6,
}


def _tree() -> Hierarchy:
    return Hierarchy(
        [
            Node("I", None),
            Node("D1", "I", 2),
            Node("D2", "I", 1),
            Node("a", "D1", 1, 1, "专利"),
            Node("b", "D1", 0.5, -1),
            Node("c", "D2"),
        ]
    )


def _data() -> pd.DataFrame:
    return pd.DataFrame(
        {"a": [1.0, 2.5, np.nan, 7], "b": [3.0, 1, 2, 0.5], "c": [5.0, 6, 9, 1e6]},
        index=["u1", "u2", "u3", "u4"],
    )


def test_stored_v1_spec_gives_the_v1_hash_and_numbers() -> None:
    # Digests and scores computed by engine v1 (commit 4c90e15) on this input; runs stored in the
    # platform's database are re-checked against them.
    r = evaluate(_data(), _tree(), MethodSpec.from_dict(V1_STORED))
    assert r.input_hash == "49bab05e4d07da73744b47faf3e8c63fc22fbd0f2ca1d38d4c8bff6e4799005f"
    assert r.scores["I"].tolist() == [0.0, 28.88892222238889, 26.66680000066667, 100.0]
    assert r.spec.to_dict() == {**V1_STORED, "minmax_range": [0.0, 100.0], "zscore_mean_sd": [0.0, 1.0]}
    geo = {**V1_STORED, "normalisation": "zscore", "zscore_mean_sd": [10, 2], "aggregation": "geometric"}
    geo.update(availability_threshold=0, minmax_range=[1, 100])
    r2 = evaluate(_data(), _tree(), MethodSpec.from_dict(geo))
    assert r2.input_hash == "be5f073428476eca944589d5b8c041f69dacbd198a0926b28d031f1157273319"
    np.testing.assert_allclose(
        r2.scores["I"],
        [8.38593719774582, 9.600213896839492, 9.214410304595894, 12.441012304207876],
        rtol=1e-15,
    )


def test_v2_options_are_serialised_only_when_used() -> None:
    assert set(MethodSpec().to_dict()) == set(V1_STORED)
    spec = MethodSpec(
        treat="coinr",
        treat_overrides={"a": "none"},
        normalise_overrides={"c": "target"},
        targets={"c": 10},
        weighting="entropy",
        ahp={"I": {"order": ["D1", "D2"], "matrix": [[1, 3], [1 / 3, 1]]}},
        aggregate_threshold={"D1": 0.5},
        denominate={"a": ["c", 100]},
    )
    d = spec.to_dict()
    assert {"treat", "treat_overrides", "targets", "weighting", "ahp", "denominate"} <= set(d)
    assert "impute" not in d and "goalposts" not in d
    again = MethodSpec.from_json(json.dumps(d))
    assert again == spec and hash(again) == hash(spec) and again.to_dict() == d
    assert input_hash(_data(), _tree(), spec) != input_hash(_data(), _tree(), MethodSpec())


def test_replace_and_regenerate_change_one_choice() -> None:
    r = evaluate(_data(), _tree(), MethodSpec(normalisation="zscore"))
    assert list(r.steps) == [
        "denominate",
        "screen",
        "impute",
        "treat",
        "normalise",
        "weights",
        "aggregate",
        "rank",
    ]
    params, table = r.steps["aggregate"]
    assert params["aggregation"] == "arithmetic" and list(table.columns) == ["D1", "D2", "I"]
    r2 = regenerate(r, aggregation="harmonic", normalisation="minmax", minmax_range=(1, 100))
    assert r2.spec == r.spec.replace(aggregation="harmonic", normalisation="minmax", minmax_range=(1, 100))
    direct = evaluate(_data(), _tree(), r2.spec)
    pd.testing.assert_frame_equal(r2.scores, direct.scores)
    with pytest.raises(EngineError, match="未知字段：aggregaton"):
        regenerate(r, aggregaton="geometric")


def test_pipeline_with_every_step() -> None:
    h = _tree()
    df = _data().assign(pop=[1.0, 2, 4, 8], grp=["A", "A", "B", "B"])
    spec = MethodSpec(
        denominate={"a": ["pop", 10]},
        impute="mean-group",
        impute_group="grp",
        treat="log_CT",
        weighting="equal",
        aggregate_threshold=0.5,
    )
    r = evaluate(df, h, spec)
    assert r.step("denominate")["a"].tolist()[:2] == [10.0, 12.5]
    assert r.step("impute").loc["u3", "a"] == pytest.approx(r.step("denominate").loc["u4", "a"])
    assert r.treat_details["Method"].tolist() == ["log_CT"] * 3
    assert r.weights["D1"] == r.weights["a"] == 1.0
    assert r.scores["I"].notna().all()
    assert regenerate(r).input_hash == r.input_hash
    assert r.input_hash != evaluate(df.assign(pop=[1.0, 2, 4, 9]), h, spec).input_hash


def test_panel_evaluation_takes_the_latest_year() -> None:
    idx = pd.MultiIndex.from_product([["u1", "u2", "u3"], [2021, 2022]])
    df = pd.DataFrame(
        {"a": [1.0, np.nan, 2, 3, 5, 4], "b": [1.0, 2, 3, 4, 5, 6], "c": [3.0, 2, 1, 1, 2, 3]}, index=idx
    )
    r = evaluate(df, _tree(), MethodSpec(impute="latest"))
    assert r.step("impute").loc["u1", "a"] == 1.0  # 2021 carried into 2022
    assert list(r.data.index) == ["u1", "u2", "u3"] and np.isnan(r.data.loc["u1", "a"])
    r21 = evaluate(df, _tree(), MethodSpec(impute="linear", panel_period=2021))
    assert r21.data.loc["u2", "a"] == 2.0


def test_data_driven_weights_sum_to_one_within_parents() -> None:
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        rng.lognormal(size=(30, 3)), columns=["a", "b", "c"], index=[f"u{i}" for i in range(30)]
    )
    for method in ("entropy", "critic", "pca"):
        r = evaluate(df, _tree(), MethodSpec(weighting=method))
        assert r.weights["a"] + r.weights["b"] == pytest.approx(1.0)
        assert r.weights["c"] == pytest.approx(1.0) and r.weights["D1"] == 2.0
    ahp = MethodSpec(ahp={"I": {"order": ["D2", "D1"], "matrix": [[1, 4], [0.25, 1]]}})
    r = evaluate(df, _tree(), ahp)
    assert r.weights["D2"] == pytest.approx(0.8) and r.weights["D1"] == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("d", "pattern"),
    [
        ({"normalisation": "ranking"}, "未知的标准化方法「ranking」；可选：minmax（最小-最大）"),
        ({"aggregation": "median"}, "未知的合成方法「median」；可选：arithmetic"),
        ({"treat": "trim"}, "未知的异常值处理方法「trim」"),
        ({"impute": "knn"}, "未知的插补方法「knn」"),
        ({"weighting": "random"}, "未知的赋权方法「random」"),
        ({"impute": "mean-group"}, "需要指定分组列（impute_group）"),
        ({"treat_overrides": {"a": "cut"}}, "未知的异常值处理方法「cut」"),
        ({"normalise_overrides": {"a": "x"}}, "未知的标准化方法「x」"),
        ({"goalposts": {"a": [5, 1]}}, "「a」的目标区间 \\[5, 1\\] 无效"),
        ({"targets": {"a": 0}}, "「a」的监测标准值 0 无效：必须大于 0"),
        ({"winsorise_max": -1}, "winsorise_max）-1 无效"),
        ({"weights": {"a": -2}}, "「a」的权重 -2 无效"),
        ({"aggregate_threshold": 1.5}, "合成数据可用率门槛 1.5 无效"),
        ({"denominate": {"a": ["pop"]}}, "分母设置 \\['pop'\\] 格式错误"),
        ({"generalised_p": "two"}, "广义平均的幂 p 'two' 不是数字"),
        (
            {"ahp": {"I": {"order": ["a", "b"], "matrix": [[1, 2], [2, 1]]}}},
            "「I」的AHP 判断矩阵不是互反矩阵",
        ),
        (
            {"ahp": {"I": {"order": list("abc"), "matrix": [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]}}},
            "一致性比率 CR = .*应小于 0.1",
        ),
        ({"aggregation": "harmonic"}, "调和平均要求所有标准化值为正数，但最小-最大标准化下限为 0"),
        (
            {"aggregation": "geometric", "minmax_range": [1, 100], "normalisation": "prank"},
            "百分位排名」的最低值总是 0",
        ),
    ],
)
def test_bad_spec_is_refused_in_chinese(d: dict, pattern: str) -> None:
    with pytest.raises(EngineError, match=pattern):
        MethodSpec.from_dict(d)


def test_bad_pipeline_settings() -> None:
    h, df = _tree(), _data()
    with pytest.raises(EngineError, match="「D1」的下级（a、b）权重全部为 0"):
        evaluate(df, h, MethodSpec(weights={"a": 0, "b": 0}))
    with pytest.raises(EngineError, match="权重设置中的节点「zz」不在指标体系中"):
        evaluate(df, h, MethodSpec(weights={"zz": 1}))
    with pytest.raises(EngineError, match="缺少方法设置用到的列：pop"):
        evaluate(df, h, MethodSpec(denominate={"a": ["pop", 1]}))
    with pytest.raises(EngineError, match="按监测标准值标准化，但没有设置标准值"):
        evaluate(df, h, MethodSpec(normalisation="target"))
    with pytest.raises(EngineError, match="用于面板数据"):
        evaluate(df, h, MethodSpec(impute="latest"))
    with pytest.raises(EngineError, match="调和平均要求所有标准化值为正数，指标「c」在「u1」处为 0"):
        targets = {"a": 1, "b": 1, "c": 1}
        evaluate(
            df.assign(c=[0.0, 1, 2, 3]),
            h,
            MethodSpec(normalisation="target", targets=targets, aggregation="harmonic"),
        )
    with pytest.raises(EngineError, match=r"熵权法：所有指标在各单位间取值都相同|取值全部相同"):
        evaluate(df.assign(a=1.0, b=2.0, c=3.0), h, MethodSpec(weighting="entropy"), strict=True)


def test_contributions_only_for_additive_means() -> None:
    r = evaluate(_data(), _tree(), MethodSpec(aggregation="topsis"))
    with pytest.raises(EngineError, match="不能分解为各指标相加的贡献"):
        r.contributions()
