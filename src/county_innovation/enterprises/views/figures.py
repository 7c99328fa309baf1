"""An enterprise's figures: entering a year's figures, the self-check by the rules, a county's batch check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from county_innovation.common.errors import DomainError
from county_innovation.enterprises import policies, selectors, services
from county_innovation.enterprises.forms import AsOfForm, SelfCheckForm, YearFiguresForm
from county_innovation.enterprises.models import EnterpriseYear
from county_innovation.enterprises.views.registry import enterprise_or_404
from county_innovation.regions.models import Region


@login_required
@require_http_methods(["GET", "POST"])
def year_edit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    enterprise = enterprise_or_404(pk)
    policies.enterprises.require(request.user, "edit_figures", enterprise)
    existing = EnterpriseYear.objects.filter(enterprise=enterprise, year=year).first()
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        form = YearFiguresForm(request.POST)
        if form.is_valid():
            try:
                services.enterprise_year_save(
                    actor=request.user, enterprise=enterprise, year=year, figures=form.cleaned_data
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
@require_GET
def self_check(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = enterprise_or_404(pk)
    policies.enterprises.require(request.user, "view_figures", enterprise)
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
    policies.regions.require(request.user, "batch_check", county)
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
