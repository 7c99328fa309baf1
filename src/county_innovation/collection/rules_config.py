"""Configuring validation rules: whether a rule as entered can work, and the phrases that describe a rule.

The checks themselves are in rules.py; the writes (save, switch off) in services/rules.py. Rules are never
deleted.
"""

from decimal import Decimal

from county_innovation.collection.models import ValidationRule
from county_innovation.collection.rules import (
    DEFAULT_CHANGE_PERCENT,
    DEFAULT_Z_LIMIT,
    MIN_PEERS,
    ROBUST_Z_LIMIT,
    Kind,
    Severity,
    format_number,
    named,
)
from county_innovation.indicators.models import Framework, Origin
from county_innovation.indicators.selectors import framework_indicators


def rule_summary(rule: ValidationRule) -> str:
    """What a rule checks, in one Chinese phrase, for the rule list."""
    target = named(rule.indicator) if rule.indicator_id else "全部填报指标"
    if rule.kind == Kind.REQUIRED:
        return f"{target}必须填写（提交时检查）"
    if rule.kind == Kind.RANGE:
        unit = rule.indicator.unit if rule.indicator_id else ""
        parts = []
        if rule.min_value is not None:
            parts.append(f"不小于 {format_number(rule.min_value, unit)}")
        if rule.max_value is not None:
            parts.append(f"不大于 {format_number(rule.max_value, unit)}")
        return f"{target}{'、'.join(parts)}"
    if rule.kind == Kind.CROSS:
        other = named(rule.other) if rule.other_id else "？"
        factor = "" if rule.factor == 1 else f"{format_number(rule.factor)} × "
        return f"{target} ≤ {factor}{other}"
    if rule.kind == Kind.CHANGE:
        limit = rule.threshold if rule.threshold is not None else DEFAULT_CHANGE_PERCENT
        return f"{target}较上年变化超过 ±{format_number(limit)}% 时提示（上年为 0 或无数据时不检查）"
    limit = rule.threshold if rule.threshold is not None else DEFAULT_Z_LIMIT
    robust = max(limit, Decimal(str(ROBUST_Z_LIMIT)))
    return (
        f"{target}与同级地区相比 z 分数绝对值超过 {format_number(limit)} 或稳健 z 分数绝对值超过 "
        f"{format_number(robust)} 时提示（不足 {MIN_PEERS} 个数值时不检查）"
    )


# The fields a person sets on a rule; the framework comes from the page, "active" from its own checkbox.
RULE_FIELDS = (
    "kind",
    "indicator",
    "other",
    "min_value",
    "max_value",
    "factor",
    "threshold",
    "severity",
    "message",
)


def rule_problems(*, framework: Framework, fields: dict) -> list[str]:
    """Why a rule with these fields cannot work, as Chinese sentences; empty when it can."""
    kind = fields.get("kind")
    indicator, other = fields.get("indicator"), fields.get("other")
    low, high = fields.get("min_value"), fields.get("max_value")
    factor, threshold = fields.get("factor"), fields.get("threshold")
    problems = []
    if kind not in Kind.values:
        return ["请选择规则类型。"]
    in_framework = {i.pk: i for i in framework_indicators(framework)}
    reported = {pk for pk, i in in_framework.items() if i.origin == Origin.REPORTED}
    # A cross rule may compare with a registry indicator (published, stored); formulas are never stored.
    comparable = reported | {pk for pk, i in in_framework.items() if i.origin == Origin.REGISTRY}
    allowed = comparable if kind == Kind.CROSS else reported
    for label, ind in (("指标", indicator), ("对比指标 B", other)):
        if ind is not None and ind.pk not in allowed:
            what = "填报指标或名录指标" if kind == Kind.CROSS else "填报指标"
            problems.append(f"「{ind.name}」不是本体系的{what}，不能作为{label}。")
    if (
        kind == Kind.CROSS
        and indicator is not None
        and other is not None
        and indicator.pk not in reported
        and other.pk not in reported
    ):
        problems.append("指标 A 和对比指标 B 至少要有一个是填报指标，否则没有人能按提示改正。")
    if kind in (Kind.RANGE, Kind.CROSS) and indicator is None:
        problems.append(f"「{Kind(kind).label}」规则需要选择指标。")
    if kind == Kind.RANGE:
        if low is None and high is None:
            problems.append("取值范围规则至少要填写最小值或最大值之一。")
        elif low is not None and high is not None and low > high:
            problems.append(f"最小值 {format_number(low)} 大于最大值 {format_number(high)}。")
    if kind == Kind.CROSS:
        if other is None:
            problems.append("指标间关系规则需要选择对比指标 B（规则为 A ≤ 系数 × B）。")
        elif indicator is not None and other.pk == indicator.pk:
            problems.append("对比指标 B 不能与指标 A 相同。")
        if factor is None or factor <= 0:
            problems.append("系数应为正数（规则为 A ≤ 系数 × B）。")
    if threshold is not None and threshold <= 0:
        problems.append("阈值应为正数（变化幅度填百分比，如 50；离群值填 z 分数界限，如 3）。")
    return problems


def rule_normalised(kind: str, fields: dict) -> dict:
    """Clear the fields a kind does not use, so a saved rule never carries a stale bound."""
    out = {name: fields.get(name) for name in RULE_FIELDS}
    if kind != Kind.CROSS:
        out["other"] = None
        out["factor"] = Decimal(1)
    if kind != Kind.RANGE:
        out["min_value"] = out["max_value"] = None
    if kind not in (Kind.CHANGE, Kind.OUTLIER):
        out["threshold"] = None
    out["message"] = (out["message"] or "").strip()
    out["severity"] = out["severity"] or Severity.ERROR
    return out
