"""Running and publishing evaluations, and starting their robustness analyses: the writes of the evaluation app.

Each service takes the ``actor`` and asks ``evaluation.policies``; the reads live in ``selectors``, re-checking a
stored run in ``snapshot``, the robustness rules in ``robustness``. Publishing a run sends
``signals.run_published`` once the publish commits (reports queues the bulletin).
"""

import time

import pandas as pd
from django.db import transaction
from django.utils import timezone

from county_innovation import __version__ as ENGINE_VERSION
from county_innovation.common.actors import history_user, require_system, system
from county_innovation.common.errors import DomainError
from county_innovation.common.jobs import job_fail, job_heartbeat
from county_innovation.common.models import DemoDataset
from county_innovation.engine import EngineError, EvaluationResult, MethodSpec
from county_innovation.evaluation import policies
from county_innovation.evaluation.models import (
    EvaluationRun,
    OfficialRunReplacement,
    RegionResult,
    RobustnessAnalysis,
)
from county_innovation.evaluation.robustness import frame_records, robustness_spec_check
from county_innovation.evaluation.selectors import evaluation_input
from county_innovation.evaluation.signals import run_published_on_commit
from county_innovation.evaluation.snapshot import engine_compute, frame_to_json, run_input
from county_innovation.indicators.methods import method_summary
from county_innovation.indicators.models import Framework
from county_innovation.indicators.selectors import framework_hierarchy
from county_innovation.indicators.services import framework_freeze
from county_innovation.regions.models import Region


@transaction.atomic
def evaluation_run_create(
    *, framework: Framework, period: int, actor, scope: Region, method_spec: dict | None = None
) -> EvaluationRun:
    """Compute the index for every unit of ``scope`` and store the run with its inputs, method and hash."""
    policies.runs.require(actor, "create")
    if period < 2000 or period > 2100:
        raise DomainError(f"年度「{period}」无效。")
    data = evaluation_input(framework=framework, scope=scope, period=period)
    if data.notna().sum().sum() == 0:
        raise DomainError(f"{period}年尚无「{framework.name}」的任何填报数据，无法评价。")
    spec_dict = dict(method_spec or framework.method_spec)
    result = engine_compute(framework, data, spec_dict)
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
        created_by=history_user(actor),
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
def evaluation_run_publish(*, run: EvaluationRun, actor, replace_reason: str = "") -> EvaluationRun:
    """Publish a run: it becomes the official run of its framework and period, visible to every signed-in
    user, and its framework version is frozen.

    Each framework (code, across versions), period and scope has one official run. When one is already
    published, publishing ``run`` replaces it only with a ``replace_reason`` (else ReplacementNeedsReason);
    the replaced run is marked 已被替换 and the replacement is recorded with its reason, user and time.
    Once the publish commits, ``run_published`` is sent (the bulletin is queued by reports).
    """
    policies.runs.require(actor, "publish", run)
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
            previous=previous, replacement=run, reason=reason, replaced_by=history_user(actor)
        )
    run.status = EvaluationRun.Status.PUBLISHED
    run.published_at = timezone.now()
    run.save(update_fields=["status", "published_at"])
    framework_freeze(actor=system("发布评价时冻结所用体系版本"), framework=run.framework)
    run_published_on_commit(run)
    return run


# --- Robustness analyses (uncertainty and sensitivity), run in the background ----------------------------


@transaction.atomic
def robustness_start(*, run: EvaluationRun, kind: str, spec: dict, actor) -> RobustnessAnalysis:
    """Record an analysis and queue it for the background worker (after the transaction commits)."""
    from county_innovation.evaluation.tasks import robustness_execute

    policies.runs.require(actor, "analyse", run)
    stored = robustness_spec_check(kind=kind, spec=spec)
    analysis = RobustnessAnalysis.objects.create(
        run=run, kind=kind, spec=stored, created_by=history_user(actor), stage="等待后台计算进程"
    )

    def enqueue() -> None:
        result = robustness_execute.enqueue(analysis.pk)
        RobustnessAnalysis.objects.filter(pk=analysis.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return analysis


def _progress(analysis: RobustnessAnalysis, progress: float, stage: str, **fields: object) -> None:
    RobustnessAnalysis.objects.filter(pk=analysis.pk).update(progress=progress, stage=stage, **fields)


def robustness_execute_now(*, analysis_id: int, actor) -> RobustnessAnalysis:
    """Compute one queued analysis, reporting progress as it goes; failures are stored, not raised.

    The background worker does it (``actor`` is ``system(...)``). While it computes, the worker renews the
    analysis's lease (``common.jobs.job_heartbeat``); an error nobody foresaw is stored as the failure's reason
    before it propagates to the task runner.
    """
    require_system(actor, "稳健性分析的后台计算")
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
        run = analysis.run
        data, hierarchy, base = (
            run_input(run),
            framework_hierarchy(run.framework),
            MethodSpec.from_dict(run.method_spec),
        )
        spec = UncertaintySpec.from_dict(analysis.spec)
        _progress(analysis, 0.15, "蒙特卡洛模拟中（向量化计算全部重复）")
        if analysis.kind == RobustnessAnalysis.Kind.SENSITIVITY:
            outcome = run_sensitivity(data, hierarchy, base, spec)
            variance = float(outcome.variance)
            indices = frame_records(outcome.indices)
            rank_stats = frame_records(outcome.rank_stats)
            replications = len(outcome.output)
        else:
            outcome = run_uncertainty(data, hierarchy, base, spec)
            variance = None
            indices = []
            rank_stats = frame_records(outcome.rank_stats)
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
