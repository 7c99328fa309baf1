"""The eligibility self-check over HTTP: the JSON contract of docs/eligibility.md in, the result out.

Stateless: the figures are those sent, nothing is read from or written to the registry, so any signed-in
user or token may call it.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Body, Router

from county_innovation.common.errors import DomainError
from county_innovation.engine import EngineError
from county_innovation.engine.eligibility import evaluate_enterprise

router = Router(tags=["科技企业"])


@router.post(
    "/eligibility",
    summary="科技型中小企业与高新技术企业资格测评",
    description="输入、输出均为 docs/eligibility.md 中的 JSON 约定：金额单位万元；列表为最近三个会计年度，从早到晚。",
)
def eligibility(request: HttpRequest, payload: dict[str, Any] = Body(...)) -> dict[str, Any]:
    try:
        return evaluate_enterprise(payload)
    except EngineError as exc:
        problems = list(getattr(exc, "errors", {}).values()) or [str(exc)]
        raise DomainError("企业数据有误，无法测评。", problems=problems) from None
