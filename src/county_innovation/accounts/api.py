"""Regions and region groups over HTTP; a regional user sees the regions of their own subtree only.

The region tree knows nothing of users, so the endpoints that filter it by the caller's scope live here, with the
rules in ``accounts.policies``. Paths and operation ids are those the endpoints have always had.
"""

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from county_innovation.accounts.policies import region_groups, regions
from county_innovation.common.api import Pagination, not_found
from county_innovation.regions.models import Region, RegionGroup
from county_innovation.regions.schemas import RegionGroupOut, RegionOut

router = Router(tags=["区划"])


@router.get(
    "/regions/",
    response=list[RegionOut],
    summary="区划列表（本人管辖范围内）",
    operation_id="county_innovation_regions_api_region_list",
)
@paginate(Pagination)
def region_list(
    request: HttpRequest,
    level: Literal["city", "county", "town"] | None = Query(None, description="层级"),
    parent: str | None = Query(None, description="上级区划代码，只列其直接下级"),
):
    found = regions.restrict(request.auth, "view", Region.objects.order_by("code"))
    if level:
        found = found.filter(level=level)
    if parent:
        found = found.filter(parent_id=parent)
    return found


@router.get(
    "/regions/{code}",
    response=RegionOut,
    summary="单个区划",
    operation_id="county_innovation_regions_api_region_detail",
)
def region_detail(request: HttpRequest, code: str):
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise not_found(f"区划代码「{code}」不存在。")
    regions.require(request.auth, "view", region)
    return region


@router.get(
    "/region-groups/",
    response=list[RegionGroupOut],
    summary="开发区等区域组（与本人管辖范围相交者）",
    operation_id="county_innovation_regions_api_region_group_list",
)
def region_group_list(request: HttpRequest):
    groups = (
        region_groups.restrict(request.auth, "view", RegionGroup.objects.all())
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
