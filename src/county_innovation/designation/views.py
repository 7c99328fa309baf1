"""Designation pages: the list, applying, an application's page with every step of the procedure, the expert's
score sheet, the targets' progress and the funding totals.

Thin: each view asks ``accounts.permissions``, calls a selector or service and renders; a service's
DomainError becomes Chinese messages. Step forms post to their own URL and return to the application's page.
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

from county_innovation.accounts import permissions
from county_innovation.accounts.models import Role, User
from county_innovation.common.errors import DomainError
from county_innovation.designation import forms, selectors, services, targets
from county_innovation.designation.models import Designation, ExpertReview, Material, ScoreSheet
from county_innovation.regions.models import Region
from county_innovation.regions.selectors import city_region


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
def designation_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.designations_visible_to(request.user).order_by("-year", "county_id", "region_id")
    status = request.GET.get("status", "")
    if status in Designation.Status.values:
        rows = rows.filter(status=status)
    root = permissions.scope_root(request.user)
    can_apply = permissions.is_city_admin(request.user) or (
        request.user.role == Role.COUNTY and root is not None
    )
    context = {
        "nav": "designation",
        "rows": rows,
        "status": status,
        "statuses": Designation.Status.choices,
        "can_apply": can_apply,
        "my_reviews": ExpertReview.objects.filter(expert=request.user).select_related("designation__region")
        if request.user.role == Role.EXPERT
        else [],
        "waiting": list(selectors.reviews_waiting_for(request.user)),
        "can_manage": permissions.can_manage_designations(request.user),
    }
    return render(request, "designation/list.html", context)


def _apply_regions(request: HttpRequest) -> list[Region]:
    user = request.user
    if permissions.is_city_admin(user):
        city = city_region()
        qs = Region.objects.filter(code__startswith=city.prefix) if city else Region.objects.all()
    else:
        root = permissions.scope_root(user)
        qs = (
            Region.objects.filter(code__startswith=root.prefix) if root is not None else Region.objects.none()
        )
    return list(qs.filter(level__in=[Region.Level.COUNTY, Region.Level.TOWN]).order_by("code"))


def _saved_message(designation: Designation, submitted: bool) -> str:
    if submitted:
        return f"已提交推荐「{designation}」，请确认申报材料齐全，等待市科技局形式审查。"
    return f"已保存草稿「{designation}」：可继续修改、上传材料，完成后点击「提交推荐」。"


@login_required
@require_http_methods(["GET", "POST"])
def designation_apply(request: HttpRequest) -> HttpResponse:
    """A new application: 保存草稿 (action=draft) or 提交推荐 (action=submit)."""
    user = request.user
    permissions.require(
        permissions.is_city_admin(user)
        or (user.role == Role.COUNTY and permissions.scope_root(user) is not None),
        "您无权申报创新型县（乡镇）：只有县（区）科技局和市科技局可以申报。",
    )
    regions = _apply_regions(request)
    form = forms.ApplyForm(request.POST or None, regions=regions)
    formset = forms.target_formset(request.POST or None)
    status = 200
    if request.method == "POST":
        submit = request.POST.get("action") != "draft"
        if form.is_valid() and formset.is_valid():
            region = get_object_or_404(Region, code=form.cleaned_data["region"])
            try:
                designation = services.designation_apply(
                    user=user,
                    region=region,
                    level=form.cleaned_data["level"],
                    theme=form.cleaned_data["theme"],
                    year=timezone.localdate().year,
                    summary=form.cleaned_data["summary"],
                    building_targets=forms.targets_from(formset),
                    submit=submit,
                )
            except DomainError as error:
                _errors(request, error)
                status = 400
            else:
                messages.success(request, _saved_message(designation, submit))
                return redirect("designation:detail", designation.pk)
        else:
            _form_errors(request, form)
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
    permissions.require_edit_designation(request.user, designation)
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
            try:
                with transaction.atomic():
                    services.designation_draft_update(
                        designation=designation,
                        user=request.user,
                        level=form.cleaned_data["level"],
                        theme=form.cleaned_data["theme"],
                        summary=form.cleaned_data["summary"],
                        building_targets=forms.targets_from(formset),
                    )
                    if submit:
                        services.designation_submit(designation=designation, user=request.user)
            except DomainError as error:
                _errors(request, error)
                status = 400
            else:
                messages.success(request, _saved_message(designation, submit))
                return redirect("designation:detail", designation.pk)
        else:
            _form_errors(request, form)
            if not formset.is_valid():
                messages.error(request, "建设目标表格的数据不完整，请刷新页面后重新填写。")
            status = 400
    context = {"nav": "designation", "form": form, "formset": formset, "d": designation}
    return render(request, "designation/apply.html", context, status=status)


@require_POST
@login_required
def designation_submit(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.designation_submit(designation=d, user=request.user)

    return _step(
        request,
        pk,
        None,
        permissions.require_edit_designation,
        act,
        "已提交推荐，等待市科技局形式审查。",
    )


@require_GET
@login_required
def designation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    designation = get_object_or_404(
        Designation.objects.select_related("region", "county", "score_sheet"), pk=pk
    )
    user = request.user
    permissions.require_view_designation(user, designation)
    manage = permissions.can_manage_designations(user)
    review = selectors.review_of(designation, user) if user.role == Role.EXPERT else None
    evaluation = designation.data_evaluation or {}
    if (
        designation.checked_at
        and designation.status != Designation.Status.RETURNED
        and not evaluation.get("available")
    ):
        # checked before any evaluation was published: show the latest published one, said so on the page
        live = services.data_evaluation_of(designation.region)
        evaluation = {**live, "live": True} if live.get("available") else evaluation
    eligible, excluded = selectors.experts_for(designation) if manage else ([], [])
    context = {
        "nav": "designation",
        "d": designation,
        "S": Designation.Status,
        "manage": manage,
        "can_edit": permissions.can_edit_designation(user, designation),
        "can_materials": permissions.can_view_designation_materials(user, designation),
        "review": review,
        "reviews": designation.reviews.select_related("expert") if manage else [],
        "history": designation.history.select_related("history_user")[:30] if manage else [],
        "evaluation": evaluation,
        "targets": selectors.target_rows(designation, user),
        "excluded_experts": excluded,
        "eligible_count": len(eligible),
        # years already begun whose annual report is missing (acceptance needs them all)
        "missing_reports": [
            y for y in services.missing_report_years(designation) if y <= timezone.localdate().year
        ],
        "checklist": [
            (label, designation.checklist.get(key)) for key, label in services.FORMAL_CHECKLIST.items()
        ],
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
    allowed: Callable,
    act: Callable,
    done: str,
) -> HttpResponse:
    """A POSTed step: check permission, parse, call the service, say what happened, back to the page."""
    designation = get_object_or_404(Designation, pk=pk)
    allowed(request.user, designation)
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        _form_errors(request, form)
        return redirect("designation:detail", pk)
    try:
        act(designation, form.cleaned_data if form is not None else {})
    except DomainError as error:
        _errors(request, error)
    else:
        messages.success(request, done)
    return redirect("designation:detail", pk)


def _manager(user, designation) -> None:
    permissions.require_manage_designations(user)


@require_POST
@login_required
def material_upload(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        upload = data.get("file")
        if upload is None:
            raise DomainError("请选择要上传的文件。")
        services.material_add(
            designation=d, user=request.user, title=data["title"], filename=upload.name, content=upload.read()
        )

    return _step(request, pk, forms.MaterialForm, permissions.require_edit_designation, act, "材料已上传。")


@require_GET
@login_required
def material_download(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_object_or_404(Material.objects.select_related("designation__region"), pk=pk)
    permissions.require_view_designation_materials(request.user, material.designation)
    response = HttpResponse(bytes(material.content), content_type=material.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(material.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
def formal_check(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.formal_check(designation=d, user=request.user, checklist=data, note=data.get("note", ""))

    return _step(request, pk, forms.CheckForm, _manager, act, "形式审查结果已记录。")


@require_POST
@login_required
def experts_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.experts_assign(designation=d, user=request.user, experts=list(data["experts"]))

    designation = get_object_or_404(Designation, pk=pk)

    def form_class(*args):
        return forms.AssignForm(*args, designation=designation)

    return _step(request, pk, form_class, _manager, act, "评审专家已分配。")


@login_required
@require_http_methods(["GET", "POST"])
def review_score(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(ExpertReview.objects.select_related("designation__region"), pk=pk)
    permissions.require_score_review(request.user, review)
    designation = review.designation
    sheet = designation.score_sheet or ScoreSheet.objects.filter(is_default=True).first()
    status = 200
    if request.method == "POST":
        scores = {c["key"]: request.POST.get(c["key"], "") for c in sheet.criteria}
        try:
            services.review_score(
                review=review, user=request.user, scores=scores, comment=request.POST.get("comment", "")
            )
        except DomainError as error:
            _errors(request, error)
            status = 400
        else:
            messages.success(request, "评分已提交。")
            return redirect("designation:detail", designation.pk)
    rows = [(c, request.POST.get(c["key"], review.scores.get(c["key"], ""))) for c in sheet.criteria]
    context = {"nav": "designation", "review": review, "d": designation, "sheet": sheet, "rows": rows}
    return render(request, "designation/score.html", context, status=status)


@require_POST
@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.notice_start(designation=d, user=request.user, start=data["start"], end=data["end"])

    return _step(request, pk, forms.NoticeForm, _manager, act, "已进入公示。")


@require_POST
@login_required
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.objection_record(designation=d, user=request.user, **data)

    return _step(request, pk, forms.ObjectionForm, _manager, act, "公示异议已登记。")


@require_POST
@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.designation_decide(designation=d, user=request.user, **data)

    return _step(request, pk, forms.DecideForm, _manager, act, "认定决定已记录。")


@require_POST
@login_required
def build_report(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.build_report_submit(designation=d, user=request.user, year=data["year"], text=data["text"])

    return _step(
        request, pk, forms.BuildReportForm, permissions.require_edit_designation, act, "年度建设报告已报送。"
    )


@require_POST
@login_required
def acceptance(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.acceptance_record(designation=d, user=request.user, result=data["result"], note=data["note"])

    return _step(request, pk, forms.AcceptanceForm, _manager, act, "验收结论已记录。")


@require_POST
@login_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.designation_revoke(designation=d, user=request.user, reason=data["reason"])

    return _step(request, pk, forms.RevokeForm, _manager, act, "认定已撤销。")


@require_POST
@login_required
def funding_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(d, data):
        services.funding_grant(designation=d, user=request.user, **data)

    return _step(request, pk, forms.FundingForm, _manager, act, "支持资金已登记。")


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
    permissions.require_manage_designations(request.user)
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
            try:
                if data.get("account"):
                    account = get_object_or_404(User, pk=data["account"])
                    profile = services.expert_link(user=request.user, account=account, **fields)
                    messages.success(request, f"已将账号「{account.username}」加入专家库。")
                    return redirect("designation:experts")
                profile, password = services.expert_create(
                    user=request.user, username=data.get("username", ""), **fields
                )
            except DomainError as error:
                _errors(request, error)
                status = 400
            else:
                created = {"profile": profile, "password": password}
                form = forms.ExpertCreateForm(counties=counties, accounts=_unpooled_expert_accounts())
        else:
            _form_errors(request, form)
            status = 400
    context = {"nav": "designation", "pool": selectors.expert_pool(), "form": form, "created": created}
    response = render(request, "designation/experts.html", context, status=status)
    if created:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def expert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require_manage_designations(request.user)
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
            try:
                services.expert_update(
                    user=request.user,
                    profile=profile,
                    name=data["name"],
                    organisation=data["organisation"],
                    field=data["field"],
                    home_region=home,
                    active=data["active"],
                )
            except DomainError as error:
                _errors(request, error)
                status = 400
            else:
                messages.success(request, f"已保存专家「{profile.user}」的信息。")
                return redirect("designation:experts")
        else:
            _form_errors(request, form)
            status = 400
    context = {"nav": "designation", "profile": profile, "form": form}
    return render(request, "designation/expert_edit.html", context, status=status)
