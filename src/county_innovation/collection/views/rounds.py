"""Pages of collection rounds: the list (and opening a round), a round's progress and reporting rate, closing,
reopening and publishing it, refreshing its registry indicators, and the audit export."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from county_innovation.collection import audit, policies, selectors
from county_innovation.collection.excel import XLSX_CONTENT_TYPE
from county_innovation.collection.forms import PublishForm, RoundForm
from county_innovation.collection.models import CollectionRound, Submission
from county_innovation.collection.services import rounds
from county_innovation.common.feedback import form_error_messages, perform, show_errors

OPEN_REFUSED = "只有市科技局管理员可以发布填报任务。"


@login_required
@require_http_methods(["GET", "POST"])
def round_list(request: HttpRequest) -> HttpResponse:
    policies.rounds.require(request.user, "view")
    form = None
    if policies.rounds.allows(request.user, "manage"):
        form = RoundForm(request.POST or None)
        if request.method == "POST":
            if form.is_valid():
                ok, round_ = perform(
                    request, lambda: rounds.round_create(actor=request.user, **form.cleaned_data)
                )
                if ok:
                    count = round_.submissions.count()
                    messages.success(request, f"已发布填报任务「{round_.title}」：{count} 份填报待完成。")
                    return redirect("collection:round_detail", round_id=round_.pk)
            else:
                show_errors(request, form_error_messages(form))
    elif request.method == "POST":
        policies.rounds.require(request.user, "manage", message=OPEN_REFUSED)
    visible = list(selectors.rounds_visible(request.user))
    rows = [
        (r, selectors.round_progress(r, list(selectors.submissions_visible(request.user, r))))
        for r in visible
    ]
    return render(request, "collection/round_list.html", {"nav": "data", "rows": rows, "form": form})


@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    policies.rounds.require(request.user, "view")
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
            "can_manage": policies.rounds.allows(request.user, "manage", round_),
            "publish_form": PublishForm(),
        },
    )


def _round_step(request: HttpRequest, round_id: int, act, done) -> HttpResponse:
    """Run a step on the round: refused with 403 to whom may not manage rounds; a refusal of the step itself
    becomes messages (every problem) on the round's page."""
    round_ = get_object_or_404(CollectionRound, pk=round_id)
    policies.rounds.require(request.user, "manage", round_)
    ok, result = perform(request, lambda: act(round_))
    if ok:
        messages.success(request, done(round_, result))
    return redirect("collection:round_detail", round_id=round_.pk)


@login_required
@require_POST
def round_close(request: HttpRequest, round_id: int) -> HttpResponse:
    return _round_step(
        request,
        round_id,
        lambda round_: rounds.round_close(actor=request.user, round_=round_),
        lambda round_, _: f"填报任务「{round_.title}」已截止：不能再填报和提交，审核可继续。",
    )


@login_required
@require_POST
def round_reopen(request: HttpRequest, round_id: int) -> HttpResponse:
    return _round_step(
        request,
        round_id,
        lambda round_: rounds.round_reopen(actor=request.user, round_=round_),
        lambda round_, _: f"填报任务「{round_.title}」已重新开放填报。",
    )


@login_required
@require_POST
def round_publish(request: HttpRequest, round_id: int) -> HttpResponse:
    form = PublishForm(request.POST)
    form.is_valid()
    return _round_step(
        request,
        round_id,
        lambda round_: rounds.round_publish(
            actor=request.user,
            round_=round_,
            allow_unsubmitted=form.cleaned_data.get("allow_unsubmitted", False),
        ),
        lambda round_, _: f"填报任务「{round_.title}」已发布，全部数据已锁定。",
    )


@login_required
@require_POST
def round_registry(request: HttpRequest, round_id: int) -> HttpResponse:
    """Recompute the registry indicators (enterprise counts …) of the round's year."""

    def done(round_, reports) -> str:
        changed = sum(r.created + r.updated + r.removed for r in reports)
        return f"已按登记名录重新统计 {round_.period} 年度的名录指标：{changed} 项有变化。"

    return _round_step(
        request,
        round_id,
        lambda round_: rounds.round_registry_refresh(actor=request.user, round_=round_),
        done,
    )


@login_required
def audit_export(request: HttpRequest, round_id: int) -> HttpResponse:
    policies.rounds.require(request.user, "view")
    round_ = get_object_or_404(CollectionRound.objects.select_related("framework"), pk=round_id)
    content = audit.audit_workbook(user=request.user, round_=round_)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    name = f"{round_.title}_审计记录.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
