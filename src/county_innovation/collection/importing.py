"""Importing values at scale: the Excel template, CSV and JSON files, and JSON through the API (issue 4, item 6).

The pipeline: read the file into entries (``collection.import_files``) → check every entry against regions,
indicators, the user's scope and remit, duplicates and the value's own rules, collecting every problem with
its position → hand the values to the one write path, ``services.values_write`` (round, submission status,
validation rules, history). All or nothing: any problem refuses the whole file, nothing is written and no
ImportBatch is recorded; a dry run checks everything and reports what would change without writing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from county_innovation.accounts import permissions
from county_innovation.accounts.models import User
from county_innovation.collection import import_files, selectors, services, workflow
from county_innovation.collection.excel import TEMPLATE_VERSION
from county_innovation.collection.import_files import ImportEntry, ImportFile
from county_innovation.collection.models import ImportBatch, Submission
from county_innovation.common import uploads
from county_innovation.common.errors import DomainError
from county_innovation.indicators.models import DataValue, Framework, Indicator, Origin
from county_innovation.indicators.selectors import framework_indicators
from county_innovation.indicators.validation import ValueProblem, parse_value
from county_innovation.regions.models import Region

COMMENT_MAX = 500  # DataValue.comment
_REASON_PREFIX = {
    import_files.XLSX: "Excel导入",
    import_files.CSV: "CSV导入",
    import_files.JSON: "JSON导入",
}


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    kind: str  # "xlsx", "csv", "json"
    file_name: str
    dry_run: bool
    values: int  # entries accepted
    regions: int
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)  # rule warnings, each with its position
    skipped: list[str] = field(default_factory=list)  # rows of submitted (closed) submissions left untouched
    submitted: int = 0  # submissions submitted after the write
    batch: ImportBatch | None = None

    def summary(self) -> str:
        """One Chinese sentence: 「已导入 2 个区划的 3 条数据（新增 3 条，修改 0 条，清空 0 条，与库中相同 0 条）。」"""
        done = "检查通过（试导入，未写入）：可导入" if self.dry_run else "已导入"
        text = (
            f"{done} {self.regions} 个区划的 {self.values} 条数据（新增 {self.created} 条，修改 {self.updated} 条，"
            f"清空 {self.deleted} 条，与库中相同 {self.unchanged} 条）。"
        )
        if self.submitted:
            text += f"已提交 {self.submitted} 份填报。"
        if self.skipped:
            text += f"跳过 {len(self.skipped)} 行已提交（不能修改）的数据。"
        if self.warnings:
            text += f"另有 {len(self.warnings)} 条提示，请核对并在提交前填写说明。"
        return text


# --- entry points: a file (web, command line), a path (command line), values (API) ------------------------


def data_import_file(
    *,
    user: User,
    framework: Framework,
    period: int,
    content: bytes,
    file_name: str,
    submit: bool = False,
    dry_run: bool = False,
    kinds: tuple[str, ...] = import_files.KINDS,
) -> ImportReport:
    """Import an Excel template, CSV or JSON file (recognised by its content) for ``framework`` and ``period``.

    Raises DomainError listing every problem (``problems``, each naming its row and column or item);
    then nothing is written.
    """
    read = import_files.file_read(content, name=file_name, kinds=kinds)
    return _import(user=user, framework=framework, period=period, read=read, submit=submit, dry_run=dry_run)


def data_import_path(
    *,
    user: User,
    framework: Framework,
    period: int,
    path: str | Path,
    submit: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """The command line's import: the size is checked before the file is read."""
    path = Path(path)
    try:
        size = os.stat(path).st_size
    except OSError as error:
        raise DomainError(f"无法读取文件「{path}」：{error.strerror}。") from None
    uploads.size_check(size)
    content = path.read_bytes()
    return data_import_file(
        user=user,
        framework=framework,
        period=period,
        content=content,
        file_name=path.name,
        submit=submit,
        dry_run=dry_run,
    )


def data_import_values(
    *,
    user: User,
    framework: Framework,
    period: int,
    items: list[object],
    submit: bool = False,
    dry_run: bool = False,
    channel: str = DataValue.Channel.API,
) -> ImportReport:
    """The API's import: ``items`` as ``[{"region", "indicator", "value", "comment"}]``; item n is 「第n条」."""
    read = import_files.json_entries(items)
    body = json.dumps(items, ensure_ascii=False, sort_keys=True, default=str).encode()
    read.name, read.sha256 = "接口导入", hashlib.sha256(body).hexdigest()
    return _import(
        user=user,
        framework=framework,
        period=period,
        read=read,
        submit=submit,
        dry_run=dry_run,
        channel=channel,
    )


# --- the template of one region -------------------------------------------------------------------------------


def template_data_for(
    *, user: User, framework: Framework, period: int, region: Region | None = None
) -> selectors.TemplateData:
    """The template's content for the user's scope, or for ``region``'s part of it (a county's towns); when
    the round of ``framework`` and ``period`` exists, only the regions taking part in it.

    The caller has checked that ``region`` is in the user's scope; a region without any row of the
    framework's level (a town asked for the county template) is refused with a sentence saying so.
    """
    data = selectors.template_data(user=user, framework=framework, period=period)
    round_ = workflow.round_for(framework, period)
    if round_ is not None:  # only the regions the round asks for: others' rows would be refused on import
        taking_part = set(round_.regions.values_list("code", flat=True))
        data.regions = [r for r in data.regions if r.code in taking_part]
    rows = data.regions if region is None else [r for r in data.regions if r.code.startswith(region.prefix)]
    if not rows and region is not None:
        raise DomainError(
            f"「{region.name}」没有{framework.get_level_display()}级区划需要填报「{framework.name}」，"
            "请选择其所属的县（区）或下级乡镇。"
        )
    if not rows:
        raise DomainError(
            f"{period}年度的填报任务中没有您管辖范围内的{framework.get_level_display()}级区划。"
        )
    codes = {r.code for r in rows}
    data.regions = rows
    data.values = {key: value for key, value in data.values.items() if key[0] in codes}
    data.comments = {key: text for key, text in data.comments.items() if key[0] in codes}
    return data


# --- the pipeline -------------------------------------------------------------------------------------------


_LEADING_NUMBER = re.compile(r"^第(\d+)[行条]")


def _in_file_order(problems: list[str]) -> list[str]:
    """Problems by the row or item they name (stable); those naming none (a merged range) first."""

    def key(text: str) -> int:
        match = _LEADING_NUMBER.match(text)
        return int(match.group(1)) if match else 0

    return sorted(problems, key=key)


def _refused(problems: list[str]) -> DomainError:
    problems = _in_file_order(problems)
    return DomainError(f"导入失败：发现 {len(problems)} 处问题，未导入任何数据。请改正后重新上传。", problems)


@transaction.atomic
def _import(
    *,
    user: User,
    framework: Framework,
    period: int,
    read: ImportFile,
    submit: bool,
    dry_run: bool,
    channel: str = DataValue.Channel.IMPORT,
) -> ImportReport:
    if not selectors.period_is_valid(period):
        raise DomainError(
            f"年度 {period} 不在可填报范围内（{selectors.PERIOD_FIRST}–{selectors.period_last()} 年）。"
        )
    if read.kind == import_files.XLSX:
        template_meta_check(read.meta, framework, period)
    problems = list(read.problems) + meta_problems(read.meta, framework, period, read.kind)
    changes = entries_check(read.entries, user=user, framework=framework, problems=problems)
    skipped: list[str] = []
    if read.kind == import_files.XLSX:  # the template lists closed rows too; they are skipped, not refused
        changes, skipped = _skip_closed(changes, framework, period)
    if problems:
        # One upload reports every problem: the values that were readable still go through the remit,
        # submission and rule checks (without writing), and their problems join the format ones.
        if changes:
            try:
                services.values_write(
                    user=user,
                    framework=framework,
                    period=period,
                    changes=changes,
                    channel=channel,
                    reason="检查",
                    dry_run=True,
                )
            except DomainError as error:
                problems += error.problems or [error.message]
        raise _refused(problems)
    if not changes:
        if skipped:
            raise DomainError(
                "没有可导入的数据：表中填写的行都已提交或审核，不能再修改。如需更正，请联系审核单位退回。",
                skipped,
            )
        where = "模板" if read.kind == import_files.XLSX else "文件"
        raise DomainError(f"未找到任何数据：{where}中没有填写任何数值。请填写后再上传。")
    prefix = "接口导入" if channel == DataValue.Channel.API else _REASON_PREFIX[read.kind]
    reason = f"{prefix}：{read.name}" if read.name and channel != DataValue.Channel.API else prefix
    try:
        written = services.values_write(
            user=user,
            framework=framework,
            period=period,
            changes=changes,
            channel=channel,
            reason=reason[:100],
            submit=submit,
            dry_run=dry_run,
        )
    except DomainError as error:
        if error.problems:
            raise _refused(error.problems) from None
        raise DomainError(f"导入失败：{error.message}") from None
    sources = {(c.region.code, c.indicator.code): c.source for c in changes}
    report = ImportReport(
        kind=read.kind,
        file_name=read.name,
        dry_run=dry_run,
        values=len(changes),
        regions=len({c.region.code for c in changes}),
        created=written.created,
        updated=written.updated,
        deleted=written.deleted,
        unchanged=written.unchanged,
        warnings=[_warning_text(f, sources) for f in written.warnings],
        submitted=_submitted_count(written.submissions) if submit and not dry_run else 0,
        skipped=skipped,
    )
    if not dry_run:
        report.batch = ImportBatch.objects.create(
            framework=framework,
            period=period,
            file_name=(read.name or prefix)[:255],
            file_sha256=read.sha256,
            template_version=(read.template_version if channel != DataValue.Channel.API else "api")[:20],
            value_count=report.values,
            region_count=report.regions,
            imported_by=user,
        )
    return report


def _skip_closed(
    changes: list[services.ValueChange], framework: Framework, period: int
) -> tuple[list[services.ValueChange], list[str]]:
    """Drop the changes whose submission is submitted, approved or locked; a note for each such row that
    asked to change something (an unchanged pre-filled row is left out silently)."""
    round_ = workflow.round_for(framework, period)
    if round_ is None:
        return changes, []
    regions = {c.region.code for c in changes}
    closed = {
        (s.region_id, s.owner): s
        for s in Submission.objects.filter(round=round_, region_id__in=regions).select_related("region")
        if not s.editable
    }
    if not closed:
        return changes, []
    stored = {
        (dv.region_id, dv.indicator_id): dv
        for dv in DataValue.objects.filter(region_id__in=regions, period=period)
    }
    kept, notes, noted = [], [], set()
    for c in changes:
        key = (c.region.code, c.indicator.owner)
        submission = closed.get(key)
        if submission is None:
            kept.append(c)
            continue
        dv = stored.get((c.region.code, c.indicator.pk))
        same = dv is not None and dv.value == c.value and (c.comment is None or dv.comment == c.comment)
        if not same and key not in noted:
            noted.add(key)
            row = c.source.split(" ")[0] if c.source else ""
            notes.append(
                f"{row}「{c.region.name}」（{submission.owner_label}）的填报{submission.get_status_display()}，"
                "本行数据不能修改，已跳过；如需更正，请联系审核单位退回"
            )
    return kept, _in_file_order(notes)


def _submitted_count(submissions: list[Submission]) -> int:
    """How many of the touched submissions are now submitted: only drafts and returned ones could be touched,
    and ``values_write`` submits those the user may submit (a city admin's import submits none)."""
    return Submission.objects.filter(
        pk__in=[s.pk for s in submissions], status=Submission.Status.SUBMITTED
    ).count()


def _warning_text(finding: object, sources: dict[tuple[str, str], str]) -> str:
    message = getattr(finding, "message", str(finding))
    key = (getattr(finding, "region_code", ""), getattr(finding, "indicator_code", ""))
    return f"{sources[key]}：{message}" if key in sources else message


# --- checks ---------------------------------------------------------------------------------------------------


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

    def __init__(self, user: User, framework: Framework, codes: set[str]) -> None:
        self.user = user
        self.framework = framework
        self.level = framework.get_level_display()
        indicators = framework_indicators(framework)
        self.by_code = {i.code: i for i in indicators}
        self.by_name = {i.name: i for i in indicators}
        self.regions = Region.objects.in_bulk(list(codes))
        self.scope = permissions.scope_root(user)
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
        if not permissions.in_scope(self.user, region):
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
        if self.scope is None or not permissions.can_edit_data(self.user, self.scope, indicator):
            return None, f"您无权填报指标「{indicator.name}」（该指标不由您的部门负责）"
        return indicator, ""


def entries_check(
    entries: list[ImportEntry], *, user: User, framework: Framework, problems: list[str]
) -> list[services.ValueChange]:
    """The entries as ValueChanges; every problem (with its position) is appended to ``problems``.

    A region or indicator problem shared by many entries (a template's row or column) is reported once.
    The region is checked for scope (``in_scope``) and the indicator for remit (``can_edit_data`` on the
    user's scope root) once each, not per entry; ``values_write`` asks ``can_edit_data`` for every change again.
    """
    checker = _Checker(user, framework, {e.region for e in entries if e.region})
    reported: set[tuple[str, str]] = set()
    first_seen: dict[tuple[str, int], ImportEntry] = {}
    changes: list[services.ValueChange] = []

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
            services.ValueChange(
                region=region, indicator=indicator, value=value, comment=comment, source=e.where
            )
        )
    return changes


__all__ = [
    "ImportReport",
    "data_import_file",
    "data_import_path",
    "data_import_values",
    "entries_check",
    "template_meta_check",
]
