"""Importing values at scale: the Excel template, CSV and JSON files, and JSON through the API.

The pipeline: read the file into entries (``collection.import_files``) → check every entry against regions,
indicators, the user's scope and remit, duplicates and the value's own rules, collecting every problem with
its position (``collection.import_checks``) → hand the values to the one write path,
``services.entry.values_write`` (round, submission status,
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

from county_innovation.collection import import_files, policies
from county_innovation.collection.import_checks import entries_check, meta_problems, template_meta_check
from county_innovation.collection.import_files import ImportFile
from county_innovation.collection.models import ImportBatch, Submission
from county_innovation.collection.selectors import period_check, round_for
from county_innovation.collection.services.entry import ValueChange, values_write
from county_innovation.common import uploads
from county_innovation.common.actors import history_user
from county_innovation.common.errors import DomainError
from county_innovation.indicators.models import DataValue, Framework

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
    actor,
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
    policies.data.require(actor, "enter")
    read = import_files.file_read(content, name=file_name, kinds=kinds)
    return _import(actor=actor, framework=framework, period=period, read=read, submit=submit, dry_run=dry_run)


def data_import_path(
    *,
    actor,
    framework: Framework,
    period: int,
    path: str | Path,
    submit: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """The command line's import: the size is checked before the file is read."""
    policies.data.require(actor, "enter")
    path = Path(path)
    try:
        size = os.stat(path).st_size
    except OSError as error:
        raise DomainError(f"无法读取文件「{path}」：{error.strerror}。") from None
    uploads.size_check(size)
    content = path.read_bytes()
    return data_import_file(
        actor=actor,
        framework=framework,
        period=period,
        content=content,
        file_name=path.name,
        submit=submit,
        dry_run=dry_run,
    )


def data_import_values(
    *,
    actor,
    framework: Framework,
    period: int,
    items: list[object],
    submit: bool = False,
    dry_run: bool = False,
    channel: str = DataValue.Channel.API,
) -> ImportReport:
    """The API's import: ``items`` as ``[{"region", "indicator", "value", "comment"}]``; item n is 「第n条」."""
    policies.data.require(actor, "enter")
    read = import_files.json_entries(items)
    body = json.dumps(items, ensure_ascii=False, sort_keys=True, default=str).encode()
    read.name, read.sha256 = "接口导入", hashlib.sha256(body).hexdigest()
    return _import(
        actor=actor,
        framework=framework,
        period=period,
        read=read,
        submit=submit,
        dry_run=dry_run,
        channel=channel,
    )


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
    actor,
    framework: Framework,
    period: int,
    read: ImportFile,
    submit: bool,
    dry_run: bool,
    channel: str = DataValue.Channel.IMPORT,
) -> ImportReport:
    period_check(period)
    if read.kind == import_files.XLSX:
        template_meta_check(read.meta, framework, period)
    problems = list(read.problems) + meta_problems(read.meta, framework, period, read.kind)
    changes = entries_check(read.entries, user=actor, framework=framework, problems=problems)
    skipped: list[str] = []
    if read.kind == import_files.XLSX:  # the template lists closed rows too; they are skipped, not refused
        changes, skipped = _skip_closed(changes, framework, period)
    if problems:
        # One upload reports every problem: the values that were readable still go through the remit,
        # submission and rule checks (without writing), and their problems join the format ones.
        if changes:
            try:
                values_write(
                    actor=actor,
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
        written = values_write(
            actor=actor,
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
            imported_by=history_user(actor),
        )
    return report


def _skip_closed(
    changes: list[ValueChange], framework: Framework, period: int
) -> tuple[list[ValueChange], list[str]]:
    """Drop the changes whose submission is submitted, approved or locked; a note for each such row that
    asked to change something (an unchanged pre-filled row is left out silently)."""
    round_ = round_for(framework, period)
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


__all__ = [
    "ImportReport",
    "data_import_file",
    "data_import_path",
    "data_import_values",
]
