"""The registry's pages: the list, an enterprise's page, registering and changing an entry, a qualification,
the deregistration (注销). Thin: each view asks ``enterprises.policies``, calls a selector or service and renders.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from county_innovation.common.errors import DomainError, ScopeError
from county_innovation.common.feedback import form_error_messages, perform, show_errors
from county_innovation.enterprises import policies, selectors, services
from county_innovation.enterprises.forms import (
    DeregisterForm,
    EnterpriseFilterForm,
    EnterpriseForm,
    QualificationForm,
)
from county_innovation.enterprises.models import REGISTRY_FIELDS, Enterprise
from county_innovation.regions.models import Region

PAGE_SIZE = 50


def enterprise_or_404(pk: int) -> Enterprise:
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
        visible,
        town=filters.get("town", ""),
        kind=filters.get("kind", ""),
        text=filters.get("q", ""),
        status=filters.get("status", ""),
    )
    page = Paginator(enterprises, PAGE_SIZE).get_page(request.GET.get("page"))
    regional = policies.enterprises.allows(user, "view_reminders")
    counties = selectors.counties_checkable(user)
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
            "can_import": policies.enterprises.allows(user, "import"),
            "can_register": policies.enterprises.allows(user, "register"),
            "can_pool": bool(counties),  # the pool, like the batch check, is for the city and county bureaus
        },
    )


@login_required
@require_GET
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = enterprise_or_404(pk)
    user = request.user
    can_view = policies.enterprises.allows(user, "view_figures", enterprise)
    can_manage = policies.enterprises.allows(user, "manage", enterprise)
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
            "can_edit_figures": policies.enterprises.allows(user, "edit_figures", enterprise),
            "can_manage": can_manage,
            "can_deregister": can_manage and not enterprise.is_deregistered,
            "deregister_form": DeregisterForm(initial={"on": today}),
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
    policies.enterprises.require(request.user, "register")
    towns = selectors.towns_manageable(request.user)
    form = EnterpriseForm(request.POST or None, towns=towns)
    problems: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                enterprise = services.enterprise_create(actor=request.user, **form.cleaned_data)
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
    enterprise = enterprise_or_404(pk)
    policies.enterprises.require(request.user, "manage", enterprise)
    towns = selectors.towns_manageable(request.user)
    initial = {name: getattr(enterprise, name) for name in REGISTRY_FIELDS}
    form = EnterpriseForm(request.POST or None, initial=initial, towns=towns)
    problems: list[str] = []
    if request.method == "POST":
        if form.is_valid() and not form.has_changed():
            messages.info(request, "登记信息没有改动。")
            return redirect("enterprises:detail", pk=enterprise.pk)
        if form.is_valid():
            try:
                services.enterprise_update(actor=request.user, enterprise=enterprise, **form.cleaned_data)
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
def qualification_new(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = enterprise_or_404(pk)
    policies.enterprises.require(request.user, "manage", enterprise)
    problems: list[str] = []
    status = 200
    form = QualificationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.qualification_add(actor=request.user, enterprise=enterprise, **form.cleaned_data)
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
@require_POST
def enterprise_deregister(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the deregistration (注销) of an enterprise: a confirmed form with the date and the reason."""
    enterprise = enterprise_or_404(pk)
    policies.enterprises.require(request.user, "deregister", enterprise)
    form = DeregisterForm(request.POST)
    if not form.is_valid():
        show_errors(request, ["企业未注销：", *form_error_messages(form)])
        return redirect("enterprises:detail", pk=enterprise.pk)
    perform(
        request,
        lambda: services.enterprise_deregister(
            actor=request.user,
            enterprise=enterprise,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
        ),
        done=f"已登记「{enterprise.name}」于 {form.cleaned_data['on']:%Y-%m-%d} 注销。",
    )
    return redirect("enterprises:detail", pk=enterprise.pk)
