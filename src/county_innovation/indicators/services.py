"""Writes of indicators and frameworks: seeding the defaults, new versions, freezing.

The rules a framework version must satisfy (``framework_ensure_editable``) are in ``indicators.frameworks``."""

from decimal import Decimal

import pandas as pd
from django.db import transaction

from county_innovation.common.actors import Actor, history_user, require_system
from county_innovation.common.errors import DomainError
from county_innovation.common.numbers import NumberProblem, number_parse
from county_innovation.engine import EngineError, Hierarchy, MethodSpec, evaluate
from county_innovation.indicators.defaults import (
    COUNTY_FRAMEWORK,
    COUNTY_INDICATORS,
    DEFAULT_METHOD_SPEC,
    REGISTRY_COUNTY_INDICATORS,
    REGISTRY_TOWN_INDICATORS,
    TOWN_FRAMEWORK,
    TOWN_INDICATORS,
    FrameworkDef,
)
from county_innovation.indicators.models import Framework, FrameworkNode, Indicator
from county_innovation.indicators.policies import frameworks
from county_innovation.indicators.selectors import framework_hierarchy, framework_nodes
from county_innovation.indicators.signals import framework_version_created


@transaction.atomic
def default_frameworks_ensure(*, actor: Actor) -> list[Framework]:
    """Create the default indicators and version 1 of the county and town frameworks when missing.

    The platform seeds them (the demo, the start-up command, the tests' setup); users make new versions.
    """
    require_system(actor, "预置默认评价指标体系")
    for level, defs in (
        ("county", COUNTY_INDICATORS + REGISTRY_COUNTY_INDICATORS),
        ("town", TOWN_INDICATORS + REGISTRY_TOWN_INDICATORS),
    ):
        for d in defs:
            Indicator.objects.update_or_create(
                code=d.code,
                defaults={
                    "name": d.name,
                    "unit": d.unit,
                    "value_kind": d.value_kind,
                    "owner": d.owner,
                    "source": d.source,
                    "direction": d.direction,
                    "additive": d.additive,
                    "definition": d.definition,
                    "level": level,
                    "origin": d.origin,
                    "registry": d.registry,
                },
            )
    return [_framework_from_def(COUNTY_FRAMEWORK), _framework_from_def(TOWN_FRAMEWORK)]


def _framework_from_def(fdef: FrameworkDef) -> Framework:
    existing = Framework.objects.filter(code=fdef.code).order_by("version").first()
    if existing is not None:
        return existing
    framework = Framework.objects.create(
        code=fdef.code,
        version=1,
        name=fdef.name,
        level=fdef.level,
        method_spec=dict(DEFAULT_METHOD_SPEC),
        note="默认体系：维度内等权、维度间等权。",
    )
    root = FrameworkNode.objects.create(framework=framework, code="index", name="综合创新指数", position=0)
    indicators = {i.code: i for i in Indicator.objects.all()}
    position = 1
    for dim_code, dim_name, codes in fdef.dimensions:
        dim = FrameworkNode.objects.create(
            framework=framework, code=dim_code, name=dim_name, parent=root, position=position
        )
        position += 1
        for code in codes:
            ind = indicators[code]
            FrameworkNode.objects.create(
                framework=framework, code=code, name=ind.name, parent=dim, indicator=ind, position=position
            )
            position += 1
    return framework


MAX_WEIGHT = Decimal(1_000_000)  # FrameworkNode.weight: max_digits=10, decimal_places=4


def _parse_weight(label: str, raw: object) -> Decimal:
    try:
        weight = number_parse(raw, max_abs=MAX_WEIGHT, places=4, round_excess_places=True)
    except NumberProblem as problem:
        raise DomainError(f"「{label}」的权重{problem.reason}。") from None
    if weight is None:
        raise DomainError(f"「{label}」的权重应为数字，实际为「未填写」。")
    if weight < 0:
        raise DomainError(f"「{label}」的权重不能为负数，实际为「{raw}」。")
    return weight.quantize(Decimal("0.0001"))


@transaction.atomic
def framework_new_version(
    *,
    actor: Actor,
    framework: Framework,
    weights: dict[str, object] | None = None,
    removed_indicators: list[str] | None = None,
    added_indicators: dict[str, str] | None = None,
    method_spec: dict | None = None,
    note: str = "",
) -> Framework:
    """Copy ``framework`` into a new version with other weights, indicators or method.

    weights: {node code: weight} (a dimension's code or an indicator's code), relative among siblings.
    removed_indicators: indicator codes to leave out. added_indicators: {indicator code: dimension code}.
    The source version is left untouched, frozen or not.
    """
    frameworks.require(actor, "manage", framework)
    weights = weights or {}
    removed = set(removed_indicators or [])
    added = added_indicators or {}
    nodes = framework_nodes(framework)
    codes = {n.code for n in nodes}
    unknown = sorted(set(weights) - codes - set(added))
    if unknown:
        raise DomainError(f"体系中没有节点「{'、'.join(unknown)}」，无法设置权重。")
    spec = dict(framework.method_spec)
    if method_spec is not None:
        spec.update(method_spec)
    try:
        MethodSpec.from_dict(spec)
    except EngineError as exc:
        raise DomainError(str(exc)) from None

    last = Framework.objects.filter(code=framework.code).order_by("-version").first()
    new = Framework.objects.create(
        code=framework.code,
        version=last.version + 1,
        name=framework.name,
        level=framework.level,
        method_spec=spec,
        note=note or f"由 v{framework.version} 修改而来",
        created_by=history_user(actor),
        status=Framework.Status.ACTIVE,
    )
    copies: dict[int, FrameworkNode] = {}
    for node in nodes:  # ordered by position, parents before children
        if node.indicator_id and node.indicator.code in removed:
            continue
        copies[node.pk] = FrameworkNode.objects.create(
            framework=new,
            code=node.code,
            name=node.name,
            indicator=node.indicator,
            position=node.position,
            parent=copies.get(node.parent_id) if node.parent_id else None,
            weight=_parse_weight(node.name, weights[node.code]) if node.code in weights else node.weight,
        )
    by_code = {c.code: c for c in copies.values()}
    position = max((c.position for c in copies.values()), default=0) + 1
    for ind_code, dim_code in added.items():
        indicator = Indicator.objects.filter(code=ind_code, level=framework.level).first()
        if indicator is None:
            raise DomainError(f"指标「{ind_code}」不存在或不适用于{framework.get_level_display()}。")
        dim = by_code.get(dim_code)
        if dim is None or dim.indicator_id is not None:
            raise DomainError(f"维度「{dim_code}」不存在。")
        if ind_code in by_code:
            raise DomainError(f"指标「{indicator.name}」已在体系中。")
        by_code[ind_code] = FrameworkNode.objects.create(
            framework=new,
            code=ind_code,
            name=indicator.name,
            indicator=indicator,
            parent=dim,
            position=position,
            weight=_parse_weight(indicator.name, weights.get(ind_code, 1)),
        )
        position += 1
    _check_tree(new)
    # What travels with the framework (collection's validation rules) is copied by the apps that own it.
    framework_version_created.send(sender=Framework, source=framework, target=new, actor=actor)
    return new


def _check_tree(framework: Framework) -> None:
    """Every dimension keeps at least one indicator and not all sibling weights are zero."""
    for node in framework.nodes.filter(indicator__isnull=True):
        children = list(node.children.all())
        if not children:
            raise DomainError(f"维度「{node.name}」中没有指标；请至少保留一个指标。")
        if all(c.weight == 0 for c in children):
            raise DomainError(f"「{node.name}」下所有权重都为 0；请至少给一个下级设置正的权重。")
    try:
        hierarchy = framework_hierarchy(framework)
        _dry_run(hierarchy, MethodSpec.from_dict(framework.method_spec))
    except EngineError as exc:
        raise DomainError(str(exc)) from None


def _dry_run(hierarchy: Hierarchy, spec: MethodSpec) -> None:
    """Evaluate three made-up units, so settings that only fail with data (a 监测标准值 method without its
    targets, an AHP matrix naming a node that is not there) are refused when the version is made."""
    codes = hierarchy.indicators
    data = pd.DataFrame(
        {code: [1.0 + i, 2.0 + (i % 2), 3.0 + 2 * i] for i, code in enumerate(codes)},
        index=["u1", "u2", "u3"],
    )
    evaluate(data, hierarchy, spec)


def framework_freeze(*, actor: Actor, framework: Framework) -> None:
    """Freeze a version once a published evaluation uses it; later changes make a new version."""
    frameworks.require(actor, "freeze", framework)
    if framework.status != Framework.Status.FROZEN:
        framework.status = Framework.Status.FROZEN
        framework.save(update_fields=["status"])
