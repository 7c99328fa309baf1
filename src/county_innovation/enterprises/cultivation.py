"""The cultivation pool (培育库, issue 6 item 4): tiers, the annual selection round, movement between tiers and the
"almost qualifying" list. Services (writes) and selectors (reads) of the pool in one module, beside the registry's.

A tier is never decided here by a threshold of our own: the rules of ``engine.eligibility`` decide 科小, 高企,
瞪羚 and 独角兽 from the registry's figures (``selectors.enterprise_payload``), and a registered qualification valid
at the year's end counts as well; the tier is the highest of both. What *is* the platform's own choice is how
close counts as "almost" (``NEAR_*`` below): a policy setting for the bureau, not an official threshold.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import pairwise

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from county_innovation.accounts import permissions
from county_innovation.accounts.models import Role, User
from county_innovation.common.errors import DomainError, ScopeError
from county_innovation.engine.eligibility import (
    EligibilityInputError,
    EnterpriseFigures,
    GazelleRules,
    UnicornRules,
    gazelle_check,
    hightech_check,
    tech_sme_check,
    unicorn_check,
)
from county_innovation.engine.eligibility.common import fmt_threshold
from county_innovation.engine.eligibility.tech_sme import MIN_SCORE as TECH_SME_MIN_SCORE
from county_innovation.enterprises.models import (
    TIER_ORDER,
    CultivationRound,
    CultivationTier,
    Enterprise,
    EnterpriseYear,
    ListingStatus,
    PoolEntry,
    Qualification,
    QualificationKind,
)
from county_innovation.enterprises.selectors import enterprise_payload, fiscal_years
from county_innovation.regions.models import Region

# "Almost qualifying" (接近达标) — the bureau's choice, not an official text:
# 科小: the size conditions of 第六条（二）（四） hold and the score of 第七条 is at least this (60 qualifies).
NEAR_TECH_SME_MIN_SCORE = 50
# 高企: exactly this many of 第十一条's figure-decided conditions fail.
NEAR_HIGHTECH_FAILED = 1
# 瞪羚: a 高企 that would pass with the growth requirement this much lower (the rule's 20 % a year, so from
# 15 % a year it is "almost"). The requirement itself is GazelleRules.min_revenue_growth, stored with the round.
NEAR_GAZELLE_GROWTH_MARGIN = Decimal("0.05")
# The registry keeps valuations in 万元 (CNY); the 独角兽 rules read 亿美元. The round records the rate it used.
CNY_PER_USD = Decimal("7.1")
# Listing statuses that count as listed for the 独角兽 rules (新三板 counts as unlisted, domain README §2.3).
UNLISTED = {ListingStatus.UNLISTED, ListingStatus.NEEQ}
TIER_LABELS = dict(CultivationTier.choices)
QUALIFICATION_TIER = {
    QualificationKind.TECH_SME: CultivationTier.TECH_SME,
    QualificationKind.HIGHTECH: CultivationTier.HIGHTECH,
    QualificationKind.GAZELLE: CultivationTier.GAZELLE,
    QualificationKind.UNICORN: CultivationTier.UNICORN,
}


# --- Tiers -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolRules:
    """What a round applies besides the official texts; stored with the round so it can be re-run."""

    gazelle: GazelleRules = field(default_factory=GazelleRules)
    unicorn: UnicornRules = field(default_factory=UnicornRules)
    cny_per_usd: Decimal = CNY_PER_USD

    def to_dict(self) -> dict:
        return {
            "gazelle": self.gazelle.to_dict(),
            "unicorn": self.unicorn.to_dict(),
            "cny_per_usd": str(self.cny_per_usd),
        }


@dataclass
class TierDecision:
    """An enterprise's place in a year: tier, why, the tier it aims at next and the rules' reasons for the gap."""

    tier: str
    basis: str
    evaluated: bool
    target_tier: str = ""
    near: bool = False
    gap: list[str] = field(default_factory=list)
    tech_sme_score: int | None = None
    hightech_failed: list[int] = field(default_factory=list)
    scores: dict = field(default_factory=dict)


def year_end(year: int) -> date:
    return date(year, 12, 31)


def round_as_of(year: int) -> date:
    """The rules' evaluation date of a round: the day after ``year`` ends, so they read ``year`` and the two before."""
    return date(year + 1, 1, 1)


# The 高企 tier needs the certificate itself (国科发火〔2016〕32号 第十五条: 认定后颁发证书，有效期三年); meeting the
# figure-decided conditions of 第十一条 makes an enterprise a candidate for 高企, not a 高企.
NO_CERTIFICATE_GAP = "未持有有效的高新技术企业证书：第十一条中由数据判断的条件均已满足，可申报认定"


def _unicorn_inputs(
    enterprise: Enterprise, last: EnterpriseYear, rows: Iterable[EnterpriseYear], rate: Decimal
) -> dict:
    valuation = None if last.valuation is None else last.valuation / Decimal(10000) / rate  # 万元 → 亿美元
    return {
        "valuation_usd": valuation,
        "listed": enterprise.listing_status not in UNLISTED,
        # A financing round registered in any of the years read counts as private equity backing.
        "private_equity": any(row.financing_rounds > 0 for row in rows),
    }


def tier_decide(
    enterprise: Enterprise,
    year: int,
    *,
    years: dict[int, EnterpriseYear],
    qualifications: Iterable[Qualification],
    rules: PoolRules | None = None,
) -> TierDecision:
    """Place one enterprise in ``year``'s tiers by the rules and the qualifications valid at the year's end.

    Parameters
    ----------
    years : dict
        The enterprise's figures by year; the three years ending with ``year`` are read.
    qualifications : iterable
        Its registered qualifications; only those valid on 31 December of ``year`` count.

    When the figures do not allow the rules to run (a missing year), the tier comes from the qualifications
    alone and the gap says which figures are missing.
    """
    rules = rules or PoolRules()
    end = year_end(year)
    held = {
        QUALIFICATION_TIER[q.kind]
        for q in qualifications
        if q.kind in QUALIFICATION_TIER and q.is_valid_on(end)
    }
    qual_tier = max(held, key=TIER_ORDER.__getitem__, default=CultivationTier.NONE)
    qual_basis = f"登记的{TIER_LABELS[qual_tier]}资质在 {end:%Y-%m-%d} 有效" if held else ""
    certificate = CultivationTier.HIGHTECH in held
    try:
        payload = enterprise_payload(
            enterprise, round_as_of(year), years=years, hightech_certificate=certificate
        )
    except DomainError as error:
        return TierDecision(
            tier=qual_tier,
            basis=qual_basis or "数据不全，未测评",
            evaluated=False,
            target_tier=_next_tier(qual_tier),
            gap=[error.message],
        )
    rows = [years[y] for y in fiscal_years(round_as_of(year)) if y in years]
    payload |= _unicorn_inputs(enterprise, years[year], rows, rules.cny_per_usd)
    try:
        figures = EnterpriseFigures.from_payload(payload)
    except EligibilityInputError as error:
        return TierDecision(
            tier=qual_tier,
            basis=qual_basis or "数据有误，未测评",
            evaluated=False,
            target_tier=_next_tier(qual_tier),
            gap=[f"登记的数据无法测评：{error}"],
        )
    return _decide(figures, qual_tier, qual_basis, rules)


def _next_tier(tier: str) -> str:
    order = CultivationTier.values
    rank = TIER_ORDER[tier]
    return order[rank + 1] if rank + 1 < len(order) else ""


def _decide(figures: EnterpriseFigures, qual_tier: str, qual_basis: str, rules: PoolRules) -> TierDecision:
    sme = tech_sme_check(figures)
    high = hightech_check(figures)
    gazelle = gazelle_check(figures, rules.gazelle)
    unicorn = unicorn_check(figures, rules.unicorn)
    certified = figures.direct.hightech_certificate
    # A tier only when its condition holds: 高企 by the certificate (a qualification, so it arrives through
    # ``qual_tier``), never by the figures alone.
    by_rules = [
        (unicorn.unicorn, CultivationTier.UNICORN, "符合独角兽规则"),
        (unicorn.potential, CultivationTier.POTENTIAL_UNICORN, "符合潜在独角兽规则"),
        (gazelle.gazelle, CultivationTier.GAZELLE, "符合瞪羚企业规则"),
        (sme.eligible, CultivationTier.TECH_SME, "符合科技型中小企业评价条件"),
    ]
    rule_tier, rule_basis = next(((t, b) for ok, t, b in by_rules if ok), (CultivationTier.NONE, ""))
    if TIER_ORDER[qual_tier] > TIER_ORDER[rule_tier]:
        tier, basis = qual_tier, qual_basis
    else:
        tier, basis = rule_tier, rule_basis or "未达到科技型中小企业条件"
    hightech_gap = list(high.failures) or ([] if certified else [NO_CERTIFICATE_GAP])
    gaps = {
        CultivationTier.TECH_SME: list(sme.failures),
        CultivationTier.HIGHTECH: hightech_gap,
        CultivationTier.GAZELLE: list(gazelle.failures),
        CultivationTier.POTENTIAL_UNICORN: list(unicorn.reasons),
        CultivationTier.UNICORN: list(unicorn.reasons),
    }
    relaxed = GazelleRules.from_dict(
        rules.gazelle.to_dict()
        | {"min_revenue_growth": str(rules.gazelle.min_revenue_growth - NEAR_GAZELLE_GROWTH_MARGIN)}
    )
    near_checks = {
        CultivationTier.TECH_SME: (
            not sme.eligible
            and sme.score >= NEAR_TECH_SME_MIN_SCORE
            and all(r.startswith("第六条（五）") for r in gaps[CultivationTier.TECH_SME])
        ),
        CultivationTier.HIGHTECH: len(high.failed) == NEAR_HIGHTECH_FAILED
        or (high.conditions_met and not certified),
        CultivationTier.GAZELLE: not gazelle.gazelle and gazelle_check(figures, relaxed).gazelle,
    }
    # The highest tier above the current one that the enterprise nearly reaches; else simply the next tier.
    near_targets = [t for t, ok in near_checks.items() if ok and TIER_ORDER[t] > TIER_ORDER[tier]]
    target = max(near_targets, key=TIER_ORDER.__getitem__) if near_targets else _next_tier(tier)
    return TierDecision(
        tier=tier,
        basis=basis,
        evaluated=True,
        target_tier=target,
        near=bool(near_targets),
        gap=gaps.get(target, []),
        tech_sme_score=sme.score,
        hightech_failed=list(high.failed),
        scores={
            "tech_sme": {
                "eligible": sme.eligible,
                "score": sme.score,
                "staff_points": sme.staff_points,
                "rd_points": sme.rd_points,
                "ip_points": sme.ip_points,
            },
            "high_tech": {
                "conditions_met": high.conditions_met,
                "rd_ratio": None
                if high.rd_ratio is None
                else str(high.rd_ratio.quantize(Decimal("0.000001"))),
                "rd_ratio_required": str(high.rd_ratio_required),
                "growth_points": list(high.growth_points),
            },
            "gazelle": gazelle.gazelle,
            "unicorn": unicorn.unicorn,
            "potential_unicorn": unicorn.potential,
        },
    )


# --- Services: the annual selection round -------------------------------------------------------------------


def _require_city_admin(user: User | None, action: str) -> None:
    if user is not None and not permissions.is_city_admin(user):
        raise ScopeError(f"只有市科技局管理员可以{action}。")


@transaction.atomic
def cultivation_round_open(
    *, user: User | None, year: int, note: str = "", rules: PoolRules | None = None
) -> CultivationRound:
    """Open ``year``'s round and place every enterprise registered by then, all in one transaction.

    Raises
    ------
    ScopeError
        The user is not the city admin.
    DomainError
        A round for ``year`` exists, or no enterprise has figures for ``year``.
    """
    _require_city_admin(user, "开启年度遴选")
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
                opened_by=user,
                opened_at=timezone.now(),
            )
    except IntegrityError:  # another request opened the same year a moment ago
        raise DomainError(f"{year} 年度的遴选刚刚已由他人开启，同一年度不能重复开启。") from None
    previous = CultivationRound.objects.filter(year__lt=year).order_by("-year").first()
    previous_tiers = (
        dict(previous.entries.values_list("enterprise_id", "tier")) if previous is not None else {}
    )
    wanted = fiscal_years(round_as_of(year))
    enterprises = Enterprise.objects.filter(founded__lte=year_end(year)).prefetch_related(
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
    *, user: User | None, pool_round: CultivationRound, entry_ids: Iterable[int], selected: bool = True
) -> int:
    """Mark entries as selected for key cultivation (重点培育), or unmark them; all or nothing.

    The city admin selects anywhere, a county officer within its county (``permissions.can_manage_enterprises``).
    Returns the number of entries changed.
    """
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
    if user is not None:
        denied = [
            e.enterprise.name
            for e in entries
            if not permissions.can_manage_enterprises(user, e.enterprise.town)
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
        entry.selected_by = user
        entry.selected_at = now
    PoolEntry.objects.bulk_update(changed, ["selected", "selected_by", "selected_at"])
    return len(changed)


@transaction.atomic
def cultivation_round_close(*, user: User | None, pool_round: CultivationRound) -> CultivationRound:
    """Close a round: its tiers and selection are frozen from then on."""
    _require_city_admin(user, "关闭年度遴选")
    pool_round = CultivationRound.objects.select_for_update().get(pk=pool_round.pk)
    if not pool_round.is_open:
        raise DomainError(
            f"{pool_round.year} 年度遴选已于 {timezone.localtime(pool_round.closed_at):%Y-%m-%d} 关闭，无需重复关闭。"
        )
    pool_round.status = CultivationRound.Status.CLOSED
    pool_round.closed_by = user
    pool_round.closed_at = timezone.now()
    pool_round.save(update_fields=["status", "closed_by", "closed_at"])
    return pool_round


# --- Selectors: what a user may see ------------------------------------------------------------------------


def pool_scope(user: User, county_code: str = "") -> Region | None:
    """The county a pool page shows: ``None`` for the whole city (city admin without a filter).

    The pool shows figure-derived results, so it is open only to the city admin and the county officers
    (``permissions.can_batch_check_county``), a county officer always to its own county.
    """
    if county_code:
        county = Region.objects.filter(code=county_code, level=Region.Level.COUNTY).first()
        if county is None:
            raise DomainError(f"「{county_code}」不是县（区）的区划代码。")
        permissions.require_batch_check_county(user, county)
        return county
    if permissions.is_city_admin(user):
        return None
    if user.is_authenticated and user.role == Role.COUNTY and user.region is not None:
        return user.region
    raise PermissionDenied(
        "您无权查看培育库：培育库含按企业经营数据测评的结果，只对县（区）科技局和市科技局开放。"
    )


def pool_counties(user: User) -> QuerySet[Region]:
    counties = Region.objects.filter(level=Region.Level.COUNTY, code__startswith="3601").order_by("code")
    if permissions.is_city_admin(user):
        return counties
    return counties.filter(pk=user.region_id) if user.role == Role.COUNTY else counties.none()


def pool_rounds() -> QuerySet[CultivationRound]:
    return CultivationRound.objects.select_related("opened_by", "closed_by").order_by("-year")


def pool_entries(
    pool_round: CultivationRound, county: Region | None, *, tier: str = ""
) -> QuerySet[PoolEntry]:
    entries = pool_round.entries.select_related("enterprise", "enterprise__town").order_by(
        "enterprise__town__code", "enterprise__name"
    )
    if county is not None:
        entries = entries.filter(enterprise__town__code__startswith=county.prefix)
    if tier:
        entries = entries.filter(tier=tier)
    return entries


def tier_counts(entries: QuerySet[PoolEntry]) -> list[dict]:
    """[{"tier", "label", "count", "selected"}] for every tier, lowest first, zeros included."""
    counts = Counter(entries.values_list("tier", flat=True))
    selected = Counter(entries.filter(selected=True).values_list("tier", flat=True))
    return [
        {"tier": t, "label": label, "count": counts[t], "selected": selected[t]}
        for t, label in CultivationTier.choices
    ]


def near_criteria(pool_round: CultivationRound) -> list[str]:
    """What "almost qualifying" means in ``pool_round``, one sentence per target tier, from the round's own rules
    and the ``NEAR_*`` settings: the page states exactly the thresholds the entries were placed by."""
    gazelle = GazelleRules.from_dict((pool_round.rules or {}).get("gazelle", {}))
    required = gazelle.min_revenue_growth
    return [
        f"科技型中小企业——规模条件满足、评价得分 {NEAR_TECH_SME_MIN_SCORE}–{TECH_SME_MIN_SCORE - 1} 分"
        f"（达标须不低于 {TECH_SME_MIN_SCORE} 分）",
        f"高新技术企业——第十一条由数据判断的条件只差 {NEAR_HIGHTECH_FAILED} 条，或条件均已满足但尚未取得证书",
        f"瞪羚企业——已是高企，近三年销售收入年均增长已达 {fmt_threshold(required - NEAR_GAZELLE_GROWTH_MARGIN)}、"
        f"未达 {fmt_threshold(required)}（达标须不低于 {fmt_threshold(required)}）",
    ]


def near_entries(pool_round: CultivationRound, county: Region | None) -> list[PoolEntry]:
    """The almost-qualifying entries, the highest target tier first, then by county and name."""
    entries = list(pool_entries(pool_round, county).filter(near=True))
    return sorted(entries, key=lambda e: -TIER_ORDER.get(e.target_tier, 0))


def sankey_payload(county: Region | None) -> dict:
    """Movement between tiers across the years that have rounds, as the ``sankey`` chart of web/charts.js reads it.

    Nodes are「年度·梯队」with the number of enterprises of that tier in that round; a link counts the enterprises
    in one tier in a round and in a tier in the next round. An enterprise missing from one of two consecutive
    rounds (registered later, or removed) adds to a node but to no link between them.
    """
    rounds = list(CultivationRound.objects.order_by("year"))
    tiers: dict[int, dict[int, str]] = defaultdict(dict)  # round year → enterprise → tier
    entries = PoolEntry.objects.filter(round__in=rounds)
    if county is not None:
        entries = entries.filter(enterprise__town__code__startswith=county.prefix)
    for year, enterprise_id, tier in entries.values_list("round__year", "enterprise_id", "tier"):
        tiers[year][enterprise_id] = tier

    def name(year: int, tier: str) -> str:
        return f"{year}·{TIER_LABELS[tier]}"

    nodes = []
    for depth, pool_round in enumerate(rounds):
        counts = Counter(tiers[pool_round.year].values())
        for tier in CultivationTier.values:
            if counts[tier]:
                nodes.append(
                    {
                        "name": name(pool_round.year, tier),
                        "year": pool_round.year,
                        "tier": tier,
                        "tier_index": TIER_ORDER[tier],
                        "depth": depth,
                        "count": counts[tier],
                    }
                )
    links = []
    for before, after in pairwise(rounds):
        flows = Counter(
            (tier, tiers[after.year][enterprise_id])
            for enterprise_id, tier in tiers[before.year].items()
            if enterprise_id in tiers[after.year]
        )
        for (source, target), value in sorted(
            flows.items(), key=lambda kv: (TIER_ORDER[kv[0][0]], TIER_ORDER[kv[0][1]])
        ):
            links.append(
                {"source": name(before.year, source), "target": name(after.year, target), "value": value}
            )
    years = [r.year for r in rounds]
    return {
        "title": f"{county.name if county else '全市'}科技企业培育梯队流动",
        "subtitle": f"{years[0]}–{years[-1]} 年度遴选，连线宽度为企业数" if years else "尚无年度遴选",
        "nodes": nodes,
        "links": links,
    }


# --- Demo --------------------------------------------------------------------------------------------------

DEMO_NOTE = "演示数据：按演示企业三个年度的数据遴选"


DEMO_YEARS = 3  # the years of figures enterprises/demo.py gives each demo enterprise


@transaction.atomic
def cultivation_demo_load(*, seed: int = 20250602) -> list[CultivationRound]:
    """Open a round for each year of the demo enterprises' figures and select a few enterprises in each.

    The demo enterprises have three years of figures; a round reads three years, so the two years before
    the first are filled in (synthetic, from the first year shrunk by a plausible growth) for enterprises that
    existed then. Earlier rounds are replaced; the last round is left open, the others closed.
    """
    rng = random.Random(seed)
    demo_years = sorted(
        set(EnterpriseYear.objects.filter(enterprise__is_demo=True).values_list("year", flat=True))
    )
    if not demo_years:
        return []
    # The demo enterprises carry DEMO_YEARS years of figures; earlier years are this loader's own back-fill
    # (from an earlier call), which must not become rounds of their own.
    demo_years = demo_years[-DEMO_YEARS:]
    _demo_backfill(rng, demo_years[0])
    CultivationRound.objects.filter(year__in=demo_years).delete()
    rounds = []
    for year in demo_years:
        pool_round = cultivation_round_open(user=None, year=year, note=DEMO_NOTE)
        candidates = list(
            pool_round.entries.filter(enterprise__is_demo=True)
            .exclude(tier=CultivationTier.NONE)
            .values_list("pk", flat=True)
            .order_by("pk")
        )
        near = list(
            pool_round.entries.filter(enterprise__is_demo=True, near=True).values_list("pk", flat=True)
        )
        chosen = rng.sample(candidates, min(5, len(candidates))) + near[:3]
        if chosen:
            pool_entries_select(user=None, pool_round=pool_round, entry_ids=chosen)
        if year != demo_years[-1]:
            cultivation_round_close(user=None, pool_round=pool_round)
        rounds.append(pool_round)
    return rounds


def _demo_backfill(rng: random.Random, first_year: int) -> None:
    """Two synthetic years before ``first_year`` for the demo enterprises that existed then and lack them."""
    firsts = EnterpriseYear.objects.filter(enterprise__is_demo=True, year=first_year).select_related(
        "enterprise"
    )
    money = (
        "sales_revenue",
        "total_revenue",
        "total_assets",
        "net_assets",
        "total_cost",
        "rd_expense",
        "rd_expense_domestic",
        "hightech_revenue",
    )
    created = []
    have = set(
        EnterpriseYear.objects.filter(enterprise__is_demo=True, year__lt=first_year).values_list(
            "enterprise_id", "year"
        )
    )
    for row in firsts:
        factor = Decimal(1)
        for year in (first_year - 1, first_year - 2):
            factor /= Decimal(str(round(1 + rng.uniform(0.0, 0.35), 2)))
            if year < row.enterprise.founded.year or (row.enterprise_id, year) in have:
                continue
            values = {f: (getattr(row, f) * factor).quantize(Decimal("0.01")) for f in money}
            created.append(
                EnterpriseYear(
                    enterprise=row.enterprise,
                    year=year,
                    employees=row.employees,
                    tech_staff=row.tech_staff,
                    ip_class1=row.ip_class1,
                    ip_class2=row.ip_class2,
                    results_converted=row.results_converted,
                    financing_rounds=row.financing_rounds,
                    **values,
                )
            )
    EnterpriseYear.objects.bulk_create(created)
