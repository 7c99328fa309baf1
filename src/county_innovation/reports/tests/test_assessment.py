"""The assessment sheet: points by rank or a linear scale, refused conversions, the printable workbook."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from county_innovation.common.errors import DomainError
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.reports.assessment import assessment_rule_parse, assessment_sheet, assessment_xlsx
from county_innovation.reports.docx_layout import DEMO_MARK


@pytest.fixture
def run(demo):
    return EvaluationRun.objects.get(framework__code="county", period=2024, status="published")


def test_points_by_rank_follow_the_table_and_ranks_beyond_it_get_zero(run):
    sheet = assessment_sheet(run=run, rule=assessment_rule_parse(mode="rank", rank_points="10,8,6"))
    by_rank = {line.rank: line.points for line in sheet.lines}
    assert by_rank[1] == Decimal("10.00") and by_rank[2] == Decimal("8.00") and by_rank[3] == Decimal("6.00")
    assert by_rank[4] == Decimal("0.00")
    assert [line.rank for line in sheet.lines] == sorted(line.rank for line in sheet.lines)
    assert next(line for line in sheet.lines if line.rank == 4).note == "名次超出赋分表"


def test_linear_points_give_the_best_the_maximum_and_the_rest_in_proportion(run):
    sheet = assessment_sheet(run=run, rule=assessment_rule_parse(mode="linear", max_points="15"))
    best = sheet.lines[0]
    assert best.points == Decimal("15.00")
    for line in sheet.lines[1:]:
        expected = (Decimal(15) * Decimal(repr(line.index)) / Decimal(repr(best.index))).quantize(
            Decimal("0.01")
        )
        assert line.points == expected and isinstance(line.points, Decimal)


@pytest.mark.parametrize(
    ("kwargs", "message", "problem"),
    [
        ({"mode": "rank", "rank_points": "10,九,8"}, "名次赋分表有误", "第2名的分值「九」不是数字。"),
        (
            {"mode": "rank", "rank_points": "5,8"},
            "名次赋分表有误",
            "名次分值应自第1名起逐名不增（后一名的分值不能高于前一名）。",
        ),
        (
            {"mode": "rank", "rank_points": "10,-1"},
            "名次赋分表有误",
            "第2名的分值 -1 超出范围，应在 0 到 1000 之间。",
        ),
        ({"mode": "linear", "max_points": "满分"}, "满分「满分」不是数字", None),
        ({"mode": "linear", "max_points": "0"}, "满分 0 超出范围", None),
        ({"mode": "median"}, "未知的折算方式「median」", None),
    ],
)
def test_a_wrong_conversion_is_refused_in_chinese(kwargs, message, problem):
    with pytest.raises(DomainError) as caught:
        assessment_rule_parse(**kwargs)
    assert message in caught.value.message
    if problem:
        assert problem in caught.value.problems


def test_a_town_run_cannot_be_converted(demo):
    town = EvaluationRun.objects.get(framework__code="town", period=2024, status="published")
    with pytest.raises(DomainError, match="考核得分按县（区）评价折算"):
        assessment_sheet(run=town, rule=assessment_rule_parse(mode="rank"))


def test_workbook_is_ready_to_print_a4_landscape_fitted_to_width_with_the_header_repeated(run):
    sheet = assessment_sheet(run=run, rule=assessment_rule_parse(mode="rank"))
    ws = load_workbook(io.BytesIO(assessment_xlsx(sheet))).active
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$4:$4"  # the header row repeats on every printed page
    assert ws.oddHeader.center.text == DEMO_MARK
    assert ws["A1"].value == "2024年度县域创新驱动发展考核得分表"
    assert [ws.cell(4, c).value for c in (1, 3, 4)] == ["排名", "县（区）", "综合指数"]
    assert ws.cell(4, 1).fill.fgColor.rgb.endswith("DCE6F1")  # common/excel.py's header style
    names = [ws.cell(r, 3).value for r in range(5, 5 + len(sheet.lines))]
    assert names == [line.name for line in sheet.lines]
    points_col = 4 + len(sheet.dimensions) + 1
    assert ws.cell(4, points_col).value == "考核得分"
    assert Decimal(str(ws.cell(5, points_col).value)) == sheet.lines[0].points
