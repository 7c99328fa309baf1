"""Bulletins, county profiles and assessment points over HTTP (the same permissions as the pages)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from county_innovation.accounts.models import User
from county_innovation.accounts.permissions import can_view_region_raw
from county_innovation.common.api import MAX_VERSION, not_found
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.regions.models import Region
from county_innovation.reports.assessment import assessment_rule_parse, assessment_sheet
from county_innovation.reports.documents import bulletin_render, document_build
from county_innovation.reports.models import Bulletin
from county_innovation.reports.policies import assessments, bulletins, profiles
from county_innovation.reports.profile import county_profile, profile_docx, profile_filename
from county_innovation.reports.selectors import bulletins_of
from county_innovation.reports.views import file_response

router = Router(tags=["通报与档案"])


class BulletinOut(Schema):
    id: int
    run: int
    version: int
    format: str
    status: str
    size: int
    sha256: str
    includes_demo_data: bool
    error: str
    created_at: datetime
    finished_at: datetime | None
    download: str | None


class HistoryOut(Schema):
    period: int
    index: float | None
    rank: int | None
    ranked_count: int


class ProfileOut(Schema):
    county: str
    name: str
    period: int
    index: float | None
    rank: int | None
    ranked_count: int
    history: list[HistoryOut]
    dimensions: list[dict]
    strengths: list[str]
    weaknesses: list[str]
    towns: list[dict]
    enterprises: int
    qualifications: dict[str, int]
    designations: list[dict] | None
    tasks: list[dict] | None
    includes_demo_data: bool


class PointsOut(Schema):
    rank: int | None
    code: str
    name: str
    index: float | None
    points: Decimal
    note: str


class AssessmentOut(Schema):
    run: int
    period: int
    rule: str
    includes_demo_data: bool
    items: list[PointsOut]


def _run_or_404(user: User, run_id: int) -> EvaluationRun:
    run = EvaluationRun.objects.select_related("framework", "scope").filter(pk=run_id).first()
    if run is None:
        raise not_found(f"评价运行 #{run_id} 不存在。")
    bulletins.require(user, "view", run)
    return run


def _county_or_404(user: User, code: str) -> Region:
    county = Region.objects.filter(code=code).first()
    if county is None or not county.is_county:
        raise not_found(f"未找到区划代码为「{code}」的县（区）。")
    profiles.require(user, "view", county)
    return county


@router.get("/reports/runs/{run_id}/bulletins", response=list[BulletinOut], summary="一次评价的各版本通报")
def bulletin_list(request: HttpRequest, run_id: int):
    run = _run_or_404(request.auth, run_id)
    return [
        {
            **{f: getattr(b, f) for f in ("id", "version", "format", "status", "size", "sha256", "error")},
            "run": b.run_id,
            "includes_demo_data": b.includes_demo_data,
            "created_at": b.created_at,
            "finished_at": b.finished_at,
            "download": f"/api/reports/runs/{run.pk}/bulletin?format={b.format}&version={b.version}"
            if b.is_done
            else None,
        }
        for b in bulletins_of(run)
    ]


@router.get(
    "/reports/runs/{run_id}/bulletin",
    summary="下载通报（默认最新版本；尚无已生成版本时当场生成，不保存）",
    response={200: None},
)
def bulletin_download(
    request: HttpRequest,
    run_id: int,
    format: str = Query("docx", description="docx 或 pdf", pattern="^(docx|pdf)$"),
    version: int | None = Query(None, description="版本号（默认最新）", ge=1, le=MAX_VERSION),
):
    run = _run_or_404(request.auth, run_id)
    done = Bulletin.objects.filter(run=run, format=format, status=Bulletin.Status.DONE)
    bulletin = (done.filter(version=version) if version else done).order_by("-version").first()
    if bulletin is not None:
        response = file_response(bytes(bulletin.content), bulletin.filename, format)
        response["X-Bulletin-Version"] = str(bulletin.version)
        return response
    if version is not None:
        raise not_found(f"评价 #{run.pk} 没有已生成的第{version}版通报（{format}）。")
    content, _ = bulletin_render(run=run, fmt=format)
    response = file_response(content, f"{run.period}年度县域创新驱动发展监测通报_未保存.{format}", format)
    response["X-Bulletin-Version"] = "unsaved"
    return response


def _profile(request: HttpRequest, code: str, period: int | None):
    county = _county_or_404(request.auth, code)
    profile = county_profile(county=county, period=period, show_raw=can_view_region_raw(request.auth, county))
    if profile is None:
        raise not_found(f"「{county.name}」尚无已发布的评价结果，暂不能建档。")
    return profile


@router.get("/reports/profiles/{code}", response=ProfileOut, summary="一县一档（数据）")
def profile_detail(request: HttpRequest, code: str, period: int | None = Query(None, description="年度")):
    p = _profile(request, code, period)
    page = p.page
    return {
        "county": p.county.code,
        "name": p.county.name,
        "period": p.period,
        "index": page.result.index,
        "rank": page.result.rank,
        "ranked_count": page.ranking.ranked_count,
        "history": [vars(h) for h in p.history],
        "dimensions": [
            {"name": d.name, "score": d.score, "average": d.average, "rank": d.rank} for d in page.dimensions
        ],
        "strengths": [g.name for g in page.strengths],
        "weaknesses": [g.name for g in page.weaknesses],
        "towns": [
            {
                "code": t.region.code,
                "name": t.region.name,
                "index": t.index,
                "rank_in_county": t.rank_in_county,
            }
            for t in page.towns
        ],
        "enterprises": p.enterprises,
        "qualifications": dict(p.qualifications),
        "designations": p.designations,
        "tasks": [
            {**t, "deadline": t["deadline"].isoformat() if isinstance(t["deadline"], date) else t["deadline"]}
            for t in p.tasks
        ]
        if p.tasks is not None
        else None,
        "includes_demo_data": p.demo,
    }


@router.get("/reports/profiles/{code}/docx", summary="一县一档（Word）", response={200: None})
def profile_document(request: HttpRequest, code: str, period: int | None = Query(None, description="年度")):
    p = _profile(request, code, period)
    # A document that cannot be built is a 400 with the Chinese reason (the DomainError handler), never a 500.
    return file_response(
        document_build("一县一档 Word 文件", lambda: profile_docx(p)), profile_filename(p), "docx"
    )


@router.get("/reports/runs/{run_id}/assessment", response=AssessmentOut, summary="年度综合考核得分")
def assessment(
    request: HttpRequest,
    run_id: int,
    mode: str = Query("rank", description="rank（按名次赋分）或 linear（线性折算）"),
    points: str = Query("", description="名次分值，如 10,9,8"),
    max_points: str = Query("", description="线性折算的满分"),
):
    assessments.require(request.auth, "view")
    run = _run_or_404(request.auth, run_id)
    sheet = assessment_sheet(
        run=run, rule=assessment_rule_parse(mode=mode, rank_points=points, max_points=max_points)
    )
    return {
        "run": run.pk,
        "period": run.period,
        "rule": sheet.rule.describe(),
        "includes_demo_data": sheet.demo,
        "items": [vars(line) for line in sheet.lines],
    }
