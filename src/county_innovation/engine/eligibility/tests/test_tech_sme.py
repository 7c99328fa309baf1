"""科技型中小企业 (国科发政〔2017〕115号 第六–八条) at every boundary of the text."""

from __future__ import annotations

import itertools

import pytest

from county_innovation.engine.eligibility import tech_sme_check
from county_innovation.engine.eligibility.tech_sme import (
    IP_CLASS1_POINTS,
    IP_CLASS2_POINTS,
    RD_COST_BANDS,
    RD_REVENUE_BANDS,
    STAFF_BANDS,
)

from .factory import figures


def test_base_enterprise_scores_76_by_hand():
    result = tech_sme_check(figures())
    assert (result.staff_points, result.rd_points, result.ip_points, result.score) == (12, 40, 24, 76)
    assert result.eligible and not result.direct


def test_exactly_500_employees_is_eligible():
    # 100 tech staff of 500 = 20 % keeps the staff score at 12.
    result = tech_sme_check(figures(employees=500, tech_staff=100))
    assert result.eligible
    assert any("职工总数 500 人，不超过 500 人" in r for r in result.reasons)


def test_501_employees_is_not_eligible_and_says_by_how_much():
    result = tech_sme_check(figures(employees=501, tech_staff=101))
    assert not result.eligible
    assert result.reasons[0] == "第六条（二）：职工总数 501 人，超过 500 人的上限 1 人"


def test_sales_revenue_exactly_2yi_is_eligible():
    # R&D 1,000 keeps 5 % of sales (40 points).
    result = tech_sme_check(figures(sales_revenue=[6000, 8000, 20000], rd_expense=[300, 400, 1000]))
    assert result.eligible and result.score == 76
    assert any("上年销售收入 20,000 万元，不超过 2 亿元" in r for r in result.reasons)


def test_sales_revenue_a_cent_above_2yi_is_not_eligible():
    result = tech_sme_check(figures(sales_revenue=[6000, 8000, "20000.01"], rd_expense=[300, 400, 1000]))
    assert not result.eligible
    assert "超过 2 亿元（20,000 万元）的上限 0.01 万元" in result.reasons[0]


def test_total_assets_exactly_2yi_is_eligible_and_above_is_not():
    assert tech_sme_check(figures(total_assets=20000)).eligible
    result = tech_sme_check(figures(total_assets=20001))
    assert not result.eligible
    assert result.reasons[0].startswith("第六条（二）：资产总额 20,001 万元，超过 2 亿元")


@pytest.mark.parametrize(
    ("tech_staff", "points"),
    [(60, 20), (59, 16), (50, 16), (49, 12), (40, 12), (39, 8), (30, 8), (29, 4), (20, 4), (19, 0)],
)
def test_staff_points_lower_band_edges_are_inclusive(tech_staff, points):
    # Of 200 employees: 60 = 30 %, 50 = 25 %, 40 = 20 %, 30 = 15 %, 20 = 10 %.
    assert tech_sme_check(figures(tech_staff=tech_staff)).staff_points == points


def test_staff_exactly_10_percent_scores_and_qualifies():
    result = tech_sme_check(figures(tech_staff=20))
    assert result.staff_points == 4 and result.eligible


def test_zero_staff_points_fail_even_with_score_above_60():
    # 19 of 200 = 9.5 %: 0 + 40 + 24 = 64 ≥ 60, but 第六条（五）forbids a zero staff score.
    result = tech_sme_check(figures(tech_staff=19))
    assert result.score == 64
    assert not result.eligible
    assert "该项不得为 0 分" in result.reasons[0]
    assert "9.50%" in result.reasons[0]


@pytest.mark.parametrize(
    ("rd_last", "points"),
    [(600, 50), ("599.99", 40), (500, 40), (400, 30), (300, 20), (200, 10), ("199.99", 0)],
)
def test_rd_share_of_sales_band_edges(rd_last, points):
    # Last year: sales 10,000; cost 100,000 keeps the cost measure below its 10 % floor.
    result = tech_sme_check(
        figures(rd_expense=[0, 0, rd_last], rd_expense_domestic=[0, 0, 0], total_cost=100000)
    )
    assert result.rd_points == points


@pytest.mark.parametrize(
    ("rd_last", "points"), [(3000, 50), (2500, 40), (2000, 30), (1500, 20), (1000, 10), (999, 0)]
)
def test_rd_share_of_cost_band_edges(rd_last, points):
    # Cost 10,000; sales 1,000,000 keeps the sales measure at 0.
    result = tech_sme_check(
        figures(
            rd_expense=[0, 0, rd_last],
            rd_expense_domestic=[0, 0, 0],
            total_cost=10000,
            sales_revenue=[0, 0, 1000000],
            total_assets=100,
        )
    )
    assert result.rd_points == points


def test_the_better_of_the_two_rd_measures_counts():
    # 500 / 10,000 sales = 5 % → 40; 500 / 1,600 cost = 31.25 % → 50.
    result = tech_sme_check(figures(total_cost=1600))
    assert result.rd_points == 50
    assert any("按较高的「研发费用占成本费用支出总额」计 50 分" in r for r in result.reasons)


@pytest.mark.parametrize(
    ("class1", "class2", "points"),
    [(1, 0, 30), (0, 4, 24), (0, 9, 24), (0, 3, 18), (0, 2, 12), (0, 1, 6), (0, 0, 0)],
)
def test_ip_points(class1, class2, points):
    assert tech_sme_check(figures(ip_class1=class1, ip_class2=class2)).ip_points == points


def test_score_exactly_60_is_eligible():
    # 40 of 200 staff = 20 % → 12; R&D 400 / 10,000 = 4 % → 30 (4.44 % of cost → 0); 3 Ⅱ类 → 18: 60.
    result = tech_sme_check(
        figures(tech_staff=40, rd_expense=[0, 0, 400], rd_expense_domestic=[0, 0, 0], ip_class2=3)
    )
    assert result.score == 60 and result.eligible


def test_score_58_is_not_eligible_and_says_the_gap():
    # 25 % → 16, 4 % → 30, 2 Ⅱ类 → 12 = 58.
    result = tech_sme_check(
        figures(tech_staff=50, rd_expense=[0, 0, 400], rd_expense_domestic=[0, 0, 0], ip_class2=2)
    )
    assert result.score == 58 and not result.eligible
    assert "第六条（五）：综合评价得分 58 分，低于 60 分的要求，差 2 分" in result.reasons


def test_a_score_of_59_cannot_occur_because_every_item_scores_even_points():
    staff = [p for _, p in STAFF_BANDS] + [0]
    rd = [p for _, p in RD_REVENUE_BANDS + RD_COST_BANDS] + [0]
    ip = [IP_CLASS1_POINTS, *(p for _, p in IP_CLASS2_POINTS), 0]
    totals = {a + b + c for a, b, c in itertools.product(staff, rd, ip)}
    assert 60 in totals and 58 in totals and 59 not in totals


def test_direct_qualification_with_a_low_score():
    # 19 of 200 staff → 0 points, R&D 0, no IP: only 第八条 can qualify it.
    result = tech_sme_check(
        figures(
            tech_staff=19,
            rd_expense=[0, 0, 0],
            rd_expense_domestic=[0, 0, 0],
            ip_class2=0,
            direct={"led_standard": True},
        )
    )
    assert result.direct and result.eligible
    assert result.score == 0
    assert result.reasons[0].startswith("第八条：近五年内主导制定过")


@pytest.mark.parametrize(
    "change", [{"employees": 501, "tech_staff": 101}, {"serious_violation": True}, {"total_assets": 20001}]
)
def test_direct_qualification_needs_article_six_one_to_four(change):
    result = tech_sme_check(figures(direct={"hightech_certificate": True}, **change))
    assert not result.direct and not result.eligible
    assert any(r.startswith("第八条：虽持有有效的高新技术企业证书") for r in result.reasons)
