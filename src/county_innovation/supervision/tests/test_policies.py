"""The task supervision policy: each rule allows and refuses whom it says, and the report filter agrees with the
object check and with the actor's own unit."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from county_innovation.common.actors import system
from county_innovation.supervision import policies, selectors
from county_innovation.supervision.models import TaskAssignment, TaskItem
from county_innovation.supervision.policies import tasks

pytestmark = pytest.mark.django_db


def test_who_reads_manages_and_exports_the_tree(demo, users):
    for role in ("city_admin", "department", "county", "town"):
        assert tasks.allows(users[role], "view"), role
    for role in ("expert", "enterprise"):
        assert not tasks.allows(users[role], "view"), role
    assert not tasks.allows(AnonymousUser(), "view")
    assert tasks.allows(users["city_admin"], "manage")
    assert not tasks.allows(users["department"], "manage")
    assert tasks.allows(users["city_admin"], "export") and tasks.allows(users["department"], "export")
    assert not tasks.allows(users["county"], "export")
    with pytest.raises(PermissionDenied, match="只有市科技局和市直部门"):
        tasks.require(users["county"], "export")
    assert tasks.allows(system("测试"), "manage")


def test_a_unit_reports_on_the_items_it_is_assigned_to(demo, users):
    item = TaskItem.objects.get(parent=None, number="三（七）")  # 农业农村局 leads; 南昌县 and 进贤县 support
    assert tasks.allows(users["county"], "report", item)
    assert tasks.allows(users["other_county"], "report", item)
    assert tasks.allows(users["city_admin"], "report", item)
    assert not tasks.allows(users["department"], "report", item)  # 统计局 is not one of its units
    assert not tasks.allows(users["town"], "report", item)
    with pytest.raises(PermissionDenied, match="三（七）"):
        tasks.require(users["town"], "report", item)


def test_the_report_filter_agrees_with_the_check_and_the_own_unit(demo, users):
    items = list(TaskItem.objects.all())
    assignments = list(TaskAssignment.objects.all())
    for user in users.values():
        listed = set(tasks.restrict(user, "report", TaskItem.objects.all()))
        assert listed == {i for i in items if tasks.allows(user, "report", i)}, user.username
        assert set(selectors.items_reportable_by(user)) == listed
        unit = policies.own_unit(user)
        own = set(TaskAssignment.objects.filter(unit)) if unit is not None else set()
        assert own == {a for a in assignments if policies.is_own_unit(user, a)}, user.username
