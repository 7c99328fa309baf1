"""高新技术企业 (国科发火〔2016〕32号 第十一条): the conditions that the figures decide, the R&D tier, the
growth points of the 创新能力评价 and, when the experts' items are given, the innovation score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from county_innovation.engine.errors import EngineError

from .common import (
    EnterpriseFigures,
    add_years,
    fmt_money,
    fmt_pct,
    fmt_threshold,
    ratio,
    ratio_at_least,
)
from .growth import growth_band_reason, growth_points, growth_rate
from .innovation_score import INNOVATION_ITEMS, innovation_score

__all__ = ["HighTechResult", "hightech_check", "rd_ratio_required"]

# 国科发火〔2016〕32号 第十一条（一）: 企业申请认定时须注册成立一年以上.
MIN_AGE_YEARS = 1
# 国科发火〔2016〕32号 第十一条（四）: 从事研发和相关技术创新活动的科技人员占企业当年职工总数的比例不低于10%.
MIN_TECH_STAFF_SHARE = Decimal("0.10")
# 国科发火〔2016〕32号 第十一条（五）1–3: 最近一年销售收入小于5,000万元（含）≥5%; 5,000万–2亿元（含）≥4%;
# 2亿元以上 ≥3%. Amounts in 万元.
RD_TIER_LOW_MAX = Decimal(5000)
RD_TIER_MID_MAX = Decimal(20000)
RD_SHARE_LOW = Decimal("0.05")
RD_SHARE_MID = Decimal("0.04")
RD_SHARE_HIGH = Decimal("0.03")
# 国科发火〔2016〕32号 第十一条（五）: 在中国境内发生的研究开发费用总额占全部研究开发费用总额的比例不低于60%.
MIN_DOMESTIC_RD_SHARE = Decimal("0.60")
# 国科发火〔2016〕32号 第十一条（六）: 近一年高新技术产品（服务）收入占企业同期总收入的比例不低于60%.
MIN_HIGHTECH_REVENUE_SHARE = Decimal("0.60")

CONDITION_NAMES = {
    1: "注册成立一年以上",
    2: "拥有对主要产品（服务）发挥核心支持作用的知识产权",
    3: "核心技术属于《国家重点支持的高新技术领域》",
    4: "科技人员占比",
    5: "研究开发费用占比",
    6: "高新技术产品（服务）收入占比",
    7: "创新能力评价",
    8: "无重大安全、重大质量事故或严重环境违法行为",
}


@dataclass(frozen=True)
class HighTechResult:
    """高新技术企业 evaluation of one enterprise.

    ``conditions_met`` covers the conditions of 第十一条 that figures decide — all but （七）, the
    innovation score, which is in ``innovation_score`` when the experts' items are given. ``failed``
    holds the numbers (1–8) of the conditions not met and ``failures`` their sentences alone. ``rd_ratio``
    is the last three years' R&D over sales as a fraction (``None`` when sales are zero); ``growth_points``
    the (min, max) points of 企业成长性 (0–20) that the figures allow.
    """

    conditions_met: bool
    failed: list[int]
    rd_ratio: Decimal | None
    rd_ratio_required: Decimal
    growth_points: tuple[int, int]
    reasons: list[str] = field(default_factory=list)
    innovation_score: dict[str, Any] | None = None
    failures: list[str] = field(default_factory=list)


def rd_ratio_required(last_sales: Decimal) -> tuple[Decimal, str]:
    """The R&D share required by the last year's sales revenue (万元) and the tier's Chinese label."""
    if last_sales <= RD_TIER_LOW_MAX:
        return RD_SHARE_LOW, "上年销售收入 5,000万元以下（含）"
    if last_sales <= RD_TIER_MID_MAX:
        return RD_SHARE_MID, "上年销售收入 5,000万–2亿元"
    return RD_SHARE_HIGH, "上年销售收入 2亿元以上"


def _age(f: EnterpriseFigures) -> tuple[bool, str]:
    # 「一年以上」includes one full year (民法典 第一千二百五十九条: 以上包括本数).
    anniversary = add_years(f.founded, MIN_AGE_YEARS)
    if f.as_of >= anniversary:
        return True, f"注册成立于 {f.founded.isoformat()}，至 {f.as_of.isoformat()} 已满一年"
    short = (anniversary - f.as_of).days
    return False, (
        f"注册成立于 {f.founded.isoformat()}，至 {f.as_of.isoformat()} 不满一年，还差 {short} 天"
        f"（{anniversary.isoformat()} 起满一年）"
    )


def _rd(f: EnterpriseFigures) -> tuple[bool, str, bool, str, Decimal | None, Decimal]:
    sales, rd, home = sum(f.sales_revenue), sum(f.rd_expense), sum(f.rd_expense_domestic)
    required, tier = rd_ratio_required(f.sales_revenue[-1])
    share = ratio(rd, sales)
    rd_ok = sales > 0 and ratio_at_least(rd, sales, required)
    if rd_ok:
        rd_text = f"近三年研发费用占比 {fmt_pct(share)}，不低于 {fmt_threshold(required)} 的要求（{tier}）"
    elif sales == 0:
        rd_text = (
            f"近三年销售收入合计为 0，研发费用占比无法计算，不满足 {fmt_threshold(required)} 的要求（{tier}）"
        )
    else:
        need = required * sales
        rd_text = (
            f"近三年研发费用占比 {fmt_pct(share)}，低于 {fmt_threshold(required)} 的要求（{tier}）；"
            f"按近三年销售收入合计 {fmt_money(sales)} 万元，研发费用合计至少需 {fmt_money(need, round_up=True)} 万元，"
            f"还差 {fmt_money(need - rd, round_up=True)} 万元"
        )
    home_share = ratio(home, rd)
    home_ok = rd > 0 and ratio_at_least(home, rd, MIN_DOMESTIC_RD_SHARE)
    if home_ok:
        home_text = f"境内研发费用占全部研发费用 {fmt_pct(home_share)}，不低于 60%"
    elif rd == 0:
        home_text = "近三年研发费用合计为 0，境内研发费用占比无法计算，不满足不低于 60% 的要求"
    else:
        home_text = (
            f"境内研发费用占全部研发费用 {fmt_pct(home_share)}，低于 60% 的要求；"
            f"境内研发费用合计至少需 {fmt_money(MIN_DOMESTIC_RD_SHARE * rd, round_up=True)} 万元，"
            f"还差 {fmt_money(MIN_DOMESTIC_RD_SHARE * rd - home, round_up=True)} 万元"
        )
    return rd_ok, rd_text, home_ok, home_text, share, required


def _staff(f: EnterpriseFigures) -> tuple[bool, str]:
    employees, tech = Decimal(f.employees), Decimal(f.tech_staff)
    share = fmt_pct(ratio(tech, employees))
    if ratio_at_least(tech, employees, MIN_TECH_STAFF_SHARE):
        return True, f"科技人员 {f.tech_staff} 人，占职工总数 {share}，不低于 10%"
    need = (MIN_TECH_STAFF_SHARE * employees).to_integral_value(rounding=ROUND_CEILING)
    return False, (
        f"科技人员 {f.tech_staff} 人，占职工总数 {f.employees} 人的 {share}，低于 10% 的要求，"
        f"至少需 {need} 人，还差 {int(need) - f.tech_staff} 人"
    )


def _hightech_revenue(f: EnterpriseFigures) -> tuple[bool, str]:
    share = ratio(f.hightech_revenue, f.total_revenue)
    if f.total_revenue > 0 and ratio_at_least(
        f.hightech_revenue, f.total_revenue, MIN_HIGHTECH_REVENUE_SHARE
    ):
        return True, f"近一年高新技术产品（服务）收入占总收入 {fmt_pct(share)}，不低于 60%"
    if f.total_revenue == 0:
        return False, "近一年收入总额为 0，高新技术产品（服务）收入占比无法计算，不满足不低于 60% 的要求"
    need = MIN_HIGHTECH_REVENUE_SHARE * f.total_revenue
    return False, (
        f"近一年高新技术产品（服务）收入占总收入 {fmt_pct(share)}，低于 60% 的要求；"
        f"按收入总额 {fmt_money(f.total_revenue)} 万元至少需 {fmt_money(need, round_up=True)} 万元，"
        f"还差 {fmt_money(need - f.hightech_revenue, round_up=True)} 万元"
    )


Checks = dict[int, list[tuple[bool, str]]]


def _conditions(f: EnterpriseFigures) -> tuple[dict[int, bool], Checks, Decimal | None, Decimal]:
    age_ok, age_text = _age(f)
    ip_count = f.ip_class1 + f.ip_class2
    ip_text = (
        f"拥有Ⅰ类知识产权 {f.ip_class1} 项、Ⅱ类 {f.ip_class2} 项"
        if ip_count
        else "没有知识产权（Ⅰ类、Ⅱ类均为 0 项），至少需拥有 1 项对主要产品（服务）发挥核心支持作用的知识产权"
    )
    field_text = (
        "核心技术属于《国家重点支持的高新技术领域》"
        if f.in_hightech_field
        else "核心技术不属于《国家重点支持的高新技术领域》"
    )
    staff_ok, staff_text = _staff(f)
    rd_ok, rd_text, home_ok, home_text, share, required = _rd(f)
    revenue_ok, revenue_text = _hightech_revenue(f)
    safety_text = (
        "申请认定前一年内发生过重大安全、重大质量事故或严重环境违法行为"
        if f.serious_violation
        else "申请认定前一年内未发生重大安全、重大质量事故或严重环境违法行为"
    )
    met = {
        1: age_ok,
        2: ip_count > 0,
        3: f.in_hightech_field,
        4: staff_ok,
        5: rd_ok and home_ok,
        6: revenue_ok,
        8: not f.serious_violation,
    }
    texts: Checks = {
        1: [(age_ok, age_text)],
        2: [(ip_count > 0, ip_text)],
        3: [(f.in_hightech_field, field_text)],
        4: [(staff_ok, staff_text)],
        5: [(rd_ok, rd_text), (home_ok, home_text)],
        6: [(revenue_ok, revenue_text)],
        8: [(not f.serious_violation, safety_text)],
    }
    return met, texts, share, required


def _check_growth_items(items: dict[str, int], bands: dict[str, tuple[str, tuple[int, int]]]) -> None:
    for key, (name, (low, high)) in bands.items():
        if not low <= items[key] <= high:
            raise EngineError(
                f"创新能力评价「{INNOVATION_ITEMS[key][2]}」（{key}）为 {items[key]} 分，"
                f"不在财务数据决定的 {low}–{high} 分范围内（{name}）"
            )


def hightech_check(figures: EnterpriseFigures) -> HighTechResult:
    """Evaluate 国科发火〔2016〕32号 第十一条 for one enterprise.

    Parameters
    ----------
    figures : EnterpriseFigures
        With ``innovation`` set, the experts' items are scored as well; their growth items must lie in
        the bands that 净资产 and 销售收入 give.

    Returns
    -------
    HighTechResult
        ``reasons`` lists failures first (「第十一条（五）：近三年研发费用占比 3.90%，低于 4% 的要求（…）」),
        then the growth bands, the innovation score when given, and the conditions met.

    Raises
    ------
    EngineError
        When an expert's growth item contradicts the figures.
    """
    f = figures
    met, texts, share, required = _conditions(f)
    failed = [number for number, ok in met.items() if not ok]
    net_reason = growth_band_reason("净资产", f.net_assets)
    sales_reason = growth_band_reason("销售收入", f.sales_revenue)
    net_band = growth_points(growth_rate(f.net_assets))
    sales_band = growth_points(growth_rate(f.sales_revenue))
    points = (net_band[0] + sales_band[0], net_band[1] + sales_band[1])

    score = None
    if f.innovation is not None:
        items = dict(f.innovation)
        _check_growth_items(
            items, {"net_asset_growth": (net_reason, net_band), "sales_growth": (sales_reason, sales_band)}
        )
        score = innovation_score(items)

    failures, passes = [], []
    for number, entries in texts.items():
        for ok, text in entries:
            (passes if ok else failures).append(f"第十一条（{_CN[number]}）：{text}")
    growth_text = f"第十一条（七）企业成长性：{net_reason}；{sales_reason}；合计可得 {points[0]}–{points[1]} 分（满分 20 分）"
    innovation_texts = [f"第十一条（七）：{r}" for r in score["reasons"]] if score else []
    if score is not None and not score["passed"]:
        failures.extend(innovation_texts)
        innovation_texts = []
    reasons = [*failures, growth_text, *innovation_texts, *passes]
    return HighTechResult(
        conditions_met=not failed,
        failed=failed,
        rd_ratio=share,
        rd_ratio_required=required,
        growth_points=points,
        reasons=reasons,
        innovation_score=score,
        failures=failures,
    )


_CN = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八"}
