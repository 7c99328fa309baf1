"""Indicators and framework versions over HTTP. The data values' endpoints (``/api/data…``) are collection's
(``collection.api.data``)."""

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router

from county_innovation.accounts.models import User
from county_innovation.common.api import not_found
from county_innovation.indicators.models import Framework, FrameworkNode, Indicator
from county_innovation.indicators.policies import frameworks
from county_innovation.indicators.schemas import FrameworkDetailOut, FrameworkOut, IndicatorOut
from county_innovation.indicators.selectors import framework_latest, framework_nodes

router = Router()

Level = Literal["county", "town"]
INDICATOR_LEVEL = Query(None, description="适用层级")
FRAMEWORK_LEVEL = Query(None, description="评价对象层级")


def _frameworks_visible_to(user: User):
    return frameworks.restrict(user, "view", Framework.objects.all())


def framework_or_404(user: User, code: str, version: int | None = None) -> Framework:
    if version is None:
        framework = framework_latest(code)
    else:
        framework = _frameworks_visible_to(user).filter(code=code, version=version).first()
    if framework is None:
        what = f"「{code}」第{version}版" if version is not None else f"「{code}」"
        raise not_found(f"评价指标体系{what}不存在或尚未启用。")
    return framework


@router.get("/indicators/", response=list[IndicatorOut], tags=["指标"], summary="指标列表")
def indicator_list(request: HttpRequest, level: Level | None = INDICATOR_LEVEL):
    indicators = Indicator.objects.order_by("code")
    return indicators.filter(level=level) if level else indicators


@router.get("/frameworks/", response=list[FrameworkOut], tags=["指标"], summary="评价指标体系的各个版本")
def framework_list(request: HttpRequest, level: Level | None = FRAMEWORK_LEVEL):
    found = _frameworks_visible_to(request.auth).order_by("code", "-version")
    return found.filter(level=level) if level else found


def _tree(nodes: list[FrameworkNode]) -> dict:
    children: dict[int | None, list[FrameworkNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def build(node: FrameworkNode) -> dict:
        return {
            "code": node.code,
            "name": node.name,
            "weight": float(node.weight),
            "indicator": node.indicator.code if node.indicator_id else None,
            "children": [build(c) for c in children.get(node.pk, [])],
        }

    return build(children[None][0])


@router.get(
    "/frameworks/{code}/{version}",
    response=FrameworkDetailOut,
    tags=["指标"],
    summary="一个体系版本及其带权重的指标树",
)
def framework_detail(request: HttpRequest, code: str, version: int):
    framework = framework_or_404(request.auth, code, version)
    return {
        "code": framework.code,
        "version": framework.version,
        "name": framework.name,
        "level": framework.level,
        "status": framework.status,
        "method_spec": framework.method_spec,
        "note": framework.note,
        "tree": _tree(framework_nodes(framework)),
    }
