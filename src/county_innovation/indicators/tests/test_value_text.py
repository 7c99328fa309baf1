"""How typed text becomes a number: separators, full-width characters, and text that is refused."""

from decimal import Decimal

import pytest

from county_innovation.indicators.models import Indicator
from county_innovation.indicators.validation import ValueProblem, normalise_number_text, parse_value


@pytest.fixture
def amount(frameworks):
    return Indicator.objects.get(code="town_fiscal_st_spending")


@pytest.fixture
def share(frameworks):
    return Indicator.objects.get(code="fiscal_st_share")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.5", Decimal("1234.5")),
        ("１２３", Decimal(123)),
        ("１，２３４．５", Decimal("1234.5")),
        ("\u3000１２\u3000", Decimal(12)),
        ("１２。５", Decimal("12.5")),
        ("12，345", Decimal(12345)),
    ],
)
def test_separators_and_full_width_text_are_read_as_numbers(amount, raw, expected):
    assert parse_value(amount, raw) == expected


def test_a_full_width_percent_sign_is_accepted_for_a_share(share):
    assert parse_value(share, "２．５％") == Decimal("2.5")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("约300万", "应为数字，实际为「约300万」"),
        ("－５", "不能为负数"),
        ("\u22125", "不能为负数"),
        ("10²", "应为数字"),  # a superscript is not a digit: NFKC would have read 102
        ("1,23,4", "应为数字"),
    ],
)
def test_text_that_is_not_a_number_is_refused(amount, raw, message):
    with pytest.raises(ValueProblem, match=message):
        parse_value(amount, raw)


def test_normalise_only_touches_full_width_forms():
    assert normalise_number_text(" ８０％ ") == "80%"
    assert normalise_number_text("约３００万") == "约300万"
