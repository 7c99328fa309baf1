"""Framework pages: the list of versions, one version's tree and weights, and making a new version."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from county_innovation.accounts import permissions
from county_innovation.common.errors import DomainError
from county_innovation.common.forms import form_errors_to_messages
from county_innovation.evaluation.selectors import runs_visible_to
from county_innovation.indicators.forms import MethodSpecForm
from county_innovation.indicators.models import Framework, Indicator
from county_innovation.indicators.selectors import framework_dimensions
from county_innovation.indicators.services import framework_new_version


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = Framework.objects.prefetch_related("runs").order_by("level", "code", "-version")
    return render(request, "indicators/framework_list.html", {"nav": "frameworks", "frameworks": frameworks})


def _tree(framework: Framework) -> list[dict]:
    """Dimensions with their indicators and the effective weight of each within the whole index."""
    dims = framework_dimensions(framework)
    dim_total = sum(float(d.weight) for d, _ in dims) or 1.0
    tree = []
    for dim, leaves in dims:
        leaf_total = sum(float(leaf.weight) for leaf in leaves) or 1.0
        share = float(dim.weight) / dim_total
        tree.append(
            {
                "node": dim,
                "share": share,
                "leaves": [
                    {"node": leaf, "share": share * float(leaf.weight) / leaf_total} for leaf in leaves
                ],
            }
        )
    return tree


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_object_or_404(Framework, pk=pk)
    tree = _tree(framework)
    used = {leaf["node"].indicator_id for dim in tree for leaf in dim["leaves"]}
    unused = Indicator.objects.filter(level=framework.level).exclude(pk__in=used)
    return render(
        request,
        "indicators/framework_detail.html",
        {
            "nav": "frameworks",
            "framework": framework,
            "tree": tree,
            "unused": unused,
            "runs": runs_visible_to(request.user).filter(framework=framework)[:20],
            "can_edit": permissions.can_manage_frameworks(request.user),
        },
    )


@login_required
def framework_new(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_object_or_404(Framework, pk=pk)
    permissions.require(
        permissions.can_manage_frameworks(request.user), "只有市科技局管理员可以修改评价指标体系。"
    )
    if request.method != "POST":
        return redirect("indicators:framework_detail", pk=pk)
    post = request.POST
    weights = {key[len("weight_") :]: value for key, value in post.items() if key.startswith("weight_")}
    removed = post.getlist("remove")
    added = {code: post.get(f"add_dim_{code}", "") for code in post.getlist("add")}
    method_form = MethodSpecForm(post)
    if not method_form.is_valid():
        form_errors_to_messages(request, method_form)
        return redirect("indicators:framework_detail", pk=pk)
    spec = method_form.method_spec(framework.method_spec)
    advanced = post.get("method_json", "").strip()
    if advanced:  # AHP matrices, goalposts, 监测标准值 targets, per-indicator overrides (docs/engine.md)
        try:
            extra = json.loads(advanced)
        except json.JSONDecodeError as exc:
            messages.error(
                request, f"高级方法设置不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg}。"
            )
            return redirect("indicators:framework_detail", pk=pk)
        if not isinstance(extra, dict):
            messages.error(request, '高级方法设置应为 JSON 对象，如 {"targets": {"fiscal_st_share": 5}}。')
            return redirect("indicators:framework_detail", pk=pk)
        spec.update(extra)
    try:
        new = framework_new_version(
            framework=framework,
            user=request.user,
            weights=weights,
            removed_indicators=removed,
            added_indicators=added,
            method_spec=spec,
            note=post.get("note", "").strip(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("indicators:framework_detail", pk=pk)
    messages.success(request, f"已创建「{new}」。之后执行评价时可选择该版本。")
    return redirect("indicators:framework_detail", pk=new.pk)
