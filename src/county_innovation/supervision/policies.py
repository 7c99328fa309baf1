"""Who may read, manage, export and report on the task tree of the leading group (重点任务督办).

Every regional role (city admin, city departments, county and town officers) reads the tree; the city admin
breaks items down, assigns units and closes items; the city admin and the city departments (the leading
group's member units) export the meeting ledger; a unit (a city department or a county) reports progress on
the items it is assigned to, and the city admin on any item.
"""

from __future__ import annotations

from django.db.models import Q

from county_innovation.accounts.models import Role
from county_innovation.accounts.permissions import is_city_admin, scope_root
from county_innovation.common.policy import Policy
from county_innovation.supervision.models import TaskAssignment, TaskItem


def own_unit(actor) -> Q | None:
    """The assignments of the actor's own unit (its department, or its county), None when it has no unit."""
    if not getattr(actor, "is_authenticated", False):
        return None
    role = getattr(actor, "role", None)
    if role == Role.DEPARTMENT and actor.department:
        return Q(department=actor.department)
    root = scope_root(actor)
    if role == Role.COUNTY and root is not None:
        return Q(region=root)
    return None


def is_own_unit(actor, assignment: TaskAssignment) -> bool:
    """Whether ``assignment`` is the actor's own unit's (the same rule as ``own_unit``, without a query)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    role = getattr(actor, "role", None)
    if role == Role.DEPARTMENT and actor.department:
        return assignment.department == actor.department
    root = scope_root(actor)
    if role == Role.COUNTY and root is not None:
        return assignment.region_id == root.code
    return False


class TaskPolicy(Policy):
    model = TaskItem
    messages = {
        "view": "您无权查看重点任务督办：只有市、县（区）、乡镇和市直部门用户可以查看。",
        "manage": "您无权管理督办任务：只有市科技局管理员可以分解、分工和办结任务。",
        "export": "您无权导出督办台账：只有市科技局和市直部门（领导小组成员单位）可以导出。",
    }

    def rule_view(self, actor):
        return scope_root(actor) is not None or is_city_admin(actor)

    def rule_manage(self, actor):
        return is_city_admin(actor)

    def rule_export(self, actor):
        """The leading group's meeting export: the city admin and the city departments (its members)."""
        return is_city_admin(actor) or actor.role == Role.DEPARTMENT

    def rule_report(self, actor):
        """The city admin on every item; a department or a county on the items its unit is assigned to."""
        if is_city_admin(actor):
            return True
        unit = own_unit(actor)
        if unit is None:
            return False
        return Q(pk__in=TaskAssignment.objects.filter(unit).values("item_id"))

    def message(self, action, obj=None):
        if action == "report" and obj is not None:
            return f"您无权报送「{obj.number} {obj.title}」的进展：只有该任务的牵头或配合单位和市科技局可以报送。"
        return super().message(action, obj)


tasks = TaskPolicy()
