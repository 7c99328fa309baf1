"""The audit export of a round: every recorded change of every value and every step of every submission.

Limited to the user's region subtree (and a department to its own indicators), the same as the pages.
"""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from county_innovation.accounts.models import User
from county_innovation.collection import selectors
from county_innovation.collection.models import CollectionRound, SubmissionEvent
from county_innovation.common.excel import BORDER, HEADER_FILL, cell_put, workbook_bytes
from county_innovation.common.models import DemoDataset
from county_innovation.indicators.models import DataValue

HISTORY_TYPES = {"+": "新增", "~": "修改", "-": "删除"}


def _header(ws, columns: list[tuple[str, int]], row: int) -> None:
    for j, (title, width) in enumerate(columns, start=1):
        cell = cell_put(ws, row, j, title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = ws.cell(row + 1, 1)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def value_changes(user: User, round_: CollectionRound):
    """History records of the round's values in the user's scope, in time order, each with its previous value."""
    submissions = list(selectors.submissions_visible(user, round_))
    regions = {s.region_id for s in submissions}
    owners = {s.owner for s in submissions}
    indicators = [i for i in selectors.reported_indicators(round_.framework) if i.owner in owners]
    records = (
        DataValue.history.filter(period=round_.period, region_id__in=regions, indicator__in=indicators)
        .select_related("history_user", "indicator", "region")
        .order_by("region_id", "indicator__code", "history_date", "history_id")
    )
    previous: dict[tuple[str, int], object] = {}
    for record in records:
        key = (record.region_id, record.indicator_id)
        yield record, previous.get(key)
        previous[key] = record.value if record.history_type != "-" else None


def audit_workbook(*, user: User, round_: CollectionRound) -> bytes:
    demo = DemoDataset.objects.exists()
    wb = Workbook()
    ws = wb.active
    ws.title = "数据变更记录"
    title = f"{round_.title} · 数据变更记录（导出时间 {_when(timezone.now())}，导出人 {user}）"
    if demo:
        title = "【演示数据，非真实统计】" + title
    cell_put(ws, 1, 1, title).font = Font(bold=True, size=12)
    columns = [
        ("区划代码", 12),
        ("区划名称", 16),
        ("指标代码", 22),
        ("指标名称", 34),
        ("操作", 8),
        ("原值", 14),
        ("新值", 14),
        ("状态", 10),
        ("说明", 24),
        ("方式/原因", 28),
        ("操作人", 16),
        ("时间", 20),
    ]
    _header(ws, columns, 2)
    row = 3
    for record, before in value_changes(user, round_):
        values = [
            record.region_id,
            record.region.name,
            record.indicator.code,
            record.indicator.name,
            HISTORY_TYPES.get(record.history_type, record.history_type),
            float(before) if before is not None else None,
            float(record.value) if record.history_type != "-" else None,
            DataValue.Status(record.status).label
            if record.status in DataValue.Status.values
            else record.status,
            record.comment,
            record.history_change_reason or "",
            str(record.history_user or ""),
            _when(record.history_date),
        ]
        for j, value in enumerate(values, start=1):
            cell_put(ws, row, j, value)
        row += 1

    ws2 = wb.create_sheet("填报流程记录")
    cell_put(
        ws2, 1, 1, ("【演示数据，非真实统计】" if demo else "") + f"{round_.title} · 提交、审核、退回记录"
    ).font = Font(bold=True, size=12)
    _header(
        ws2,
        [
            ("区划代码", 12),
            ("区划名称", 16),
            ("填报主体", 16),
            ("操作", 10),
            ("原状态", 10),
            ("新状态", 10),
            ("变动条数", 10),
            ("意见/原因", 40),
            ("操作人", 16),
            ("时间", 20),
        ],
        2,
    )
    submissions = selectors.submissions_visible(user, round_)
    events = (
        SubmissionEvent.objects.filter(submission__in=submissions)
        .select_related("submission__region", "actor")
        .order_by("at", "pk")
    )
    statuses = dict(SubmissionEvent._meta.get_field("to_status").choices)
    for i, event in enumerate(events, start=3):
        s = event.submission
        for j, value in enumerate(
            [
                s.region_id,
                s.region.name,
                s.owner_label,
                event.get_action_display(),
                statuses.get(event.from_status, event.from_status),
                statuses.get(event.to_status, event.to_status),
                event.changed_values,
                event.comment,
                str(event.actor),
                _when(event.at),
            ],
            start=1,
        ):
            cell_put(ws2, i, j, value)
    return workbook_bytes(wb)
