"""瞪羚 / 独角兽 rule sets: the domain README's defaults at their edges, and the JSON round trip."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from county_innovation.engine import EngineError
from county_innovation.engine.eligibility import GazelleRules, UnicornRules, gazelle_check, unicorn_check

from .factory import figures

HIGHTECH = {"hightech_certificate": True}


def test_gazelle_at_exactly_20_percent_a_year():
    # 100 → 144 over two steps = 20 % a year compounded.
    assert gazelle_check(figures(sales_revenue=[100, 120, 144], direct=HIGHTECH)).gazelle
    result = gazelle_check(figures(sales_revenue=[100, 120, "143.99"], direct=HIGHTECH))
    assert not result.gazelle
    assert "低于 20% 的要求；上年销售收入至少需 144 万元，还差 0.01 万元" in result.reasons[0]


def test_gazelle_age_exactly_ten_years_counts_and_a_day_more_does_not():
    ok = figures(founded="2014-06-30", as_of="2024-06-30", sales_revenue=[100, 120, 144], direct=HIGHTECH)
    assert gazelle_check(ok).gazelle
    old = figures(founded="2014-06-29", as_of="2024-06-30", sales_revenue=[100, 120, 144], direct=HIGHTECH)
    assert gazelle_check(old).reasons[0] == "成立于 2014-06-29，已超过 10 年"


def test_gazelle_needs_a_hightech_certificate_by_default_only():
    data = figures(sales_revenue=[100, 120, 144])
    assert "不是高新技术企业（未持有有效的高企证书）" in gazelle_check(data).reasons
    assert gazelle_check(data, GazelleRules(require_hightech=False)).gazelle


def test_gazelle_size_alternative_when_configured():
    slow = figures(sales_revenue=[5000, 5000, 5000], direct=HIGHTECH)
    assert not gazelle_check(slow).gazelle
    assert gazelle_check(slow, GazelleRules(alt_min_last_revenue=Decimal(5000))).gazelle


def unicorn_figures(valuation, founded="2020-03-01"):
    data = figures(founded=founded, valuation_usd=valuation, listed=False, private_equity=True)
    return data


def test_unicorn_valuation_must_exceed_ten_billion_dollars():
    assert unicorn_check(unicorn_figures("10.01")).unicorn
    at_ten = unicorn_check(unicorn_figures(10))
    assert not at_ten.unicorn
    assert at_ten.potential  # 4 years old, ≥ 0.5 亿美元


def test_potential_unicorn_tiers():
    assert unicorn_check(unicorn_figures("0.5", founded="2019-06-30")).potential  # exactly 5 years
    assert not unicorn_check(unicorn_figures("0.5", founded="2019-06-29")).potential  # older: needs 1
    assert unicorn_check(unicorn_figures(1, founded="2015-06-30")).potential  # exactly 9 years
    assert not unicorn_check(unicorn_figures(1, founded="2015-06-29")).potential


def test_unicorn_needs_valuation_unlisted_and_private_equity():
    result = unicorn_check(figures())
    assert not result.unicorn and not result.potential
    assert result.reasons[0] == "未提供估值（valuation_usd，亿美元），无法判断"
    listed = figures(valuation_usd=20, listed=True, private_equity=True)
    assert unicorn_check(listed).reasons == ["已上市（新三板除外）"]


@pytest.mark.parametrize(
    "rules", [GazelleRules(), GazelleRules(alt_min_last_revenue=Decimal(5000)), UnicornRules()]
)
def test_rule_sets_round_trip_through_json(rules):
    text = json.dumps(rules.to_dict())
    assert type(rules).from_dict(json.loads(text)) == rules


def test_rule_set_refuses_unknown_keys_and_bad_values():
    with pytest.raises(EngineError, match="未知项「max_age」"):
        GazelleRules.from_dict({"max_age": 8})
    with pytest.raises(EngineError, match="「min_revenue_growth」应为数字"):
        GazelleRules.from_dict({"min_revenue_growth": "二成"})
    assert GazelleRules.from_dict({"min_revenue_growth": "0.3"}).min_revenue_growth == Decimal("0.3")
