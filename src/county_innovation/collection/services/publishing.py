"""Registry publishing: a registry's figures for a year written as DataValues, with their history, in bulk.

The registries and their publishers are listed in ``collection.publishing``. Publishing is the city admin's
(the round page's 更新名录指标) or the platform's own job (``system("名录发布")`` from the command line).
Values and their history rows are written with ``common.bulk`` (one prepared statement per batch): a national
publication (about 40,000 towns × 5 indicators) takes seconds (benchmarks/registry_publish.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from county_innovation.collection import policies
from county_innovation.collection.publishing import PublishReport, publisher, registries
from county_innovation.common.actors import history_user
from county_innovation.common.bulk import bulk_create_with_history, bulk_update_with_history
from county_innovation.common.errors import DomainError
from county_innovation.common.protection import deletion_permitted
from county_innovation.indicators.models import DataValue, Indicator, Origin
from county_innovation.regions.models import Region

REFUSED = "只有市科技局管理员可以更新名录指标。"


@transaction.atomic
def registry_publish(
    *, registry: str, period: int, values: dict[tuple[str, str], Decimal], actor
) -> PublishReport:
    """Replace ``registry``'s published values for ``period`` with ``values`` (all or nothing).

    Every key must name a region and one of the registry's indicators at the region's level; a value that the
    new publication no longer contains is removed (kept in the history). Refused when a value to change is
    locked because its collection round was published.
    """
    policies.rounds.require(actor, "manage", message=REFUSED)
    user = history_user(actor)
    indicators = {i.code: i for i in Indicator.objects.filter(origin=Origin.REGISTRY, registry=registry)}
    by_pk = {i.pk: i for i in indicators.values()}
    # code → (level, name): plain rows, not model instances (a national publication names ~40,000 towns)
    regions = {
        code: (level, name)
        for code, level, name in Region.objects.filter(code__in={r for r, _ in values}).values_list(
            "code", "level", "name"
        )
    }
    problems = []
    for region_code, code in values:
        indicator = indicators.get(code)
        region = regions.get(region_code)
        if indicator is None:
            problems.append(f"指标「{code}」不是名录「{registry}」发布的指标")
        elif region is None:
            problems.append(f"区划代码「{region_code}」不存在")
        elif region[0] != indicator.level:
            problems.append(
                f"「{region[1]}」不是{indicator.get_level_display()}级区划，不能发布「{indicator.name}」"
            )
    stored = {
        (dv.region_id, by_pk[dv.indicator_id].code): dv
        for dv in DataValue.objects.select_for_update().filter(period=period, indicator__in=list(by_pk))
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
                        region_id=key[0],
                        period=period,
                        indicator_id=indicators[key[1]].pk,
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
                f"{period}年度「{by_pk[dv.indicator_id].name}」（{key[0]}）已随填报任务发布锁定，不能再更新"
            )
        else:
            dv.value, dv.updated_by, dv.updated_at = value, user, now
            to_update.append(dv)
    for key, dv in stored.items():
        if key not in values:
            if dv.status == DataValue.Status.LOCKED:
                problems.append(
                    f"{period}年度「{by_pk[dv.indicator_id].name}」（{key[0]}）已随填报任务发布锁定，不能再更新"
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


def registries_refresh(*, period: int, actor) -> list[PublishReport]:
    """Recompute and publish every registered registry's figures for ``period``."""
    policies.rounds.require(actor, "manage", message=REFUSED)
    return [
        registry_publish(registry=name, period=period, values=publisher(name)(period), actor=actor)
        for name in registries()
    ]
