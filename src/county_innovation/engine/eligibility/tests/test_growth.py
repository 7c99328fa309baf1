"""企业成长性 (国科发火〔2016〕195号): the growth formula, its zero-year rules and every band edge."""

from __future__ import annotations

from decimal import Decimal

import pytest

from county_innovation.engine.eligibility import growth_points, growth_rate


def d(*values):
    return [Decimal(str(v)) for v in values]


@pytest.mark.parametrize(
    ("values", "rate", "points"),
    [
        # ½(1.35 + 1.35) − 1 = 35 % exactly: band A.
        (d(100, 135, "182.25"), "0.35", (9, 10)),
        (d(100, 125, "156.25"), "0.25", (7, 8)),
        (d(100, 115, "132.25"), "0.15", (5, 6)),
        (d(100, 105, "110.25"), "0.05", (3, 4)),
        (d(100, 100, 100), "0", (0, 0)),
    ],
)
def test_each_band_edge_is_inclusive(values, rate, points):
    assert growth_rate(values) == Decimal(rate)
    assert growth_points(growth_rate(values)) == points


@pytest.mark.parametrize(
    ("rate", "points"),
    [
        ("0.3499", (7, 8)),
        ("0.2499", (5, 6)),
        ("0.1499", (3, 4)),
        ("0.0499", (1, 2)),
        ("0.0001", (1, 2)),
        ("0", (0, 0)),
        ("-0.2", (0, 0)),
    ],
)
def test_just_below_each_edge_falls_to_the_next_band(rate, points):
    assert growth_points(Decimal(rate)) == points


def test_first_year_zero_uses_the_last_two_years():
    # 130 / 100 − 1 = 30 %.
    assert growth_rate(d(0, 100, 130)) == Decimal("0.3")
    assert growth_points(growth_rate(d(0, 100, 130))) == (7, 8)


def test_second_year_zero_scores_zero():
    assert growth_rate(d(100, 0, 500)) is None
    assert growth_points(None) == (0, 0)


def test_negative_growth_scores_zero():
    # ½(0.9 + 0.8/0.9) − 1 < 0.
    rate = growth_rate(d(100, 90, 80))
    assert rate < 0
    assert growth_points(rate) == (0, 0)


def test_negative_net_assets_in_a_base_year_score_zero():
    assert growth_rate(d(-100, 50, 80)) is None
    assert growth_rate(d(100, -50, 80)) is None


def test_growth_rate_needs_three_years():
    with pytest.raises(ValueError):
        growth_rate(d(1, 2))
