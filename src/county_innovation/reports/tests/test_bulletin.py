"""The bulletin as a Word file and a PDF: layout (GB/T 9704), fonts named, numbers, order and Chinese text."""

import io
import re

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from pypdf import PdfReader

from county_innovation.common.actors import system
from county_innovation.common.protection import deletion_permitted
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.reports.bulletin import bulletin_docx
from county_innovation.reports.docx_layout import DEMO_MARK, Numbering, chinese_number
from county_innovation.reports.models import Bulletin
from county_innovation.reports.selectors import bulletin_content
from county_innovation.reports.services import bulletin_create_now

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def run(demo):
    return EvaluationRun.objects.get(framework__code="county", period=2024, status="published")


@pytest.fixture
def document(run):
    return Document(io.BytesIO(bulletin_docx(run)))


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def _east_asian(run_or_style) -> str | None:
    r_pr = run_or_style.element.rPr if hasattr(run_or_style, "element") else None
    fonts = r_pr.find(f"{W}rFonts") if r_pr is not None else None
    return fonts.get(f"{W}eastAsia") if fonts is not None else None


def test_page_is_a4_with_the_gb9704_margins(document):
    section = document.sections[0]
    mm = [round(x.mm, 1) for x in (section.page_width, section.page_height)]
    assert mm == [210, 297]  # stored in twips: 11906 × 16838
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm, 1) for m in margins] == [37, 35, 28, 26]
    grid = section._sectPr.find(f"{W}docGrid")
    assert grid.get(f"{W}type") == "lines" and grid.get(f"{W}linePitch") == "579"


def test_fonts_are_named_with_their_installed_fallbacks(document):
    normal = document.styles["Normal"]
    assert _east_asian(normal) == "仿宋_GB2312" and normal.font.size == Pt(16)
    title = document.paragraphs[0].runs[0]
    assert title.text.endswith("县域创新驱动发展监测通报")
    assert title._element.rPr.find(f"{W}rFonts").get(f"{W}eastAsia") == "方正小标宋简体"
    assert title.font.size == Pt(22)
    table = next(p for p in document.part.package.parts if p.partname.endswith("fontTable.xml"))
    xml = table.blob.decode()
    for official, fallback in (("仿宋_GB2312", "Noto Serif CJK SC"), ("黑体", "Noto Sans CJK SC")):
        assert re.search(rf'w:name="{official}">\s*<w:altName w:val="{fallback}"', xml), official


def test_headings_are_numbered_in_the_official_order(document):
    texts = _texts(document)
    firsts = [t for t in texts if re.match(r"^[一二三四五六七八九十]+、", t)]
    assert firsts[:6] == [
        "一、总体情况",
        "二、县（区）综合排名",
        "三、分维度情况",
        "四、乡（镇、街道）情况",
        "五、各县（区）情况",
        "六、有关要求",
    ]
    seconds = [t for t in texts if t.startswith("（一）")]
    assert seconds and seconds[0].startswith("（一）创新投入")
    numbering = Numbering()
    assert [
        numbering.next(1),
        numbering.next(2),
        numbering.next(3),
        numbering.next(4),
        numbering.next(2),
    ] == [
        "一、",
        "（一）",
        "1.",
        "（1）",
        "（二）",
    ]
    assert chinese_number(12) == "十二" and chinese_number(20) == "二十"


def test_ranking_table_has_the_runs_numbers_in_rank_order(document, run):
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][:3] == ["排名", "县（区）", "综合指数"]
    expected = [
        (str(r.rank), r.region.name, f"{r.index:.2f}")
        for r in run.results.select_related("region").order_by("rank")
    ]
    rows = [tuple(c.text for c in row.cells[:3]) for row in table.rows[1:]]
    assert rows == expected
    assert table.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None  # repeated on every page


def test_summary_names_the_leader_the_movers_and_the_dimension_leaders(document, run):
    content = bulletin_content(run)
    text = "\n".join(_texts(document))
    leader = run.results.get(rank=1)
    assert f"{leader.region.name}以综合指数{leader.index:.2f}位居第一" in text
    assert "与2023年度相比" in text
    for row in content.ranked_rows:
        if row.rank_change:
            verb = "上升" if row.rank_change > 0 else "下降"
            assert f"{row.region.name}{verb}{abs(row.rank_change)}位" in text
    for d in content.ranking.dimensions:
        assert f"{d.name}维度" in text
    # the demo's 2024 round: every submission handed in before the deadline
    assert "本期数据填报完成率100.0%，按时报送率100.0%。" in text


def test_reporting_rate_sentence_counts_a_missing_and_a_late_submission(run):
    import datetime as dt

    from county_innovation.collection.models import Submission, SubmissionEvent

    submissions = list(
        Submission.objects.filter(
            round__framework__code=run.framework.code, round__period=run.period
        ).order_by("pk")
    )
    missing, late = submissions[0], submissions[1]
    with deletion_permitted("test setup"):
        SubmissionEvent.objects.filter(submission=missing).delete()
    Submission.objects.filter(pk=missing.pk).update(status="draft")
    after_deadline = dt.datetime(run.period + 1, 4, 2, 10, tzinfo=dt.UTC)
    SubmissionEvent.objects.filter(submission=late, action="submit").update(at=after_deadline)
    n = len(submissions)
    complete, on_time = 100 * (n - 1) / n, 100 * (n - 2) / n  # 36 submissions: 97.2 % and 94.4 %
    summary = "".join(bulletin_content(run).summary)
    assert f"本期数据填报完成率{complete:.1f}%，按时报送率{on_time:.1f}%。" in summary


def test_a_paragraph_per_county_and_the_annexes(document, run):
    text = "\n".join(_texts(document))
    for result in run.results.select_related("region"):
        assert re.search(rf"{result.region.name}综合指数[\d.]+，全市排名第{result.rank}位", text)
    assert "附件1" in text and "评价指标及解释" in text and "附件2" in text and "附件3" in text
    annex_rows = [row.cells[1].text for t in document.tables for row in t.rows]
    assert "全社会R&D经费支出" in annex_rows and "万元GDP综合能耗" in annex_rows
    section = document.sections[0]
    # GB/T 9704 7.5: odd pages number at the right, even pages at the left; the demo mark on both
    assert document.settings.odd_and_even_pages_header_footer
    assert section.footer.paragraphs[0]._p.xml.count("PAGE") == 1
    assert section.even_page_footer.paragraphs[0]._p.xml.count("PAGE") == 1
    assert section.footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert section.even_page_footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    for header, footer in (
        (section.header, section.footer),
        (section.even_page_header, section.even_page_footer),
    ):
        assert DEMO_MARK in header.paragraphs[0].text
        assert DEMO_MARK in footer.paragraphs[1].text


def test_town_ranking_lists_every_town_in_order(document):
    town_table = document.tables[-1]
    ranks = [int(row.cells[0].text) for row in town_table.rows[1:] if row.cells[0].text != "—"]
    assert len(town_table.rows) - 1 == 139
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_pdf_is_stored_as_a_version_with_its_hash_and_every_page_marked_demo(run):
    rows = {b.format: b for b in bulletin_create_now(run=run, actor=system("测试"))}
    assert rows["docx"].status == Bulletin.Status.DONE and rows["pdf"].status == Bulletin.Status.DONE
    pdf = Bulletin.objects.get(pk=rows["pdf"].pk)
    import hashlib

    assert pdf.sha256 == hashlib.sha256(bytes(pdf.content)).hexdigest() and pdf.includes_demo_data
    reader = PdfReader(io.BytesIO(bytes(pdf.content)))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) > 5
    assert all(DEMO_MARK in page for page in pages)
    text = "\n".join(pages)
    assert "南昌市县域创新驱动发展监测通报" in text and "一、总体情况" in text
    names = [r.region.name for r in run.results.select_related("region").order_by("rank")]
    table_page = next(p for p in pages if "表1" in p)
    positions = [table_page.index(n) for n in names]
    assert positions == sorted(positions)
    top = run.results.get(rank=1)
    assert f"{top.index:.2f}" in table_page


def test_failed_pdf_conversion_is_stored_in_chinese_and_the_word_file_kept(run, monkeypatch):
    monkeypatch.setattr("county_innovation.reports.pdf.soffice_path", lambda: None)
    rows = {b.format: b for b in bulletin_create_now(run=run, actor=system("测试"))}
    assert rows["docx"].status == Bulletin.Status.DONE
    assert rows["pdf"].status == Bulletin.Status.FAILED and "LibreOffice" in rows["pdf"].error
    assert "无法生成 PDF" in rows["pdf"].error
