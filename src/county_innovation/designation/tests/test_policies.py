"""The designation policies: each rule allows and refuses whom it says, and its list filter agrees with its object
check."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from county_innovation.common.actors import system
from county_innovation.designation import policies, selectors
from county_innovation.designation.models import Designation, ExpertReview
from county_innovation.designation.policies import (
    PUBLIC_STATUSES,
    applications,
    designations,
    experts,
    reviews,
)
from county_innovation.designation.tests.factory import applied, expert, reviewing
from county_innovation.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(demo, users):
    """An application of a 南昌县 town (the "county" user's) and one under review with the "expert" user."""
    panel = [users["expert"], expert("t_p_jinxian", "360124"), expert("t_p_uni")]
    return {
        "mine": applied(users["county"], "360121102"),
        "reviewing": reviewing(users["city_admin"], panel, code="360121103"),
        "others": Designation.objects.filter(region__code__startswith="360124").exclude(
            status__in=PUBLIC_STATUSES
        ),
    }


def test_every_designation_rule_lists_what_its_object_check_allows(cases, users):
    everything = list(Designation.objects.all())
    for user in users.values():
        for action in ("view", "view_materials", "edit", "manage"):
            listed = set(designations.restrict(user, action, Designation.objects.all()))
            checked = {d for d in everything if designations.allows(user, action, d)}
            assert listed == checked, (user.username, action)


def test_who_sees_an_application(cases, users):
    mine, under_review = cases["mine"], cases["reviewing"]
    assert designations.allows(users["city_admin"], "view", mine)
    assert designations.allows(users["county"], "view", mine)
    assert not designations.allows(users["other_county"], "view", mine)
    assert not designations.allows(users["department"], "view", mine)
    assert not designations.allows(users["expert"], "view", mine)
    assert designations.allows(users["expert"], "view", under_review)
    assert not designations.allows(AnonymousUser(), "view", mine)
    with pytest.raises(PermissionDenied, match="申报材料只对申报县"):
        designations.require(users["other_county"], "view", mine)


def test_decided_designations_are_public_to_every_signed_in_user(cases, users):
    public = Designation.objects.filter(status__in=PUBLIC_STATUSES)
    assert public.exists()
    for user in users.values():
        assert set(public) <= set(selectors.designations_visible_to(user)), user.username
    assert not selectors.designations_visible_to(AnonymousUser()).exists()


def test_the_list_selector_is_the_view_rule(cases, users):
    for user in users.values():
        listed = set(selectors.designations_visible_to(user))
        assert listed == set(designations.restrict(user, "view")), user.username


def test_materials_edit_and_manage(cases, users):
    mine, under_review = cases["mine"], cases["reviewing"]
    assert designations.allows(users["county"], "view_materials", mine)
    assert not designations.allows(users["town"], "view_materials", mine)
    assert designations.allows(users["expert"], "view_materials", under_review)
    assert not designations.allows(users["expert"], "view_materials", mine)
    assert designations.allows(users["county"], "edit", mine)
    assert not designations.allows(users["other_county"], "edit", mine)
    assert not designations.allows(users["expert"], "edit", under_review)
    assert designations.allows(users["city_admin"], "manage", mine)
    assert not designations.allows(users["county"], "manage", mine)
    with pytest.raises(PermissionDenied, match="只有市科技局管理员可以操作"):
        designations.require(users["county"], "manage", mine)
    assert designations.allows(system("测试"), "manage", mine)


def test_who_applies_for_which_region(demo, users):
    town, foreign = Region.objects.get(code="360121102"), Region.objects.get(code="360124101")
    assert applications.allows(users["city_admin"], "apply", foreign)
    assert applications.allows(users["county"], "apply", town)
    assert not applications.allows(users["county"], "apply", foreign)
    assert not applications.allows(users["town"], "apply")
    assert not applications.allows(users["expert"], "apply")
    with pytest.raises(PermissionDenied, match=r"您无权为「.*」申报"):
        applications.require(users["county"], "apply", foreign)
    units = Region.objects.filter(level__in=[Region.Level.COUNTY, Region.Level.TOWN])
    listed = set(applications.restrict(users["county"], "apply", units))
    assert listed == {r for r in units if applications.allows(users["county"], "apply", r)}
    assert {r.code for r in selectors.apply_regions(users["county"])} == {r.code for r in listed}
    assert policies.outside_own_county(users["county"], foreign)
    assert not policies.outside_own_county(users["county"], town)
    assert not policies.outside_own_county(users["city_admin"], foreign)


def test_only_the_assigned_expert_scores_their_review(cases, users):
    review = ExpertReview.objects.get(designation=cases["reviewing"], expert=users["expert"])
    other = ExpertReview.objects.filter(designation=cases["reviewing"]).exclude(pk=review.pk).first()
    assert reviews.allows(users["expert"], "score", review)
    assert not reviews.allows(users["expert"], "score", other)
    assert not reviews.allows(users["city_admin"], "score", review)
    with pytest.raises(PermissionDenied, match="评审专家本人"):
        reviews.require(users["city_admin"], "score", review)
    for user in users.values():
        listed = set(reviews.restrict(user, "score"))
        assert listed == {r for r in ExpertReview.objects.all() if reviews.allows(user, "score", r)}


def test_the_expert_pool_is_the_city_admins(users):
    assert experts.allows(users["city_admin"], "manage")
    for role in ("county", "department", "expert"):
        assert not experts.allows(users[role], "manage")
    assert policies.is_expert(users["expert"]) and not policies.is_expert(users["county"])
