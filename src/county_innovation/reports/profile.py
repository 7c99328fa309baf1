"""The county profile (一县一档): one county's results over the years, its radar against the city, strengths and
weaknesses, towns ranked, designations, enterprises and platforms, and task progress; as a page and as Word.

The monitoring page's reads (``evaluation.rankings.region_page``) supply the current year; designations and task
progress come only through ``designation.selectors.county_designations`` / ``county_task_progress``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from county_innovation.designation.selectors import county_designations, county_task_progress
from county_innovation.enterprises.models import Enterprise, Qualification, QualificationKind
from county_innovation.evaluation.charts import dimension_chart
from county_innovation.evaluation.rankings import RegionPage, region_page
from county_innovation.evaluation.selectors import published_periods, published_run
from county_innovation.regions.models import Region
from county_innovation.reports import charts
from county_innovation.reports.docx_layout import OfficialDocument
from county_innovation.reports.selectors import _fmt, demo_loaded, year_end

# Indicators of the county framework that count innovation platforms and institutions (from the run's data).
PLATFORM_INDICATORS = ("innovation_institutions", "innovation_clusters")
NO_DATA = "暂无数据"


@dataclass
class HistoryLine:
    period: int
    index: float | None
    rank: int | None
    ranked_count: int
    scores: list[float | None]


@dataclass
class CountyProfile:
    county: Region
    page: RegionPage
    show_raw: bool
    history: list[HistoryLine]
    enterprises: int
    qualifications: list[tuple[str, int]]
    platforms: list[tuple[str, str, float | None]]  # (name, unit, value)
    designations: list[dict]
    tasks: list[dict]
    demo: bool
    notes: list[str] = field(default_factory=list)

    @property
    def period(self) -> int:
        return self.page.ranking.period

    @property
    def ranking(self):
        return self.page.ranking

    @property
    def dimension_names(self) -> list[str]:
        return [d.name for d in self.page.ranking.dimensions]


def _history(page: RegionPage) -> list[HistoryLine]:
    run = page.ranking.run
    lines = []
    for period in published_periods(framework_code=run.framework.code, scope=run.scope):
        if period > run.period:
            continue
        r = published_run(framework_code=run.framework.code, period=period, scope=run.scope)
        mine = r.results.filter(region=page.region).first()
        if mine is None:
            continue
        lines.append(
            HistoryLine(
                period=period,
                index=mine.index,
                rank=mine.rank,
                ranked_count=r.results.filter(rank__isnull=False).count(),
                scores=[mine.dimension_scores.get(d.code) for d in page.ranking.dimensions],
            )
        )
    return lines


def _qualifications(county: Region, period: int) -> tuple[int, list[tuple[str, int]]]:
    """Registered enterprises of the county's towns, and those holding each qualification at the year's end."""
    day = year_end(period)
    firms = Enterprise.objects.filter(town__code__startswith=county.prefix)
    counts = dict(
        Qualification.objects.filter(enterprise__in=firms, valid_from__lte=day, valid_to__gte=day)
        .values("kind")
        .annotate(n=Count("enterprise", distinct=True))
        .values_list("kind", "n")
    )
    return firms.count(), [(label, counts.get(kind, 0)) for kind, label in QualificationKind.choices]


def _platforms(page: RegionPage, show_raw: bool) -> list[tuple[str, str, float | None]]:
    indicators = {i.code: i for d in page.ranking.dimensions for i in d.indicators}
    snapshot = page.ranking.run.input_data.get(page.region.code) or {}
    return [
        (indicators[c].name, indicators[c].unit, snapshot.get(c) if show_raw else None)
        for c in PLATFORM_INDICATORS
        if c in indicators
    ]


def county_profile(*, county: Region, period: int | None, show_raw: bool) -> CountyProfile | None:
    """The profile of ``county`` for ``period`` (default: the latest published); None when nothing published."""
    page = region_page(region=county, period=period, show_raw=show_raw)
    if page is None:
        return None
    enterprises, qualifications = _qualifications(county, page.ranking.period)
    return CountyProfile(
        county=county,
        page=page,
        show_raw=show_raw,
        history=_history(page),
        enterprises=enterprises,
        qualifications=qualifications,
        platforms=_platforms(page, show_raw),
        designations=county_designations(county),
        tasks=county_task_progress(county),
        demo=page.ranking.run.includes_demo_data or demo_loaded(),
    )


def radar_payload(profile: CountyProfile) -> dict:
    """The page's radar (drawn by web/charts.js), the same data as the document's picture."""
    return dimension_chart(profile.page)


# --- the Word document ---------------------------------------------------------------------------------------


def _rank_text(rank: int | None, count: int) -> str:
    return f"{rank}/{count}" if rank else "数据不足"


def profile_document(profile: CountyProfile) -> OfficialDocument:
    county, page, period = profile.county, profile.page, profile.period
    result = page.result
    doc = OfficialDocument(demo=profile.demo)
    doc.title(f"{county.name}创新驱动发展档案", f"（{period}年度）")

    doc.heading(1, "基本情况")
    change = page.row.rank_change
    moved = (
        ""
        if change is None
        else "，较上期排名持平"
        if change == 0
        else f"，较上期{'上升' if change > 0 else '下降'}{abs(change)}位"
    )
    doc.paragraph(
        f"{period}年度，{county.name}创新驱动发展综合指数{_fmt(result.index)}，"
        + (
            f"在全市{page.ranking.ranked_count}个县（区）中排名第{result.rank}位{moved}。"
            if result.rank
            else "数据完整率未达到排名要求，暂不排名。"
        )
        + f"数据完整率{page.row.availability_pct:.1f}%。"
    )

    doc.heading(1, "历年得分与排名")
    doc.table(
        ["年度", "综合指数", "全市排名", *profile.dimension_names],
        [
            [str(h.period), _fmt(h.index), _rank_text(h.rank, h.ranked_count), *[_fmt(s) for s in h.scores]]
            for h in profile.history
        ],
    )
    if len(profile.history) > 1:
        series = {county.name: [h.index for h in profile.history]}
        doc.picture(
            charts.trend_chart(
                title=f"{county.name}综合指数历年变化",
                periods=[h.period for h in profile.history],
                series=series,
                highlight=county.name,
            ),
            width_mm=140,
        )

    doc.heading(1, "与全市比较")
    doc.picture(
        charts.radar_chart(
            title=f"{period}年度各维度得分与全市平均",
            axes=[d.name for d in page.dimensions],
            series={
                county.name: [d.score for d in page.dimensions],
                "全市平均": [d.average for d in page.dimensions],
            },
            maximum=page.radar_max,
        ),
        width_mm=105,
    )
    doc.table(
        ["维度", "得分", "全市平均", "差值", "维度排名"],
        [
            [d.name, _fmt(d.score), _fmt(d.average), _fmt(d.difference), str(d.rank or "—")]
            for d in page.dimensions
        ],
    )

    doc.heading(1, "优势与短板")
    for label, gaps in (
        ("优势指标（高于全市中位数最多）", page.strengths),
        ("短板指标（低于全市中位数最多）", page.weaknesses),
    ):
        doc.heading(2, label)
        if not gaps:
            doc.paragraph("无。")
            continue
        doc.table(
            ["指标", "标准化值", "全市中位数", "差距"],
            [[g.name, _fmt(g.normalised), _fmt(g.median), _fmt(g.gap)] for g in gaps],
        )

    doc.heading(1, "乡（镇、街道）排名")
    if page.towns:
        doc.table(
            ["县内排名", "乡（镇、街道）", "综合指数", "全市排名"],
            [
                [str(t.rank_in_county or "—"), t.region.name, _fmt(t.index), str(t.rank_in_city or "—")]
                for t in page.towns
            ],
        )
    else:
        doc.paragraph(f"{period}年度乡（镇、街道）评价结果尚未发布。")

    doc.heading(1, "创新主体与平台")
    doc.paragraph(
        f"截至{period}年末，本县（区）在平台登记的科技企业{profile.enterprises}家，其中持有有效资质的："
    )
    doc.table(["资质", "企业数（家）"], [[label, str(n)] for label, n in profile.qualifications])
    if profile.platforms:
        doc.table(
            ["创新平台与机构（评价数据）", "数值"],
            [
                [f"{name}（{unit}）", _fmt(value, 0) if value is not None else "仅县（区）及以上可见"]
                for name, unit, value in profile.platforms
            ],
        )

    doc.heading(1, "创新型县（市、区）与乡镇建设")
    if profile.designations:
        doc.table(
            ["单位", "级别", "年度", "状态"],
            [[d["name"], d["level_label"], str(d["year"]), d["status_label"]] for d in profile.designations],
        )
    else:
        doc.paragraph(NO_DATA + "。")

    doc.heading(1, "重点任务进展")
    if profile.tasks:
        doc.table(
            ["任务", "完成时限", "进度", "是否逾期"],
            [
                [t["task"], str(t["deadline"] or "—"), f"{t['percent']}%", "逾期" if t["overdue"] else "—"]
                for t in profile.tasks
            ],
        )
    else:
        doc.paragraph(NO_DATA + "。")
    return doc


def profile_docx(profile: CountyProfile) -> bytes:
    return profile_document(profile).save()


def profile_filename(profile: CountyProfile) -> str:
    return f"{profile.county.name}创新驱动发展档案_{profile.period}年度.docx"
