"""Who is calling the API: a bearer token (machine clients) or the browser's signed-in session.

Both are tried in that order on every endpoint (see county_innovation.api). A session call with an unsafe
method must carry the CSRF token, as ninja's ``django_auth`` requires; a token call needs none.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from county_innovation.accounts.models import User
from county_innovation.accounts.tokens import TokenExpired, api_token_authenticate

NOT_AUTHENTICATED = "未登录或未提供API令牌：请在请求头中加入「Authorization: Bearer <令牌>」，或先登录平台。"
BAD_TOKEN = "API令牌无效或已吊销：请核对 Authorization 请求头，或请管理员重新签发令牌。"
CSRF_FAILED = "CSRF校验失败：浏览器会话调用写操作时须带 X-CSRFToken 请求头；脚本请改用API令牌。"


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``.

    An Authorization header that does not hold a live token is refused outright (401) rather than falling
    back to the session, so a client never acts as someone else unawares.
    """

    def __call__(self, request: HttpRequest) -> User | None:
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        if scheme.lower() != self.openapi_scheme or not key.strip():
            raise AuthenticationError(message=BAD_TOKEN)
        return self.authenticate(request, key)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        try:
            user = api_token_authenticate(key=token)
        except TokenExpired as exc:
            raise AuthenticationError(message=exc.message) from None
        if user is None:
            raise AuthenticationError(message=BAD_TOKEN)
        # Services and the history log (simple_history) read request.user: make it the token's owner.
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session, with Django's CSRF check on unsafe methods."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None  # anonymous: 401, not a CSRF failure
        return super().__call__(request)

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, CSRF_FAILED)
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return request.user if request.user.is_authenticated else None


API_AUTH = [TokenAuth(), SessionAuth()]
