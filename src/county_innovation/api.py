"""The HTTP API (django-ninja, OpenAPI at /api/docs): each app contributes a router from its api.py."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="县域创新驱动发展监测管理平台 API",
    version="1",
    description="区划、指标、评价指标体系、指标数据与评价结果。机器客户端使用 `Authorization: Bearer <令牌>`；"
    "浏览器中已登录的会话亦可调用。所有数据按用户的管辖范围过滤。",
    urls_namespace="api",
)
