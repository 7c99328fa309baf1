"""The cultivation pool's (培育库) tier rules: which tier an enterprise holds in a year, the tier it aims at next,
the gap, and what counts as "almost qualifying". Pure: the figures and qualifications are handed in.

A tier is never decided here by a threshold of our own: the rules of ``engine.eligibility`` decide 科小, 高企,
瞪羚 and 独角兽 from the registry's figures (``selectors.enterprise_payload``), and a registered qualification valid
at the year's end counts as well; the tier is the highest of both. What *is* the platform's own choice is how
close counts as "almost" (``NEAR_*`` below): a policy setting for the bureau, not an official threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from county_innovation.common.errors import DomainError
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
    Qualification,
    QualificationKind,
)
from county_innovation.enterprises.selectors import enterprise_payload, fiscal_years

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
