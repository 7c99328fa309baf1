"""The collection policies: each rule allows and refuses whom the collection procedure says, and the list filter
of every action agrees with its object check."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from county_innovation.collection import policies, selectors
from county_innovation.collection.models import CollectionRound, Submission, ValidationRule
from county_innovation.collection.services import rounds
from county_innovation.common.actors import system
from county_innovation.indicators.models import DataValue, Indicator
from county_innovation.indicators.selectors import framework_latest
from county_innovation.regions.models import Region

LIANTANG, NANCHANG = "360121100", "360121"
PERIOD = 2026  # the demo has published rounds for 2020–2024 and an open one for 2025
ROLES = ["city_admin", "department", "county", "other_county", "town", "other_town", "expert", "enterprise"]


@pytest.fixture
def town_round(users):
    today = timezone.localdate()
    return rounds.round_create(
        actor=users["city_admin"],
        framework=framework_latest("town"),
        period=PERIOD,
        opens_on=today,
        deadline=today + dt.timedelta(days=10),
    )


@pytest.fixture
def county_round(users):
    today = timezone.localdate()
    return rounds.round_create(
        actor=users["city_admin"],
        framework=framework_latest("county"),
        period=PERIOD,
        opens_on=today,
        deadline=today + dt.timedelta(days=10),
    )


def _agrees(policy, action, actor, objects) -> None:
    """The list filter selects exactly the objects the object check allows."""
    listed = set(
        policy.restrict(
            actor, action, type(objects[0])._default_manager.filter(pk__in=[o.pk for o in objects])
        ).values_list("pk", flat=True)
    )
    checked = {o.pk for o in objects if policy.allows(actor, action, o)}
    assert listed == checked, (action, actor)


def test_rounds_are_managed_by_the_city_admin_and_seen_by_everyone_who_enters_data(users, town_round):
    assert policies.rounds.allows(users["city_admin"], "manage", town_round)
    for role in ["department", "county", "town", "expert"]:
        assert not policies.rounds.allows(users[role], "manage", town_round)
    for role in ["city_admin", "department", "county", "town"]:
        assert policies.rounds.allows(users[role], "view")
        assert town_round in selectors.rounds_visible(users[role])
    for role in ["expert", "enterprise"]:
        assert not policies.rounds.allows(users[role], "view")
        assert not selectors.rounds_visible(users[role]).exists()
    with pytest.raises(PermissionDenied, match="不参与数据填报"):
        policies.rounds.require(users["expert"], "view")
    assert policies.rounds.allows(system("测试"), "manage", town_round)


def test_a_towns_own_submission_is_submitted_by_its_officers_and_approved_by_its_county(users, town_round):
    s = Submission.objects.get(round=town_round, region_id=LIANTANG, owner="")
    assert policies.submissions.allows(users["town"], "submit", s)
    assert policies.submissions.allows(users["county"], "submit", s)
    for role in ["other_town", "other_county", "department", "city_admin", "expert"]:
        assert not policies.submissions.allows(users[role], "submit", s), role
    assert policies.submissions.allows(users["county"], "approve", s)
    for role in ["city_admin", "town", "other_county", "department"]:
        assert not policies.submissions.allows(users[role], "approve", s), role
    with pytest.raises(PermissionDenied, match="应由所属县（区）科技局审核"):
        policies.submissions.require(users["city_admin"], "approve", s)
    assert policies.submissions.allows(users["city_admin"], "reopen", s)
    assert not policies.submissions.allows(users["county"], "reopen", s)


def test_a_departments_submission_is_its_own_to_submit_and_the_citys_to_approve(users, county_round):
    department = users["department"].department
    s = Submission.objects.filter(round=county_round, owner=department).first()
    assert s is not None
    assert policies.submissions.allows(users["department"], "submit", s)
    for role in ["county", "town", "city_admin"]:
        assert not policies.submissions.allows(users[role], "submit", s), role
    assert policies.submissions.allows(users["city_admin"], "approve", s)
    assert not policies.submissions.allows(users["county"], "approve", s)
    with pytest.raises(PermissionDenied, match="应由市科技局审核"):
        policies.submissions.require(users["county"], "approve", s)


def test_submission_lists_agree_with_the_object_checks(users, town_round, county_round):
    objects = list(
        Submission.objects.filter(round__in=[town_round, county_round], region__code__startswith=NANCHANG)
        .select_related("region")
        .order_by("pk")[:60]
    ) + list(Submission.objects.filter(round=county_round).exclude(owner="").select_related("region")[:5])
    for role in ROLES:
        for action in ["view", "track", "submit", "approve", "reopen"]:
            _agrees(policies.submissions, action, users[role], objects)


def test_a_department_follows_only_its_own_submissions(users, county_round):
    listed = list(selectors.submissions_visible(users["department"], county_round))
    assert listed and {s.owner for s in listed} == {users["department"].department}
    assert {s.owner for s in selectors.submissions_visible(users["city_admin"], county_round)} > {""}


def test_data_is_read_in_scope_and_entered_by_the_indicators_owner(users, nanchang):
    town = Region.objects.get(code=LIANTANG)
    own = Indicator.objects.filter(level="town", owner="").first()
    assert policies.data.can_view(users["town"], town) and policies.data.can_view(users["county"], town)
    assert not policies.data.can_view(users["other_town"], town)
    assert not policies.data.can_view(users["expert"], town)
    assert policies.data.can_edit(users["town"], town, own) and policies.data.can_edit(
        users["county"], town, own
    )
    assert policies.data.can_edit(users["city_admin"], town, own)
    assert not policies.data.can_edit(users["department"], town, own)
    assert not policies.data.can_edit(users["other_county"], town, own)
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        policies.data.require_edit(users["other_town"], town, own)
    with pytest.raises(PermissionDenied, match="您只能查看"):
        policies.data.require_edit(users["department"], town, own)
    for role in ["city_admin", "department", "county", "town"]:
        assert policies.data.allows(users[role], "enter")
    assert not policies.data.allows(users["expert"], "enter")


def test_data_lists_agree_with_the_object_checks(users, demo):
    objects = list(
        DataValue.objects.filter(period=2024, region__code__startswith=NANCHANG).select_related(
            "region", "indicator"
        )[:40]
    ) + list(
        DataValue.objects.filter(period=2024, indicator__owner__gt="").select_related("region", "indicator")[
            :20
        ]
    )
    assert objects
    for role in ROLES:
        for action in ["view", "edit"]:
            _agrees(policies.data, action, users[role], objects)


def test_validation_rules_are_the_city_admins(users, frameworks):
    assert policies.rules.allows(users["city_admin"], "manage")
    for role in ["department", "county", "town", "expert"]:
        assert not policies.rules.allows(users[role], "manage"), role
    rules = ValidationRule.objects.all()
    assert not policies.rules.restrict(users["county"], "manage", rules).exists()
    assert policies.rules.restrict(users["city_admin"], "manage", rules).count() == rules.count()
    with pytest.raises(PermissionDenied, match="只有市科技局管理员可以配置"):
        policies.rules.require(users["town"], "manage")


def test_the_approver_may_not_be_the_submitter(users, town_round, settings):
    settings.SEPARATE_APPROVAL = True
    s = Submission.objects.get(round=town_round, region_id=LIANTANG, owner="")
    Submission.objects.filter(pk=s.pk).update(status="submitted", submitted_by=users["county"])
    s.refresh_from_db()
    assert policies.submissions.allows(users["county"], "approve", s)  # the role may approve…
    assert "不能由您本人审核通过" in selectors.approval_conflict(
        users["county"], s
    )  # …but not what they submitted
    assert selectors.approval_conflict(system("测试"), s) is None
    assert CollectionRound.objects.filter(pk=town_round.pk).exists()
