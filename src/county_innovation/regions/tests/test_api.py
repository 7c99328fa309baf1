"""GET /api/regions/ and /api/region-groups/: reference data, limited to the caller's region subtree."""

from django.test import Client

from county_innovation.accounts.tests.api_sample import call, token_for
from county_innovation.regions.models import Region, RegionGroup


def test_county_officer_lists_exactly_their_county_and_its_towns(users):
    status, body = call(Client(), "get", "/api/regions/?limit=1000", token=token_for(users["county"]))
    assert status == 200
    subtree = Region.objects.filter(code__startswith="360121").order_by("code")
    expected = list(subtree.values_list("code", flat=True))
    assert [r["code"] for r in body["items"]] == expected
    assert body["count"] == len(expected)
    county = {"code": "360121", "name": "南昌县", "level": "county", "kind": "县", "parent": "360100"}
    assert body["items"][0] == county


def test_region_list_filters_by_level_and_parent(users):
    token = token_for(users["city_admin"])
    _, counties = call(Client(), "get", "/api/regions/?level=county&limit=1000", token=token)
    assert {r["code"] for r in counties["items"]} == set(
        Region.objects.filter(level="county", code__startswith="3601").values_list("code", flat=True)
    )
    _, towns = call(Client(), "get", "/api/regions/?parent=360124&limit=1000", token=token)
    assert towns["count"] == Region.objects.filter(parent_id="360124").count() > 0
    assert all(r["parent"] == "360124" for r in towns["items"])


def test_region_list_is_paginated_with_limit_and_offset(users):
    token = token_for(users["city_admin"])
    _, everything = call(Client(), "get", "/api/regions/?limit=1000", token=token)
    _, page = call(Client(), "get", "/api/regions/?limit=5&offset=5", token=token)
    assert page["count"] == everything["count"]
    assert page["items"] == everything["items"][5:10]


def test_limit_above_the_ceiling_is_refused_in_chinese(users):
    status, body = call(Client(), "get", "/api/regions/?limit=100000", token=token_for(users["city_admin"]))
    assert status == 422
    assert "请求参数不符合要求" in body["detail"] and any("limit" in p for p in body["problems"])


def test_expert_without_a_region_scope_sees_no_regions(users):
    status, body = call(Client(), "get", "/api/regions/", token=token_for(users["expert"]))
    assert status == 200 and body == {"items": [], "count": 0}


def test_region_detail_in_scope(users):
    status, body = call(Client(), "get", "/api/regions/360121100", token=token_for(users["county"]))
    assert status == 200
    town = Region.objects.get(code="360121100")
    assert body["name"] == town.name and body["parent"] == "360121" and body["level"] == "town"


def test_county_officer_cannot_read_another_county(users):
    status, body = call(Client(), "get", "/api/regions/360124", token=token_for(users["county"]))
    assert status == 403
    assert body["detail"] == "「进贤县」不在您的管辖范围内，无权查看。"


def test_town_officer_cannot_read_another_town(users):
    status, body = call(Client(), "get", "/api/regions/360121101", token=token_for(users["town"]))
    assert status == 403 and "不在您的管辖范围内" in body["detail"]


def test_unknown_region_code_is_404_in_chinese(users):
    status, body = call(Client(), "get", "/api/regions/999999", token=token_for(users["city_admin"]))
    assert status == 404 and body["detail"] == "区划代码「999999」不存在。"


def test_region_groups_with_their_members(users):
    city = Region.objects.get(code="360100")
    zone = RegionGroup.objects.create(code="test-zone", name="测试园区", city=city)
    zone.members.set(Region.objects.filter(code__in=["360121100", "360121101"]))
    status, body = call(Client(), "get", "/api/region-groups/", token=token_for(users["city_admin"]))
    assert status == 200
    all_groups = RegionGroup.objects.order_by("code").values_list("code", flat=True)
    assert [g["code"] for g in body] == list(all_groups)
    mine = next(g for g in body if g["code"] == "test-zone")
    assert mine["members"] == ["360121100", "360121101"] and mine["city"] == "360100"


def test_region_groups_outside_the_callers_scope_are_not_listed(users):
    city = Region.objects.get(code="360100")
    inside = RegionGroup.objects.create(code="zone-in", name="县内园区", city=city)
    inside.members.set(Region.objects.filter(code="360121100"))
    outside = RegionGroup.objects.create(code="zone-out", name="县外园区", city=city)
    outside.members.set(Region.objects.filter(code__startswith="360124", level="town")[:2])
    _, body = call(Client(), "get", "/api/region-groups/", token=token_for(users["county"]))
    codes = {g["code"] for g in body}
    assert "zone-in" in codes and "zone-out" not in codes
