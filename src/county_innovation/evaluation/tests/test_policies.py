"""The evaluation policies: each rule allowed and refused, and the list filter agreeing with the object check."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from county_innovation.common.actors import system
from county_innovation.evaluation.models import EvaluationRun, RobustnessAnalysis
from county_innovation.evaluation.policies import analyses, runs
from county_innovation.evaluation.services import (
    evaluation_run_create,
    evaluation_run_publish,
    robustness_start,
)


@pytest.fixture
def published(demo):
    return EvaluationRun.objects.get(framework__code="county", period=2024, status="published")


@pytest.fixture
def draft(published):
    return evaluation_run_create(
        framework=published.framework, period=2024, actor=system("测试"), scope=published.scope
    )


def test_a_published_run_is_read_by_everyone_signed_in_a_draft_by_the_city_admin(users, published, draft):
    for role, user in users.items():
        assert runs.allows(user, "view", published), role
        assert runs.allows(user, "view", draft) == (role == "city_admin"), role
    assert not runs.allows(AnonymousUser(), "view", published)
    assert runs.allows(system("测试"), "view", draft)
    with pytest.raises(PermissionDenied, match="该评价结果尚未发布，只有市科技局管理员可以查看。"):
        runs.require(users["county"], "view", draft)


def test_the_run_list_agrees_with_the_object_check(users, published, draft):
    every = list(EvaluationRun.objects.all())
    for role, user in users.items():
        listed = set(runs.restrict(user, "view").values_list("pk", flat=True))
        assert listed == {r.pk for r in every if runs.allows(user, "view", r)}, role
        assert (draft.pk in listed) == (role == "city_admin")


@pytest.mark.parametrize("action", ["create", "publish", "analyse"])
def test_running_publishing_and_analysing_are_the_city_admin_s(users, action):
    assert {role for role, user in users.items() if runs.allows(user, action)} == {"city_admin"}
    assert runs.allows(system("测试"), action)


def test_services_refuse_a_user_the_policy_refuses(users, published, draft):
    with pytest.raises(PermissionDenied, match="只有市科技局管理员可以执行评价。"):
        evaluation_run_create(
            framework=published.framework, period=2024, actor=users["department"], scope=published.scope
        )
    with pytest.raises(PermissionDenied, match="只有市科技局管理员可以发布评价结果。"):
        evaluation_run_publish(run=draft, actor=users["county"], replace_reason="x")
    with pytest.raises(PermissionDenied, match="只有市科技局管理员可以发起稳健性分析。"):
        robustness_start(run=published, kind="uncertainty", spec={"replications": 10}, actor=users["town"])
    with pytest.raises(TypeError):
        evaluation_run_publish(run=draft, actor=None)
    assert not EvaluationRun.objects.filter(pk=draft.pk, status="published").exists()


def test_an_analysis_is_read_wherever_its_run_is(users, published, draft):
    on_published = robustness_start(
        run=published, kind="uncertainty", spec={"replications": 10}, actor=system("测试")
    )
    on_draft = robustness_start(
        run=draft, kind="uncertainty", spec={"replications": 10}, actor=system("测试")
    )
    for role, user in users.items():
        assert analyses.allows(user, "view", on_published), role
        assert analyses.allows(user, "view", on_draft) == (role == "city_admin"), role
        listed = set(analyses.restrict(user, "view").values_list("pk", flat=True))
        expected = {a.pk for a in RobustnessAnalysis.objects.all() if analyses.allows(user, "view", a)}
        assert listed == expected, role
