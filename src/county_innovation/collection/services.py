"""Writes of data entry: saving the grid and importing the Excel template, both all-or-nothing.

Every value is checked by ``indicators.validation.parse_value`` and every region and indicator by
``accounts.permissions``; the first refused check does not stop the others, so the user sees every problem
at once, and nothing is written until all pass.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from county_innovation.accounts import permissions
from county_innovation.accounts.models import User
from county_innovation.collection import selectors
from county_innovation.collection.excel import (
    TEMPLATE_VERSION,
    TemplateUpload,
    template_parse,
)
from county_innovation.collection.models import ImportBatch
from county_innovation.common.errors import DomainError
from county_innovation.common.excel import cell_ref, is_blank, workbook_read
from county_innovation.indicators.models import DataValue, Framework, Indicator
from county_innovation.indicators.selectors import framework_indicators
from county_innovation.indicators.validation import ValueProblem, parse_value
from county_innovation.regions.models import Region

Status = DataValue.Status


class EntryInvalid(DomainError):
    """Some entered values were refused; ``cell_problems`` maps indicator code → the Chinese reason."""

    def __init__(self, cell_problems: dict[str, str]) -> None:
        super().__init__(
            f"有 {len(cell_problems)} 项数据未通过检查，本次填写的数据均未保存；请按提示修改后重新保存。",
            list(cell_problems.values()),
        )
        self.cell_problems = cell_problems


@dataclass
class SaveReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    submitted: bool = False

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


def _check_period(period: int) -> None:
    if not selectors.period_is_valid(period):
        raise DomainError(
            f"年度 {period} 不在可填报范围内（{selectors.PERIOD_FIRST}–{selectors.period_last()} 年）。"
        )


def _next_status(stored: DataValue | None, value: Decimal, submit: bool) -> str:
    """提交 makes every value submitted; 保存草稿 keeps an unchanged value's status, drafts a changed one."""
    if submit:
        return Status.SUBMITTED
    if stored is not None and stored.value == value:
        return stored.status
    return Status.DRAFT


@transaction.atomic
def data_values_save(
    *,
    user: User,
    region: Region,
    period: int,
    framework: Framework,
    values: dict[str, object],
    submit: bool,
    channel: str,
) -> SaveReport:
    """Save one region's values for a period (the entry grid); ``values`` maps indicator code → typed text.

    An empty entry removes a stored draft value; a submitted value cannot be emptied (it must be corrected
    with a number), because 提交 told the county or city that the figure is final. An indicator absent from
    ``values`` is left as it is. Raises PermissionDenied for a region or indicator the user may not edit, and
    EntryInvalid listing every refused value; nothing is saved unless every value passes.
    """
    _check_period(period)
    if region.level != framework.level:
        raise DomainError(
            f"「{region.name}」不适用「{framework.name}」，请选择{framework.get_level_display()}级区划。"
        )
    known = {i.code: i for i in framework_indicators(framework)}
    problems: dict[str, str] = {}
    parsed: dict[str, tuple[Indicator, Decimal | None]] = {}
    for code, raw in values.items():
        indicator = known.get(code)
        if indicator is None:
            problems[code] = f"指标代码「{code}」不属于「{framework.name}」第{framework.version}版"
            continue
        permissions.require_edit_data(user, region, indicator)
        try:
            parsed[code] = (indicator, parse_value(indicator, raw))
        except ValueProblem as problem:
            problems[code] = f"「{indicator.name}」：{problem}"
    stored = {
        dv.indicator.code: dv
        for dv in DataValue.objects.select_for_update()
        .filter(region=region, period=period, indicator__code__in=list(parsed))
        .select_related("indicator")
    }
    for code, (indicator, value) in parsed.items():
        dv = stored.get(code)
        if value is None and dv is not None and dv.status == Status.SUBMITTED:
            problems[code] = f"「{indicator.name}」：已提交的数值不能清空；如需更正，请填写正确的数值"
    if problems:
        order = list(known)
        raise EntryInvalid(
            dict(sorted(problems.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 0))
        )

    report = SaveReport(submitted=submit)
    reason = DataValue.Channel(channel).label
    for code, (indicator, value) in parsed.items():
        dv = stored.get(code)
        if value is None:
            if dv is not None:
                dv._history_user = user
                dv._change_reason = reason
                dv.delete()
                report.deleted += 1
            continue
        status = _next_status(dv, value, submit)
        if dv is None:
            dv = DataValue(region=region, period=period, indicator=indicator)
            report.created += 1
        elif dv.value == value and dv.status == status:
            report.unchanged += 1
            continue
        else:
            report.updated += 1
        dv.value, dv.status, dv.channel, dv.updated_by = value, status, channel, user
        dv._history_user = user
        dv._change_reason = reason
        dv.save()
    return report


# --- Excel import -----------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    batch: ImportBatch
    created: int
    updated: int
    unchanged: int


@dataclass
class _Entry:
    region: Region
    indicator: Indicator
    value: Decimal


def _check_meta(meta: dict[str, str], framework: Framework, period: int) -> None:
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


def _check_columns(
    upload: TemplateUpload, user: User, framework: Framework, problems: list[str]
) -> dict[int, Indicator]:
    known = {i.code: i for i in framework_indicators(framework)}
    scope = permissions.scope_root(user)
    columns: dict[int, Indicator] = {}
    seen: dict[str, int] = {}
    for j, code in sorted(upload.columns.items()):
        where = cell_ref(upload.code_row, j)
        indicator = known.get(code)
        if indicator is None:
            problems.append(f"{where}：指标代码「{code}」不属于「{framework.name}」第{framework.version}版")
        elif code in seen:
            problems.append(
                f"{where}：指标「{indicator.name}」重复，已在 {cell_ref(upload.code_row, seen[code])} 出现"
            )
        elif scope is None or not permissions.can_edit_data(user, scope, indicator):
            problems.append(
                f"{where}：您无权填报指标「{indicator.name}」（该指标不由您的部门负责），请删除该列"
            )
        else:
            seen[code] = j
            columns[j] = indicator
    return columns


def _region_code(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _check_rows(
    upload: TemplateUpload,
    user: User,
    framework: Framework,
    columns: dict[int, Indicator],
    problems: list[str],
) -> list[_Entry]:
    codes = {_region_code(row[0]) for _, row in upload.rows if row and not is_blank(row[0])}
    regions = Region.objects.in_bulk(list(codes))
    level = framework.get_level_display()
    entries: list[_Entry] = []
    first_row: dict[str, int] = {}
    for i, row in upload.rows:
        cells = {j: row[j] for j in columns if j < len(row) and not is_blank(row[j])}
        raw_code = row[0] if row else ""
        if is_blank(raw_code):
            if cells:
                problems.append(f"{cell_ref(i, 0)}：缺少区划代码")
            continue
        code = _region_code(raw_code)
        region = regions.get(code)
        where = cell_ref(i, 0)
        if region is None:
            problems.append(f"{where}：未知的区划代码「{code}」")
            continue
        if region.level != framework.level:
            problems.append(
                f"{where}：「{region.name}」（{code}）是{region.get_level_display()}区划，本模板只收{level}级数据"
            )
            continue
        if not permissions.in_scope(user, region):
            problems.append(f"{where}：「{region.name}」（{code}）不在您的管辖范围内，不能导入其数据")
            continue
        if code in first_row:
            problems.append(
                f"{where}：区划「{region.name}」（{code}）重复，已在第{first_row[code] + 1}行出现"
            )
            continue
        first_row[code] = i
        for j, raw in sorted(cells.items()):
            indicator = columns[j]
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)  # Excel stores every number as a float; "-3", not "-3.0", in messages
            try:
                value = parse_value(indicator, raw)
            except ValueProblem as problem:
                problems.append(f"{cell_ref(i, j)}「{indicator.name}」：{problem}")
                continue
            if value is not None:
                entries.append(_Entry(region=region, indicator=indicator, value=value))
    return entries


def _bulk_write(
    entries: list[_Entry], *, user: User, period: int, submit: bool, reason: str
) -> tuple[int, int, int]:
    regions = {e.region.code for e in entries}
    indicators = {e.indicator.pk for e in entries}
    stored = {
        (dv.region_id, dv.indicator_id): dv
        for dv in DataValue.objects.select_for_update().filter(
            region_id__in=regions, period=period, indicator_id__in=indicators
        )
    }
    now = timezone.now()
    to_create, to_update, unchanged = [], [], 0
    for e in entries:
        dv = stored.get((e.region.code, e.indicator.pk))
        status = _next_status(dv, e.value, submit)
        if dv is None:
            to_create.append(
                DataValue(
                    region=e.region,
                    period=period,
                    indicator=e.indicator,
                    value=e.value,
                    status=status,
                    channel=DataValue.Channel.IMPORT,
                    updated_by=user,
                )
            )
        elif dv.value == e.value and dv.status == status:
            unchanged += 1
        else:
            dv.value, dv.status, dv.channel, dv.updated_by, dv.updated_at = (
                e.value,
                status,
                DataValue.Channel.IMPORT,
                user,
                now,
            )
            to_update.append(dv)
    if to_create:
        bulk_create_with_history(to_create, DataValue, default_user=user, default_change_reason=reason)
    if to_update:
        bulk_update_with_history(
            to_update,
            DataValue,
            ["value", "status", "channel", "updated_by", "updated_at"],
            default_user=user,
            default_change_reason=reason,
        )
    return len(to_create), len(to_update), unchanged


@transaction.atomic
def data_import_excel(
    *, user: User, framework: Framework, period: int, file_name: str, content: bytes, submit: bool = False
) -> ImportReport:
    """Import a filled-in template for ``framework`` and ``period``.

    All or nothing: every problem of the file (format, template, region, column, cell) is collected and
    raised as one DomainError whose ``problems`` name the Excel row and column; then nothing is written and
    no ImportBatch is recorded. Empty cells leave stored values as they are.
    """
    _check_period(period)
    upload = template_parse(workbook_read(content))
    _check_meta(upload.meta, framework, period)
    problems: list[str] = []
    columns = _check_columns(upload, user, framework, problems)
    entries = _check_rows(upload, user, framework, columns, problems)
    if problems:
        raise DomainError(
            f"导入失败：发现 {len(problems)} 处问题，未导入任何数据。请改正后重新上传。", problems
        )
    if not entries:
        raise DomainError("未找到任何数据：模板中没有填写任何数值。请在「数据填报」表中填写后再上传。")
    created, updated, unchanged = _bulk_write(
        entries, user=user, period=period, submit=submit, reason=f"Excel导入：{file_name}"[:100]
    )
    batch = ImportBatch.objects.create(
        framework=framework,
        period=period,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        template_version=upload.meta["template_version"],
        value_count=len(entries),
        region_count=len({e.region.code for e in entries}),
        imported_by=user,
    )
    return ImportReport(batch=batch, created=created, updated=updated, unchanged=unchanged)
