"""The accounts policies: regions and region groups by scope, region-group maintenance, API tokens.

Each rule is tried allowed and refused, and where a rule is a filter, the list agrees with the object check.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from county_innovation.accounts.models import ApiToken
from county_innovation.accounts.policies import api_tokens, region_groups, regions
from county_innovation.accounts.services import api_token_create, api_token_revoke, region_group_save
from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.regions.models import Region, RegionGroup

ROLES = ["city_admin", "department", "county", "other_county", "town", "other_town", "expert", "enterprise"]


@pytest.mark.parametrize("role", ROLES)
def test_region_list_filter_agrees_with_the_object_check(users, role):
    user = users[role]
    sample = Region.objects.filter(
        code__in=["360100", "360121", "360124", "360121100", "360121101", "360000"]
    )
    listed = set(regions.restrict(user, "view", sample).values_list("code", flat=True))
    checked = {r.code for r in sample if regions.allows(user, "view", r)}
    assert listed == checked


def test_regions_are_seen_within_the_users_subtree(users):
    town = Region.objects.get(code="360121100")
    assert regions.allows(users["county"], "view", town)
    assert not regions.allows(users["other_county"], "view", town)
    assert not regions.allows(users["expert"], "view", town)
    with pytest.raises(PermissionDenied, match="「莲塘镇」不在您的管辖范围内"):
        regions.require(users["other_town"], "view", town)
    assert not regions.allows(AnonymousUser(), "view", town)


@pytest.mark.parametrize("role", ROLES)
def test_region_group_list_filter_agrees_with_the_object_check(users, role):
    user = users[role]
    listed = set(region_groups.restrict(user, "view").distinct().values_list("code", flat=True))
    checked = {g.code for g in RegionGroup.objects.all() if region_groups.allows(user, "view", g)}
    assert listed == checked


def test_region_groups_are_seen_where_they_meet_the_users_scope(users):
    visible = set(region_groups.restrict(users["county"], "view").values_list("code", flat=True))
    assert "xiaolan-etdz" in visible  # 南昌县's 小蓝经济开发区
    assert "jinxian-edz" not in visible
    assert not region_groups.restrict(users["expert"], "view").exists()


def test_only_the_city_admin_manages_region_groups(users, nanchang):
    assert region_groups.allows(users["city_admin"], "manage")
    for role in ROLES[1:]:
        assert not region_groups.allows(users[role], "manage")
    with pytest.raises(PermissionDenied, match="只有市科技局管理员可以维护开发区"):
        region_group_save(
            actor=users["county"],
            group=None,
            code="x",
            name="测试区",
            kind="zone",
            city=nanchang,
            member_codes=["360121100"],
        )
    group = region_group_save(
        actor=users["city_admin"],
        group=None,
        code="x",
        name="测试区",
        kind="zone",
        city=nanchang,
        member_codes=["360121100"],
    )
    assert list(group.members.values_list("code", flat=True)) == ["360121100"]


def test_tokens_are_issued_by_the_city_admin_or_the_platform(users):
    assert api_tokens.allows(users["city_admin"], "create")
    assert not api_tokens.allows(users["county"], "create")
    with pytest.raises(PermissionDenied, match="只有市科技局管理员可以签发"):
        api_token_create(actor=users["county"], user=users["county"], name="自己签")
    token, _ = api_token_create(actor=users["city_admin"], user=users["county"], name="同步")
    assert token.user == users["county"]
    with pytest.raises(TypeError):
        api_token_create(actor=None, user=users["county"], name="同步")


def test_a_user_revokes_their_own_token_and_only_the_city_admin_anyones(users):
    cli = system("测试签发API令牌")
    own, _ = api_token_create(actor=cli, user=users["county"], name="同步")
    other, _ = api_token_create(actor=cli, user=users["town"], name="同步")
    assert api_tokens.allows(users["county"], "revoke", own)
    assert not api_tokens.allows(users["county"], "revoke", other)
    assert api_tokens.allows(users["city_admin"], "revoke", other)
    assert api_tokens.allows(users["city_admin"], "revoke_any")
    assert not api_tokens.allows(users["county"], "revoke_any")
    with pytest.raises(PermissionDenied, match="只能吊销本人的API令牌"):
        api_token_revoke(actor=users["county"], prefix=other.prefix)
    other.refresh_from_db()
    assert not other.revoked
    assert api_token_revoke(actor=users["county"], prefix=own.prefix).revoked
    assert api_token_revoke(actor=users["city_admin"], prefix=other.prefix).revoked


@pytest.mark.parametrize("role", ["city_admin", "county", "town", "expert"])
def test_token_revoke_filter_agrees_with_the_object_check(users, role):
    cli = system("测试签发API令牌")
    for owner in ("county", "town", "city_admin"):
        api_token_create(actor=cli, user=users[owner], name="同步")
    user = users[role]
    listed = set(api_tokens.restrict(user, "revoke").values_list("pk", flat=True))
    checked = {t.pk for t in ApiToken.objects.all() if api_tokens.allows(user, "revoke", t)}
    assert listed == checked


def test_the_demo_accounts_are_made_by_the_platform_only(users, nanchang):
    from county_innovation.accounts.services import demo_accounts_load

    with pytest.raises(PermissionDenied, match="只能由平台自身执行"):
        demo_accounts_load(actor=users["city_admin"])
    shown = demo_accounts_load(actor=system("演示数据加载"))
    assert ("admin", shown[0][1], "市科技局（演示）") == shown[0]


def test_regions_load_is_the_platforms_job(users):
    from county_innovation.regions.services import regions_load

    with pytest.raises(PermissionDenied, match="只能由平台自身执行"):
        regions_load(actor=users["city_admin"], city="360100")
    with pytest.raises(DomainError):
        regions_load(actor=system("测试"), city="3601")
