"""Designations over HTTP: every step of the procedure, the funding totals and the targets' progress.

The same services and permission checks as the pages; materials travel as base64 in JSON.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from county_innovation.accounts.models import Role, User
from county_innovation.common.api import Pagination, not_found
from county_innovation.common.errors import DomainError
from county_innovation.designation import selectors, services, targets
from county_innovation.designation.models import Designation, ExpertReview, Level, Theme
from county_innovation.designation.policies import designations, reviews
from county_innovation.regions.models import Region

router = Router(tags=["创新型县（乡镇）认定"])

# Numbers a client sends are bounded here, before any service or column sees them (a 40-digit amount or year
# must be a refusal, never a server error). The columns: a PositiveSmallIntegerField year, a Decimal(12, 2) amount in 万元.
Year = Annotated[int, Field(ge=2000, le=2100, description="年度（2000–2100）")]
Amount = Annotated[
    Decimal, Field(ge=0, max_digits=12, decimal_places=2, description="金额（万元，非负，至多两位小数）")
]


class DesignationOut(Schema):
    id: int
    region: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    county: str = Field(..., alias="county_id")
    level: str
    decided_level: str
    theme: str
    year: int
    decided_year: int | None
    status: str
    status_label: str = Field(..., alias="get_status_display")
    build_start: datetime.date | None
    build_end: datetime.date | None
    acceptance: str
    is_demo: bool


class DesignationDetailOut(DesignationOut):
    summary: str
    building_targets: list
    data_evaluation: dict
    expert_score: Decimal | None
    notice_start: datetime.date | None
    notice_end: datetime.date | None


class ApplyIn(Schema):
    region: str = Field(..., description="区划代码")
    level: str = Field(
        ..., description="申报级别：代码 city / province / national，或中文「市级」「省级」「国家级」"
    )
    theme: str = Field(
        ...,
        description="建设主题：代码 industry / ecology / livelihood，"
        "或中文「科技支撑产业发展」「科技支撑生态文明」「科技支撑民生改善」",
    )
    year: Year | None = None
    summary: str = ""
    building_targets: list[dict] = []


class MaterialIn(Schema):
    title: str = ""
    filename: str
    content_base64: str


class CheckIn(Schema):
    checklist: dict[str, bool]
    note: str = ""


class ExpertsIn(Schema):
    experts: list[str] = Field(..., description="专家用户名")


class ScoreIn(Schema):
    scores: dict[str, str | int | float]
    comment: str = ""


class NoticeIn(Schema):
    start: datetime.date
    end: datetime.date


class ObjectionIn(Schema):
    received_on: datetime.date
    content: str
    submitter: str = ""
    resolution: str = ""


class DecisionIn(Schema):
    approve: bool
    level: str | None = None
    year: Year | None = None
    funding: Amount | None = None
    note: str = ""


class ReportIn(Schema):
    year: Year
    text: str


class AcceptanceIn(Schema):
    result: str
    note: str = ""


class RevokeIn(Schema):
    reason: str


class FundingIn(Schema):
    year: Year
    amount: Amount
    note: str = ""


def _designation(user: User, designation_id: int) -> Designation:
    designation = Designation.objects.select_related("region", "county").filter(pk=designation_id).first()
    if designation is None:
        raise not_found(f"申报 #{designation_id} 不存在。")
    designations.require(user, "view", designation)
    return designation


@router.get("/designations/", response=list[DesignationOut], summary="申报与认定列表（按权限过滤）")
@paginate(Pagination)
def designation_list(request: HttpRequest, status: str | None = None):
    rows = selectors.designations_visible_to(request.auth).order_by("-year", "county_id", "region_id")
    return rows.filter(status=status) if status else rows


def _choice_code(choices: type[Level] | type[Theme], value: str, what: str) -> str:
    """The code of a choice given as its code or its Chinese label (the error message lists both forms)."""
    value = value.strip()
    for code, label in choices.choices:
        if value in (code, label):
            return code
    valid = "、".join(f"「{label}」（{code}）" for code, label in choices.choices)
    raise DomainError(f"{what}「{value}」无效，应为 {valid} 之一，中文名称或代码均可。")


@router.post("/designations/", response={201: DesignationDetailOut}, summary="申报（推荐）创新型县或乡镇")
def designation_apply(request: HttpRequest, payload: ApplyIn):
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise not_found(f"区划「{payload.region}」不存在。")
    designation = services.designation_apply(
        actor=request.auth,
        region=region,
        level=_choice_code(Level, payload.level, "申报级别"),
        theme=_choice_code(Theme, payload.theme, "建设主题"),
        year=payload.year or timezone.localdate().year,
        summary=payload.summary,
        building_targets=payload.building_targets,
    )
    return Status(201, designation)


@router.get("/designations/{designation_id}", response=DesignationDetailOut, summary="一项申报（认定）的详情")
def designation_detail(request: HttpRequest, designation_id: int):
    return _designation(request.auth, designation_id)


@router.post(
    "/designations/{designation_id}/materials", response={201: dict}, summary="上传申报材料（base64）"
)
def material_upload(request: HttpRequest, designation_id: int, payload: MaterialIn):
    designation = _designation(request.auth, designation_id)
    designations.require(request.auth, "edit", designation)
    try:
        content = base64.b64decode(payload.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError("content_base64 不是有效的 base64 编码。") from exc
    material = services.material_add(
        designation=designation,
        actor=request.auth,
        title=payload.title,
        filename=payload.filename,
        content=content,
    )
    return Status(201, {"id": material.pk, "filename": material.filename, "size": material.size})


def _managed(request: HttpRequest, designation_id: int) -> Designation:
    designations.require(request.auth, "manage")
    return _designation(request.auth, designation_id)


@router.post("/designations/{designation_id}/check", response=DesignationDetailOut, summary="形式审查")
def formal_check(request: HttpRequest, designation_id: int, payload: CheckIn):
    designation = _managed(request, designation_id)
    return services.formal_check(
        designation=designation, actor=request.auth, checklist=payload.checklist, note=payload.note
    )


@router.post("/designations/{designation_id}/experts", response=DesignationDetailOut, summary="分配评审专家")
def experts_assign(request: HttpRequest, designation_id: int, payload: ExpertsIn):
    designation = _managed(request, designation_id)
    experts = list(User.objects.filter(username__in=payload.experts, role=Role.EXPERT))
    unknown = sorted(set(payload.experts) - {e.username for e in experts})
    if unknown:
        raise DomainError("以下用户不存在或不是专家账号：" + "、".join(unknown) + "。")
    services.experts_assign(designation=designation, actor=request.auth, experts=experts)
    designation.refresh_from_db()
    return designation


@router.post(
    "/designation-reviews/{review_id}/score", response=dict, summary="专家评分（仅限被分配的专家本人）"
)
def review_score(request: HttpRequest, review_id: int, payload: ScoreIn):
    review = ExpertReview.objects.select_related("designation").filter(pk=review_id).first()
    if review is None:
        raise not_found(f"评审 #{review_id} 不存在。")
    reviews.require(request.auth, "score", review)
    review = services.review_score(
        review=review, actor=request.auth, scores=payload.scores, comment=payload.comment
    )
    return {"id": review.pk, "total": str(review.total)}


@router.post("/designations/{designation_id}/notice", response=DesignationDetailOut, summary="开始公示")
def notice(request: HttpRequest, designation_id: int, payload: NoticeIn):
    designation = _managed(request, designation_id)
    return services.notice_start(
        designation=designation, actor=request.auth, start=payload.start, end=payload.end
    )


@router.post("/designations/{designation_id}/objections", response={201: dict}, summary="登记公示异议")
def objection(request: HttpRequest, designation_id: int, payload: ObjectionIn):
    designation = _managed(request, designation_id)
    item = services.objection_record(designation=designation, actor=request.auth, **payload.dict())
    return Status(201, {"id": item.pk})


@router.post(
    "/designations/{designation_id}/decision", response=DesignationDetailOut, summary="认定决定（公示期满后）"
)
def decide(request: HttpRequest, designation_id: int, payload: DecisionIn):
    designation = _managed(request, designation_id)
    return services.designation_decide(designation=designation, actor=request.auth, **payload.dict())


@router.post("/designations/{designation_id}/reports", response={201: dict}, summary="报送年度建设报告")
def build_report(request: HttpRequest, designation_id: int, payload: ReportIn):
    designation = _designation(request.auth, designation_id)
    designations.require(request.auth, "edit", designation)
    report = services.build_report_submit(
        designation=designation, actor=request.auth, year=payload.year, text=payload.text
    )
    return Status(201, {"id": report.pk, "year": report.year})


@router.post("/designations/{designation_id}/acceptance", response=DesignationDetailOut, summary="评估验收")
def acceptance(request: HttpRequest, designation_id: int, payload: AcceptanceIn):
    designation = _managed(request, designation_id)
    return services.acceptance_record(
        designation=designation, actor=request.auth, result=payload.result, note=payload.note
    )


@router.post("/designations/{designation_id}/revocation", response=DesignationDetailOut, summary="撤销认定")
def revoke(request: HttpRequest, designation_id: int, payload: RevokeIn):
    designation = _managed(request, designation_id)
    return services.designation_revoke(designation=designation, actor=request.auth, reason=payload.reason)


@router.post("/designations/{designation_id}/funding", response={201: dict}, summary="登记支持资金（万元）")
def funding_add(request: HttpRequest, designation_id: int, payload: FundingIn):
    designation = _managed(request, designation_id)
    funding = services.funding_grant(designation=designation, actor=request.auth, **payload.dict())
    return Status(201, {"id": funding.pk, "amount": str(funding.amount)})


@router.get("/designation-funding", response=dict, summary="支持资金合计：按县（区）和年度、按级别（万元）")
def funding_totals(request: HttpRequest):
    totals = selectors.funding_totals()
    return {
        "total": str(totals["total"]),
        "by_level": {k: str(v) for k, v in totals["by_level"].items()},
        "counties": [
            {
                "code": c["code"],
                "name": c["name"],
                "total": str(c["total"]),
                "years": {str(y): str(v) for y, v in c["years"].items()},
            }
            for c in totals["counties"]
        ],
    }


@router.get("/designation-targets", response=list[dict], summary="建设目标进度（当前值、预测与状态）")
def target_list(request: HttpRequest):
    return [
        {
            "id": r.target.pk,
            "scope": r.target.scope_name,
            "unit": r.target.unit,
            "min_level": r.target.min_level,
            "deadline_year": r.target.deadline_year,
            "share": str(r.target.share) if r.target.share is not None else None,
            "count": r.target.count,
            "source": r.target.source,
            "population": r.population,
            "required": r.required,
            "current": r.current,
            "current_share": r.share,
            "pending": r.pending,
            "projected": r.projected,
            "status": r.status,
        }
        for r in targets.all_target_progress()
    ]
