"""Who may see regions, maintain region groups (development zones) and hold API tokens.

The region tree itself (``regions``) knows nothing of users, so the rules about it live here, on top of the
scope primitives of ``accounts.permissions``: a user sees the regions of their own subtree; the city
administration (市科技局) maintains the development zones laid over the townships; a token belongs to one user,
who may revoke it, and only the city administration issues tokens or revokes someone else's.
"""

from __future__ import annotations

from django.db.models import Q

from county_innovation.accounts import permissions
from county_innovation.accounts.models import ApiToken
from county_innovation.common.policy import Policy
from county_innovation.regions.models import Region, RegionGroup


def _scope_q(actor, field: str = "code") -> Q | bool:
    root = permissions.scope_root(actor)
    if root is None:
        return False
    return Q(**{f"{field}__startswith": root.prefix})


class RegionPolicy(Policy):
    """A region is visible to the users whose subtree holds it (the city for the city's users)."""

    model = Region
    messages = {"view": "该区划不在您的管辖范围内，无权查看。"}

    def rule_view(self, actor) -> Q | bool:
        return _scope_q(actor)

    def check_view(self, actor, region: Region) -> bool:
        return permissions.in_scope(actor, region)

    def message(self, action: str, obj: Region | None = None) -> str:
        if action == "view" and obj is not None:
            return f"「{obj.name}」不在您的管辖范围内，无权查看。"
        return super().message(action, obj)


class RegionGroupPolicy(Policy):
    """A region group is visible where its city or one of its member towns lies in the user's subtree;
    only the city administration maintains them (the zones are the city's management layer)."""

    model = RegionGroup
    messages = {"manage": "只有市科技局管理员可以维护开发区。"}

    def rule_view(self, actor) -> Q | bool:
        root = permissions.scope_root(actor)
        if root is None:
            return False
        return Q(city__code__startswith=root.prefix) | Q(members__code__startswith=root.prefix)

    def rule_manage(self, actor) -> bool:
        return permissions.is_city_admin(actor)


class ApiTokenPolicy(Policy):
    """Tokens: the city administration issues them (for any user) and may revoke any; a user revokes their own."""

    model = ApiToken
    messages = {
        "create": "只有市科技局管理员可以签发API令牌。",
        "revoke": "只能吊销本人的API令牌。",
        "revoke_any": "只有市科技局管理员可以吊销他人的API令牌。",
    }

    def rule_create(self, actor) -> bool:
        return permissions.is_city_admin(actor)

    def rule_revoke(self, actor) -> Q | bool:
        if permissions.is_city_admin(actor):
            return True
        return Q(user_id=actor.pk)

    def check_revoke(self, actor, token: ApiToken) -> bool:
        return permissions.is_city_admin(actor) or token.user_id == actor.pk

    def rule_revoke_any(self, actor) -> bool:
        return permissions.is_city_admin(actor)


regions = RegionPolicy()
region_groups = RegionGroupPolicy()
api_tokens = ApiTokenPolicy()
