"""Pages and downloads of the reports app: bulletins and their versions, county profiles, the assessment sheet.

Every view asks ``reports.policies``; documents are built by the modules beside this one.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from county_innovation.accounts.permissions import can_view_region_raw
from county_innovation.common.errors import DomainError
from county_innovation.common.feedback import perform
from county_innovation.common.numbers import query_int
from county_innovation.common.views import not_found
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.evaluation.selectors import runs_visible_to
from county_innovation.regions.models import Region
from county_innovation.regions.selectors import city_region, counties_of
from county_innovation.reports import assessment as assessment_sheet_module
from county_innovation.reports import policies
from county_innovation.reports.documents import document_build
from county_innovation.reports.forms import AssessmentForm
from county_innovation.reports.models import CONTENT_TYPES, Bulletin
from county_innovation.reports.profile import county_profile, profile_docx, profile_filename, radar_payload
from county_innovation.reports.selectors import bulletin_runs, bulletins_of
from county_innovation.reports.services import bulletin_enqueue


def file_response(content: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    ascii_name = f"report.{fmt}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _int(value: str | None) -> int | None:
    return query_int(value)


@require_GET
@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    city = city_region()
    counties = list(policies.profiles.restrict(user, "view", counties_of(city))) if city else []
    return render(
        request,
        "reports/bulletin_list.html",
        {
            "nav": "reports",
            "rows": bulletin_runs(user),
            "counties": counties,
            "can_assess": policies.assessments.allows(user, "view"),
        },
    )


def _run_or_404(request: HttpRequest, run_id: int) -> EvaluationRun | HttpResponse:
    run = EvaluationRun.objects.select_related("framework", "scope").filter(pk=run_id).first()
    if run is None:
        return not_found(request, f"评价结果 #{run_id} 不存在，请从「定期通报」列表进入。")
    policies.bulletins.require(request.user, "view", run)
    return run


@require_GET
@login_required
def bulletin_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_or_404(request, run_id)
    if isinstance(run, HttpResponse):
        return run
    bulletins = list(bulletins_of(run))
    return render(
        request,
        "reports/bulletin_run.html",
        {
            "nav": "reports",
            "run": run,
            "bulletins": bulletins,
            "pending": any(not b.is_done and b.status != Bulletin.Status.FAILED for b in bulletins),
            "can_generate": policies.bulletins.allows(request.user, "generate"),
        },
    )


@require_POST
@login_required
def bulletin_generate(request: HttpRequest, run_id: int) -> HttpResponse:
    policies.bulletins.require(request.user, "generate")
    run = _run_or_404(request, run_id)
    if isinstance(run, HttpResponse):
        return run
    done, rows = perform(request, lambda: bulletin_enqueue(run=run, actor=request.user))
    if not done:
        return redirect("reports:bulletin_run", run_id=run.pk)
    messages.success(request, f"已排队生成第{rows[0].version}版通报（Word 与 PDF），后台完成后即可下载。")
    return redirect("reports:bulletin_run", run_id=rows[0].run_id)


@require_GET
@login_required
def bulletin_download(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = Bulletin.objects.select_related("run").filter(pk=pk).first()
    if bulletin is None:
        return not_found(request, f"通报文件 #{pk} 不存在。")
    policies.bulletins.require(request.user, "view", bulletin.run)
    if not bulletin.is_done:
        return not_found(
            request,
            f"第{bulletin.version}版通报（{bulletin.format}）{bulletin.get_status_display()}，暂不能下载。",
        )
    return file_response(bytes(bulletin.content), bulletin.filename, bulletin.format)


def _county_or_404(request: HttpRequest, code: str) -> Region | HttpResponse:
    county = Region.objects.select_related("parent").filter(code=code).first()
    if county is None or not county.is_county:
        return not_found(request, f"未找到区划代码为「{code}」的县（区），一县一档只为县（区）建立。")
    policies.profiles.require(request.user, "view", county)
    return county


def _profile(request: HttpRequest, code: str):
    county = _county_or_404(request, code)
    if isinstance(county, HttpResponse):
        return county, None
    show_raw = can_view_region_raw(request.user, county)
    profile = county_profile(county=county, period=_int(request.GET.get("period")), show_raw=show_raw)
    if profile is None:
        return county, not_found(request, f"「{county.name}」尚无已发布的评价结果，暂不能建档。")
    return county, profile


@require_GET
@login_required
def profile_page(request: HttpRequest, code: str) -> HttpResponse:
    county, profile = _profile(request, code)
    if isinstance(county, HttpResponse):
        return county
    if isinstance(profile, HttpResponse):
        return profile
    return render(
        request,
        "reports/profile.html",
        {"nav": "reports", "profile": profile, "region": county, "dimension_chart": radar_payload(profile)},
    )


@require_GET
@login_required
def profile_download(request: HttpRequest, code: str) -> HttpResponse:
    county, profile = _profile(request, code)
    if isinstance(county, HttpResponse):
        return county
    if isinstance(profile, HttpResponse):
        return profile
    try:
        content = document_build("一县一档 Word 文件", lambda: profile_docx(profile))
    except DomainError as exc:
        return document_error(request, exc.message)
    return file_response(content, profile_filename(profile), "docx")


def document_error(request: HttpRequest, message: str) -> HttpResponse:
    """A document that cannot be built now: a Chinese page saying why and what to do (409, never a 500)."""
    return render(request, "reports/document_error.html", {"nav": "reports", "message": message}, status=409)


def _assessment(request: HttpRequest):
    """(form, sheet or None, problems, runs) for the assessment page and its download."""
    runs = list(
        runs_visible_to(request.user).filter(framework__level="county", status=EvaluationRun.Status.PUBLISHED)
    )
    form = AssessmentForm(request.GET or None)
    data = form.data if form.is_bound else {k: f.initial for k, f in form.fields.items()}
    run_id = _int(str(data.get("run") or "")) or (runs[0].pk if runs else None)
    run = next((r for r in runs if r.pk == run_id), None)
    if run is None:
        message = (
            "尚无已发布的县（区）评价结果，无法折算考核得分。"
            if not runs
            else f"评价结果 #{run_id} 不是已发布的县（区）评价。"
        )
        return form, None, [message], runs
    try:
        rule = assessment_sheet_module.assessment_rule_parse(
            mode=str(data.get("mode") or "rank"),
            rank_points=str(data.get("rank_points") or ""),
            max_points=str(data.get("max_points") or ""),
        )
        sheet = assessment_sheet_module.assessment_sheet(run=run, rule=rule)
    except DomainError as exc:
        return form, None, [exc.message, *exc.problems], runs
    return form, sheet, [], runs


@require_GET
@login_required
def assessment(request: HttpRequest) -> HttpResponse:
    policies.assessments.require(request.user, "view")
    form, sheet, problems, runs = _assessment(request)
    return render(
        request,
        "reports/assessment.html",
        {
            "nav": "reports",
            "form": form,
            "sheet": sheet,
            "problems": problems,
            "runs": runs,
            "query": request.GET.urlencode(),
        },
        status=400 if problems else 200,
    )


@require_GET
@login_required
def assessment_download(request: HttpRequest) -> HttpResponse:
    policies.assessments.require(request.user, "view")
    _, sheet, problems, _ = _assessment(request)
    if sheet is None:
        return render(request, "web/not_found.html", {"message": "；".join(problems)}, status=400)
    content = assessment_sheet_module.assessment_xlsx(sheet)
    return file_response(content, assessment_sheet_module.assessment_filename(sheet), "xlsx")
