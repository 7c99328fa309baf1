"""Indicators, framework versions and data values over HTTP.

Reads of data values are limited to the caller's region subtree; writes go through the collection
service, which validates every value and stores all of them or none.
"""

from typing import Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from county_innovation.accounts import permissions
from county_innovation.accounts.models import User
from county_innovation.collection.selectors import grid_submissions
from county_innovation.collection.services import data_values_save
from county_innovation.common.api import Pagination, not_found
from county_innovation.indicators.models import DataValue, Framework, FrameworkNode, Indicator
from county_innovation.indicators.schemas import (
    DataSaveIn,
    DataSaveOut,
    DataValueOut,
    FrameworkDetailOut,
    FrameworkOut,
    IndicatorOut,
)
from county_innovation.indicators.selectors import (
    data_values_queryset,
    framework_indicators,
    framework_latest,
    framework_nodes,
)
from county_innovation.regions.models import Region

router = Router()

Level = Literal["county", "town"]
INDICATOR_LEVEL = Query(None, description="适用层级")
FRAMEWORK_LEVEL = Query(None, description="评价对象层级")


def _frameworks_visible_to(user: User):
    frameworks = Framework.objects.all()
    if not permissions.can_manage_frameworks(user):
        frameworks = frameworks.exclude(status=Framework.Status.DRAFT)
    return frameworks


def framework_or_404(user: User, code: str, version: int | None = None) -> Framework:
    if version is None:
        framework = framework_latest(code)
    else:
        framework = _frameworks_visible_to(user).filter(code=code, version=version).first()
    if framework is None:
        what = f"「{code}」第{version}版" if version is not None else f"「{code}」"
        raise not_found(f"评价指标体系{what}不存在或尚未启用。")
    return framework


def region_or_404(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise not_found(f"区划代码「{code}」不存在。")
    return region


@router.get("/indicators/", response=list[IndicatorOut], tags=["指标"], summary="指标列表")
def indicator_list(request: HttpRequest, level: Level | None = INDICATOR_LEVEL):
    indicators = Indicator.objects.order_by("code")
    return indicators.filter(level=level) if level else indicators


@router.get("/frameworks/", response=list[FrameworkOut], tags=["指标"], summary="评价指标体系的各个版本")
def framework_list(request: HttpRequest, level: Level | None = FRAMEWORK_LEVEL):
    frameworks = _frameworks_visible_to(request.auth).order_by("code", "-version")
    return frameworks.filter(level=level) if level else frameworks


def _tree(nodes: list[FrameworkNode]) -> dict:
    children: dict[int | None, list[FrameworkNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def build(node: FrameworkNode) -> dict:
        return {
            "code": node.code,
            "name": node.name,
            "weight": float(node.weight),
            "indicator": node.indicator.code if node.indicator_id else None,
            "children": [build(c) for c in children.get(node.pk, [])],
        }

    return build(children[None][0])


@router.get(
    "/frameworks/{code}/{version}",
    response=FrameworkDetailOut,
    tags=["指标"],
    summary="一个体系版本及其带权重的指标树",
)
def framework_detail(request: HttpRequest, code: str, version: int):
    framework = framework_or_404(request.auth, code, version)
    return {
        "code": framework.code,
        "version": framework.version,
        "name": framework.name,
        "level": framework.level,
        "status": framework.status,
        "method_spec": framework.method_spec,
        "note": framework.note,
        "tree": _tree(framework_nodes(framework)),
    }


@router.get("/data/", response=list[DataValueOut], tags=["指标数据"], summary="指标数据（本人管辖范围内）")
@paginate(Pagination)
def data_list(
    request: HttpRequest,
    framework: str = Query(..., description="评价指标体系代码，如 county、town"),
    version: int | None = Query(None, description="体系版本；省略时为最新的非草稿版本"),
    period: int | None = Query(None, description="年度"),
    region: str | None = Query(None, description="区划代码：只返回该区划及其下级的数据"),
):
    user = request.auth
    regions = permissions.raw_regions(user)
    if region:
        root = region_or_404(region)
        permissions.require_view_region_raw(user, root)
        regions = regions.filter(code__startswith=root.prefix)
    indicators = framework_indicators(framework_or_404(user, framework, version))
    return (
        data_values_queryset(regions=regions, period=period)
        .filter(indicator__in=indicators)
        .order_by("period", "region_id", "indicator__code")
    )


@router.put(
    "/data/{region}/{period}",
    response=DataSaveOut,
    tags=["指标数据"],
    summary="保存（或提交）一个区划一个年度的指标数据：全部有效才写入",
)
def data_save(request: HttpRequest, region: str, period: int, payload: DataSaveIn):
    user = request.auth
    target = region_or_404(region)
    framework = framework_or_404(user, payload.framework, payload.version)
    by_code = {i.code: i for i in framework_indicators(framework)}
    # Scope first, then each named indicator's owner; unknown codes are reported by the service.
    for indicator in [by_code[c] for c in payload.values if c in by_code] or [None]:
        permissions.require_edit_data(user, target, indicator)
    with transaction.atomic():  # over the API a refused submission undoes the save: all or nothing
        report = data_values_save(
            user=user,
            region=target,
            period=period,
            framework=framework,
            values=payload.values,
            submit=payload.submit,
            channel=DataValue.Channel.API,
            versions=payload.submission_versions,
        )
    items = (
        data_values_queryset(regions=Region.objects.filter(pk=target.pk), period=period)
        .filter(indicator__in=by_code.values())
        .order_by("indicator__code")
    )
    return {
        "region": target.code,
        "period": period,
        "framework": framework.code,
        "version": framework.version,
        "created": report.created,
        "updated": report.updated,
        "deleted": report.deleted,
        "unchanged": report.unchanged,
        "submitted": report.submitted,
        "items": list(items),
        "submissions": [
            {"id": sub.pk, "owner": sub.owner, "status": sub.status, "version": sub.version}
            for sub in grid_submissions(region=target, period=period, framework=framework).values()
        ],
    }
