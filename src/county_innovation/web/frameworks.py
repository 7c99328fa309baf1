"""One framework version's page: its tree and weights, the evaluations that use it, and making a new version.

It sits above evaluation because it lists the version's evaluation runs; the list of versions is
``indicators.views.framework_list``. The URLs keep the ``indicators`` namespace (``web.framework_urls``).
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from county_innovation.common.errors import DomainError
from county_innovation.common.feedback import domain_error_messages, show_errors
from county_innovation.common.forms import form_errors_to_messages
from county_innovation.evaluation.selectors import runs_visible_to
from county_innovation.indicators.forms import FrameworkMethodForm
from county_innovation.indicators.models import Framework, Indicator
from county_innovation.indicators.policies import frameworks
from county_innovation.indicators.selectors import framework_dimensions
from county_innovation.indicators.services import framework_new_version


def _tree(framework: Framework, posted: dict[str, str] | None = None) -> list[dict]:
    """Dimensions with their indicators and the effective weight of each within the whole index.

    ``posted`` ({node code: weight text}) are the weights of a refused save: the page shows them again
    (the shares from the stored weights) so the edit is not lost.
    """
    posted = posted or {}
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
                "value": posted.get(dim.code, _weight_text(dim.weight)),
                "leaves": [
                    {
                        "node": leaf,
                        "share": share * float(leaf.weight) / leaf_total,
                        "value": posted.get(leaf.code, _weight_text(leaf.weight)),
                    }
                    for leaf in leaves
                ],
            }
        )
    return tree


def _weight_text(weight: object) -> str:
    text = format(weight.normalize(), "f") if hasattr(weight, "normalize") else str(weight)
    return text


def _detail_page(
    request: HttpRequest, framework: Framework, *, post: dict | None = None, status: int = 200
) -> HttpResponse:
    posted = (
        {k[len("weight_") :]: v for k, v in post.items() if k.startswith("weight_")}
        if post is not None
        else {}
    )
    tree = _tree(framework, posted)
    used = {leaf["node"].indicator_id for dim in tree for leaf in dim["leaves"]}
    unused = Indicator.objects.filter(level=framework.level).exclude(pk__in=used)
    can_edit = frameworks.allows(request.user, "manage", framework)
    method_form = None
    if can_edit:
        method_form = (
            FrameworkMethodForm(post)
            if post is not None
            else FrameworkMethodForm(initial=FrameworkMethodForm.initial_from(framework.method_spec))
        )
    return render(
        request,
        "indicators/framework_detail.html",
        {
            "nav": "frameworks",
            "framework": framework,
            "tree": tree,
            "unused": unused,
            "runs": runs_visible_to(request.user).filter(framework=framework)[:20],
            "can_edit": can_edit,
            "method_form": method_form,
            "posted": post or {},
            "removed": set(post.getlist("remove")) if post is not None else set(),
        },
        status=status,
    )


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, get_object_or_404(Framework, pk=pk))


@login_required
def framework_new(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_object_or_404(Framework, pk=pk)
    frameworks.require(request.user, "manage", framework)
    if request.method != "POST":
        return redirect("indicators:framework_detail", pk=pk)
    post = request.POST
    weights = {key[len("weight_") :]: value for key, value in post.items() if key.startswith("weight_")}
    removed = post.getlist("remove")
    added = {code: post.get(f"add_dim_{code}", "") for code in post.getlist("add")}
    # An indicator not yet in the framework has its weight field beside its 加入 box; only ticked ones count.
    weights.update({code: post[f"add_weight_{code}"] for code in added if f"add_weight_{code}" in post})
    method_form = FrameworkMethodForm(post)
    if not method_form.is_valid():
        form_errors_to_messages(request, method_form)
        return _detail_page(request, framework, post=post, status=400)
    spec = method_form.method_spec(framework.method_spec)
    advanced = post.get("method_json", "").strip()
    if advanced:  # AHP matrices, goalposts, 监测标准值 targets, per-indicator overrides (docs/engine.md)
        try:
            extra = json.loads(advanced)
        except json.JSONDecodeError as exc:
            messages.error(
                request, f"高级方法设置不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg}。"
            )
            return _detail_page(request, framework, post=post, status=400)
        if not isinstance(extra, dict):
            messages.error(request, '高级方法设置应为 JSON 对象，如 {"targets": {"fiscal_st_share": 5}}。')
            return _detail_page(request, framework, post=post, status=400)
        spec.update(extra)
    try:
        new = framework_new_version(
            actor=request.user,
            framework=framework,
            weights=weights,
            removed_indicators=removed,
            added_indicators=added,
            method_spec=spec,
            note=post.get("note", "").strip(),
        )
    except (DomainError, PermissionDenied) as exc:
        show_errors(request, domain_error_messages(exc))
        return _detail_page(request, framework, post=post, status=400)
    messages.success(request, f"已创建「{new}」。之后执行评价时可选择该版本。")
    return redirect("indicators:framework_detail", pk=new.pk)
