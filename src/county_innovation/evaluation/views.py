"""Evaluation runs: the list, one run's full table, running a new one, publishing, re-checking."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from county_innovation.common.errors import DomainError
from county_innovation.common.feedback import domain_error_messages, form_error_messages, show_errors
from county_innovation.evaluation.forms import RobustnessForm, RunCreateForm
from county_innovation.evaluation.models import EvaluationRun, RobustnessAnalysis
from county_innovation.evaluation.policies import analyses, runs
from county_innovation.evaluation.selectors import (
    official_history,
    official_run_of,
    robustness_analyses_of,
    robustness_analysis_current,
    robustness_chart,
    run_results,
    runs_visible_to,
)
from county_innovation.evaluation.services import (
    ReplacementNeedsReason,
    evaluation_run_create,
    evaluation_run_publish,
    robustness_start,
)
from county_innovation.evaluation.snapshot import evaluation_run_recheck
from county_innovation.indicators.methods import method_differences
from county_innovation.indicators.selectors import framework_dimensions
from county_innovation.regions.selectors import city_region


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    return _run_list_page(request, RunCreateForm(initial=RunCreateForm.initial_from({})))


def _run_list_page(request: HttpRequest, form: RunCreateForm, status: int = 200) -> HttpResponse:
    context = {
        "nav": "evaluation",
        "runs": runs_visible_to(request.user)[:200],
        "form": form,
        "can_run": runs.allows(request.user, "create"),
    }
    return render(request, "evaluation/run_list.html", context, status=status)


@login_required
@require_POST
def run_create(request: HttpRequest) -> HttpResponse:
    runs.require(request.user, "create")
    form = RunCreateForm(request.POST)
    if form.is_valid():
        framework = form.cleaned_data["framework"]
        needs_reason = None
        try:
            with transaction.atomic():  # a run that cannot be published is not kept half-done
                run = evaluation_run_create(
                    framework=framework,
                    period=form.cleaned_data["period"],
                    actor=request.user,
                    scope=city_region(),
                    method_spec=form.method_spec(framework.method_spec),
                )
                if form.cleaned_data["publish"]:
                    try:
                        with transaction.atomic():
                            evaluation_run_publish(run=run, actor=request.user)
                    except ReplacementNeedsReason as exc:
                        # The run is kept unpublished; replacing the official one needs a confirmed reason.
                        needs_reason = exc
        except DomainError as exc:
            show_errors(request, domain_error_messages(exc))
        else:
            messages.success(
                request, f"已完成 {run.period} 年「{framework.name}」评价，{run.unit_count} 个单位参与排名。"
            )
            if needs_reason is not None:
                return _publish_confirm_page(request, run, needs_reason.official)
            return redirect("evaluation:run_detail", pk=run.pk)
    else:
        show_errors(request, form_error_messages(form))
    return _run_list_page(request, form, status=400)


def _publish_confirm_page(
    request: HttpRequest, run: EvaluationRun, official: EvaluationRun, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "evaluation/publish_confirm.html",
        {
            "nav": "evaluation",
            "run": run,
            "official": official,
            "differences": method_differences(
                run.method_spec,
                official.method_spec,
                version=run.framework_version,
                other_version=official.framework_version,
            ),
            "error": error,
            "reason": request.POST.get("replace_reason", "") if request.method == "POST" else "",
        },
        status=status,
    )


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(EvaluationRun.objects.select_related("framework", "scope", "created_by"), pk=pk)
    runs.require(request.user, "view", run)
    dims = [d for d, _ in framework_dimensions(run.framework)]
    rows = []
    for r in run_results(run):
        rows.append({"result": r, "dims": [r.dimension_scores.get(d.code) for d in dims]})
    return render(
        request,
        "evaluation/run_detail.html",
        {
            "nav": "evaluation",
            "run": run,
            "dims": dims,
            "rows": rows,
            "can_publish": runs.allows(request.user, "publish", run) and not run.is_published,
            "official": official_run_of(run),
            "replacements": official_history(run),
            "can_analyse": runs.allows(request.user, "analyse", run),
            "analyses": robustness_analyses_of(run),
            "robustness_form": RobustnessForm(initial={"kind": "uncertainty"}),
        },
    )


@login_required
@require_POST
def run_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish; when an official run of the framework and period exists, a page asks to confirm with a reason."""
    run = get_object_or_404(EvaluationRun.objects.select_related("framework", "scope"), pk=pk)
    runs.require(request.user, "publish", run)
    confirmed = request.POST.get("confirm_replace") == "1"
    try:
        evaluation_run_publish(
            run=run,
            actor=request.user,
            replace_reason=request.POST.get("replace_reason", "") if confirmed else "",
        )
    except ReplacementNeedsReason as exc:
        error = "请填写替换理由：理由记入替换记录，供日后查阅。" if confirmed else ""
        return _publish_confirm_page(request, run, exc.official, error=error, status=400 if error else 200)
    except DomainError as exc:
        show_errors(request, domain_error_messages(exc))
    else:
        replaced = "，原正式结果已标为「已被替换」，理由已记录" if confirmed else ""
        messages.success(request, f"已发布{replaced}；「{run.framework}」随之冻结，之后的修改须另建新版本。")
    return redirect("evaluation:run_detail", pk=run.pk)


@login_required
@require_POST
def run_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(EvaluationRun, pk=pk)
    runs.require(request.user, "view", run)
    try:
        report = evaluation_run_recheck(run=run)
    except DomainError as exc:
        show_errors(request, domain_error_messages(exc))
    else:
        if report.reproduced:
            messages.success(
                request, "复算一致：由存档的输入数据与方法参数重新计算，所有指数完全相同，输入哈希一致。"
            )
        else:
            messages.warning(
                request,
                f"复算不一致：哈希一致={report.same_hash}，最大差异 {report.max_abs_difference:.3g}。",
            )
    return redirect("evaluation:run_detail", pk=run.pk)


@login_required
@require_POST
def robustness_create(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(EvaluationRun, pk=pk)
    runs.require(request.user, "analyse", run)
    form = RobustnessForm(request.POST)
    if not form.is_valid():
        show_errors(request, form_error_messages(form))
        return redirect("evaluation:run_detail", pk=run.pk)
    try:
        analysis = robustness_start(
            run=run, kind=form.cleaned_data["kind"], spec=form.spec(), actor=request.user
        )
    except DomainError as exc:
        show_errors(request, domain_error_messages(exc))
        return redirect("evaluation:run_detail", pk=run.pk)
    return redirect("evaluation:robustness_detail", pk=analysis.pk)


def _analysis_for(request: HttpRequest, pk: int) -> RobustnessAnalysis:
    analysis = robustness_analysis_current(pk)
    if analysis is None:
        raise Http404("未找到该稳健性分析。")
    analyses.require(request.user, "view", analysis)
    return analysis


@login_required
def robustness_detail(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = _analysis_for(request, pk)
    return render(
        request,
        "evaluation/robustness_detail.html",
        {
            "nav": "evaluation",
            "analysis": analysis,
            "run": analysis.run,
            "chart": robustness_chart(analysis)
            if analysis.status == RobustnessAnalysis.Status.DONE
            else None,
        },
    )


@login_required
def robustness_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled by htmx every second until the analysis finishes; then the page reloads."""
    analysis = _analysis_for(request, pk)
    response = render(request, "evaluation/_robustness_progress.html", {"analysis": analysis})
    if analysis.is_finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response
