"""Collection rounds and the life of a submission: open → submit → approve | return → lock on publishing.

Every transition is a service here: it checks who may make it (``collection.policies``), refuses a transition
the current status does not allow with a Chinese sentence, moves the submission and the status of its values
together, and records a SubmissionEvent. Nothing is deleted: a round, its submissions and their events stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from county_innovation.accounts.permissions import scope_root
from county_innovation.collection import policies
from county_innovation.collection.models import CollectionRound, Submission, SubmissionEvent
from county_innovation.collection.publishing import PublishReport
from county_innovation.collection.selectors import (
    approval_conflict,
    owners_of,
    period_is_valid,
    period_last,
    reported_indicators,
    round_for,
    round_submissions,
    submission_missing_problems,
    submission_values,
)
from county_innovation.collection.services.publishing import registries_refresh
from county_innovation.collection.services.rules import default_rules_ensure
from county_innovation.common import bulk
from county_innovation.common.actors import actor_required, history_user
from county_innovation.common.errors import DomainError
from county_innovation.indicators.models import DataValue, Framework, Origin
from county_innovation.indicators.selectors import framework_indicators
from county_innovation.regions.models import Region

Status = Submission.Status
Action = SubmissionEvent.Action


# --- rounds ------------------------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    actor,
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
    policies.rounds.require(actor, "manage", message="只有市科技局管理员可以发布填报任务。")
    user = history_user(actor)
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
    root = scope_root(actor)
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
    default_rules_ensure(framework, actor=actor)
    return round_


def _require_admin_round(actor, round_: CollectionRound, action: str) -> None:
    policies.rounds.require(actor, "manage", round_, message=f"只有市科技局管理员可以{action}填报任务。")


@transaction.atomic
def round_close(*, actor, round_: CollectionRound) -> CollectionRound:
    """Stop saving and submitting; review of what was submitted goes on."""
    _require_admin_round(actor, round_, "截止")
    round_ = CollectionRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status != CollectionRound.Status.OPEN:
        raise DomainError(f"填报任务「{round_.title}」当前为「{round_.get_status_display()}」，不能截止。")
    round_.status = CollectionRound.Status.CLOSED
    round_.save(update_fields=["status"])
    return round_


@transaction.atomic
def round_reopen(*, actor, round_: CollectionRound) -> CollectionRound:
    _require_admin_round(actor, round_, "重新开放")
    round_ = CollectionRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status != CollectionRound.Status.CLOSED:
        raise DomainError(
            f"填报任务「{round_.title}」当前为「{round_.get_status_display()}」，只有已截止的任务可以重新开放。"
        )
    round_.status = CollectionRound.Status.OPEN
    round_.save(update_fields=["status"])
    return round_


@transaction.atomic
def round_publish(*, actor, round_: CollectionRound, allow_unsubmitted: bool = False) -> CollectionRound:
    """Lock every submission and value of the round. Refused while a submission awaits review or was returned;
    submissions never submitted (the region reported nothing) lock only when ``allow_unsubmitted``."""
    _require_admin_round(actor, round_, "发布")
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
        _move(s, user=history_user(actor), action=Action.LOCK, to=Status.LOCKED, comment="任务发布，数据锁定")
    # The registry figures the framework uses for the year are locked with the reported ones.
    registry = [i for i in framework_indicators(round_.framework) if i.origin == Origin.REGISTRY]
    DataValue.objects.filter(
        period=round_.period, region__in=round_.regions.all(), indicator__in=registry
    ).update(status=DataValue.Status.LOCKED)
    round_.status = CollectionRound.Status.PUBLISHED
    round_.published_at = timezone.now()
    round_.published_by = history_user(actor)
    round_.save(update_fields=["status", "published_at", "published_by"])
    return round_


def round_registry_refresh(*, actor, round_: CollectionRound) -> list[PublishReport]:
    """Recompute the registry indicators (enterprise counts …) of the round's year; a published year is refused."""
    policies.rounds.require(actor, "manage", round_, message="只有市科技局管理员可以更新名录指标。")
    return registries_refresh(period=round_.period, actor=actor)


# --- submissions -------------------------------------------------------------------------------------------


def _move(submission: Submission, *, user, action: str, to: str, comment: str = "") -> Submission:
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


@transaction.atomic
def submission_submit(*, actor, submission: Submission) -> Submission:
    submission = _locked(submission.pk)
    policies.submissions.require(actor, "submit", submission)
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
        submission,
        user=history_user(actor),
        action=Action.SUBMIT,
        to=Status.SUBMITTED,
        comment="逾期提交" if late else "",
    )


@transaction.atomic
def submission_approve(*, actor, submission: Submission, comment: str = "") -> Submission:
    """Approve a submitted submission: the approver's permission, the status, and separation of duties."""
    submission = _locked(submission.pk)
    policies.submissions.require(actor, "approve", submission)
    if submission.status != Status.SUBMITTED:
        raise _refuse_status(submission, "审核通过")
    conflict = approval_conflict(actor, submission)
    if conflict:
        raise DomainError(conflict)
    return _move(
        submission,
        user=history_user(actor),
        action=Action.APPROVE,
        to=Status.APPROVED,
        comment=comment.strip(),
    )


@transaction.atomic
def submission_return(*, actor, submission: Submission, comment: str) -> Submission:
    submission = _locked(submission.pk)
    policies.submissions.require(actor, "approve", submission)
    if submission.status != Status.SUBMITTED:
        raise _refuse_status(submission, "退回")
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("退回时必须填写退回意见，说明需要修改的内容。")
    return _move(
        submission, user=history_user(actor), action=Action.RETURN, to=Status.RETURNED, comment=comment
    )


@transaction.atomic
def submission_reopen(*, actor, submission: Submission, reason: str) -> Submission:
    """The city admin sends an approved (or submitted) submission back to draft, with a recorded reason."""
    submission = _locked(submission.pk)
    policies.submissions.require(actor, "reopen", submission)
    if submission.status == Status.LOCKED:
        raise DomainError(
            f"「{submission.region.name}」的数据已随任务发布锁定，不能重新开放；已发布的评价结果以锁定数据为准。"
        )
    if submission.status not in {Status.APPROVED, Status.SUBMITTED}:
        raise _refuse_status(submission, "重新开放")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("重新开放必须填写原因。")
    return _move(submission, user=history_user(actor), action=Action.REOPEN, to=Status.DRAFT, comment=reason)


def record_edit(submissions: Iterable[Submission], *, actor, action: str, changed: dict[int, int]) -> None:
    """After values of ``submissions`` were written: bump their versions and record who changed how many.

    Called by the write path (``services.entry.values_write``), which has checked the actor's remit per value.
    """
    actor_required(actor)
    user = history_user(actor)
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
