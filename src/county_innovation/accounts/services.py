"""Accounts writes: API tokens for machine clients (the key is shown once; only its hash is kept), the demo
accounts, and the region groups (development zones) the city administration maintains over the townships.

Recognising a token on a request is a read (``accounts.tokens``), not a service.
"""

import datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from county_innovation.accounts.demo import DEMO_ACCOUNTS, DemoAccount
from county_innovation.accounts.models import ApiToken, User
from county_innovation.accounts.policies import api_tokens, region_groups
from county_innovation.accounts.tokens import MAX_TOKEN_DAYS, PREFIX_LENGTH
from county_innovation.common.actors import Actor, require_system
from county_innovation.common.errors import DomainError
from county_innovation.regions.models import Region, RegionGroup


@transaction.atomic
def api_token_create(*, actor: Actor, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token for ``user`` valid ``days`` days (default ``settings.API_TOKEN_DEFAULT_DAYS``).

    Returns the stored token and the raw key, which is never stored.
    """
    api_tokens.require(actor, "create")
    name = name.strip()
    if not name:
        raise DomainError("请填写令牌用途（如「统计局数据同步」），便于日后识别和吊销。")
    if not user.is_active:
        raise DomainError(f"用户「{user.username}」已停用，不能为其创建API令牌。")
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise DomainError(f"令牌有效期应为 1 至 {MAX_TOKEN_DAYS} 天，实际为 {days} 天。")
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=ApiToken.hash_key(key),
        prefix=key[:PREFIX_LENGTH],
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: Actor, prefix: str, user: User | None = None) -> ApiToken:
    """Revoke the one live token whose key starts with ``prefix`` (among ``user``'s tokens when given)."""
    prefix = prefix.strip()[:PREFIX_LENGTH]
    tokens = ApiToken.objects.filter(prefix=prefix, revoked=False)
    if user is not None:
        tokens = tokens.filter(user=user)
    found = list(tokens.select_for_update()[:2])
    if not found:
        raise DomainError(f"没有前缀为「{prefix}」的有效API令牌；请核对令牌的前 {PREFIX_LENGTH} 个字符。")
    if len(found) > 1:
        raise DomainError(f"前缀「{prefix}」对应多个有效令牌，请在管理后台按用途吊销。")
    token = found[0]
    api_tokens.require(actor, "revoke", token)
    token.revoked = True
    token.save(update_fields=["revoked"])
    return token


@transaction.atomic
def demo_accounts_load(
    *, actor: Actor, accounts: list[DemoAccount] = DEMO_ACCOUNTS
) -> list[tuple[str, str, str]]:
    """Create or reset one account per role for the demo: [(username, password, display name)]."""
    require_system(actor, "创建演示账号")
    shown = []
    # Every demo account has the same password: hash it once (PBKDF2 is deliberately slow).
    common = accounts[0].password
    hashed = make_password(common)
    for a in accounts:
        user, _ = User.objects.get_or_create(username=a.username)
        for name, value in a.user_fields().items():
            setattr(user, name, value)
        user.region = Region.objects.get(code=a.region) if a.region else None
        user.password = hashed if a.password == common else make_password(a.password)
        user.save()
        shown.append((a.username, a.password, a.display_name))
    return shown


@transaction.atomic
def region_group_save(
    *,
    actor: Actor,
    group: RegionGroup | None,
    code: str,
    name: str,
    kind: str,
    city: Region,
    member_codes: list[str],
    note: str = "",
) -> RegionGroup:
    """Create or change a region group; every member must be a township of ``city``."""
    region_groups.require(actor, "manage", group)
    members = list(
        Region.objects.filter(code__in=member_codes, level=Region.Level.TOWN, code__startswith=city.prefix)
    )
    missing = sorted(set(member_codes) - {m.code for m in members})
    if missing:
        raise DomainError(f"以下代码不是{city.name}的乡级单位：{'、'.join(missing)}。")
    if not members:
        raise DomainError("区域组至少要包含一个乡级单位。")
    clash = RegionGroup.objects.filter(name=name).exclude(pk=group.pk if group else None)
    if clash.exists():
        raise DomainError(f"已有名为「{name}」的区域组。")
    if group is None:
        if RegionGroup.objects.filter(code=code).exists():
            raise DomainError(f"已有代码为「{code}」的区域组。")
        group = RegionGroup(code=code, city=city)
    group.name, group.kind, group.note = name, kind, note
    group.save()
    group.members.set(members)
    return group
