"""Indicators, framework versions and data values over HTTP.

Reads of data values are limited to the caller's region subtree; writes go through the collection
service, which validates every value and stores all of them or none.
"""

from typing import Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from county_innovation.accounts import permissions
from county_innovation.accounts.models import User
from county_innovation.collection.models import Submission
from county_innovation.collection.selectors import grid_submissions
from county_innovation.collection.services import data_values_save
from county_innovation.common.api import MAX_VERSION, YEAR_MAX, YEAR_MIN, Pagination, Year, not_found
from county_innovation.indicators.models import DataValue, Framework, FrameworkNode, Indicator
from county_innovation.indicators.policies import frameworks
from county_innovation.indicators.schemas import (
    DataSaveIn,
    DataSaveOut,
    DataStateOut,
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
    return frameworks.restrict(user, "view", Framework.objects.all())


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
    found = _frameworks_visible_to(request.auth).order_by("code", "-version")
    return found.filter(level=level) if level else found


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
    version: int | None = Query(None, description="体系版本；省略时为最新的非草稿版本", ge=1, le=MAX_VERSION),
    period: int | None = Query(None, description="年度", ge=YEAR_MIN, le=YEAR_MAX),
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


def submissions_etag(submissions: list[Submission]) -> str:
    """The entity tag of a region's data in a round: every submission's id and version (``"12.3-13.5"``)."""
    return '"' + "-".join(f"{s.pk}.{s.version}" for s in sorted(submissions, key=lambda s: s.pk)) + '"'


def _if_match_versions(header: str) -> dict[int, int]:
    """Submission id → version from an If-Match header holding entity tags given by this API."""
    versions: dict[int, int] = {}
    for tag in header.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        for pair in filter(None, tag.split("-")):
            pk, _, version = pair.partition(".")
            if not (pk.isdigit() and version.isdigit()) or len(pk) > 18 or len(version) > 18:
                raise HttpError(
                    400,
                    f"If-Match 请求头「{header[:80]}」格式不对：应原样填写 GET /api/data/{{区划}}/{{年度}} "
                    '返回的 ETag，如 "12.3-13.5"（填报id.版本号）。',
                )
            versions[int(pk)] = int(version)
    return versions


VERSION_REQUIRED = (
    "保存须带上您所依据的填报版本，以免覆盖他人刚保存的数据（乐观锁）：请先 GET /api/data/{region}/{period}"
    "?framework={framework} 取得 submissions 中各份填报的 id 和 version，在请求体中写 "
    '"submission_versions": {{"填报id": 版本号}}，或把返回的 ETag 放进 If-Match 请求头。缺少版本的填报：{missing}。'
)


def _expected_versions(
    request: HttpRequest,
    payload: DataSaveIn,
    target: Region,
    period: int,
    framework: Framework,
    by_code: dict,
) -> dict[int, int]:
    """The versions the client based its write on; every submission the write touches must have one (428)."""
    versions = dict(payload.submission_versions or {})
    header = request.headers.get("If-Match", "").strip()
    if header == "*":
        raise HttpError(400, "If-Match 不接受「*」：请填写 GET 返回的 ETag，以免覆盖他人刚保存的数据。")
    if header:
        versions = _if_match_versions(header) | versions
    submissions = grid_submissions(region=target, period=period, framework=framework)
    owners = {by_code[code].owner for code in payload.values if code in by_code}
    missing = [
        submissions[o] for o in sorted(owners) if o in submissions and submissions[o].pk not in versions
    ]
    if missing:
        raise HttpError(
            428,
            VERSION_REQUIRED.format(
                region=target.code,
                period=period,
                framework=framework.code,
                missing="、".join(f"#{s.pk}（{s.owner_label}，当前版本 {s.version}）" for s in missing),
            ),
        )
    return versions


def _data_state(
    target: Region, period: int, framework: Framework, indicators, response: HttpResponse
) -> dict:
    items = (
        data_values_queryset(regions=Region.objects.filter(pk=target.pk), period=period)
        .filter(indicator__in=indicators)
        .order_by("indicator__code")
    )
    submissions = list(grid_submissions(region=target, period=period, framework=framework).values())
    if submissions:
        response["ETag"] = submissions_etag(submissions)
    return {
        "region": target.code,
        "period": period,
        "framework": framework.code,
        "version": framework.version,
        "items": list(items),
        "submissions": [
            {"id": sub.pk, "owner": sub.owner, "status": sub.status, "version": sub.version}
            for sub in submissions
        ],
    }


@router.get(
    "/data/{region}/{period}",
    response=DataStateOut,
    tags=["指标数据"],
    summary="一个区划一个年度的指标数据及各份填报的版本号（保存前先取版本）",
    description="返回该区划该年度本体系的数据和 submissions（各份填报的 id、状态、version），"
    "并在 ETag 响应头中给出同样的版本信息。PUT 保存时须带上这些版本（submission_versions 或 If-Match）。",
)
def data_state(
    request: HttpRequest,
    response: HttpResponse,
    region: str,
    period: int,
    framework: str = Query(..., description="评价指标体系代码，如 county、town"),
    version: int | None = Query(None, description="体系版本；省略时为最新的非草稿版本"),
):
    user = request.auth
    target = region_or_404(region)
    permissions.require_view_data(user, target)
    found = framework_or_404(user, framework, version)
    return _data_state(target, period, found, framework_indicators(found), response)


@router.put(
    "/data/{region}/{period}",
    response=DataSaveOut,
    tags=["指标数据"],
    summary="保存（或提交）一个区划一个年度的指标数据：全部有效才写入",
    description="须带上所依据的填报版本（请求体 submission_versions，或 If-Match 请求头放 GET 返回的 ETag），"
    "缺少时返回 428 并说明如何取得；他人已在此后保存时返回 400，不写入。",
)
def data_save(request: HttpRequest, response: HttpResponse, region: str, period: Year, payload: DataSaveIn):
    user = request.auth
    target = region_or_404(region)
    framework = framework_or_404(user, payload.framework, payload.version)
    by_code = {i.code: i for i in framework_indicators(framework)}
    # Scope first, then each named indicator's owner; unknown codes are reported by the service.
    for indicator in [by_code[c] for c in payload.values if c in by_code] or [None]:
        permissions.require_edit_data(user, target, indicator)
    versions = _expected_versions(request, payload, target, period, framework, by_code)
    with transaction.atomic():  # over the API a refused submission undoes the save: all or nothing
        report = data_values_save(
            user=user,
            region=target,
            period=period,
            framework=framework,
            values=payload.values,
            submit=payload.submit,
            channel=DataValue.Channel.API,
            versions=versions,
        )
    return _data_state(target, period, framework, by_code.values(), response) | {
        "created": report.created,
        "updated": report.updated,
        "deleted": report.deleted,
        "unchanged": report.unchanged,
        "submitted": report.submitted,
    }
