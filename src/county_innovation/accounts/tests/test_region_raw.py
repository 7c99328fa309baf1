"""One rule for a region's raw values, asked by region pages, the county profile and the API.

Published scores and ranks are everyone's; raw values only for the region's own subtree, its county, the city and
the departments. 南昌县 = 360121 with its towns 莲塘镇 (360121100, the town officer's) and 向塘镇 (360121101).
"""

import pytest
from django.test import Client
from django.urls import reverse

from county_innovation.accounts import permissions
from county_innovation.accounts.tests.api_sample import call, token_for
from county_innovation.regions.models import Region

COUNTY, OTHER_COUNTY, TOWN, SIBLING_TOWN = "360121", "360124", "360121100", "360121101"

# role → the regions whose raw values it may read, among the four above
ALLOWED = {
    "city_admin": {COUNTY, OTHER_COUNTY, TOWN, SIBLING_TOWN},
    "department": {COUNTY, OTHER_COUNTY, TOWN, SIBLING_TOWN},
    "county": {COUNTY, TOWN, SIBLING_TOWN},
    "other_county": {OTHER_COUNTY},
    "town": {COUNTY, TOWN},  # its own town and its own county, never a sibling town or another county
    "other_town": {COUNTY, SIBLING_TOWN},
    "expert": set(),
    "enterprise": set(),
}
CASES = [(role, code) for role in ALLOWED for code in (COUNTY, OTHER_COUNTY, TOWN, SIBLING_TOWN)]


@pytest.mark.parametrize(("role", "code"), CASES)
def test_the_predicate_and_its_queryset_agree(demo, users, role, code):
    user, region = users[role], Region.objects.get(code=code)
    expected = code in ALLOWED[role]
    assert permissions.can_view_region_raw(user, region) is expected
    assert permissions.raw_regions(user).filter(code=code).exists() is expected


@pytest.mark.parametrize(("role", "code"), CASES)
def test_region_page_shows_raw_values_and_the_rank_gain_card_only_by_the_rule(demo, client_for, role, code):
    response = client_for(role).get(reverse("web:region", args=[code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="kpi-index"' in page or "综合指数" in page  # published scores are everyone's
    if code in ALLOWED[role]:
        assert 'data-testid="raw-hidden"' not in page
    else:
        assert 'data-testid="raw-hidden"' in page
        assert 'data-testid="rank-gains"' not in page


@pytest.mark.parametrize("role", list(ALLOWED))
def test_county_profile_follows_the_same_rule(demo, client_for, role):
    response = client_for(role).get(reverse("reports:profile", args=[COUNTY]))
    assert response.status_code == (200 if COUNTY in ALLOWED[role] else 403)
    if response.status_code == 403:
        assert "原始指标数据" in response.content.decode() or "一县一档" in response.content.decode()


@pytest.mark.parametrize(("role", "code"), CASES)
def test_api_data_endpoint_follows_the_same_rule(demo, users, role, code):
    status, body = call(
        Client(),
        "get",
        f"/api/data/?framework=county&period=2024&region={code}",
        token=token_for(users[role]),
    )
    if len(code) == 9:
        return  # towns hold no county-framework values; the page and predicate tests cover them
    if code in ALLOWED[role]:
        assert status == 200, body
        items = body["items"]
        assert items and {i["region"] for i in items} == {code}
    else:
        assert status == 403, body
        assert "原始指标数据" in body["detail"]


def test_town_officer_reads_own_county_values_but_never_a_sibling_town(demo, users):
    token = token_for(users["town"])
    status, body = call(Client(), "get", "/api/data/?framework=town&period=2024", token=token)
    assert status == 200
    assert {i["region"] for i in body["items"]} == {TOWN}
    status, _ = call(
        Client(), "get", f"/api/data/?framework=town&period=2024&region={SIBLING_TOWN}", token=token
    )
    assert status == 403
