"""The one place that turns a method specification (the engine's codes) into Chinese words.

Pages, forms, the bulletin and the county profile all describe a framework's or a run's method through these
functions, reading the stored spec, so no page shows an engine code (``minmax``, ``entropy`` …) and no document
describes a method other than the one used.
"""

from __future__ import annotations

from typing import Any

NORMALISATION_LABELS = {
    "minmax": "最小-最大标准化",
    "zscore": "Z 分数标准化",
    "rank": "排名标准化",
    "prank": "百分位排名标准化",
    "borda": "波达计分",
    "goalposts": "目标区间标准化",
    "dist2max": "与最大值的距离",
    "fracmax": "占最大值的比例",
    "target": "监测标准值达标率",
}
AGGREGATION_LABELS = {
    "arithmetic": "加权算术平均",
    "geometric": "加权几何平均",
    "harmonic": "加权调和平均",
    "generalised": "加权幂平均",
    "topsis": "逼近理想解排序（TOPSIS）贴近度",
}
IMPUTATION_LABELS = {
    "none": "不插补",
    "mean": "均值插补",
    "median": "中位数插补",
    "mean-group": "组内均值插补",
    "median-group": "组内中位数插补",
    "latest": "沿用最近年份数值",
    "linear": "按年份线性插值",
}
TREATMENT_LABELS = {
    "none": "不处理",
    "coinr": "逐点缩尾，仍偏态则取对数",
    "winsorise": "逐点缩尾",
    "log": "自然对数变换",
    "log_CT": "对数变换（综合指数工具箱做法）",
    "log_GII": "对数变换（全球创新指数做法）",
    "boxcox": "Box-Cox 变换",
}
WEIGHTING_LABELS = {
    "given": "按指标体系权重",
    "equal": "等权",
    "entropy": "熵权法",
    "critic": "CRITIC 客观赋权",
    "pca": "主成分分析赋权",
}
STEP_LABELS = {
    "impute": IMPUTATION_LABELS,
    "treat": TREATMENT_LABELS,
    "normalisation": NORMALISATION_LABELS,
    "weighting": WEIGHTING_LABELS,
    "aggregation": AGGREGATION_LABELS,
}
STEP_NAMES = {
    "impute": "缺失值插补",
    "treat": "异常值处理",
    "normalisation": "标准化",
    "weighting": "赋权",
    "aggregation": "汇总",
}
DEFAULTS = {
    "impute": "none",
    "treat": "none",
    "normalisation": "minmax",
    "weighting": "given",
    "aggregation": "arithmetic",
}
# Weightings computed from the data: the indicators' weights within each dimension differ from the framework's.
DATA_WEIGHTINGS = {"equal", "entropy", "critic", "pca"}


def method_label(step: str, code: str | None) -> str:
    """The Chinese name of one step's option; an unknown code is named as such, never shown bare."""
    code = code or DEFAULTS.get(step, "")
    labels = STEP_LABELS.get(step, {})
    return labels.get(code, f"其他{STEP_NAMES.get(step, '方法')}")


def _num(value: Any) -> str:
    return f"{float(value):g}"


def normalisation_text(spec: dict) -> str:
    """The normalisation with its parameters: 最小-最大标准化（0–100）."""
    norm = spec.get("normalisation") or "minmax"
    text = method_label("normalisation", norm)
    if norm == "minmax":
        low, high = spec.get("minmax_range") or (0, 100)
        text += f"（{_num(low)}–{_num(high)}）"
    elif norm == "zscore":
        mean_, sd = spec.get("zscore_mean_sd") or (0, 1)
        text += f"（均值 {_num(mean_)}，标准差 {_num(sd)}）"
    if spec.get("normalise_overrides"):
        text += f"，{len(spec['normalise_overrides'])} 项指标另设方法"
    return text


def weighting_text(spec: dict) -> str:
    text = method_label("weighting", spec.get("weighting"))
    if spec.get("ahp"):
        text += "，部分节点由层次分析法判断矩阵确定"
    if spec.get("weights"):
        text += f"，{len(spec['weights'])} 个节点采用专家权重"
    return text


def method_steps(spec: dict) -> list[tuple[str, str]]:
    """(step name, Chinese description) of every step of ``spec``, in pipeline order."""
    return [
        (STEP_NAMES["impute"], method_label("impute", spec.get("impute"))),
        (STEP_NAMES["treat"], method_label("treat", spec.get("treat"))),
        (STEP_NAMES["normalisation"], normalisation_text(spec)),
        (STEP_NAMES["weighting"], weighting_text(spec)),
        (STEP_NAMES["aggregation"], method_label("aggregation", spec.get("aggregation"))),
        ("数据完整率门槛", f"{float(spec.get('availability_threshold') or 0) * 100:.0f}%"),
    ]


def method_summary(spec: dict | None) -> str:
    """One line: 最小-最大标准化（0–100）· 熵权法 · 加权算术平均, with imputation and treatment when used."""
    spec = spec or {}
    parts = []
    if (spec.get("impute") or "none") != "none":
        parts.append(method_label("impute", spec["impute"]))
    if (spec.get("treat") or "none") != "none":
        parts.append("异常值" + method_label("treat", spec["treat"]))
    parts += [
        normalisation_text(spec),
        weighting_text(spec),
        method_label("aggregation", spec.get("aggregation")),
    ]
    return " · ".join(parts)


# The options of a robustness analysis ("minmax:1,100" is min-max onto 1–100).
def robustness_option_label(option: str) -> str:
    """Chinese name of a robustness alternative: a normalisation with parameters, or an aggregation/imputation."""
    code, _, params = str(option).partition(":")
    if code in NORMALISATION_LABELS:
        label = NORMALISATION_LABELS[code]
        values = [v for v in params.split(",") if v]
        if code == "minmax" and len(values) == 2:
            return f"{label}（{_num(values[0])}–{_num(values[1])}）"
        if code == "zscore" and len(values) == 2:
            return f"{label}（均值 {_num(values[0])}，标准差 {_num(values[1])}）"
        return label
    for labels in (AGGREGATION_LABELS, IMPUTATION_LABELS, TREATMENT_LABELS, WEIGHTING_LABELS):
        if code in labels:
            return labels[code]
    return "其他方法"


_COMPARED = (
    ("impute", "缺失值插补"),
    ("treat", "异常值处理"),
    ("weighting", "赋权"),
    ("aggregation", "汇总"),
)


def method_differences(
    spec: dict, other: dict, *, version: int | None = None, other_version: int | None = None
) -> list[str]:
    """What differs between two runs' methods, in Chinese (empty when the ranks are comparable).

    ``version``/``other_version`` are the framework versions: a new version changes weights or indicators.
    """
    out = []
    if version is not None and other_version is not None and version != other_version:
        out.append(f"指标体系第{other_version}版→第{version}版")
    if normalisation_text(spec) != normalisation_text(other):
        out.append(f"标准化由「{normalisation_text(other)}」改为「{normalisation_text(spec)}」")
    for key, name in _COMPARED:
        mine = spec.get(key) or DEFAULTS[key]
        theirs = other.get(key) or DEFAULTS[key]
        if mine != theirs:
            out.append(f"{name}由「{method_label(key, theirs)}」改为「{method_label(key, mine)}」")
    if key_changes := [k for k in ("weights", "ahp", "targets", "goalposts") if spec.get(k) != other.get(k)]:
        out.append(f"{len(key_changes)} 项高级方法设置有变化")
    if float(spec.get("availability_threshold") or 0) != float(other.get("availability_threshold") or 0):
        out.append("数据完整率门槛有变化")
    return out
