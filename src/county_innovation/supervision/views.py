"""Task supervision pages: the leading group's overview (with the xlsx export), an item's page with its
assignments and reports, and the POSTed steps (report, assign, break down, close). Thin views."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from county_innovation.common.feedback import form_error_messages, perform, show_errors
from county_innovation.common.models import DemoDataset
from county_innovation.supervision import exporting, selectors, services
from county_innovation.supervision.forms import AssignForm, ChildForm, ReportForm
from county_innovation.supervision.models import TaskAttachment, TaskItem
from county_innovation.supervision.policies import tasks

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    tasks.require(request.user, "view")
    context = {
        "nav": "tasks",
        **selectors.overview(),
        "can_export": tasks.allows(request.user, "export"),
        # the items of the user's own unit, marked on the tree (the city admin's unit is every item: none marked)
        "mine": list(selectors.items_reportable_by(request.user).values_list("pk", flat=True))
        if not tasks.allows(request.user, "manage")
        else [],
    }
    return render(request, "supervision/overview.html", context)


@require_GET
@login_required
def export(request: HttpRequest) -> HttpResponse:
    tasks.require(request.user, "export")
    content = exporting.overview_workbook(demo=DemoDataset.objects.exists())
    name = f"重点任务督办台账_{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@require_GET
@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tasks.require(request.user, "view")
    item = get_object_or_404(TaskItem.objects.select_related("parent"), pk=pk)
    row = next(r for r in selectors.task_tree() if r.item.pk == item.pk)
    context = {
        "nav": "tasks",
        "item": item,
        "row": row,
        "children": item.children.all(),
        "reports": selectors.reports_of(item),
        "can_report": tasks.allows(request.user, "report", item),
        "manage": tasks.allows(request.user, "manage"),
        "report_form": ReportForm(),
        "assign_form": AssignForm(),
        "child_form": ChildForm(),
        "history": item.history.select_related("history_user")[:20],
    }
    return render(request, "supervision/item.html", context)


def _step(request: HttpRequest, pk: int, action: str, form_class, act, done: str) -> HttpResponse:
    """A POSTed step: check the action, parse the form, call the service, say what happened, back to the page."""
    item = get_object_or_404(TaskItem, pk=pk)
    tasks.require(request.user, action, item)
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        show_errors(request, form_error_messages(form))
        return redirect("supervision:item", pk)
    perform(request, lambda: act(item, form.cleaned_data if form is not None else {}), done=done)
    return redirect("supervision:item", pk)


@require_POST
@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    def act(item, data):
        files = [(f.name, f.read()) for f in request.FILES.getlist("files")]
        services.task_report_submit(
            item=item, actor=request.user, percent=data["percent"], text=data["text"], files=files
        )

    return _step(request, pk, "report", ReportForm, act, "进展已报送。")


@require_POST
@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    def act(item, data):
        services.task_assign(item=item, actor=request.user, **data)

    return _step(request, pk, "manage", AssignForm, act, "责任单位已添加。")


@require_POST
@login_required
def add_child(request: HttpRequest, pk: int) -> HttpResponse:
    def act(item, data):
        services.task_item_add(parent=item, actor=request.user, **data)

    return _step(request, pk, "manage", ChildForm, act, "已分解新的工作任务。")


@require_POST
@login_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    def act(item, data):
        services.task_close(item=item, actor=request.user)

    return _step(request, pk, "manage", None, act, "任务已办结。")


@require_GET
@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    tasks.require(request.user, "view")
    file = get_object_or_404(TaskAttachment, pk=pk)
    response = HttpResponse(bytes(file.content), content_type=file.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
