"""Collection rounds and submissions over HTTP: progress for everyone who enters data, the approval steps for
those the collection policies let take them. The same services as the pages; refusals come back as 400/403.

Operation ids are stated: they name the module the endpoints were first published from, and clients keep them.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from county_innovation.collection import policies, selectors
from county_innovation.collection.models import CollectionRound, Submission
from county_innovation.collection.services import rounds
from county_innovation.common.api import not_found

router = Router(tags=["填报任务"])


class RoundOut(Schema):
    id: int
    title: str
    framework: str
    version: int
    period: int
    opens_on: dt.date
    deadline: dt.date
    status: str


class RateOut(Schema):
    label: str
    total: int
    submitted: int
    approved: int
    on_time: int
    complete_pct: float
    on_time_pct: float


class RoundDetailOut(RoundOut):
    overall: RateOut
    counties: list[RateOut]
    departments: list[RateOut]
    late: list[int]


class SubmissionOut(Schema):
    id: int
    round: int
    region: str
    region_name: str
    owner: str
    status: str
    version: int
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    return_comment: str


class CommentIn(Schema):
    comment: str = ""


class ReasonIn(Schema):
    reason: str


def _round_out(r: CollectionRound) -> dict:
    return {
        "id": r.pk,
        "title": r.title,
        "framework": r.framework.code,
        "version": r.framework.version,
        "period": r.period,
        "opens_on": r.opens_on,
        "deadline": r.deadline,
        "status": r.status,
    }


def _rate(row) -> dict:
    return {
        "label": row.label,
        "total": row.total,
        "submitted": row.submitted,
        "approved": row.approved,
        "on_time": row.on_time,
        "complete_pct": row.complete_pct,
        "on_time_pct": row.on_time_pct,
    }


def _submission_out(s: Submission) -> dict:
    return {
        "id": s.pk,
        "round": s.round_id,
        "region": s.region_id,
        "region_name": s.region.name,
        "owner": s.owner,
        "status": s.status,
        "version": s.version,
        "submitted_at": s.submitted_at,
        "decided_at": s.decided_at,
        "return_comment": s.return_comment,
    }


def _round_or_404(request: HttpRequest, round_id: int) -> CollectionRound:
    policies.rounds.require(request.auth, "view")
    round_ = CollectionRound.objects.select_related("framework").filter(pk=round_id).first()
    if round_ is None:
        raise not_found(f"填报任务 #{round_id} 不存在。")
    return round_


def _submission_or_404(request: HttpRequest, submission_id: int) -> Submission:
    submission = (
        Submission.objects.select_related("region", "round__framework").filter(pk=submission_id).first()
    )
    if submission is None:
        raise not_found(f"填报 #{submission_id} 不存在。")
    policies.submissions.require(request.auth, "view", submission)
    return submission


@router.get(
    "/rounds/",
    response=list[RoundOut],
    summary="填报任务列表",
    operation_id="county_innovation_collection_round_api_round_list",
)
def round_list(request: HttpRequest):
    policies.rounds.require(request.auth, "view")
    return [_round_out(r) for r in selectors.rounds_visible(request.auth)]


@router.get(
    "/rounds/{round_id}",
    response=RoundDetailOut,
    summary="填报任务的完成率、按时率与逾期名单（本人可见范围）",
    operation_id="county_innovation_collection_round_api_round_detail",
)
def round_detail(request: HttpRequest, round_id: int):
    round_ = _round_or_404(request, round_id)
    progress = selectors.round_progress(round_, list(selectors.submissions_visible(request.auth, round_)))
    return _round_out(round_) | {
        "overall": _rate(progress["overall"]),
        "counties": [_rate(r) for r in progress["counties"]],
        "departments": [_rate(r) for r in progress["departments"]],
        "late": [s.pk for s in progress["late"]],
    }


@router.get(
    "/rounds/{round_id}/submissions",
    response=list[SubmissionOut],
    summary="填报任务中本人可见的各份填报",
    operation_id="county_innovation_collection_round_api_round_submissions",
)
def round_submissions(request: HttpRequest, round_id: int):
    round_ = _round_or_404(request, round_id)
    return [_submission_out(s) for s in selectors.submissions_visible(request.auth, round_)]


@router.post(
    "/submissions/{submission_id}/submit",
    response=SubmissionOut,
    summary="提交一份填报",
    operation_id="county_innovation_collection_round_api_submission_submit",
)
def submission_submit(request: HttpRequest, submission_id: int):
    submission = _submission_or_404(request, submission_id)
    return _submission_out(rounds.submission_submit(actor=request.auth, submission=submission))


@router.post(
    "/submissions/{submission_id}/approve",
    response=SubmissionOut,
    summary="审核通过一份填报",
    operation_id="county_innovation_collection_round_api_submission_approve",
)
def submission_approve(request: HttpRequest, submission_id: int, payload: CommentIn):
    submission = _submission_or_404(request, submission_id)
    return _submission_out(
        rounds.submission_approve(actor=request.auth, submission=submission, comment=payload.comment)
    )


@router.post(
    "/submissions/{submission_id}/return",
    response=SubmissionOut,
    summary="退回一份填报（须填写退回意见）",
    operation_id="county_innovation_collection_round_api_submission_return",
)
def submission_return(request: HttpRequest, submission_id: int, payload: CommentIn):
    submission = _submission_or_404(request, submission_id)
    return _submission_out(
        rounds.submission_return(actor=request.auth, submission=submission, comment=payload.comment)
    )


@router.post(
    "/submissions/{submission_id}/reopen",
    response=SubmissionOut,
    summary="重新开放已审核的填报（市科技局，须填写原因）",
    operation_id="county_innovation_collection_round_api_submission_reopen",
)
def submission_reopen(request: HttpRequest, submission_id: int, payload: ReasonIn):
    submission = _submission_or_404(request, submission_id)
    return _submission_out(
        rounds.submission_reopen(actor=request.auth, submission=submission, reason=payload.reason)
    )
