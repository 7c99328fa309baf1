"""Pages over the indicators: the list of framework versions, and the development zones (region groups over
townships) with their members' additive town indicators summed.

One framework version's page, which also lists the evaluations that use it, is ``web.frameworks``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from county_innovation.accounts import permissions
from county_innovation.accounts.policies import region_groups
from county_innovation.accounts.services import region_group_save
from county_innovation.common.errors import DomainError
from county_innovation.common.numbers import query_int
from county_innovation.indicators.models import DataValue, Framework
from county_innovation.indicators.selectors import region_group_totals
from county_innovation.regions.forms import RegionGroupForm
from county_innovation.regions.models import RegionGroup
from county_innovation.regions.selectors import city_region, region_groups_of, towns_of


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = Framework.objects.prefetch_related("runs").order_by("level", "code", "-version")
    return render(request, "indicators/framework_list.html", {"nav": "frameworks", "frameworks": frameworks})


@login_required
def zone_list(request: HttpRequest) -> HttpResponse:
    city = city_region()
    groups = list(region_groups_of(city)) if city else []
    period = request.GET.get("period", "")
    period = query_int(period) or DataValue.objects.aggregate(p=Max("period"))["p"]
    rows = []
    for group in groups:
        members = list(group.members.all())
        # Totals mix the raw values of every member town, so only someone who may read all of them sees them.
        visible = bool(members) and all(permissions.in_scope(request.user, m) for m in members)
        rows.append(
            {
                "group": group,
                "members": members,
                "totals": region_group_totals(group, period) if visible and period else None,
            }
        )
    return render(
        request,
        "regions/zone_list.html",
        {
            "nav": "zones",
            "rows": rows,
            "period": period,
            "can_edit": region_groups.allows(request.user, "manage"),
        },
    )


@login_required
def zone_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    region_groups.require(request.user, "manage")
    city = city_region()
    group = get_object_or_404(RegionGroup, code=code) if code else None
    towns = list(towns_of(city).select_related("parent"))
    if request.method == "POST":
        form = RegionGroupForm(request.POST, towns=towns)
        if form.is_valid():
            data = form.cleaned_data
            try:
                group = region_group_save(
                    actor=request.user,
                    group=group,
                    code=group.code if group else data["code"],
                    name=data["name"],
                    kind=data["kind"],
                    city=city,
                    member_codes=data["members"],
                    note=data["note"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已保存「{group.name}」。")
                return redirect("regions:zone_list")
    else:
        initial = (
            {
                "code": group.code,
                "name": group.name,
                "kind": group.kind,
                "note": group.note,
                "members": [m.code for m in group.members.all()],
            }
            if group
            else {}
        )
        form = RegionGroupForm(initial=initial, towns=towns)
    return render(
        request,
        "regions/zone_form.html",
        {"nav": "zones", "form": form, "group": group, "towns": towns},
        status=400 if form.errors else 200,
    )
