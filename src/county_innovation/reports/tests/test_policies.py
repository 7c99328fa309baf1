"""The reports policies: each rule allowed and refused, and the list filter agreeing with the object check."""

import pytest
from django.core.exceptions import PermissionDenied

from county_innovation.common.actors import system
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.evaluation.services import evaluation_run_create
from county_innovation.regions.models import Region
from county_innovation.reports.policies import assessments, bulletins, profiles
from county_innovation.reports.selectors import bulletin_runs
from county_innovation.reports.services import bulletin_enqueue, bulletins_queue_published


@pytest.fixture
def published(demo):
    return EvaluationRun.objects.get(framework__code="county", period=2024, status="published")


@pytest.fixture
def draft(published):
    return evaluation_run_create(
        framework=published.framework, period=2024, actor=system("测试"), scope=published.scope
    )


def test_a_run_s_bulletins_are_read_wherever_the_run_is(users, published, draft):
    for role, user in users.items():
        assert bulletins.allows(user, "view", published), role
        assert bulletins.allows(user, "view", draft) == (role == "city_admin"), role
        listed = set(bulletins.restrict(user, "view").values_list("pk", flat=True))
        assert listed == {r.pk for r in EvaluationRun.objects.all() if bulletins.allows(user, "view", r)}
        assert {row["run"].pk for row in bulletin_runs(user)} <= listed
    with pytest.raises(PermissionDenied, match="其通报只有市科技局管理员可以查看"):
        bulletins.require(users["department"], "view", draft)


def test_generating_a_bulletin_is_the_city_admin_s_and_the_platform_s(users, published):
    assert {role for role, user in users.items() if bulletins.allows(user, "generate")} == {"city_admin"}
    with pytest.raises(PermissionDenied, match="您无权生成通报"):
        bulletin_enqueue(run=published, actor=users["county"])
    with pytest.raises(PermissionDenied):
        bulletins_queue_published(scope=published.scope, actor=users["department"])
    assert bulletin_enqueue(run=published, actor=system("测试"))[0].created_by is None
    assert bulletin_enqueue(run=published, actor=users["city_admin"])[0].version == 1  # one waits already


def test_a_county_profile_follows_the_raw_value_rule_and_its_list_agrees(users, demo):
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    nanchang = Region.objects.get(code="360121")
    for role, user in users.items():
        listed = set(profiles.restrict(user, "view", counties).values_list("code", flat=True))
        assert listed == {c.code for c in counties if profiles.allows(user, "view", c)}, role
    assert not profiles.allows(users["other_county"], "view", nanchang)
    assert not profiles.allows(users["expert"], "view", nanchang)
    with pytest.raises(PermissionDenied, match="您无权查看「南昌县」的档案"):
        profiles.require(users["other_county"], "view", nanchang)


def test_the_assessment_sheet_is_the_city_s(users):
    assert {role for role, user in users.items() if assessments.allows(user, "view")} == {
        "city_admin",
        "department",
    }
    with pytest.raises(PermissionDenied, match="您无权查看考核得分表"):
        assessments.require(users["county"], "view")
