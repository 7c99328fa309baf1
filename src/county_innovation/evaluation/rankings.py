"""Page-shaped reads for the monitoring pages: the city dashboard, the county page and the town page.

Everything here is read from published evaluation runs (``evaluation.selectors``). Raw data values are read
only when the caller passes ``show_raw=True``, a decision the view takes with ``accounts.permissions``.
"""

import math
from dataclasses import dataclass, field
from statistics import mean

from county_innovation.evaluation.charts import trend_chart
from county_innovation.evaluation.models import EvaluationRun, RegionResult
from county_innovation.evaluation.selectors import (
    published_periods,
    published_run,
    rank_gains,
    region_profile,
    run_node_weights,
)
from county_innovation.indicators.methods import method_differences, method_summary
from county_innovation.indicators.models import Indicator
from county_innovation.indicators.selectors import framework_dimensions
from county_innovation.regions.models import Region

LEVELS = ("county", "town")
LEVEL_UNIT = {"county": "县（区）", "town": "乡（镇、街道）"}


@dataclass
class Dimension:
    code: str
    name: str
    weight: float  # share among its sibling dimensions (weights normalised to sum to 1)
    indicators: list[Indicator]


@dataclass
class RankingRow:
    result: RegionResult
    scores: list[float | None]  # per dimension, in dimension order
    contributions: list[float | None]  # each dimension's part of the index, in dimension order
    previous_rank: int | None = None

    @property
    def region(self) -> Region:
        return self.result.region

    @property
    def ranked(self) -> bool:
        return self.result.rank is not None

    @property
    def availability_pct(self) -> float:
        return self.result.availability * 100

    @property
    def rank_change(self) -> int | None:
        """Places moved up (positive) or down (negative) since the previous published period."""
        if self.result.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.result.rank

    @property
    def rank_change_size(self) -> int | None:
        change = self.rank_change
        return None if change is None else abs(change)


@dataclass
class Ranking:
    """One published run of a level, ranked, with the previous period's ranks beside it."""

    level: str
    scope: Region
    run: EvaluationRun
    periods: list[int]
    previous_period: int | None
    dimensions: list[Dimension]
    rows: list[RankingRow]
    # How the previous period's official run differs in method (framework version, normalisation, weighting …):
    # non-empty means the rank changes partly reflect the method change and are flagged as such.
    method_changes: list[str] = field(default_factory=list)

    @property
    def method_changed(self) -> bool:
        return bool(self.method_changes)

    @property
    def method_change_note(self) -> str:
        """The flag printed beside rank changes when the method differs from the previous period's."""
        if not self.method_changes or self.previous_period is None:
            return ""
        return (
            f"本期评价方法与{self.previous_period}年度不同（{'；'.join(self.method_changes)}），"
            "排名变化部分反映方法调整，不宜直接比较。"
        )

    @property
    def period(self) -> int:
        return self.run.period

    @property
    def unit_label(self) -> str:
        return LEVEL_UNIT[self.level]

    @property
    def leader(self) -> RankingRow | None:
        return self.rows[0] if self.rows and self.rows[0].ranked else None

    @property
    def ranked_count(self) -> int:
        return sum(1 for r in self.rows if r.ranked)

    @property
    def availability_pct(self) -> float | None:
        """Mean data availability of the units, in percent."""
        values = [r.result.availability for r in self.rows]
        return mean(values) * 100 if values else None

    @property
    def method_label(self) -> str:
        """The run's method in Chinese, written from its stored spec (not the framework's current one)."""
        return method_summary(self.run.method_spec)


def method_changes(run: EvaluationRun, previous: EvaluationRun | None) -> list[str]:
    """How ``previous`` (the previous period's official run) differs in method from ``run``, in Chinese."""
    if previous is None:
        return []
    return method_differences(
        run.method_spec,
        previous.method_spec,
        version=run.framework_version,
        other_version=previous.framework_version,
    )


def published_framework_code(*, level: str, scope: Region) -> str | None:
    """The framework code of the newest published run that ranks ``level`` units inside ``scope``."""
    run = (
        EvaluationRun.objects.filter(
            scope=scope, framework__level=level, status=EvaluationRun.Status.PUBLISHED
        )
        .select_related("framework")
        .order_by("-period", "-published_at")
        .first()
    )
    return run.framework.code if run else None


def dimensions_of(run: EvaluationRun) -> list[Dimension]:
    """The dimensions of the framework version a run used, with their weights normalised among siblings."""
    dims = framework_dimensions(run.framework)
    used = run_node_weights(run)
    total = sum(float(node.weight) for node, _ in dims) or 1.0

    def weight(node) -> float:
        return used.get(node.code, 0.0) if used is not None else float(node.weight) / total

    return [
        Dimension(node.code, node.name, weight(node), [leaf.indicator for leaf in leaves])
        for node, leaves in dims
    ]


def dimension_contributions(
    result: RegionResult, dimensions: list[Dimension], aggregation: str
) -> list[float | None]:
    """Each dimension's part of a region's index: the sum of its indicators' stored contributions.

    With arithmetic aggregation the contributions are effective weight × normalised value, so the parts sum
    to the index. With geometric aggregation they are on the log scale (they sum to ln index); each part is
    then the dimension's share of ln index applied to the index, which keeps the stack summing to the index.
    """
    if result.index is None:
        return [None for _ in dimensions]
    if aggregation not in ("arithmetic", "geometric") or not result.contributions:
        # No additive decomposition (harmonic, generalised, TOPSIS): split the index in proportion to each
        # dimension's weight × score, which shows the profile while keeping the stack equal to the index.
        parts = [d.weight * (result.dimension_scores.get(d.code) or 0.0) for d in dimensions]
        total = sum(parts)
        return [result.index * p / total if total else result.index / len(dimensions) for p in parts]
    sums = [sum(result.contributions.get(i.code) or 0.0 for i in d.indicators) for d in dimensions]
    if aggregation != "geometric":
        return sums
    total = sum(sums)
    if total == 0:
        return [result.index / len(dimensions) for _ in dimensions]
    return [result.index * s / total for s in sums]


def _results(run: EvaluationRun) -> list[RegionResult]:
    results = list(run.results.select_related("region", "region__parent"))
    return sorted(results, key=lambda r: (r.rank is None, r.rank or 0, r.region_id))


def ranking(*, level: str, scope: Region, period: int | None = None) -> Ranking | None:
    """The published ranking of ``level`` units in ``scope`` for ``period`` (default and fallback: latest).

    Returns None when nothing of that level has been published for the scope.
    """
    code = published_framework_code(level=level, scope=scope)
    if code is None:
        return None
    periods = published_periods(framework_code=code, scope=scope)
    if period not in periods:
        period = periods[-1]
    run = published_run(framework_code=code, period=period, scope=scope)
    earlier = [p for p in periods if p < period]
    previous_period = earlier[-1] if earlier else None
    previous_ranks: dict[str, int | None] = {}
    previous = None
    if previous_period is not None:
        previous = published_run(framework_code=code, period=previous_period, scope=scope)
        previous_ranks = dict(previous.results.values_list("region_id", "rank"))
    dimensions = dimensions_of(run)
    aggregation = run.method_spec.get("aggregation", "arithmetic")
    rows = [
        RankingRow(
            result=r,
            scores=[r.dimension_scores.get(d.code) for d in dimensions],
            contributions=dimension_contributions(r, dimensions, aggregation),
            previous_rank=previous_ranks.get(r.region_id),
        )
        for r in _results(run)
    ]
    return Ranking(
        level, scope, run, periods, previous_period, dimensions, rows, method_changes(run, previous)
    )


# ---- chart payloads (passed to the page with json_script and drawn by web/charts.js) ----


# ---- county and town pages ----


@dataclass
class DimensionLine:
    name: str
    score: float | None
    average: float | None
    rank: int | None

    @property
    def difference(self) -> float | None:
        if self.score is None or self.average is None:
            return None
        return self.score - self.average


@dataclass
class IndicatorGap:
    name: str
    unit: str
    raw: float | None  # None when missing or not shown to this user
    normalised: float
    median: float
    gap: float


@dataclass
class IndicatorLine:
    name: str
    unit: str
    value: float | None
    previous: float | None
    normalised: float | None

    @property
    def change(self) -> float | None:
        """Percentage change on last year, when both values are known and last year's is not zero."""
        if self.value is None or self.previous in (None, 0):
            return None
        return (self.value - self.previous) / abs(self.previous) * 100


@dataclass
class TownLine:
    region: Region
    index: float | None
    rank_in_county: int | None
    rank_in_city: int | None


@dataclass
class RegionPage:
    """What a county or town page shows of one published period."""

    region: Region
    ranking: Ranking
    row: RankingRow
    dimensions: list[DimensionLine]
    strengths: list[IndicatorGap]
    weaknesses: list[IndicatorGap]
    trend: dict
    radar_max: float
    indicators: list[IndicatorLine] = field(default_factory=list)
    towns: list[TownLine] = field(default_factory=list)
    town_ranking: Ranking | None = None
    rank_in_county: int | None = None
    county_town_count: int = 0

    @property
    def result(self) -> RegionResult:
        return self.row.result


def _raw(run: EvaluationRun, region: Region, code: str) -> float | None:
    """A value as it entered the evaluation (the run's input snapshot), so it matches the normalised score."""
    return (run.input_data.get(region.code) or {}).get(code)


def _gaps(
    ranking_: Ranking, region: Region, pairs: list[tuple[str, float]], show_raw: bool
) -> list[IndicatorGap]:
    indicators = {i.code: i for d in ranking_.dimensions for i in d.indicators}
    row = next(r for r in ranking_.rows if r.region.code == region.code)
    out = []
    for code, gap in pairs:
        normalised = row.result.normalised[code]
        indicator = indicators[code]
        out.append(
            IndicatorGap(
                name=indicator.name,
                unit=indicator.unit,
                raw=_raw(ranking_.run, region, code) if show_raw else None,
                normalised=normalised,
                median=normalised - gap,
                gap=gap,
            )
        )
    return out


def _radar_max(run: EvaluationRun, values: list[float | None]) -> float:
    spec = run.method_spec
    if spec.get("normalisation", "minmax") == "minmax":
        return float(spec.get("minmax_range", [0, 100])[1])
    present = [v for v in values if v is not None]
    return float(math.ceil(max(present) * 1.1)) if present else 1.0


def region_page(*, region: Region, period: int | None, show_raw: bool) -> RegionPage | None:
    """The county or town page of ``region`` for ``period`` (default: the latest published).

    None when nothing of the region's level is published, or the region was not part of the run.
    """
    if region.level not in LEVELS:
        return None
    county = region if region.is_county else region.parent
    city = county.parent
    ranking_ = ranking(level=region.level, scope=city, period=period)
    if ranking_ is None:
        return None
    row = next((r for r in ranking_.rows if r.region.code == region.code), None)
    if row is None:
        return None
    profile = region_profile(ranking_.run, region)
    code = ranking_.run.framework.code

    if region.is_county:
        peers = [r.result for r in ranking_.rows]
        average_name = "全市平均"
    else:
        peers = [r.result for r in ranking_.rows if r.region.code.startswith(county.code)]
        average_name = f"{county.name}乡镇平均"
    dimensions = []
    for d in ranking_.dimensions:
        values = [p.dimension_scores.get(d.code) for p in peers if p.dimension_scores.get(d.code) is not None]
        dimensions.append(
            DimensionLine(
                name=d.name,
                score=row.result.dimension_scores.get(d.code),
                average=mean(values) if values else None,
                rank=row.result.dimension_ranks.get(d.code),
            )
        )

    trend = trend_chart(
        framework_code=code,
        scope=city,
        regions=[region],
        title=f"{region.name}综合指数历年变化",
        average_of=[p.region for p in peers],
        average_name=average_name,
    )

    page = RegionPage(
        region=region,
        ranking=ranking_,
        row=row,
        dimensions=dimensions,
        strengths=_gaps(ranking_, region, profile.strengths, show_raw),
        weaknesses=_gaps(ranking_, region, profile.weaknesses, show_raw),
        trend=trend,
        radar_max=_radar_max(ranking_.run, [x for d in dimensions for x in (d.score, d.average)]),
    )
    if region.is_county:
        page.town_ranking = ranking(level="town", scope=city, period=ranking_.period)
        if page.town_ranking is not None and page.town_ranking.period == ranking_.period:
            page.towns = _towns_ranked(page.town_ranking, region)
    else:
        in_county = _towns_ranked(ranking_, county)
        page.county_town_count = sum(1 for t in in_county if t.rank_in_county is not None)
        page.rank_in_county = next(t.rank_in_county for t in in_county if t.region.code == region.code)
        page.indicators = _indicator_lines(ranking_, row, show_raw)
    return page


def _towns_ranked(town_ranking: Ranking, county: Region) -> list[TownLine]:
    lines, position = [], 0
    for r in town_ranking.rows:  # already in city rank order, unranked last
        if not r.region.code.startswith(county.code):
            continue
        if r.ranked:
            position += 1
        lines.append(TownLine(r.region, r.result.index, position if r.ranked else None, r.result.rank))
    return lines


def _indicator_lines(ranking_: Ranking, row: RankingRow, show_raw: bool) -> list[IndicatorLine]:
    """A region's indicator values as evaluated this period and last period (from last period's run)."""
    previous = None
    if show_raw and ranking_.previous_period is not None:
        previous = published_run(
            framework_code=ranking_.run.framework.code, period=ranking_.previous_period, scope=ranking_.scope
        )
    region = row.region
    return [
        IndicatorLine(
            name=i.name,
            unit=i.unit,
            value=_raw(ranking_.run, region, i.code) if show_raw else None,
            previous=_raw(previous, region, i.code) if previous is not None else None,
            normalised=row.result.normalised.get(i.code),
        )
        for d in ranking_.dimensions
        for i in d.indicators
    ]


def rank_gain_lines(page: RegionPage) -> list[dict]:
    """The cheapest single-indicator improvements that gain the region one rank, as sentences for the page."""
    indicators = {i.code: i for d in page.ranking.dimensions for i in d.indicators}
    lines = []
    for gain in rank_gains(page.ranking.run, page.region.code):
        indicator = indicators[gain.indicator]
        required = gain.required_value
        if indicator.value_kind == "count":  # whole enterprises, patents…: round towards the improvement
            required = math.ceil(required - 1e-9) if gain.change > 0 else math.floor(required + 1e-9)
        verb = "降低到" if gain.change < 0 else "提高到"
        sentence = (
            f"其他指标不变，{indicator.name}从 {_number(gain.current_value)} {verb} {_number(required)}"
            f"（{indicator.unit}），{page.region.name}的总排名可从第 {gain.current_rank} 名升至第 {gain.target_rank} 名。"
        )
        percent = 100 * (required - gain.current_value) / gain.current_value if gain.current_value else None
        lines.append(
            {
                "gain": gain,
                "label": f"{indicator.name}（{indicator.unit}）",
                "required": required,
                "percent": percent,
                "sentence": sentence,
            }
        )
    return lines


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
