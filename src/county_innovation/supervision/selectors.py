"""Reads of the task tree for the leading group's overview, its xlsx export, county profiles and the API."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from county_innovation.accounts.models import User
from county_innovation.regions.models import Region
from county_innovation.supervision import policies
from county_innovation.supervision.models import STALL_DAYS, TaskAssignment, TaskItem, TaskReport


@dataclass
class ItemProgress:
    """One item of the tree as the overview shows it."""

    item: TaskItem
    depth: int
    percent: int
    last_report: TaskReport | None
    deadline: datetime.date | None
    overdue: bool
    stalled: bool
    units: list[TaskAssignment] = field(default_factory=list)
    # Units whose own deadline has passed while the item is still open (the item itself may be on time).
    overdue_units: list[TaskAssignment] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.item.number} {self.item.title}"

    @property
    def flag(self) -> str:
        if self.item.is_closed:
            return "已办结"
        if self.overdue:
            return "逾期"
        if self.stalled:
            return "停滞"
        return "正常推进"


def item_deadline(item: TaskItem, units: list[TaskAssignment]) -> datetime.date | None:
    """The item's own deadline; an item without one takes its lead unit's. A supporting unit's deadline is
    that unit's own and never moves the item's."""
    if item.deadline is not None:
        return item.deadline
    leads = [a.deadline for a in units if a.duty == TaskAssignment.Role.LEAD and a.deadline is not None]
    return min(leads) if leads else None


def _progress(
    item: TaskItem,
    depth: int,
    today: datetime.date,
    units: list[TaskAssignment] | None = None,
    own: TaskAssignment | None = None,
) -> ItemProgress:
    """``own``: the unit whose view this is (a county's progress rows): its deadline is the row's."""
    reports = list(item.reports.all())  # prefetched, newest first
    last = reports[0] if reports else None
    percent = 100 if item.is_closed else (last.percent if last else 0)
    all_units = list(item.assignments.all())
    units = units if units is not None else all_units
    deadline = own.deadline if own is not None and own.deadline else item_deadline(item, all_units)
    open_ = not item.is_closed and percent < 100
    overdue = bool(open_ and deadline is not None and deadline < today)
    overdue_units = [a for a in units if open_ and a.deadline is not None and a.deadline < today]
    since = last.reported_at.date() if last else None
    stalled = bool(open_ and units and (since is None or (today - since).days > STALL_DAYS) and not overdue)
    return ItemProgress(
        item=item,
        depth=depth,
        percent=percent,
        last_report=last,
        deadline=deadline,
        overdue=overdue,
        stalled=stalled,
        units=units,
        overdue_units=overdue_units,
    )


def _items():
    return TaskItem.objects.prefetch_related(
        Prefetch("reports", queryset=TaskReport.objects.order_by("-reported_at", "-pk")),
        Prefetch("assignments", queryset=TaskAssignment.objects.select_related("region")),
    )


def task_tree(*, today: datetime.date | None = None) -> list[ItemProgress]:
    """Every item in tree order (key tasks, then safeguard measures; children under their parent)."""
    today = today or timezone.localdate()
    items = list(_items().order_by("kind", "order", "pk"))
    children: dict[int | None, list[TaskItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    kind_order = {TaskItem.Kind.KEY_TASK: 0, TaskItem.Kind.SAFEGUARD: 1}
    rows: list[ItemProgress] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for item in sorted(children.get(parent_id, []), key=lambda i: (kind_order[i.kind], i.order, i.pk)):
            rows.append(_progress(item, depth, today))
            walk(item.pk, depth + 1)

    walk(None, 0)
    return rows


def item_progress_rows(*, region: Region, today: datetime.date | None = None) -> list[ItemProgress]:
    """Items assigned to ``region`` (a county), with the county's own deadline where it has one."""
    today = today or timezone.localdate()
    items = _items().filter(assignments__region=region).distinct().order_by("kind", "order", "pk")
    rows = []
    for item in items:
        own = [a for a in item.assignments.all() if a.region_id == region.code]
        rows.append(_progress(item, 0, today, own, own[0] if own else None))
    return rows


def overview(*, today: datetime.date | None = None) -> dict:
    """The leading group's overview: counts, overdue and stalled lists, and the whole tree."""
    rows = task_tree(today=today)
    return {
        "rows": rows,
        "overdue": [r for r in rows if r.overdue],
        # units late on their own deadline on items that are themselves on time
        "overdue_units": [r for r in rows if r.overdue_units and not r.overdue],
        "stalled": [r for r in rows if r.stalled],
        "closed": sum(1 for r in rows if r.item.is_closed),
        "total": len(rows),
        "stall_days": STALL_DAYS,
    }


def items_reportable_by(user: User):
    """Items the user may report on: all for the city admin; its unit's for a department or a county."""
    return policies.tasks.restrict(user, "report", TaskItem.objects.all())


def assignment_for(item: TaskItem, user: User) -> TaskAssignment | None:
    """The user's own unit's assignment on ``item`` (None for the city admin reporting for the group)."""
    unit = policies.own_unit(user)
    return item.assignments.filter(unit).first() if unit is not None else None


def reports_of(item: TaskItem):
    return item.reports.select_related("assignment__region", "reported_by").prefetch_related("attachments")


# How far ahead a unit's workbench lists its task deadlines.
DUE_SOON_DAYS = 30


def tasks_due_for(user: User, *, today: datetime.date | None = None, within_days: int = DUE_SOON_DAYS):
    """Open items the user's unit is assigned to whose deadline (the unit's own, else the item's) has passed
    or falls within ``within_days``: for the user's 工作台. Soonest first; the city admin gets every overdue or
    due item. Each row is an ``ItemProgress`` whose ``deadline`` is the unit's."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=within_days)
    if policies.tasks.rule(user, "report") is True:
        rows = [r for r in task_tree(today=today) if not r.item.is_closed]
    else:
        items = _items().filter(pk__in=items_reportable_by(user).values("pk")).order_by("kind", "order", "pk")
        rows = []
        for item in items:
            if item.is_closed:
                continue
            own = [a for a in item.assignments.all() if policies.is_own_unit(user, a)]
            rows.append(_progress(item, 0, today, own, own[0] if own else None))
    due = [r for r in rows if r.percent < 100 and r.deadline is not None and r.deadline <= horizon]
    return sorted(due, key=lambda r: (r.deadline, r.item.number))
