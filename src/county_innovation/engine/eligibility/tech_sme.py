"""科技型中小企业 (国科发政〔2017〕115号): the conditions of 第六条, the 100-point score of 第七条 and the
direct qualification of 第八条, decided from :class:`EnterpriseFigures`.

第六条（一）境内居民企业 and （三）产业不属于禁止、限制和淘汰类 are not in the JSON contract; the registry
records them and the caller is responsible for them (docs/eligibility.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .common import EnterpriseFigures, fmt_money, fmt_pct, fmt_threshold, ratio, ratio_at_least

__all__ = ["TechSmeResult", "tech_sme_check"]

# 国科发政〔2017〕115号 第六条（二）: 职工总数不超过500人、年销售收入不超过2亿元、资产总额不超过2亿元.
MAX_EMPLOYEES = 500
MAX_SALES_REVENUE = Decimal(20000)  # 万元 = 2亿元
MAX_TOTAL_ASSETS = Decimal(20000)  # 万元 = 2亿元
# 国科发政〔2017〕115号 第六条（五）: 综合评价所得分值不低于60分，且科技人员指标得分不得为0分.
MIN_SCORE = 60

# 国科发政〔2017〕115号 第七条（一）科技人员指标 (20): 科技人员数占职工总数的比例, lower bounds inclusive.
STAFF_BANDS: tuple[tuple[Decimal, int], ...] = (
    (Decimal("0.30"), 20),
    (Decimal("0.25"), 16),
    (Decimal("0.20"), 12),
    (Decimal("0.15"), 8),
    (Decimal("0.10"), 4),
)
# 国科发政〔2017〕115号 第七条（二）研发投入指标 (50), measure A: 研发费用总额占销售收入总额的比例.
RD_REVENUE_BANDS: tuple[tuple[Decimal, int], ...] = (
    (Decimal("0.06"), 50),
    (Decimal("0.05"), 40),
    (Decimal("0.04"), 30),
    (Decimal("0.03"), 20),
    (Decimal("0.02"), 10),
)
# 国科发政〔2017〕115号 第七条（二）研发投入指标 (50), measure B: 研发费用总额占成本费用支出总额的比例.
RD_COST_BANDS: tuple[tuple[Decimal, int], ...] = (
    (Decimal("0.30"), 50),
    (Decimal("0.25"), 40),
    (Decimal("0.20"), 30),
    (Decimal("0.15"), 20),
    (Decimal("0.10"), 10),
)
# 国科发政〔2017〕115号 第七条（三）科技成果指标 (30): ≥1 Ⅰ类 → 30; Ⅱ类 ≥4 → 24, 3 → 18, 2 → 12, 1 → 6.
IP_CLASS1_POINTS = 30
IP_CLASS2_POINTS: tuple[tuple[int, int], ...] = ((4, 24), (3, 18), (2, 12), (1, 6))


@dataclass(frozen=True)
class TechSmeResult:
    """科技型中小企业 evaluation of one enterprise.

    ``eligible`` needs 第六条（二）（四） and either a 第八条 direct qualification or 第六条（五）
    (score ≥ 60 with non-zero 科技人员 points). ``direct`` is true only when a 第八条 ground applies and
    第六条（二）（四） hold. ``reasons`` lists failures first, each saying by how much, then the rest;
    ``failures`` holds the failed conditions alone (empty exactly when ``eligible``), so a verdict can name
    the condition that decided it without guessing from the wording.
    """

    eligible: bool
    score: int
    staff_points: int
    rd_points: int
    ip_points: int
    direct: bool
    reasons: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def _band_points(numerator: Decimal, denominator: Decimal, bands: tuple[tuple[Decimal, int], ...]) -> int:
    for floor, points in bands:
        if ratio_at_least(numerator, denominator, floor):
            return points
    return 0


def _ip_points(class1: int, class2: int) -> int:
    if class1 >= 1:
        return IP_CLASS1_POINTS
    for count, points in IP_CLASS2_POINTS:
        if class2 >= count:
            return points
    return 0


def _size_checks(f: EnterpriseFigures) -> tuple[list[str], list[str]]:
    failed: list[str] = []
    met: list[str] = []
    sales = f.sales_revenue[-1]
    if f.employees > MAX_EMPLOYEES:
        failed.append(
            f"第六条（二）：职工总数 {f.employees} 人，超过 {MAX_EMPLOYEES} 人的上限 {f.employees - MAX_EMPLOYEES} 人"
        )
    else:
        met.append(f"第六条（二）：职工总数 {f.employees} 人，不超过 {MAX_EMPLOYEES} 人")
    if sales > MAX_SALES_REVENUE:
        failed.append(
            f"第六条（二）：上年销售收入 {fmt_money(sales)} 万元，超过 2 亿元（20,000 万元）的上限 "
            f"{fmt_money(sales - MAX_SALES_REVENUE)} 万元"
        )
    else:
        met.append(f"第六条（二）：上年销售收入 {fmt_money(sales)} 万元，不超过 2 亿元")
    if f.total_assets > MAX_TOTAL_ASSETS:
        failed.append(
            f"第六条（二）：资产总额 {fmt_money(f.total_assets)} 万元，超过 2 亿元（20,000 万元）的上限 "
            f"{fmt_money(f.total_assets - MAX_TOTAL_ASSETS)} 万元"
        )
    else:
        met.append(f"第六条（二）：资产总额 {fmt_money(f.total_assets)} 万元，不超过 2 亿元")
    if f.serious_violation:
        failed.append(
            "第六条（四）：上一年度或当年发生过重大安全、重大质量事故、严重环境违法或科研严重失信行为"
        )
    return failed, met


def _score_reasons(
    f: EnterpriseFigures, staff: int, rd_revenue: int, rd_cost: int, ip: int
) -> tuple[list[str], list[str]]:
    failed: list[str] = []
    met: list[str] = []
    staff_share = ratio(Decimal(f.tech_staff), Decimal(f.employees))
    staff_text = f"科技人员 {f.tech_staff} 人，占职工总数 {fmt_pct(staff_share)}，科技人员指标得 {staff} 分"
    if staff == 0:
        failed.append(
            f"第六条（五）：{staff_text}；科技人员占比低于 {fmt_threshold(STAFF_BANDS[-1][0])}，该项不得为 0 分"
        )
    else:
        met.append(f"第七条（一）：{staff_text}")
    rd, sales = f.rd_expense[-1], f.sales_revenue[-1]
    by_revenue = fmt_pct(ratio(rd, sales))
    by_cost = fmt_pct(ratio(rd, f.total_cost))
    better = "研发费用占销售收入" if rd_revenue >= rd_cost else "研发费用占成本费用支出总额"
    met.append(
        f"第七条（二）：上年研发费用占销售收入 {by_revenue}（{rd_revenue} 分）、占成本费用支出总额 {by_cost}"
        f"（{rd_cost} 分），按较高的「{better}」计 {max(rd_revenue, rd_cost)} 分"
    )
    met.append(f"第七条（三）：Ⅰ类知识产权 {f.ip_class1} 项、Ⅱ类 {f.ip_class2} 项，科技成果指标得 {ip} 分")
    total = staff + max(rd_revenue, rd_cost) + ip
    if total < MIN_SCORE:
        failed.append(
            f"第六条（五）：综合评价得分 {total} 分，低于 {MIN_SCORE} 分的要求，差 {MIN_SCORE - total} 分"
        )
    else:
        met.append(f"第六条（五）：综合评价得分 {total} 分，不低于 {MIN_SCORE} 分")
    return failed, met


def tech_sme_check(figures: EnterpriseFigures) -> TechSmeResult:
    """Evaluate 国科发政〔2017〕115号 for one enterprise.

    Parameters
    ----------
    figures : EnterpriseFigures
        The last fiscal year's 职工, 科技人员, 销售收入, 研发费用, 成本费用支出总额, 资产总额 and the valid
        intellectual property decide; for the R&D score the better of the two measures counts.

    Returns
    -------
    TechSmeResult
    """
    f = figures
    staff = _band_points(Decimal(f.tech_staff), Decimal(f.employees), STAFF_BANDS)
    rd_revenue = _band_points(f.rd_expense[-1], f.sales_revenue[-1], RD_REVENUE_BANDS)
    rd_cost = _band_points(f.rd_expense[-1], f.total_cost, RD_COST_BANDS)
    ip = _ip_points(f.ip_class1, f.ip_class2)
    score = staff + max(rd_revenue, rd_cost) + ip

    size_failed, size_met = _size_checks(f)
    score_failed, score_met = _score_reasons(f, staff, rd_revenue, rd_cost, ip)
    basic = not size_failed
    grounds = f.direct.applying()
    direct = basic and bool(grounds)
    by_score = score >= MIN_SCORE and staff > 0
    eligible = basic and (direct or by_score)

    notes: list[str] = []
    if direct:
        notes.append(
            f"第八条：{'；'.join(grounds)}，且符合第六条（一）～（四），可直接确认符合科技型中小企业条件"
        )
    elif grounds:
        notes.append(f"第八条：虽{'；'.join(grounds)}，但不符合第六条（一）～（四），不能直接确认")
    # A direct qualification makes the score conditions moot: list them as information, not as failures.
    if direct:
        failures = size_failed
        rest = [*size_met, *score_met, *(f"（直接认定，不影响结论）{r}" for r in score_failed)]
    else:
        failures = [*size_failed, *score_failed]
        rest = [*size_met, *score_met]
    reasons = [*failures, *notes, *rest]
    return TechSmeResult(
        eligible=eligible,
        score=score,
        staff_points=staff,
        rd_points=max(rd_revenue, rd_cost),
        ip_points=ip,
        direct=direct,
        reasons=reasons,
        failures=failures,
    )
