"""The annual comprehensive assessment sheet (年度综合考核): each county's result converted to points.

Two conversions, chosen by the city admin: points by rank (a table: 1st → 10, 2nd → 9 …) or a linear scale
of the index to a maximum (the best county gets the maximum, the others in proportion to their index).
Points are Decimal, rounded half up to two places, as an assessment office adds them to other scores.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.page import PageMargins

from county_innovation.common.errors import DomainError
from county_innovation.common.excel import BORDER, HEADER_FILL, cell_put, workbook_bytes
from county_innovation.common.numbers import NumberProblem, number_parse
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.reports.docx_layout import DEMO_MARK
from county_innovation.reports.selectors import demo_loaded, run_ranking

MODES = {"rank": "按名次赋分", "linear": "按综合指数线性折算"}
DEFAULT_RANK_POINTS = "10,9,8,7,6,5,4,3,2"
DEFAULT_MAX_POINTS = "10"
MAX_POINTS_CEILING = Decimal(1000)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class AssessmentRule:
    mode: str
    rank_points: tuple[Decimal, ...] = ()
    max_points: Decimal = Decimal(10)

    def describe(self) -> str:
        if self.mode == "rank":
            table = "、".join(f"第{i + 1}名{p}分" for i, p in enumerate(self.rank_points))
            return f"按名次赋分：{table}；表外名次及数据不足的单位计0分。"
        return f"按综合指数线性折算：得分 = {self.max_points} × 本单位综合指数 ÷ 最高综合指数；数据不足的单位计0分。"


def _decimal(text: str) -> Decimal | None:
    try:
        return number_parse(text, max_abs=MAX_POINTS_CEILING * 10)
    except NumberProblem:
        return None


def assessment_rule_parse(*, mode: str, rank_points: str = "", max_points: str = "") -> AssessmentRule:
    """Check the conversion the user asked for; DomainError with every problem in Chinese."""
    if mode not in MODES:
        raise DomainError(
            f"未知的折算方式「{mode}」：应为 rank（按名次赋分）或 linear（按综合指数线性折算）。"
        )
    problems = []
    if mode == "rank":
        parts = [p for p in (rank_points or DEFAULT_RANK_POINTS).replace("，", ",").split(",") if p.strip()]
        values = []
        for i, part in enumerate(parts, start=1):
            value = _decimal(part)
            if value is None:
                problems.append(f"第{i}名的分值「{part.strip()}」不是数字。")
            elif value < 0 or value > MAX_POINTS_CEILING:
                problems.append(f"第{i}名的分值 {value} 超出范围，应在 0 到 {MAX_POINTS_CEILING} 之间。")
            else:
                values.append(value)
        if not problems and any(b > a for a, b in itertools.pairwise(values)):
            problems.append("名次分值应自第1名起逐名不增（后一名的分值不能高于前一名）。")
        if problems:
            raise DomainError("名次赋分表有误，请修改后重试。", problems)
        return AssessmentRule(mode="rank", rank_points=tuple(values))
    value = _decimal(max_points or DEFAULT_MAX_POINTS)
    if value is None:
        raise DomainError(f"满分「{max_points}」不是数字，请填写如 10 或 15 的分值。")
    if value <= 0 or value > MAX_POINTS_CEILING:
        raise DomainError(f"满分 {value} 超出范围，应大于 0 且不超过 {MAX_POINTS_CEILING}。")
    return AssessmentRule(mode="linear", max_points=value)


@dataclass
class AssessmentLine:
    rank: int | None
    code: str
    name: str
    index: float | None
    scores: list[float | None]
    points: Decimal
    note: str = ""


@dataclass
class AssessmentSheet:
    run: EvaluationRun
    rule: AssessmentRule
    dimensions: list[str]
    lines: list[AssessmentLine] = field(default_factory=list)
    demo: bool = False

    @property
    def title(self) -> str:
        return f"{self.run.period}年度县域创新驱动发展考核得分表"


def _points(rule: AssessmentRule, rank: int | None, index: float | None, best: float | None) -> Decimal:
    if rank is None or index is None:
        return Decimal(0).quantize(CENT)
    if rule.mode == "rank":
        value = rule.rank_points[rank - 1] if rank <= len(rule.rank_points) else Decimal(0)
    else:
        value = rule.max_points * Decimal(repr(index)) / Decimal(repr(best)) if best else Decimal(0)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def assessment_sheet(*, run: EvaluationRun, rule: AssessmentRule) -> AssessmentSheet:
    """Every county of a county-level run with its points under ``rule``, in rank order."""
    if run.framework.level != "county":
        raise DomainError("考核得分按县（区）评价折算，请选择县（区）评价指标体系的评价结果。")
    ranking = run_ranking(run)
    ranked = [r.result.index for r in ranking.rows if r.ranked and r.result.index is not None]
    best = max(ranked) if ranked else None
    lines = []
    for r in ranking.rows:
        note = "" if r.ranked else "数据不足，未排名"
        if r.ranked and rule.mode == "rank" and r.result.rank > len(rule.rank_points):
            note = "名次超出赋分表"
        lines.append(
            AssessmentLine(
                rank=r.result.rank,
                code=r.region.code,
                name=r.region.name,
                index=r.result.index,
                scores=r.scores,
                points=_points(rule, r.result.rank, r.result.index, best),
                note=note,
            )
        )
    return AssessmentSheet(
        run=run,
        rule=rule,
        dimensions=[d.name for d in ranking.dimensions],
        lines=lines,
        demo=run.includes_demo_data or demo_loaded(),
    )


def assessment_xlsx(sheet: AssessmentSheet) -> bytes:
    """The sheet as a workbook ready to print: A4 landscape, fitted to one page wide, header row repeated."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{sheet.run.period}年度考核得分"
    header = ["排名", "区划代码", "县（区）", "综合指数", *sheet.dimensions, "考核得分", "备注"]
    last = len(header)
    cell_put(ws, 1, 1, sheet.title).font = Font(bold=True, size=16)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    cell_put(ws, 2, 1, f"折算方式：{sheet.rule.describe()}").alignment = Alignment(wrap_text=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    ws.row_dimensions[2].height = 32
    cell_put(
        ws,
        3,
        1,
        f"依据：{sheet.run.framework.name}（第{sheet.run.framework_version}版）评价结果 #{sheet.run.pk}"
        + (f"　【{DEMO_MARK}】" if sheet.demo else ""),
    )
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=last)
    header_row = 4
    for col, text in enumerate(header, start=1):
        cell = cell_put(ws, header_row, col, text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, line in enumerate(sheet.lines, start=header_row + 1):
        values = [line.rank, line.code, line.name, line.index, *line.scores, line.points, line.note]
        for col, value in enumerate(values, start=1):
            if isinstance(value, float):
                value = round(value, 2)
            cell = cell_put(ws, i, col, value)
            cell.border = BORDER
            if isinstance(value, (int, float, Decimal)):
                cell.number_format = "0.00" if not isinstance(value, int) else "0"
    end = header_row + len(sheet.lines)
    today = timezone.localdate()
    cell_put(ws, end + 2, 1, f"制表：市科学技术局　　　　日期：{today.year}年{today.month}月{today.day}日")
    widths = [6, 10, 12, 10, *[10] * len(sheet.dimensions), 10, 18]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(header_row, col).column_letter].width = width
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.6, right=0.6, top=0.8, bottom=0.8)
    if sheet.demo:
        ws.oddHeader.center.text = DEMO_MARK
        ws.oddFooter.left.text = DEMO_MARK
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    return workbook_bytes(wb)


def assessment_filename(sheet: AssessmentSheet) -> str:
    return f"{sheet.title}.xlsx"
