"""The framework policy: every signed-in user reads the frameworks in use, the city admin also the drafts;
only the city admin makes new versions and freezes them; the platform seeds the defaults."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from county_innovation.common.actors import system
from county_innovation.indicators.models import Framework
from county_innovation.indicators.policies import frameworks as policy
from county_innovation.indicators.services import (
    default_frameworks_ensure,
    framework_freeze,
    framework_new_version,
)

ROLES = ["city_admin", "department", "county", "town", "expert", "enterprise"]


@pytest.fixture
def draft(frameworks):
    framework = frameworks["town"]
    Framework.objects.filter(pk=framework.pk).update(status=Framework.Status.DRAFT)
    framework.refresh_from_db()
    return framework


@pytest.mark.parametrize("role", ROLES)
def test_view_filter_agrees_with_the_object_check(users, draft, role):
    user = users[role]
    listed = set(policy.restrict(user, "view").values_list("pk", flat=True))
    checked = {f.pk for f in Framework.objects.all() if policy.allows(user, "view", f)}
    assert listed == checked


def test_drafts_are_the_city_admins(users, draft, frameworks):
    assert policy.allows(users["city_admin"], "view", draft)
    assert not policy.allows(users["county"], "view", draft)
    assert policy.allows(users["county"], "view", frameworks["county"])
    assert not policy.allows(AnonymousUser(), "view", frameworks["county"])


@pytest.mark.parametrize("action", ["manage", "freeze"])
def test_only_the_city_admin_manages_and_freezes(users, action):
    assert policy.allows(users["city_admin"], action)
    for role in ROLES[1:]:
        assert not policy.allows(users[role], action)


def test_new_version_and_freeze_check_their_actor(users, frameworks):
    county = frameworks["county"]
    with pytest.raises(PermissionDenied, match="只有市科技局管理员可以修改评价指标体系"):
        framework_new_version(actor=users["county"], framework=county, weights={"enterprise": "2"})
    new = framework_new_version(actor=users["city_admin"], framework=county, weights={"enterprise": "2"})
    assert new.created_by == users["city_admin"]
    with pytest.raises(PermissionDenied, match="冻结"):
        framework_freeze(actor=users["department"], framework=new)
    framework_freeze(actor=system("发布评价时冻结所用体系版本"), framework=new)
    new.refresh_from_db()
    assert new.is_frozen


def test_a_version_made_by_the_platform_records_no_user(frameworks):
    new = framework_new_version(actor=system("测试"), framework=frameworks["town"])
    assert new.created_by is None


def test_default_frameworks_are_seeded_by_the_platform_only(users):
    with pytest.raises(PermissionDenied, match="只能由平台自身执行"):
        default_frameworks_ensure(actor=users["city_admin"])
    assert len(default_frameworks_ensure(actor=system("测试"))) == 2
