"""Enterprise pages: the list, an enterprise's page, a year's figures, qualifications, self-check, batch check.

Thin: each view asks ``accounts.permissions``, calls a selector or service and renders; a service's
DomainError is shown as Chinese messages. Figures appear only where ``can_view_enterprise_figures`` allows.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from county_innovation.accounts import permissions
from county_innovation.accounts.models import Role
from county_innovation.common.errors import DomainError
from county_innovation.enterprises import selectors, services
from county_innovation.enterprises.forms import (
    AsOfForm,
    EnterpriseFilterForm,
    QualificationForm,
    SelfCheckForm,
    YearFiguresForm,
)
from county_innovation.enterprises.models import Enterprise, EnterpriseYear
from county_innovation.regions.models import Region

PAGE_SIZE = 50


def _enterprise(pk: int) -> Enterprise:
    return get_object_or_404(Enterprise.objects.select_related("town", "town__parent"), pk=pk)


def _county_of(enterprise: Enterprise) -> Region | None:
    return Region.objects.filter(code=enterprise.county_code).first()


@login_required
@require_GET
def enterprise_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = selectors.enterprises_visible(user)
    form = EnterpriseFilterForm(request.GET or None, towns=list(selectors.towns_for_filter(user)))
    filters = form.cleaned_data if form.is_valid() else {}
    enterprises = selectors.enterprises_filter(
        visible, town=filters.get("town", ""), kind=filters.get("kind", ""), text=filters.get("q", "")
    )
    page = Paginator(enterprises, PAGE_SIZE).get_page(request.GET.get("page"))
    regional = user.role in permissions.REGIONAL_ROLES or user.is_superuser
    counties = []
    if permissions.is_city_admin(user):
        counties = list(
            Region.objects.filter(level=Region.Level.COUNTY, code__startswith="3601").order_by("code")
        )
    elif user.role == Role.COUNTY and user.region is not None:
        counties = [user.region]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "enterprises/list.html",
        {
            "nav": "enterprises",
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "regional": regional,
            "expiring": list(selectors.qualifications_expiring(visible)[:50]) if regional else [],
            "reminder_days": selectors.EXPIRY_REMINDER_DAYS,
            "mine": list(selectors.enterprises_of_member(user)),
            "counties": counties,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise(pk)
    user = request.user
    can_view = permissions.can_view_enterprise_figures(user, enterprise)
    today = timezone.localdate()
    qualifications = [(q, selectors.qualification_status(q, today)) for q in enterprise.qualifications.all()]
    return render(
        request,
        "enterprises/detail.html",
        {
            "nav": "enterprises",
            "enterprise": enterprise,
            "county": _county_of(enterprise),
            "can_view_figures": can_view,
            "can_edit_figures": permissions.can_edit_enterprise_figures(user, enterprise),
            "can_manage": permissions.can_manage_enterprises(user, enterprise.town),
            "years": selectors.enterprise_years(enterprise) if can_view else [],
            "qualifications": qualifications,
            "expiring": list(
                selectors.qualifications_expiring(Enterprise.objects.filter(pk=pk), today=today)
            ),
            "reminder_days": selectors.EXPIRY_REMINDER_DAYS,
            "next_year": today.year - 1,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def year_edit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    enterprise = _enterprise(pk)
    permissions.require_edit_enterprise_figures(request.user, enterprise)
    existing = EnterpriseYear.objects.filter(enterprise=enterprise, year=year).first()
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        form = YearFiguresForm(request.POST)
        if form.is_valid():
            try:
                services.enterprise_year_save(
                    user=request.user, enterprise=enterprise, year=year, figures=form.cleaned_data
                )
            except DomainError as error:
                problems = error.problems or [error.message]
                messages.error(request, f"{year}年数据未保存：请按下列提示修改。")
            else:
                messages.success(request, f"已保存「{enterprise.name}」{year}年的数据。")
                return redirect("enterprises:detail", pk=enterprise.pk)
        else:
            messages.error(request, f"{year}年数据未保存：有的项目未填写或不是数字。")
        status = 400
    else:
        initial = {f.name: getattr(existing, f.name) for f in EnterpriseYear._meta.fields} if existing else {}
        form = YearFiguresForm(initial=initial)
    return render(
        request,
        "enterprises/year_form.html",
        {
            "nav": "enterprises",
            "enterprise": enterprise,
            "year": year,
            "form": form,
            "problems": problems,
            "existing": existing,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def qualification_new(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise(pk)
    permissions.require_manage_enterprises(request.user, enterprise.town)
    problems: list[str] = []
    status = 200
    form = QualificationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.qualification_add(user=request.user, enterprise=enterprise, **form.cleaned_data)
            except DomainError as error:
                problems = error.problems or [error.message]
            else:
                messages.success(request, f"已为「{enterprise.name}」登记资质。")
                return redirect("enterprises:detail", pk=enterprise.pk)
        status = 400
    return render(
        request,
        "enterprises/qualification_form.html",
        {"nav": "enterprises", "enterprise": enterprise, "form": form, "problems": problems},
        status=status,
    )


@login_required
@require_GET
def self_check(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _enterprise(pk)
    permissions.require_view_enterprise_figures(request.user, enterprise)
    form = SelfCheckForm.from_query(request.GET)
    check, problem = None, ""
    if form.is_valid():
        declared = {k: v for k, v in form.cleaned_data.items() if k != "as_of"}
        try:
            check = selectors.enterprise_check(enterprise, form.cleaned_data["as_of"], declared=declared)
        except DomainError as error:
            problem = error.message
    return render(
        request,
        "enterprises/self_check.html",
        {
            "nav": "enterprises",
            "enterprise": enterprise,
            "form": form,
            "check": check,
            "problem": problem,
            "years": selectors.fiscal_years(form.cleaned_data["as_of"]) if form.is_valid() else [],
        },
    )


@login_required
@require_GET
def batch_check(request: HttpRequest, code: str) -> HttpResponse:
    county = get_object_or_404(Region, code=code)
    if not county.is_county:
        raise Http404(f"「{county.name}」不是县（区），批量测评按县（区）进行。")
    permissions.require_batch_check_county(request.user, county)
    form = AsOfForm(request.GET if "as_of" in request.GET else {"as_of": timezone.localdate().isoformat()})
    as_of = form.cleaned_data["as_of"] if form.is_valid() else timezone.localdate()
    rows = selectors.county_batch_check(county, as_of)
    checked = [r for r in rows if r.result]
    return render(
        request,
        "enterprises/batch_check.html",
        {
            "nav": "enterprises",
            "county": county,
            "form": form,
            "rows": rows,
            "years": selectors.fiscal_years(as_of),
            "summary": {
                "total": len(rows),
                "checked": len(checked),
                "tech_sme": sum(1 for r in checked if r.result["tech_sme"]["eligible"]),
                "high_tech": sum(1 for r in checked if r.result["high_tech"]["conditions_met"]),
            },
        },
    )
