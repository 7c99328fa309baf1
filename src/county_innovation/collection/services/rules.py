"""Writes of validation rules: the city admin's rule configuration, the defaults a new round gets, and the copy
into a new framework version. Rules are never deleted (switched off instead), and their history keeps who
changed what.
"""

from django.db import transaction

from county_innovation.collection import policies
from county_innovation.collection.models import ValidationRule
from county_innovation.collection.rules import (
    DEFAULT_CHANGE_PERCENT,
    DEFAULT_CROSS_PAIRS,
    DEFAULT_Z_LIMIT,
    Kind,
    Severity,
    find_indicator,
    unit_factor,
)
from county_innovation.collection.rules_config import rule_normalised, rule_problems
from county_innovation.common.actors import history_user
from county_innovation.common.errors import DomainError
from county_innovation.indicators.models import Framework
from county_innovation.indicators.selectors import framework_indicators


@transaction.atomic
def rule_save(
    *, framework: Framework, fields: dict, rule: ValidationRule | None = None, actor
) -> ValidationRule:
    """Create a rule of ``framework`` or change ``rule``; refused with every problem when it cannot work."""
    policies.rules.require(actor, "manage")
    if rule is not None and rule.framework_id != framework.pk:
        raise DomainError("该规则不属于这个指标体系版本。")
    problems = rule_problems(framework=framework, fields=fields)
    if problems:
        raise DomainError("校验规则未保存：" + problems[0], problems)
    values = rule_normalised(fields["kind"], fields)
    if rule is None:
        rule = ValidationRule(framework=framework)
    for name, value in values.items():
        setattr(rule, name, value)
    if "active" in fields:
        rule.active = bool(fields["active"])
    rule._history_user = history_user(actor)
    rule.save()
    return rule


@transaction.atomic
def rule_deactivate(*, rule: ValidationRule, actor) -> ValidationRule:
    """Switch a rule off; rules are never deleted, so what a past round was checked against stays readable."""
    policies.rules.require(actor, "manage")
    if rule.active:
        rule._history_user = history_user(actor)
        rule.active = False
        rule.save(update_fields=["active"])
    return rule


@transaction.atomic
def default_rules_ensure(framework: Framework, *, actor) -> int:
    """Give a framework without any rule the default ones; returns how many were created (0 if it had rules).

    required (all reported indicators, error), change ±50 % (warning), outlier z 3 (warning), and the
    part ≤ whole rules of ``DEFAULT_CROSS_PAIRS`` whose indicators are both in the framework.
    """
    policies.rules.require(actor, "manage")
    if ValidationRule.objects.filter(framework=framework).exists():
        return 0
    rules = [
        ValidationRule(framework=framework, kind=Kind.REQUIRED, severity=Severity.ERROR),
        ValidationRule(
            framework=framework,
            kind=Kind.CHANGE,
            severity=Severity.WARNING,
            threshold=DEFAULT_CHANGE_PERCENT,
        ),
        ValidationRule(
            framework=framework, kind=Kind.OUTLIER, severity=Severity.WARNING, threshold=DEFAULT_Z_LIMIT
        ),
    ]
    indicators = framework_indicators(framework)
    for part_code, whole_keys in DEFAULT_CROSS_PAIRS:
        part, whole = find_indicator(indicators, (part_code,)), find_indicator(indicators, whole_keys)
        factor = unit_factor(part, whole) if part and whole else None
        if factor is not None:
            rules.append(
                ValidationRule(
                    framework=framework,
                    kind=Kind.CROSS,
                    indicator=part,
                    other=whole,
                    factor=factor,
                    severity=Severity.ERROR,
                )
            )
    ValidationRule.objects.bulk_create(rules)
    return len(rules)


@transaction.atomic
def rules_copy(source: Framework, target: Framework, *, actor) -> int:
    """Copy every rule (active or not) of ``source`` to ``target``, e.g. into a new framework version.

    A rule naming an indicator the target no longer has is left behind. Returns how many were copied.
    """
    policies.rules.require(actor, "manage")
    codes = {i.pk for i in framework_indicators(target)}
    copies = []
    for rule in ValidationRule.objects.filter(framework=source).order_by("pk"):
        if rule.indicator_id is not None and rule.indicator_id not in codes:
            continue
        if rule.other_id is not None and rule.other_id not in codes:
            continue
        rule.pk = None
        rule.framework = target
        copies.append(rule)
    ValidationRule.objects.bulk_create(copies)
    return len(copies)
