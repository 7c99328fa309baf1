"""The enterprise registry over HTTP: one enterprise's registry entry, and the eligibility self-check.

The entry (name, town, registration state 在营/注销) is the public directory: the policy's "view" decides
(a regional officer sees the enterprises of their subtree; ``policies.enterprises``). The self-check is
stateless: the JSON contract of docs/eligibility.md in, the result out; nothing is read from or written to the
registry, so any signed-in user or token may call it.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Body, Router, Schema

from county_innovation.common.api import ObjectId, not_found
from county_innovation.common.errors import DomainError
from county_innovation.engine import EngineError
from county_innovation.engine.eligibility import evaluate_enterprise
from county_innovation.enterprises import policies
from county_innovation.enterprises.models import Enterprise

router = Router(tags=["科技企业"])


class EnterpriseOut(Schema):
    id: int
    credit_code: str
    name: str
    town: str
    town_name: str
    county: str
    founded: dt.date
    hightech_field: str
    listing_status: str
    status: str
    status_label: str
    deregistered_on: dt.date | None
    deregistration_reason: str


@router.get(
    "/enterprises/{enterprise_id}", response=EnterpriseOut, summary="单个企业的登记信息（含经营状态）"
)
def enterprise_detail(request: HttpRequest, enterprise_id: ObjectId) -> dict[str, Any]:
    enterprise = Enterprise.objects.select_related("town").filter(pk=enterprise_id).first()
    if enterprise is None:
        raise not_found(f"编号为 {enterprise_id} 的企业不存在。")
    policies.enterprises.require(request.auth, "view", enterprise)
    return {
        "id": enterprise.pk,
        "credit_code": enterprise.credit_code,
        "name": enterprise.name,
        "town": enterprise.town_id,
        "town_name": enterprise.town.name,
        "county": enterprise.county_code,
        "founded": enterprise.founded,
        "hightech_field": enterprise.hightech_field,
        "listing_status": enterprise.listing_status,
        "status": enterprise.status,
        "status_label": enterprise.get_status_display(),
        "deregistered_on": enterprise.deregistered_on,
        "deregistration_reason": enterprise.deregistration_reason,
    }


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
