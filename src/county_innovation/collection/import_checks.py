"""The checks of an import before anything is written: the template's identity, a JSON file's header, and every
entry against regions, indicators, the user's scope and remit, duplicates and the value's own rules.

Pure of writes: each problem is a Chinese sentence naming its row and column or item; the pipeline
(``services.imports``) collects them all and refuses the file when there is any.
"""

from __future__ import annotations

from county_innovation.accounts.permissions import in_scope, scope_root
from county_innovation.collection import import_files, policies
from county_innovation.collection.excel import TEMPLATE_VERSION
from county_innovation.collection.import_files import ImportEntry
from county_innovation.collection.services.entry import ValueChange
from county_innovation.common.errors import DomainError
from county_innovation.indicators.models import Framework, Indicator, Origin
from county_innovation.indicators.selectors import framework_indicators
from county_innovation.indicators.validation import ValueProblem, parse_value
from county_innovation.regions.models import Region

COMMENT_MAX = 500  # DataValue.comment


def template_meta_check(meta: dict[str, str], framework: Framework, period: int) -> None:
    """The template's hidden _meta sheet must name this template layout, framework version and period; a wrong
    template is refused at once (its columns cannot be trusted), before any cell is looked at."""
    version = meta.get("template_version", "")
    if version != TEMPLATE_VERSION:
        raise DomainError(
            f"模板格式版本（{version or '未知'}）与平台当前的模板（{TEMPLATE_VERSION}）不一致，"
            "请重新下载模板后填写。"
        )
    code = meta.get("framework_code", "")
    if code != framework.code:
        other = Framework.objects.filter(code=code).order_by("-version").first()
        name = other.name if other else code or "未知体系"
        raise DomainError(
            f"该模板属于「{name}」，不能导入「{framework.name}」的数据；"
            "请到对应指标体系的导入页上传，或下载本体系的模板。"
        )
    if meta.get("framework_version") != str(framework.version):
        raise DomainError(
            f"该模板基于「{framework.name}」第{meta.get('framework_version') or '?'}版，"
            f"当前使用的是第{framework.version}版，指标可能已有变化；请重新下载模板后填写。"
        )
    if meta.get("period") != str(period):
        raise DomainError(
            f"该模板是 {meta.get('period') or '未知'} 年度的，不能导入为 {period} 年度的数据；"
            f"请下载 {period} 年度的模板，或到 {meta.get('period')} 年度的导入页上传。"
        )


def meta_problems(meta: dict[str, str], framework: Framework, period: int, kind: str) -> list[str]:
    """A JSON file may name its framework, version and period; when it does, they must be the ones imported into."""
    if kind != import_files.JSON:
        return []
    problems = []
    if meta.get("framework") and meta["framework"] != framework.code:
        problems.append(
            f"文件中的 framework 为「{meta['framework']}」，与导入的体系「{framework.code}」不一致"
        )
    if meta.get("version") and meta["version"] != str(framework.version):
        problems.append(f"文件中的 version 为 {meta['version']}，当前使用的是第{framework.version}版")
    if meta.get("period") and meta["period"] != str(period):
        problems.append(f"文件中的 period 为 {meta['period']}，与导入的年度 {period} 不一致")
    return problems


class _Checker:
    """Checks entries against the database with a few bulk queries; each answer is remembered by code."""

    def __init__(self, user, framework: Framework, codes: set[str]) -> None:
        self.user = user
        self.framework = framework
        self.level = framework.get_level_display()
        indicators = framework_indicators(framework)
        self.by_code = {i.code: i for i in indicators}
        self.by_name = {i.name: i for i in indicators}
        self.regions = Region.objects.in_bulk(list(codes))
        self.scope = scope_root(user)
        self._region_answers: dict[str, tuple[Region | None, str]] = {}
        self._indicator_answers: dict[str, tuple[Indicator | None, str]] = {}

    def region(self, code: str) -> tuple[Region | None, str]:
        if code not in self._region_answers:
            self._region_answers[code] = self._region(code)
        return self._region_answers[code]

    def _region(self, code: str) -> tuple[Region | None, str]:
        if not code:
            return None, "缺少区划代码"
        region = self.regions.get(code)
        if region is None:
            return None, f"未知的区划代码「{code}」"
        if region.level != self.framework.level:
            return None, (
                f"「{region.name}」（{code}）是{region.get_level_display()}区划，"
                f"「{self.framework.name}」只收{self.level}级数据"
            )
        if not in_scope(self.user, region):
            return None, f"「{region.name}」（{code}）不在您的管辖范围内，不能导入其数据"
        return region, ""

    def indicator(self, code: str) -> tuple[Indicator | None, str]:
        if code not in self._indicator_answers:
            self._indicator_answers[code] = self._indicator(code)
        return self._indicator_answers[code]

    def _indicator(self, code: str) -> tuple[Indicator | None, str]:
        fw = self.framework
        if not code:
            return None, "缺少指标代码"
        indicator = self.by_code.get(code) or self.by_name.get(code)
        if indicator is None:
            return None, f"指标代码「{code}」不属于「{fw.name}」第{fw.version}版"
        if indicator.origin == Origin.FORMULA:
            return None, (
                f"指标「{indicator.name}」由公式计算（{indicator.formula_text}），不能导入；请导入其分子、分母指标"
            )
        if indicator.origin != Origin.REPORTED:
            return None, f"指标「{indicator.name}」由登记名录自动发布，不能导入"
        if self.scope is None or not policies.data.can_edit(self.user, self.scope, indicator):
            return None, f"您无权填报指标「{indicator.name}」（该指标不由您的部门负责）"
        return indicator, ""


def entries_check(
    entries: list[ImportEntry], *, user, framework: Framework, problems: list[str]
) -> list[ValueChange]:
    """The entries as ValueChanges; every problem (with its position) is appended to ``problems``.

    A region or indicator problem shared by many entries (a template's row or column) is reported once.
    The region is checked for scope (``in_scope``) and the indicator for remit (``policies.data.can_edit`` on the
    user's scope root) once each, not per entry; ``values_write`` asks it for every change again.
    """
    checker = _Checker(user, framework, {e.region for e in entries if e.region})
    reported: set[tuple[str, str]] = set()
    first_seen: dict[tuple[str, int], ImportEntry] = {}
    changes: list[ValueChange] = []

    def report(where: str, text: str) -> None:
        if (where, text) not in reported:
            reported.add((where, text))
            problems.append(f"{where}：{text}")

    for e in entries:
        region, region_problem = checker.region(e.region)
        indicator, indicator_problem = checker.indicator(e.indicator)
        if region_problem:
            report(e.region_where, region_problem)
        if indicator_problem:
            report(e.indicator_where, indicator_problem)
        if region is None or indicator is None:
            continue
        key = (region.code, indicator.pk)
        first = first_seen.get(key)
        if first is not None:
            report(
                e.record_where,
                f"「{region.name}」（{region.code}）的指标「{indicator.name}」重复，已在{first.record_where}出现",
            )
            continue
        first_seen[key] = e
        try:
            value = parse_value(indicator, e.value)
        except ValueProblem as problem:
            problems.append(f"{e.where}「{indicator.name}」：{problem}")
            continue
        comment = e.comment.strip() if e.comment is not None else None
        if comment and len(comment) > COMMENT_MAX:
            problems.append(
                f"{e.where}「{indicator.name}」：说明过长（{len(comment)} 字），最多 {COMMENT_MAX} 字"
            )
            continue
        changes.append(
            ValueChange(region=region, indicator=indicator, value=value, comment=comment, source=e.where)
        )
    return changes
