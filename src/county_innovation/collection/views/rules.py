"""The city admin's pages for the validation rules of each framework version: list, add, edit, switch off.

Thin like the other views: permissions ask ``policies.rules``, writes go through ``services.rules.rule_save``
and ``services.rules.rule_deactivate``, refusals come back as DomainError and are shown on the form.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from county_innovation.collection import policies, rules_config
from county_innovation.collection.forms import ValidationRuleForm
from county_innovation.collection.models import ValidationRule
from county_innovation.collection.services import rules as rule_services
from county_innovation.common.errors import DomainError
from county_innovation.indicators.models import Framework


@login_required
def rule_index(request: HttpRequest) -> HttpResponse:
    policies.rules.require(request.user, "manage")
    frameworks = Framework.objects.annotate(
        rule_count=Count("validation_rules", filter=Q(validation_rules__active=True))
    ).order_by("code", "-version")
    return render(request, "collection/rules_index.html", {"nav": "frameworks", "frameworks": frameworks})


@login_required
def rule_list(request: HttpRequest, framework_pk: int) -> HttpResponse:
    policies.rules.require(request.user, "manage")
    framework = get_object_or_404(Framework, pk=framework_pk)
    all_rules = (
        ValidationRule.objects.filter(framework=framework)
        .select_related("indicator", "other")
        .order_by("-active", "kind", "pk")
    )
    return render(
        request,
        "collection/rules_list.html",
        {
            "nav": "frameworks",
            "framework": framework,
            "rows": [(rule, rules_config.rule_summary(rule)) for rule in all_rules],
        },
    )


@login_required
def rule_edit(request: HttpRequest, framework_pk: int, pk: int | None = None) -> HttpResponse:
    policies.rules.require(request.user, "manage")
    framework = get_object_or_404(Framework, pk=framework_pk)
    rule = get_object_or_404(ValidationRule, pk=pk, framework=framework) if pk is not None else None
    form = ValidationRuleForm(request.POST or None, instance=rule, framework=framework)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = rule_services.rule_save(
                    framework=framework, fields=form.cleaned_data, rule=rule, actor=request.user
                )
            except DomainError as exc:
                for problem in exc.problems or [exc.message]:
                    form.add_error(None, problem)
            else:
                messages.success(request, f"已保存校验规则「{saved}」。")
                return redirect("collection:rule_list", framework.pk)
        status = 400
    return render(
        request,
        "collection/rules_form.html",
        {"nav": "frameworks", "framework": framework, "rule": rule, "form": form},
        status=status,
    )


@login_required
@require_POST
def rule_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    policies.rules.require(request.user, "manage")
    rule = get_object_or_404(ValidationRule, pk=pk)
    rule_services.rule_deactivate(rule=rule, actor=request.user)
    messages.success(request, f"已停用校验规则「{rule}」；规则保留在列表中，可在编辑页重新启用。")
    return redirect("collection:rule_list", rule.framework_id)
