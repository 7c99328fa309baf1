"""Reads that shape a bulletin, a county profile and an assessment sheet from published evaluation runs.

The numbers come from ``evaluation`` (runs and results) through the monitoring pages' own reads
(``evaluation.rankings``), so a document never disagrees with the page; the sentences are written here from them.
Designations, task progress and reporting rates belong to other apps and are read only through the functions
those apps publish for this purpose, when they are installed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from statistics import mean
from typing import Any

import pandas as pd
from django.db.models import Count, QuerySet

from county_innovation.collection.selectors import round_reporting_rate
from county_innovation.common.jobs import jobs_expire_stale
from county_innovation.common.models import DemoDataset
from county_innovation.engine import strengths_weaknesses
from county_innovation.evaluation.models import EvaluationRun, RegionResult
from county_innovation.evaluation.rankings import (
    Ranking,
    RankingRow,
    dimension_contributions,
    dimensions_of,
    method_changes,
    published_framework_code,
)
from county_innovation.evaluation.selectors import published_periods, published_run, run_node_weights
from county_innovation.indicators.methods import method_label, normalisation_text
from county_innovation.indicators.models import Indicator
from county_innovation.indicators.selectors import framework_dimensions
from county_innovation.regions.models import Region
from county_innovation.reports.models import Bulletin
from county_innovation.reports.policies import bulletins

STRENGTH_COUNT = 3


def demo_loaded() -> bool:
    return DemoDataset.objects.exists()


# --- rankings of a given run ----------------------------------------------------------------------------------


def previous_published_run(run: EvaluationRun) -> EvaluationRun | None:
    """The published run of the same framework and scope for the latest period before ``run``'s."""
    earlier = [
        p for p in published_periods(framework_code=run.framework.code, scope=run.scope) if p < run.period
    ]
    if not earlier:
        return None
    return published_run(framework_code=run.framework.code, period=earlier[-1], scope=run.scope)


def run_ranking(run: EvaluationRun) -> Ranking:
    """A run's ranking with each unit's rank in the previous published period, in rank order."""
    previous = previous_published_run(run)
    previous_ranks = dict(previous.results.values_list("region_id", "rank")) if previous else {}
    dimensions = dimensions_of(run)
    aggregation = run.method_spec.get("aggregation", "arithmetic")
    results = sorted(
        run.results.select_related("region", "region__parent"),
        key=lambda r: (r.rank is None, r.rank or 0, r.region_id),
    )
    rows = [
        RankingRow(
            result=r,
            scores=[r.dimension_scores.get(d.code) for d in dimensions],
            contributions=dimension_contributions(r, dimensions, aggregation),
            previous_rank=previous_ranks.get(r.region_id),
        )
        for r in results
    ]
    periods = published_periods(framework_code=run.framework.code, scope=run.scope)
    return Ranking(
        run.framework.level,
        run.scope,
        run,
        periods,
        previous.period if previous else None,
        dimensions,
        rows,
        method_changes(run, previous),
    )


def town_run_for(run: EvaluationRun) -> EvaluationRun | None:
    """The published town-level run of the same period and scope as a county-level run."""
    code = published_framework_code(level="town", scope=run.scope)
    return published_run(framework_code=code, period=run.period, scope=run.scope) if code else None


def county_run_for(run: EvaluationRun) -> EvaluationRun | None:
    """The county-level run a bulletin belongs to: the run itself, or for a town run the published county run
    of its period (a bulletin reports the counties and, beneath them, the towns)."""
    if run.framework.level == "county":
        return run
    code = published_framework_code(level="county", scope=run.scope)
    return published_run(framework_code=code, period=run.period, scope=run.scope) if code else None


# --- the bulletin's content ------------------------------------------------------------------------------------


@dataclass
class CountyParagraph:
    region: Region
    row: RankingRow
    strengths: list[str]
    weaknesses: list[str]
    index_change: float | None
    town_count: int
    town_leader: str | None


@dataclass
class BulletinContent:
    run: EvaluationRun
    ranking: Ranking
    town_ranking: Ranking | None
    previous: EvaluationRun | None
    previous_index: dict[str, float | None]
    summary: list[str]
    counties: list[CountyParagraph]
    reporting_rate: dict | None
    demo: bool
    town_means: dict[str, float | None] = field(default_factory=dict)

    @property
    def city(self) -> Region:
        return self.run.scope

    @property
    def ranked_rows(self) -> list[RankingRow]:
        return [r for r in self.ranking.rows if r.ranked]


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _signed(value: float) -> str:
    return f"+{value:.2f}" if value >= 0 else f"{value:.2f}"


def rank_change_text(row: RankingRow) -> str:
    change = row.rank_change
    if change is None:
        return "—"
    if change == 0:
        return "持平"
    return f"上升{change}位" if change > 0 else f"下降{-change}位"


def _indicator_names(run: EvaluationRun) -> dict[str, Indicator]:
    return {
        leaf.indicator.code: leaf.indicator
        for _, leaves in framework_dimensions(run.framework)
        for leaf in leaves
    }


def _strengths(run: EvaluationRun, results: list[RegionResult]) -> dict[str, tuple[list[str], list[str]]]:
    """{region: (strength names, weakness names)}: the indicators furthest above / below the median."""
    names = _indicator_names(run)
    normalised = pd.DataFrame.from_dict(
        {r.region_id: r.normalised for r in results}, orient="index", dtype="float64"
    )
    out = {}
    for r in results:
        if r.rank is None or normalised.empty:
            out[r.region_id] = ([], [])
            continue
        strong, weak = strengths_weaknesses(normalised, r.region_id, STRENGTH_COUNT)
        out[r.region_id] = (
            [names[c].name for c, gap in strong if c in names and gap > 0],
            [names[c].name for c, gap in weak if c in names and gap < 0],
        )
    return out


def reporting_rate(run: EvaluationRun) -> dict | None:
    """The collection round's completion and on-time rates for the run's framework and period; None without a round."""
    return round_reporting_rate(run.framework, run.period)


def _movers(content_rows: list[RankingRow], previous_index: dict[str, float | None]) -> list[str]:
    risers = sorted((r for r in content_rows if (r.rank_change or 0) > 0), key=lambda r: -r.rank_change)
    fallers = sorted((r for r in content_rows if (r.rank_change or 0) < 0), key=lambda r: r.rank_change)

    def describe(row: RankingRow, verb: str) -> str:
        before = previous_index.get(row.region.code)
        delta = (
            f"，综合指数{_signed(row.result.index - before)}"
            if before is not None and row.result.index is not None
            else ""
        )
        return f"{row.region.name}{verb}{abs(row.rank_change)}位（第{row.previous_rank}→第{row.result.rank}位{delta}）"

    parts = []
    if risers:
        parts.append("排名上升的有" + "、".join(describe(r, "上升") for r in risers))
    if fallers:
        parts.append("排名下降的有" + "、".join(describe(r, "下降") for r in fallers))
    steady = [r for r in content_rows if r.rank_change == 0]
    if steady:
        parts.append(f"{len(steady)}个县（区）排名持平")
    return parts


def bulletin_summary(content: BulletinContent) -> list[str]:
    """The opening paragraphs, written from the numbers: leaders, movers, dimension leaders, reporting rate."""
    rows = content.ranked_rows
    ranking = content.ranking
    sentences = []
    if rows:
        first = rows[0]
        others = "、".join(r.region.name for r in rows[1:3])
        sentences.append(
            f"{content.run.period}年度全市{len(ranking.rows)}个县（区）参加评价，{len(rows)}个纳入排名。"
            f"{first.region.name}以综合指数{_fmt(first.result.index)}位居第一"
            + (f"，{others}分列第二、三位" if len(rows) >= 3 else "")
            + "。"
        )
    if content.previous is not None:
        movers = _movers(rows, content.previous_index)
        sentences.append(
            f"与{content.previous.period}年度相比，"
            + ("；".join(movers) if movers else "各县（区）排名均无变化")
            + "。"
            + (f"需要说明的是，{ranking.method_change_note}" if ranking.method_changed else "")
        )
    else:
        sentences.append("本期为该评价指标体系首次发布结果，暂无上期排名可比。")
    leaders = []
    for i, d in enumerate(ranking.dimensions):
        scored = [(r.scores[i], r) for r in rows if r.scores[i] is not None]
        if scored:
            score, row = max(scored, key=lambda x: x[0])
            leaders.append(f"{d.name}维度{row.region.name}领先（{_fmt(score)}）")
    if leaders:
        sentences.append("分维度看，" + "，".join(leaders) + "。")
    if content.reporting_rate is not None:
        rate = content.reporting_rate
        sentences.append(
            f"本期数据填报完成率{float(rate['complete_pct']):.1f}%，"
            f"按时报送率{float(rate.get('on_time_pct') or 0):.1f}%。"
        )
    if content.town_ranking is not None:
        towns = [r for r in content.town_ranking.rows if r.ranked]
        if towns:
            best = towns[0]
            county_name = best.region.parent.name if best.region.parent else ""
            sentences.append(
                f"全市{len(content.town_ranking.rows)}个乡（镇、街道）中，{county_name}{best.region.name}"
                f"综合指数{_fmt(best.result.index)}位居第一。"
            )
    return sentences


def _county_paragraphs(
    ranking: Ranking, town_ranking: Ranking | None, previous_index: dict[str, float | None]
) -> list[CountyParagraph]:
    results = [r.result for r in ranking.rows]
    gaps = _strengths(ranking.run, results)
    towns_by_county: dict[str, list[RankingRow]] = {}
    if town_ranking is not None:
        for t in town_ranking.rows:
            towns_by_county.setdefault(t.region.code[:6], []).append(t)
    paragraphs = []
    for row in ranking.rows:
        code = row.region.code
        before = previous_index.get(code)
        towns = towns_by_county.get(code, [])
        ranked_towns = [t for t in towns if t.ranked]
        paragraphs.append(
            CountyParagraph(
                region=row.region,
                row=row,
                strengths=gaps.get(code, ([], []))[0],
                weaknesses=gaps.get(code, ([], []))[1],
                index_change=row.result.index - before
                if before is not None and row.result.index is not None
                else None,
                town_count=len(towns),
                town_leader=ranked_towns[0].region.name if ranked_towns else None,
            )
        )
    return paragraphs


def county_paragraph_text(p: CountyParagraph, ranking: Ranking) -> str:
    row = p.row
    if not row.ranked:
        return f"{p.region.name}本期数据完整率{row.availability_pct:.1f}%，未达到排名要求，暂不排名。"
    text = f"{p.region.name}综合指数{_fmt(row.result.index)}，全市排名第{row.result.rank}位"
    if ranking.previous_period is not None and row.rank_change is not None:
        change = rank_change_text(row)
        delta = f"，综合指数{_signed(p.index_change)}" if p.index_change is not None else ""
        text += f"，较{ranking.previous_period}年度{change}{delta}"
        if ranking.method_changed:
            text += "（评价方法有变化，不宜直接比较）"
    text += "。"
    if p.strengths:
        text += "优势指标：" + "、".join(p.strengths) + "。"
    if p.weaknesses:
        text += "短板指标：" + "、".join(p.weaknesses) + "，建议重点补齐。"
    if p.town_count:
        text += f"下辖{p.town_count}个乡（镇、街道）参评"
        text += f"，其中{p.town_leader}综合指数最高。" if p.town_leader else "。"
    return text


def bulletin_content(run: EvaluationRun) -> BulletinContent:
    """Everything a bulletin of a county-level run says, with the towns of the same period when published."""
    ranking = run_ranking(run)
    town_run = town_run_for(run)
    town_ranking = run_ranking(town_run) if town_run is not None else None
    previous = previous_published_run(run)
    previous_index = dict(previous.results.values_list("region_id", "index")) if previous else {}
    town_means: dict[str, float | None] = {}
    if town_ranking is not None:
        by_county: dict[str, list[float]] = {}
        for t in town_ranking.rows:
            if t.result.index is not None:
                by_county.setdefault(t.region.code[:6], []).append(t.result.index)
        town_means = {c: mean(v) for c, v in by_county.items()}
    content = BulletinContent(
        run=run,
        ranking=ranking,
        town_ranking=town_ranking,
        previous=previous,
        previous_index=previous_index,
        summary=[],
        counties=_county_paragraphs(ranking, town_ranking, previous_index),
        reporting_rate=reporting_rate(run),
        demo=run.includes_demo_data or demo_loaded() or bool(town_run and town_run.includes_demo_data),
        town_means=town_means,
    )
    content.summary = bulletin_summary(content)
    return content


_NORMALISATION_FORMULAS = {
    "zscore": "：(x − 均值) ÷ 标准差",
    "rank": "：按数值由小到大排名后取名次",
    "prank": "：取各单位在全部参评单位中的百分位",
    "fracmax": "：x ÷ 最大值",
    "dist2max": "：1 − (最大值 − x) ÷ (最大值 − 最小值)",
    "target": "：x ÷ 监测标准值，封顶为满分",
    "goalposts": "：按设定的目标区间线性映射",
}
_WEIGHTING_SENTENCES = {
    "given": "采用指标体系（第{version}版）规定的权重：维度在综合指数中的权重与指标在维度中的权重见附件1。",
    "equal": "各维度、各指标等权。",
    "entropy": "各维度内指标的权重由熵权法按本期标准化数据计算（数据差异越大的指标权重越高），"
    "维度在综合指数中的权重沿用指标体系规定；实际权重见附件1。",
    "critic": "各维度内指标的权重由 CRITIC 法按本期数据的离散程度与相关性计算，维度权重沿用指标体系规定；"
    "实际权重见附件1。",
    "pca": "各维度内指标的权重取本期数据第一主成分载荷的平方，维度权重沿用指标体系规定；实际权重见附件1。",
}


def method_lines(run: EvaluationRun) -> list[tuple[str, str]]:
    """(step, Chinese description) of the run's method, for the method annex, written from the run's stored
    spec (``indicators.methods``), never from the framework's current settings."""
    spec = run.method_spec
    norm = spec.get("normalisation") or "minmax"
    norm_text = normalisation_text(spec)
    if norm == "minmax":
        low, high = spec.get("minmax_range") or (0, 100)
        norm_text += f"：(x − 最小值) ÷ (最大值 − 最小值)，映射到 {float(low):g}–{float(high):g}"
    else:
        norm_text += _NORMALISATION_FORMULAS.get(norm, "")
    threshold = float(spec.get("availability_threshold") or 0)
    impute = spec.get("impute") or "none"
    treat = spec.get("treat") or "none"
    weighting = spec.get("weighting") or "given"
    weighting_text_ = _WEIGHTING_SENTENCES.get(weighting, method_label("weighting", weighting) + "。").format(
        version=run.framework_version
    )
    if spec.get("weights"):
        weighting_text_ += f"其中{len(spec['weights'])}个节点采用专家给定权重。"
    if spec.get("ahp"):
        weighting_text_ += "部分节点的权重由层次分析法判断矩阵确定（一致性比率 CR < 0.1）。"
    agg = spec.get("aggregation") or "arithmetic"
    lines = [
        (
            "数据完整率筛选",
            f"参评单位具备数据的指标少于{threshold * 100:.0f}%时不参加排名，列为「数据不足」。"
            if threshold
            else "全部参评单位参加排名；缺失指标不计入该单位的加权。",
        ),
        (
            "缺失值插补",
            "不插补：单位缺少某项数值时，该指标不计入其加权。"
            if impute == "none"
            else f"缺失数值采用{method_label('impute', impute)}补齐后参加计算。",
        ),
    ]
    if treat != "none":
        lines.append(("异常值处理", f"偏态明显的指标采用「{method_label('treat', treat)}」处理后再标准化。"))
    lines += [
        ("指标方向", "逆向指标（如万元GDP综合能耗）先乘以 −1，使数值越大表示越好。"),
        ("标准化", norm_text + "。取值全部相同的指标不含信息，不参与计算，其权重由同级指标分担。"),
        ("赋权", weighting_text_),
        (
            "加权汇总",
            f"自指标至维度、自维度至综合指数逐级采用{method_label('aggregation', agg)}；"
            "单位缺少某项数值时，其余数值的权重按比例放大至合计为1。",
        ),
        ("排名", "综合指数最高者为第1名；指数相同者并列，取较好名次。"),
        (
            "优势与短板",
            "各单位标准化值高于（低于）全部参评单位中位数最多的指标，列为优势（短板）指标。",
        ),
        (
            "可复现",
            f"本次评价记录了指标体系版本（第{run.framework_version}版）、方法参数、引擎版本（{run.engine_version}）"
            f"与输入数据快照，其 SHA-256 哈希为 {run.input_hash[:16]}…，可据此复算核对。",
        ),
    ]
    return lines


def indicator_rows(run: EvaluationRun) -> list[list[str]]:
    """The indicator definitions annex: dimension, indicator, unit, direction, weight, definition, source.

    The weight is the one the run used within the dimension (entropy, expert … weights when the run's spec
    says so), not necessarily the framework's.
    """
    used = run_node_weights(run)
    rows = []
    for node, leaves in framework_dimensions(run.framework):
        total = sum(float(leaf.weight) for leaf in leaves) or 1.0
        for leaf in leaves:
            i = leaf.indicator
            weight = used.get(i.code, 0.0) if used is not None else float(leaf.weight) / total
            rows.append(
                [
                    node.name,
                    i.name,
                    i.unit,
                    i.get_direction_display(),
                    f"{weight:.2f}",
                    i.definition or "—",
                    i.source or "—",
                ]
            )
    return rows


# --- bulletins kept -----------------------------------------------------------------------------------------------


def bulletins_of(run: EvaluationRun) -> QuerySet[Bulletin]:
    """The run's versions, newest first; a version whose worker died (lease run out) is marked failed first."""
    jobs_expire_stale(Bulletin.objects.filter(run=run))
    return Bulletin.objects.filter(run=run).defer("content").order_by("-version", "format")


def latest_bulletin(run: EvaluationRun, fmt: str) -> Bulletin | None:
    return (
        Bulletin.objects.filter(run=run, format=fmt, status=Bulletin.Status.DONE).order_by("-version").first()
    )


def bulletin_runs(actor) -> list[dict[str, Any]]:
    """The county-level runs whose bulletins ``actor`` may read, with their number of bulletin versions and the
    newest done ones, newest period first."""
    runs = bulletins.restrict(
        actor, "view", EvaluationRun.objects.select_related("framework", "scope", "created_by")
    )
    runs = runs.filter(framework__level="county").annotate(
        versions=Count("bulletins__version", distinct=True)
    )
    latest: dict[tuple[int, str], Bulletin] = {}
    newest: dict[int, list[Bulletin]] = {}  # each run's newest version, every format
    for b in Bulletin.objects.filter(run__in=runs).defer("content").order_by("version", "format"):
        if b.status == Bulletin.Status.DONE:
            latest[(b.run_id, b.format)] = b
        if newest.get(b.run_id) and newest[b.run_id][0].version != b.version:
            newest[b.run_id] = []
        newest.setdefault(b.run_id, []).append(b)
    return [
        {
            "run": run,
            "versions": run.versions,
            "docx": latest.get((run.pk, "docx")),
            "pdf": latest.get((run.pk, "pdf")),
            # The newest version's formats that failed: the list shows them, so a failure is never silent.
            "failed": [b for b in newest.get(run.pk, []) if b.status == Bulletin.Status.FAILED],
        }
        for run in runs.order_by("-period", "-created_at")
    ]


def year_end(period: int) -> date:
    return date(period, 12, 31)
