"""A second city on the same code: nothing may work only because every code starts with 3601.

景德镇市 (360200) is built with the small factories beside the Nanchang demo; the deployment's city is set to it
where a page reads the setting. Its officers see their own subtree, nothing of Nanchang, and its pages answer.
"""

import pytest
from django.urls import reverse

from county_innovation.accounts import permissions
from county_innovation.designation.models import Designation
from county_innovation.designation.policies import PUBLIC_STATUSES
from county_innovation.designation.selectors import designations_visible_to
from county_innovation.regions.models import Region
from tests import factories


@pytest.fixture
def jingdezhen(demo, settings):
    settings.COUNTY_INNOVATION_CITY = "360200"
    world = factories.city_tree(code="360200", name="景德镇市", counties=2, towns=2)
    return world, factories.officers(world)


def test_scope_stays_inside_the_second_city(jingdezhen):
    world, people = jingdezhen
    city_regions = set(permissions.scoped_regions(people["city_admin"]).values_list("code", flat=True))
    assert city_regions == {r.code for r in Region.objects.filter(code__startswith="3602")}
    county_regions = set(permissions.scoped_regions(people["county"]).values_list("code", flat=True))
    first = world.counties[0]
    assert county_regions == {first.code, *(t.code for t in world.towns_of(first))}
    nanchang = Region.objects.get(code="360121")
    assert not permissions.can_view_region_raw(people["city_admin"], nanchang)
    assert not permissions.raw_regions(people["county"]).filter(code__startswith="3601").exists()


@pytest.mark.parametrize("name", ["web:workbench", "web:dashboard", "enterprises:list", "enterprises:pool"])
def test_the_second_citys_pages_answer_for_its_admin_and_show_nothing_of_nanchang(jingdezhen, client, name):
    _, people = jingdezhen
    client.force_login(people["city_admin"])
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "南昌县" not in response.content.decode()


def test_designations_in_their_public_states_are_announcements_readable_by_any_city(jingdezhen):
    """认定 results (建设期, 验收, 撤销) are published announcements; applications under review stay in their city."""
    _, people = jingdezhen
    seen = designations_visible_to(people["city_admin"])
    assert seen.exists()
    assert set(seen.values_list("status", flat=True)) <= set(PUBLIC_STATUSES)
    assert Designation.objects.exclude(status__in=PUBLIC_STATUSES).exists()


def test_the_second_citys_county_officer_sees_its_own_counties_on_the_enterprise_pages(jingdezhen, client):
    world, people = jingdezhen
    client.force_login(people["city_admin"])
    page = client.get(reverse("enterprises:list")).content.decode()
    assert all(c.name in page for c in world.counties)
