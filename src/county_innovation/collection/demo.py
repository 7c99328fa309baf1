"""Collection rounds of the Nanchang demo: every demo year collected, approved and published (its values
locked), and the next year's round open, so the pages show both a finished round and one in progress."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from county_innovation.accounts.models import User
from county_innovation.collection.models import CollectionRound, Submission, SubmissionEvent
from county_innovation.collection.services import rounds
from county_innovation.collection.services.publishing import registries_refresh
from county_innovation.indicators.models import DataValue, Framework

Action = SubmissionEvent.Action
Status = Submission.Status


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@transaction.atomic
def collection_demo_load(*, admin: User, frameworks: list[Framework], periods: range) -> int:
    """Create the demo rounds; returns how many. Historical rounds are published with their steps recorded
    (submitted before the deadline, approved, locked), dated in the spring after each statistical year."""
    created = 0
    for period in periods:
        registries_refresh(period=period, actor=admin)
    for framework in frameworks:
        for period in periods:
            opens_on = dt.date(period + 1, 1, 10)
            deadline = dt.date(period + 1, 3, 31)
            round_ = rounds.round_create(
                actor=admin, framework=framework, period=period, opens_on=opens_on, deadline=deadline
            )
            submissions = list(round_.submissions.all())
            steps = [
                (Action.SUBMIT, Status.DRAFT, Status.SUBMITTED, _at(dt.date(period + 1, 3, 20), 10)),
                (Action.APPROVE, Status.SUBMITTED, Status.APPROVED, _at(dt.date(period + 1, 3, 28), 15)),
                (Action.LOCK, Status.APPROVED, Status.LOCKED, _at(dt.date(period + 1, 4, 15), 9)),
            ]
            for action, before, after, when in steps:
                SubmissionEvent.objects.bulk_create(
                    [
                        SubmissionEvent(
                            submission=s,
                            action=action,
                            from_status=before,
                            to_status=after,
                            actor=admin,
                            comment="演示数据：历史年度按期完成" if action == Action.LOCK else "",
                        )
                        for s in submissions
                    ]
                )
                SubmissionEvent.objects.filter(submission__round=round_, action=action).update(at=when)
            Submission.objects.filter(round=round_).update(
                status=Status.LOCKED,
                submitted_at=steps[0][3],
                submitted_by=admin,
                decided_at=steps[1][3],
                decided_by=admin,
            )
            DataValue.objects.filter(period=period, indicator__level=framework.level).update(
                status=DataValue.Status.LOCKED
            )
            CollectionRound.objects.filter(pk=round_.pk).update(
                status=CollectionRound.Status.PUBLISHED, published_at=steps[2][3], published_by=admin
            )
            created += 1
        today = timezone.localdate()
        rounds.round_create(
            actor=admin,
            framework=framework,
            period=periods.stop,
            opens_on=today - dt.timedelta(days=20),
            deadline=today + dt.timedelta(days=40),
            note="演示任务：请各乡镇（街道）、县（区）和市直部门按时填报。",
        )
        created += 1
    return created
