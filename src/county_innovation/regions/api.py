"""Regions and region groups over HTTP; a regional user sees the regions of their own subtree only."""

from typing import Literal

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from county_innovation.accounts import permissions
from county_innovation.common.api import Pagination, not_found
from county_innovation.regions.models import Region, RegionGroup
from county_innovation.regions.schemas import RegionGroupOut, RegionOut

router = Router(tags=["区划"])


@router.get("/regions/", response=list[RegionOut], summary="区划列表（本人管辖范围内）")
@paginate(Pagination)
def region_list(
    request: HttpRequest,
    level: Literal["city", "county", "town"] | None = Query(None, description="层级"),
    parent: str | None = Query(None, description="上级区划代码，只列其直接下级"),
):
    regions = permissions.scoped_regions(request.auth).order_by("code")
    if level:
        regions = regions.filter(level=level)
    if parent:
        regions = regions.filter(parent_id=parent)
    return regions


@router.get("/regions/{code}", response=RegionOut, summary="单个区划")
def region_detail(request: HttpRequest, code: str):
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise not_found(f"区划代码「{code}」不存在。")
    permissions.require(
        permissions.in_scope(request.auth, region), f"「{region.name}」不在您的管辖范围内，无权查看。"
    )
    return region


@router.get(
    "/region-groups/", response=list[RegionGroupOut], summary="开发区等区域组（与本人管辖范围相交者）"
)
def region_group_list(request: HttpRequest):
    scope = permissions.scoped_regions(request.auth)
    groups = (
        RegionGroup.objects.filter(Q(city__in=scope) | Q(members__in=scope))
        .distinct()
        .prefetch_related("members")
    )
    return [
        {
            "code": g.code,
            "name": g.name,
            "kind": g.kind,
            "city_id": g.city_id,
            "note": g.note,
            "members": sorted(m.code for m in g.members.all()),
        }
        for g in groups.order_by("code")
    ]
