"""The HTTP API (django-ninja, OpenAPI at /api/docs): each app contributes a router from its api.py.

Every endpoint requires a bearer token or a signed-in session (accounts.auth). Errors reach the client as
``{"detail": 中文说明}`` — plus ``"problems": [...]`` when a service rejected several things at once.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from county_innovation.accounts.api import router as regions_router
from county_innovation.accounts.auth import API_AUTH, NOT_AUTHENTICATED
from county_innovation.collection.api.data import router as collection_router
from county_innovation.collection.api.rounds import router as rounds_router
from county_innovation.common import uploads
from county_innovation.common.api import validation_problems
from county_innovation.common.errors import DomainError, ScopeError, json_error_message
from county_innovation.designation.api import router as designation_router
from county_innovation.enterprises.api import router as enterprises_router
from county_innovation.evaluation.api import router as evaluation_router
from county_innovation.indicators.api import router as indicators_router
from county_innovation.reports.api import router as reports_router
from county_innovation.supervision.api import router as supervision_router

api = NinjaAPI(
    title="县域创新驱动发展监测管理平台 API",
    version="1",
    description="区划、指标、评价指标体系、指标数据与评价结果。机器客户端使用 `Authorization: Bearer <令牌>`"
    "（令牌由 `county-innovation token create 用户名 --name 用途` 签发）；浏览器中已登录的会话亦可调用，"
    "写操作须带 X-CSRFToken。所有数据按用户的管辖范围过滤。"
    '错误以 `{"detail": 说明, "problems": [逐条问题]}` 返回。',
    urls_namespace="api",
    auth=API_AUTH,
    docs_decorator=login_required,
)
api.add_router("/", regions_router)
api.add_router("/", indicators_router)
api.add_router("/", collection_router)
api.add_router("/", rounds_router)
api.add_router("/", evaluation_router)
api.add_router("/", enterprises_router)
api.add_router("/", reports_router)
api.add_router("/", designation_router)
api.add_router("/", supervision_router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = 403 if isinstance(exc, ScopeError) else 400
    return api.create_response(request, {"detail": exc.message, "problems": exc.problems}, status=status)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "您没有权限执行此操作。"}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Routers raise Http404 with a Chinese sentence (common.api.not_found); anything else gets a generic one.
    message = str(exc) if exc.args and not str(exc).isascii() else "未找到请求的对象。"
    return api.create_response(request, {"detail": message}, status=404)


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": "请求参数不符合要求，请对照 /api/docs 检查。",
            "problems": validation_problems(exc.errors),
        },
        status=422,
    )


HTTP_MESSAGES = {
    400: "请求无法处理，请对照 /api/docs 检查请求内容。",
    401: NOT_AUTHENTICATED,
    403: "您没有权限执行此操作。",
    404: "未找到请求的对象。",
    405: "不支持该请求方法，请对照 /api/docs 检查。",
    429: "请求过于频繁，请稍后再试。",
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own messages are English ("Cannot parse request body"); a body that is not JSON says why.
    message = exc.message
    if message.isascii():
        cause = exc.__cause__
        if exc.status_code == 400 and cause is not None:
            message = json_error_message(cause)
        else:
            message = HTTP_MESSAGES.get(exc.status_code, "请求无法处理。")
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    return uploads.too_large_response(request, length, uploads.max_bytes())


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The last line of defence: every numeric parameter is bounded (common.api, common.numbers); a value the
    # database still cannot hold is the client's 400, never a 500.
    return api.create_response(
        request, {"detail": "请求中的数值超出允许的范围，请检查编号、年度和数值后重试。"}, status=400
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # ninja raises a bare AuthenticationError ("Unauthorized") when no credentials were given at all.
    message = exc.message if not exc.message.isascii() else NOT_AUTHENTICATED
    return api.create_response(request, {"detail": message}, status=401)
