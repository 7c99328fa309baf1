"""The leading group's meeting export (xlsx): every item of the task tree with its units, deadline, progress
and flag; overdue and stalled items highlighted. Demo rows are labelled in the title and a column."""

from __future__ import annotations

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from county_innovation.common.excel import row_put, workbook_bytes
from county_innovation.supervision.models import TaskAssignment
from county_innovation.supervision.selectors import overview

HEADERS = [
    "编号",
    "任务",
    "类别",
    "牵头单位",
    "配合单位",
    "完成时限",
    "完成进度（%）",
    "最近报送",
    "最近进展",
    "状态",
]
WIDTHS = [12, 40, 10, 18, 24, 12, 12, 12, 50, 10]
FILLS = {"逾期": "F8D7DA", "停滞": "FFF3CD", "已办结": "D4EDDA"}


def overview_workbook(*, demo: bool) -> bytes:
    data = overview()
    wb = Workbook()
    ws = wb.active
    ws.title = "督办台账"
    today = timezone.localdate()
    title = f"县域创新驱动发展重点任务督办台账（{today:%Y-%m-%d}）"
    if demo:
        title += "【演示数据，非真实工作记录】"
    row_put(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    row_put(
        ws,
        [
            f"共 {data['total']} 项，已办结 {data['closed']} 项，逾期 {len(data['overdue'])} 项，"
            f"停滞（{data['stall_days']} 天未报送）{len(data['stalled'])} 项"
        ],
    )
    row_put(ws, HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in data["rows"]:
        item = row.item
        leads = [a.unit_label for a in row.units if a.duty == TaskAssignment.Role.LEAD]
        supports = [a.unit_label for a in row.units if a.duty == TaskAssignment.Role.SUPPORT]
        last = row.last_report
        row_put(
            ws,
            [
                item.number,
                ("　" * row.depth) + item.title,
                item.get_kind_display(),
                "、".join(leads),
                "、".join(supports),
                row.deadline.isoformat() if row.deadline else "",
                row.percent,
                last.reported_at.date().isoformat() if last else "",
                last.text if last else "",
                row.flag,
            ],
        )
        fill = FILLS.get(row.flag)
        if fill:
            ws.cell(row=ws.max_row, column=len(HEADERS)).fill = PatternFill("solid", fgColor=fill)
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[ws.cell(row=3, column=i).column_letter].width = width
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    return workbook_bytes(wb)
