import pytest
from django.urls import reverse

from county_innovation.accounts.services import region_group_save
from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.regions.divisions import county_kind, town_kind
from county_innovation.regions.models import Region, RegionGroup
from county_innovation.regions.services import regions_load


def test_nanchang_has_nine_counties_and_139_towns(nanchang):
    counties = Region.objects.filter(level="county", parent=nanchang)
    assert counties.count() == 9
    assert Region.objects.filter(level="town", code__startswith="3601").count() == 139
    assert {c.name for c in counties} >= {"南昌县", "红谷滩区", "进贤县"}
    assert not Region.objects.filter(code="360105").exists()  # 湾里区 merged into 新建区 in 2020


def test_town_codes_start_with_their_county(nanchang):
    for town in Region.objects.filter(level="town"):
        assert town.code.startswith(town.parent.code)
        assert town.parent.level == "county"


def test_region_prefix_is_a_subtree(nanchang):
    county = Region.objects.get(code="360121")
    town = Region.objects.get(code="360121100")
    assert county.contains(town)
    assert nanchang.contains(town)
    assert not Region.objects.get(code="360124").contains(town)


def test_load_is_idempotent(nanchang):
    regions_load(actor=system("测试"), city="360100")
    assert Region.objects.count() == 1 + 1 + 9 + 139


def test_kinds_follow_names_and_code_ranges():
    assert county_kind("南昌县") == "县"
    assert county_kind("青山湖区") == "区"
    assert county_kind("樟树市") == "县级市"
    assert town_kind("360121100", "莲塘镇") == "镇"
    assert town_kind("360121001", "八月湖街道") == "街道"
    assert town_kind("360121403", "小蓝经济开发区") == "类乡级单位"


@pytest.mark.parametrize("code", ["3601", "360121", "abcdef", "999900"])
def test_bad_city_code_is_refused_in_chinese(db, code):
    before = Region.objects.count()
    with pytest.raises(DomainError, match=r"城市代码|没有代码"):
        regions_load(actor=system("测试"), city=code)
    assert Region.objects.count() == before


def test_whole_country_loads(db):
    report = regions_load(actor=system("测试"), city=None)
    assert report.counts == {"province": 31, "city": 342, "county": 2978, "town": 41352}
    assert Region.objects.filter(level="town").count() == 41352


def test_development_zones_are_groups_over_towns(nanchang):
    hitech = RegionGroup.objects.get(code="nanchang-hitech")
    assert set(hitech.members.values_list("code", flat=True)) == {"360121191", "360121192", "360111490"}
    assert RegionGroup.objects.get(code="xiaolan-etdz").members.get().name == "小蓝经济开发区"


def test_region_group_refuses_a_county_as_member(nanchang):
    with pytest.raises(DomainError, match="不是南昌市的乡级单位"):
        region_group_save(
            actor=system("测试"),
            group=None,
            code="x",
            name="测试区",
            kind="zone",
            city=nanchang,
            member_codes=["360121"],
        )
    assert not RegionGroup.objects.filter(code="x").exists()


def test_city_admin_edits_a_zone(client_for, users):
    client = client_for("city_admin")
    response = client.post(
        reverse("regions:zone_edit", args=["xiaolan-etdz"]),
        {
            "code": "xiaolan-etdz",
            "name": "小蓝经济技术开发区",
            "kind": "zone",
            "note": "",
            "members": ["360121403", "360121404"],
        },
    )
    assert response.status_code == 302
    assert RegionGroup.objects.get(code="xiaolan-etdz").members.count() == 2


def test_county_officer_cannot_edit_zones(client_for, users):
    client = client_for("county")
    response = client.post(
        reverse("regions:zone_new"), {"code": "y", "name": "新区", "kind": "zone", "members": ["360121100"]}
    )
    assert response.status_code == 403
    assert "只有市科技局管理员" in response.content.decode()
    assert not RegionGroup.objects.filter(code="y").exists()


def test_zone_totals_only_for_who_may_read_all_members(demo, client):
    client.login(username="admin", password="demo-2025")
    assert "按开发区汇总" in client.get(reverse("regions:zone_list")).content.decode()
    client.login(username="liantang", password="demo-2025")
    page = client.get(reverse("regions:zone_list")).content.decode()
    assert "南昌高新技术产业开发区" in page
    assert "按开发区汇总" not in page
