"""Data values over HTTP: read a region's values (within the caller's scope), save a region's values with the
submission versions they were based on (optimistic locking), and import many values at once with a dry run.

Thin: the request is parsed here; the collection services check and write, all values or none. A refused
write answers 400 with ``{"detail", "problems"}``, each problem naming its item (「第3条」); a dry run answers
the same report as a real import, without writing. Operation ids are stated: they name the modules the
endpoints were first published from, and clients keep them.
"""

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from county_innovation.accounts.permissions import raw_regions, require_view_region_raw
from county_innovation.collection import policies
from county_innovation.collection.models import Submission
from county_innovation.collection.selectors import grid_submissions
from county_innovation.collection.services.entry import data_values_save
from county_innovation.collection.services.imports import ImportReport, data_import_values
from county_innovation.common.api import MAX_VERSION, YEAR_MAX, YEAR_MIN, Pagination, Year, not_found
from county_innovation.indicators.api import framework_or_404
from county_innovation.indicators.models import DataValue, Framework
from county_innovation.indicators.schemas import DataSaveIn, DataSaveOut, DataStateOut, DataValueOut
from county_innovation.indicators.selectors import data_values_queryset, framework_indicators
from county_innovation.regions.models import Region

router = Router(tags=["指标数据"])


def region_or_404(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise not_found(f"区划代码「{code}」不存在。")
    return region


class ImportValueIn(Schema):
    region: str | int = Field(description="区划代码", examples=["360121100"])
    indicator: str = Field(description="指标代码（见 /api/indicators/）", examples=["town_tech_smes"])
    value: Any = Field(
        description="数值：数字，或文本（可带千位分隔符、全角数字）；null 或空文本清空已存的数值",
        examples=[17],
    )
    comment: str | None = Field(None, description="说明（如较上年变化超过阈值的原因）；省略时保留已有说明")


class ImportIn(Schema):
    framework: str = Field(description="评价指标体系代码，如 county、town", examples=["town"])
    version: int | None = Field(None, description="体系版本；省略时为最新的非草稿版本")
    period: int = Field(description="年度", examples=[2025], ge=YEAR_MIN, le=YEAR_MAX)
    dry_run: bool = Field(False, description="只检查、报告将会发生的变化，不写入")
    submit: bool = Field(False, description="写入后提交所涉及的填报（须完整且无未说明的提示）")
    values: list[ImportValueIn] = Field(description="要导入的数值，第 n 条在问题清单中称「第n条」")


class ImportOut(Schema):
    framework: str = Field(description="体系代码")
    version: int = Field(description="体系版本")
    period: int = Field(description="年度")
    dry_run: bool = Field(description="是否为试导入（未写入）")
    values: int = Field(description="导入（或将导入）的数值条数")
    regions: int = Field(description="涉及的区划数")
    created: int = Field(description="新增条数")
    updated: int = Field(description="修改条数")
    deleted: int = Field(description="清空条数")
    unchanged: int = Field(description="与库中相同的条数")
    submitted: int = Field(description="写入后提交的填报份数")
    warnings: list[str] = Field(description="校验规则的提示（不阻止写入；提交前须填写说明），含位置")
    batch: int | None = Field(description="导入记录编号；试导入为 null")
    summary: str = Field(description="一句话的中文结果")


def _out(report: ImportReport, *, framework, period: int) -> dict[str, Any]:
    return {
        "framework": framework.code,
        "version": framework.version,
        "period": period,
        "dry_run": report.dry_run,
        "values": report.values,
        "regions": report.regions,
        "created": report.created,
        "updated": report.updated,
        "deleted": report.deleted,
        "unchanged": report.unchanged,
        "submitted": report.submitted,
        "warnings": report.warnings,
        "batch": report.batch.pk if report.batch else None,
        "summary": report.summary(),
    }


@router.post(
    "/data/import",
    response=ImportOut,
    summary="批量导入指标数据（可试导入）：全部有效才写入",
    description="一次导入多个区划、多个指标的数值，检查与网页导入相同：区划在管辖范围内、指标由本人负责、"
    "数值合法、无重复、填报任务开放且填报可修改、校验规则。任何一处不合格则全部不写入，返回 400 及逐条问题"
    "（「第n条：…」）。dry_run 为 true 时只检查并返回同样的报告。",
    operation_id="county_innovation_collection_api_data_import",
)
def data_import(request: HttpRequest, payload: ImportIn) -> dict[str, Any]:
    user = request.auth
    policies.data.require(user, "enter")
    framework = framework_or_404(user, payload.framework, payload.version)
    report = data_import_values(
        actor=user,
        framework=framework,
        period=payload.period,
        items=[item.model_dump() for item in payload.values],
        submit=payload.submit,
        dry_run=payload.dry_run,
        channel=DataValue.Channel.API,
    )
    return _out(report, framework=framework, period=payload.period)


@router.get(
    "/data/",
    response=list[DataValueOut],
    tags=["指标数据"],
    summary="指标数据（本人管辖范围内）",
    operation_id="county_innovation_indicators_api_data_list",
)
@paginate(Pagination)
def data_list(
    request: HttpRequest,
    framework: str = Query(..., description="评价指标体系代码，如 county、town"),
    version: int | None = Query(None, description="体系版本；省略时为最新的非草稿版本", ge=1, le=MAX_VERSION),
    period: int | None = Query(None, description="年度", ge=YEAR_MIN, le=YEAR_MAX),
    region: str | None = Query(None, description="区划代码：只返回该区划及其下级的数据"),
):
    user = request.auth
    regions = raw_regions(user)
    if region:
        root = region_or_404(region)
        require_view_region_raw(user, root)
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
    operation_id="county_innovation_indicators_api_data_state",
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
    policies.data.require_view(user, target)
    found = framework_or_404(user, framework, version)
    return _data_state(target, period, found, framework_indicators(found), response)


@router.put(
    "/data/{region}/{period}",
    response=DataSaveOut,
    tags=["指标数据"],
    summary="保存（或提交）一个区划一个年度的指标数据：全部有效才写入",
    description="须带上所依据的填报版本（请求体 submission_versions，或 If-Match 请求头放 GET 返回的 ETag），"
    "缺少时返回 428 并说明如何取得；他人已在此后保存时返回 400，不写入。",
    operation_id="county_innovation_indicators_api_data_save",
)
def data_save(request: HttpRequest, response: HttpResponse, region: str, period: Year, payload: DataSaveIn):
    user = request.auth
    target = region_or_404(region)
    framework = framework_or_404(user, payload.framework, payload.version)
    by_code = {i.code: i for i in framework_indicators(framework)}
    # Scope first, then each named indicator's owner; unknown codes are reported by the service.
    for indicator in [by_code[c] for c in payload.values if c in by_code] or [None]:
        policies.data.require_edit(user, target, indicator)
    versions = _expected_versions(request, payload, target, period, framework, by_code)
    with transaction.atomic():  # over the API a refused submission undoes the save: all or nothing
        report = data_values_save(
            actor=user,
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
