"""The one interface through which registries publish indicator values per region and year (issue 4, item 7).

A registry app (enterprises today; platforms, talent, the technology market later) registers a function that
computes its figures for a year; ``registry_publish`` writes them as DataValues of the indicators whose origin
is "registry" and whose ``registry`` names it. Nobody types these values: the grid shows them read-only, the
imports refuse them, and a published (locked) year is never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from county_innovation.accounts.models import User
from county_innovation.common.errors import DomainError
from county_innovation.common.protection import deletion_permitted
from county_innovation.indicators.models import DataValue, Indicator, Origin
from county_innovation.regions.models import Region

# registry name → function(period) returning {(region code, indicator code): value}
Publisher = Callable[[int], dict[tuple[str, str], Decimal]]
_PUBLISHERS: dict[str, Publisher] = {}


def registry_register(name: str, publisher: Publisher) -> None:
    """Called from a registry app's AppConfig.ready()."""
    _PUBLISHERS[name] = publisher


def registries() -> list[str]:
    return sorted(_PUBLISHERS)


@dataclass
class PublishReport:
    registry: str
    period: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    indicators: list[str] = field(default_factory=list)


@transaction.atomic
def registry_publish(
    *, registry: str, period: int, values: dict[tuple[str, str], Decimal], user: User | None = None
) -> PublishReport:
    """Replace ``registry``'s published values for ``period`` with ``values`` (all or nothing).

    Every key must name a region and one of the registry's indicators at the region's level; a value that the
    new publication no longer contains is removed (kept in the history). Refused when a value to change is
    locked because its collection round was published.
    """
    indicators = {i.code: i for i in Indicator.objects.filter(origin=Origin.REGISTRY, registry=registry)}
    regions = Region.objects.in_bulk({r for r, _ in values})
    problems = []
    for region_code, code in values:
        indicator = indicators.get(code)
        region = regions.get(region_code)
        if indicator is None:
            problems.append(f"指标「{code}」不是名录「{registry}」发布的指标")
        elif region is None:
            problems.append(f"区划代码「{region_code}」不存在")
        elif region.level != indicator.level:
            problems.append(
                f"「{region.name}」不是{indicator.get_level_display()}级区划，不能发布「{indicator.name}」"
            )
    stored = {
        (dv.region_id, dv.indicator.code): dv
        for dv in DataValue.objects.select_for_update()
        .filter(period=period, indicator__in=indicators.values())
        .select_related("indicator")
    }
    report = PublishReport(registry=registry, period=period, indicators=sorted(indicators))
    to_create, to_update, to_remove = [], [], []
    now = timezone.now()
    for key, value in values.items():
        dv = stored.get(key)
        value = Decimal(value)
        if dv is None:
            if key[1] in indicators and key[0] in regions:
                to_create.append(
                    DataValue(
                        region=regions[key[0]],
                        period=period,
                        indicator=indicators[key[1]],
                        value=value,
                        status=DataValue.Status.APPROVED,
                        channel=DataValue.Channel.REGISTRY,
                        updated_by=user,
                    )
                )
        elif dv.value == value:
            report.unchanged += 1
        elif dv.status == DataValue.Status.LOCKED:
            problems.append(
                f"{period}年度「{dv.indicator.name}」（{key[0]}）已随填报任务发布锁定，不能再更新"
            )
        else:
            dv.value, dv.updated_by, dv.updated_at = value, user, now
            to_update.append(dv)
    for key, dv in stored.items():
        if key not in values:
            if dv.status == DataValue.Status.LOCKED:
                problems.append(
                    f"{period}年度「{dv.indicator.name}」（{key[0]}）已随填报任务发布锁定，不能再更新"
                )
            else:
                to_remove.append(dv)
    if problems:
        raise DomainError(f"名录指标未发布：有 {len(problems)} 处问题。", problems)
    reason = f"名录发布：{registry}"
    if to_create:
        bulk_create_with_history(to_create, DataValue, default_user=user, default_change_reason=reason)
    if to_update:
        bulk_update_with_history(
            to_update,
            DataValue,
            ["value", "updated_by", "updated_at"],
            default_user=user,
            default_change_reason=reason,
        )
    # A registry no longer supports the value: removed, with the removal and the reason in its history.
    with deletion_permitted("a registry-derived value withdrawn, recorded in its history"):
        for dv in to_remove:
            dv._history_user, dv._change_reason = user, reason
            dv.delete()
    report.created, report.updated, report.removed = len(to_create), len(to_update), len(to_remove)
    return report


def registries_refresh(*, period: int, user: User | None = None) -> list[PublishReport]:
    """Recompute and publish every registered registry's figures for ``period``."""
    return [
        registry_publish(registry=name, period=period, values=_PUBLISHERS[name](period), user=user)
        for name in registries()
    ]
