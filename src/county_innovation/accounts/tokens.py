"""Recognising an API token: which user a raw key stands for.

This is how a request finds its actor, so it runs before there is anyone to check: it is a read that also
notes when the token was last used (at most once a minute), not a service. Issuing and revoking tokens are
services (``accounts.services``) checked by ``accounts.policies.api_tokens``.
"""

import datetime

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
