"""The policy base: one rule per action gives the list filter and the object check; the system actor is explicit."""

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Q

from county_innovation.accounts.models import Role, User
from county_innovation.common.actors import actor_required, history_user, is_system, require_system, system
from county_innovation.common.policy import Policy
from county_innovation.regions.models import Region


class RegionPolicy(Policy):
    model = Region
    messages = {"rename": "只能修改本区划的名称。"}

    def rule_view(self, actor):
        return True

    def rule_rename(self, actor):
        if actor.role == Role.CITY_ADMIN:
            return True
        if actor.region_id is None:
            return False
        return Q(code__startswith=actor.region.prefix)

    def rule_delete(self, actor):
        return False


class CheckedPolicy(RegionPolicy):
    calls = 0

    def check_rename(self, actor, obj):
        type(self).calls += 1
        return obj.code.startswith(actor.region.prefix)


@pytest.fixture
def world(db):
    city = Region.objects.create(code="990100000000", name="测试市", level=Region.Level.CITY)
    county = Region.objects.create(code="990102000000", name="甲区", level=Region.Level.COUNTY, parent=city)
    other = Region.objects.create(code="990103000000", name="乙区", level=Region.Level.COUNTY, parent=city)
    officer = User.objects.create(username="officer", role=Role.COUNTY, region=county)
    return city, county, other, officer


def test_a_q_rule_filters_the_list_and_checks_the_object_the_same_way(world):
    _city, county, other, officer = world
    policy = RegionPolicy()
    assert set(policy.restrict(officer, "rename", Region.objects.filter(code__startswith="99"))) == {county}
    assert policy.allows(officer, "rename", county)
    assert not policy.allows(officer, "rename", other)
    with pytest.raises(PermissionDenied, match="只能修改本区划的名称"):
        policy.require(officer, "rename", other)


def test_a_python_check_answers_the_object_question_without_a_query(world, django_assert_num_queries):
    _city, county, other, officer = world
    policy = CheckedPolicy()
    assert officer.region == county  # loaded before the count starts
    with django_assert_num_queries(0):
        assert policy.allows(officer, "rename", county)
        assert not policy.allows(officer, "rename", other)
    assert CheckedPolicy.calls == 2


def test_boolean_rules_and_the_default_message(world):
    _city, county, _other, officer = world
    policy = RegionPolicy()
    ours = Region.objects.filter(code__startswith="99")
    assert policy.restrict(officer, "delete", ours).count() == 0
    assert policy.restrict(officer, "view", ours).count() == 3
    with pytest.raises(PermissionDenied, match="您没有权限执行此操作"):
        policy.require(officer, "delete", county)
    assert policy.actions() == ["delete", "rename", "view"]


def test_anonymous_is_refused_and_a_missing_actor_is_an_error(world):
    from django.contrib.auth.models import AnonymousUser

    policy = RegionPolicy()
    assert not policy.allows(AnonymousUser(), "view")
    with pytest.raises(TypeError):
        policy.allows(None, "view")
    with pytest.raises(ImproperlyConfigured):
        policy.allows(world[3], "fly")


def test_the_system_actor_is_explicit_allowed_and_recorded_as_nobody(world):
    _city, county, _other, officer = world
    robot = system("演示数据加载")
    assert is_system(robot) and str(robot) == "系统：演示数据加载"
    assert RegionPolicy().allows(robot, "delete", county)
    assert history_user(robot) is None and history_user(officer) is officer
    with pytest.raises(ValueError):
        system("  ")
    with pytest.raises(TypeError):
        actor_required(None)
    require_system(robot, "加载演示数据")
    with pytest.raises(PermissionDenied, match="只能由平台自身执行"):
        require_system(officer, "加载演示数据")
