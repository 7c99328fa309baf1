"""Task supervision over HTTP: the tree with progress and flags, an item, and reporting, assigning,
breaking down and closing items. Attachments travel as base64 in JSON."""

from __future__ import annotations

import base64
import binascii
import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from county_innovation.common.api import not_found
from county_innovation.common.errors import DomainError
from county_innovation.regions.models import Region
from county_innovation.supervision import selectors, services
from county_innovation.supervision.models import TaskItem
from county_innovation.supervision.policies import tasks

router = Router(tags=["重点任务督办"])


class AttachmentIn(Schema):
    filename: str
    content_base64: str


class ReportIn(Schema):
    percent: int
    text: str
    attachments: list[AttachmentIn] = []


class AssignIn(Schema):
    role: str = "lead"
    department: str = ""
    region: str | None = None
    deliverable: str = ""
    deadline: datetime.date | None = None
    confirm_past: bool = Field(False, description="完成时限早于今天时须为 true（确认）")


class ChildIn(Schema):
    title: str
    deliverables: str = ""
    deadline: datetime.date | None = None
    confirm_past: bool = Field(False, description="完成时限早于今天时须为 true（确认）")


def _row(r: selectors.ItemProgress) -> dict:
    return {
        "id": r.item.pk,
        "parent": r.item.parent_id,
        "number": r.item.number,
        "title": r.item.title,
        "kind": r.item.kind,
        "status": r.item.status,
        "deadline": r.deadline.isoformat() if r.deadline else None,
        "percent": r.percent,
        "overdue": r.overdue,
        "stalled": r.stalled,
        "flag": r.flag,
        "units": [
            {"unit": a.unit_label, "role": a.duty, "department": a.department, "region": a.region_id}
            for a in r.units
        ],
        "last_report": r.last_report.reported_at.isoformat() if r.last_report else None,
    }


def _item(request: HttpRequest, item_id: int) -> TaskItem:
    tasks.require(request.auth, "view")
    item = TaskItem.objects.filter(pk=item_id).first()
    if item is None:
        raise not_found(f"督办任务 #{item_id} 不存在。")
    return item


@router.get("/tasks/", response=list[dict], summary="重点任务和保障措施（树形顺序，含进度、逾期、停滞标记）")
def task_list(request: HttpRequest):
    tasks.require(request.auth, "view")
    return [_row(r) for r in selectors.task_tree()]


@router.get("/tasks/{item_id}", response=dict, summary="一项督办任务及其进展报告")
def task_detail(request: HttpRequest, item_id: int):
    item = _item(request, item_id)
    row = next(r for r in selectors.task_tree() if r.item.pk == item.pk)
    data = _row(row)
    data["reports"] = [
        {"percent": r.percent, "text": r.text, "reported_at": r.reported_at.isoformat()}
        for r in selectors.reports_of(item)
    ]
    return data


@router.post("/tasks/{item_id}/reports", response={201: dict}, summary="报送进展（责任单位或市科技局）")
def task_report(request: HttpRequest, item_id: int, payload: ReportIn):
    item = _item(request, item_id)
    tasks.require(request.auth, "report", item)
    files = []
    for a in payload.attachments:
        try:
            files.append((a.filename, base64.b64decode(a.content_base64, validate=True)))
        except (binascii.Error, ValueError) as exc:
            raise DomainError(f"附件「{a.filename}」的 content_base64 不是有效的 base64 编码。") from exc
    report = services.task_report_submit(
        item=item, actor=request.auth, percent=payload.percent, text=payload.text, files=files
    )
    return Status(201, {"id": report.pk, "percent": report.percent})


@router.post("/tasks/{item_id}/assignments", response={201: dict}, summary="添加责任单位（牵头或配合）")
def task_assign(request: HttpRequest, item_id: int, payload: AssignIn):
    item = _item(request, item_id)
    tasks.require(request.auth, "manage")
    region = None
    if payload.region:
        region = Region.objects.filter(code=payload.region).first()
        if region is None:
            raise not_found(f"区划「{payload.region}」不存在。")
    fields = payload.dict(exclude={"region"})
    assignment = services.task_assign(item=item, actor=request.auth, region=region, **fields)
    return Status(201, {"id": assignment.pk})


@router.post("/tasks/{item_id}/children", response={201: dict}, summary="分解工作任务")
def task_add(request: HttpRequest, item_id: int, payload: ChildIn):
    item = _item(request, item_id)
    tasks.require(request.auth, "manage")
    child = services.task_item_add(parent=item, actor=request.auth, **payload.dict())
    return Status(201, {"id": child.pk, "number": child.number})


@router.post("/tasks/{item_id}/close", response=dict, summary="办结任务")
def task_close(request: HttpRequest, item_id: int):
    item = _item(request, item_id)
    tasks.require(request.auth, "manage")
    item = services.task_close(item=item, actor=request.auth)
    return {"id": item.pk, "status": item.status}
