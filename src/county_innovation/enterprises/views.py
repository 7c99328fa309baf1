"""Enterprise pages: the list, an enterprise's page, a year's figures, qualifications, self-check, batch check.

Thin: each view asks ``accounts.permissions``, calls a selector or service and renders; a service's
DomainError is shown as Chinese messages. Figures appear only where ``can_view_enterprise_figures`` allows.
"""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from county_innovation.accounts import permissions
from county_innovation.accounts.models import Role
from county_innovation.collection.excel import XLSX_CONTENT_TYPE
from county_innovation.collection.forms import ImportForm
from county_innovation.common.errors import DomainError, ScopeError
from county_innovation.common.numbers import query_int
from county_innovation.enterprises import cultivation, exporting, importing, selectors, services
from county_innovation.enterprises.forms import (
    AsOfForm,
    EnterpriseFilterForm,
    EnterpriseForm,
    PoolFilterForm,
    PoolOpenForm,
    QualificationForm,
    SelfCheckForm,
    YearFiguresForm,
)
from county_innovation.enterprises.models import CultivationRound, Enterprise, EnterpriseYear
from county_innovation.regions.models import Region

IMPORT_PROBLEMS_SHOWN = 200


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    permissions.require_import_enterprises(request.user)
    return _xlsx(exporting.template_build(request.user), exporting.template_filename())


@login_required
@require_GET
def enterprise_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    permissions.require(
        permissions.scope_root(user) is not None or user.role == Role.ENTERPRISE,
        "您的账号没有管辖范围，无权导出企业名录：导出限于本辖区（或本企业）的企业。",
    )
    return _xlsx(exporting.workbook_build(exporting.export_data(user)), exporting.export_filename())


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_import(request: HttpRequest) -> HttpResponse:
    permissions.require_import_enterprises(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = importing.enterprise_import_excel(
                user=request.user, file_name=upload.name, content=upload.read()
            )
        except DomainError as error:
            messages.error(request, error.message)
            problems, status = error.problems, 400
        else:
            messages.success(
                request,
                f"导入完成：企业新增 {report.enterprises_created} 家、更新 {report.enterprises_updated} 家"
                f"（未变 {report.enterprises_unchanged} 家）；年度数据新增 {report.years_created} 条、"
                f"更新 {report.years_updated} 条（未变 {report.years_unchanged} 条）。",
            )
            return redirect("enterprises:import")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "enterprises/import.html",
        {
            "nav": "enterprises",
            "form": form,
            "problems": problems[:IMPORT_PROBLEMS_SHOWN],
            "problems_hidden": max(0, len(problems) - IMPORT_PROBLEMS_SHOWN),
        },
        status=status,
    )


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
            "can_import": permissions.can_import_enterprises(user),
            "can_register": permissions.can_register_enterprises(user),
            "can_pool": bool(counties),  # the pool, like the batch check, is for the city and county bureaus
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
            # the audit trail names who changed what; it goes with the figures, not to the public
            "history": selectors.enterprise_history(enterprise) if can_view else [],
            "qualifications": qualifications,
            "expiring": list(
                selectors.qualifications_expiring(Enterprise.objects.filter(pk=pk), today=today)
            ),
            "reminder_days": selectors.EXPIRY_REMINDER_DAYS,
            "next_year": today.year - 1,
        },
    )


REGISTRY_FORM_FIELDS = (
    "credit_code",
    "name",
    "town",
    "industry_code",
    "industry_name",
    "hightech_field",
    "founded",
    "listing_status",
)


def _registry_form_page(
    request: HttpRequest,
    form: EnterpriseForm,
    problems: list[str],
    enterprise: Enterprise | None,
    status: int,
) -> HttpResponse:
    return render(
        request,
        "enterprises/enterprise_form.html",
        {"nav": "enterprises", "form": form, "problems": problems, "enterprise": enterprise},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_new(request: HttpRequest) -> HttpResponse:
    """Register one enterprise; the service checks the credit code, duplicates and the right to the town."""
    permissions.require_register_enterprises(request.user)
    towns = selectors.towns_manageable(request.user)
    form = EnterpriseForm(request.POST or None, towns=towns)
    problems: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                enterprise = services.enterprise_create(user=request.user, **form.cleaned_data)
            except ScopeError as error:
                raise PermissionDenied(error.message) from error
            except DomainError as error:
                problems = error.problems or [error.message]
                messages.error(request, "企业未登记：请按下列提示修改。")
            else:
                messages.success(request, f"已登记「{enterprise.name}」。")
                return redirect("enterprises:detail", pk=enterprise.pk)
        else:
            messages.error(request, "企业未登记：有的项目未填写或格式不对。")
        return _registry_form_page(request, form, problems, None, 400)
    return _registry_form_page(request, form, problems, None, 200)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an enterprise's registry entry; every save is kept in its change history (simple-history)."""
    enterprise = _enterprise(pk)
    permissions.require_manage_enterprises(request.user, enterprise.town)
    towns = selectors.towns_manageable(request.user)
    initial = {name: getattr(enterprise, name) for name in REGISTRY_FORM_FIELDS}
    form = EnterpriseForm(request.POST or None, initial=initial, towns=towns)
    problems: list[str] = []
    if request.method == "POST":
        if form.is_valid() and not form.has_changed():
            messages.info(request, "登记信息没有改动。")
            return redirect("enterprises:detail", pk=enterprise.pk)
        if form.is_valid():
            try:
                services.enterprise_update(user=request.user, enterprise=enterprise, **form.cleaned_data)
            except ScopeError as error:
                raise PermissionDenied(error.message) from error
            except DomainError as error:
                problems = error.problems or [error.message]
                messages.error(request, "登记信息未修改：请按下列提示修改。")
            else:
                messages.success(request, f"已修改「{form.cleaned_data['name']}」的登记信息。")
                return redirect("enterprises:detail", pk=enterprise.pk)
        else:
            messages.error(request, "登记信息未修改：有的项目未填写或格式不对。")
        return _registry_form_page(request, form, problems, enterprise, 400)
    return _registry_form_page(request, form, problems, enterprise, 200)


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


# --- Cultivation pool (培育库): rounds, a round's tiers, the almost-qualifying list, movement between tiers ---
# Reads and writes go through ``enterprises.cultivation``; the pool is open to the city admin and the county
# officers only (``cultivation.pool_scope``), since tiers and gaps come from the enterprises' figures.


def _pool_scope(request: HttpRequest) -> Region | None:
    try:
        return cultivation.pool_scope(request.user, request.GET.get("county", "").strip())
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        raise Http404(error.message) from error


def _pool_round(year: int) -> CultivationRound:
    return get_object_or_404(CultivationRound, year=year)


@login_required
@require_GET
def pool_index(request: HttpRequest) -> HttpResponse:
    county = _pool_scope(request)
    return render(
        request,
        "enterprises/pool_index.html",
        {
            "nav": "enterprises",
            "county": county,
            "rounds": list(cultivation.pool_rounds()),
            "can_open": permissions.is_city_admin(request.user),
            "form": PoolOpenForm(initial={"year": timezone.localdate().year - 1}),
        },
    )


@login_required
@require_POST
def pool_open(request: HttpRequest) -> HttpResponse:
    permissions.require(
        permissions.is_city_admin(request.user), "您无权开启年度遴选：只有市科技局管理员可以。"
    )
    form = PoolOpenForm(request.POST)
    problems: list[str] = []
    if form.is_valid():
        try:
            pool_round = cultivation.cultivation_round_open(
                user=request.user, year=form.cleaned_data["year"], note=form.cleaned_data["note"]
            )
        except DomainError as error:
            problems = error.problems or [error.message]
        else:
            messages.success(
                request, f"已开启 {pool_round.year} 年度遴选，共 {pool_round.entries.count()} 家企业。"
            )
            return redirect("enterprises:pool_round", year=pool_round.year)
    else:
        problems = ["请填写要遴选的年度（如 2025）。"]
    return render(
        request,
        "enterprises/pool_index.html",
        {
            "nav": "enterprises",
            "county": None,
            "rounds": list(cultivation.pool_rounds()),
            "can_open": True,
            "form": form,
            "problems": problems,
        },
        status=400,
    )


@login_required
@require_GET
def pool_round(request: HttpRequest, year: int) -> HttpResponse:
    county = _pool_scope(request)
    pool_round = _pool_round(year)
    form = PoolFilterForm(request.GET or None)
    tier = form.cleaned_data.get("tier", "") if form.is_valid() else ""
    in_scope = cultivation.pool_entries(pool_round, county)
    entries = list(cultivation.pool_entries(pool_round, county, tier=tier))
    user = request.user
    return render(
        request,
        "enterprises/pool_round.html",
        {
            "nav": "enterprises",
            "pool_round": pool_round,
            "county": county,
            "counties": list(cultivation.pool_counties(user)),
            "form": form,
            "tier": tier,
            "counts": cultivation.tier_counts(in_scope),
            "entries": [
                (e, pool_round.is_open and permissions.can_manage_enterprises(user, e.enterprise.town))
                for e in entries
            ],
            "can_close": pool_round.is_open and permissions.is_city_admin(user),
        },
    )


@login_required
@require_POST
def pool_select(request: HttpRequest, year: int) -> HttpResponse:
    pool_round = _pool_round(year)
    if not (permissions.is_city_admin(request.user) or request.user.role == Role.COUNTY):
        raise PermissionDenied("您无权调整重点培育企业：只有县（区）科技局和市科技局可以。")
    ids = [n for n in (query_int(v) for v in request.POST.getlist("entry")) if n is not None]
    selected = request.POST.get("action") != "unselect"
    try:
        changed = cultivation.pool_entries_select(
            user=request.user, pool_round=pool_round, entry_ids=ids, selected=selected
        )
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已{'列入' if selected else '移出'}重点培育 {changed} 家企业。")
    query = request.POST.get("query", "")
    url = reverse("enterprises:pool_round", args=[year])
    return redirect(f"{url}?{query}" if query else url)


@login_required
@require_POST
def pool_close(request: HttpRequest, year: int) -> HttpResponse:
    pool_round = _pool_round(year)
    try:
        cultivation.cultivation_round_close(user=request.user, pool_round=pool_round)
    except ScopeError as error:
        raise PermissionDenied(f"您无权关闭年度遴选：{error.message}") from error
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{year} 年度遴选已关闭，名单已冻结。")
    return redirect("enterprises:pool_round", year=year)


@login_required
@require_GET
def pool_near(request: HttpRequest, year: int) -> HttpResponse:
    county = _pool_scope(request)
    pool_round = _pool_round(year)
    return render(
        request,
        "enterprises/pool_near.html",
        {
            "nav": "enterprises",
            "pool_round": pool_round,
            "county": county,
            "counties": list(cultivation.pool_counties(request.user)),
            "entries": cultivation.near_entries(pool_round, county),
            "near_criteria": cultivation.near_criteria(pool_round),
        },
    )


@login_required
@require_GET
def pool_flows(request: HttpRequest) -> HttpResponse:
    county = _pool_scope(request)
    return render(
        request,
        "enterprises/pool_flows.html",
        {
            "nav": "enterprises",
            "county": county,
            "counties": list(cultivation.pool_counties(request.user)),
            "sankey": cultivation.sankey_payload(county),
        },
    )
