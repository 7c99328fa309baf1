"""Writes of task supervision: break an item down, assign units, report progress, close; refusals in Chinese."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from county_innovation.accounts.models import Department
from county_innovation.common import uploads
from county_innovation.common.actors import Actor, history_user
from county_innovation.common.errors import DomainError
from county_innovation.regions.models import Region
from county_innovation.supervision import policies
from county_innovation.supervision.models import TaskAssignment, TaskAttachment, TaskItem, TaskReport
from county_innovation.supervision.selectors import assignment_for


def _check_deadline(deadline: datetime.date | None, confirm_past: bool) -> None:
    """A deadline already in the past is most likely a typing slip: it needs an explicit confirmation."""
    today = timezone.localdate()
    if deadline is not None and deadline < today and not confirm_past:
        raise DomainError(
            f"完成时限 {deadline:%Y-%m-%d} 早于今天（{today:%Y-%m-%d}），保存后将立即显示为逾期。"
            "如确需登记已过去的时限，请勾选「确认完成时限早于今天」后重新提交；否则请改正日期。"
        )


@transaction.atomic
def task_item_add(
    *,
    parent: TaskItem,
    actor: Actor,
    title: str,
    deadline: datetime.date | None = None,
    deliverables: str = "",
    description: str = "",
    confirm_past: bool = False,
    is_demo: bool = False,
) -> TaskItem:
    """A work item under a key task or safeguard measure (numbered after its parent: 三（二）-1, -2 …).
    A deadline before today is refused unless ``confirm_past``."""
    policies.tasks.require(actor, "manage")
    if not title.strip():
        raise DomainError("请填写任务名称。")
    _check_deadline(deadline, confirm_past)
    if parent.is_closed:
        raise DomainError(f"「{parent}」已办结，不能再分解新任务。")
    order = parent.children.count() + 1
    return TaskItem.objects.create(
        parent=parent,
        kind=parent.kind,
        number=f"{parent.number}-{order}",
        title=title.strip(),
        description=description.strip(),
        deliverables=deliverables.strip(),
        deadline=deadline,
        order=order,
        source=parent.source,
        is_demo=is_demo,
    )


@transaction.atomic
def task_assign(
    *,
    item: TaskItem,
    actor: Actor,
    role: str = TaskAssignment.Role.LEAD,
    department: str = "",
    region: Region | None = None,
    deliverable: str = "",
    deadline: datetime.date | None = None,
    confirm_past: bool = False,
    is_demo: bool = False,
) -> TaskAssignment:
    """Assign a city department or a county as lead or supporting unit. The assignment's deadline is its own:
    it never changes the item's deadline. A deadline before today is refused unless ``confirm_past``."""
    policies.tasks.require(actor, "manage")
    if item.is_closed:
        raise DomainError(f"「{item}」已办结，不能再分工。")
    _check_deadline(deadline, confirm_past)
    if bool(department) == bool(region):
        raise DomainError("请选择一个责任单位：市直部门或县（区），二者选其一。")
    if department and department not in Department.values:
        raise DomainError(f"市直部门「{department}」无效。")
    if region is not None and region.level != Region.Level.COUNTY:
        raise DomainError(f"「{region.name}」不是县（区），任务只分工到市直部门和县（区）。")
    if role not in TaskAssignment.Role.values:
        raise DomainError("职责应为牵头单位或配合单位。")
    duplicate = item.assignments.filter(department=department, region=region).exists()
    if duplicate:
        unit = region.name if region else Department(department).label
        raise DomainError(f"「{unit}」已是「{item}」的责任单位，不能重复分工。")
    return TaskAssignment.objects.create(
        item=item,
        duty=role,
        department=department,
        region=region,
        deliverable=deliverable.strip(),
        deadline=deadline,
        is_demo=is_demo,
    )


@transaction.atomic
def task_report_submit(
    *,
    item: TaskItem,
    actor: Actor,
    percent: int,
    text: str,
    files: list[tuple[str, bytes]] | None = None,
    reported_at: datetime.datetime | None = None,
    is_demo: bool = False,
) -> TaskReport:
    """A progress report: text, % complete (0–100), optional attachments."""
    policies.tasks.require(actor, "report", item)
    if item.is_closed:
        raise DomainError(f"「{item}」已办结，不能再报送进展。如需补充，请联系市科技局。")
    problems = []
    if not text.strip():
        problems.append("请填写进展情况。")
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        problems.append(f"完成进度应为 0–100 之间的整数，实际为「{percent}」。")
    checked = []
    for name, content in files or []:
        try:
            checked.append((uploads.check_upload(name, content), content))
        except DomainError as refused:
            problems.append(refused.message)
    if problems:
        raise DomainError("进展报告未能保存，请修改后重新提交。", problems)
    report = TaskReport.objects.create(
        item=item,
        assignment=assignment_for(item, actor),
        percent=percent,
        text=text.strip(),
        reported_by=history_user(actor),
        reported_at=reported_at or timezone.now(),
        is_demo=is_demo,
    )
    for info, content in checked:
        TaskAttachment.objects.create(
            report=report,
            filename=info.filename,
            content_type=info.content_type,
            size=info.size,
            content=content,
        )
    return report


@transaction.atomic
def task_close(*, item: TaskItem, actor: Actor) -> TaskItem:
    policies.tasks.require(actor, "manage")
    if item.is_closed:
        raise DomainError(f"「{item}」已经办结。")
    open_children = [str(c) for c in item.children.all() if not c.is_closed]
    if open_children:
        raise DomainError(f"「{item}」下还有未办结的任务：{'、'.join(open_children)}。")
    item.status = TaskItem.Status.CLOSED
    item.closed_at = timezone.now()
    item.save()
    return item
