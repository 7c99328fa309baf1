"""Collection rounds and the life of a submission: open → submit → approve | return → lock on publishing.

Every transition is a service here: it checks who may make it (``accounts.permissions``), refuses a transition
the current status does not allow with a Chinese sentence, moves the submission and the status of its values
together, and records a SubmissionEvent. Nothing is deleted: a round, its submissions and their events stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from county_innovation.accounts import permissions
from county_innovation.accounts.models import User
from county_innovation.collection.models import CollectionRound, Submission, SubmissionEvent
from county_innovation.common import bulk
from county_innovation.common.errors import DomainError
from county_innovation.indicators.models import DataValue, Framework, Indicator, Origin
from county_innovation.indicators.selectors import framework_indicators
from county_innovation.regions.models import Region

Status = Submission.Status
Action = SubmissionEvent.Action


# --- reads used by the write path ------------------------------------------------------------------------


def round_for(framework: Framework, period: int) -> CollectionRound | None:
    """The round collecting ``framework``'s indicators (any version of its code) for ``period``."""
    return (
        CollectionRound.objects.filter(framework__code=framework.code, period=period)
        .select_related("framework")
        .first()
    )


def reported_indicators(framework: Framework) -> list[Indicator]:
    """The indicators people type in; formula and registry indicators are never collected."""
    return [i for i in framework_indicators(framework) if i.is_reported]


def owners_of(framework: Framework) -> list[str]:
    """The owners a region's indicators are split into: the region itself ("") and each department."""
    return sorted({i.owner for i in reported_indicators(framework)})


def owner_indicators(framework: Framework, owner: str) -> list[Indicator]:
    return [i for i in reported_indicators(framework) if i.owner == owner]


def round_submissions(round_: CollectionRound) -> QuerySet[Submission]:
    return round_.submissions.select_related("region", "round__framework", "submitted_by", "decided_by")


# --- rounds ------------------------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    user: User,
    framework: Framework,
    period: int,
    opens_on: dt.date,
    deadline: dt.date,
    title: str = "",
    regions: Iterable[Region] | None = None,
    note: str = "",
) -> CollectionRound:
    """Open a round for ``framework`` and ``period``: one submission per participating region and owner.

    ``regions`` defaults to every region of the framework's level in the admin's city.
    """
    from county_innovation.collection.selectors import period_is_valid, period_last

    permissions.require(permissions.can_manage_rounds(user), "只有市科技局管理员可以发布填报任务。")
    problems = []
    if not period_is_valid(period):
        problems.append(f"年度 {period} 不在可填报范围内（2015–{period_last()} 年）")
    if deadline < opens_on:
        problems.append(f"截止日期 {deadline:%Y-%m-%d} 早于开始日期 {opens_on:%Y-%m-%d}")
    if framework.status == Framework.Status.DRAFT:
        problems.append(f"「{framework.name}」第{framework.version}版仍是草稿，请先启用该版本")
    existing = round_for(framework, period)
    if existing is not None:
        problems.append(
            f"{period}年度「{framework.name}」已有填报任务「{existing.title}」，同一年度同一体系只能有一个任务"
        )
    root = permissions.scope_root(user)
    pool = Region.objects.filter(level=framework.level)
    if root is not None:
        pool = pool.filter(code__startswith=root.prefix)
    if regions is None:
        chosen = list(pool.order_by("code"))
    else:
        chosen = list(regions)
        allowed = set(pool.values_list("code", flat=True))
        for region in chosen:
            if region.code not in allowed:
                problems.append(
                    f"「{region.name}」（{region.code}）不是本市的{framework.get_level_display()}级区划，不能参与该任务"
                )
    if not chosen:
        problems.append("没有参与填报的区划")
    owners = owners_of(framework)
    if not owners:
        problems.append(f"「{framework.name}」没有需要填报的指标")
    if problems:
        raise DomainError("填报任务未创建：" + "；".join(problems) + "。", problems)
    round_ = CollectionRound.objects.create(
        framework=framework,
        period=period,
        title=title or f"{period}年度{framework.name}数据填报",
        opens_on=opens_on,
        deadline=deadline,
        note=note,
        created_by=user,
    )
    round_.regions.set(chosen)
    Submission.objects.bulk_create(
        [Submission(round=round_, region=r, owner=o) for r in chosen for o in owners]
    )
    # Values entered before the round existed join their submission as drafts.
    DataValue.objects.filter(
        region__in=chosen, period=period, indicator__in=reported_indicators(framework)
    ).update(status=DataValue.Status.DRAFT)
    from county_innovation.collection.rules import default_rules_ensure

    default_rules_ensure(framework)
    return round_


def _require_admin_round(user: User, round_: CollectionRound, action: str) -> None:
    permissions.require(permissions.can_manage_rounds(user), f"只有市科技局管理员可以{action}填报任务。")


@transaction.atomic
def round_close(*, user: User, round_: CollectionRound) -> CollectionRound:
    """Stop saving and submitting; review of what was submitted goes on."""
    _require_admin_round(user, round_, "截止")
    round_ = CollectionRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status != CollectionRound.Status.OPEN:
        raise DomainError(f"填报任务「{round_.title}」当前为「{round_.get_status_display()}」，不能截止。")
    round_.status = CollectionRound.Status.CLOSED
    round_.save(update_fields=["status"])
    return round_


@transaction.atomic
def round_reopen(*, user: User, round_: CollectionRound) -> CollectionRound:
    _require_admin_round(user, round_, "重新开放")
    round_ = CollectionRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status != CollectionRound.Status.CLOSED:
        raise DomainError(
            f"填报任务「{round_.title}」当前为「{round_.get_status_display()}」，只有已截止的任务可以重新开放。"
        )
    round_.status = CollectionRound.Status.OPEN
    round_.save(update_fields=["status"])
    return round_


@transaction.atomic
def round_publish(*, user: User, round_: CollectionRound, allow_unsubmitted: bool = False) -> CollectionRound:
    """Lock every submission and value of the round. Refused while a submission awaits review or was returned;
    submissions never submitted (the region reported nothing) lock only when ``allow_unsubmitted``."""
    _require_admin_round(user, round_, "发布")
    round_ = CollectionRound.objects.select_for_update().get(pk=round_.pk)
    if round_.is_published:
        raise DomainError(
            f"填报任务「{round_.title}」已于 {timezone.localtime(round_.published_at):%Y-%m-%d %H:%M} 发布。"
        )
    submissions = list(round_submissions(round_).select_for_update(of=("self",)))
    problems = []
    for s in submissions:
        if s.status in {Status.SUBMITTED, Status.RETURNED}:
            problems.append(f"{s.region.name}（{s.owner_label}）：{s.get_status_display()}，尚未审核通过")
        elif s.status == Status.DRAFT and not allow_unsubmitted:
            problems.append(f"{s.region.name}（{s.owner_label}）：尚未提交")
    if problems:
        raise DomainError(
            f"填报任务未发布：有 {len(problems)} 份填报尚未审核通过。"
            "请先完成审核；未提交的区划如确认缺报，可勾选「未提交的按缺报处理」后发布。",
            problems,
        )
    for s in submissions:
        _move(s, user=user, action=Action.LOCK, to=Status.LOCKED, comment="任务发布，数据锁定")
    # The registry figures the framework uses for the year are locked with the reported ones.
    registry = [i for i in framework_indicators(round_.framework) if i.origin == Origin.REGISTRY]
    DataValue.objects.filter(
        period=round_.period, region__in=round_.regions.all(), indicator__in=registry
    ).update(status=DataValue.Status.LOCKED)
    round_.status = CollectionRound.Status.PUBLISHED
    round_.published_at = timezone.now()
    round_.published_by = user
    round_.save(update_fields=["status", "published_at", "published_by"])
    return round_


def round_registry_refresh(*, user: User, round_: CollectionRound) -> list:
    """Recompute the registry indicators (enterprise counts …) of the round's year; a published year is refused."""
    from county_innovation.collection.publishing import registries_refresh

    permissions.require(permissions.can_manage_rounds(user), "只有市科技局管理员可以更新名录指标。")
    return registries_refresh(period=round_.period, user=user)


# --- submissions -------------------------------------------------------------------------------------------


def submission_values(submission: Submission) -> QuerySet[DataValue]:
    return DataValue.objects.filter(
        region=submission.region,
        period=submission.round.period,
        indicator__in=owner_indicators(submission.round.framework, submission.owner),
    )


def _move(submission: Submission, *, user: User, action: str, to: str, comment: str = "") -> Submission:
    """Change a submission's status, the status of its values, and record the step."""
    before = submission.status
    submission.status = to
    now = timezone.now()
    fields = ["status", "updated_at"]
    if action == Action.SUBMIT:
        submission.submitted_at, submission.submitted_by = now, user
        fields += ["submitted_at", "submitted_by"]
    if action in {Action.APPROVE, Action.RETURN}:
        submission.decided_at, submission.decided_by = now, user
        fields += ["decided_at", "decided_by"]
    if action == Action.RETURN:
        submission.return_comment = comment
        fields.append("return_comment")
    submission.save(update_fields=fields)
    submission_values(submission).update(status=to)
    SubmissionEvent.objects.create(
        submission=submission, action=action, from_status=before, to_status=to, actor=user, comment=comment
    )
    return submission


def _locked(submission_id: int) -> Submission:
    return (
        Submission.objects.select_for_update()
        .select_related("region", "round__framework")
        .get(pk=submission_id)
    )


def _refuse_status(submission: Submission, wanted: str) -> DomainError:
    return DomainError(
        f"「{submission.region.name}」（{submission.owner_label}）的填报当前为「{submission.get_status_display()}」，"
        f"不能{wanted}。"
    )


def submission_missing_problems(submission: Submission) -> list[str]:
    """What stops a submission from being submitted: rule errors, and warnings without an explanation."""
    from county_innovation.collection.rules import check_values

    framework = submission.round.framework
    indicators = owner_indicators(framework, submission.owner)
    stored = {dv.indicator_id: dv for dv in submission_values(submission)}
    values = {
        (submission.region.code, i.code): (stored[i.pk].value if i.pk in stored else None) for i in indicators
    }
    comments = {i.code: (stored[i.pk].comment if i.pk in stored else "") for i in indicators}
    problems = []
    for finding in check_values(
        framework=framework, period=submission.round.period, values=values, stage="submit"
    ):
        if finding.indicator_code not in comments:
            continue  # a rule about another owner's indicator is that owner's to answer
        if finding.severity == "error":
            problems.append(finding.message)
        elif not comments[finding.indicator_code].strip():
            hint = "" if "说明" in finding.message else "；请在该指标的「说明」中写明原因后再提交"
            problems.append(finding.message + hint)
    return problems


@transaction.atomic
def submission_submit(*, user: User, submission: Submission) -> Submission:
    submission = _locked(submission.pk)
    permissions.require_submit(user, submission)
    round_ = submission.round
    if round_.status != CollectionRound.Status.OPEN:
        raise DomainError(f"填报任务「{round_.title}」{round_.get_status_display()}，不能再提交数据。")
    if not submission.editable:
        raise _refuse_status(submission, "提交")
    problems = submission_missing_problems(submission)
    if problems:
        raise DomainError(
            f"「{submission.region.name}」的填报未提交：有 {len(problems)} 处问题需要处理。", problems
        )
    late = timezone.localdate() > round_.deadline
    return _move(
        submission, user=user, action=Action.SUBMIT, to=Status.SUBMITTED, comment="逾期提交" if late else ""
    )


def approval_conflict(user: User, submission: Submission) -> str | None:
    """Why ``user`` may not approve ``submission`` under separation of duties, or None.

    The approver is never the person who submitted it nor one who entered or imported its values since it
    was last sent back (returned or reopened): four eyes on every approved figure. A deployment with one
    officer per county may switch the rule off (``settings.SEPARATE_APPROVAL``).
    """
    if not settings.SEPARATE_APPROVAL:
        return None
    if submission.submitted_by_id == user.pk:
        did = "提交"
    else:
        events = list(submission.events.order_by("-at", "-pk").values_list("action", "actor_id"))
        cycle = []
        for action, actor in events:
            if action in (Action.RETURN, Action.REOPEN):
                break
            cycle.append((action, actor))
        if not any(a in (Action.SAVE, Action.IMPORT) and actor == user.pk for a, actor in cycle):
            return None
        did = "填报（录入或导入）"
    return (
        f"「{submission.region.name}」（{submission.owner_label}）的这份数据由您本人{did}，"
        "按审核与填报分离（不相容岗位分离）的规定，不能由您本人审核通过：请由本单位另一名有审核权限的人员审核；"
        "如确需更正，可退回后由填报人修改重新提交。"
    )


@transaction.atomic
def submission_approve(*, user: User, submission: Submission, comment: str = "") -> Submission:
    """Approve a submitted submission: the approver's permission, the status, and separation of duties."""
    submission = _locked(submission.pk)
    permissions.require_approve(user, submission)
    if submission.status != Status.SUBMITTED:
        raise _refuse_status(submission, "审核通过")
    conflict = approval_conflict(user, submission)
    if conflict:
        raise DomainError(conflict)
    return _move(submission, user=user, action=Action.APPROVE, to=Status.APPROVED, comment=comment.strip())


@transaction.atomic
def submission_return(*, user: User, submission: Submission, comment: str) -> Submission:
    submission = _locked(submission.pk)
    permissions.require_approve(user, submission)
    if submission.status != Status.SUBMITTED:
        raise _refuse_status(submission, "退回")
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("退回时必须填写退回意见，说明需要修改的内容。")
    return _move(submission, user=user, action=Action.RETURN, to=Status.RETURNED, comment=comment)


@transaction.atomic
def submission_reopen(*, user: User, submission: Submission, reason: str) -> Submission:
    """The city admin sends an approved (or submitted) submission back to draft, with a recorded reason."""
    submission = _locked(submission.pk)
    permissions.require(permissions.is_city_admin(user), "只有市科技局管理员可以重新开放已审核的数据。")
    if submission.status == Status.LOCKED:
        raise DomainError(
            f"「{submission.region.name}」的数据已随任务发布锁定，不能重新开放；已发布的评价结果以锁定数据为准。"
        )
    if submission.status not in {Status.APPROVED, Status.SUBMITTED}:
        raise _refuse_status(submission, "重新开放")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("重新开放必须填写原因。")
    return _move(submission, user=user, action=Action.REOPEN, to=Status.DRAFT, comment=reason)


def record_edit(
    submissions: Iterable[Submission], *, user: User, action: str, changed: dict[int, int]
) -> None:
    """After values of ``submissions`` were written: bump their versions and record who changed how many."""
    now = timezone.now()
    events = []
    for s in submissions:
        s.version += 1
        s.updated_by = user
        s.updated_at = now
        events.append(
            SubmissionEvent(
                submission=s,
                action=action,
                from_status=s.status,
                to_status=s.status,
                actor=user,
                changed_values=changed.get(s.pk, 0),
            )
        )
    bulk.bulk_update(Submission, list(submissions), ["version", "updated_by", "updated_at"])
    bulk.bulk_insert(SubmissionEvent, events, set_pks=False)
