"""The monitoring pages: the city dashboard, the county and town pages, and the county boundary map file.

Published results are shown to every signed-in user; a region's raw data values only where
``permissions.can_view_region_raw`` allows (the one rule for pages, documents and the API). The reads live in ``evaluation.rankings``, the chart payloads in ``evaluation.charts``.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from county_innovation.accounts import permissions
from county_innovation.common.numbers import query_int
from county_innovation.common.views import not_found
from county_innovation.evaluation import charts, rankings
from county_innovation.regions.models import Region
from county_innovation.regions.selectors import city_region, counties_of
from county_innovation.reports.policies import profiles
from county_innovation.web import workbench as workbench_selectors

FAVICON = (Path(__file__).parent / "static" / "web" / "favicon.svg").read_bytes()


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return query_int(value)


def _geo_url() -> str | None:
    path = settings.COUNTY_INNOVATION_GEOJSON
    return reverse("web:counties_geojson") if path and Path(path).is_file() else None


@require_GET
@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """The 工作台 every role lands on after login: what waits for this user (``web.workbench``)."""
    sections = workbench_selectors.workbench_sections(request.user)
    return render(
        request,
        "web/workbench.html",
        {"nav": "workbench", "sections": sections, "waiting": sum(s.count for s in sections)},
    )


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level") if request.GET.get("level") in rankings.LEVELS else "county"
    period = _int_param(request, "period")
    city = city_region()
    ranking = rankings.ranking(level=level, scope=city, period=period) if city else None
    context = {"nav": "dashboard", "city": city, "level": level, "ranking": ranking}
    if ranking is None:
        return render(request, "web/dashboard.html", context)

    county_filter = request.GET.get("county", "") if level == "town" else ""
    counties = list(counties_of(city))
    rows = ranking.rows
    if county_filter:
        rows = [r for r in rows if r.region.code.startswith(county_filter)]
    payloads = charts.dashboard_charts(ranking, rows, counties, geo_url=_geo_url())
    context.update(
        rows=rows,
        counties=counties,
        county_filter=county_filter,
        **payloads,
        unpublished_period=period if period is not None and period != ranking.period else None,
    )
    return render(request, "web/dashboard.html", context)


@require_GET
@login_required
def region(request: HttpRequest, code: str) -> HttpResponse:
    region = Region.objects.select_related("parent", "parent__parent").filter(code=code).first()
    if region is None:
        return not_found(
            request, f"未找到区划代码为「{code}」的县（区）或乡（镇、街道），请检查链接是否正确。"
        )
    if region.level == Region.Level.CITY:
        return redirect("web:dashboard")
    if region.level not in rankings.LEVELS:
        return not_found(request, f"「{region.name}」不是县（区）或乡（镇、街道），没有监测页面。")
    show_raw = permissions.can_view_region_raw(request.user, region)
    page = rankings.region_page(region=region, period=_int_param(request, "period"), show_raw=show_raw)
    context = {
        "nav": "dashboard",
        "region": region,
        "page": page,
        "show_raw": show_raw,
        "can_view_profile": region.level == Region.Level.COUNTY
        and profiles.allows(request.user, "view", region),
    }
    if page is None:
        return render(request, "web/region_empty.html", context)
    context["dimension_chart"] = charts.dimension_chart(page)
    if show_raw:  # the answer is in raw values: the same rule as the values themselves
        context["rank_gains"] = rankings.rank_gain_lines(page)
    template = "web/county.html" if region.is_county else "web/town.html"
    return render(request, template, context)


@require_GET
@login_required
def counties_geojson(request: HttpRequest) -> HttpResponse:
    """The deployment's county boundary file (settings.COUNTY_INNOVATION_GEOJSON), for the choropleth."""
    path = settings.COUNTY_INNOVATION_GEOJSON
    if not path or not Path(path).is_file():
        return not_found(
            request,
            "本平台未配置县（区）边界地图文件（COUNTY_INNOVATION_GEOJSON），总览页以方块示意图代替地图。",
        )
    return HttpResponse(Path(path).read_bytes(), content_type="application/json; charset=utf-8")


def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FAVICON, content_type="image/svg+xml")
