"""Pages of collection rounds: the list, opening a round, its progress and reporting rate, each submission with
its history and the approve / return / reopen actions, a value's change history, and the audit export."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from county_innovation.accounts import permissions
from county_innovation.collection import audit, selectors, workflow
from county_innovation.collection.excel import XLSX_CONTENT_TYPE
from county_innovation.collection.forms import PublishForm, ReopenForm, ReturnForm, RoundForm
from county_innovation.collection.models import CollectionRound, Submission
from county_innovation.common.errors import DomainError
from county_innovation.common.forms import form_errors_to_messages
from county_innovation.indicators.models import Indicator
from county_innovation.regions.models import Region


def _require_rounds(request: HttpRequest) -> None:
    permissions.require(
        permissions.can_view_round(request.user), "您的账号不参与数据填报，无法查看填报任务。"
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_list(request: HttpRequest) -> HttpResponse:
    _require_rounds(request)
    form = None
    if permissions.can_manage_rounds(request.user):
        form = RoundForm(request.POST or None)
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    round_ = workflow.round_create(user=request.user, **data)
                except DomainError as error:
                    messages.error(request, error.message)
                else:
                    messages.success(
                        request,
                        f"已发布填报任务「{round_.title}」：{round_.submissions.count()} 份填报待完成。",
                    )
                    return redirect("collection:round_detail", round_id=round_.pk)
            else:
                form_errors_to_messages(request, form)
    elif request.method == "POST":
        permissions.require(False, "只有市科技局管理员可以发布填报任务。")
    rounds = list(selectors.rounds_visible(request.user))
    rows = [
        (r, selectors.round_progress(r, list(selectors.submissions_visible(request.user, r)))) for r in rounds
    ]
    return render(request, "collection/round_list.html", {"nav": "data", "rows": rows, "form": form})


@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    _require_rounds(request)
    round_ = get_object_or_404(CollectionRound.objects.select_related("framework"), pk=round_id)
    submissions = list(selectors.submissions_visible(request.user, round_))
    status = request.GET.get("status", "")
    shown = [s for s in submissions if not status or s.status == status]
    return render(
        request,
        "collection/round_detail.html",
        {
            "nav": "data",
            "round": round_,
            "progress": selectors.round_progress(round_, submissions),
            "submissions": shown,
            "status": status,
            "statuses": Submission.Status.choices,
            "to_review": selectors.submissions_to_review(request.user, round_),
            "can_manage": permissions.can_manage_rounds(request.user),
            "publish_form": PublishForm(),
        },
    )


def _act(request: HttpRequest, action, *, then: str, **kwargs) -> HttpResponse:
    """Run a workflow step; a refusal becomes messages (with every problem) on the page it returns to."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
        for problem in error.problems[:50]:
            messages.error(request, problem)
    return redirect(then, **kwargs)


def _round_action(request: HttpRequest, round_id: int, action) -> HttpResponse:
    round_ = get_object_or_404(CollectionRound, pk=round_id)
    return _act(request, lambda: action(round_), then="collection:round_detail", round_id=round_.pk)


@login_required
@require_POST
def round_close(request: HttpRequest, round_id: int) -> HttpResponse:
    def act(round_):
        workflow.round_close(user=request.user, round_=round_)
        messages.success(request, f"填报任务「{round_.title}」已截止：不能再填报和提交，审核可继续。")

    return _round_action(request, round_id, act)


@login_required
@require_POST
def round_reopen(request: HttpRequest, round_id: int) -> HttpResponse:
    def act(round_):
        workflow.round_reopen(user=request.user, round_=round_)
        messages.success(request, f"填报任务「{round_.title}」已重新开放填报。")

    return _round_action(request, round_id, act)


@login_required
@require_POST
def round_publish(request: HttpRequest, round_id: int) -> HttpResponse:
    form = PublishForm(request.POST)
    form.is_valid()

    def act(round_):
        workflow.round_publish(
            user=request.user,
            round_=round_,
            allow_unsubmitted=form.cleaned_data.get("allow_unsubmitted", False),
        )
        messages.success(request, f"填报任务「{round_.title}」已发布，全部数据已锁定。")

    return _round_action(request, round_id, act)


def _submission_or_404(request: HttpRequest, submission_id: int) -> Submission:
    submission = get_object_or_404(
        Submission.objects.select_related("region", "round__framework", "submitted_by", "decided_by"),
        pk=submission_id,
    )
    permissions.require_view_submission(request.user, submission)
    return submission


@login_required
def submission_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _submission_or_404(request, submission_id)
    round_ = submission.round
    return render(
        request,
        "collection/submission_detail.html",
        {
            "nav": "data",
            "submission": submission,
            "round": round_,
            "rows": selectors.submission_review_rows(submission),
            "events": selectors.submission_events(submission),
            "can_submit": permissions.can_submit(request.user, submission) and submission.editable,
            "can_approve": permissions.can_approve(request.user, submission)
            and submission.status == Submission.Status.SUBMITTED,
            "can_reopen": permissions.is_city_admin(request.user)
            and submission.status in {Submission.Status.APPROVED, Submission.Status.SUBMITTED},
            "return_form": ReturnForm(),
            "reopen_form": ReopenForm(),
        },
    )


def _submission_action(request: HttpRequest, submission_id: int, action) -> HttpResponse:
    submission = _submission_or_404(request, submission_id)
    return _act(
        request, lambda: action(submission), then="collection:submission_detail", submission_id=submission.pk
    )


@login_required
@require_POST
def submission_submit(request: HttpRequest, submission_id: int) -> HttpResponse:
    def act(submission):
        workflow.submission_submit(user=request.user, submission=submission)
        messages.success(request, f"「{submission.region.name}」的填报已提交，等待审核。")

    return _submission_action(request, submission_id, act)


@login_required
@require_POST
def submission_approve(request: HttpRequest, submission_id: int) -> HttpResponse:
    def act(submission):
        workflow.submission_approve(
            user=request.user, submission=submission, comment=request.POST.get("comment", "")
        )
        messages.success(request, f"「{submission.region.name}」的填报已审核通过，数据不能再修改。")

    return _submission_action(request, submission_id, act)


@login_required
@require_POST
def submission_return(request: HttpRequest, submission_id: int) -> HttpResponse:
    form = ReturnForm(request.POST)

    def act(submission):
        permissions.require_approve(request.user, submission)
        if not form.is_valid():
            raise DomainError(form.errors["comment"][0])
        workflow.submission_return(
            user=request.user, submission=submission, comment=form.cleaned_data["comment"]
        )
        messages.success(request, f"已退回「{submission.region.name}」的填报，退回意见已通知填报单位。")

    return _submission_action(request, submission_id, act)


@login_required
@require_POST
def submission_reopen(request: HttpRequest, submission_id: int) -> HttpResponse:
    form = ReopenForm(request.POST)

    def act(submission):
        permissions.require(
            permissions.is_city_admin(request.user), "只有市科技局管理员可以重新开放已审核的数据。"
        )
        if not form.is_valid():
            raise DomainError(form.errors["reason"][0])
        workflow.submission_reopen(
            user=request.user, submission=submission, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"已重新开放「{submission.region.name}」的填报，原因已记录。")

    return _submission_action(request, submission_id, act)


@login_required
def value_history(request: HttpRequest, region_code: str, period: int, indicator_code: str) -> HttpResponse:
    region = get_object_or_404(Region, code=region_code)
    permissions.require_view_data(request.user, region)
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


@login_required
def audit_export(request: HttpRequest, round_id: int) -> HttpResponse:
    _require_rounds(request)
    round_ = get_object_or_404(CollectionRound.objects.select_related("framework"), pk=round_id)
    content = audit.audit_workbook(user=request.user, round_=round_)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    name = f"{round_.title}_审计记录.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_POST
def round_registry(request: HttpRequest, round_id: int) -> HttpResponse:
    """Recompute the registry indicators (enterprise counts …) of the round's year."""

    def act(round_):
        reports = workflow.round_registry_refresh(user=request.user, round_=round_)
        changed = sum(r.created + r.updated + r.removed for r in reports)
        messages.success(
            request, f"已按登记名录重新统计 {round_.period} 年度的名录指标：{changed} 项有变化。"
        )

    return _round_action(request, round_id, act)
