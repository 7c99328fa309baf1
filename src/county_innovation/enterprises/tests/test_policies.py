"""The enterprise policies, rule by rule: who is allowed, who is refused, and the list filter agrees with the
object check (``restrict`` and ``allows`` give the same answer for every object)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse

from county_innovation.accounts.models import User
from county_innovation.common.actors import system
from county_innovation.enterprises import policies, selectors
from county_innovation.enterprises.models import CultivationRound, Enterprise
from county_innovation.regions.models import Region

ROLES = ["city_admin", "department", "county", "other_county", "town", "other_town", "expert", "enterprise"]


def _agree(policy, user, action, queryset) -> None:
    """The list filter and the object check agree on every object of ``queryset``."""
    listed = set(policy.restrict(user, action, queryset).values_list("pk", flat=True))
    checked = {obj.pk for obj in queryset if policy.allows(user, action, obj)}
    assert listed == checked, (user.username, action)


@pytest.mark.parametrize(
    "action, allowed",
    [
        ("view", {"city_admin", "department", "county", "town", "expert", "enterprise"}),
        ("view_figures", {"city_admin", "county", "enterprise"}),
        ("edit_figures", {"city_admin", "county", "enterprise"}),
        ("manage", {"city_admin", "county"}),
        ("manage_members", {"city_admin", "county"}),
        ("deregister", {"city_admin", "county"}),
    ],
)
def test_enterprise_object_rules(users, firm, other_firm, action, allowed):
    """``firm`` is of 莲塘镇 (南昌县) with users["enterprise"] as its account; ``other_firm`` of 进贤县."""
    for role in ROLES:
        user = users[role]
        assert policies.enterprises.allows(user, action, firm) == (role in allowed), (role, action)
        _agree(policies.enterprises, user, action, Enterprise.objects.filter(pk__in=[firm.pk, other_firm.pk]))
    # the other county keeps its own enterprise, not the neighbour's
    assert policies.enterprises.allows(users["other_county"], action, other_firm)


@pytest.mark.parametrize(
    "action, allowed",
    [
        ("register", {"city_admin", "county", "other_county"}),
        ("import", {"city_admin", "county", "other_county"}),
        (
            "export",
            {"city_admin", "department", "county", "other_county", "town", "other_town", "enterprise"},
        ),
        ("view_reminders", {"city_admin", "department", "county", "other_county", "town", "other_town"}),
        ("list_own", {"enterprise"}),
    ],
)
def test_enterprise_general_rules(users, action, allowed):
    for role in ROLES:
        assert policies.enterprises.allows(users[role], action) == (role in allowed), (role, action)
    with pytest.raises(PermissionDenied):
        policies.enterprises.require(users["expert"], action)


def test_the_platform_is_allowed_and_an_anonymous_visitor_refused(firm):
    from django.contrib.auth.models import AnonymousUser

    assert policies.enterprises.allows(system("测试"), "deregister", firm)
    assert not policies.enterprises.allows(AnonymousUser(), "view", firm)
    with pytest.raises(TypeError):
        policies.enterprises.allows(None, "view", firm)


def test_region_rules_manage_and_batch_check(users):
    towns = Region.objects.filter(level=Region.Level.TOWN, code__startswith="3601")
    counties = Region.objects.filter(level=Region.Level.COUNTY, code__startswith="3601")
    liantang = Region.objects.get(code="360121100")
    nanchang_county = Region.objects.get(code="360121")
    for role in ROLES:
        user = users[role]
        for action, region in (("manage_enterprises", liantang), ("batch_check", nanchang_county)):
            assert policies.regions.allows(user, action, region) == (role in {"city_admin", "county"}), role
        _agree(policies.regions, user, "manage_enterprises", towns.filter(code__startswith="360121"))
        _agree(policies.regions, user, "batch_check", counties)
    with pytest.raises(PermissionDenied, match="南昌县"):
        policies.regions.require(users["other_county"], "batch_check", nanchang_county)


def test_pool_rules(users):
    pool_round = CultivationRound(year=2024)
    for role in ROLES:
        user = users[role]
        assert policies.pools.allows(user, "view", pool_round) == (
            role in {"city_admin", "county", "other_county"}
        )
        assert policies.pools.allows(user, "manage", pool_round) == (role == "city_admin")
        assert policies.pools.allows(user, "view_city") == (role == "city_admin")
        assert policies.pools.allows(user, "select") == (role in {"city_admin", "county", "other_county"})


def test_selectors_list_through_the_policies(users, firm, other_firm):
    visible = set(selectors.enterprises_visible(users["county"]))
    assert firm in visible and other_firm not in visible
    assert all(e.town_id.startswith("360121") for e in visible)
    assert set(selectors.enterprises_visible(users["expert"])) >= {firm, other_firm}
    assert [c.code for c in selectors.counties_checkable(users["county"])] == ["360121"]
    assert not selectors.counties_checkable(users["town"])
    assert {t.code[:6] for t in selectors.towns_manageable(users["county"])} == {"360121"}
    assert not selectors.towns_manageable(users["expert"])
    assert selectors.pool_scope(users["county"]).code == "360121"
    assert selectors.pool_scope(users["city_admin"]) is None
    with pytest.raises(PermissionDenied):
        selectors.pool_scope(users["town"])


# --- Another city: the city is the deployment's (or the admin's scope root), never a literal ----------------


@pytest.fixture
def jingdezhen(nanchang):
    """景德镇市 (360200) with two of its counties and a town each, beside Nanchang."""
    province = Region.objects.filter(level=Region.Level.PROVINCE).first()
    city, _ = Region.objects.get_or_create(
        code="360200", defaults={"name": "景德镇市", "level": Region.Level.CITY, "parent": province}
    )
    counties = []
    for code, name in (("360202", "昌江区"), ("360222", "浮梁县")):
        county, _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": Region.Level.COUNTY, "parent": city}
        )
        Region.objects.get_or_create(
            code=f"{code}100",
            defaults={"name": f"{name}测试镇", "level": Region.Level.TOWN, "parent": county},
        )
        counties.append(county)
    return city, counties


def test_another_citys_admin_sees_its_own_counties(jingdezhen, client):
    city, _ = jingdezhen
    admin = User.objects.create_user(
        username="t_jdz_admin", password="test-pass-2025", role="city_admin", region=city
    )
    assert [c.code for c in selectors.counties_checkable(admin)] == ["360202", "360222"]
    assert {t.code[:4] for t in selectors.towns_manageable(admin)} == {"3602"}
    client.force_login(admin)
    page = client.get(reverse("enterprises:list")).content.decode()
    assert "昌江区" in page and "浮梁县" in page
    assert "南昌县" not in page


@override_settings(COUNTY_INNOVATION_CITY="360200")
def test_a_deployment_for_another_city_lists_that_citys_counties(jingdezhen):
    superuser = User.objects.create_superuser(username="t_jdz_root", password="test-pass-2025")
    assert [c.code for c in selectors.counties_checkable(superuser)] == ["360202", "360222"]
