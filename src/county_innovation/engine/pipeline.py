"""The evaluation pipeline, its result (with every step's output and parameters) and the input hash.

Steps: denominate → screen → impute → treat → normalise → weights → aggregate → rank. The result keeps
each step's parameters and output in ``result.steps`` and the input in ``result.source``, so
:func:`regenerate` can rerun it with one choice changed (COINr's log and ``Regen``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .aggregate import aggregate, effective_weights
from .denominate import denominate
from .errors import EngineError
from .hierarchy import Hierarchy
from .impute import PANEL_METHODS, impute, impute_panel
from .normalise import ABSOLUTE_METHODS, as_numeric_frame, degenerate_indicators, normalise
from .rank import rank_scores
from .screen import screen_units
from .spec import AGGREGATIONS, NORMALISATIONS, MethodSpec
from .treat import treat
from .weights import node_weights

__all__ = [
    "AGGREGATIONS",
    "NORMALISATIONS",
    "EvaluationResult",
    "MethodSpec",
    "Step",
    "evaluate",
    "input_hash",
    "regenerate",
    "run",
]

# Keep warnings readable on 40k-unit runs: list this many units, then "等 N 个".
_MAX_LISTED = 10
_HASH_VERSION = "county_innovation.engine/hash-1"
STEP_NAMES = ("denominate", "screen", "impute", "treat", "normalise", "weights", "aggregate", "rank")


class Step(NamedTuple):
    """One pipeline step as recorded in ``EvaluationResult.steps``: its parameters and its output."""

    params: dict[str, Any]
    data: pd.DataFrame


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
        Raw input as float64, units × indicators (``hierarchy.indicators`` order); for a panel, the
        evaluated period.
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
        Chinese notes for the user (degenerate indicators, exclusions, empty dimensions, weights).
    steps : dict of str to Step
        In pipeline order (:data:`STEP_NAMES`): each step's parameters and output DataFrame (the scored
        units; ``weights`` is a one-column frame indexed by node code). A step that is off passes its input.
    weights : dict of str to float
        Node weights used (relative to siblings).
    treat_details : DataFrame or None
        Per-indicator outlier treatment details (see :func:`.treat.treat`), ``None`` when off.
    source : DataFrame or None
        The validated input (indicators plus the columns the spec uses), for :func:`regenerate`.
    strict : bool
        The ``strict`` flag of the run.
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
    steps: dict[str, Step] = field(default_factory=dict)
    weights: dict[str, float] | None = None
    treat_details: pd.DataFrame | None = None
    source: pd.DataFrame | None = None
    strict: bool = False

    def effective_weights(self) -> pd.DataFrame:
        """Each indicator's effective weight in each unit's index; see :func:`effective_weights`."""
        return effective_weights(self.normalised, self.hierarchy, self.weights, self.spec)

    def contributions(self) -> pd.DataFrame:
        """Each indicator's contribution to each unit's root index, units × indicators.

        The contribution is the indicator's effective weight (product of the re-normalised weights along its
        path to the root) times

        - arithmetic aggregation: its normalised value, so each row sums (ignoring NaN) to the index;
        - geometric aggregation: the natural log of its normalised value, so each row sums to ``ln(index)``
          (the index is ``exp`` of the row sum). This is the indicator's additive share on the log scale;
          divide by ``ln(index)`` for a proportion.

        Missing indicators, and every column of an unscored unit, are NaN.

        Raises
        ------
        EngineError
            For the other aggregations, which do not decompose into additive contributions.
        """
        if self.spec.aggregation not in ("arithmetic", "geometric"):
            raise EngineError(
                f"「{AGGREGATIONS[self.spec.aggregation]}」不能分解为各指标相加的贡献；"
                "贡献分解仅适用于算术平均和几何平均。"
            )
        eff = self.effective_weights()
        values = self.normalised[self.hierarchy.indicators]
        if self.spec.aggregation == "geometric":
            # Non-positive values cannot reach here: aggregate() refuses them.
            values = np.log(values)
        return eff * values

    def step(self, name: str) -> pd.DataFrame:
        """Return one step's output DataFrame (``KeyError``-free: unknown names raise EngineError)."""
        if name not in self.steps:
            raise EngineError(f"没有名为「{name}」的步骤；可用：{'、'.join(self.steps)}。")
        return self.steps[name].data


def _listed(units: list[str]) -> str:
    shown = "、".join(units[:_MAX_LISTED])
    return shown + (f" 等 {len(units)} 个" if len(units) > _MAX_LISTED else "")


def _prepare_data(
    data: pd.DataFrame, hierarchy: Hierarchy, aux: list[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate the input; return (indicators as float64 in hierarchy order, the aux columns as given)."""
    if not isinstance(hierarchy, Hierarchy):
        raise EngineError(f"指标体系必须是 Hierarchy 对象，收到 {type(hierarchy).__name__}。")
    if not isinstance(data, pd.DataFrame):
        raise EngineError(
            f"评价数据必须是 pandas DataFrame（行为单位、列为指标），收到 {type(data).__name__}。"
        )
    aux = aux or []
    cols = [str(c) for c in data.columns]
    wanted, present = set(hierarchy.indicators), set(cols)
    missing = [c for c in hierarchy.indicators if c not in present]
    missing_aux = [c for c in aux if c not in present]
    extra = [c for c in cols if c not in wanted and c not in aux]
    dup_cols = sorted({c for c in cols if cols.count(c) > 1}) if len(set(cols)) != len(cols) else []
    if missing or extra or dup_cols or missing_aux:
        parts = []
        if missing:
            parts.append(f"缺少指标：{'、'.join(hierarchy.label(c) for c in missing)}")
        if missing_aux:
            parts.append(f"缺少方法设置用到的列：{'、'.join(missing_aux)}")
        if extra:
            parts.append(f"指标体系中没有的列：{'、'.join(extra)}")
        if dup_cols:
            parts.append(f"重复的列：{'、'.join(dup_cols)}")
        raise EngineError("评价数据的列与指标体系不一致（" + "；".join(parts) + "）；请补齐或删除相应的列。")
    frame = data.copy()
    frame.columns = cols
    if isinstance(frame.index, pd.MultiIndex):
        frame.index = frame.index.set_levels(frame.index.levels[0].astype(str), level=0)
        units = frame.index
    else:
        frame.index = units = data.index.astype(str)
    if not units.is_unique:
        dups = sorted({str(u) for u in units[units.duplicated()]})
        raise EngineError(
            f"评价数据中单位「{'、'.join(dups)}」出现多次；每个单位只能有一行数据，请合并或删除重复行。"
        )
    return as_numeric_frame(frame[hierarchy.indicators]), frame[aux]


def input_hash(data: pd.DataFrame, hierarchy: Hierarchy, spec: MethodSpec | None = None) -> str:
    """Return the SHA-256 hex digest of a canonical serialisation of one evaluation's input.

    The serialisation is: a JSON header (sorted keys) with a format version, ``spec.to_dict()``, the
    hierarchy's nodes sorted by code, the unit codes sorted and the indicator codes sorted; then, column by
    column in that order and rows in that order, a bitmap of missing values and the values as IEEE-754
    float64 little-endian bytes, with missing values written as 0.0 and ``-0.0`` as ``0.0``. When the spec
    reads other columns (denominators, a group column) or the data are a panel, those are appended in the
    same way, so a v1 input hashes exactly as before.

    The digest is therefore independent of row, column and node order and of the input dtypes, and changes
    whenever any value, missingness, weight, direction, parent, name or setting changes.

    Raises
    ------
    EngineError
        If the data do not match the hierarchy or are non-numeric.
    """
    spec = MethodSpec() if spec is None else spec
    frame, aux = _prepare_data(data, hierarchy, spec.data_columns())
    return _hash_prepared(frame, hierarchy, spec, aux)


def _flat_units(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return pd.Index([f"{u}\x1f{p}" for u, p in index])
    return index


def _hash_prepared(
    frame: pd.DataFrame, hierarchy: Hierarchy, spec: MethodSpec, aux: pd.DataFrame | None = None
) -> str:
    frame = frame.set_axis(_flat_units(frame.index), axis=0).sort_index(axis=0).sort_index(axis=1)
    header = {
        "version": _HASH_VERSION,
        "spec": spec.to_dict(),
        "nodes": sorted(hierarchy.to_dict()["nodes"], key=lambda n: n["code"]),
        "units": frame.index.astype(str).tolist(),
        "indicators": [str(c) for c in frame.columns],
    }
    h = hashlib.sha256(json.dumps(header, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode())
    _hash_values(h, frame)
    if aux is not None and aux.shape[1]:
        aux = aux.set_axis(_flat_units(aux.index), axis=0).loc[frame.index].sort_index(axis=1)
        groups = [c for c in aux.columns if c == spec.impute_group]
        h.update(json.dumps({c: [str(v) for v in aux[c]] for c in groups}, sort_keys=True).encode())
        numeric = [c for c in aux.columns if c not in groups]
        if numeric:
            _hash_values(h, as_numeric_frame(aux[numeric]))
    return h.hexdigest()


def _hash_values(h: Any, frame: pd.DataFrame) -> None:
    values = frame.to_numpy(dtype="float64").T  # column-major: one contiguous block per indicator
    missing = np.isnan(values)
    # NaN payloads differ between producers, so missing values are carried by the bitmap alone.
    clean = np.where(missing, 0.0, values) + 0.0  # + 0.0 turns -0.0 into 0.0
    h.update(np.packbits(missing, axis=None).tobytes())
    h.update(np.ascontiguousarray(clean, dtype="<f8").tobytes())


def _cross_section(
    frame: pd.DataFrame, aux: pd.DataFrame, spec: MethodSpec
) -> tuple[Any, pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """For a panel: (period, raw cross-section, aux cross-section, imputed panel); else passthrough."""
    is_panel = isinstance(frame.index, pd.MultiIndex)
    if spec.impute in PANEL_METHODS and not is_panel:
        raise EngineError(
            f"插补方法「{spec.impute}」用于面板数据：行索引应为（单位, 年份）两级；"
            "横截面数据请用 mean 或 median。"
        )
    if not is_panel:
        return None, frame, aux, None
    if frame.index.nlevels != 2:
        raise EngineError("面板数据的行索引必须是（单位, 年份）两级索引；请先整理为长表。")
    periods = frame.index.get_level_values(1)
    period = spec.panel_period if spec.panel_period is not None else periods.max()
    if period not in set(periods):
        raise EngineError(
            f"面板数据中没有年份「{period}」；可选：{'、'.join(map(str, sorted(set(periods))))}。"
        )
    rows = np.asarray(periods == period)
    cut = lambda df: df.loc[rows].droplevel(1)  # noqa: E731
    return period, cut(frame), cut(aux), frame


def evaluate(
    data: pd.DataFrame, hierarchy: Hierarchy, spec: MethodSpec | None = None, *, strict: bool = False
) -> EvaluationResult:
    """Evaluate the composite index.

    Pipeline: validate → denominate → availability screen (units below ``spec.availability_threshold``
    are excluded) → impute → treat outliers → normalise over the scored units only → weights → aggregate
    level by level → rank over scored units. Steps the spec leaves off pass their input through, so
    ``MethodSpec()`` gives exactly v1's screen → normalise → aggregate → rank.

    Parameters
    ----------
    data : DataFrame
        Index: unit codes (converted to str, must be unique), or (unit, period) for the panel imputations.
        Columns: exactly the hierarchy's indicators (any order) plus the columns the spec names
        (denominators, ``impute_group``). Values numeric; NaN/None/blank for missing.
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
        fewer than 2 left after the availability screen), a mean that needs positive values meeting one
        ≤ 0, invalid weights, or (``strict``) a degenerate indicator.
    """
    spec = MethodSpec() if spec is None else spec
    if not isinstance(spec, MethodSpec):
        raise EngineError(f"方法设置必须是 MethodSpec 对象，收到 {type(spec).__name__}。")
    full, full_aux = _prepare_data(data, hierarchy, spec.data_columns())
    period, frame, aux, panel = _cross_section(full, full_aux, spec)
    if len(frame) < 2:
        raise EngineError(f"评价至少需要 2 个单位，当前只有 {len(frame)} 个；标准化需要在多个单位之间比较。")
    warnings: list[str] = []
    steps: dict[str, Step] = {}

    if spec.denominate:
        den_aux = full_aux if panel is not None else aux
        denominated = denominate(panel if panel is not None else frame, den_aux, spec.denominate)
        if panel is not None:
            panel = denominated
            denominated = denominated.loc[np.asarray(panel.index.get_level_values(1) == period)].droplevel(1)
    else:
        denominated = frame
    steps["denominate"] = Step({"denominate": {k: list(v) for k, v in spec.denominate.items()}}, denominated)

    scored, excluded, availability = screen_units(denominated, spec.availability_threshold)
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
    steps["screen"] = Step(
        {"availability_threshold": spec.availability_threshold, "excluded": excluded}, scored
    )
    empty = [str(u) for u in scored.index[scored.notna().sum(axis=1).to_numpy() == 0]]
    if empty:
        warnings.append(f"以下单位没有任何指标数据，无法计算得分：{_listed(empty)}。")

    imputed = _impute_step(scored, aux, panel, period, spec)
    steps["impute"] = Step(
        {"impute": spec.impute, "impute_group": spec.impute_group, "period": period}, imputed
    )

    treat_details = None
    if spec.treat != "none" or spec.treat_overrides:
        tr = treat(
            imputed,
            spec.treat,
            overrides=spec.treat_overrides,
            skew_threshold=spec.skew_threshold,
            kurt_threshold=spec.kurt_threshold,
            winsorise_max=spec.winsorise_max,
            boxcox_lambda=spec.boxcox_lambda,
        )
        treated, treat_details = tr.data, tr.details
    else:
        treated = imputed
    treat_params = {
        k: getattr(spec, k) for k in ("treat", "treat_overrides", "skew_threshold", "kurt_threshold")
    }
    treat_params.update(winsorise_max=spec.winsorise_max, boxcox_lambda=spec.boxcox_lambda)
    steps["treat"] = Step(treat_params, treated)

    relative = [c for c in hierarchy.indicators if spec.normalisation_of(c) not in ABSOLUTE_METHODS]
    degenerate = degenerate_indicators(treated[relative]) if relative else []
    if degenerate and not strict:
        warnings.append(
            f"指标「{'、'.join(hierarchy.label(c) for c in degenerate)}」"
            "在参评单位中取值全部相同或有效值少于 2 个，"
            "无法标准化，已按缺失处理（其权重由同级其他指标分担）；请检查数据。"
        )
    norm_scored = normalise(treated, hierarchy.directions, spec, strict=strict)
    norm_params = {k: getattr(spec, k) for k in ("normalisation", "minmax_range", "zscore_mean_sd")}
    norm_params.update(
        overrides=dict(spec.normalise_overrides),
        scale=spec.normalise_scale,
        goalposts=dict(spec.goalposts),
        targets=dict(spec.targets),
    )
    steps["normalise"] = Step(norm_params, norm_scored)

    weights, weight_notes = node_weights(hierarchy, norm_scored, spec)
    warnings.extend(weight_notes)
    steps["weights"] = Step(
        {"weighting": spec.weighting, "weights": dict(spec.weights), "ahp": dict(spec.ahp)},
        pd.DataFrame({"weight": pd.Series(weights)}),
    )
    uses_framework = spec.weighting == "given" and not spec.weights and not spec.ahp
    scores_scored = aggregate(norm_scored, hierarchy, spec, None if uses_framework else weights)
    steps["aggregate"] = Step(
        {
            "aggregation": spec.aggregation,
            "generalised_p": spec.generalised_p,
            "aggregate_threshold": spec.aggregate_threshold,
        },
        scores_scored,
    )

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
    ranks = rank_scores(scores)
    steps["rank"] = Step({"ties": "min", "ascending": False}, ranks.loc[scored.index])
    source = full if not full_aux.shape[1] else pd.concat([full, full_aux], axis=1)
    return EvaluationResult(
        spec=spec,
        hierarchy=hierarchy,
        input_hash=_hash_prepared(full, hierarchy, spec, full_aux),
        data=frame,
        normalised=normalised,
        scores=scores,
        ranks=ranks,
        availability=availability,
        excluded=excluded,
        warnings=warnings,
        steps=steps,
        weights=weights,
        treat_details=treat_details,
        source=source,
        strict=strict,
    )


def _impute_step(
    scored: pd.DataFrame, aux: pd.DataFrame, panel: pd.DataFrame | None, period: Any, spec: MethodSpec
) -> pd.DataFrame:
    if spec.impute == "none":
        return scored
    if spec.impute in PANEL_METHODS:
        assert panel is not None  # _cross_section refuses panel methods on a cross-section
        filled = impute_panel(panel, spec.impute)
        cut = filled.loc[np.asarray(filled.index.get_level_values(1) == period)].droplevel(1)
        return cut.loc[scored.index]
    groups = aux[spec.impute_group].loc[scored.index] if spec.impute_group else None
    return impute(scored, spec.impute, groups)


run = evaluate  # the name for the recorded pipeline; one function, two names


def regenerate(result: EvaluationResult, **changes: Any) -> EvaluationResult:
    """Rerun an evaluation on the same input with some choices changed (COINr's ``Regen``).

    Parameters
    ----------
    result : EvaluationResult
        A result from :func:`evaluate`.
    **changes
        ``MethodSpec`` fields to change, e.g. ``regenerate(r, aggregation="geometric",
        minmax_range=(1, 100))``. With no changes the result is reproduced.

    Returns
    -------
    EvaluationResult

    Raises
    ------
    EngineError
        If the result carries no input, a field is unknown or the changed spec is invalid.
    """
    if result.source is None:
        raise EngineError("该评价结果没有保存输入数据，无法重新计算；请重新调用 evaluate。")
    return evaluate(result.source, result.hierarchy, result.spec.replace(**changes), strict=result.strict)
