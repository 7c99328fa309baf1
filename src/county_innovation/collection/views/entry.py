"""Data entry pages: the overview of regions to fill, the entry grid, the Excel template and its import.

Thin: each view asks ``collection.policies``, calls a selector or service, and renders; refusals by a service
come back as DomainError and are shown as Chinese messages (``common.feedback``).
"""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from county_innovation.collection import excel, policies, selectors
from county_innovation.collection.forms import ImportForm, PeriodForm
from county_innovation.collection.services import entry as entry_services
from county_innovation.collection.services.imports import data_import_file
from county_innovation.common import uploads
from county_innovation.common.errors import DomainError
from county_innovation.common.feedback import domain_error_messages, show_errors
from county_innovation.common.numbers import query_int
from county_innovation.indicators.models import DataValue, Framework
from county_innovation.regions.models import Region

# A refused import lists at most this many problems on the page; the rest are counted.
PROBLEMS_SHOWN = 300
# A successful import lists at most this many rule warnings (as messages); the rest are counted.
WARNINGS_SHOWN = 30


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
    policies.data.require(request.user, "enter")
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
    policies.data.require_view(request.user, region)
    framework = selectors.entry_framework(region.level)
    if framework is None:
        raise Http404(f"「{region.name}」是{region.get_level_display()}区划，没有需要填报的指标体系。")
    round_ = selectors.round_for(framework, period)
    if round_ is not None:
        framework = round_.framework  # the round fixes the version its values are collected for
    typed: dict[str, str] = {}
    typed_comments: dict[str, str] = {}
    problems: dict[str, str] = {}
    if request.method == "POST":
        typed = {key[2:]: value for key, value in request.POST.items() if key.startswith("v_")}
        typed_comments = {key[2:]: value for key, value in request.POST.items() if key.startswith("c_")}
        versions = {
            query_int(key[4:]): query_int(value)
            for key, value in request.POST.items()
            if key.startswith("ver_") and query_int(key[4:]) is not None and query_int(value) is not None
        }
        submit = request.POST.get("action") == "submit"
        try:
            report = entry_services.data_values_save(
                actor=request.user,
                region=region,
                period=period,
                framework=framework,
                values=typed,
                comments=typed_comments,
                versions=versions,
                submit=False,
                channel=DataValue.Channel.FORM,
            )
        except entry_services.EntryInvalid as error:
            problems = error.cell_problems
            messages.error(request, error.message)
        except DomainError as error:
            show_errors(request, domain_error_messages(error))
        else:
            messages.success(request, _save_message(region, period, report))
            if submit:
                try:
                    entry_services.submissions_submit_region(
                        actor=request.user, framework=framework, period=period, region=region
                    )
                except DomainError as error:
                    lines = domain_error_messages(error)
                    show_errors(request, [f"数据已保存，但未能提交：{lines[0]}", *lines[1:]])
                else:
                    messages.success(request, f"{region.name} {period}年数据已提交，等待审核。")
            return redirect("collection:grid", region_code=region.code, period=period)
    by_owner = selectors.grid_submissions(region=region, period=period, framework=framework)
    sections = selectors.entry_grid(
        user=request.user,
        region=region,
        period=period,
        framework=framework,
        typed=typed,
        problems=problems,
        typed_comments=typed_comments,
        submissions=by_owner,
    )
    reported = [row for section in sections for row in section.rows if row.indicator.is_reported]
    rows = [row for row in reported if row.mine] or reported  # counts are of what the user fills
    submissions = [
        s for s in by_owner.values() if any(r.submission and r.submission.pk == s.pk for r in reported)
    ]
    return render(
        request,
        "collection/grid.html",
        {
            "nav": "data",
            "region": region,
            "period": period,
            "framework": framework,
            "round": round_,
            "submissions": submissions,
            "sections": sections,
            "filled": sum(1 for r in rows if r.stored),
            "submitted": sum(1 for r in rows if r.stored and r.stored.status not in {"draft", "returned"}),
            "total": len(rows),
            "can_edit": any(r.editable for r in rows),
            "can_submit": any(
                s.editable and policies.submissions.allows(request.user, "submit", s) for s in submissions
            ),
            "has_rows": bool(reported),
            "previous_period": period - 1 if selectors.period_is_valid(period - 1) else None,
            "next_period": period + 1 if selectors.period_is_valid(period + 1) else None,
        },
    )


def _save_message(region: Region, period: int, report: entry_services.SaveReport) -> str:
    done = "已保存"
    parts = [f"新增 {report.created} 项", f"修改 {report.updated} 项"]
    if report.deleted:
        parts.append(f"清空 {report.deleted} 项")
    return f"{region.name} {period}年数据{done}：" + "，".join(parts) + "。"


@login_required
def template_download(request: HttpRequest, framework_code: str, period: int) -> HttpResponse:
    policies.data.require(request.user, "enter")
    framework = _framework_or_404(framework_code)
    period = _period_or_404(period)
    code = request.GET.get("region", "").strip()
    region = get_object_or_404(Region, code=code) if code else None
    if region is not None:
        policies.data.require_view(request.user, region)
    try:
        data = selectors.template_data_for(
            user=request.user, framework=framework, period=period, region=region
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(f"{reverse('collection:entry')}?period={period}")
    name = excel.template_filename(data)
    if region is not None:
        name = f"{region.name}_{name}"
    response = HttpResponse(excel.template_build(data), content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, framework_code: str, period: int) -> HttpResponse:
    policies.data.require(request.user, "enter")
    framework = _framework_or_404(framework_code)
    period = _period_or_404(period)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = data_import_file(
                actor=request.user,
                framework=framework,
                period=period,
                file_name=upload.name,
                content=upload.read(),
                submit=form.cleaned_data["submit"],
                dry_run=form.cleaned_data["dry_run"],
                kinds=form.upload_kinds,
            )
        except DomainError as error:
            messages.error(request, error.message)
            problems = error.problems
        else:
            (messages.info if report.dry_run else messages.success)(request, report.summary())
            for note in report.skipped[:WARNINGS_SHOWN]:
                messages.info(request, note)
            for warning in report.warnings[:WARNINGS_SHOWN]:
                messages.warning(request, warning)
            if len(report.warnings) > WARNINGS_SHOWN:
                messages.warning(
                    request,
                    f"另有 {len(report.warnings) - WARNINGS_SHOWN} 条提示未列出，请在填报表中逐项核对。",
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
            "upload_max_mb": f"{uploads.max_bytes() / uploads.MB:g}",
        },
    )
