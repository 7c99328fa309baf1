"""Accounts writes: API tokens for machine clients (the key is shown once; only its hash is kept)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from county_innovation.accounts.models import ApiToken, User
from county_innovation.common.errors import DomainError

# How much of a key is kept in clear so that a token can be recognised in lists and revoked by it.
PREFIX_LENGTH = 8
# The longest validity a token may be given (``token create --days``).
MAX_TOKEN_DAYS = 3650
# "Last used" is written at most this often, so a busy client does not turn every read into a write.
LAST_USE_RESOLUTION = datetime.timedelta(minutes=1)


class TokenExpired(DomainError):
    """The key belongs to a live token whose validity has ended."""


@transaction.atomic
def api_token_create(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token for ``user`` valid ``days`` days (default ``settings.API_TOKEN_DEFAULT_DAYS``).

    Returns the stored token and the raw key, which is never stored.
    """
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
def api_token_revoke(*, prefix: str, user: User | None = None) -> ApiToken:
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
    token.revoked = True
    token.save(update_fields=["revoked"])
    return token


def api_token_authenticate(*, key: str) -> User | None:
    """The active user a raw key belongs to, or None for an unknown or revoked key; records the use.

    Raises TokenExpired for a live token past its validity. The use is written at most once a minute.
    """
    token = (
        ApiToken.objects.filter(key_hash=ApiToken.hash_key(key.strip()), revoked=False)
        .select_related("user", "user__region")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.is_expired(now):
        expired = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
        raise TokenExpired(
            f"API令牌「{token.name}」（{token.prefix}…）已于 {expired} 过期：请管理员用 "
            "`county-innovation token create 用户名 --name 用途 --days 天数` 重新签发，并吊销旧令牌。"
        )
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USE_RESOLUTION)
        ).update(last_used_at=now)
    return token.user
