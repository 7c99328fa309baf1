"""Pages of one submission: its values for review with its history, the submit / approve / return / reopen
steps, and one value's change history."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from county_innovation.collection import policies, selectors
from county_innovation.collection.forms import ReopenForm, ReturnForm
from county_innovation.collection.models import Submission
from county_innovation.collection.services import rounds
from county_innovation.common.errors import DomainError
from county_innovation.common.feedback import perform
from county_innovation.indicators.models import Indicator
from county_innovation.regions.models import Region

Status = Submission.Status


def _submission_or_404(request: HttpRequest, submission_id: int) -> Submission:
    submission = get_object_or_404(
        Submission.objects.select_related("region", "round__framework", "submitted_by", "decided_by"),
        pk=submission_id,
    )
    policies.submissions.require(request.user, "view", submission)
    return submission


@login_required
def submission_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _submission_or_404(request, submission_id)
    user = request.user
    reviewable = submission.status == Status.SUBMITTED and policies.submissions.allows(
        user, "approve", submission
    )
    # The approve button is not shown to whom separation of duties refuses it (the submitter, an editor).
    conflict = selectors.approval_conflict(user, submission) if reviewable else None
    return render(
        request,
        "collection/submission_detail.html",
        {
            "nav": "data",
            "submission": submission,
            "round": submission.round,
            "rows": selectors.submission_review_rows(submission),
            "events": selectors.submission_events(submission),
            "can_submit": submission.editable and policies.submissions.allows(user, "submit", submission),
            "can_review": reviewable,
            "can_approve": reviewable and not conflict,
            "approval_conflict": conflict or "",
            "can_reopen": submission.status in {Status.APPROVED, Status.SUBMITTED}
            and policies.submissions.allows(user, "reopen", submission),
            "return_form": ReturnForm(),
            "reopen_form": ReopenForm(),
        },
    )


def _submission_step(request: HttpRequest, submission_id: int, action: str, act, done: str) -> HttpResponse:
    """Run a step on the submission: refused with 403 to whom the policy refuses ``action``; a refusal of the
    step itself (its status, a missing value, separation of duties) becomes messages on the submission's page."""
    submission = _submission_or_404(request, submission_id)
    policies.submissions.require(request.user, action, submission)
    perform(request, lambda: act(submission), done=done.format(region=submission.region.name))
    return redirect("collection:submission_detail", submission_id=submission.pk)


@login_required
@require_POST
def submission_submit(request: HttpRequest, submission_id: int) -> HttpResponse:
    return _submission_step(
        request,
        submission_id,
        "submit",
        lambda s: rounds.submission_submit(actor=request.user, submission=s),
        "「{region}」的填报已提交，等待审核。",
    )


@login_required
@require_POST
def submission_approve(request: HttpRequest, submission_id: int) -> HttpResponse:
    return _submission_step(
        request,
        submission_id,
        "approve",
        lambda s: rounds.submission_approve(
            actor=request.user, submission=s, comment=request.POST.get("comment", "")
        ),
        "「{region}」的填报已审核通过，数据不能再修改。",
    )


@login_required
@require_POST
def submission_return(request: HttpRequest, submission_id: int) -> HttpResponse:
    form = ReturnForm(request.POST)

    def act(submission: Submission) -> Submission:
        if not form.is_valid():
            raise DomainError(form.errors["comment"][0])
        return rounds.submission_return(
            actor=request.user, submission=submission, comment=form.cleaned_data["comment"]
        )

    return _submission_step(
        request, submission_id, "approve", act, "已退回「{region}」的填报，退回意见已通知填报单位。"
    )


@login_required
@require_POST
def submission_reopen(request: HttpRequest, submission_id: int) -> HttpResponse:
    form = ReopenForm(request.POST)

    def act(submission: Submission) -> Submission:
        if not form.is_valid():
            raise DomainError(form.errors["reason"][0])
        return rounds.submission_reopen(
            actor=request.user, submission=submission, reason=form.cleaned_data["reason"]
        )

    return _submission_step(
        request, submission_id, "reopen", act, "已重新开放「{region}」的填报，原因已记录。"
    )


@login_required
def value_history(request: HttpRequest, region_code: str, period: int, indicator_code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=region_code)
    policies.data.require_view(request.user, region)
    indicator = get_object_or_404(Indicator, code=indicator_code)
    return render(
        request,
        "collection/value_history.html",
        {
            "nav": "data",
            "region": region,
            "period": period,
            "indicator": indicator,
            "records": selectors.value_history(region=region, period=period, indicator=indicator),
        },
    )
