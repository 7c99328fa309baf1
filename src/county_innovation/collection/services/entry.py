"""Writes of data entry: saving the grid and importing the Excel template, both all-or-nothing.

Every value is checked by ``indicators.validation.parse_value`` and every region and indicator by the data
policy (``collection.policies.data``); the first refused check does not stop the others, so the user sees every problem
at once, and nothing is written until all pass.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from county_innovation.accounts.permissions import in_scope, indicator_owner_label
from county_innovation.collection import policies
from county_innovation.collection.models import Submission, SubmissionEvent
from county_innovation.collection.rules import check_values
from county_innovation.collection.selectors import open_round, period_check, reported_indicators
from county_innovation.collection.services.rounds import record_edit, submission_submit
from county_innovation.common.actors import actor_required, history_user
from county_innovation.common.bulk import bulk_create_with_history, bulk_update_with_history
from county_innovation.common.errors import DomainError
from county_innovation.common.protection import deletion_permitted
from county_innovation.indicators.models import DataValue, Framework, Indicator, Origin
from county_innovation.indicators.selectors import framework_indicators
from county_innovation.indicators.validation import ValueProblem, parse_value
from county_innovation.regions.models import Region


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


# --- the one write path: grid, file imports and the API all end here --------------------------------------


@dataclass
class ValueChange:
    region: Region
    indicator: Indicator
    value: Decimal | None  # None clears the stored value
    comment: str | None = None  # 说明 for a rule warning; None leaves the stored one
    source: str = ""  # where the change came from, e.g. "第5行 C列"; prefixed to problems about it


@dataclass
class WriteReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    warnings: list = field(default_factory=list)  # rules.Finding
    submissions: list[Submission] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


class WriteRefused(DomainError):
    """Values refused by the round, a submission's status or a rule; ``by_cell`` maps (region, indicator code)
    to the reason for the problems that belong to one value, so a form can show them beside the cell."""

    def __init__(self, message: str, problems: list[str], by_cell: dict[tuple[str, str], str]) -> None:
        super().__init__(message, problems)
        self.by_cell = by_cell


class EditConflict(DomainError):
    """Someone else saved the same submission after the page was opened (optimistic locking)."""


def _origin_problem(indicator: Indicator) -> str:
    if indicator.origin == Origin.FORMULA:
        return f"「{indicator.name}」由公式计算（{indicator.formula_text}），不能直接填报"
    return f"「{indicator.name}」由登记名录自动发布，不能直接填报"


@transaction.atomic
def values_write(
    *,
    actor,
    framework: Framework,
    period: int,
    changes: list[ValueChange],
    channel: str,
    reason: str,
    submit: bool = False,
    dry_run: bool = False,
    expected_versions: dict[int, int] | None = None,
) -> WriteReport:
    """Write ``changes`` into the open round of ``framework`` and ``period``: all of them or none.

    Refused (WriteRefused listing every problem, nothing written) when a region or indicator is outside the
    user's remit, an indicator is not collected by the round, a submission is not editable (submitted,
    approved, locked), or a validation rule's error fires on the values as they would stand. Rule warnings
    come back in the report. ``expected_versions`` (submission id → version the user's page showed) makes a
    save by someone else in between an EditConflict. ``submit`` submits every touched submission after the
    write; ``dry_run`` checks everything and reports what would change without writing.
    """
    actor_required(actor)
    user = history_user(actor)
    round_ = open_round(framework, period)
    framework = round_.framework
    collected = {i.pk for i in reported_indicators(framework)}
    in_framework = {i.pk for i in framework_indicators(framework)}
    regions = {c.region.code: c.region for c in changes}
    submissions = {
        (s.region_id, s.owner): s
        for s in Submission.objects.select_for_update(of=("self",))
        .filter(round=round_, region_id__in=list(regions))
        .select_related("region", "updated_by")
    }
    problems: list[str] = []
    by_cell: dict[tuple[str, str], str] = {}
    refused_submissions: set[int] = set()
    touched: dict[int, Submission] = {}
    may_edit: dict[tuple[str, str], bool] = {}  # (region, owner) → asked once, not per value

    def refuse(change: ValueChange, text: str, *, cell: bool = True) -> None:
        problems.append(f"{change.source}：{text}" if change.source else text)
        if cell:
            by_cell[(change.region.code, change.indicator.code)] = text

    for c in changes:
        if c.indicator.pk not in in_framework:
            refuse(c, f"指标「{c.indicator.name}」不属于「{framework.name}」第{framework.version}版")
            continue
        if c.indicator.pk not in collected:
            refuse(c, _origin_problem(c.indicator))
            continue
        key = (c.region.code, c.indicator.owner)
        if key not in may_edit:
            may_edit[key] = policies.data.can_edit(actor, c.region, c.indicator)
        if not may_edit[key]:
            if not in_scope(actor, c.region):
                refuse(c, f"「{c.region.name}」不在您的管辖范围内，不能填报其数据")
            else:
                owner = indicator_owner_label(c.indicator, c.region)
                refuse(c, f"您无权填报指标「{c.indicator.name}」：该指标由{owner}负责填报")
            continue
        submission = submissions.get((c.region.code, c.indicator.owner))
        if submission is None:
            refuse(c, f"「{c.region.name}」未参与填报任务「{round_.title}」")
            continue
        if not submission.editable:
            if submission.pk not in refused_submissions:
                refused_submissions.add(submission.pk)
                problems.append(
                    f"「{c.region.name}」（{submission.owner_label}）的填报{submission.get_status_display()}，"
                    "数据不能再修改"
                    + (
                        "；如需更正，请联系审核单位退回"
                        if submission.status == Submission.Status.SUBMITTED
                        else ""
                    )
                )
            continue
        touched[submission.pk] = submission

    if expected_versions:
        for sub in touched.values():
            expected = expected_versions.get(sub.pk)
            if expected is not None and expected != sub.version:
                who = sub.updated_by or "其他用户"
                when = timezone.localtime(sub.updated_at).strftime("%H:%M")
                raise EditConflict(
                    f"「{sub.region.name}」（{sub.owner_label}）的数据已被{who}于 {when} 修改（在您打开本页之后），"
                    "为避免覆盖他人的修改，本次保存未写入任何数据。请刷新页面查看最新数据后重新填写。"
                )

    stored = {
        (dv.region_id, dv.indicator_id): dv
        for dv in DataValue.objects.select_for_update().filter(
            region_id__in=list(regions), period=period, indicator_id__in=list(collected)
        )
    }
    # The values as they would stand after the write, for the rules (whole framework, touched regions).
    codes = {i.pk: i.code for i in framework_indicators(framework)}
    after: dict[tuple[str, str], Decimal | None] = {
        (region, codes[ind]): dv.value for (region, ind), dv in stored.items() if ind in codes
    }
    for c in changes:
        after[(c.region.code, c.indicator.code)] = c.value
    report = WriteReport(dry_run=dry_run)
    # The rules run even when other problems were found, so one attempt reports every problem.
    changed_cells = {(c.region.code, c.indicator.code): c for c in changes}
    for finding in check_values(framework=framework, period=period, values=after, regions=list(regions)):
        change = changed_cells.get((finding.region_code, finding.indicator_code))
        if finding.severity == "error":
            if change is not None:
                refuse(change, finding.message)
            else:
                problems.append(finding.message)
        else:
            report.warnings.append(finding)
    if problems:
        message = (
            f"{problems[0]}。本次数据均未保存。"
            if len(problems) == 1
            else f"有 {len(problems)} 处问题，本次数据均未保存。请按提示修改后重新提交。"
        )
        raise WriteRefused(message, problems, by_cell)

    to_create, to_update, to_delete = [], [], []
    changed_per_submission: dict[int, int] = {}
    now = timezone.now()
    for c in changes:
        submission = submissions[(c.region.code, c.indicator.owner)]
        dv = stored.get((c.region.code, c.indicator.pk))
        if c.value is None:
            if dv is not None:
                to_delete.append(dv)
                changed_per_submission[submission.pk] = changed_per_submission.get(submission.pk, 0) + 1
            continue
        comment = dv.comment if (c.comment is None and dv is not None) else (c.comment or "").strip()[:500]
        if dv is None:
            dv = DataValue(region_id=c.region.code, period=period, indicator_id=c.indicator.pk)
            to_create.append(dv)
        elif dv.value == c.value and dv.comment == comment and dv.status == submission.status:
            report.unchanged += 1
            continue
        else:
            to_update.append(dv)
        changed_per_submission[submission.pk] = changed_per_submission.get(submission.pk, 0) + 1
        dv.value, dv.comment, dv.status = c.value, comment, submission.status
        dv.channel, dv.updated_by, dv.updated_at = channel, user, now
    report.created, report.updated, report.deleted = len(to_create), len(to_update), len(to_delete)
    report.submissions = [touched[pk] for pk in sorted(touched)]
    if dry_run:
        return report
    reason = reason[:100]
    if to_create:
        bulk_create_with_history(
            to_create, DataValue, batch_size=2000, default_user=user, default_change_reason=reason
        )
    if to_update:
        bulk_update_with_history(
            to_update,
            DataValue,
            ["value", "comment", "status", "channel", "updated_by", "updated_at"],
            batch_size=2000,
            default_user=user,
            default_change_reason=reason,
        )
    # A cleared draft value is removed; its history keeps the removal with the user and the reason.
    with deletion_permitted("a cleared value, recorded in its history"):
        for dv in to_delete:
            dv._history_user = user
            dv._change_reason = reason
            dv.delete()
    changed = [touched[pk] for pk in changed_per_submission]
    if changed:
        action = (
            SubmissionEvent.Action.IMPORT
            if channel == DataValue.Channel.IMPORT
            else SubmissionEvent.Action.SAVE
        )
        record_edit(changed, actor=actor, action=action, changed=changed_per_submission)
    if submit:
        for submission in report.submissions:
            if policies.submissions.allows(actor, "submit", submission):
                try:
                    submission_submit(actor=actor, submission=submission)
                except DomainError as error:  # name the region: an import submits many at once
                    name = submission.region.name
                    raise DomainError(error.message, [f"{name}：{p}" for p in error.problems]) from None
    return report


def data_values_save(
    *,
    actor,
    region: Region,
    period: int,
    framework: Framework,
    values: dict[str, object],
    submit: bool,
    channel: str,
    comments: dict[str, str] | None = None,
    versions: dict[int, int] | None = None,
) -> SaveReport:
    """Save one region's values for a period (the entry grid); ``values`` maps indicator code → typed text.

    An empty entry clears the stored value; an indicator absent from ``values`` is left as it is. Raises
    PermissionDenied for a region or indicator the user may not edit, EntryInvalid listing every refused value
    by indicator code, EditConflict when someone saved in between. Nothing is saved unless every value passes.
    ``submit`` then submits the region's submissions the user may submit, each on its own: a refused submission
    leaves the saved values saved and raises DomainError with what is missing.
    """
    actor_required(actor)
    period_check(period)
    if region.level != framework.level:
        raise DomainError(
            f"「{region.name}」不适用「{framework.name}」，请选择{framework.get_level_display()}级区划。"
        )
    comments = comments or {}
    known = {i.code: i for i in framework_indicators(framework)}
    problems: dict[str, str] = {}
    changes: list[ValueChange] = []
    for code, raw in values.items():
        indicator = known.get(code)
        if indicator is None:
            problems[code] = f"指标代码「{code}」不属于「{framework.name}」第{framework.version}版"
            continue
        policies.data.require_edit(actor, region, indicator)
        try:
            value = parse_value(indicator, raw)
        except ValueProblem as problem:
            problems[code] = f"「{indicator.name}」：{problem}"
            continue
        changes.append(
            ValueChange(region=region, indicator=indicator, value=value, comment=comments.get(code))
        )
    for code in comments:
        if code not in values and code in known:
            problems[code] = f"「{known[code].name}」：填写说明时请同时填写数值"
    order = list(known)
    if problems:
        raise EntryInvalid(
            dict(sorted(problems.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 0))
        )
    report = SaveReport()
    if changes:
        try:
            written = values_write(
                actor=actor,
                framework=framework,
                period=period,
                changes=changes,
                channel=channel,
                reason=DataValue.Channel(channel).label,
                expected_versions=versions,
            )
        except WriteRefused as refused:
            cell = {ind: text for (reg, ind), text in refused.by_cell.items() if reg == region.code}
            if cell and len(cell) == len(refused.problems):
                raise EntryInvalid(
                    {
                        code: f"「{known[code].name}」：{text}"
                        for code, text in sorted(cell.items(), key=lambda kv: order.index(kv[0]))
                    }
                ) from None
            raise
        report.created, report.updated, report.deleted, report.unchanged = (
            written.created,
            written.updated,
            written.deleted,
            written.unchanged,
        )
    else:
        open_round(framework, period)
    if submit:
        submissions_submit_region(actor=actor, framework=framework, period=period, region=region)
        report.submitted = True
    return report


def submissions_submit_region(
    *, actor, framework: Framework, period: int, region: Region
) -> list[Submission]:
    """Submit every submission of ``region`` in the round that the user may submit (the grid's 提交)."""
    actor_required(actor)
    round_ = open_round(framework, period)
    mine = [
        s
        for s in Submission.objects.filter(round=round_, region=region).select_related(
            "region", "round__framework"
        )
        if policies.submissions.allows(actor, "submit", s) and s.editable
    ]
    if not mine:
        raise DomainError(f"「{region.name}」没有由您提交、且处于草稿或退回状态的填报。")
    return [submission_submit(actor=actor, submission=s) for s in mine]
