"""The method specification: every step's options in one validated, JSON-round-trippable, hashable value.

``MethodSpec`` is what the platform stores with a framework version and what ``evaluate`` reads. The five
v1 fields keep their meaning and their serialisation; every later option has a default that means "step
off" and is left out of :meth:`MethodSpec.to_dict` while it has that default, so stored v1 specs load, give
the same numbers and the same ``input_hash``.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from .errors import EngineError

__all__ = [
    "AGGREGATIONS",
    "IMPUTATIONS",
    "NORMALISATIONS",
    "TREATMENTS",
    "WEIGHTINGS",
    "MethodSpec",
]

NORMALISATIONS = {
    "minmax": "最小-最大",
    "zscore": "z-score",
    "rank": "排名",
    "prank": "百分位排名",
    "borda": "Borda 计分",
    "goalposts": "目标区间（goalposts）",
    "dist2max": "与最大值的距离",
    "fracmax": "占最大值的比例",
    "target": "监测标准值（达标率）",
}
AGGREGATIONS = {
    "arithmetic": "算术平均",
    "geometric": "几何平均",
    "harmonic": "调和平均",
    "generalised": "广义平均（幂平均）",
    "topsis": "TOPSIS 贴近度",
}
IMPUTATIONS = {
    "none": "不插补",
    "mean": "均值",
    "median": "中位数",
    "mean-group": "组内均值",
    "median-group": "组内中位数",
    "latest": "沿用最近年份（面板）",
    "linear": "线性插值（面板）",
}
TREATMENTS = {
    "none": "不处理",
    "coinr": "COINr 默认（逐点缩尾，不达标则对数）",
    "winsorise": "仅逐点缩尾",
    "log": "自然对数",
    "log_CT": "COIN Tool 对数",
    "log_GII": "GII 对数",
    "boxcox": "Box-Cox",
}
WEIGHTINGS = {
    "given": "按指标体系权重",
    "equal": "等权",
    "entropy": "熵权法",
    "critic": "CRITIC",
    "pca": "主成分（第一主成分载荷平方）",
}
# Methods whose lowest normalised value is always 0, which the geometric/harmonic means cannot take.
_ZERO_FLOOR = {"prank": "百分位排名", "borda": "Borda 计分", "dist2max": "与最大值的距离"}
_V1_FIELDS = ("normalisation", "minmax_range", "zscore_mean_sd", "aggregation", "availability_threshold")


def _options(d: Mapping[str, str]) -> str:
    return "、".join(f"{k}（{v}）" for k, v in d.items())


def _number(value: Any, what: str, example: str) -> float:
    if isinstance(value, (str, bytes, bool)) or value is None:
        raise EngineError(f"{what} {value!r} 不是数字；请填写数字，如 {example}。")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise EngineError(f"{what} {value!r} 不是数字；请填写数字，如 {example}。") from None
    if not math.isfinite(out):
        raise EngineError(f"{what} {value!r} 无效：必须是有限数，如 {example}。")
    return out


def _pair(value: Any, what: str, example: str) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError):
        raise EngineError(f"{what} {value!r} 格式错误：应为两个数字，如 {example}。") from None
    if not (math.isfinite(a) and math.isfinite(b)):
        raise EngineError(f"{what} {value!r} 无效：必须是有限数，如 {example}。")
    return a, b


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise EngineError(f"{what}必须是以指标（或节点）编码为键的字典，收到 {type(value).__name__}。")
    return {str(k): v for k, v in value.items()}


def _choice(value: Any, allowed: Mapping[str, str], what: str) -> str:
    if value not in allowed:
        raise EngineError(f"未知的{what}「{value}」；可选：{_options(allowed)}。")
    return str(value)


@dataclass(frozen=True)
class MethodSpec:
    """Every choice that makes a composite index, step by step.

    Steps run in this order: denominate → screen (availability) → impute → treat outliers → normalise →
    weights → aggregate → rank. The defaults switch every step after v1 off, so ``MethodSpec()`` is the v1
    pipeline (min-max 0–100, arithmetic mean, no screening).

    Parameters
    ----------
    normalisation : str, default "minmax"
        One of :data:`NORMALISATIONS`; per-indicator exceptions in ``normalise_overrides``.
    minmax_range : (float, float), default (0, 100)
        Bounds of min-max scaling; lower < upper.
    zscore_mean_sd : (float, float), default (0, 1)
        Target mean and sd (> 0) of z-scores.
    aggregation : str, default "arithmetic"
        One of :data:`AGGREGATIONS`, used at every level. Geometric, harmonic and the generalised mean with
        ``p <= 0`` need positive values; settings that always produce a 0 are refused here.
    availability_threshold : float, default 0
        Minimum share (0–1) of indicators a unit must have to be scored (screening step).
    denominate : mapping, default {}
        ``{indicator: [denominator column, scale]}``: the indicator is divided by that data column and
        multiplied by ``scale`` (e.g. ``["Population", 10000]`` for "per 10,000 people").
    impute : str, default "none"
        One of :data:`IMPUTATIONS`. The group methods need ``impute_group``; the panel methods need data
        indexed by (unit, period).
    impute_group : str or None
        Column of the data holding each unit's group (for ``mean-group``/``median-group``).
    panel_period : int, str or None
        For panel data, the period to evaluate; ``None`` takes the latest.
    treat : str, default "none"
        Outlier treatment, one of :data:`TREATMENTS`; ``"coinr"`` is COINr's default algorithm.
    treat_overrides : mapping, default {}
        ``{indicator: method}`` exceptions to ``treat`` (``"none"`` leaves an indicator as it is).
    skew_threshold, kurt_threshold : float, default 2.0 and 3.5
        An indicator passes when ``|skewness| < skew_threshold`` or ``kurtosis < kurt_threshold`` (COINr).
    winsorise_max : int, default 5
        Most points winsorised per indicator before falling back to ``log_CT`` (COINr).
    boxcox_lambda : float or None
        Box-Cox parameter; ``None`` estimates it by maximum likelihood per indicator (scipy).
    normalise_overrides : mapping, default {}
        ``{indicator: method}`` exceptions to ``normalisation``.
    normalise_scale : float, default 100
        Upper end of the 0–1 methods (``prank``, ``dist2max``, ``fracmax``, ``goalposts``, ``target``).
    goalposts : mapping, default {}
        ``{indicator: [low, high]}`` in the indicator's own units (low < high; direction decides which is
        the best); required for every indicator normalised by ``goalposts``.
    goalpost_cap : bool, default True
        Cap goalpost scores to ``[0, normalise_scale]``.
    targets : mapping, default {}
        ``{indicator: target}`` (监测标准值, > 0) for every indicator normalised by ``target``.
    weighting : str, default "given"
        One of :data:`WEIGHTINGS` for the indicators' weights within each parent; higher levels keep the
        framework's weights. ``weights`` and ``ahp`` then override node by node.
    weights : mapping, default {}
        ``{node: weight}`` expert weights replacing the framework's.
    ahp : mapping, default {}
        ``{parent: {"order": [child, ...], "matrix": [[...], ...]}}``: the children's weights from an AHP
        pairwise comparison matrix (refused when not reciprocal or CR ≥ 0.1).
    generalised_p : float, default 2
        Power of the generalised mean (``p = 1`` arithmetic, ``p → 0`` geometric, ``p = -1`` harmonic).
    aggregate_threshold : float or mapping, default 0
        Minimum share (0–1) of an aggregate's children that must be present for a unit, else the aggregate
        is missing; one number for every aggregate or ``{aggregate: share}``.

    Raises
    ------
    EngineError
        On an unknown method name or an invalid parameter (validated on construction, Chinese message).
    """

    normalisation: str = "minmax"
    minmax_range: tuple[float, float] = (0.0, 100.0)
    zscore_mean_sd: tuple[float, float] = (0.0, 1.0)
    aggregation: str = "arithmetic"
    availability_threshold: float = 0.0
    denominate: Mapping[str, Any] = field(default_factory=dict)
    impute: str = "none"
    impute_group: str | None = None
    panel_period: Any = None
    treat: str = "none"
    treat_overrides: Mapping[str, str] = field(default_factory=dict)
    skew_threshold: float = 2.0
    kurt_threshold: float = 3.5
    winsorise_max: int = 5
    boxcox_lambda: float | None = None
    normalise_overrides: Mapping[str, str] = field(default_factory=dict)
    normalise_scale: float = 100.0
    goalposts: Mapping[str, Any] = field(default_factory=dict)
    goalpost_cap: bool = True
    targets: Mapping[str, Any] = field(default_factory=dict)
    weighting: str = "given"
    weights: Mapping[str, Any] = field(default_factory=dict)
    ahp: Mapping[str, Any] = field(default_factory=dict)
    generalised_p: float = 2.0
    aggregate_threshold: float | Mapping[str, Any] = 0.0

    def __post_init__(self) -> None:
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen dataclass)
        if self.normalisation not in NORMALISATIONS:
            raise EngineError(f"未知的标准化方法「{self.normalisation}」；可选：{_options(NORMALISATIONS)}。")
        if self.aggregation not in AGGREGATIONS:
            raise EngineError(f"未知的合成方法「{self.aggregation}」；可选：{_options(AGGREGATIONS)}。")
        lo, hi = _pair(self.minmax_range, "最小-最大标准化区间", "(0, 100)")
        if not lo < hi:
            raise EngineError(f"最小-最大标准化区间 ({lo:g}, {hi:g}) 无效：下限必须小于上限，如 (0, 100)。")
        m, s = _pair(self.zscore_mean_sd, "z-score 的均值和标准差", "(0, 1)")
        if not s > 0:
            raise EngineError(f"z-score 的标准差 {s:g} 无效：必须大于 0，如 1。")
        t = self.availability_threshold
        if isinstance(t, (str, bytes, bool)):
            raise EngineError(f"指标可用率门槛 {t!r} 不是数字；请填写 0 到 1 之间的数，如 0.66。")
        try:
            t = float(t)
        except (TypeError, ValueError):
            raise EngineError(f"指标可用率门槛 {t!r} 不是数字；请填写 0 到 1 之间的数，如 0.66。") from None
        if not 0.0 <= t <= 1.0:
            raise EngineError(
                f"指标可用率门槛 {t:g} 无效：必须在 0 到 1 之间（如 0.66 表示至少三分之二的指标有数据）。"
            )
        set_("minmax_range", (lo, hi))
        set_("zscore_mean_sd", (m, s))
        set_("availability_threshold", t)
        self._validate_v2(set_)
        self._check_positive_aggregation()

    def _validate_v2(self, set_: Any) -> None:
        den: dict[str, tuple[str, float]] = {}
        for code, v in _mapping(self.denominate, "分母设置（denominate）").items():
            if isinstance(v, str):
                v = (v, 1.0)
            if not isinstance(v, Sequence) or len(v) != 2 or not isinstance(v[0], str) or not v[0]:
                raise EngineError(
                    f"指标「{code}」的分母设置 {v!r} 格式错误："
                    '应为 [分母列名, 倍数]，如 ["Population", 10000]。'
                )
            scale = _number(v[1], f"指标「{code}」的分母倍数", "10000")
            if scale <= 0:
                raise EngineError(f"指标「{code}」的分母倍数 {scale:g} 无效：必须大于 0，如 1 或 10000。")
            den[code] = (v[0], scale)
        set_("denominate", den)

        _choice(self.impute, IMPUTATIONS, "插补方法")
        if self.impute in ("mean-group", "median-group") and not self.impute_group:
            raise EngineError(f"插补方法「{self.impute}」需要指定分组列（impute_group），如 GDP_group。")
        if self.impute_group is not None and not isinstance(self.impute_group, str):
            raise EngineError(f"分组列（impute_group）必须是列名文字，收到 {self.impute_group!r}。")

        _choice(self.treat, TREATMENTS, "异常值处理方法")
        overrides = _mapping(self.treat_overrides, "逐指标异常值处理（treat_overrides）")
        for v in overrides.values():
            _choice(v, TREATMENTS, "异常值处理方法")
        set_("treat_overrides", overrides)
        set_("skew_threshold", _number(self.skew_threshold, "偏度门槛", "2"))
        set_("kurt_threshold", _number(self.kurt_threshold, "峰度门槛", "3.5"))
        if self.skew_threshold <= 0:
            raise EngineError(f"偏度门槛 {self.skew_threshold:g} 无效：必须大于 0，如 2。")
        w = self.winsorise_max
        if isinstance(w, bool) or not isinstance(w, int) or w < 0:
            raise EngineError(f"最多缩尾点数（winsorise_max）{w!r} 无效：必须是非负整数，如 5。")
        if self.boxcox_lambda is not None:
            set_("boxcox_lambda", _number(self.boxcox_lambda, "Box-Cox 参数 λ", "0.5"))

        overrides = _mapping(self.normalise_overrides, "逐指标标准化方法（normalise_overrides）")
        for v in overrides.values():
            if v not in NORMALISATIONS:
                raise EngineError(f"未知的标准化方法「{v}」；可选：{_options(NORMALISATIONS)}。")
        set_("normalise_overrides", overrides)
        scale = _number(self.normalise_scale, "标准化上限（normalise_scale）", "100")
        if scale <= 0:
            raise EngineError(f"标准化上限（normalise_scale）{scale:g} 无效：必须大于 0，如 1 或 100。")
        set_("normalise_scale", scale)
        posts = {}
        for code, v in _mapping(self.goalposts, "目标区间（goalposts）").items():
            lo, hi = _pair(v, f"指标「{code}」的目标区间", "[0, 100]")
            if not lo < hi:
                raise EngineError(
                    f"指标「{code}」的目标区间 [{lo:g}, {hi:g}] 无效："
                    "下限必须小于上限（逆向指标也按数值大小填写）。"
                )
            posts[code] = (lo, hi)
        set_("goalposts", posts)
        if not isinstance(self.goalpost_cap, bool):
            raise EngineError(f"goalpost_cap 必须是 true 或 false，收到 {self.goalpost_cap!r}。")
        targets = {}
        for code, v in _mapping(self.targets, "监测标准值（targets）").items():
            t = _number(v, f"指标「{code}」的监测标准值", "50")
            if t <= 0:
                raise EngineError(f"指标「{code}」的监测标准值 {t:g} 无效：必须大于 0。")
            targets[code] = t
        set_("targets", targets)

        _choice(self.weighting, WEIGHTINGS, "赋权方法")
        weights = {}
        for code, v in _mapping(self.weights, "专家权重（weights）").items():
            wv = _number(v, f"节点「{code}」的权重", "1")
            if wv < 0:
                raise EngineError(f"节点「{code}」的权重 {wv:g} 无效：权重必须是非负数。")
            weights[code] = wv
        set_("weights", weights)
        ahp = {}
        for node, v in _mapping(self.ahp, "AHP 判断矩阵（ahp）").items():
            if not isinstance(v, Mapping) or set(v) != {"order", "matrix"}:
                raise EngineError(
                    f"「{node}」的 AHP 设置格式错误："
                    '应为 {"order": [下级编码...], "matrix": [[...], ...]}。'
                )
            order = [str(c) for c in v["order"]]
            try:
                matrix = tuple(tuple(float(x) for x in row) for row in v["matrix"])
            except (TypeError, ValueError):
                raise EngineError(f"「{node}」的 AHP 判断矩阵含有非数字的元素；请全部填写正数。") from None
            ahp[node] = {"order": order, "matrix": [list(r) for r in matrix]}
        from .weights import check_ahp  # weights imports nothing from here at run time

        check_ahp(ahp)
        set_("ahp", ahp)

        set_("generalised_p", _number(self.generalised_p, "广义平均的幂 p", "2"))
        at = self.aggregate_threshold
        if isinstance(at, Mapping):
            clean = {}
            for code, v in _mapping(at, "合成数据可用率门槛").items():
                clean[code] = _share(v, f"「{code}」的合成数据可用率门槛")
            set_("aggregate_threshold", clean)
        else:
            set_("aggregate_threshold", _share(at, "合成数据可用率门槛"))

    def _check_positive_aggregation(self) -> None:
        agg = self.aggregation
        needs_positive = agg in ("geometric", "harmonic") or (
            agg == "generalised" and self.generalised_p <= 0
        )
        if not needs_positive:
            return
        name = AGGREGATIONS[agg]
        lo, _ = self.minmax_range
        m, _ = self.zscore_mean_sd
        if self.normalisation == "minmax" and lo <= 0:
            raise EngineError(
                f"{name}要求所有标准化值为正数，但最小-最大标准化下限为 {lo:g}，每个指标的最低值都会等于它；"
                "请将下限设为大于 0（如 1–100），或改用算术平均。"
            )
        if self.normalisation == "zscore" and m <= 0:
            raise EngineError(
                f"{name}要求所有标准化值为正数，但 z-score 均值为 {m:g}，必有单位低于均值而不为正；"
                "请改用下限大于 0 的最小-最大标准化（如 1–100），或改用算术平均。"
            )
        for method in {self.normalisation, *self.normalise_overrides.values()}:
            if method in _ZERO_FLOOR:
                raise EngineError(
                    f"{name}要求所有标准化值为正数，但「{_ZERO_FLOOR[method]}」的最低值总是 0；"
                    "请改用下限大于 0 的最小-最大标准化（如 1–100），或改用算术平均。"
                )

    # ------------------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict: the five v1 fields always, later fields only when not default.

        Pairs become lists. Leaving defaults out keeps the dict (and so ``input_hash``) of a v1 spec
        exactly what v1 produced.
        """
        out: dict[str, Any] = {
            "normalisation": self.normalisation,
            "minmax_range": list(self.minmax_range),
            "zscore_mean_sd": list(self.zscore_mean_sd),
            "aggregation": self.aggregation,
            "availability_threshold": self.availability_threshold,
        }
        defaults = _defaults()
        for f in fields(self):
            if f.name in _V1_FIELDS:
                continue
            value = getattr(self, f.name)
            if value != defaults[f.name]:
                out[f.name] = _jsonable(value)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MethodSpec:
        """Build from :meth:`to_dict` output; absent keys take their defaults, unknown keys are refused.

        Raises
        ------
        EngineError
            If ``d`` is not a mapping, has unknown keys, or holds invalid settings.
        """
        if not isinstance(d, Mapping):
            raise EngineError(f"方法设置必须是字典，收到 {type(d).__name__}。")
        names = [f.name for f in fields(cls)]
        unknown = sorted(str(k) for k in d if k not in names)
        if unknown:
            raise EngineError(f"方法设置中有未知字段：{'、'.join(unknown)}；可用字段：{'、'.join(names)}。")
        return cls(**dict(d))

    def to_json(self) -> str:
        """Return :meth:`to_dict` as compact JSON with sorted keys."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> MethodSpec:
        """Inverse of :meth:`to_json`."""
        try:
            d = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EngineError(f"方法设置不是有效的 JSON：{exc.msg}（第 {exc.lineno} 行）。") from None
        return cls.from_dict(d)

    def replace(self, **changes: Any) -> MethodSpec:
        """Return a copy with some choices changed (validated like a new spec).

        Raises
        ------
        EngineError
            If a name is not a field or a value is invalid.
        """
        names = {f.name for f in fields(self)}
        unknown = sorted(k for k in changes if k not in names)
        if unknown:
            raise EngineError(
                f"方法设置中有未知字段：{'、'.join(unknown)}；可用字段：{'、'.join(sorted(names))}。"
            )
        return dataclasses.replace(self, **changes)

    def data_columns(self) -> list[str]:
        """Columns besides the indicators that the spec reads from the data (denominators, impute group)."""
        cols = [col for col, _ in self.denominate.values()]
        if self.impute_group:
            cols.append(self.impute_group)
        return list(dict.fromkeys(cols))

    def normalisation_of(self, code: str) -> str:
        """Return the normalisation method used for one indicator (override or the global one)."""
        return self.normalise_overrides.get(code, self.normalisation)

    def treatment_of(self, code: str) -> str:
        """Return the outlier treatment used for one indicator (override or the global one)."""
        return self.treat_overrides.get(code, self.treat)

    def __hash__(self) -> int:
        return hash(self.to_json())


def _share(value: Any, what: str) -> float:
    v = _number(value, what, "0.5")
    if not 0.0 <= v <= 1.0:
        raise EngineError(f"{what} {v:g} 无效：必须在 0 到 1 之间（如 0.5 表示至少一半的下级有数据）。")
    return v


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return value


_DEFAULTS: dict[str, Any] | None = None


def _defaults() -> dict[str, Any]:
    global _DEFAULTS
    if _DEFAULTS is None:
        spec = MethodSpec()
        _DEFAULTS = {f.name: getattr(spec, f.name) for f in fields(spec)}
    return _DEFAULTS
