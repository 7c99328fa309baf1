"""高新技术企业 (国科发火〔2016〕32号 第十一条) at every boundary of the text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from county_innovation.engine import EngineError
from county_innovation.engine.eligibility import hightech_check

from .factory import figures


def test_base_enterprise_meets_every_figure_condition():
    result = hightech_check(figures())
    assert result.conditions_met and result.failed == []
    assert result.rd_ratio == Decimal("0.05")
    assert result.rd_ratio_required == Decimal("0.04")
    # 净资产 ½(3600/3000 + 4500/3600) − 1 = 22.5 % → 5–6; 销售收入 ½(8000/6000 + 10000/8000) − 1 = 29.17 % → 7–8.
    assert result.growth_points == (12, 14)
    assert result.innovation_score is None


def test_registered_exactly_one_year_before_counts_as_one_year():
    assert 1 not in hightech_check(figures(founded="2023-06-30", as_of="2024-06-30")).failed


def test_registered_one_day_short_of_a_year_fails_condition_one():
    result = hightech_check(figures(founded="2023-06-30", as_of="2024-06-29"))
    assert result.failed == [1]
    assert result.reasons[0] == (
        "第十一条（一）：注册成立于 2023-06-30，至 2024-06-29 不满一年，还差 1 天（2024-06-30 起满一年）"
    )


def test_founded_on_29_february_completes_its_year_on_28_february():
    # 民法典 第二百零二条: no corresponding day → the last day of the month.
    assert 1 not in hightech_check(figures(founded="2020-02-29", as_of="2021-02-28")).failed
    assert 1 in hightech_check(figures(founded="2020-02-29", as_of="2021-02-27")).failed


@pytest.mark.parametrize(
    ("last_sales", "required"),
    [(5000, "0.05"), ("5000.01", "0.04"), (20000, "0.04"), ("20000.01", "0.03")],
)
def test_rd_tier_by_last_year_sales_includes_its_upper_bound(last_sales, required):
    result = hightech_check(figures(sales_revenue=[0, 0, last_sales]))
    assert result.rd_ratio_required == Decimal(required)


def test_rd_ratio_exactly_4_percent_passes():
    # 960 / 24,000 = 4 %.
    result = hightech_check(figures(rd_expense=[300, 300, 360], rd_expense_domestic=[300, 300, 360]))
    assert result.rd_ratio == Decimal("0.04")
    assert 5 not in result.failed


def test_rd_ratio_below_4_percent_fails_with_the_issue_sentence():
    # 936 / 24,000 = 3.90 %: 24 万元 short of 960.
    result = hightech_check(figures(rd_expense=[300, 300, 336], rd_expense_domestic=[300, 300, 336]))
    assert result.failed == [5]
    assert result.reasons[0] == (
        "第十一条（五）：近三年研发费用占比 3.90%，低于 4% 的要求（上年销售收入 5,000万–2亿元）；"
        "按近三年销售收入合计 24,000 万元，研发费用合计至少需 960 万元，还差 24 万元"
    )


def test_rd_ratio_a_hair_below_4_percent_is_shown_rounded_down():
    result = hightech_check(
        figures(rd_expense=[300, 300, "359.99"], rd_expense_domestic=[300, 300, "359.99"])
    )
    assert result.failed == [5]
    assert "近三年研发费用占比 3.99%，低于 4% 的要求" in result.reasons[0]
    assert "还差 0.01 万元" in result.reasons[0]


def test_rd_ratio_exactly_5_percent_in_the_lowest_tier():
    # Last year 5,000 (含) → 5 %; 600 / 12,000 = 5 %.
    ok = figures(
        sales_revenue=[3000, 4000, 5000], rd_expense=[200, 200, 200], rd_expense_domestic=[200, 200, 200]
    )
    assert 5 not in hightech_check(ok).failed
    short = figures(
        sales_revenue=[3000, 4000, 5000],
        rd_expense=[200, 200, "199.99"],
        rd_expense_domestic=[200, 200, "199.99"],
    )
    assert "低于 5% 的要求（上年销售收入 5,000万元以下（含））" in hightech_check(short).reasons[0]


def test_rd_ratio_exactly_3_percent_above_2yi():
    # 1,800 / 60,000 = 3 %.
    ok = figures(
        sales_revenue=[15000, 20000, 25000], rd_expense=[600, 600, 600], rd_expense_domestic=[600, 600, 600]
    )
    assert 5 not in hightech_check(ok).failed
    short = figures(
        sales_revenue=[15000, 20000, 25000], rd_expense=[600, 600, 599], rd_expense_domestic=[600, 600, 599]
    )
    assert hightech_check(short).failed == [5]


def test_a_decimal_sum_that_binary_floating_point_gets_wrong():
    # 0.7 + 0.1 = 0.8 = 5 % of 16 exactly; in binary floating point the sum is 0.7999999999999999 < 0.8.
    assert 0.7 + 0.1 < 0.05 * 16
    for rd in ([0.7, 0.1, 0], ["0.7", "0.1", "0"]):
        result = hightech_check(figures(sales_revenue=[6, 5, 5], rd_expense=rd, rd_expense_domestic=rd))
        assert result.rd_ratio == Decimal("0.05")
        assert 5 not in result.failed


def test_domestic_rd_exactly_60_percent_passes_and_below_fails():
    rd = [300, 400, 500]  # sum 1,200; 60 % = 720
    assert 5 not in hightech_check(figures(rd_expense=rd, rd_expense_domestic=[200, 240, 280])).failed
    result = hightech_check(figures(rd_expense=rd, rd_expense_domestic=[200, 240, "279.99"]))
    assert result.failed == [5]
    assert result.reasons[0] == (
        "第十一条（五）：境内研发费用占全部研发费用 59.99%，低于 60% 的要求；"
        "境内研发费用合计至少需 720 万元，还差 0.01 万元"
    )


def test_tech_staff_exactly_10_percent_passes_and_one_fewer_fails():
    assert 4 not in hightech_check(figures(tech_staff=20)).failed
    result = hightech_check(figures(tech_staff=19))
    assert result.failed == [4]
    assert "低于 10% 的要求，至少需 20 人，还差 1 人" in result.reasons[0]


def test_hightech_revenue_exactly_60_percent_passes_and_below_fails():
    assert 6 not in hightech_check(figures(hightech_revenue=6000)).failed
    result = hightech_check(figures(hightech_revenue="5999.99"))
    assert result.failed == [6]
    assert "59.99%，低于 60% 的要求" in result.reasons[0] and "还差 0.01 万元" in result.reasons[0]


def test_no_ip_outside_the_fields_and_a_violation_fail_conditions_two_three_eight():
    result = hightech_check(figures(ip_class2=0, in_hightech_field=False, serious_violation=True))
    assert result.failed == [2, 3, 8]
    assert not result.conditions_met
    assert [r[:7] for r in result.reasons[:3]] == ["第十一条（二）", "第十一条（三）", "第十一条（八）"]


def test_zero_sales_cannot_meet_the_rd_condition():
    result = hightech_check(
        figures(sales_revenue=[0, 0, 0], rd_expense=[0, 0, 0], rd_expense_domestic=[0, 0, 0])
    )
    assert result.rd_ratio is None
    assert result.failed == [5]


INNOVATION = {
    "ip_advancement": 6,
    "ip_core_support": 6,
    "ip_quantity": 5,
    "ip_acquisition": 5,
    "conversion": 20,
    "rd_management_system": 5,
    "rd_institution": 4,
    "rd_conversion_incentive": 3,
    "rd_talent": 3,
    "net_asset_growth": 6,
    "sales_growth": 7,
}  # 22 + 20 + 15 + 13 = 70


def test_innovation_score_70_fails_and_is_listed_with_the_failures():
    result = hightech_check(figures(innovation=INNOVATION))
    assert result.innovation_score["total"] == 70
    assert not result.innovation_score["passed"]
    assert result.conditions_met  # （七）is reported separately
    assert "差 1 分" in result.reasons[0]


def test_innovation_score_71_passes():
    result = hightech_check(figures(innovation={**INNOVATION, "sales_growth": 8}))
    assert result.innovation_score["total"] == 71 and result.innovation_score["passed"]


def test_expert_growth_points_outside_the_band_of_the_figures_are_refused():
    # 净资产 grew 22.5 %: band C, 5–6 points.
    with pytest.raises(
        EngineError, match="「净资产增长率」（net_asset_growth）为 9 分，不在财务数据决定的 5–6 分范围内"
    ):
        hightech_check(figures(innovation={**INNOVATION, "net_asset_growth": 9}))
