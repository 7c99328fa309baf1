"""The cultivation pool (培育库): the rounds, a round's tiers, the almost-qualifying list, movement between tiers.

The pool is open to the city admin and the county officers only (``selectors.pool_scope``, ``policies.pools``),
since tiers and gaps come from the enterprises' figures; the city admin opens and closes a round.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from county_innovation.common.errors import DomainError, ScopeError
from county_innovation.common.numbers import query_int
from county_innovation.enterprises import charts, cultivation_rules, policies, selectors, services
from county_innovation.enterprises.forms import PoolFilterForm, PoolOpenForm
from county_innovation.enterprises.models import CultivationRound
from county_innovation.regions.models import Region


def _pool_scope(request: HttpRequest) -> Region | None:
    """The county a pool page shows (``None``: the whole city); a refusal is a 403, an unknown county a 404."""
    try:
        return selectors.pool_scope(request.user, request.GET.get("county", "").strip())
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
            "rounds": list(selectors.pool_rounds()),
            "can_open": policies.pools.allows(request.user, "manage"),
            "form": PoolOpenForm(initial={"year": timezone.localdate().year - 1}),
        },
    )


@login_required
@require_POST
def pool_open(request: HttpRequest) -> HttpResponse:
    policies.pools.require(request.user, "manage", message="您无权开启年度遴选：只有市科技局管理员可以。")
    form = PoolOpenForm(request.POST)
    problems: list[str] = []
    if form.is_valid():
        try:
            pool_round = services.cultivation_round_open(
                actor=request.user, year=form.cleaned_data["year"], note=form.cleaned_data["note"]
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
            "rounds": list(selectors.pool_rounds()),
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
    in_scope = selectors.pool_entries(pool_round, county)
    entries = list(selectors.pool_entries(pool_round, county, tier=tier))
    user = request.user
    return render(
        request,
        "enterprises/pool_round.html",
        {
            "nav": "enterprises",
            "pool_round": pool_round,
            "county": county,
            "counties": list(selectors.pool_counties(user)),
            "form": form,
            "tier": tier,
            "counts": selectors.tier_counts(in_scope),
            "entries": [
                (e, pool_round.is_open and policies.enterprises.allows(user, "manage", e.enterprise))
                for e in entries
            ],
            "can_close": pool_round.is_open and policies.pools.allows(user, "manage"),
        },
    )


@login_required
@require_POST
def pool_select(request: HttpRequest, year: int) -> HttpResponse:
    pool_round = _pool_round(year)
    policies.pools.require(request.user, "select")
    ids = [n for n in (query_int(v) for v in request.POST.getlist("entry")) if n is not None]
    selected = request.POST.get("action") != "unselect"
    try:
        changed = services.pool_entries_select(
            actor=request.user, pool_round=pool_round, entry_ids=ids, selected=selected
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
        services.cultivation_round_close(actor=request.user, pool_round=pool_round)
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
            "counties": list(selectors.pool_counties(request.user)),
            "entries": selectors.near_entries(pool_round, county),
            "near_criteria": cultivation_rules.near_criteria(pool_round),
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
            "counties": list(selectors.pool_counties(request.user)),
            "sankey": charts.sankey_payload(county),
        },
    )
