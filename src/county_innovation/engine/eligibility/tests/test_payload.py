"""The JSON contract's input: exact decimals in, bad input refused with Chinese messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from county_innovation.engine import EngineError
from county_innovation.engine.eligibility import EligibilityInputError, EnterpriseFigures

from .factory import figures, payload


def test_numbers_and_numeric_strings_become_the_same_decimals():
    from_numbers = figures(sales_revenue=[0.1, 0.2, 5000], total_cost=9000.5)
    from_strings = figures(sales_revenue=["0.1", "0.2", "5000"], total_cost="9000.5")
    assert from_numbers == from_strings
    assert from_numbers.sales_revenue == (Decimal("0.1"), Decimal("0.2"), Decimal("5000"))
    assert from_numbers.founded == dt.date(2020, 3, 1)


def refused(**changes) -> EligibilityInputError:
    with pytest.raises(EligibilityInputError) as info:
        EnterpriseFigures.from_payload(payload(**changes))
    assert isinstance(info.value, EngineError)
    return info.value


def test_wrong_list_length_is_refused():
    error = refused(rd_expense=[300, 400])
    assert error.errors == {
        "rd_expense": "「研究开发费用」（rd_expense）应为近三个会计年度的 3 个数（从早到晚），实际为 2 个"
    }


def test_negative_amount_is_refused():
    assert (
        refused(total_assets=-1).errors["total_assets"] == "「资产总额」（total_assets）不能为负数，实际为 -1"
    )


def test_negative_net_assets_are_allowed():
    assert figures(net_assets=[-100, 50, 80]).net_assets[0] == Decimal(-100)


def test_text_where_a_number_belongs_is_refused():
    error = refused(sales_revenue=[6000, "约300万", 10000])
    assert error.errors["sales_revenue"] == "「销售收入」（sales_revenue）应为数字（万元），实际为「约300万」"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("employees", 12.5, "「职工总数」（employees）应为非负整数，实际为「12.5」"),
        ("ip_class1", True, "「Ⅰ类知识产权数」（ip_class1）应为非负整数"),
        ("in_hightech_field", "是", "应为 true 或 false，实际为「是」"),
        ("founded", "2020/03/01", "「注册成立日期」（founded）应为 YYYY-MM-DD 格式的日期"),
        ("total_cost", "NaN", "应为有限的数字"),
        ("total_revenue", [1], "「收入总额」（total_revenue）应为数字（万元）"),
    ],
)
def test_wrong_kinds_are_refused(field, value, message):
    assert message in refused(**{field: value}).errors[field]


def test_missing_required_field_is_refused():
    data = payload()
    del data["employees"]
    with pytest.raises(EligibilityInputError, match="缺少必填字段「职工总数」（employees）"):
        EnterpriseFigures.from_payload(data)


def test_as_of_before_founded_is_refused():
    error = refused(founded="2024-07-01", as_of="2024-06-30")
    assert error.errors["as_of"] == "评价基准日 2024-06-30 早于注册成立日期 2024-07-01，请检查日期"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"tech_staff": 201}, "tech_staff", "科技人员数 201 人多于职工总数 200 人"),
        ({"employees": 0, "tech_staff": 0}, "employees", "应至少为 1 人"),
        ({"hightech_revenue": 10001}, "hightech_revenue", "多于收入总额 10,000 万元"),
        (
            {"rd_expense_domestic": [300, 401, 500]},
            "rd_expense_domestic",
            "第 2 年境内研究开发费用 401 万元多于",
        ),
        ({"rd_expenses": [1, 2, 3]}, "rd_expenses", "未知字段「rd_expenses」"),
        ({"direct": {"led_standard": "yes"}}, "direct", "（led_standard）应为 true 或 false"),
    ],
)
def test_inconsistent_or_unknown_fields_are_refused(change, field, message):
    assert message in refused(**change).errors[field]


def test_every_problem_is_reported_at_once():
    error = refused(total_assets=-1, rd_expense=[1, 2], founded="昨天")
    assert set(error.errors) == {"total_assets", "rd_expense", "founded"}
    assert str(error).count("；") == 2


def test_a_payload_that_is_not_an_object_is_refused():
    with pytest.raises(EligibilityInputError, match="企业数据应为 JSON 对象"):
        EnterpriseFigures.from_payload([1, 2, 3])  # type: ignore[arg-type]
