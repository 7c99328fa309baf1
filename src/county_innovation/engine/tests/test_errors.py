"""Bad input is refused with an EngineError whose Chinese message names the problem and the fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from county_innovation.engine import EngineError, Hierarchy, MethodSpec, Node, aggregate, evaluate, normalise


def _tree(**changes: Node) -> list[Node]:
    nodes = {
        "I": Node("I", None),
        "D1": Node("D1", "I"),
        "D2": Node("D2", "I"),
        "a": Node("a", "D1"),
        "b": Node("b", "D1"),
        "c": Node("c", "D2"),
    }
    nodes.update(changes)
    return list(nodes.values())


@pytest.fixture
def data() -> pd.DataFrame:
    return pd.DataFrame({"a": [1.0, 2, 3], "b": [3.0, 1, 2], "c": [5.0, 6, 9]}, index=["x", "y", "z"])


def test_engine_error_is_value_error() -> None:
    assert issubclass(EngineError, ValueError)


@pytest.mark.parametrize(
    ("nodes", "pattern"),
    [
        (_tree(c=Node("c", "D9")), "「c」的上级「D9」不存在"),
        (_tree(I=Node("I", "c")), "没有总指数"),  # every node has a parent: the loop I → … → c → I
        (_tree(D2=Node("D2", "c")), "循环.*D2 → c → D2|循环.*c → D2 → c"),
        (_tree(D1=Node("D1", "D1")), "循环.*D1 → D1"),
        (_tree(D2=Node("D2", None)), "多个没有上级的节点（I、D2）"),
        (_tree(a=Node("a", "D1", 0.0), b=Node("b", "D1", 0.0)), "D1.*（a、b）权重全部为 0"),
        (_tree(D1=Node("D1", "I", 0), D2=Node("D2", "I", 0)), "「I」的下级.*权重全部为 0"),
        (_tree(a=Node("a", "D1", -1.0)), "「a」的权重 -1.0 无效"),
        (_tree(a=Node("a", "D1", float("nan"))), "「a」的权重 nan 无效"),
        (_tree(a=Node("a", "D1", "1")), "「a」的权重 '1' 不是数字"),
        (_tree(a=Node("a", "D1", direction=0)), "「a」的方向 0 无效"),
        (_tree(b=Node("a", "D1")), "「a」重复"),
        ([Node("I", None)], "没有任何指标"),
        ([], "为空"),
    ],
)
def test_bad_hierarchy(nodes: list[Node], pattern: str) -> None:
    with pytest.raises(EngineError, match=pattern):
        Hierarchy(nodes)


def test_cycle_detached_from_root_is_named() -> None:
    with pytest.raises(EngineError, match=r"循环上下级关系：(P → Q → P|Q → P → Q)"):
        Hierarchy([*_tree(), Node("P", "Q"), Node("Q", "P")])


def test_bad_hierarchy_dict() -> None:
    with pytest.raises(EngineError, match="未知字段：wieght"):
        Hierarchy.from_dict({"nodes": [{"code": "I", "parent": None, "wieght": 1}]})
    with pytest.raises(EngineError, match="格式错误"):
        Hierarchy.from_dict({"items": []})


def test_missing_and_extra_columns(data: pd.DataFrame) -> None:
    h = Hierarchy(_tree())
    with pytest.raises(EngineError, match="缺少指标：c"):
        evaluate(data.drop(columns="c"), h)
    with pytest.raises(EngineError, match="指标体系中没有的列：zz"):
        evaluate(data.assign(zz=1.0), h)


def test_non_numeric_column(data: pd.DataFrame) -> None:
    bad = data.astype(object)
    bad.loc["y", "b"] = "暂无"
    with pytest.raises(EngineError, match="指标「b」含有非数值数据（如单位「y」的值 '暂无'）"):
        evaluate(bad, Hierarchy(_tree()))
    bad["b"] = ["1", "2", "三"]
    with pytest.raises(EngineError, match="非数值"):
        evaluate(bad, Hierarchy(_tree()))


def test_blank_text_is_missing(data: pd.DataFrame) -> None:
    blank = data.astype(object)
    blank.loc["y", "b"] = "  "
    r = evaluate(blank, Hierarchy(_tree()))
    assert np.isnan(r.data.loc["y", "b"])


def test_infinite_value(data: pd.DataFrame) -> None:
    data.loc["z", "a"] = np.inf
    with pytest.raises(EngineError, match="「a」在单位「z」处为无穷大"):
        evaluate(data, Hierarchy(_tree()))


def test_too_few_units_and_duplicates(data: pd.DataFrame) -> None:
    h = Hierarchy(_tree())
    with pytest.raises(EngineError, match="至少需要 2 个单位"):
        evaluate(data.iloc[:1], h)
    with pytest.raises(EngineError, match="单位「x」出现多次"):
        evaluate(pd.concat([data, data.iloc[:1]]), h)


def test_geometric_mean_on_a_zero(data: pd.DataFrame) -> None:
    h = Hierarchy(_tree())
    spec = MethodSpec(minmax_range=(1, 100), aggregation="geometric")
    norm = normalise(data, h.directions, MethodSpec())  # 0–100: every column has a 0
    with pytest.raises(
        EngineError,
        match=r"几何平均要求所有标准化值为正数，指标「a」在「x」处为 0；.*下限设为大于 0（如 1–100）",
    ):
        aggregate(norm, h, spec)
    # the spec that would always produce zeros is refused before any data are read
    with pytest.raises(EngineError, match=r"几何平均.*下限为 0"):
        MethodSpec(aggregation="geometric")
    with pytest.raises(EngineError, match=r"几何平均.*z-score 均值为 0"):
        MethodSpec(normalisation="zscore", aggregation="geometric")


@pytest.mark.parametrize(
    ("d", "pattern"),
    [
        ({"normalisation": "ranking"}, "未知的标准化方法「ranking」；可选：minmax"),
        ({"aggregation": "median"}, "未知的合成方法「median」；可选：arithmetic"),
        ({"normalization": "minmax"}, "未知字段：normalization"),
        ({"minmax_range": [100, 0]}, "下限必须小于上限"),
        ({"minmax_range": [0]}, "应为两个数字"),
        ({"zscore_mean_sd": [0, 0]}, "标准差 0 无效"),
        ({"availability_threshold": 1.5}, "门槛 1.5 无效：必须在 0 到 1 之间"),
        ({"availability_threshold": "high"}, "不是数字"),
    ],
)
def test_bad_method_spec(d: dict, pattern: str) -> None:
    with pytest.raises(EngineError, match=pattern):
        MethodSpec.from_dict(d)


def test_missing_direction_in_normalise(data: pd.DataFrame) -> None:
    with pytest.raises(EngineError, match="「c」缺少方向设置"):
        normalise(data, {"a": 1, "b": 1}, MethodSpec())
    with pytest.raises(EngineError, match="「c」的方向 2 无效"):
        normalise(data, {"a": 1, "b": 1, "c": 2}, MethodSpec())
