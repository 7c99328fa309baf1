"""Uncertainty analysis: Monte Carlo over the method's uncertain choices, vectorised across replications.

Sits on top of the v1 pipeline (``evaluate`` gives the nominal ranks, ``normalise`` the normalised tables);
:mod:`.sensitivity` reuses the same simulator with a Saltelli design. Nothing here imports Django.

Entry points (for the ``county-innovation index --uncertainty SPEC.json`` command)::

    from county_innovation.engine.uncertainty import UncertaintySpec, run_uncertainty
    from county_innovation.engine.robustness_io import write_rank_stats

    ua_spec = UncertaintySpec.from_json("ua.json")          # EngineError (Chinese) if invalid
    result = run_uncertainty(treated, hierarchy, MethodSpec(), ua_spec)
    write_rank_stats(result, out_dir / "rank_stats.csv")   # uCode, Nominal, Mean, Median, Q5, Q95

and for ``--sensitivity`` the same spec file with ``sensitivity.run_sensitivity`` (``replications`` is then
the number N of base samples, N(k + 2) runs) and ``robustness_io.write_sensitivity``.

Spec file (JSON; every key optional; COINr's ASEM reference design shown)::

    {
      "replications": 500,            # ≥ 1; UA: replications, SA: base samples N
      "seed": 1,                      # integer ≥ 0; same seed, same result
      "weight_noise": {"2": 0.25, "3": 0.25},   # level → ±fraction (uniform), each in [0, 1)
      "weight_sets": 100,             # size of the pool of noisy weight sets (COINr's get_noisy_weights)
      "normalisations": ["minmax:1,100", "zscore:10,2"],   # or dicts of MethodSpec fields
      "aggregations": ["arithmetic", "geometric"],          # also amean/gmean/hmean, harmonic
      "leave_one_out": false,         # true: every indicator; or a list of indicator codes
      "imputations": ["none", "mean"],  # also median, mean-group:COL, median-group:COL
      "treatments": [true, false],      # true: the base spec's treatment (or COINr's); or method names
      "bootstrap": 1000,              # SA only: bootstrap resamples for the confidence bounds
      "target": null                  # node whose rank is analysed; default the index (root)
    }

Each uncertain choice with more than one alternative (or any noise) is one *factor*, drawn uniformly per
replication: ``Weights``, ``Imputation``, ``Treatment``, ``Normalisation``, ``Aggregation``,
``LeaveOneOut``. An empty list keeps the base spec's choice.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .aggregate import aggregate_thresholds
from .errors import EngineError
from .hierarchy import Hierarchy
from .impute import impute
from .normalise import normalise
from .pipeline import EvaluationResult, MethodSpec, evaluate
from .spec import IMPUTATIONS, TREATMENTS
from .treat import treat

__all__ = ["UncertaintyResult", "UncertaintySpec", "rank_rows", "rank_statistics", "run_uncertainty"]

# Power-mean family as (forward, inverse, needs positive values): aggregating f(x) arithmetically and
# applying f⁻¹ once at the end gives the same scores as aggregating each level with that mean, because
# f(f⁻¹(m)) = m at every level. This is what lets every aggregation share one matmul code path.
_AGGREGATIONS: dict[
    str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray], bool]
] = {
    "arithmetic": (lambda x: x, lambda y: y, False),
    "geometric": (np.log, np.exp, True),
    "harmonic": (np.reciprocal, np.reciprocal, True),
}
_AGG_ALIASES = {"amean": "arithmetic", "gmean": "geometric", "hmean": "harmonic"}
_AGG_LABELS = {
    "arithmetic": "算术平均",
    "geometric": "几何平均",
    "harmonic": "调和平均",
    "generalised": "广义平均",
}
_NORM_PARAMS = {"minmax": "minmax_range", "zscore": "zscore_mean_sd"}
_MAX_REPLICATIONS = 1_000_000
# Above this many (units × replications) cells per block, replications are processed in chunks to bound
# memory (each block holds a few float64 arrays of this size per aggregate level).
_BLOCK_CELLS = 4_000_000
_BLOCK_COLUMNS = 32  # replications per matrix product (fewer when the units are very many)
# Replications are simulated and ranked a block at a time and only their ranks are kept (as float32 when
# the replications are not kept), so the national analysis (41,352 units × 1,000 replications) stays well
# under 1 GB; rank statistics are then taken this many (units × replications) cells at a time.
_CHUNK_CELLS = 2_000_000


def _int_field(value: Any, what: str, lo: int, hi: int, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise EngineError(f"{what} {value!r} 无效：应为整数，如 {example}。")
    if not lo <= int(value) <= hi:
        raise EngineError(f"{what} {value!r} 无效：应在 {lo} 到 {hi} 之间，如 {example}。")
    return int(value)


def _method_fields() -> set[str]:
    return {f.name for f in dataclasses.fields(MethodSpec)}


def _parse_normalisation(alt: Any) -> dict[str, Any]:
    """Turn ``"minmax:1,100"`` / ``"zscore:10,2"`` / ``"rank"`` / a dict into MethodSpec overrides."""
    if isinstance(alt, str):
        name, _, params = alt.partition(":")
        name = name.strip()
        out: dict[str, Any] = {"normalisation": name}
        if params:
            if name not in _NORM_PARAMS:
                raise EngineError(
                    f"标准化备选「{alt}」无效：只有 minmax 和 zscore 可带参数"
                    "（如 minmax:1,100、zscore:10,2）。"
                )
            try:
                out[_NORM_PARAMS[name]] = tuple(float(p) for p in params.split(","))
            except ValueError:
                raise EngineError(f"标准化备选「{alt}」的参数应为两个数字，如 minmax:1,100。") from None
        return out
    if isinstance(alt, Mapping):
        return dict(alt)
    raise EngineError(f'标准化备选 {alt!r} 格式错误：应为文字（如 "minmax:1,100"）或 MethodSpec 字段的字典。')


def _normalisation_spec(base: MethodSpec, override: Mapping[str, Any]) -> MethodSpec:
    """The spec used to normalise one alternative (arithmetic, so no geometric-only check interferes)."""
    known = _method_fields()
    unknown = sorted(str(k) for k in override if k not in known)
    if unknown:
        raise EngineError(
            f"标准化备选中有未知字段：{'、'.join(unknown)}；可用字段：{'、'.join(sorted(known))}。"
        )
    extra = {"aggregation": "arithmetic"} if "aggregation" in known else {}
    return dataclasses.replace(base, **{**dict(override), **extra})


def _aggregation_name(name: Any) -> str:
    key = _AGG_ALIASES.get(name, name) if isinstance(name, str) else name
    if key not in _AGGREGATIONS and key != "generalised":
        choices = "、".join(f"{k}（{v}）" for k, v in _AGG_LABELS.items())
        raise EngineError(f"未知的合成方法「{name}」；可选：{choices}，或简写 amean、gmean、hmean。")
    return key


@dataclass(frozen=True)
class UncertaintySpec:
    """Which method choices are uncertain, and how to sample them.

    Parameters
    ----------
    replications : int, default 500
        Monte Carlo replications (uncertainty analysis) or base samples N (sensitivity analysis); ≥ 1.
    seed : int, default 1
        Seed of the random generator; the same seed gives the same result.
    weight_noise : mapping of int to float, default {}
        Level (1 = indicators, 2 = their parents, …) → noise factor x in [0, 1): each weight of that level
        becomes ``w·(1 + u)``, ``u`` uniform on [−x, x], independently per node (COINr's
        ``get_noisy_weights``).
    weight_sets : int, default 100
        Number of noisy weight sets drawn once; each replication picks one uniformly, as COINr does.
    normalisations : sequence, default ()
        Alternatives: ``"minmax:LO,HI"``, ``"zscore:MEAN,SD"``, a method name, or a dict of
        :class:`MethodSpec` fields. Empty: the base spec's normalisation.
    aggregations : sequence of str, default ()
        Alternatives among ``arithmetic``, ``geometric``, ``harmonic`` (or amean/gmean/hmean) and
        ``generalised`` (power mean with the base spec's ``generalised_p``). TOPSIS is not a weighted mean of
        transformed values and is not offered.
    imputations : sequence of str, default ()
        Imputation alternatives (``none``, ``mean``, ``median``, ``mean-group:COL``, ``median-group:COL``;
        the group column must be in the input). Empty: the base run's imputed data.
    treatments : sequence of str or bool, default ()
        Outlier-treatment alternatives: method names of :data:`.spec.TREATMENTS` (per-indicator overrides and
        thresholds from the base spec), ``true`` for the base spec's treatment (COINr's if it has none),
        ``false`` for none. Empty: the base spec's treatment.
    leave_one_out : bool or sequence of str, default False
        ``True``: each replication drops no indicator or one indicator (uniformly among "none" and every
        indicator); a list restricts the candidates. Dropping = weight 0, shared among the siblings.
    bootstrap : int, default 1000
        Sensitivity analysis only: bootstrap resamples for the 5 %–95 % bounds; 0 for none.
    target : str or None, default None
        Aggregate whose ranks are analysed; ``None`` for the index.

    Raises
    ------
    EngineError
        On any invalid value (Chinese message naming the field and a valid example).
    """

    replications: int = 500
    seed: int = 1
    weight_noise: Mapping[int, float] = field(default_factory=dict)
    weight_sets: int = 100
    normalisations: tuple[Any, ...] = ()
    aggregations: tuple[str, ...] = ()
    imputations: tuple[str, ...] = ()
    treatments: tuple[Any, ...] = ()
    leave_one_out: bool | tuple[str, ...] = False
    bootstrap: int = 1000
    target: str | None = None

    def __post_init__(self) -> None:
        put = object.__setattr__  # frozen: canonicalise in place so equality and to_dict are stable
        put(
            self,
            "replications",
            _int_field(self.replications, "重复次数 replications", 1, _MAX_REPLICATIONS, "500"),
        )
        put(self, "seed", _int_field(self.seed, "随机种子 seed", 0, 2**63 - 1, "1"))
        put(self, "weight_sets", _int_field(self.weight_sets, "权重组数 weight_sets", 1, 100_000, "100"))
        put(self, "bootstrap", _int_field(self.bootstrap, "自助法次数 bootstrap", 0, 100_000, "1000"))
        noise = self.weight_noise
        if not isinstance(noise, Mapping):
            raise EngineError('权重扰动 weight_noise 应为「层级: 幅度」的字典，如 {"2": 0.25}。')
        clean: dict[int, float] = {}
        for level, x in noise.items():
            try:
                lv = int(level)
            except (TypeError, ValueError):
                raise EngineError(
                    f"权重扰动的层级 {level!r} 不是整数；层级 1 为指标，2 为其上一级，依此类推。"
                ) from None
            if isinstance(x, (bool, str)) or not isinstance(x, (int, float)) or not (0 <= x < 1):
                raise EngineError(
                    f"第 {lv} 层的权重扰动幅度 {x!r} 无效：应为 0 到 1 之间（不含 1）的数，"
                    "如 0.25 表示 ±25%。"
                )
            if lv < 1:
                raise EngineError(f"权重扰动的层级 {lv} 无效：层级从 1（指标）开始。")
            clean[lv] = float(x)
        put(self, "weight_noise", dict(sorted(clean.items())))
        for name in ("normalisations", "aggregations", "imputations", "treatments"):
            value = getattr(self, name)
            if isinstance(value, (str, Mapping)) or not isinstance(value, Sequence):
                raise EngineError(f'{name} 应为备选方法的列表，如 ["arithmetic", "geometric"]。')
            put(self, name, tuple(value))
        for alt in self.normalisations:
            _normalisation_spec(MethodSpec(), _parse_normalisation(alt))  # validates names and parameters
        put(self, "aggregations", tuple(_aggregation_name(a) for a in self.aggregations))
        put(self, "imputations", tuple(_check_imputation(a) for a in self.imputations))
        put(self, "treatments", tuple(_check_treatment(a) for a in self.treatments))
        loo = self.leave_one_out
        if not isinstance(loo, bool):
            if (
                isinstance(loo, str)
                or not isinstance(loo, Sequence)
                or not all(isinstance(c, str) for c in loo)
            ):
                raise EngineError("leave_one_out 应为 true/false 或指标编码的列表。")
            put(self, "leave_one_out", tuple(loo))
        if self.target is not None and not isinstance(self.target, str):
            raise EngineError(f"分析对象 target {self.target!r} 应为节点编码（文字）或留空表示总指数。")

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-serialisable form read by :meth:`from_dict`."""
        d = dataclasses.asdict(self)
        d["weight_noise"] = {str(k): v for k, v in self.weight_noise.items()}
        for name in ("normalisations", "aggregations", "imputations", "treatments"):
            d[name] = [dict(a) if isinstance(a, Mapping) else a for a in getattr(self, name)]
        if not isinstance(self.leave_one_out, bool):
            d["leave_one_out"] = list(self.leave_one_out)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> UncertaintySpec:
        """Build from a mapping; absent keys take their defaults, unknown keys are refused."""
        if not isinstance(d, Mapping):
            raise EngineError(f"不确定性分析设置应为 JSON 对象（字典），收到 {type(d).__name__}。")
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(str(k) for k in d if k not in names)
        if unknown:
            raise EngineError(
                f"不确定性分析设置中有未知字段：{'、'.join(unknown)}；可用字段：{'、'.join(names)}。"
            )
        return cls(**dict(d))

    @classmethod
    def from_json(cls, path: str | Path) -> UncertaintySpec:
        """Read a spec file (UTF-8 JSON); see the module docstring for the format."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise EngineError(f"无法读取不确定性分析设置文件「{path}」：{exc.strerror}。") from None
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EngineError(
                f"不确定性分析设置文件「{path}」不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）。"
            ) from None
        return cls.from_dict(raw)


@dataclass
class UncertaintyResult:
    """Outcome of :func:`run_uncertainty`.

    Attributes
    ----------
    rank_stats : DataFrame
        One row per input unit: ``uCode, Nominal, Mean, Median, Q5, Q95`` (percentiles as R's default
        type 7 / numpy's linear); NaN for units that were not ranked.
    ranks, scores : DataFrame or None
        Units × replications, the target's rank and score in each replication; None when the analysis
        ran with ``keep_replications=False`` (only the statistics kept, for bounded memory).
    design : DataFrame
        Replications × factors: the alternative each replication used (labels; weight-set number).
    nominal : EvaluationResult
        The base evaluation.
    factors : list of str
        The uncertain factors, in design-column order.
    """

    spec: UncertaintySpec
    target: str
    rank_stats: pd.DataFrame
    ranks: pd.DataFrame | None
    scores: pd.DataFrame | None
    design: pd.DataFrame
    nominal: EvaluationResult
    factors: list[str]


def rank_rows(scores: np.ndarray) -> np.ndarray:
    """Rank each row (higher is better, ties share the best rank, NaN stays NaN); shape (R, U) → (R, U)."""
    s = np.where(np.isnan(scores), np.inf, -scores)
    order = np.argsort(s, axis=1, kind="stable")
    ordered = np.take_along_axis(s, order, axis=1)
    cols = np.broadcast_to(np.arange(s.shape[1]), s.shape)
    starts = np.ones(s.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    ranked = np.maximum.accumulate(np.where(starts, cols, 0), axis=1) + 1.0
    out = np.empty(s.shape)
    np.put_along_axis(out, order, ranked, axis=1)
    out[np.isnan(scores)] = np.nan
    return out


def rank_statistics(ranks: np.ndarray, nominal: np.ndarray, units: Sequence[str]) -> pd.DataFrame:
    """Per-unit nominal, mean, median, 5th and 95th percentile of ranks; ``ranks`` is (R, U).

    Computed a block of units at a time in float64 (``ranks`` may be float32: ranks are whole numbers, so
    the figures are the same), which bounds the working memory at national size.
    """
    n_rep, n_units = ranks.shape
    has_nan = any(
        np.isnan(ranks[:, j : j + 4096]).any() for j in range(0, n_units, 4096)
    )  # one decision for all blocks, as for the whole array
    stats = np.empty((4, n_units))
    step = max(1, _CHUNK_CELLS // max(1, n_rep))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # units never ranked: NaN statistics, by design
        for j in range(0, n_units, step):
            block = np.asarray(ranks[:, j : j + step], dtype="float64")
            if has_nan:
                stats[0, j : j + step] = np.nanmean(block, axis=0)
                stats[1:, j : j + step] = np.nanpercentile(block, [50, 5, 95], axis=0)
            else:
                stats[0, j : j + step] = block.mean(axis=0)
                stats[1:, j : j + step] = np.percentile(block, [50, 5, 95], axis=0)
    return pd.DataFrame(
        {
            "uCode": list(units),
            "Nominal": nominal,
            "Mean": stats[0],
            "Median": stats[1],
            "Q5": stats[2],
            "Q95": stats[3],
        }
    )


_PANEL_IMPUTATIONS = ("latest", "linear")


def _check_imputation(name: Any) -> str:
    method = name.partition(":")[0] if isinstance(name, str) else name
    if method not in IMPUTATIONS or method in _PANEL_IMPUTATIONS:
        choices = "、".join(k for k in IMPUTATIONS if k not in _PANEL_IMPUTATIONS)
        raise EngineError(
            f"未知或不支持的插补备选「{name}」；可选：{choices}（分组方法写作 mean-group:分组列）。"
        )
    if method in ("mean-group", "median-group") and not name.partition(":")[2]:
        raise EngineError(f"插补备选「{name}」需要指定分组列，如 {method}:GDP_group。")
    return str(name)


def _check_treatment(name: Any) -> Any:
    if isinstance(name, bool) or name in TREATMENTS:
        return name
    raise EngineError(
        f"未知的异常值处理备选「{name}」；可选：{'、'.join(TREATMENTS)}，"
        "或 true/false（按基准方法处理/不处理）。"
    )


def _prepared_variants(
    nominal: EvaluationResult, base: MethodSpec, spec: UncertaintySpec
) -> tuple[list[str], list[str], dict[tuple[int, int], pd.DataFrame]]:
    """Data ready for normalisation per (imputation, treatment) alternative, over the scored units.

    Without alternatives the base run's own treated data are used as they are, so the base spec's
    denominators, imputation and treatment apply to every replication.
    """
    steps = getattr(nominal, "steps", None) or {}
    scored = [u for u in nominal.data.index if u not in set(nominal.excluded)]
    screened = steps["screen"].data if "screen" in steps else nominal.data.loc[scored]
    if not spec.imputations and not spec.treatments:
        return ["base"], ["base"], {(0, 0): steps["treat"].data if "treat" in steps else screened}
    if spec.imputations:
        source = getattr(nominal, "source", None)
        imputed = []
        for name in spec.imputations:
            method, _, col = name.partition(":")
            if col and (source is None or col not in source.columns):
                raise EngineError(f"插补备选「{name}」的分组列「{col}」不在输入数据中；请检查列名。")
            groups = source[col].reindex(screened.index) if col else None
            imputed.append(screened if method == "none" else impute(screened, method, groups))
        imp_labels = list(spec.imputations)
    else:
        imputed, imp_labels = [steps["impute"].data if "impute" in steps else screened], ["base"]
    treatments = list(spec.treatments) or [getattr(base, "treat", "none")]
    kw = {k: getattr(base, k) for k in ("skew_threshold", "kurt_threshold", "winsorise_max", "boxcox_lambda")}
    out: dict[tuple[int, int], pd.DataFrame] = {}
    for i, frame in enumerate(imputed):
        for t, name in enumerate(treatments):
            method = (base.treat if base.treat != "none" else "coinr") if name is True else name
            if method in (False, "none"):
                out[i, t] = frame
            else:
                out[i, t] = treat(frame, method, overrides=base.treat_overrides, **kw).data
    return imp_labels, [str(t).lower() if isinstance(t, bool) else str(t) for t in treatments], out


@dataclass
class _Factor:
    name: str
    labels: list[str]  # one per alternative (for weights: the set numbers)

    def pick(self, u: np.ndarray) -> np.ndarray:
        n = len(self.labels)
        return np.minimum((u * n).astype(np.intp), n - 1)


class _Simulator:
    """Precomputes everything that does not vary per replication, then scores blocks of replications."""

    def __init__(
        self, data: pd.DataFrame, hierarchy: Hierarchy, base: MethodSpec, spec: UncertaintySpec
    ) -> None:
        self.hierarchy = h = hierarchy
        self.nominal = evaluate(data, h, base)
        self.target = spec.target or h.root
        if self.target not in h.aggregates:
            raise EngineError(
                f"分析对象「{self.target}」不是指标体系中的汇总节点；请填写总指数或某个维度的编码。"
            )
        excluded = set(self.nominal.excluded)
        self.all_units = [str(u) for u in self.nominal.data.index]
        self.units = [u for u in self.all_units if u not in excluded]
        self.codes = h.indicators + h.aggregates
        self.pos = {c: j for j, c in enumerate(self.codes)}
        # The base run's weights (expert, AHP or data-driven ones included) are the nominal weights.
        nominal_w = getattr(self.nominal, "weights", None) or {}
        self.base_w = np.array([float(nominal_w.get(c, h.weight(c))) for c in self.codes])
        thresholds = aggregate_thresholds(h, base)
        self.min_share = {a: t for a, t in thresholds.items() if t > 0}
        self.factors: list[_Factor] = []
        self.rng = np.random.default_rng(spec.seed)
        self._columns: dict[tuple[int, str], tuple[np.ndarray, np.ndarray]] = {}

        self.weight_pool = self._weight_pool(spec)
        imp_labels, treat_labels, prepared = _prepared_variants(self.nominal, base, spec)
        norm_alts = [_parse_normalisation(a) for a in spec.normalisations] or [{}]
        norm_specs = [_normalisation_spec(base, o) for o in norm_alts]
        aggs = list(spec.aggregations) or [_aggregation_name(getattr(base, "aggregation", "arithmetic"))]
        self.aggs = aggs
        self.power = float(getattr(base, "generalised_p", 1.0))
        self._add_factor("Imputation", imp_labels)
        self._add_factor("Treatment", treat_labels)
        self._add_factor("Normalisation", [_norm_label(s) for s in norm_specs])
        self._add_factor("Aggregation", aggs)
        self.loo = self._leave_one_out(spec)
        self._add_factor("LeaveOneOut", ["none", *self.loo])

        # One transformed leaf table per (imputation, treatment, normalisation, aggregation).
        self.leaves: dict[tuple[int, int, int, int], tuple[np.ndarray, np.ndarray]] = {}
        for (i, t), frame in prepared.items():
            for n, nspec in enumerate(norm_specs):
                x = normalise(frame.loc[self.units], h.directions, nspec)[h.indicators].to_numpy(
                    dtype="float64"
                )
                present = ~np.isnan(x)
                for a, agg in enumerate(aggs):
                    forward, _, positive = self._transform(agg)
                    if positive:
                        self._check_positive(x, present, norm_specs[n], agg)
                    with np.errstate(all="ignore"):
                        fx = np.where(present, forward(np.where(present, x, 1.0)), 0.0)
                    self.leaves[i, t, n, a] = (fx, present.astype("float64"))

    def _transform(
        self, agg: str
    ) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray], bool]:
        if agg != "generalised":
            return _AGGREGATIONS[agg]
        p = self.power
        if p == 0:
            return _AGGREGATIONS["geometric"]
        return (lambda x: x**p), (lambda y: y ** (1.0 / p)), p < 0

    def _add_factor(self, name: str, labels: list[str]) -> None:
        if len(labels) > 1:
            self.factors.append(_Factor(name, labels))

    def _weight_pool(self, spec: UncertaintySpec) -> np.ndarray | None:
        h = self.hierarchy
        levels = {c: h.level(c) for c in self.codes if c != h.root}
        noisy = {lv: x for lv, x in spec.weight_noise.items() if x > 0}
        bad = [lv for lv in noisy if lv not in set(levels.values())]
        if bad:
            have = "、".join(str(v) for v in sorted(set(levels.values())))
            raise EngineError(
                f"权重扰动指定的层级 {'、'.join(map(str, bad))} 在指标体系中没有带权重的节点；"
                f"可用层级：{have}。"
            )
        if not noisy:
            return None
        scale = np.zeros(len(self.codes))
        for c, lv in levels.items():
            scale[self.pos[c]] = noisy.get(lv, 0.0)
        u = self.rng.random((spec.weight_sets, len(self.codes)))
        self.factors.append(_Factor("Weights", [str(i + 1) for i in range(spec.weight_sets)]))
        return self.base_w * (1.0 + (2.0 * u - 1.0) * scale)

    def _leave_one_out(self, spec: UncertaintySpec) -> list[str]:
        if spec.leave_one_out is False:
            return []
        codes = list(self.hierarchy.indicators) if spec.leave_one_out is True else list(spec.leave_one_out)
        unknown = [c for c in codes if c not in self.hierarchy.indicators]
        if unknown:
            raise EngineError(f"leave_one_out 中的「{'、'.join(unknown)}」不是指标体系中的指标；请检查编码。")
        return codes

    def _check_positive(self, x: np.ndarray, present: np.ndarray, nspec: MethodSpec, agg: str) -> None:
        bad = present & (x <= 0)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise EngineError(
                f"{_AGG_LABELS[agg]}要求标准化值为正数，但标准化备选「{_norm_label(nspec)}」使"
                f"「{self.hierarchy.label(self.hierarchy.indicators[j])}」"
                f"在「{self.units[i]}」处为 {x[i, j]:g}；"
                "请将最小-最大标准化下限设为大于 0（如 minmax:1,100）、提高 z-score 均值，或删除该组合。"
            )

    def choices(self, u: np.ndarray) -> dict[str, np.ndarray]:
        """Map a (R, k) design in [0, 1) to each factor's alternative index per replication."""
        picked = {f.name: f.pick(u[:, j]) for j, f in enumerate(self.factors)}
        zeros = np.zeros(u.shape[0], dtype=np.intp)
        return {
            n: picked.get(n, zeros)
            for n in ("Weights", "Imputation", "Treatment", "Normalisation", "Aggregation", "LeaveOneOut")
        }

    def design_frame(self, picks: Mapping[str, np.ndarray]) -> pd.DataFrame:
        return pd.DataFrame({f.name: np.asarray(f.labels, dtype=object)[picks[f.name]] for f in self.factors})

    def scores(self, picks: Mapping[str, np.ndarray]) -> np.ndarray:
        """Target scores, shape (R, U scored units), for the chosen alternatives."""
        out = np.empty((len(picks["Aggregation"]), len(self.units)))
        for rows, scores in self.blocks(picks):
            out[rows] = scores
        return out

    def blocks(self, picks: Mapping[str, np.ndarray]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Target scores a block of replications at a time: (their indices, scores (len, U))."""
        n_rep = len(picks["Aggregation"])
        weights = (
            np.broadcast_to(self.base_w, (n_rep, len(self.codes)))
            if self.weight_pool is None
            else self.weight_pool[picks["Weights"]]
        )
        if self.loo:
            # Column 0 of the one-hot is "drop none"; the others zero one indicator's weight.
            drop = np.zeros((n_rep, len(self.codes)))
            cols = [self.pos[c] for c in self.loo]
            hit = picks["LeaveOneOut"] > 0
            drop[np.nonzero(hit)[0], np.asarray(cols)[picks["LeaveOneOut"][hit] - 1]] = 1.0
            weights = weights * (1.0 - drop)
        keys = np.stack(
            [picks["Imputation"], picks["Treatment"], picks["Normalisation"], picks["Aggregation"]], 1
        )
        # Every matrix product has the same number of columns (the last block padded with copies of its
        # last replication): BLAS chooses its kernels by shape, so a replication's score then never
        # depends on which other replications share its block, and chunks of any size give the same
        # result.
        block = min(_BLOCK_COLUMNS, max(1, _BLOCK_CELLS // max(1, len(self.units))))
        for key in np.unique(keys, axis=0):
            rows = np.nonzero((keys == key).all(axis=1))[0]
            fx, present = self.leaves[tuple(int(k) for k in key)]
            inverse = self._transform(self.aggs[key[3]])[1]
            for start in range(0, len(rows), block):
                r = rows[start : start + block]
                w = weights[r]
                if len(r) < block:
                    w = np.concatenate([w, np.repeat(w[-1:], block - len(r), axis=0)])
                with np.errstate(all="ignore"):
                    scores = inverse(self._tree(fx, present, w))[:, : len(r)].T
                yield r, scores

    def _leaf_columns(
        self, fx: np.ndarray, present: np.ndarray, node: str, leaf: list[int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """``fx[:, leaf]`` and ``present[:, leaf]``: a view when the children are adjacent columns (the usual
        case), else a copy made once per table rather than once per block."""
        if leaf == list(range(leaf[0], leaf[-1] + 1)):
            return fx[:, leaf[0] : leaf[-1] + 1], present[:, leaf[0] : leaf[-1] + 1]
        key = (id(fx), node)
        if key not in self._columns:
            self._columns[key] = (np.ascontiguousarray(fx[:, leaf]), np.ascontiguousarray(present[:, leaf]))
        return self._columns[key]

    def _tree(self, fx: np.ndarray, present: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Aggregate transformed leaves bottom-up for a block; returns the target's (U, R) values."""
        h, pos, n_ind = self.hierarchy, self.pos, len(self.hierarchy.indicators)
        values: dict[str, np.ndarray] = {}
        for node in h.aggregates:
            kids = h.children(node)
            leaf = [pos[k] for k in kids if pos[k] < n_ind]
            # An aggregate's values are needed only by its parent: taken out here, so at most a couple
            # of levels of (units × block) tables are alive at once.
            below = [(k, values.pop(k)) for k in kids if pos[k] >= n_ind]
            if leaf:
                fx_leaf, present_leaf = self._leaf_columns(fx, present, node, leaf)
                wl = w[:, leaf].T  # (k, R): one matmul covers every replication of the block
                num = fx_leaf @ wl
                den = present_leaf @ wl
            else:
                num = np.zeros((fx.shape[0], w.shape[0]))
                den = np.zeros_like(num)
            for k, v in below:
                ok = ~np.isnan(v)
                num += np.where(ok, v, 0.0) * w[:, pos[k]]
                den += ok * w[:, pos[k]]
            ok = den > 0
            if node in self.min_share:  # COINr-style data-availability threshold per aggregate
                count = present[:, leaf].sum(axis=1, keepdims=True) if leaf else 0.0
                count = count + sum(~np.isnan(v) for _, v in below)
                ok &= count / len(kids) >= self.min_share[node] - 1e-9
            values[node] = np.where(ok, num / np.where(den > 0, den, 1.0), np.nan)
            if node == self.target:
                return values[node]
        return values[self.target]


def _norm_label(spec: MethodSpec) -> str:
    name = getattr(spec, "normalisation", "?")
    param = _NORM_PARAMS.get(name)
    if param is None:
        return str(name)
    a, b = getattr(spec, param)
    return f"{name}:{a:g},{b:g}"


def run_uncertainty(
    data: pd.DataFrame,
    hierarchy: Hierarchy,
    base_spec: MethodSpec | None,
    ua_spec: UncertaintySpec,
    *,
    keep_replications: bool = True,
    chunk_replications: int | None = None,
) -> UncertaintyResult:
    """Monte Carlo uncertainty analysis of the target's ranks.

    Parameters
    ----------
    data : DataFrame
        Units × indicators, as for :func:`evaluate` (for the ASEM reference: COINr's treated data).
    hierarchy : Hierarchy
        The framework.
    base_spec : MethodSpec or None
        The nominal method; its ranks are the ``Nominal`` column. ``None`` for ``MethodSpec()``.
    ua_spec : UncertaintySpec
        Uncertain choices, replications and seed.
    keep_replications : bool, default True
        Keep every replication's ranks and scores (``result.ranks``, ``result.scores``); False keeps only
        the rank statistics, so memory stays bounded (about 4 bytes per unit and replication).
    chunk_replications : int, optional
        Replications simulated as one group (default: all; the simulator works on blocks of at most 64
        replications anyway, so memory stays bounded). The result does not depend on it.

    Returns
    -------
    UncertaintyResult

    Raises
    ------
    EngineError
        Invalid input (as :func:`evaluate`), a noise level without weighted nodes, an unknown target or
        indicator, or an aggregation alternative that needs positive values where a normalisation
        alternative gives values ≤ 0.

    Notes
    -----
    All replications are computed together: each normalised table is computed once per alternative, the
    weight sets are drawn once, and each level of the tree is one matrix product over (units × children) ×
    (children × replications), with missing values handled by re-normalising weights over present children.
    Units excluded by the base spec's availability threshold are excluded from every replication.
    """
    if not isinstance(ua_spec, UncertaintySpec):
        raise EngineError(f"不确定性分析设置必须是 UncertaintySpec 对象，收到 {type(ua_spec).__name__}。")
    sim = _Simulator(data, hierarchy, base_spec or MethodSpec(), ua_spec)
    u = sim.rng.random((ua_spec.replications, len(sim.factors)))
    picks = sim.choices(u)
    ranks, scores = simulate(sim, picks, keep=keep_replications, chunk=chunk_replications)
    return _assemble(sim, ua_spec, scores, ranks, sim.design_frame(picks))


def simulate(
    sim: _Simulator,
    picks: Mapping[str, np.ndarray],
    *,
    keep: bool = True,
    chunk: int | None = None,
    each: Callable[[np.ndarray, np.ndarray], None] | None = None,
    stored: int | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Scores and ranks of the replications in ``picks``, ranked a block of replications at a time.

    Returns the ranks (R', U) of the first ``stored`` replications (default all; float64 when ``keep``,
    else float32, exact for ranks below 2**24) and their scores when ``keep`` (else None). ``each`` is
    called with every block's replication indices and ranks, for statistics over all replications
    (sensitivity). ``chunk`` splits the replications into groups simulated one after the other (the
    simulator's blocks bound memory already; the result never depends on it).
    """
    n_rep = len(picks["Aggregation"])
    n_units = len(sim.units)
    stored = n_rep if stored is None else stored
    step = chunk or n_rep
    ranks = np.empty((stored, n_units), dtype="float64" if keep else "float32")
    scores = np.empty((stored, n_units)) if keep else None
    for start in range(0, n_rep, step):
        part = {name: v[start : start + step] for name, v in picks.items()}
        for rows, block_scores in sim.blocks(part):
            rows = rows + start
            block_ranks = rank_rows(block_scores)
            if each is not None:
                each(rows, block_ranks)
            kept = rows < stored
            if kept.all():
                ranks[rows] = block_ranks
                if scores is not None:
                    scores[rows] = block_scores
            elif kept.any():
                ranks[rows[kept]] = block_ranks[kept]
                if scores is not None:
                    scores[rows[kept]] = block_scores[kept]
    return ranks, scores


def _assemble(
    sim: _Simulator,
    spec: UncertaintySpec,
    scores: np.ndarray | None,
    ranks: np.ndarray,
    design: pd.DataFrame,
) -> UncertaintyResult:
    nominal = sim.nominal.ranks[sim.target].reindex(sim.units).to_numpy(dtype="float64", na_value=np.nan)
    stats = rank_statistics(ranks, nominal, sim.units)
    stats = stats.set_index("uCode").reindex(sim.all_units).rename_axis("uCode").reset_index()
    cols = pd.RangeIndex(1, ranks.shape[0] + 1, name="replication")
    return UncertaintyResult(
        spec=spec,
        target=sim.target,
        rank_stats=stats,
        ranks=(
            None
            if scores is None
            else pd.DataFrame(ranks.T, index=pd.Index(sim.units, name="uCode"), columns=cols)
        ),
        scores=(
            None
            if scores is None
            else pd.DataFrame(scores.T, index=pd.Index(sim.units, name="uCode"), columns=cols)
        ),
        design=design.set_axis(cols, axis=0),
        nominal=sim.nominal,
        factors=[f.name for f in sim.factors],
    )
