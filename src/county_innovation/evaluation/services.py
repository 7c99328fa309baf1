"""Running, re-checking and publishing evaluations: the bridge between the database and the engine."""

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from county_innovation import __version__ as ENGINE_VERSION
from county_innovation.accounts.models import User
from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.common.jobs import job_fail, job_heartbeat
from county_innovation.common.models import DemoDataset
from county_innovation.engine import EngineError, EvaluationResult, MethodSpec, evaluate
from county_innovation.evaluation.models import (
    EvaluationRun,
    OfficialRunReplacement,
    RegionResult,
    RobustnessAnalysis,
)
from county_innovation.evaluation.snapshot import frame_from_json, frame_to_json
from county_innovation.indicators.methods import method_summary
from county_innovation.indicators.models import Framework
from county_innovation.indicators.selectors import data_values_for, framework_hierarchy, framework_indicators
from county_innovation.indicators.services import framework_freeze
from county_innovation.regions.models import Region
from county_innovation.regions.selectors import counties_of, towns_of


def evaluation_units(*, framework: Framework, scope: Region) -> list[Region]:
    """The regions a framework ranks inside a scope: the counties of a city, or the towns of a city or county."""
    if framework.level == "county":
        return list(counties_of(scope)) if scope.level == Region.Level.CITY else [scope]
    return list(towns_of(scope))


def evaluation_input(*, framework: Framework, scope: Region, period: int) -> pd.DataFrame:
    """Units × indicator codes (float64, NaN for missing) as they stand in the database now."""
    units = evaluation_units(framework=framework, scope=scope)
    indicators = framework_indicators(framework)
    values = data_values_for(regions=units, period=period, indicators=indicators)
    codes = [i.code for i in indicators]
    frame = pd.DataFrame(np.nan, index=pd.Index([u.code for u in units], name="region"), columns=codes)
    for (region, indicator), value in values.items():
        frame.at[region, indicator] = float(value)
    return frame


@dataclass
class RecheckReport:
    same_hash: bool
    max_abs_difference: float

    @property
    def reproduced(self) -> bool:
        return self.same_hash and self.max_abs_difference == 0.0


def _compute(framework: Framework, data: pd.DataFrame, spec_dict: dict) -> EvaluationResult:
    try:
        spec = MethodSpec.from_dict(spec_dict)
        return evaluate(data, framework_hierarchy(framework), spec)
    except EngineError as exc:
        raise DomainError(f"评价无法完成：{exc}") from None


@transaction.atomic
def evaluation_run_create(
    *, framework: Framework, period: int, user: User | None, scope: Region, method_spec: dict | None = None
) -> EvaluationRun:
    """Compute the index for every unit of ``scope`` and store the run with its inputs, method and hash."""
    if period < 2000 or period > 2100:
        raise DomainError(f"年度「{period}」无效。")
    data = evaluation_input(framework=framework, scope=scope, period=period)
    if data.notna().sum().sum() == 0:
        raise DomainError(f"{period}年尚无「{framework.name}」的任何填报数据，无法评价。")
    spec_dict = dict(method_spec or framework.method_spec)
    result = _compute(framework, data, spec_dict)
    run = EvaluationRun.objects.create(
        framework=framework,
        framework_version=framework.version,
        period=period,
        scope=scope,
        method_spec=result.spec.to_dict(),
        engine_version=ENGINE_VERSION,
        input_hash=result.input_hash,
        input_data=frame_to_json(data),
        includes_demo_data=DemoDataset.objects.exists(),
        unit_count=int(result.scores.iloc[:, 0].notna().sum()) if len(result.scores.columns) else 0,
        excluded=list(result.excluded),
        warnings=list(result.warnings),
        created_by=user,
    )
    RegionResult.objects.bulk_create(_region_results(run, framework, result))
    return run


def _region_results(run: EvaluationRun, framework: Framework, result: EvaluationResult) -> list[RegionResult]:
    hierarchy = result.hierarchy
    root = hierarchy.root
    dimensions = hierarchy.children(root)
    try:
        contributions = result.contributions()
    except EngineError:
        # Harmonic, generalised and TOPSIS aggregation do not split into additive parts per indicator.
        contributions = pd.DataFrame(index=result.data.index)

    def clean(value: object) -> float | None:
        return None if pd.isna(value) else float(value)

    rows = []
    for unit in result.data.index:
        rank = result.ranks.at[unit, root]
        rows.append(
            RegionResult(
                run=run,
                region_id=unit,
                index=clean(result.scores.at[unit, root]),
                rank=None if pd.isna(rank) else int(rank),
                availability=float(result.availability.at[unit]),
                dimension_scores={d: clean(result.scores.at[unit, d]) for d in dimensions},
                dimension_ranks={
                    d: (None if pd.isna(result.ranks.at[unit, d]) else int(result.ranks.at[unit, d]))
                    for d in dimensions
                },
                normalised={c: clean(result.normalised.at[unit, c]) for c in result.normalised.columns},
                contributions={c: clean(contributions.at[unit, c]) for c in contributions.columns},
            )
        )
    return rows


def evaluation_run_recheck(*, run: EvaluationRun) -> RecheckReport:
    """Recompute a stored run from its stored inputs and method; a sound run reproduces every number."""
    codes = [i.code for i in framework_indicators(run.framework)]
    data = frame_from_json(run.input_data, codes)
    result = _compute(run.framework, data, run.method_spec)
    stored = {r.region_id: r.index for r in run.results.all()}
    diffs = [
        abs((stored[u] if stored[u] is not None else np.nan) - v)
        for u, v in result.scores[result.hierarchy.root].items()
        if not (stored.get(u) is None and pd.isna(v))
    ]
    return RecheckReport(
        same_hash=result.input_hash == run.input_hash,
        max_abs_difference=float(np.nanmax(diffs)) if diffs else 0.0,
    )


class ReplacementNeedsReason(DomainError):
    """Publishing would replace the official run of the framework and period: confirm with a reason."""

    def __init__(self, official: EvaluationRun) -> None:
        self.official = official
        super().__init__(
            f"{official.period}年度「{official.framework.name}」已有正式发布的评价 #{official.pk}"
            f"（第{official.framework_version}版，{method_summary(official.method_spec)}）。"
            "发布本次评价将替换它：请确认并填写替换理由（如「更正南昌县研发经费数据」），理由记入替换记录。"
        )


@transaction.atomic
def evaluation_run_publish(*, run: EvaluationRun, user: User, replace_reason: str = "") -> EvaluationRun:
    """Publish a run: it becomes the official run of its framework and period, visible to every signed-in
    user, and its framework version is frozen.

    Each framework (code, across versions), period and scope has one official run. When one is already
    published, publishing ``run`` replaces it only with a ``replace_reason`` (else ReplacementNeedsReason);
    the replaced run is marked 已被替换 and the replacement is recorded with its reason, user and time.
    """
    run = EvaluationRun.objects.select_for_update().select_related("framework", "scope").get(pk=run.pk)
    if run.is_published:
        raise DomainError("该评价结果已经发布。")
    official = list(
        EvaluationRun.objects.select_for_update()
        .select_related("framework")
        .filter(
            framework__code=run.framework.code,
            period=run.period,
            scope=run.scope,
            status=EvaluationRun.Status.PUBLISHED,
        )
        .order_by("-published_at")
    )
    reason = (replace_reason or "").strip()
    if official and not reason:
        raise ReplacementNeedsReason(official[0])
    for previous in official:
        previous.status = EvaluationRun.Status.REPLACED
        previous.save(update_fields=["status"])
        OfficialRunReplacement.objects.create(
            previous=previous, replacement=run, reason=reason, replaced_by=user
        )
    run.status = EvaluationRun.Status.PUBLISHED
    run.published_at = timezone.now()
    run.save(update_fields=["status", "published_at"])
    framework_freeze(actor=system("发布评价时冻结所用体系版本"), framework=run.framework)
    from county_innovation.reports.services import bulletin_after_publish

    transaction.on_commit(bulletin_after_publish(run_id=run.pk))
    return run


# --- Robustness analyses (uncertainty and sensitivity), run in the background ----------------------------

# The analysis a city admin gets when they change nothing: COINr's reference design (weights of the
# dimensions and the index ±25 %, min-max 1–100 or z-score (10, 2), arithmetic or geometric mean).
DEFAULT_ROBUSTNESS_SPEC = {
    "replications": 500,
    "seed": 1,
    "weight_noise": {"1": 0.25, "2": 0.25},
    "normalisations": ["minmax:1,100", "zscore:10,2"],
    "aggregations": ["arithmetic", "geometric"],
}
# Sensitivity analysis multiplies the work by (k + 2); keep its default base sample smaller.
DEFAULT_SENSITIVITY_BASE = 200
MAX_REPLICATIONS = 20000


def _run_inputs(run: EvaluationRun) -> tuple[pd.DataFrame, object, MethodSpec]:
    codes = [i.code for i in framework_indicators(run.framework)]
    data = frame_from_json(run.input_data, codes)
    return data, framework_hierarchy(run.framework), MethodSpec.from_dict(run.method_spec)


def robustness_spec_check(*, kind: str, spec: dict) -> dict:
    """Validate an analysis spec with the engine; return it as stored. Raises DomainError in Chinese."""
    from county_innovation.engine.uncertainty import UncertaintySpec

    if kind not in RobustnessAnalysis.Kind.values:
        raise DomainError(f"未知的分析类型「{kind}」：应为 uncertainty（不确定性）或 sensitivity（敏感性）。")
    try:
        parsed = UncertaintySpec.from_dict(spec)
    except EngineError as exc:
        raise DomainError(f"分析设置有误：{exc}") from None
    if parsed.replications > MAX_REPLICATIONS:
        raise DomainError(f"模拟次数 {parsed.replications} 过大，请不超过 {MAX_REPLICATIONS}。")
    return parsed.to_dict()


@transaction.atomic
def robustness_start(*, run: EvaluationRun, kind: str, spec: dict, user: User | None) -> RobustnessAnalysis:
    """Record an analysis and queue it for the background worker (after the transaction commits)."""
    from county_innovation.evaluation.tasks import robustness_execute

    stored = robustness_spec_check(kind=kind, spec=spec)
    analysis = RobustnessAnalysis.objects.create(
        run=run, kind=kind, spec=stored, created_by=user, stage="等待后台计算进程"
    )

    def enqueue() -> None:
        result = robustness_execute.enqueue(analysis.pk)
        RobustnessAnalysis.objects.filter(pk=analysis.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return analysis


def _progress(analysis: RobustnessAnalysis, progress: float, stage: str, **fields: object) -> None:
    RobustnessAnalysis.objects.filter(pk=analysis.pk).update(progress=progress, stage=stage, **fields)


def robustness_execute_now(*, analysis_id: int) -> RobustnessAnalysis:
    """Compute one queued analysis, reporting progress as it goes; failures are stored, not raised.

    While it computes, the worker renews the analysis's lease (``common.jobs.job_heartbeat``); an error
    nobody foresaw is stored as the failure's reason before it propagates to the task runner.
    """
    analysis = RobustnessAnalysis.objects.select_related("run__framework").get(pk=analysis_id)
    if analysis.is_finished:
        return analysis
    with job_heartbeat(RobustnessAnalysis, [analysis.pk]):
        try:
            _robustness_compute(analysis)
        except Exception as exc:
            job_fail(RobustnessAnalysis, [analysis.pk], f"计算时发生意外错误：{exc}")
            raise
    analysis.refresh_from_db()
    return analysis


def _robustness_compute(analysis: RobustnessAnalysis) -> None:
    from county_innovation.engine.sensitivity import run_sensitivity
    from county_innovation.engine.uncertainty import UncertaintySpec, run_uncertainty

    started = time.perf_counter()
    _progress(analysis, 0.05, "读取评价输入数据与方法")
    try:
        data, hierarchy, base = _run_inputs(analysis.run)
        spec = UncertaintySpec.from_dict(analysis.spec)
        _progress(analysis, 0.15, "蒙特卡洛模拟中（向量化计算全部重复）")
        if analysis.kind == RobustnessAnalysis.Kind.SENSITIVITY:
            outcome = run_sensitivity(data, hierarchy, base, spec)
            variance = float(outcome.variance)
            indices = _records(outcome.indices)
            rank_stats = _records(outcome.rank_stats)
            replications = len(outcome.output)
        else:
            outcome = run_uncertainty(data, hierarchy, base, spec)
            variance = None
            indices = []
            rank_stats = _records(outcome.rank_stats)
            replications = spec.replications
        _progress(analysis, 0.9, "汇总排名区间")
    except (EngineError, ValueError) as exc:
        _progress(
            analysis,
            1.0,
            "失败",
            status=RobustnessAnalysis.Status.FAILED,
            error=str(exc),
            finished_at=timezone.now(),
            seconds=time.perf_counter() - started,
        )
    else:
        _progress(
            analysis,
            1.0,
            "已完成",
            status=RobustnessAnalysis.Status.DONE,
            rank_stats=rank_stats,
            indices=indices,
            replications=replications,
            output_variance=variance,
            finished_at=timezone.now(),
            seconds=time.perf_counter() - started,
        )


def _records(frame: pd.DataFrame) -> list[dict]:
    frame = frame.reset_index() if frame.index.name else frame
    return [
        {str(k): (None if pd.isna(v) else (v if isinstance(v, str) else float(v))) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]
