"""Task supervision pages: the leading group's overview (with the xlsx export), an item's page with its
assignments and reports, and the POSTed steps (report, assign, break down, close). Thin views."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from county_innovation.accounts import permissions
from county_innovation.common.errors import DomainError
from county_innovation.common.models import DemoDataset
from county_innovation.supervision import exporting, selectors, services
from county_innovation.supervision.forms import AssignForm, ChildForm, ReportForm
from county_innovation.supervision.models import TaskAttachment, TaskItem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _errors(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message)
    for problem in error.problems:
        messages.error(request, problem)


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errors:
            messages.error(request, f"{label}：{e}" if label else e)


@require_GET
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    permissions.require_view_tasks(request.user)
    context = {
        "nav": "tasks",
        **selectors.overview(),
        "can_export": permissions.can_export_tasks(request.user),
        "mine": list(selectors.items_reportable_by(request.user).values_list("pk", flat=True))
        if not permissions.is_city_admin(request.user)
        else [],
    }
    return render(request, "supervision/overview.html", context)


@require_GET
@login_required
def export(request: HttpRequest) -> HttpResponse:
    permissions.require_export_tasks(request.user)
    content = exporting.overview_workbook(demo=DemoDataset.objects.exists())
    name = f"重点任务督办台账_{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@require_GET
@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require_view_tasks(request.user)
    item = get_object_or_404(TaskItem.objects.select_related("parent"), pk=pk)
    row = next(r for r in selectors.task_tree() if r.item.pk == item.pk)
    context = {
        "nav": "tasks",
        "item": item,
        "row": row,
        "children": item.children.all(),
        "reports": selectors.reports_of(item),
        "can_report": permissions.can_report_task(request.user, item),
        "manage": permissions.can_manage_tasks(request.user),
        "report_form": ReportForm(),
        "assign_form": AssignForm(),
        "child_form": ChildForm(),
        "history": item.history.select_related("history_user")[:20],
    }
    return render(request, "supervision/item.html", context)


def _step(request: HttpRequest, pk: int, allowed, form_class, act, done: str) -> HttpResponse:
    item = get_object_or_404(TaskItem, pk=pk)
    allowed(request.user, item)
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        _form_errors(request, form)
        return redirect("supervision:item", pk)
    try:
        act(item, form.cleaned_data if form is not None else {})
    except DomainError as error:
        _errors(request, error)
    else:
        messages.success(request, done)
    return redirect("supervision:item", pk)


def _manager(user, item) -> None:
    permissions.require_manage_tasks(user)


@require_POST
@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    def act(item, data):
        files = [(f.name, f.read()) for f in request.FILES.getlist("files")]
        services.task_report_submit(
            item=item, user=request.user, percent=data["percent"], text=data["text"], files=files
        )

    return _step(request, pk, permissions.require_report_task, ReportForm, act, "进展已报送。")


@require_POST
@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    def act(item, data):
        services.task_assign(item=item, user=request.user, **data)

    return _step(request, pk, _manager, AssignForm, act, "责任单位已添加。")


@require_POST
@login_required
def add_child(request: HttpRequest, pk: int) -> HttpResponse:
    def act(item, data):
        services.task_item_add(parent=item, user=request.user, **data)

    return _step(request, pk, _manager, ChildForm, act, "已分解新的工作任务。")


@require_POST
@login_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    def act(item, data):
        services.task_close(item=item, user=request.user)

    return _step(request, pk, _manager, None, act, "任务已办结。")


@require_GET
@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require_view_tasks(request.user)
    file = get_object_or_404(TaskAttachment, pk=pk)
    response = HttpResponse(bytes(file.content), content_type=file.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
