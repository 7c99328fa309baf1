"""Evaluation runs over HTTP: published runs for every signed-in user; running and publishing for admins."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from county_innovation.accounts.models import User
from county_innovation.common.api import MAX_LIMIT, MAX_OFFSET, YEAR_MAX, YEAR_MIN, Pagination, not_found
from county_innovation.common.errors import DomainError
from county_innovation.evaluation import policies
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.evaluation.schemas import ReplacementOut, ResultsOut, RunCreateIn, RunDetailOut, RunOut
from county_innovation.evaluation.selectors import run_results, runs_visible_to
from county_innovation.evaluation.services import (
    ReplacementNeedsReason,
    evaluation_run_create,
    evaluation_run_publish,
)
from county_innovation.indicators.api import framework_or_404
from county_innovation.regions.selectors import city_region

router = Router(tags=["评价结果"])

ADMIN_ONLY = "只有市科技局管理员可以执行或发布评价。"


def _run_or_404(user: User, run_id: int) -> EvaluationRun:
    run = EvaluationRun.objects.select_related("framework", "scope").filter(pk=run_id).first()
    if run is None:
        raise not_found(f"评价运行 #{run_id} 不存在。")
    policies.runs.require(user, "view", run)
    return run


@router.get("/evaluations/", response=list[RunOut], summary="评价运行列表（非管理员只见已发布的）")
@paginate(Pagination)
def run_list(
    request: HttpRequest,
    period: int | None = Query(None, description="评价年度", ge=YEAR_MIN, le=YEAR_MAX),
    framework: str | None = Query(None, description="评价指标体系代码"),
):
    runs = runs_visible_to(request.auth).order_by("-period", "-created_at")
    if period is not None:
        runs = runs.filter(period=period)
    if framework:
        runs = runs.filter(framework__code=framework)
    return runs


@router.get("/evaluations/{run_id}", response=RunDetailOut, summary="一次评价的方法、数据哈希与版本信息")
def run_detail(request: HttpRequest, run_id: int):
    return _run_or_404(request.auth, run_id)


@router.get(
    "/evaluations/{run_id}/results", response=ResultsOut, summary="一次评价的各单位指数、排名与维度得分"
)
def run_result_list(
    request: HttpRequest,
    run_id: int,
    limit: int = Query(MAX_LIMIT, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）"),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="跳过的条数"),
):
    run = _run_or_404(request.auth, run_id)
    results = run_results(run)
    return {
        "run": run.pk,
        "period": run.period,
        "framework": run.framework.code,
        "includes_demo_data": run.includes_demo_data,
        "count": len(results),
        "items": results[offset : offset + limit],
    }


@router.post("/evaluations/", response={201: RunDetailOut}, summary="执行一次评价（仅市科技局管理员）")
def run_create(request: HttpRequest, payload: RunCreateIn):
    user = request.auth
    policies.runs.require(user, "create", message=ADMIN_ONLY)
    framework = framework_or_404(user, payload.framework, payload.version)
    city = city_region()
    if city is None:
        raise DomainError("尚未载入本市的行政区划，无法评价；请先运行 county-innovation regions load。")
    run = evaluation_run_create(framework=framework, period=payload.period, actor=user, scope=city)
    return Status(201, run)


class PublishIn(Schema):
    replace_reason: str = Field(
        "",
        description="替换理由：该体系该年度已有正式结果时必填（理由记入替换记录）；首次发布可省略",
        examples=["更正南昌县研发经费数据后重新评价"],
    )


@router.post(
    "/evaluations/{run_id}/publish",
    response={200: RunDetailOut, 409: ReplacementOut},
    summary="发布一次评价（仅市科技局管理员）；替换已有正式结果须给出理由",
)
def run_publish(request: HttpRequest, run_id: int, payload: PublishIn | None = None):
    user = request.auth
    policies.runs.require(user, "publish", message=ADMIN_ONLY)
    run = _run_or_404(user, run_id)
    try:
        return evaluation_run_publish(
            run=run, actor=user, replace_reason=payload.replace_reason if payload else ""
        )
    except ReplacementNeedsReason as exc:
        return Status(409, {"detail": exc.message, "official": exc.official.pk})
