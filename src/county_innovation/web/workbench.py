"""The 工作台 (workbench): what waits for the signed-in user, one small read per kind of work.

Each section is one function over the owning app's selectors and models, so a better selector (an expert pool's
"reviews waiting for this expert", supervision's "tasks due for this user") replaces one function body only.
The page is where every role lands after login (``settings.LOGIN_REDIRECT_URL``); the city dashboard stays in the
menu. Scope comes from ``accounts.permissions`` through those selectors; which sections concern a user is
``web.policies.workbench``'s decision; nothing here decides access itself.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse

from county_innovation.accounts import permissions
from county_innovation.accounts.models import User
from county_innovation.collection.models import CollectionRound, Submission
from county_innovation.collection.policies import submissions
from county_innovation.collection.selectors import submissions_to_review, submissions_visible
from county_innovation.designation.models import PENDING_STATUSES, Designation, ExpertReview
from county_innovation.designation.selectors import reviews_waiting_for
from county_innovation.enterprises.models import Enterprise, Qualification
from county_innovation.enterprises.selectors import (
    enterprises_of_member,
    enterprises_visible,
    qualifications_expiring,
)
from county_innovation.supervision.selectors import ItemProgress, tasks_due_for
from county_innovation.web.policies import workbench

# Tasks whose deadline falls within this many days are listed as due (besides the overdue ones).
TASK_DUE_WITHIN_DAYS = 30
# Rows listed per section; the section's count and link give the rest.
SECTION_LIMIT = 12


@dataclass
class Section:
    """One block of the workbench: what waits, how many, and where the whole list is."""

    key: str
    title: str
    empty: str
    items: list = field(default_factory=list)
    count: int = 0
    more_url: str = ""
    more_label: str = ""


def _with_round(submission: Submission, round_: CollectionRound) -> Submission:
    submission.round = round_  # the page shows the round's title and deadline: no query per row
    return submission


def _open_rounds() -> QuerySet[CollectionRound]:
    return CollectionRound.objects.filter(status=CollectionRound.Status.OPEN).select_related("framework")


def rounds_to_fill(user: User) -> list[Submission]:
    """The user's own submissions of open rounds that are still to be handed in (draft or returned).

    Own: the region the user stands for (a town's, a county's own figures) or, for a department, its own
    indicators; the towns a county officer may also hand in for are the towns' own work, not listed here.
    Which of the region's submissions the user hands in is the collection policy's decision alone.
    """
    root = permissions.scope_root(user)
    if root is None or not workbench.allows(user, "fill"):
        return []
    any_region = workbench.allows(user, "fill_any_region")
    waiting = []
    for round_ in _open_rounds().order_by("deadline", "pk"):
        mine = submissions_visible(user, round_).filter(
            status__in=[Submission.Status.DRAFT, Submission.Status.RETURNED]
        )
        if not any_region:
            mine = mine.filter(region=root)
        waiting += [_with_round(s, round_) for s in mine if submissions.allows(user, "submit", s)]
    return waiting


def submissions_to_approve(user: User) -> list[Submission]:
    """Submissions handed in and waiting for this user's decision, in rounds not yet published."""
    rounds = CollectionRound.objects.exclude(status=CollectionRound.Status.PUBLISHED).order_by(
        "deadline", "pk"
    )
    waiting: list[Submission] = []
    for round_ in rounds:
        waiting += [_with_round(s, round_) for s in submissions_to_review(user, round_)]
    return waiting


def reviews_to_score(user: User) -> QuerySet[ExpertReview]:
    """The designation reviews assigned to this expert and not scored yet (designation's 待评审)."""
    return reviews_waiting_for(user)


def tasks_due(user: User, *, today: datetime.date | None = None) -> list[ItemProgress]:
    """Open task items of the user's unit whose own deadline has passed or falls within TASK_DUE_WITHIN_DAYS."""
    if not user.is_authenticated or not workbench.allows(user, "tasks"):
        return []
    return tasks_due_for(user, today=today, within_days=TASK_DUE_WITHIN_DAYS)


def certificates_expiring(user: User, *, today: datetime.date | None = None) -> QuerySet[Qualification]:
    """Qualifications of the enterprises the user looks after that expire soon (EXPIRY_REMINDER_DAYS)."""
    if not user.is_authenticated:
        return Qualification.objects.none()
    if workbench.allows(user, "enterprises"):
        enterprises: QuerySet[Enterprise] = enterprises_of_member(user)
    elif workbench.allows(user, "certificates"):
        enterprises = enterprises_visible(user)
    else:
        return Qualification.objects.none()
    return qualifications_expiring(enterprises, today=today)


def designations_to_handle(user: User) -> QuerySet[Designation]:
    """Applications waiting for the city (formal check, experts, notice): the city admin's."""
    if not user.is_authenticated or not workbench.allows(user, "designation"):
        return Designation.objects.none()
    return Designation.objects.filter(status__in=PENDING_STATUSES).select_related("region").order_by("pk")


def my_enterprises(user: User) -> QuerySet[Enterprise]:
    if not user.is_authenticated or not workbench.allows(user, "enterprises"):
        return Enterprise.objects.none()
    return enterprises_of_member(user).select_related("town")


def _section(
    key: str, title: str, empty: str, rows: list | QuerySet, url: str = "", label: str = ""
) -> Section:
    rows = list(rows)
    return Section(
        key=key,
        title=title,
        empty=empty,
        items=rows[:SECTION_LIMIT],
        count=len(rows),
        more_url=url,
        more_label=label,
    )


def workbench_sections(user: User, *, today: datetime.date | None = None) -> list[Section]:
    """The sections that concern the user's role, in the order the work is done."""
    if not user.is_authenticated:
        return []
    shows = {action: workbench.allows(user, action) for action in workbench.actions()}
    sections: list[Section] = []
    if shows["fill"]:
        sections.append(
            _section(
                "fill",
                "待填报",
                "没有待填报或被退回的填报。",
                rounds_to_fill(user),
                reverse("collection:round_list"),
                "全部填报任务",
            )
        )
    if shows["approve"]:
        sections.append(
            _section(
                "approve",
                "待审核",
                "没有等待您审核的填报。",
                submissions_to_approve(user),
                reverse("collection:round_list"),
                "全部填报任务",
            )
        )
    if shows["review"]:
        sections.append(
            _section(
                "review",
                "待评审",
                "没有待评审的申报。",
                reviews_to_score(user),
                reverse("designation:list"),
                "全部申报",
            )
        )
    if shows["designation"]:
        sections.append(
            _section(
                "designation",
                "待处理的创新型县乡申报",
                "没有待处理的申报。",
                designations_to_handle(user),
                reverse("designation:list"),
                "全部申报",
            )
        )
    if shows["tasks"]:
        sections.append(
            _section(
                "tasks",
                "到期任务",
                f"没有逾期或 {TASK_DUE_WITHIN_DAYS} 天内到期的任务。",
                tasks_due(user, today=today),
                reverse("supervision:overview"),
                "任务督办",
            )
        )
    if shows["certificates"]:
        sections.append(
            _section(
                "certificates",
                "即将到期的资质",
                "没有即将到期的资质证书。",
                certificates_expiring(user, today=today),
                reverse("enterprises:list"),
                "科技企业",
            )
        )
    if shows["enterprises"]:
        sections.append(
            _section(
                "enterprises",
                "我的企业",
                "您的账号尚未关联企业，请联系所在县（区）科技局。",
                my_enterprises(user),
            )
        )
    return sections
