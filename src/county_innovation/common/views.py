"""Error pages every request may end on, in Chinese: a bad request (a body over the limit, a malformed form),
a failed CSRF check, and the page that says what was not found. JSON for the API, a small page otherwise.
Wired in settings (CSRF_FAILURE_VIEW) and the project's urls.py (handler400); ``not_found`` is the 404 page of
every app's views."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from county_innovation.common import uploads

BAD_REQUEST = "请求无法处理：提交的内容格式有误或不完整。请返回上一页，刷新后重新提交。"
CSRF_FAILED = (
    "安全校验未通过（CSRF）：页面可能已停留过久而过期，或浏览器禁用了 Cookie。"
    "请返回上一页，刷新后重新提交；如仍失败，请重新登录。"
)
CSRF_FAILED_API = (
    "安全校验未通过（CSRF）：已登录会话的写操作须带 X-CSRFToken 请求头；机器客户端请改用 Bearer 令牌。"
)


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    """A 404 page that says in Chinese what was not found."""
    return render(request, "web/not_found.html", {"message": message}, status=404)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def _answer(request: HttpRequest, *, status: int, title: str, message: str, template: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    page = render_to_string(template, {"title": title, "message": message})
    return HttpResponse(page, status=status, content_type="text/html; charset=utf-8")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a body over the limit says so (413); anything else a generic Chinese 400."""
    if isinstance(exception, RequestDataTooBig):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        return uploads.too_large_response(request, length, uploads.max_bytes())
    return _answer(request, status=400, title="请求无法处理", message=BAD_REQUEST, template="400.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: Django's own page is English."""
    message = CSRF_FAILED_API if request.path.startswith("/api/") else CSRF_FAILED
    return _answer(request, status=403, title="安全校验未通过", message=message, template="403_csrf.html")
