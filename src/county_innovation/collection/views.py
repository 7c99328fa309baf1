"""Data entry pages: the overview of regions to fill, the entry grid, the Excel template and its import.

Thin: each view asks ``accounts.permissions``, calls a selector or service, and renders; refusals by a service
come back as DomainError and are shown as Chinese messages.
"""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from county_innovation.accounts import permissions
from county_innovation.collection import excel, selectors, services
from county_innovation.collection.forms import ImportForm, PeriodForm
from county_innovation.common.errors import DomainError
from county_innovation.indicators.models import DataValue, Framework
from county_innovation.regions.models import Region

# A refused import lists at most this many problems on the page; the rest are counted.
PROBLEMS_SHOWN = 300


def _period_or_404(period: int) -> int:
    if not selectors.period_is_valid(period):
        raise Http404(
            f"年度 {period} 不在可填报范围内（{selectors.PERIOD_FIRST}–{selectors.period_last()} 年）。"
        )
    return period


def _framework_or_404(code: str) -> Framework:
    framework = selectors.entry_framework(code)
    if framework is None:
        raise Http404("没有这个指标体系。")
    return framework


@login_required
def entry(request: HttpRequest) -> HttpResponse:
    permissions.require_enter_data(request.user)
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data["period"] if form.is_valid() else selectors.default_period()
    return render(
        request,
        "collection/entry.html",
        {
            "nav": "data",
            "form": form,
            "period": period,
            "sections": selectors.entry_overview(user=request.user, period=period),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def grid(request: HttpRequest, region_code: str, period: int) -> HttpResponse:
    region = get_object_or_404(Region, code=region_code)
    period = _period_or_404(period)
    permissions.require_view_data(request.user, region)
    framework = selectors.entry_framework(region.level)
    if framework is None:
        raise Http404(f"「{region.name}」是{region.get_level_display()}区划，没有需要填报的指标体系。")
    typed: dict[str, str] = {}
    problems: dict[str, str] = {}
    if request.method == "POST":
        typed = {key[2:]: value for key, value in request.POST.items() if key.startswith("v_")}
        submit = request.POST.get("action") == "submit"
        try:
            report = services.data_values_save(
                user=request.user,
                region=region,
                period=period,
                framework=framework,
                values=typed,
                submit=submit,
                channel=DataValue.Channel.FORM,
            )
        except services.EntryInvalid as error:
            problems = error.cell_problems
            messages.error(request, error.message)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _save_message(region, period, report))
            return redirect("collection:grid", region_code=region.code, period=period)
    sections = selectors.entry_grid(
        user=request.user, region=region, period=period, framework=framework, typed=typed, problems=problems
    )
    rows = [row for section in sections for row in section.rows]
    return render(
        request,
        "collection/grid.html",
        {
            "nav": "data",
            "region": region,
            "period": period,
            "framework": framework,
            "sections": sections,
            "filled": sum(1 for r in rows if r.stored),
            "submitted": sum(1 for r in rows if r.stored and r.stored.status == DataValue.Status.SUBMITTED),
            "total": len(rows),
            "can_edit": bool(rows),
            "previous_period": period - 1 if selectors.period_is_valid(period - 1) else None,
            "next_period": period + 1 if selectors.period_is_valid(period + 1) else None,
        },
    )


def _save_message(region: Region, period: int, report: services.SaveReport) -> str:
    done = "已提交" if report.submitted else "已保存草稿"
    parts = [f"新增 {report.created} 项", f"修改 {report.updated} 项"]
    if report.deleted:
        parts.append(f"清空 {report.deleted} 项")
    return f"{region.name} {period}年数据{done}：" + "，".join(parts) + "。"


@login_required
def template_download(request: HttpRequest, framework_code: str, period: int) -> HttpResponse:
    permissions.require_enter_data(request.user)
    framework = _framework_or_404(framework_code)
    period = _period_or_404(period)
    try:
        data = selectors.template_data(user=request.user, framework=framework, period=period)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(f"{reverse('collection:entry')}?period={period}")
    response = HttpResponse(excel.template_build(data), content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(excel.template_filename(data))}"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, framework_code: str, period: int) -> HttpResponse:
    permissions.require_enter_data(request.user)
    framework = _framework_or_404(framework_code)
    period = _period_or_404(period)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.data_import_excel(
                user=request.user,
                framework=framework,
                period=period,
                file_name=upload.name,
                content=upload.read(),
                submit=form.cleaned_data["submit"],
            )
        except DomainError as error:
            messages.error(request, error.message)
            problems = error.problems
        else:
            batch = report.batch
            messages.success(
                request,
                f"已导入 {batch.region_count} 个区划的 {batch.value_count} 条数据"
                f"（新增 {report.created} 条，修改 {report.updated} 条，与库中相同 {report.unchanged} 条）。",
            )
            return redirect("collection:import", framework_code=framework.code, period=period)
    return render(
        request,
        "collection/import.html",
        {
            "nav": "data",
            "form": form,
            "framework": framework,
            "period": period,
            "problems": problems[:PROBLEMS_SHOWN],
            "problems_hidden": max(0, len(problems) - PROBLEMS_SHOWN),
            "batches": selectors.import_batches(user=request.user, framework=framework, period=period),
        },
    )
