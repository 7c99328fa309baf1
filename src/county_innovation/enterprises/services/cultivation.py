"""Writes of the cultivation pool (培育库): opening a year's selection round, marking entries for key
cultivation (重点培育), closing the round. The tiers come from ``cultivation_rules``; the actor is checked by
``policies.pools`` (the round) and ``policies.enterprises`` (each entry's enterprise).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from county_innovation.common.actors import actor_required, history_user
from county_innovation.common.errors import DomainError, ScopeError
from county_innovation.enterprises import policies
from county_innovation.enterprises.cultivation_rules import PoolRules, round_as_of, tier_decide, year_end
from county_innovation.enterprises.models import (
    CultivationRound,
    Enterprise,
    EnterpriseYear,
    PoolEntry,
    Qualification,
    active_in,
)
from county_innovation.enterprises.selectors import fiscal_years


def _require_city_admin(actor, action: str) -> None:
    actor_required(actor)
    if not policies.pools.allows(actor, "manage"):
        raise ScopeError(f"只有市科技局管理员可以{action}。")


@transaction.atomic
def cultivation_round_open(
    *, actor, year: int, note: str = "", rules: PoolRules | None = None
) -> CultivationRound:
    """Open ``year``'s round and place every enterprise registered by then, all in one transaction.

    Raises
    ------
    ScopeError
        The user is not the city admin.
    DomainError
        A round for ``year`` exists, or no enterprise has figures for ``year``.
    """
    _require_city_admin(actor, "开启年度遴选")
    rules = rules or PoolRules()
    existing = CultivationRound.objects.filter(year=year).select_related("opened_by").first()
    if existing is not None:
        raise DomainError(
            f"{year} 年度的遴选已于 {timezone.localtime(existing.opened_at):%Y-%m-%d} 开启"
            f"（{existing.get_status_display()}），同一年度不能重复开启；请在该轮中调整。"
        )
    if not EnterpriseYear.objects.filter(year=year).exists():
        raise DomainError(
            f"没有任何企业填报 {year} 年的数据，无法进行 {year} 年度遴选；请先填报或导入该年度数据。"
        )
    try:
        with transaction.atomic():
            pool_round = CultivationRound.objects.create(
                year=year,
                note=note.strip(),
                rules=rules.to_dict(),
                opened_by=history_user(actor),
                opened_at=timezone.now(),
            )
    except IntegrityError:  # another request opened the same year a moment ago
        raise DomainError(f"{year} 年度的遴选刚刚已由他人开启，同一年度不能重复开启。") from None
    previous = CultivationRound.objects.filter(year__lt=year).order_by("-year").first()
    previous_tiers = (
        dict(previous.entries.values_list("enterprise_id", "tier")) if previous is not None else {}
    )
    wanted = fiscal_years(round_as_of(year))
    # An enterprise deregistered on or before the year's end is no longer in the pool of that year.
    enterprises = Enterprise.objects.filter(active_in(year), founded__lte=year_end(year)).prefetch_related(
        Prefetch("years", queryset=EnterpriseYear.objects.filter(year__in=wanted), to_attr="pool_years"),
        Prefetch(
            "qualifications",
            queryset=Qualification.objects.filter(
                valid_from__lte=year_end(year), valid_to__gte=year_end(year)
            ),
            to_attr="pool_qualifications",
        ),
    )
    entries = []
    for enterprise in enterprises:
        decision = tier_decide(
            enterprise,
            year,
            years={y.year: y for y in enterprise.pool_years},
            qualifications=enterprise.pool_qualifications,
            rules=rules,
        )
        entries.append(
            PoolEntry(
                round=pool_round,
                enterprise=enterprise,
                tier=decision.tier,
                previous_tier=previous_tiers.get(enterprise.pk, ""),
                basis=decision.basis[:200],
                evaluated=decision.evaluated,
                target_tier=decision.target_tier,
                near=decision.near,
                gap="\n".join(decision.gap),
                tech_sme_score=decision.tech_sme_score,
                hightech_failed=decision.hightech_failed,
                scores=decision.scores,
            )
        )
    PoolEntry.objects.bulk_create(entries)
    return pool_round


@transaction.atomic
def pool_entries_select(
    *, actor, pool_round: CultivationRound, entry_ids: Iterable[int], selected: bool = True
) -> int:
    """Mark entries as selected for key cultivation (重点培育), or unmark them; all or nothing.

    The city admin selects anywhere, a county officer within its county (``policies.enterprises`` "manage").
    Returns the number of entries changed.
    """
    policies.pools.require(actor, "select")
    pool_round = CultivationRound.objects.select_for_update().get(pk=pool_round.pk)
    if not pool_round.is_open:
        raise DomainError(f"{pool_round.year} 年度遴选已关闭，名单已冻结，不能再调整重点培育企业。")
    wanted = set(entry_ids)
    if not wanted:
        raise DomainError("请至少勾选一家企业。")
    entries = list(pool_round.entries.filter(pk__in=wanted).select_related("enterprise", "enterprise__town"))
    if len(entries) != len(wanted):
        raise DomainError(
            f"有 {len(wanted) - len(entries)} 家企业不在 {pool_round.year} 年度的遴选名单中，均未保存。"
        )
    denied = [
        e.enterprise.name for e in entries if not policies.enterprises.allows(actor, "manage", e.enterprise)
    ]
    if denied:
        raise ScopeError(
            f"您无权调整「{'、'.join(denied[:3])}」{'等' if len(denied) > 3 else ''}的重点培育：只有企业所在县（区）"
            "科技局和市科技局可以；均未保存。"
        )
    changed = [e for e in entries if e.selected != selected]
    now = timezone.now()
    for entry in changed:
        entry.selected = selected
        entry.selected_by = history_user(actor)
        entry.selected_at = now
    PoolEntry.objects.bulk_update(changed, ["selected", "selected_by", "selected_at"])
    return len(changed)


@transaction.atomic
def cultivation_round_close(*, actor, pool_round: CultivationRound) -> CultivationRound:
    """Close a round: its tiers and selection are frozen from then on."""
    _require_city_admin(actor, "关闭年度遴选")
    pool_round = CultivationRound.objects.select_for_update().get(pk=pool_round.pk)
    if not pool_round.is_open:
        raise DomainError(
            f"{pool_round.year} 年度遴选已于 {timezone.localtime(pool_round.closed_at):%Y-%m-%d} 关闭，无需重复关闭。"
        )
    pool_round.status = CultivationRound.Status.CLOSED
    pool_round.closed_by = history_user(actor)
    pool_round.closed_at = timezone.now()
    pool_round.save(update_fields=["status", "closed_by", "closed_at"])
    return pool_round
