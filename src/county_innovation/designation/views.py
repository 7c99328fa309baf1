"""Designation pages: the list, applying, an application's page with every step of the procedure, the expert's
score sheet, the targets' progress and the funding totals.

Thin: each view asks ``designation.policies``, calls a selector or service and renders; a service's refusal
becomes Chinese messages (``common.feedback``). Step forms post to their own URL and return to the
application's page; templates get booleans (``manage``, ``can_edit``, ``can_materials``) from the policies.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from county_innovation.accounts.models import Role, User
from county_innovation.common.errors import DomainError
from county_innovation.common.feedback import form_error_messages, perform, show_errors
from county_innovation.designation import forms, selectors, services, targets
from county_innovation.designation.models import Designation, ExpertReview, Material, ScoreSheet
from county_innovation.designation.policies import applications, designations, experts, reviews
from county_innovation.designation.rules import FORMAL_CHECKLIST
from county_innovation.regions.models import Region
from county_innovation.regions.selectors import city_region


@require_GET
@login_required
def designation_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.designations_visible_to(request.user).order_by("-year", "county_id", "region_id")
    status = request.GET.get("status", "")
    if status in Designation.Status.values:
        rows = rows.filter(status=status)
    context = {
        "nav": "designation",
        "rows": rows,
        "status": status,
        "statuses": Designation.Status.choices,
        "can_apply": applications.allows(request.user, "apply"),
        "my_reviews": selectors.reviews_of(request.user),
        "waiting": list(selectors.reviews_waiting_for(request.user)),
        "can_manage": designations.allows(request.user, "manage"),
    }
    return render(request, "designation/list.html", context)


def _saved_message(designation: Designation, submitted: bool) -> str:
    if submitted:
        return f"已提交推荐「{designation}」，请确认申报材料齐全，等待市科技局形式审查。"
    return f"已保存草稿「{designation}」：可继续修改、上传材料，完成后点击「提交推荐」。"


@login_required
@require_http_methods(["GET", "POST"])
def designation_apply(request: HttpRequest) -> HttpResponse:
    """A new application: 保存草稿 (action=draft) or 提交推荐 (action=submit)."""
    user = request.user
    applications.require(user, "apply")
    regions = selectors.apply_regions(user)
    form = forms.ApplyForm(request.POST or None, regions=regions)
    formset = forms.target_formset(request.POST or None)
    status = 200
    if request.method == "POST":
        submit = request.POST.get("action") != "draft"
        if form.is_valid() and formset.is_valid():
            region = get_object_or_404(Region, code=form.cleaned_data["region"])
            ok, designation = perform(
                request,
                lambda: services.designation_apply(
                    actor=user,
                    region=region,
                    level=form.cleaned_data["level"],
                    theme=form.cleaned_data["theme"],
                    year=timezone.localdate().year,
                    summary=form.cleaned_data["summary"],
                    building_targets=forms.targets_from(formset),
                    submit=submit,
                ),
            )
            if ok:
                messages.success(request, _saved_message(designation, submit))
                return redirect("designation:detail", designation.pk)
            status = 400
        else:
            show_errors(request, form_error_messages(form))
            if not formset.is_valid():
                messages.error(request, "建设目标表格的数据不完整，请刷新页面后重新填写。")
            status = 400
    context = {"nav": "designation", "form": form, "formset": formset, "d": None}
    return render(request, "designation/apply.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def designation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft's page to change it, save it again or submit it (提交推荐)."""
    designation = get_object_or_404(Designation.objects.select_related("region", "county"), pk=pk)
    designations.require(request.user, "edit", designation)
    if designation.status != Designation.Status.DRAFT:
        messages.error(request, f"「{designation}」已提交推荐，不能再修改申报内容。")
        return redirect("designation:detail", pk)
    initial = {"level": designation.level, "theme": designation.theme, "summary": designation.summary}
    form = forms.DraftForm(request.POST or None, initial=initial)
    formset = forms.target_formset(request.POST or None, initial=forms.targets_initial(designation))
    status = 200
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        if form.is_valid() and formset.is_valid():

            @transaction.atomic
            def save() -> None:
                services.designation_draft_update(
                    designation=designation,
                    actor=request.user,
                    level=form.cleaned_data["level"],
                    theme=form.cleaned_data["theme"],
                    summary=form.cleaned_data["summary"],
                    building_targets=forms.targets_from(formset),
                )
                if submit:
                    services.designation_submit(designation=designation, actor=request.user)

            ok, _ = perform(request, save, done=_saved_message(designation, submit))
            if ok:
                return redirect("designation:detail", designation.pk)
            status = 400
        else:
            show_errors(request, form_error_messages(form))
            if not formset.is_valid():
                messages.error(request, "建设目标表格的数据不完整，请刷新页面后重新填写。")
            status = 400
    context = {"nav": "designation", "form": form, "formset": formset, "d": designation}
    return render(request, "designation/apply.html", context, status=status)


@require_POST
@login_required
def designation_submit(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.designation_submit(designation=d, actor=request.user)

    return _step(request, pk, None, "edit", act, "已提交推荐，等待市科技局形式审查。")


@require_GET
@login_required
def designation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    designation = get_object_or_404(
        Designation.objects.select_related("region", "county", "score_sheet"), pk=pk
    )
    user = request.user
    designations.require(user, "view", designation)
    manage = designations.allows(user, "manage", designation)
    review = selectors.review_of(designation, user)
    evaluation = designation.data_evaluation or {}
    if (
        designation.checked_at
        and designation.status != Designation.Status.RETURNED
        and not evaluation.get("available")
    ):
        # checked before any evaluation was published: show the latest published one, said so on the page
        live = selectors.data_evaluation_of(designation.region)
        evaluation = {**live, "live": True} if live.get("available") else evaluation
    eligible, excluded = selectors.experts_for(designation) if manage else ([], [])
    context = {
        "nav": "designation",
        "d": designation,
        "S": Designation.Status,
        "manage": manage,
        "can_edit": designations.allows(user, "edit", designation),
        "can_materials": designations.allows(user, "view_materials", designation),
        "review": review,
        "reviews": designation.reviews.select_related("expert") if manage else [],
        "history": designation.history.select_related("history_user")[:30] if manage else [],
        "evaluation": evaluation,
        "targets": selectors.target_rows(designation, user),
        "excluded_experts": excluded,
        "eligible_count": len(eligible),
        # years already begun whose annual report is missing (acceptance needs them all)
        "missing_reports": [
            y for y in selectors.missing_report_years(designation) if y <= timezone.localdate().year
        ],
        "checklist": [(label, designation.checklist.get(key)) for key, label in FORMAL_CHECKLIST.items()],
        "forms": {
            "material": forms.MaterialForm(),
            "check": forms.CheckForm(),
            "assign": forms.AssignForm(designation=designation) if manage else None,
            "notice": forms.NoticeForm(),
            "objection": forms.ObjectionForm(),
            "decide": forms.DecideForm(designation=designation),
            "report": forms.BuildReportForm(initial={"year": timezone.localdate().year}),
            "accept": forms.AcceptanceForm(),
            "revoke": forms.RevokeForm(),
            "funding": forms.FundingForm(initial={"year": timezone.localdate().year}),
        },
    }
    if evaluation.get("available"):
        context["radar"] = {
            "title": f"{evaluation['period']}年各维度得分（数据评价）",
            "max": evaluation["radar_max"],
            "indicators": [d["name"] for d in evaluation["dimensions"]],
            "series": [
                {"name": designation.region.name, "data": [d["score"] for d in evaluation["dimensions"]]},
                {
                    "name": "同级平均",
                    "data": [d["average"] for d in evaluation["dimensions"]],
                    "dashed": True,
                },
            ],
        }
        context["trend"] = {
            "title": "综合指数历年变化",
            "periods": evaluation["trend"]["periods"],
            "series": [{"name": designation.region.name, "data": evaluation["trend"]["index"]}],
            "x_name": "年度",
            "y_name": "综合指数",
        }
    return render(request, "designation/detail.html", context)


def _step(
    request: HttpRequest,
    pk: int,
    form_class,
    action: str,
    act: Callable,
    done: str,
) -> HttpResponse:
    """A POSTed step: check the action, parse, call the service, say what happened, back to the page."""
    designation = get_object_or_404(Designation, pk=pk)
    designations.require(request.user, action, designation)
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        show_errors(request, form_error_messages(form))
        return redirect("designation:detail", pk)
    perform(request, lambda: act(designation, form.cleaned_data if form is not None else {}), done=done)
    return redirect("designation:detail", pk)


@require_POST
@login_required
def material_upload(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        upload = data.get("file")
        if upload is None:
            raise DomainError("请选择要上传的文件。")
        services.material_add(
            designation=d,
            actor=request.user,
            title=data["title"],
            filename=upload.name,
            content=upload.read(),
        )

    return _step(request, pk, forms.MaterialForm, "edit", act, "材料已上传。")


@require_GET
@login_required
def material_download(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_object_or_404(Material.objects.select_related("designation__region"), pk=pk)
    designations.require(request.user, "view_materials", material.designation)
    response = HttpResponse(bytes(material.content), content_type=material.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(material.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
def formal_check(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.formal_check(designation=d, actor=request.user, checklist=data, note=data.get("note", ""))

    return _step(request, pk, forms.CheckForm, "manage", act, "形式审查结果已记录。")


@require_POST
@login_required
def experts_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.experts_assign(designation=d, actor=request.user, experts=list(data["experts"]))

    designation = get_object_or_404(Designation, pk=pk)

    def form_class(*args):
        return forms.AssignForm(*args, designation=designation)

    return _step(request, pk, form_class, "manage", act, "评审专家已分配。")


@login_required
@require_http_methods(["GET", "POST"])
def review_score(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(ExpertReview.objects.select_related("designation__region"), pk=pk)
    reviews.require(request.user, "score", review)
    designation = review.designation
    sheet = designation.score_sheet or ScoreSheet.objects.filter(is_default=True).first()
    status = 200
    if request.method == "POST":
        scores = {c["key"]: request.POST.get(c["key"], "") for c in sheet.criteria}
        ok, _ = perform(
            request,
            lambda: services.review_score(
                review=review, actor=request.user, scores=scores, comment=request.POST.get("comment", "")
            ),
            done="评分已提交。",
        )
        if ok:
            return redirect("designation:detail", designation.pk)
        status = 400
    rows = [(c, request.POST.get(c["key"], review.scores.get(c["key"], ""))) for c in sheet.criteria]
    context = {"nav": "designation", "review": review, "d": designation, "sheet": sheet, "rows": rows}
    return render(request, "designation/score.html", context, status=status)


@require_POST
@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.notice_start(designation=d, actor=request.user, start=data["start"], end=data["end"])

    return _step(request, pk, forms.NoticeForm, "manage", act, "已进入公示。")


@require_POST
@login_required
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.objection_record(designation=d, actor=request.user, **data)

    return _step(request, pk, forms.ObjectionForm, "manage", act, "公示异议已登记。")


@require_POST
@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.designation_decide(designation=d, actor=request.user, **data)

    return _step(request, pk, forms.DecideForm, "manage", act, "认定决定已记录。")


@require_POST
@login_required
def build_report(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.build_report_submit(designation=d, actor=request.user, year=data["year"], text=data["text"])

    return _step(request, pk, forms.BuildReportForm, "edit", act, "年度建设报告已报送。")


@require_POST
@login_required
def acceptance(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.acceptance_record(
            designation=d, actor=request.user, result=data["result"], note=data["note"]
        )

    return _step(request, pk, forms.AcceptanceForm, "manage", act, "验收结论已记录。")


@require_POST
@login_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.designation_revoke(designation=d, actor=request.user, reason=data["reason"])

    return _step(request, pk, forms.RevokeForm, "manage", act, "认定已撤销。")


@require_POST
@login_required
def funding_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.funding_grant(designation=d, actor=request.user, **data)

    return _step(request, pk, forms.FundingForm, "manage", act, "支持资金已登记。")


@require_GET
@login_required
def target_progress(request: HttpRequest) -> HttpResponse:
    rows = targets.all_target_progress()
    city = city_region()
    context = {
        "nav": "designation",
        "rows": rows,
        "charts": [
            {"id": f"target-chart-{unit}", "data": chart}
            for unit in ("county", "town")
            if (chart := targets.progress_chart(rows, unit=unit))
        ],
        "counties": targets.county_town_designations(city) if city else [],
        "year": timezone.localdate().year,
        "pace_years": targets.PACE_YEARS,
        "pipeline_success": int(targets.PIPELINE_SUCCESS * 100),
    }
    return render(request, "designation/targets.html", context)


@require_GET
@login_required
def funding(request: HttpRequest) -> HttpResponse:
    totals = selectors.funding_totals()
    for county in totals["counties"]:
        county["cells"] = [county["years"].get(y) for y in totals["years"]]
    levels = dict(selectors.Level.choices)
    by_level = [(levels.get(k, k), v) for k, v in totals["by_level"].items()]
    return render(
        request, "designation/funding.html", {"nav": "designation", "totals": totals, "by_level": by_level}
    )


# --- 专家库 -----------------------------------------------------------------------------------------------------


def _counties() -> list[Region]:
    city = city_region()
    qs = Region.objects.filter(level=Region.Level.COUNTY)
    if city is not None:
        qs = qs.filter(code__startswith=city.prefix)
    return list(qs.order_by("code"))


def _unpooled_expert_accounts() -> list[User]:
    return list(
        User.objects.filter(role=Role.EXPERT, is_active=True, expert_profile__isnull=True).order_by(
            "username"
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
def expert_pool(request: HttpRequest) -> HttpResponse:
    """专家库 (city admin): the pool with each expert's county (回避), and a form to add one with a new login
    account, whose initial password is shown on this response only, or by linking an existing account."""
    experts.require(request.user, "manage")
    counties = _counties()
    form = forms.ExpertCreateForm(
        request.POST or None, counties=counties, accounts=_unpooled_expert_accounts()
    )
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            home = Region.objects.filter(code=data["home_region"]).first() if data["home_region"] else None
            fields = {
                "name": data["name"],
                "organisation": data["organisation"],
                "field": data["field"],
                "home_region": home,
            }
            if data.get("account"):
                account = get_object_or_404(User, pk=data["account"])
                ok, _ = perform(
                    request,
                    lambda: services.expert_link(actor=request.user, account=account, **fields),
                    done=f"已将账号「{account.username}」加入专家库。",
                )
                if ok:
                    return redirect("designation:experts")
                status = 400
            else:
                ok, result = perform(
                    request,
                    lambda: services.expert_create(
                        actor=request.user, username=data.get("username", ""), **fields
                    ),
                )
                if ok:
                    profile, password = result
                    created = {"profile": profile, "password": password}
                    form = forms.ExpertCreateForm(counties=counties, accounts=_unpooled_expert_accounts())
                else:
                    status = 400
        else:
            show_errors(request, form_error_messages(form))
            status = 400
    context = {"nav": "designation", "pool": selectors.expert_pool(), "form": form, "created": created}
    response = render(request, "designation/experts.html", context, status=status)
    if created:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def expert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    experts.require(request.user, "manage")
    profile = get_object_or_404(selectors.expert_pool(), pk=pk)
    initial = {
        "name": str(profile.user),
        "organisation": profile.affiliation,
        "field": profile.field,
        "home_region": profile.home_region_id or "",
        "active": profile.user.is_active,
    }
    form = forms.ExpertEditForm(request.POST or None, initial=initial, counties=_counties())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            home = Region.objects.filter(code=data["home_region"]).first() if data["home_region"] else None
            ok, _ = perform(
                request,
                lambda: services.expert_update(
                    actor=request.user,
                    profile=profile,
                    name=data["name"],
                    organisation=data["organisation"],
                    field=data["field"],
                    home_region=home,
                    active=data["active"],
                ),
                done=f"已保存专家「{profile.user}」的信息。",
            )
            if ok:
                return redirect("designation:experts")
            status = 400
        else:
            show_errors(request, form_error_messages(form))
            status = 400
    context = {"nav": "designation", "profile": profile, "form": form}
    return render(request, "designation/expert_edit.html", context, status=status)
