"""Pieces every app's API router shares: limit/offset pagination with ceilings, bounded id/year types, Chinese
404s, and the Chinese wording of request validation errors."""

from typing import Annotated, Any

from django.http import Http404
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 1000
# Every numeric parameter is bounded, so a 20-digit offset or id is a Chinese 422, never a database error.
MAX_OFFSET = 1_000_000_000
MAX_ID = 2**63 - 1  # BigAutoField
YEAR_MIN, YEAR_MAX = 1949, 2100
MAX_VERSION = 2**31 - 1

ObjectId = Annotated[int, Field(ge=1, le=MAX_ID, description="编号")]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX, description="年度（四位数字）")]


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=``; the answer is ``{"items": [...], "count": total}``."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description=f"跳过的条数（0–{MAX_OFFSET}）")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


def not_found(message: str) -> Http404:
    """An Http404 whose message is shown to the client as ``detail`` (see county_innovation.api)."""
    return Http404(message)


_PLACES = {
    "query": "查询参数",
    "path": "路径参数",
    "body": "请求体",
    "header": "请求头",
    "cookie": "Cookie",
    "form": "表单",
}


def _reason(error: dict[str, Any]) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    reasons = {
        "missing": "缺少此项",
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "int_from_float": "应为整数（不能带小数）",
        "int_parsing_size": "整数位数过多，超出可处理的范围",
        "float_parsing": "应为数字",
        "float_type": "应为数字",
        "decimal_parsing": "应为数字",
        "decimal_type": "应为数字",
        "finite_number": "应为有限的数字（不能是 NaN 或 Infinity）",
        "greater_than_equal": f"不能小于 {ctx.get('ge')}",
        "greater_than": f"应大于 {ctx.get('gt')}",
        "less_than_equal": f"不能大于 {ctx.get('le')}",
        "less_than": f"应小于 {ctx.get('lt')}",
        "decimal_max_digits": f"数字位数过多（最多 {ctx.get('max_digits')} 位）",
        "decimal_max_places": f"最多保留 {ctx.get('decimal_places')} 位小数",
        "decimal_whole_digits": f"整数部分位数过多（最多 {ctx.get('whole_digits')} 位）",
        "string_type": "应为文本",
        "string_too_long": f"不能超过 {ctx.get('max_length')} 个字符",
        "string_too_short": f"至少应有 {ctx.get('min_length')} 个字符",
        "string_pattern_mismatch": "格式不符合要求",
        "bool_parsing": "应为 true 或 false",
        "bool_type": "应为 true 或 false",
        "literal_error": f"应为以下取值之一：{ctx.get('expected')}",
        "enum": f"应为以下取值之一：{ctx.get('expected')}",
        "dict_type": "应为 JSON 对象",
        "model_type": "应为 JSON 对象",
        "model_attributes_type": "应为 JSON 对象",
        "list_type": "应为列表",
        "json_invalid": "JSON 格式错误",
        "date_parsing": "日期格式应为 年-月-日（如 2025-06-30）",
        "date_from_datetime_parsing": "日期格式应为 年-月-日（如 2025-06-30）",
        "date_type": "日期格式应为 年-月-日（如 2025-06-30）",
        "datetime_parsing": "时间格式应为 ISO 8601（如 2025-06-30T09:00:00）",
        "datetime_from_date_parsing": "时间格式应为 ISO 8601（如 2025-06-30T09:00:00）",
        "datetime_type": "时间格式应为 ISO 8601（如 2025-06-30T09:00:00）",
        "too_long": f"条目过多（最多 {ctx.get('max_length')} 条）",
        "too_short": f"条目过少（至少 {ctx.get('min_length')} 条）",
        "extra_forbidden": "不是可接受的字段",
        "union_tag_invalid": "类型标记无效",
    }
    if kind in reasons:
        return reasons[kind]
    message = str(error.get("msg", ""))
    if kind == "value_error" and not message.removeprefix("Value error, ").isascii():
        return message.removeprefix("Value error, ")
    return "取值无效"


def validation_problems(errors: list[dict[str, Any]]) -> list[str]:
    """Each pydantic/ninja validation error as a Chinese line: 「查询参数 offset：不能大于 1000000000」."""
    problems = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        where = (
            _PLACES.get(loc[0], loc[0]) + (" " + ".".join(loc[1:]) if len(loc) > 1 else "") if loc else "请求"
        )
        problems.append(f"{where}：{_reason(error)}")
    return problems
