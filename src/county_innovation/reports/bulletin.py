"""The bulletin (定期通报) of a county-level evaluation run as a Word document, GB/T 9704 layout.

Sections: 一、总体情况 (the summary written from the data), 二、县（区）综合排名 (table and chart), 三、分维度情况
(one table per dimension), 四、乡（镇、街道）情况, 五、各县（区）情况 (a paragraph each), then the annexes:
indicator definitions, the method, and the full town ranking.
"""

from __future__ import annotations

from django.utils import timezone

from county_innovation.evaluation.models import EvaluationRun
from county_innovation.evaluation.selectors import index_trend
from county_innovation.indicators.methods import method_label
from county_innovation.reports import charts
from county_innovation.reports.docx_layout import OfficialDocument
from county_innovation.reports.selectors import (
    BulletinContent,
    _fmt,
    bulletin_content,
    county_paragraph_text,
    indicator_rows,
    method_lines,
    rank_change_text,
)

ISSUER = "市科学技术局"
TOWN_TOP = 10


def bulletin_title(content: BulletinContent) -> str:
    return f"{content.city.name}县域创新驱动发展监测通报"


def _ranking_table(doc: OfficialDocument, content: BulletinContent) -> None:
    ranking = content.ranking
    header = ["排名", "县（区）", "综合指数", *[d.name for d in ranking.dimensions]]
    if ranking.previous_period is not None:
        header.append(f"较{ranking.previous_period}年" + ("（方法有变化）" if ranking.method_changed else ""))
    rows = []
    for r in ranking.rows:
        line = [str(r.result.rank) if r.ranked else "—", r.region.name, _fmt(r.result.index)]
        line += [_fmt(s) for s in r.scores]
        if ranking.previous_period is not None:
            line.append(rank_change_text(r))
        rows.append(line)
    doc.caption(f"表1　{content.run.period}年度县（区）创新驱动发展综合指数排名")
    doc.table(header, rows)
    if ranking.method_changed:
        doc.paragraph(f"注：{ranking.method_change_note}")


def _charts(doc: OfficialDocument, content: BulletinContent) -> None:
    ranking = content.ranking
    ranked = content.ranked_rows
    if ranked:
        doc.picture(
            charts.stacked_index_chart(
                title=f"图1　{content.run.period}年度县（区）综合指数及维度贡献",
                units=[r.region.name for r in ranked],
                parts=[[r.contributions[j] for r in ranked] for j in range(len(ranking.dimensions))],
                part_names=[d.name for d in ranking.dimensions],
            )
        )
    trend = index_trend(framework_code=content.run.framework.code, scope=content.run.scope)
    periods = [p for p in ranking.periods if p <= content.run.period]
    if len(periods) > 1:
        series = {r.region.name: [trend.get(r.region.code, {}).get(p) for p in periods] for r in ranking.rows}
        doc.picture(charts.trend_chart(title="图2　县（区）综合指数历年变化", periods=periods, series=series))


def _dimension_tables(doc: OfficialDocument, content: BulletinContent) -> None:
    ranking = content.ranking
    weighting = content.run.method_spec.get("weighting") or "given"
    # The weights printed are the ones the run used (evaluation.rankings.dimensions_of); a data-driven weighting of
    # the indicators within each dimension is said beside them.
    within = "" if weighting == "given" else f"，维度内指标按{method_label('weighting', weighting)}赋权"
    for j, d in enumerate(ranking.dimensions):
        doc.heading(2, f"{d.name}（权重{d.weight:.2f}{within}）")
        scored = sorted(
            (r for r in content.ranked_rows if r.scores[j] is not None),
            key=lambda r: (r.result.dimension_ranks.get(d.code) or 999, r.region.code),
        )
        if scored:
            leader = scored[0]
            doc.paragraph(
                f"{d.name}维度包括{'、'.join(i.name for i in d.indicators)}等{len(d.indicators)}项指标。"
                f"{leader.region.name}得分{_fmt(leader.scores[j])}，位列第一；"
                f"{scored[-1].region.name}得分{_fmt(scored[-1].scores[j])}，位列末位。"
            )
        doc.caption(f"表{j + 2}　{d.name}维度得分")
        doc.table(
            ["维度排名", "县（区）", "得分", "综合排名"],
            [
                [
                    str(r.result.dimension_ranks.get(d.code) or "—"),
                    r.region.name,
                    _fmt(r.scores[j]),
                    str(r.result.rank or "—"),
                ]
                for r in scored
            ],
        )


def _towns(doc: OfficialDocument, content: BulletinContent, table_no: int) -> None:
    towns = content.town_ranking
    if towns is None:
        doc.paragraph(f"{content.run.period}年度乡（镇、街道）评价结果尚未发布。")
        return
    ranked = [t for t in towns.rows if t.ranked]
    doc.paragraph(
        f"全市{len(towns.rows)}个乡（镇、街道）参加评价，{len(ranked)}个纳入排名"
        f"（评价指标体系：{towns.run.framework.name}）。各县（区）乡镇平均综合指数见表{table_no}，"
        f"综合指数前{TOWN_TOP}名见表{table_no + 1}，全部排名见附件3。"
    )
    means = sorted(((v, code) for code, v in content.town_means.items() if v is not None), reverse=True)
    names = {r.region.code: r.region.name for r in content.ranking.rows}
    doc.caption(f"表{table_no}　各县（区）乡（镇、街道）平均综合指数")
    doc.table(
        ["位次", "县（区）", "乡镇平均综合指数"],
        [[str(i + 1), names.get(code, code), _fmt(v)] for i, (v, code) in enumerate(means)],
    )
    doc.caption(f"表{table_no + 1}　乡（镇、街道）综合指数前{TOWN_TOP}名")
    doc.table(
        ["排名", "乡（镇、街道）", "所属县（区）", "综合指数"],
        [
            [str(t.result.rank), t.region.name, names.get(t.region.code[:6], ""), _fmt(t.result.index)]
            for t in ranked[:TOWN_TOP]
        ],
    )


def _annexes(doc: OfficialDocument, content: BulletinContent) -> None:
    run = content.run
    doc.annex(1, "评价指标及解释")
    doc.paragraph(f"评价指标体系：{run.framework.name}（第{run.framework_version}版）。")
    doc.table(["维度", "指标", "单位", "方向", "权重", "指标解释", "数据来源"], indicator_rows(run))
    doc.annex(2, "评价方法")
    for step, text in method_lines(run):
        doc.heading(1, step)
        doc.paragraph(text)
    doc.annex(3, f"{run.period}年度乡（镇、街道）综合指数排名")
    towns = content.town_ranking
    if towns is None:
        doc.paragraph("本期乡（镇、街道）评价结果尚未发布。")
        return
    names = {r.region.code: r.region.name for r in content.ranking.rows}
    doc.table(
        ["排名", "乡（镇、街道）", "所属县（区）", "综合指数", "数据完整率"],
        [
            [
                str(t.result.rank) if t.ranked else "—",
                t.region.name,
                names.get(t.region.code[:6], ""),
                _fmt(t.result.index),
                f"{t.availability_pct:.0f}%",
            ]
            for t in towns.rows
        ],
    )


def bulletin_document(content: BulletinContent, *, version: int = 1) -> OfficialDocument:
    run = content.run
    draft = "" if run.is_published else "未发布，仅供审核"
    doc = OfficialDocument(demo=content.demo, footer_note=draft)
    doc.title(bulletin_title(content), f"（{run.period}年度 · 第{version}版）")
    doc.paragraph(
        f"为贯彻落实创新驱动发展战略，根据《{run.framework.name}》（第{run.framework_version}版），"
        f"{ISSUER}对全市县（区）和乡（镇、街道）{run.period}年度创新驱动发展情况进行了监测评价。"
        "现将有关情况通报如下。"
    )
    if content.demo:
        doc.paragraph("【说明】本通报由演示数据生成，演示数据为随机生成，非真实统计，不得引用或发布。")

    doc.heading(1, "总体情况")
    for sentence in content.summary:
        doc.paragraph(sentence)

    doc.heading(1, "县（区）综合排名")
    _ranking_table(doc, content)
    _charts(doc, content)

    doc.heading(1, "分维度情况")
    _dimension_tables(doc, content)

    doc.heading(1, "乡（镇、街道）情况")
    _towns(doc, content, table_no=len(content.ranking.dimensions) + 2)

    doc.heading(1, "各县（区）情况")
    for p in content.counties:
        doc.heading(2, p.region.name)
        doc.paragraph(county_paragraph_text(p, content.ranking))

    doc.heading(1, "有关要求")
    doc.paragraph("各县（区）要对照通报结果，聚焦短板指标，制定改进措施，并按时、准确报送下一期监测数据。")
    doc.paragraph("附件：1. 评价指标及解释", indent=True)
    doc.paragraph("　　　2. 评价方法", indent=True)
    doc.paragraph(f"　　　3. {run.period}年度乡（镇、街道）综合指数排名", indent=True)
    doc.paragraph("")
    doc.paragraph(ISSUER, align_right=True, indent=False)
    today = timezone.localdate()
    doc.paragraph(f"{today.year}年{today.month}月{today.day}日", align_right=True, indent=False)
    _annexes(doc, content)
    return doc


def bulletin_docx(run: EvaluationRun, *, version: int = 1) -> bytes:
    """The bulletin of ``run`` (a county-level run) as .docx bytes."""
    return bulletin_document(bulletin_content(run), version=version).save()
