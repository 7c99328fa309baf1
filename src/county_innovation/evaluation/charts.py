"""ECharts payloads of the monitoring pages: the dashboard's ranking, trend and map charts, a region's radar.

Built from the page-shaped reads of ``evaluation.rankings``; the templates hand them to ``static/js/charts.js``.
"""

from __future__ import annotations

import math
from statistics import mean
from typing import TYPE_CHECKING

from django.urls import reverse

from county_innovation.evaluation.selectors import index_trend, published_periods
from county_innovation.regions.models import Region

if TYPE_CHECKING:
    from county_innovation.evaluation.rankings import Ranking, RankingRow, RegionPage

TOWN_CHART_LIMIT = 20


def region_url(region: Region) -> str:
    return reverse("web:region", args=[region.code])


TOWN_TREND_LIMIT = 10


# Tile cartogram of Nanchang's county-level units, (column, row) with row 0 at the top, placed roughly as
# they lie: 安义县 north-west, 新建区 west, the central districts on both banks of the 赣江, 南昌县 south and
# 进贤县 south-east. Any other city falls back to a grid in code order.
NANCHANG_TILES = {
    "360123": (0, 0),  # 安义县
    "360112": (0, 1),  # 新建区
    "360113": (1, 1),  # 红谷滩区
    "360102": (2, 1),  # 东湖区
    "360111": (3, 1),  # 青山湖区
    "360103": (2, 2),  # 西湖区
    "360104": (3, 2),  # 青云谱区
    "360121": (2, 3),  # 南昌县
    "360124": (3, 3),  # 进贤县
}


def stacked_chart(ranking_: Ranking, rows: list[RankingRow], title: str) -> dict:
    """Horizontal bars of the index, one stacked segment per dimension contribution, best on top."""
    ranked = [r for r in rows if r.ranked]
    return {
        "title": title,
        "subtitle": "各段为维度贡献（维度有效权重 × 维度得分），合计即综合指数",
        "categories": [r.region.name for r in ranked],
        "index": [r.result.index for r in ranked],
        "series": [
            {"name": d.name, "data": [r.contributions[i] for r in ranked]}
            for i, d in enumerate(ranking_.dimensions)
        ],
        "x_name": "综合指数",
        "y_name": ranking_.unit_label,
    }


def trend_chart(
    *,
    framework_code: str,
    scope: Region,
    regions: list[Region],
    title: str,
    average_of: list[Region] | None = None,
    average_name: str = "",
) -> dict:
    """The index of ``regions`` over every published period, optionally with the mean over ``average_of``."""
    trend = index_trend(framework_code=framework_code, scope=scope)
    periods = published_periods(framework_code=framework_code, scope=scope)
    series = [
        {"name": region.name, "data": [trend.get(region.code, {}).get(p) for p in periods]}
        for region in regions
    ]
    if average_of is not None:
        codes = [r.code for r in average_of if r.code in trend]
        averages = []
        for p in periods:
            values = [trend[c][p] for c in codes if trend[c].get(p) is not None]
            averages.append(mean(values) if values else None)
        series.append({"name": average_name, "data": averages, "dashed": True})
    return {
        "title": title,
        "periods": [str(p) for p in periods],
        "series": series,
        "x_name": "年度",
        "y_name": "综合指数",
    }


def _tile_positions(codes: list[str]) -> dict[str, tuple[int, int]]:
    if codes and set(codes) <= NANCHANG_TILES.keys():
        return {c: NANCHANG_TILES[c] for c in codes}
    cols = max(1, math.ceil(math.sqrt(len(codes))))
    return {c: (i % cols, i // cols) for i, c in enumerate(sorted(codes))}


def county_map(
    *,
    counties: list[Region],
    values: dict[str, float | None],
    ranks: dict[str, int | None],
    title: str,
    value_name: str,
    geo_url: str | None,
) -> dict:
    """A choropleth (when a boundary file is configured) or a tile cartogram of the counties by ``values``."""
    positions = _tile_positions([c.code for c in counties])
    items = [
        {
            "code": c.code,
            "name": c.name,
            "value": values.get(c.code),
            "rank": ranks.get(c.code),
            "x": positions[c.code][0],
            "y": positions[c.code][1],
            "url": region_url(c),
        }
        for c in counties
    ]
    present = [i["value"] for i in items if i["value"] is not None]
    return {
        "title": title,
        "mode": "geo" if geo_url else "tiles",
        "geo_url": geo_url,
        "value_name": value_name,
        "items": items,
        "cols": max((x for x, _ in positions.values()), default=0) + 1,
        "rows": max((y for _, y in positions.values()), default=0) + 1,
        "min": math.floor(min(present)) if present else 0,
        "max": math.ceil(max(present)) if present else 100,
    }


def town_average_by_county(rows: list[RankingRow]) -> dict[str, float | None]:
    """{county code: mean index of its ranked towns}."""
    by_county: dict[str, list[float]] = {}
    for r in rows:
        if r.result.index is not None:
            by_county.setdefault(r.region.code[:6], []).append(r.result.index)
    return {code: mean(values) for code, values in by_county.items()}


def dashboard_charts(
    ranking_: Ranking, rows: list[RankingRow], counties: list[Region], geo_url: str | None
) -> dict:
    """The dashboard's three charts for the (possibly county-filtered) ranking rows.

    County level: every county stacked, every county's trend, the map by index. Town level: the top 20
    stacked, the top 10 trends, the map by each county's mean town index.
    """
    year, unit = ranking_.period, ranking_.unit_label
    ranked = [r for r in rows if r.ranked]
    town = ranking_.level == "town"
    top = "（前20名）" if town and len(ranked) > TOWN_CHART_LIMIT else ""
    stacked = stacked_chart(
        ranking_, ranked[:TOWN_CHART_LIMIT] if town else ranked, f"{year}年{unit}综合指数{top}"
    )
    trend_regions = [r.region for r in (ranked[:TOWN_TREND_LIMIT] if town else ranked)]
    trend = trend_chart(
        framework_code=ranking_.run.framework.code,
        scope=ranking_.scope,
        regions=trend_regions,
        title=f"{unit}综合指数历年变化" + ("（前10名）" if town and len(ranked) > TOWN_TREND_LIMIT else ""),
        average_of=[r.region for r in ranking_.rows],
        average_name="全市平均",
    )
    if town:
        values = town_average_by_county(ranking_.rows)
        ordered = sorted(((v, c) for c, v in values.items() if v is not None), reverse=True)
        ranks = {c: i + 1 for i, (_, c) in enumerate(ordered)}
        map_title, value_name = f"{year}年各县（区）乡镇平均综合指数", "乡镇平均指数"
    else:
        values = {r.region.code: r.result.index for r in ranking_.rows}
        ranks = {r.region.code: r.result.rank for r in ranking_.rows}
        map_title, value_name = f"{year}年各县（区）综合指数分布", "综合指数"
    county_map_ = county_map(
        counties=counties, values=values, ranks=ranks, title=map_title, value_name=value_name, geo_url=geo_url
    )
    return {"stacked": stacked, "trend": trend, "map": county_map_}


def dimension_chart(page: RegionPage) -> dict:
    """A region's dimension scores against its peers' average (the city, or the county's towns)."""
    region = page.region
    average = "全市平均" if region.is_county else f"{region.parent.name}乡镇平均"
    return {
        "title": f"{page.ranking.period}年{region.name}各维度得分与{average}",
        "max": page.radar_max,
        "indicators": [d.name for d in page.dimensions],
        "series": [
            {"name": region.name, "data": [d.score for d in page.dimensions]},
            {"name": average, "data": [d.average for d in page.dimensions], "dashed": True},
        ],
        "x_name": "维度",
        "y_name": "维度得分",
    }
