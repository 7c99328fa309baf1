"""Reads of evaluation results for the pages, the API and the reports."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db.models import QuerySet

from county_innovation.common.jobs import jobs_expire_stale
from county_innovation.engine import strengths_weaknesses
from county_innovation.evaluation import policies
from county_innovation.evaluation.models import (
    EvaluationRun,
    OfficialRunReplacement,
    RegionResult,
    RobustnessAnalysis,
)
from county_innovation.indicators.models import Framework
from county_innovation.indicators.selectors import data_values_for, framework_indicators
from county_innovation.regions.models import Region
from county_innovation.regions.selectors import counties_of, towns_of


def runs_visible_to(actor) -> QuerySet[EvaluationRun]:
    """The runs ``actor`` may read (published ones for everyone signed in; all of them for the city admin)."""
    return policies.runs.restrict(
        actor, "view", EvaluationRun.objects.select_related("framework", "scope", "created_by")
    )


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


def published_run(*, framework_code: str, period: int, scope: Region) -> EvaluationRun | None:
    return (
        EvaluationRun.objects.filter(
            framework__code=framework_code, period=period, scope=scope, status=EvaluationRun.Status.PUBLISHED
        )
        .select_related("framework")
        .order_by("-published_at")
        .first()
    )


def official_run_of(run: EvaluationRun) -> EvaluationRun | None:
    """The official (published) run of ``run``'s framework, period and scope; ``run`` itself when it is."""
    return published_run(framework_code=run.framework.code, period=run.period, scope=run.scope)


def official_history(run: EvaluationRun) -> list[OfficialRunReplacement]:
    """Every replacement of the official run of ``run``'s framework, period and scope, newest first."""
    return list(
        OfficialRunReplacement.objects.filter(
            previous__framework__code=run.framework.code,
            previous__period=run.period,
            previous__scope=run.scope,
        ).select_related("previous", "replacement", "replaced_by")
    )


def published_periods(*, framework_code: str, scope: Region) -> list[int]:
    return sorted(
        set(
            EvaluationRun.objects.filter(
                framework__code=framework_code, scope=scope, status=EvaluationRun.Status.PUBLISHED
            ).values_list("period", flat=True)
        )
    )


def latest_published_run(*, framework_code: str, scope: Region) -> EvaluationRun | None:
    periods = published_periods(framework_code=framework_code, scope=scope)
    return published_run(framework_code=framework_code, period=periods[-1], scope=scope) if periods else None


def run_node_weights(run: EvaluationRun) -> dict[str, float] | None:
    """The weights a run actually used, {node code: weight relative to its siblings}.

    None when the run used the framework version's own weights (``weighting`` "given", no expert or AHP
    weights): then the framework's weights are the run's. Otherwise (equal, entropy, CRITIC, PCA, expert, AHP)
    they are recomputed from the run's stored inputs and method, so a document never prints the framework's
    weights for a run that did not use them.
    """
    spec = run.method_spec
    if (spec.get("weighting") or "given") == "given" and not spec.get("weights") and not spec.get("ahp"):
        return None
    from county_innovation.evaluation.snapshot import run_engine_result

    result = run_engine_result(run)
    weights = dict(result.weights or {})
    hierarchy = result.hierarchy
    out: dict[str, float] = {}
    for parent in hierarchy.aggregates:
        children = hierarchy.children(parent)
        total = sum(weights.get(c, 0.0) for c in children) or 1.0
        for c in children:
            out[c] = weights.get(c, 0.0) / total
    return out


def run_results(run: EvaluationRun) -> list[RegionResult]:
    """Results ranked first, then the regions not ranked (数据不足) by code."""
    results = list(run.results.select_related("region"))
    return sorted(results, key=lambda r: (r.rank is None, r.rank or 0, r.region_id))


def index_trend(*, framework_code: str, scope: Region) -> dict[str, dict[int, float | None]]:
    """{region code: {period: index}} over every published period."""
    trend: dict[str, dict[int, float | None]] = {}
    for period in published_periods(framework_code=framework_code, scope=scope):
        run = published_run(framework_code=framework_code, period=period, scope=scope)
        for region_id, index in run.results.values_list("region_id", "index"):
            trend.setdefault(region_id, {})[period] = index
    return trend


@dataclass
class Profile:
    """What a region page shows of one run: its result, the city average per dimension, its gaps to the median."""

    result: RegionResult
    dimension_average: dict[str, float | None]
    strengths: list[tuple[str, float]]
    weaknesses: list[tuple[str, float]]


def region_profile(run: EvaluationRun, region: Region, k: int = 3) -> Profile | None:
    results = list(run.results.all())
    mine = next((r for r in results if r.region_id == region.code), None)
    if mine is None:
        return None
    dims = list(mine.dimension_scores)
    average = {}
    for d in dims:
        values = [r.dimension_scores.get(d) for r in results if r.dimension_scores.get(d) is not None]
        average[d] = sum(values) / len(values) if values else None
    normalised = pd.DataFrame.from_dict(
        {r.region_id: r.normalised for r in results}, orient="index", dtype="float64"
    )
    strengths, weaknesses = strengths_weaknesses(normalised, region.code, k)
    return Profile(result=mine, dimension_average=average, strengths=strengths, weaknesses=weaknesses)


# Below this variance of the output (mean absolute rank shift), ranks hardly move between replications and
# variance-based indices are ratios of noise.
SENSITIVITY_MIN_VARIANCE = 0.01
# The engine's factor names, as the page shows them.
FACTOR_LABELS = {
    "Weights": "权重",
    "Normalisation": "标准化方法",
    "Aggregation": "汇总方法",
    "Imputation": "缺失值插补",
    "Treatment": "异常值处理",
    "LeaveOneOut": "逐一剔除指标",
}


def robustness_chart(analysis: RobustnessAnalysis) -> dict:
    """Chart payloads: each unit's nominal rank with its 5–95 % rank interval, and the sensitivity indices."""
    codes = [r["uCode"] for r in analysis.rank_stats]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    rows = sorted(analysis.rank_stats, key=lambda r: (r["Nominal"] is None, r["Nominal"] or 0))
    intervals = {
        "title": f"排名区间（{analysis.replications:,} 次模拟，5%–95%）",
        "subtitle": "条形为排名的 5%–95% 分位区间，圆点为名义排名，菱形为中位数",
        "units": [names.get(r["uCode"], r["uCode"]) for r in rows],
        "nominal": [r["Nominal"] for r in rows],
        "median": [r["Median"] for r in rows],
        "mean": [r["Mean"] for r in rows],
        "interval": [[r["Q5"], r["Q95"]] for r in rows],
    }
    sensitivity = None
    if analysis.indices:
        sensitivity = {
            "title": "敏感性指数（对平均排名变动的方差贡献）",
            "subtitle": "一阶指数 Si（Saltelli 2010）与总效应指数 STi（Jansen），竖线为 5%–95% 自助法区间",
            "indices": [
                {**r, "label": FACTOR_LABELS.get(r["Parameter"], r["Parameter"])} for r in analysis.indices
            ],
            "unreliable": (analysis.output_variance or 0.0) < SENSITIVITY_MIN_VARIANCE
            or any(v is None for r in analysis.indices for v in r.values()),
        }
    return {
        "intervals": intervals,
        "sensitivity": sensitivity,
        "rows": list(zip(intervals["units"], rows, strict=True)),
    }


def rank_gains(run: EvaluationRun, region_code: str, gain: int = 1, k: int = 3) -> list:
    """The k indicators whose smallest improvement (relative to their current value) gains ``gain`` ranks.

    Each item is the engine's RankGain (required value in the indicator's raw units and a Chinese sentence).
    Empty for a unit ranked first or not ranked.
    """
    from county_innovation.engine import EngineError
    from county_innovation.engine.explain import what_would_it_take
    from county_innovation.evaluation.snapshot import run_engine_result

    result = run_engine_result(run)
    root = result.hierarchy.root
    rank = result.ranks.at[region_code, root] if region_code in result.ranks.index else None
    if rank is None or pd.isna(rank) or int(rank) <= 1:
        return []
    gains = []
    for indicator in result.hierarchy.indicators:
        if pd.isna(result.data.at[region_code, indicator]):
            continue
        try:
            found = what_would_it_take(result, region_code, indicator, gain=gain)
        except EngineError:
            continue
        if found.required_value is not None:
            gains.append(found)

    def relative(g) -> float:
        return abs(g.change) / abs(g.current_value) if g.current_value else float("inf")

    return sorted(gains, key=relative)[:k]


def robustness_analysis_current(pk: int) -> RobustnessAnalysis | None:
    """One analysis as it stands now: if its worker stopped renewing the lease, it is marked failed first."""
    jobs_expire_stale(RobustnessAnalysis.objects.filter(pk=pk))
    return RobustnessAnalysis.objects.select_related("run__framework", "run__scope").filter(pk=pk).first()


def robustness_analyses_of(run: EvaluationRun, limit: int = 20) -> list[RobustnessAnalysis]:
    jobs_expire_stale(RobustnessAnalysis.objects.filter(run=run))
    return list(run.analyses.all()[:limit])
