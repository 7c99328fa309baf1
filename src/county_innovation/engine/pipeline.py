"""Method settings, the evaluation pipeline and its result, and the reproducibility hash of an input."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from .aggregate import aggregate, effective_weights
from .errors import EngineError
from .hierarchy import Hierarchy
from .normalise import as_numeric_frame, degenerate_indicators, normalise
from .rank import rank_scores

__all__ = ["EvaluationResult", "MethodSpec", "evaluate", "input_hash"]

NORMALISATIONS = {"minmax": "最小-最大", "zscore": "z-score"}
AGGREGATIONS = {"arithmetic": "算术平均", "geometric": "几何平均"}
# Availability is k/n; a threshold typed as a rounded fraction (0.6667 for 2/3) must not exclude a unit by
# a rounding hair, so comparisons allow this slack.
_AVAILABILITY_TOL = 1e-9
# Keep warnings readable on 40k-unit runs: list this many units, then "等 N 个".
_MAX_LISTED = 10
_HASH_VERSION = "county_innovation.engine/hash-1"


def _pair(value: Any, what: str, example: str) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError):
        raise EngineError(f"{what} {value!r} 格式错误：应为两个数字，如 {example}。") from None
    if not (math.isfinite(a) and math.isfinite(b)):
        raise EngineError(f"{what} {value!r} 无效：必须是有限数，如 {example}。")
    return a, b


@dataclass(frozen=True)
class MethodSpec:
    """How to normalise and aggregate.

    Parameters
    ----------
    normalisation : {"minmax", "zscore"}
        Min-max scaling to ``minmax_range`` or z-scores with mean and sd ``zscore_mean_sd``.
    minmax_range : (float, float)
        Lower and upper bound of min-max scaling; lower < upper.
    zscore_mean_sd : (float, float)
        Target mean and standard deviation (> 0) of z-scores.
    aggregation : {"arithmetic", "geometric"}
        Weighted arithmetic or geometric mean at every level. The geometric mean needs positive values, so
        it is refused with min-max lower bound ≤ 0 or z-score mean ≤ 0, which always produce such values.
    availability_threshold : float
        Minimum share (0..1) of a unit's indicators that must be present; units below it are not scored.

    Raises
    ------
    EngineError
        On an unknown method name or an invalid range, sd or threshold (validated on construction).
    """

    normalisation: str = "minmax"
    minmax_range: tuple[float, float] = (0.0, 100.0)
    zscore_mean_sd: tuple[float, float] = (0.0, 1.0)
    aggregation: str = "arithmetic"
    availability_threshold: float = 0.0

    def __post_init__(self) -> None:
        if self.normalisation not in NORMALISATIONS:
            raise EngineError(
                f"未知的标准化方法「{self.normalisation}」；可选：minmax（最小-最大）、zscore（z-score）。"
            )
        if self.aggregation not in AGGREGATIONS:
            raise EngineError(
                f"未知的合成方法「{self.aggregation}」；可选：arithmetic（算术平均）、geometric（几何平均）。"
            )
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
        if self.aggregation == "geometric":
            if self.normalisation == "minmax" and lo <= 0:
                raise EngineError(
                    f"几何平均要求所有标准化值为正数，但最小-最大标准化下限为 {lo:g}，"
                    "每个指标的最低值都会等于它；"
                    "请将下限设为大于 0（如 1–100），或改用算术平均。"
                )
            if self.normalisation == "zscore" and m <= 0:
                raise EngineError(
                    f"几何平均要求所有标准化值为正数，但 z-score 均值为 {m:g}，必有单位低于均值而不为正；"
                    "请改用下限大于 0 的最小-最大标准化（如 1–100），或改用算术平均。"
                )
        # Frozen dataclass: canonicalise JSON lists / Decimals so equality and hashing are stable.
        object.__setattr__(self, "minmax_range", (lo, hi))
        object.__setattr__(self, "zscore_mean_sd", (m, s))
        object.__setattr__(self, "availability_threshold", t)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (pairs as lists)."""
        return {
            "normalisation": self.normalisation,
            "minmax_range": list(self.minmax_range),
            "zscore_mean_sd": list(self.zscore_mean_sd),
            "aggregation": self.aggregation,
            "availability_threshold": self.availability_threshold,
        }

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


@dataclass
class EvaluationResult:
    """Everything one evaluation produced, aligned on the input's units.

    Attributes
    ----------
    spec, hierarchy : MethodSpec, Hierarchy
        The settings used.
    input_hash : str
        :func:`input_hash` of the input, for reproducibility records.
    data : DataFrame
        Raw input as float64, units × indicators (``hierarchy.indicators`` order).
    normalised : DataFrame
        Units × indicators; NaN for excluded units and degenerate indicators.
    scores : DataFrame
        Units × aggregates (``hierarchy.aggregates`` order, root last); NaN for excluded units.
    ranks : DataFrame
        Same shape as ``scores``, ``Int64``; ranked over the scored units only.
    availability : Series
        Share of indicators present per unit (raw data).
    excluded : list of str
        Units below ``spec.availability_threshold``, not scored.
    warnings : list of str
        Chinese notes for the user (degenerate indicators, exclusions, empty dimensions).
    """

    spec: MethodSpec
    hierarchy: Hierarchy
    input_hash: str
    data: pd.DataFrame
    normalised: pd.DataFrame
    scores: pd.DataFrame
    ranks: pd.DataFrame
    availability: pd.Series
    excluded: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def effective_weights(self) -> pd.DataFrame:
        """Each indicator's effective weight in each unit's index; see :func:`effective_weights`."""
        return effective_weights(self.normalised, self.hierarchy)

    def contributions(self) -> pd.DataFrame:
        """Each indicator's contribution to each unit's root index, units × indicators.

        The contribution is the indicator's effective weight (product of the re-normalised weights along its
        path to the root) times

        - arithmetic aggregation: its normalised value, so each row sums (ignoring NaN) to the index;
        - geometric aggregation: the natural log of its normalised value, so each row sums to ``ln(index)``
          (the index is ``exp`` of the row sum). This is the indicator's additive share on the log scale;
          divide by ``ln(index)`` for a proportion.

        Missing indicators, and every column of an unscored unit, are NaN.
        """
        eff = self.effective_weights()
        values = self.normalised[self.hierarchy.indicators]
        if self.spec.aggregation == "geometric":
            # Non-positive values cannot reach here: aggregate() refuses them.
            values = np.log(values)
        return eff * values


def _listed(units: list[str]) -> str:
    shown = "、".join(units[:_MAX_LISTED])
    return shown + (f" 等 {len(units)} 个" if len(units) > _MAX_LISTED else "")


def _prepare_data(data: pd.DataFrame, hierarchy: Hierarchy) -> pd.DataFrame:
    """Validate and canonicalise the input: str unit codes, columns in hierarchy order, float64."""
    if not isinstance(hierarchy, Hierarchy):
        raise EngineError(f"指标体系必须是 Hierarchy 对象，收到 {type(hierarchy).__name__}。")
    if not isinstance(data, pd.DataFrame):
        raise EngineError(
            f"评价数据必须是 pandas DataFrame（行为单位、列为指标），收到 {type(data).__name__}。"
        )
    cols = [str(c) for c in data.columns]
    wanted, present = set(hierarchy.indicators), set(cols)
    missing = [c for c in hierarchy.indicators if c not in present]
    extra = [c for c in cols if c not in wanted]
    dup_cols = sorted({c for c in cols if cols.count(c) > 1}) if len(set(cols)) != len(cols) else []
    if missing or extra or dup_cols:
        parts = []
        if missing:
            parts.append(f"缺少指标：{'、'.join(hierarchy.label(c) for c in missing)}")
        if extra:
            parts.append(f"指标体系中没有的列：{'、'.join(extra)}")
        if dup_cols:
            parts.append(f"重复的列：{'、'.join(dup_cols)}")
        raise EngineError("评价数据的列与指标体系不一致（" + "；".join(parts) + "）；请补齐或删除相应的列。")
    units = data.index.astype(str)
    if not units.is_unique:
        dups = sorted(set(units[units.duplicated()]))
        raise EngineError(
            f"评价数据中单位「{'、'.join(dups)}」出现多次；每个单位只能有一行数据，请合并或删除重复行。"
        )
    frame = data.copy()
    frame.columns = cols
    frame.index = units
    return as_numeric_frame(frame[hierarchy.indicators])


def input_hash(data: pd.DataFrame, hierarchy: Hierarchy, spec: MethodSpec | None = None) -> str:
    """Return the SHA-256 hex digest of a canonical serialisation of one evaluation's input.

    The serialisation is: a JSON header (sorted keys) with a format version, ``spec.to_dict()``, the
    hierarchy's nodes sorted by code, the unit codes sorted and the indicator codes sorted; then, column by
    column in that order and rows in that order, a bitmap of missing values and the values as IEEE-754
    float64 little-endian bytes, with missing values written as 0.0 and ``-0.0`` as ``0.0``.

    The digest is therefore independent of row, column and node order and of the input dtypes, and changes
    whenever any value, missingness, weight, direction, parent, name or setting changes.

    Notes
    -----
    The float64 bytes identify a value exactly, as ``repr`` would (both are one-to-one with the float64),
    but cost ~10 ms instead of ~1.2 s for 41,352 × 40 values, where ``repr`` dominated ``evaluate``.

    Raises
    ------
    EngineError
        If the data do not match the hierarchy or are non-numeric.
    """
    spec = MethodSpec() if spec is None else spec
    return _hash_prepared(_prepare_data(data, hierarchy), hierarchy, spec)


def _hash_prepared(frame: pd.DataFrame, hierarchy: Hierarchy, spec: MethodSpec) -> str:
    frame = frame.sort_index(axis=0).sort_index(axis=1)
    header = {
        "version": _HASH_VERSION,
        "spec": spec.to_dict(),
        "nodes": sorted(hierarchy.to_dict()["nodes"], key=lambda n: n["code"]),
        "units": [str(u) for u in frame.index],
        "indicators": [str(c) for c in frame.columns],
    }
    h = hashlib.sha256(json.dumps(header, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode())
    values = frame.to_numpy(dtype="float64").T  # column-major: one contiguous block per indicator
    missing = np.isnan(values)
    # NaN payloads differ between producers, so missing values are carried by the bitmap alone.
    clean = np.where(missing, 0.0, values) + 0.0  # + 0.0 turns -0.0 into 0.0
    h.update(np.packbits(missing, axis=None).tobytes())
    h.update(np.ascontiguousarray(clean, dtype="<f8").tobytes())
    return h.hexdigest()


def evaluate(
    data: pd.DataFrame, hierarchy: Hierarchy, spec: MethodSpec | None = None, *, strict: bool = False
) -> EvaluationResult:
    """Evaluate the composite index.

    Pipeline: validate the input → availability screen (units below ``spec.availability_threshold`` are
    excluded) → normalise over the scored units only → aggregate level by level → rank over scored units.

    Parameters
    ----------
    data : DataFrame
        Index: unit codes (converted to str, must be unique). Columns: exactly the hierarchy's indicators
        (any order). Values numeric; NaN/None/blank for missing.
    hierarchy : Hierarchy
        The framework.
    spec : MethodSpec, optional
        Method settings; defaults to ``MethodSpec()`` (min-max 0–100, arithmetic mean, no threshold).
    strict : bool, default False
        Raise instead of warning when an indicator is degenerate (constant or < 2 values among the scored
        units); by default it is treated as missing for every unit, see :func:`normalise`.

    Returns
    -------
    EvaluationResult

    Raises
    ------
    EngineError
        Missing or extra columns, duplicate units, non-numeric or infinite values, fewer than 2 units (or
        fewer than 2 left after the availability screen), geometric mean on a non-positive value, or
        (``strict``) a degenerate indicator.
    """
    spec = MethodSpec() if spec is None else spec
    if not isinstance(spec, MethodSpec):
        raise EngineError(f"方法设置必须是 MethodSpec 对象，收到 {type(spec).__name__}。")
    frame = _prepare_data(data, hierarchy)
    if len(frame) < 2:
        raise EngineError(f"评价至少需要 2 个单位，当前只有 {len(frame)} 个；标准化需要在多个单位之间比较。")
    warnings: list[str] = []

    availability = frame.notna().mean(axis=1).rename("availability")
    below = availability < spec.availability_threshold - _AVAILABILITY_TOL
    excluded = [str(u) for u in frame.index[below.to_numpy()]]
    scored = frame.loc[~below.to_numpy()]
    if len(scored) < 2:
        raise EngineError(
            f"指标可用率门槛 {spec.availability_threshold:.0%} 排除了 {len(excluded)} 个单位，"
            f"仅剩 {len(scored)} 个可评价；"
            "至少需要 2 个，请降低门槛或补充数据。"
        )
    if excluded:
        warnings.append(
            f"以下单位的指标可用率低于门槛 {spec.availability_threshold:.0%}，"
            f"未参与评价：{_listed(excluded)}。"
        )
    empty = [str(u) for u in scored.index[scored.notna().sum(axis=1).to_numpy() == 0]]
    if empty:
        warnings.append(f"以下单位没有任何指标数据，无法计算得分：{_listed(empty)}。")

    degenerate = degenerate_indicators(scored)
    if degenerate and not strict:
        warnings.append(
            f"指标「{'、'.join(hierarchy.label(c) for c in degenerate)}」"
            "在参评单位中取值全部相同或有效值少于 2 个，"
            "无法标准化，已按缺失处理（其权重由同级其他指标分担）；请检查数据。"
        )
    norm_scored = normalise(scored, hierarchy.directions, spec, strict=strict)
    scores_scored = aggregate(norm_scored, hierarchy, spec)

    # Name aggregates that are empty for some scored units (all their indicators missing) so the user knows
    # the weights were shifted; units with no data at all are already reported above.
    has_data = scored.notna().any(axis=1).to_numpy()
    for node in hierarchy.aggregates:
        gaps = scores_scored[node].isna().to_numpy() & has_data
        if gaps.any():
            units = [str(u) for u in scored.index[gaps]]
            warnings.append(
                f"「{hierarchy.label(node)}」在以下单位下级数据全部缺失，该项得分为空，"
                f"权重已由同级其他项分担：{_listed(units)}。"
            )

    normalised = norm_scored.reindex(frame.index)
    scores = scores_scored.reindex(frame.index)
    return EvaluationResult(
        spec=spec,
        hierarchy=hierarchy,
        input_hash=_hash_prepared(frame, hierarchy, spec),
        data=frame,
        normalised=normalised,
        scores=scores,
        ranks=rank_scores(scores),
        availability=availability,
        excluded=excluded,
        warnings=warnings,
    )
